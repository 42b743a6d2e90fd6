/* The chaos soak's accounting: records, receipts and the resolution of what
 * a killed worker left in doubt (see chaos_ledger.h). */
#include "chaos_ledger.h"

#include <svipc/svipc.h>

#include <stdio.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
    /* splitmix64's finaliser: every bit of the input moves every output bit. */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static uint64_t record_checksum(const struct chaos_record *record)
{
    uint64_t sum = mix(record->seq);
    for (int i = 0; i < CHAOS_WORDS; i++)
        sum = mix(sum ^ record->words[i]);
    return sum;
}

void chaos_record_fill(struct chaos_record *record, uint64_t seq)
{
    record->seq = seq;
    for (int i = 0; i < CHAOS_WORDS; i++)
        record->words[i] = mix(seq * CHAOS_WORDS + (uint64_t)i);
    record->checksum = record_checksum(record);
}

int chaos_record_intact(const struct chaos_record *record)
{
    if (record->checksum != record_checksum(record))
        return 0;
    for (int i = 0; i < CHAOS_WORDS; i++)
        if (record->words[i] != mix(record->seq * CHAOS_WORDS + (uint64_t)i))
            return 0;
    return 1;
}

void chaos_mark_received(struct chaos_ledger *ledger, uint64_t *bitmap, uint64_t seq)
{
    const uint64_t bit = UINT64_C(1) << (seq % 64);
    const uint64_t before = atomic_fetch_or((_Atomic uint64_t *)&bitmap[seq / 64], bit);
    if (before & bit)
        atomic_fetch_add(&ledger->duplicates, 1);
}

int chaos_was_received(const uint64_t *bitmap, uint64_t seq)
{
    return (atomic_load((_Atomic uint64_t *)&bitmap[seq / 64]) >> (seq % 64)) & 1;
}

void chaos_error(struct chaos_slot *slot, const char *what, int rc)
{
    atomic_fetch_add(&slot->errors, 1);
    snprintf(slot->last_error, sizeof slot->last_error, "%s: %s (%s)", what, svipc_strerror(rc),
             svipc_last_error_message());
}

static void add_doubt(_Atomic uint64_t *count, uint64_t *list, uint64_t seq)
{
    const uint64_t n = atomic_fetch_add(count, 1);
    if (n < CHAOS_MAX_DOUBTS)
        list[n] = seq;
}

/* A producer killed between "send_pending = seq + 1" and clearing it may or
 * may not have queued seq. It is never resent (that could duplicate it); it
 * is listed as in doubt, and numbering continues after it. */
void chaos_resolve_producer(struct chaos_ledger *ledger, struct chaos_slot *slot)
{
    const uint64_t pending = atomic_load(&slot->send_pending);
    if (pending == 0)
        return;
    const uint64_t seq = pending - 1;
    add_doubt(&ledger->n_send_doubts, ledger->send_doubts, seq);
    if (atomic_load(&slot->next_seq) <= seq)
        atomic_store(&slot->next_seq, seq + 1);
    atomic_store(&slot->send_pending, 0);
}

/* A consumer killed in its receive window: if it had noted which message it
 * held and had not recorded it, that message is "taken by a killed
 * consumer"; if it died before noting it, one message may have been taken
 * unseen (counted, and matched against the missing ones at the end). */
void chaos_resolve_consumer(struct chaos_ledger *ledger, const uint64_t *bitmap, struct chaos_slot *slot)
{
    const uint64_t holding = atomic_load(&slot->holding);
    if (holding != 0) {
        if (!chaos_was_received(bitmap, holding - 1))
            add_doubt(&ledger->n_held_by_killed, ledger->held_by_killed, holding - 1);
    } else if (atomic_load(&slot->recv_window)) {
        atomic_fetch_add(&ledger->recv_killed_unknown, 1);
    }
    atomic_store(&slot->holding, 0);
    atomic_store(&slot->recv_window, 0);
}

/* Under the counter lock: a holder that died inside its critical section
 * left the journal active; put the counter back as it was before. */
void chaos_recover_counter_journal(struct chaos_ledger *ledger, volatile struct chaos_counter *counter)
{
    if (!counter->journal_active)
        return;
    const uint64_t slot = counter->journal_slot;
    if (slot >= CHAOS_WORKERS) {
        atomic_fetch_add(&ledger->ledger_mismatches, 1);
        return;
    }
    counter->counter = counter->journal_old_counter;
    counter->committed[slot] = counter->journal_old_committed;
    counter->journal_active = 0;
    atomic_fetch_add(&ledger->lock_recoveries, 1);
}

/* Under the counter lock, after journal recovery: the slot's committed
 * increments in the segment against those the ledger saw return. At most
 * one can differ: the one a kill interrupted after its commit. */
void chaos_resolve_counter_locked(struct chaos_ledger *ledger, volatile struct chaos_counter *counter, int index)
{
    struct chaos_slot *slot = &ledger->slot[index];
    if (!atomic_load(&slot->incr_pending))
        return;
    const uint64_t accounted = atomic_load(&slot->incr_returned) + atomic_load(&slot->incr_killed_after_commit);
    const uint64_t committed = counter->committed[index];
    if (committed == accounted + 1)
        atomic_fetch_add(&slot->incr_killed_after_commit, 1);
    else if (committed != accounted)
        atomic_fetch_add(&ledger->ledger_mismatches, 1);
    atomic_store(&slot->incr_pending, 0);
}
