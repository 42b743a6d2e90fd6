/* Chaos soak: eight worker processes use all four object kinds at once while
 * this supervisor SIGKILLs or SIGSTOP/SIGCONTs a random worker every
 * 10-100 ms and respawns the killed; at the end it accounts for every
 * operation and prints the figures doc/reliability.md records.
 *
 *   chaos_soak [SECONDS]     (default $SVIPC_CHAOS_SECONDS, else 60)
 *   tools/run-chaos.sh SECONDS builds it and runs it.
 *
 * $SVIPC_CHAOS_SEED repeats a run's choices of victim, signal and timing.
 * Runs in its own private IPC namespace (refuses the shared one). Exit 0 only
 * if: 0 torn reads, 0 duplicated messages, 0 unaccounted losses, 0
 * deadlocks, 0 unexpected errors, 0 objects left, and the counter equals
 * the increments that returned plus those a kill cut off after commit. */
#include "chaos_ledger.h"
#include "ipcns.h"
#include "proc_util.h"

#include <svipc/svipc.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Worker roles by slot: all four object kinds at once. */
static const enum chaos_role roles[CHAOS_WORKERS] = {
    ROLE_COUNTER, ROLE_COUNTER, ROLE_PRODUCER, ROLE_CONSUMER,
    ROLE_CONSUMER, ROLE_PUBLISHER, ROLE_READER, ROLE_SHM,
};
static const char *const role_names[ROLE_COUNT] = {"counter", "producer", "consumer", "publisher", "reader", "shm"};

struct worker_state {
    pid_t pid;
    int64_t stalled_since; /* progress stamp already counted as a deadlock, or 0 */
};

static uint64_t rng_state;

static uint64_t next_random(void)
{
    /* xorshift64*: reproducible from the printed seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t random_between(uint64_t low, uint64_t high)
{
    return low + next_random() % (high - low + 1);
}

static void sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static struct chaos_ledger *ledger;
static uint64_t *bitmap;
static struct chaos_objects objects;
static struct worker_state workers[CHAOS_WORKERS];

static int worker_main(void *arg)
{
    return chaos_worker_run(ledger, bitmap, &objects, (int)(intptr_t)arg);
}

/* Workers die with the supervisor, whatever ends it. */
static pid_t spawn(int index)
{
    atomic_store(&ledger->slot[index].progress_ns, proc_now_ns());
    const pid_t pid = proc_spawn_tied(worker_main, (void *)(intptr_t)index);
    workers[index].pid = pid;
    workers[index].stalled_since = 0;
    return pid;
}

static int fail_setup(const char *what, int rc)
{
    fprintf(stderr, "chaos_soak: %s: %s (%s)\n", what, svipc_strerror(rc), svipc_last_error_message());
    return 2;
}

/* The supervisor's handles on the objects under test (removed at the end). */
struct owned {
    svipc_sem *counter_sem;
    svipc_shm *counter_shm;
    svipc_msg *queue;
    svipc_channel *channel;
    svipc_shm *data_shm;
};

static int create_objects(struct owned *o)
{
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, &o->counter_sem);
    if (rc != 0)
        return fail_setup("counter semaphore", rc);
    rc = svipc_sem_set_value(o->counter_sem, 0, 1); /* a free lock holds 1 */
    if (rc != 0)
        return fail_setup("counter semaphore value", rc);
    rc = svipc_shm_open(SVIPC_KEY_PRIVATE, sizeof(struct chaos_counter), SVIPC_CREATE, 0, &o->counter_shm);
    if (rc != 0)
        return fail_setup("counter segment", rc);
    rc = svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &o->queue);
    if (rc != 0)
        return fail_setup("queue", rc);
    rc = svipc_channel_open(CHAOS_CHANNEL_NAME, SVIPC_CHANNEL_TYPE_BYTES, sizeof(struct chaos_record), 0,
                            SVIPC_CREATE | SVIPC_EXCLUSIVE, 0, &o->channel);
    if (rc != 0)
        return fail_setup("channel", rc);
    rc = svipc_shm_open(SVIPC_KEY_PRIVATE, (uint64_t)CHAOS_WORKERS * CHAOS_SHM_BLOCK, SVIPC_CREATE, 0, &o->data_shm);
    if (rc != 0)
        return fail_setup("data segment", rc);
    objects.counter_sem_id = svipc_sem_id(o->counter_sem);
    objects.counter_shm_id = svipc_shm_id(o->counter_shm);
    objects.queue_id = svipc_msg_id(o->queue);
    objects.data_shm_id = svipc_shm_id(o->data_shm);
    /* The data segment starts as generation 0 in every block. */
    void *addr;
    rc = svipc_shm_attach(o->data_shm, NULL, 0, &addr);
    if (rc != 0)
        return fail_setup("data segment attach", rc);
    for (int i = 0; i < CHAOS_WORKERS; i++)
        for (size_t w = 0; w < CHAOS_SHM_BLOCK / sizeof(uint64_t); w++)
            ((uint64_t *)addr)[(size_t)i * CHAOS_SHM_BLOCK / sizeof(uint64_t) + w] = w; /* generation 0 */
    return svipc_shm_detach(o->data_shm, addr) == 0 ? 0 : 2;
}

static void remove_objects(struct owned *o)
{
    if (o->counter_sem) {
        svipc_sem_remove(o->counter_sem);
        svipc_sem_close(o->counter_sem);
    }
    if (o->counter_shm) {
        svipc_shm_remove(o->counter_shm);
        svipc_shm_close(o->counter_shm);
    }
    if (o->queue) {
        svipc_msg_remove(o->queue);
        svipc_msg_close(o->queue);
    }
    if (o->channel) {
        svipc_channel_remove(o->channel);
        svipc_channel_close(o->channel);
    }
    if (o->data_shm) {
        svipc_shm_remove(o->data_shm);
        svipc_shm_close(o->data_shm);
    }
}

struct chaos_totals {
    uint64_t kills, stops, respawns, deadlocks, worker_failures;
};

/* Reap workers that ended on their own (an error): counted, respawned. */
static void reap_unexpected(struct chaos_totals *t)
{
    for (int i = 0; i < CHAOS_WORKERS; i++) {
        int status;
        if (waitpid(workers[i].pid, &status, WNOHANG) == workers[i].pid) {
            t->worker_failures++;
            fprintf(stderr, "worker %d (%s) ended by itself (status 0x%x): %s\n", i, role_names[roles[i]], status,
                    ledger->slot[i].last_error);
            spawn(i);
            t->respawns++;
        }
    }
}

/* A running worker with no finished iteration for CHAOS_DEADLOCK_NS. */
static void watch_deadlocks(struct chaos_totals *t)
{
    const int64_t now = proc_now_ns();
    for (int i = 0; i < CHAOS_WORKERS; i++) {
        const int64_t stamp = atomic_load(&ledger->slot[i].progress_ns);
        if (now - stamp > CHAOS_DEADLOCK_NS && workers[i].stalled_since != stamp) {
            workers[i].stalled_since = stamp;
            t->deadlocks++;
            fprintf(stderr, "deadlock: worker %d (%s, pid %d) made no progress for %.1f s\n", i,
                    role_names[roles[i]], (int)workers[i].pid, (double)(now - stamp) / 1e9);
        }
    }
}

/* One act of chaos on a random worker. A stop lasts 1-50 ms; the stamp is
 * moved on by the stop's length so a stopped worker is never "deadlocked". */
static void strike(struct chaos_totals *t)
{
    const int i = (int)random_between(0, CHAOS_WORKERS - 1);
    if (next_random() % 2 == 0) {
        kill(workers[i].pid, SIGKILL);
        waitpid(workers[i].pid, NULL, 0);
        t->kills++;
        spawn(i);
        t->respawns++;
    } else {
        const int64_t stop_ns = (int64_t)random_between(1, 50) * 1000000;
        kill(workers[i].pid, SIGSTOP);
        sleep_ns(stop_ns);
        kill(workers[i].pid, SIGCONT);
        atomic_fetch_add(&ledger->slot[i].progress_ns, stop_ns);
        t->stops++;
    }
}

/* Stop every worker: the stop flag, then a bounded wait; a worker that
 * cannot finish its iteration in time is deadlocked. */
static void stop_workers(struct chaos_totals *t)
{
    atomic_store(&ledger->stop, 1);
    for (int i = 0; i < CHAOS_WORKERS; i++) {
        kill(workers[i].pid, SIGCONT);
        const int status = proc_wait(workers[i].pid, 10000);
        if (status == -1) {
            t->deadlocks++;
            fprintf(stderr, "deadlock: worker %d (%s) did not stop within 10 s\n", i, role_names[roles[i]]);
        } else if (status != 0) {
            t->worker_failures++;
            fprintf(stderr, "worker %d (%s) ended with status %d: %s\n", i, role_names[roles[i]], status,
                    ledger->slot[i].last_error);
        }
    }
}

static uint64_t sum_role(enum chaos_role role, size_t offset)
{
    uint64_t sum = 0;
    for (int i = 0; i < CHAOS_WORKERS; i++)
        if (roles[i] == role)
            sum += atomic_load((_Atomic uint64_t *)((char *)&ledger->slot[i] + offset));
    return sum;
}
#define SUM(role, field) sum_role(role, offsetof(struct chaos_slot, field))

static int in_list(const uint64_t *list, uint64_t n, uint64_t seq)
{
    if (n > CHAOS_MAX_DOUBTS)
        n = CHAOS_MAX_DOUBTS;
    for (uint64_t i = 0; i < n; i++)
        if (list[i] == seq)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *env_seconds = getenv("SVIPC_CHAOS_SECONDS");
    const long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : env_seconds ? strtol(env_seconds, NULL, 10) : 60;
    if (seconds <= 0) {
        fprintf(stderr, "usage: %s [SECONDS > 0]\n", argv[0]);
        return 2;
    }
    const int err = ipcns_enter_private();
    if (err != 0) {
        fprintf(stderr, "cannot enter a private IPC namespace: %s\n", strerror(-err));
        return 99;
    }
    const char *env_seed = getenv("SVIPC_CHAOS_SEED");
    rng_state = env_seed ? strtoull(env_seed, NULL, 0) : (uint64_t)proc_now_ns() ^ (uint64_t)getpid() << 32;
    if (rng_state == 0)
        rng_state = 1;

    ledger = mmap(NULL, sizeof *ledger, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    bitmap = mmap(NULL, CHAOS_MAX_MESSAGES / 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
    if (ledger == MAP_FAILED || bitmap == MAP_FAILED) {
        perror("chaos_soak: mmap");
        return 2;
    }
    ledger->seed = rng_state;
    for (int i = 0; i < CHAOS_WORKERS; i++)
        ledger->slot[i].role = roles[i];

    struct owned owned = {0};
    if (create_objects(&owned) != 0) {
        remove_objects(&owned);
        return 2;
    }
    printf("chaos soak: %ld s, %d workers, seed 0x%" PRIx64 "\n", seconds, CHAOS_WORKERS, ledger->seed);
    fflush(stdout);

    struct chaos_totals t = {0};
    for (int i = 0; i < CHAOS_WORKERS; i++)
        spawn(i);
    const int64_t start = proc_now_ns();
    const int64_t end = start + (int64_t)seconds * 1000000000;
    while (proc_now_ns() < end) {
        sleep_ns((int64_t)random_between(10, 100) * 1000000);
        reap_unexpected(&t);
        watch_deadlocks(&t);
        strike(&t);
    }
    stop_workers(&t);
    const double elapsed = (double)(proc_now_ns() - start) / 1e9;

    /* ---- accounting ---------------------------------------------------- */
    /* Counter: recover and resolve every slot under the lock. */
    void *counter_addr = NULL;
    uint64_t counter_value = 0, committed = 0;
    int rc = svipc_shm_attach(owned.counter_shm, NULL, 0, &counter_addr);
    if (rc == 0)
        rc = svipc_sem_lock(owned.counter_sem, 0, 0, CHAOS_LOCK_WAIT_NS);
    if (rc != 0) {
        fprintf(stderr, "final counter lock: %s\n", svipc_last_error_message());
        t.deadlocks++;
    } else {
        volatile struct chaos_counter *counter = counter_addr;
        chaos_recover_counter_journal(ledger, counter);
        for (int i = 0; i < CHAOS_WORKERS; i++)
            if (roles[i] == ROLE_COUNTER)
                chaos_resolve_counter_locked(ledger, counter, i);
        counter_value = counter->counter;
        for (int i = 0; i < CHAOS_WORKERS; i++)
            committed += counter->committed[i];
        svipc_sem_unlock(owned.counter_sem, 0, 0);
    }
    const uint64_t returned = SUM(ROLE_COUNTER, incr_returned);
    const uint64_t cut_off = SUM(ROLE_COUNTER, incr_killed_after_commit);

    /* Messages: resolve the last workers, drain the queue, then every
     * sequence number is received, in doubt, or held by a killed consumer. */
    for (int i = 0; i < CHAOS_WORKERS; i++) {
        if (roles[i] == ROLE_PRODUCER)
            chaos_resolve_producer(ledger, &ledger->slot[i]);
        if (roles[i] == ROLE_CONSUMER)
            chaos_resolve_consumer(ledger, bitmap, &ledger->slot[i]);
    }
    uint64_t drained = 0;
    struct chaos_record record;
    int64_t n;
    while ((n = svipc_msg_receive(owned.queue, 0, &record, sizeof record, 0, 0, NULL)) >= 0) {
        if (n != (int64_t)sizeof record || !chaos_record_intact(&record) || record.seq >= CHAOS_MAX_MESSAGES) {
            atomic_fetch_add(&ledger->corrupt_messages, 1);
            continue;
        }
        chaos_mark_received(ledger, bitmap, record.seq);
        drained++;
    }
    const uint64_t sent = SUM(ROLE_PRODUCER, next_seq);
    uint64_t received = 0, lost_held = 0, lost_in_doubt = 0, missing = 0, phantom = 0;
    for (uint64_t seq = 0; seq < sent; seq++) {
        if (chaos_was_received(bitmap, seq))
            received++;
        else if (in_list(ledger->held_by_killed, ledger->n_held_by_killed, seq))
            lost_held++;
        else if (in_list(ledger->send_doubts, ledger->n_send_doubts, seq))
            lost_in_doubt++;
        else
            missing++;
    }
    for (uint64_t seq = sent; seq < sent + 64 * 1024 && seq < CHAOS_MAX_MESSAGES; seq++)
        phantom += (uint64_t)chaos_was_received(bitmap, seq);
    /* A consumer killed before it could note what it held may have taken
     * one message unseen: each such kill explains at most one. */
    const uint64_t unknown_kills = atomic_load(&ledger->recv_killed_unknown);
    const uint64_t lost_unseen = missing < unknown_kills ? missing : unknown_kills;
    const uint64_t unaccounted = missing - lost_unseen + phantom;

    svipc_shm_detach(owned.counter_shm, counter_addr);
    remove_objects(&owned);
    const int left = ipcns_count_objects();

    uint64_t errors = 0;
    for (int i = 0; i < CHAOS_WORKERS; i++) {
        errors += atomic_load(&ledger->slot[i].errors);
        if (ledger->slot[i].last_error[0])
            fprintf(stderr, "worker %d (%s): %s\n", i, role_names[roles[i]], ledger->slot[i].last_error);
    }
    const uint64_t torn = SUM(ROLE_READER, torn) + SUM(ROLE_SHM, shm_torn) + atomic_load(&ledger->corrupt_messages);
    const uint64_t duplicates = atomic_load(&ledger->duplicates);
    const uint64_t mismatches = atomic_load(&ledger->ledger_mismatches);
    const int counter_ok = counter_value == committed && committed == returned + cut_off;

    printf("duration                 %.1f s\n", elapsed);
    printf("kills survived           %" PRIu64 " (SIGKILL, each worker respawned)\n", t.kills);
    printf("stops survived           %" PRIu64 " (SIGSTOP 1-50 ms, then SIGCONT)\n", t.stops);
    printf("ops: counter increments  %" PRIu64 " returned (+%" PRIu64 " committed by workers killed before the return)\n",
           returned, cut_off);
    printf("ops: messages            %" PRIu64 " sent, %" PRIu64 " received (%" PRIu64 " drained at the end)\n", sent,
           received, drained);
    printf("ops: channel             %" PRIu64 " published, %" PRIu64 " read and checked (%" PRIu64
           " zero-copy peeks overwritten in use, retried)\n",
           SUM(ROLE_PUBLISHER, ops), SUM(ROLE_READER, ops), SUM(ROLE_READER, peek_retries));
    printf("ops: shared memory       %" PRIu64 " attach/verify/write/detach cycles (%" PRIu64
           " writes cut by a kill, rewritten)\n",
           SUM(ROLE_SHM, ops), SUM(ROLE_SHM, shm_writes_killed));
    printf("messages lost            %" PRIu64 ": %" PRIu64 " taken by killed consumers (identified), %" PRIu64
           " taken unseen by consumers killed inside msgrcv (of %" PRIu64 " such kills), %" PRIu64
           " sends cut by a kill that never reached the queue\n",
           lost_held + lost_unseen + lost_in_doubt, lost_held, lost_unseen, unknown_kills, lost_in_doubt);
    printf("messages unaccounted     %" PRIu64 "\n", unaccounted);
    printf("messages duplicated      %" PRIu64 "\n", duplicates);
    printf("torn reads               %" PRIu64 " (channel %" PRIu64 ", shared memory %" PRIu64 ", messages %" PRIu64
           "); channel sequence went backwards %" PRIu64 " times\n",
           torn, SUM(ROLE_READER, torn), SUM(ROLE_SHM, shm_torn), atomic_load(&ledger->corrupt_messages),
           SUM(ROLE_READER, backwards));
    printf("lock recoveries          %" PRIu64 " (counter lock holder killed inside its critical section: journal rolled back)\n",
           atomic_load(&ledger->lock_recoveries));
    printf("deadlocks                %" PRIu64 " (no progress for %lld s while not stopped)\n", t.deadlocks,
           CHAOS_DEADLOCK_NS / 1000000000LL);
    printf("bounded waits expired    counter lock %" PRIu64 ", send %" PRIu64 ", receive %" PRIu64 ", channel wait %" PRIu64 "\n",
           SUM(ROLE_COUNTER, timeouts), SUM(ROLE_PRODUCER, timeouts), SUM(ROLE_CONSUMER, timeouts),
           SUM(ROLE_READER, timeouts));
    printf("unexpected errors        %" PRIu64 " (workers that failed: %" PRIu64 ", ledger mismatches: %" PRIu64 ")\n",
           errors, t.worker_failures, mismatches);
    printf("IPC objects left         %d\n", left);
    printf("counter                  %" PRIu64 " == %" PRIu64 " committed == %" PRIu64 " returned + %" PRIu64
           " cut off: %s\n",
           counter_value, committed, returned, cut_off, counter_ok ? "yes" : "NO");

    const int ok = torn == 0 && SUM(ROLE_READER, backwards) == 0 && duplicates == 0 && unaccounted == 0 &&
                   t.deadlocks == 0 && errors == 0 && t.worker_failures == 0 && mismatches == 0 && left == 0 &&
                   counter_ok && t.kills > 0 && SUM(ROLE_READER, ops) > 0 && received > 0 && returned > 0 &&
                   SUM(ROLE_SHM, ops) > 0;
    printf("result                   %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
