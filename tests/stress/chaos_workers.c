/* The chaos soak's workers, one loop per role, each using only the public
 * C API on its own handles (opened after fork). Every loop iteration ends
 * with a progress stamp; every wait is bounded (chaos_ledger.h). */
#include "chaos_ledger.h"
#include "proc_util.h"

#include <svipc/svipc.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct worker {
    struct chaos_ledger *ledger;
    uint64_t *bitmap;
    struct chaos_slot *slot;
    int index;
    const struct chaos_objects *objects;
};

static int stopping(const struct worker *w)
{
    return atomic_load(&w->ledger->stop);
}

static void progress(struct worker *w, int completed)
{
    if (completed)
        atomic_fetch_add(&w->slot->ops, 1);
    atomic_store(&w->slot->progress_ns, proc_now_ns());
}

static int timed_out(int rc)
{
    return rc == -ETIMEDOUT || rc == -EAGAIN || rc == -ENOMSG;
}

/* ---- counter: increments under a semaphore lock, with a journal -------- */

static int run_counter(struct worker *w)
{
    svipc_sem *sem = NULL;
    svipc_shm *shm = NULL;
    void *addr = NULL;
    int rc = svipc_sem_open_id(w->objects->counter_sem_id, 0, &sem);
    if (rc == 0)
        rc = svipc_shm_open_id(w->objects->counter_shm_id, &shm);
    if (rc == 0)
        rc = svipc_shm_attach(shm, NULL, 0, &addr);
    if (rc != 0) {
        chaos_error(w->slot, "counter: open", rc);
        goto out;
    }
    volatile struct chaos_counter *counter = addr;

    /* What the previous worker of this slot left in doubt. */
    rc = svipc_sem_lock(sem, 0, 0, CHAOS_LOCK_WAIT_NS);
    if (rc != 0) {
        chaos_error(w->slot, "counter: first lock", rc);
        goto out;
    }
    chaos_recover_counter_journal(w->ledger, counter);
    chaos_resolve_counter_locked(w->ledger, counter, w->index);
    svipc_sem_unlock(sem, 0, 0);
    progress(w, 0);

    while (!stopping(w)) {
        atomic_store(&w->slot->incr_pending, 1);
        rc = svipc_sem_lock(sem, 0, 0, CHAOS_LOCK_WAIT_NS);
        if (rc == -ETIMEDOUT) {
            atomic_store(&w->slot->incr_pending, 0);
            atomic_fetch_add(&w->slot->timeouts, 1);
            progress(w, 0);
            continue;
        }
        if (rc != 0) {
            chaos_error(w->slot, "counter: lock", rc);
            break;
        }
        chaos_recover_counter_journal(w->ledger, counter);
        /* Journal first, then the change, then the commit: a kill anywhere
         * in between leaves journal_active set for the next holder. */
        counter->journal_slot = (uint64_t)w->index;
        counter->journal_old_counter = counter->counter;
        counter->journal_old_committed = counter->committed[w->index];
        counter->journal_active = 1;
        counter->counter = counter->counter + 1;
        counter->committed[w->index] = counter->committed[w->index] + 1;
        counter->journal_active = 0;
        rc = svipc_sem_unlock(sem, 0, 0);
        if (rc != 0) {
            chaos_error(w->slot, "counter: unlock", rc);
            break;
        }
        atomic_fetch_add(&w->slot->incr_returned, 1);
        atomic_store(&w->slot->incr_pending, 0);
        progress(w, 1);
    }
out:
    svipc_shm_close(shm);
    svipc_sem_close(sem);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

/* ---- producer and consumer: numbered messages through one queue -------- */

static int run_producer(struct worker *w)
{
    svipc_msg *queue = NULL;
    int rc = svipc_msg_open_id(w->objects->queue_id, &queue);
    if (rc != 0) {
        chaos_error(w->slot, "producer: open", rc);
        return 1;
    }
    chaos_resolve_producer(w->ledger, w->slot);
    progress(w, 0);
    struct chaos_record record;
    while (!stopping(w)) {
        const uint64_t seq = atomic_load(&w->slot->next_seq);
        if (seq >= CHAOS_MAX_MESSAGES) {
            chaos_error(w->slot, "producer: out of sequence numbers", -ERANGE);
            break;
        }
        chaos_record_fill(&record, seq);
        atomic_store(&w->slot->send_pending, seq + 1);
        rc = svipc_msg_send(queue, 1, &record, sizeof record, 0, CHAOS_WAIT_NS);
        if (rc == 0)
            atomic_store(&w->slot->next_seq, seq + 1);
        atomic_store(&w->slot->send_pending, 0);
        if (rc != 0 && !timed_out(rc)) {
            chaos_error(w->slot, "producer: send", rc);
            break;
        }
        if (rc != 0)
            atomic_fetch_add(&w->slot->timeouts, 1);
        progress(w, rc == 0);
    }
    svipc_msg_close(queue);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

static int run_consumer(struct worker *w)
{
    svipc_msg *queue = NULL;
    int rc = svipc_msg_open_id(w->objects->queue_id, &queue);
    if (rc != 0) {
        chaos_error(w->slot, "consumer: open", rc);
        return 1;
    }
    chaos_resolve_consumer(w->ledger, w->bitmap, w->slot);
    progress(w, 0);
    struct chaos_record record;
    while (!stopping(w)) {
        atomic_store(&w->slot->recv_window, 1);
        const int64_t n = svipc_msg_receive(queue, 0, &record, sizeof record, 0, CHAOS_WAIT_NS, NULL);
        if (n == (int64_t)sizeof record) {
            if (!chaos_record_intact(&record) || record.seq >= CHAOS_MAX_MESSAGES) {
                atomic_fetch_add(&w->ledger->corrupt_messages, 1);
            } else {
                atomic_store(&w->slot->holding, record.seq + 1);
                chaos_mark_received(w->ledger, w->bitmap, record.seq);
                atomic_store(&w->slot->holding, 0);
            }
        }
        atomic_store(&w->slot->recv_window, 0);
        if (n >= 0 && n != (int64_t)sizeof record) {
            atomic_fetch_add(&w->ledger->corrupt_messages, 1);
        } else if (n < 0 && !timed_out((int)n)) {
            chaos_error(w->slot, "consumer: receive", (int)n);
            break;
        }
        if (n < 0)
            atomic_fetch_add(&w->slot->timeouts, 1);
        progress(w, n >= 0);
    }
    svipc_msg_close(queue);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

/* ---- publisher and reader: checksummed values through a channel -------- */

static int open_channel(struct worker *w, svipc_channel **ret)
{
    const int rc = svipc_channel_open(CHAOS_CHANNEL_NAME, SVIPC_CHANNEL_TYPE_BYTES, sizeof(struct chaos_record), 0,
                                      0, 0, ret);
    if (rc != 0)
        chaos_error(w->slot, "channel: open", rc);
    return rc;
}

static int run_publisher(struct worker *w)
{
    svipc_channel *channel = NULL;
    if (open_channel(w, &channel) != 0)
        return 1;
    progress(w, 0);
    struct chaos_record record;
    while (!stopping(w)) {
        const uint64_t value = atomic_fetch_add(&w->slot->next_value, 1);
        chaos_record_fill(&record, value);
        const int rc = svipc_channel_publish(channel, &record, sizeof record, NULL);
        if (rc != 0) {
            /* One publisher: the writer lock a killed predecessor held went
             * back with its death (SEM_UNDO), so -EBUSY would be a defect. */
            chaos_error(w->slot, "publisher: publish", rc);
            break;
        }
        progress(w, 1);
    }
    svipc_channel_close(channel);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

static void check_value(struct worker *w, const struct chaos_record *record, uint64_t sequence, uint64_t *last)
{
    if (!chaos_record_intact(record))
        atomic_fetch_add(&w->slot->torn, 1);
    if (sequence < *last)
        atomic_fetch_add(&w->slot->backwards, 1);
    *last = sequence;
}

static int run_reader(struct worker *w)
{
    svipc_channel *channel = NULL;
    if (open_channel(w, &channel) != 0)
        return 1;
    progress(w, 0);
    struct chaos_record record;
    svipc_channel_read_info info;
    uint64_t last = 0;
    for (uint64_t round = 0; !stopping(w); round++) {
        int rc;
        if (round % 4 == 3) {
            /* Zero-copy: use the value in place, then validate the use. */
            const void *data = NULL;
            rc = svipc_channel_peek(channel, SVIPC_CHANNEL_ANY_AGE, &data, &info);
            if (rc >= 0) {
                memcpy(&record, data, sizeof record);
                const int valid = svipc_channel_peek_valid(channel, info.sequence);
                if (valid == 1)
                    check_value(w, &record, info.sequence, &last);
                else if (valid == 0)
                    atomic_fetch_add(&w->slot->peek_retries, 1);
                else
                    rc = valid;
            }
        } else {
            rc = svipc_channel_wait_read(channel, &record, sizeof record, CHAOS_WAIT_NS, 0, &info);
            if (rc >= 0)
                check_value(w, &record, info.sequence, &last);
        }
        if (rc < 0 && rc != -ENODATA && !timed_out(rc)) {
            chaos_error(w->slot, "reader: read", rc);
            break;
        }
        if (rc < 0)
            atomic_fetch_add(&w->slot->timeouts, 1);
        progress(w, rc >= 0);
    }
    svipc_channel_close(channel);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

/* ---- shm: this worker's block, written, detached, re-attached, verified -- */

static void fill_block(uint64_t *block, uint64_t generation)
{
    for (size_t i = 0; i < CHAOS_SHM_BLOCK / sizeof(uint64_t); i++)
        block[i] = generation * UINT64_C(0x9e3779b97f4a7c15) + i;
}

static int block_holds(const uint64_t *block, uint64_t generation)
{
    for (size_t i = 0; i < CHAOS_SHM_BLOCK / sizeof(uint64_t); i++)
        if (block[i] != generation * UINT64_C(0x9e3779b97f4a7c15) + i)
            return 0;
    return 1;
}

static int run_shm(struct worker *w)
{
    svipc_shm *shm = NULL;
    int rc = svipc_shm_open_id(w->objects->data_shm_id, &shm);
    if (rc != 0) {
        chaos_error(w->slot, "shm: open", rc);
        return 1;
    }
    if (atomic_load(&w->slot->shm_pending)) /* a predecessor died writing */
        atomic_fetch_add(&w->slot->shm_writes_killed, 1);
    progress(w, 0);
    while (!stopping(w)) {
        void *addr = NULL;
        rc = svipc_shm_attach(shm, NULL, 0, &addr);
        if (rc != 0) {
            chaos_error(w->slot, "shm: attach", rc);
            break;
        }
        uint64_t *block = (uint64_t *)((char *)addr + (size_t)w->index * CHAOS_SHM_BLOCK);
        const uint64_t generation = atomic_load(&w->slot->shm_seq);
        /* What the last complete write left must still be there, across
         * the detach and across the death of the process that wrote it. */
        if (!atomic_load(&w->slot->shm_pending) && !block_holds(block, generation))
            atomic_fetch_add(&w->slot->shm_torn, 1);
        atomic_store(&w->slot->shm_pending, 1);
        fill_block(block, generation + 1);
        atomic_store(&w->slot->shm_seq, generation + 1);
        atomic_store(&w->slot->shm_pending, 0);
        rc = svipc_shm_detach(shm, addr);
        if (rc != 0) {
            chaos_error(w->slot, "shm: detach", rc);
            break;
        }
        progress(w, 1);
    }
    svipc_shm_close(shm);
    return atomic_load(&w->slot->errors) ? 1 : 0;
}

int chaos_worker_run(struct chaos_ledger *ledger, uint64_t *bitmap, const struct chaos_objects *objects, int index)
{
    struct worker w = {ledger, bitmap, &ledger->slot[index], index, objects};
    switch (w.slot->role) {
    case ROLE_COUNTER: return run_counter(&w);
    case ROLE_PRODUCER: return run_producer(&w);
    case ROLE_CONSUMER: return run_consumer(&w);
    case ROLE_PUBLISHER: return run_publisher(&w);
    case ROLE_READER: return run_reader(&w);
    case ROLE_SHM: return run_shm(&w);
    default: return 1;
    }
}
