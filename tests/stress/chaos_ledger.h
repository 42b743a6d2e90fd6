/* The chaos soak's bookkeeping (tests/stress/chaos_soak.c).
 *
 * Two kinds of shared memory, kept apart on purpose:
 *  - the objects under test are svipc objects (a counter segment guarded by a
 *    svipc semaphore, a message queue, a channel, a data segment);
 *  - the ledger below is the test's own record, an anonymous MAP_SHARED
 *    mapping made before the first fork, so no System V call touches it and
 *    a kill can only interrupt it at the points the protocol marks.
 *
 * Every operation whose effect a SIGKILL can leave in doubt brackets itself
 * with a "pending" word in the ledger. After a kill the respawned worker (or,
 * at the end, the supervisor) resolves the doubt from the objects' own state,
 * so each lost or extra effect is accounted for by name, never guessed. */
#ifndef SVIPC_TESTS_CHAOS_LEDGER_H
#define SVIPC_TESTS_CHAOS_LEDGER_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#define CHAOS_WORKERS 8
/* How long a running (not stopped) worker may go without finishing a loop
 * iteration before it counts as deadlocked. */
#define CHAOS_DEADLOCK_NS (5 * 1000000000LL)
/* Every blocking call in a worker is bounded by this; a timeout is an
 * iteration too (the worker is alive and looping). */
#define CHAOS_WAIT_NS (100 * 1000000LL)
/* The counter lock waits longer: a timeout there is reported. */
#define CHAOS_LOCK_WAIT_NS (5 * 1000000000LL)
/* Messages the producer may number: one bit each in the receipt bitmap. */
#define CHAOS_MAX_MESSAGES (UINT64_C(1) << 30)
#define CHAOS_MAX_DOUBTS 65536
#define CHAOS_SHM_BLOCK 4096
#define CHAOS_CHANNEL_NAME "svipc-chaos-soak"

enum chaos_role { ROLE_COUNTER, ROLE_PRODUCER, ROLE_CONSUMER, ROLE_PUBLISHER, ROLE_READER, ROLE_SHM, ROLE_COUNT };

/* One worker slot; the supervisor respawns a killed worker into the same
 * slot, which keeps its counts. */
struct chaos_slot {
    enum chaos_role role;
    _Atomic int64_t progress_ns; /* CLOCK_MONOTONIC end of the last loop iteration */
    _Atomic uint64_t ops;        /* operations completed (see the role) */
    _Atomic uint64_t timeouts;   /* bounded waits that expired */
    _Atomic uint64_t errors;     /* unexpected results: each fails the soak */
    char last_error[200];

    /* counter: increments of the shared counter under the semaphore lock */
    _Atomic uint64_t incr_pending;      /* 1 from before the lock until the return is recorded */
    _Atomic uint64_t incr_returned;     /* increments whose unlock returned to the worker */
    _Atomic uint64_t incr_killed_after_commit; /* committed, but the worker died before returning */

    /* producer: sequence numbers, one queue */
    _Atomic uint64_t next_seq;      /* next sequence number to send */
    _Atomic uint64_t send_pending;  /* seq + 1 while a send may have happened */

    /* consumer */
    _Atomic uint64_t recv_window;   /* 1 from before msgrcv until the receipt is recorded */
    _Atomic uint64_t holding;       /* seq + 1 of a received, not yet recorded message */

    /* publisher */
    _Atomic uint64_t next_value;

    /* reader: channel values checked */
    _Atomic uint64_t torn;          /* values whose checksum failed (must stay 0) */
    _Atomic uint64_t backwards;     /* sequence lower than one read before (must stay 0) */
    _Atomic uint64_t peek_retries;  /* zero-copy peeks overwritten while used (allowed) */

    /* shm: this worker's block of the data segment */
    _Atomic uint64_t shm_seq;       /* generation last written completely */
    _Atomic uint64_t shm_pending;   /* 1 while the block is being rewritten */
    _Atomic uint64_t shm_torn;      /* verification failures outside a killed write (must stay 0) */
    _Atomic uint64_t shm_writes_killed;
};

struct chaos_ledger {
    _Atomic int stop;
    uint64_t seed;
    struct chaos_slot slot[CHAOS_WORKERS];
    _Atomic uint64_t lock_recoveries;   /* journal rollbacks after a lock holder died */
    _Atomic uint64_t ledger_mismatches; /* a resolution found an impossible state (must stay 0) */
    _Atomic uint64_t duplicates;        /* a sequence number received twice (must stay 0) */
    _Atomic uint64_t corrupt_messages;  /* a message whose checksum failed (must stay 0) */
    _Atomic uint64_t recv_killed_unknown; /* consumers killed in the receive window, message unknown */
    /* sends that a kill left in doubt (may or may not be in the queue) */
    _Atomic uint64_t n_send_doubts;
    uint64_t send_doubts[CHAOS_MAX_DOUBTS];
    /* messages a killed consumer had received but not recorded */
    _Atomic uint64_t n_held_by_killed;
    uint64_t held_by_killed[CHAOS_MAX_DOUBTS];
};

/* The counter segment (a svipc segment, the object under test). Written
 * only under the semaphore lock. The journal lets the next holder undo a
 * critical section its holder died in. */
struct chaos_counter {
    uint64_t counter;
    uint64_t journal_active;
    uint64_t journal_slot;
    uint64_t journal_old_counter;
    uint64_t journal_old_committed;
    uint64_t committed[CHAOS_WORKERS]; /* increments each slot committed */
};

/* A queue message and a channel value: words derived from a sequence number
 * plus a checksum, so a mixed or torn copy is detected. */
#define CHAOS_WORDS 6
struct chaos_record {
    uint64_t seq;
    uint64_t words[CHAOS_WORDS];
    uint64_t checksum;
};

/* The objects every worker opens (ids are namespace-wide). */
struct chaos_objects {
    int32_t counter_sem_id;
    int32_t counter_shm_id;
    int32_t queue_id;
    int32_t data_shm_id;
};

/* Fill `record` for `seq`; 1 if `record` is intact. */
void chaos_record_fill(struct chaos_record *record, uint64_t seq);
int chaos_record_intact(const struct chaos_record *record);

/* A worker's body: opens the objects, resolves what its predecessor in the
 * slot left in doubt, and loops until ledger->stop. Returns the exit status. */
int chaos_worker_run(struct chaos_ledger *ledger, uint64_t *bitmap, const struct chaos_objects *objects, int slot);

/* Resolution of a killed worker's doubts, shared by a respawned worker and
 * the supervisor's final accounting. The counter one takes and gives back
 * the counter lock itself (the counter must be attached). */
void chaos_resolve_producer(struct chaos_ledger *ledger, struct chaos_slot *slot);
void chaos_resolve_consumer(struct chaos_ledger *ledger, const uint64_t *bitmap, struct chaos_slot *slot);
void chaos_resolve_counter_locked(struct chaos_ledger *ledger, volatile struct chaos_counter *counter, int slot);
void chaos_recover_counter_journal(struct chaos_ledger *ledger, volatile struct chaos_counter *counter);

/* Record receipt of `seq`; counts a duplicate. */
void chaos_mark_received(struct chaos_ledger *ledger, uint64_t *bitmap, uint64_t seq);
int chaos_was_received(const uint64_t *bitmap, uint64_t seq);

/* Record an unexpected result in the slot (fails the soak). */
void chaos_error(struct chaos_slot *slot, const char *what, int rc);

#endif
