/* Channels against a hostile peer: a process with write permission on the
 * segment that overwrites header words, slot words and payloads (before
 * another process opens the channel, and while readers and waiters run).
 * Whatever it writes, the other users must keep their memory safe and their
 * calls bounded: a value or a documented error, never a crash, an overrun of
 * their buffers, or a call that does not return (doc/security.md). */
#include <svipc/svipc.h>

#include "harness.h"
#include "proc_util.h"
#include "raw_channel.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PAYLOAD 24u  /* not a multiple of 8 or 16: odd copy widths */
#define BUFFERS 4u
#define GUARD 64u
#define GUARD_BYTE 0xa5

/* How long the scribbler runs in the targeted tests: far beyond every bound
 * a call may take, so a call that waits for the peer to stop is caught. */
#define SCRIBBLE_MS 10000

/* Slack allowed beyond a call's own bound (its timeout, or the retry
 * budget). Unloaded, calls end within a few ms of it (the suite prints the
 * worst); the slack is for a loaded 2-core CI machine, where a runnable
 * process can wait hundreds of ms for a CPU, and for sanitizers and
 * valgrind. A call that waits for the peer to stop takes SCRIBBLE_MS. */
static long long margin_ns(void)
{
    const int slow = test_iterations(1000, 1) < 1000; /* valgrind divides iteration counts */
    return slow ? 5000000000LL : 2000000000LL;
}

static svipc_channel *volatile last_opened; /* reachable from a forked child under valgrind */

static svipc_channel *create_channel(const char *name, uint64_t payload, uint32_t buffers, uint32_t flags)
{
    svipc_channel *ch = NULL;
    int rc = svipc_channel_open(name, SVIPC_CHANNEL_TYPE_BYTES, payload, buffers, SVIPC_CREATE | flags,
                                SVIPC_MODE_DEFAULT, &ch);
    ck_assert_msg(rc == 0, "open %s: %d %s", name, rc, svipc_last_error_message());
    last_opened = ch;
    return ch;
}

/* A channel of PAYLOAD-byte values holding one published value. */
static svipc_channel *create_with_a_value(const char *name)
{
    svipc_channel *ch = create_channel(name, PAYLOAD, BUFFERS, 0);
    const uint64_t value[3] = {1, 2, 3};
    ck_assert_int_eq(svipc_channel_publish(ch, value, PAYLOAD, NULL), 0);
    return ch;
}

static void remove_and_close(svipc_channel *ch)
{
    ck_assert_int_eq(svipc_channel_remove(ch), 0);
    svipc_channel_close(ch);
}

static int open_existing(const char *name, svipc_channel **ch)
{
    *ch = NULL;
    return svipc_channel_open(name, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, SVIPC_MODE_DEFAULT, ch);
}

static uint64_t slot_stride(uint64_t payload)
{
    return SLOT_HEADER + (payload + 63) / 64 * 64;
}

/* ---- guarded caller buffers -------------------------------------------- */

struct guarded {
    unsigned char *block; /* GUARD | size bytes | GUARD */
    size_t size;
};

static struct guarded guarded_new(size_t size)
{
    struct guarded g = {malloc(size + 2 * GUARD), size};
    ck_assert_ptr_nonnull(g.block);
    memset(g.block, GUARD_BYTE, size + 2 * GUARD);
    return g;
}

static void *guarded_ptr(struct guarded *g)
{
    return g->block + GUARD;
}

static int guards_intact(const struct guarded *g)
{
    for (size_t i = 0; i < GUARD; i++)
        if (g->block[i] != GUARD_BYTE || g->block[GUARD + g->size + i] != GUARD_BYTE)
            return 0;
    return 1;
}

static void guarded_free(struct guarded *g)
{
    free(g->block);
    g->block = NULL;
}

/* ---- the scribbler ----------------------------------------------------- */

struct scribble_plan {
    int32_t shm_id;
    uint64_t size;
    uint64_t slot_stride;
    uint32_t buffers;
    int only_latest; /* 1: keep moving `latest` only (the overtaking-writer defect) */
    long long run_ns;
};

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Values a hostile peer would pick: limits, near-overflow sizes, small
 * counts, odd and even versions. */
static uint64_t interesting(uint64_t r)
{
    static const uint64_t values[] = {
        0, 1, 2, 3, 4, 5, 63, 64, 65, 192, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL, 1ULL << 32,
        1ULL << 40, (1ULL << 40) + 1, 1ULL << 62, (1ULL << 62) + 64, 1ULL << 63, UINT64_MAX - 1, UINT64_MAX,
    };
    return values[r % (sizeof values / sizeof values[0])];
}

/* Runs in a child: overwrite the segment at random until killed (or
 * run_ns has passed). */
static int scribble(void *arg)
{
    const struct scribble_plan *plan = arg;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives a test process that died */
    svipc_shm *shm = NULL;
    void *addr = NULL;
    if (svipc_shm_open_id(plan->shm_id, &shm) != 0 || svipc_shm_attach(shm, NULL, 0, &addr) != 0)
        return 2;
    struct raw_segment raw = {shm, addr, plan->size};
    uint64_t state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    const long long end = proc_now_ns() + plan->run_ns;
    uint64_t latest = 1;
    for (unsigned long i = 0; proc_now_ns() < end; i++) {
        const uint64_t r = next_random(&state);
        if (plan->only_latest) {
            /* `latest` keeps moving (flat out, as a fast publisher would)
             * and never matches its slot's version. */
            put64(&raw, OFF_LATEST, latest += 1 + (r & 7));
            continue;
        }
        const uint64_t value = (r >> 60) < 6 ? interesting(r >> 8) : next_random(&state);
        switch (r & 7) {
        case 0: { /* any identity field */
            static const unsigned fields[] = {OFF_INIT_STATE, OFF_MAGIC,        OFF_LAYOUT_VERSION, OFF_ELEMENT_TYPE,
                                              OFF_PAYLOAD_SIZE, OFF_BUFFER_NUM, OFF_WRITER_SEMID,   OFF_HEADER_SIZE,
                                              OFF_SLOT_STRIDE};
            const unsigned field = fields[(r >> 3) % (sizeof fields / sizeof fields[0])];
            if (field == OFF_PAYLOAD_SIZE || field == OFF_HEADER_SIZE || field == OFF_SLOT_STRIDE)
                put64(&raw, field, value);
            else
                put32(&raw, field, (uint32_t)value);
            break;
        }
        case 1:
        case 2: /* latest: a random or interesting value, or one whose slot is consistent */
            put64(&raw, OFF_LATEST, (r & 8) ? value : latest++);
            break;
        case 3: /* the wake word and the sleeper count, the pin and claim masks */
            if (r & 16)
                put64(&raw, (r & 8) ? OFF_PINNED_MASK : OFF_CLAIMED_MASK, value);
            else
                put32(&raw, (r & 8) ? OFF_WAKE_WORD : OFF_SLEEPERS, (uint32_t)value);
            break;
        case 4:
        case 5: { /* a slot's version: odd, even, matching `latest` or not */
            const uint64_t slot = (r >> 3) % plan->buffers;
            const uint64_t offset = HEADER_SIZE + slot * plan->slot_stride;
            const uint64_t current = get64(&raw, OFF_LATEST);
            put64(&raw, offset, (r & 16) ? 2 * current : (r & 32) ? 2 * current - 1 : value);
            put64(&raw, offset + 8, value); /* publish time */
            break;
        }
        default: /* any aligned word of the segment, payloads included */
            put64(&raw, ((r >> 3) % (plan->size / 8)) * 8, value);
            break;
        }
        if ((i & 1023) == 0)
            usleep(50); /* let the readers' process run on a busy machine */
    }
    svipc_shm_close(shm);
    return 0;
}

static pid_t start_scribbler(struct scribble_plan *plan)
{
    pid_t pid = proc_spawn(scribble, plan);
    ck_assert_int_gt(pid, 0);
    return pid;
}

static void stop_scribbler(pid_t pid)
{
    kill(pid, SIGKILL);
    proc_wait(pid, 10000);
}

/* ---- open: a corrupt header is refused, whatever its numbers --------- */

struct header_damage {
    const char *what;
    uint64_t payload_size;
    uint64_t slot_stride;
    uint32_t buffer_num;
    uint64_t header_size;
};

START_TEST(open_refuses_headers_whose_sizes_overflow_or_do_not_fit)
{
    const struct header_damage damages[] = {
        /* stride * 4 wraps to 256 bytes: passed the old size check, then stat crashed */
        {"payload and stride near 2^62", 1ULL << 62, (1ULL << 62) + 64, 4, HEADER_SIZE},
        /* slot_stride(2^64-1) wraps to 64 */
        {"payload 2^64-1, small stride", UINT64_MAX, 64, BUFFERS, HEADER_SIZE},
        {"payload 0", 0, 64, BUFFERS, HEADER_SIZE},
        {"payload above 1 TiB", (1ULL << 40) + 1, 64 + (1ULL << 40) + 64, 1, HEADER_SIZE},
        {"stride not the payload's", PAYLOAD, 64, BUFFERS, HEADER_SIZE},
        {"no buffers", PAYLOAD, 128, 0, HEADER_SIZE},
        {"more buffers than the segment holds", PAYLOAD, 128, BUFFERS + 1, HEADER_SIZE},
        {"more buffers than allowed", PAYLOAD, 128, SVIPC_CHANNEL_MAX_BUFFERS + 1, HEADER_SIZE},
        {"another header size", PAYLOAD, 128, BUFFERS, HEADER_SIZE + 64},
        {"header size near 2^64", PAYLOAD, 128, BUFFERS, UINT64_MAX - 64},
    };
    for (size_t i = 0; i < sizeof damages / sizeof damages[0]; i++) {
        svipc_channel *ch = create_with_a_value("sizes");
        struct raw_segment raw = attach_raw(ch);
        put64(&raw, OFF_PAYLOAD_SIZE, damages[i].payload_size);
        put64(&raw, OFF_SLOT_STRIDE, damages[i].slot_stride);
        put32(&raw, OFF_BUFFER_NUM, damages[i].buffer_num);
        put64(&raw, OFF_HEADER_SIZE, damages[i].header_size);
        put64(&raw, OFF_LATEST, 1);

        svipc_channel *other = NULL;
        int rc = open_existing("sizes", &other);
        ck_assert_msg(rc == -EPROTO, "%s: open gave %d (%s)", damages[i].what, rc, svipc_last_error_message());
        ck_assert_ptr_null(other);
        ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "inconsistent header"));

        /* The admin probe validates the same way: nothing from the bad
         * header is reported, and nothing outside the segment is read. */
        svipc_channel_info info;
        svipc_channel_info mine;
        ck_assert_int_eq(svipc_channel_stat(ch, &mine), 0);
        ck_assert_int_eq(svipc_admin_channel_stat(mine.shm_id, &info), 0);
        ck_assert_msg(info.payload_size == 0 && info.buffer_num == 0 && info.sem_id == -1,
                      "%s: probe reported payload %llu, %u buffers", damages[i].what,
                      (unsigned long long)info.payload_size, info.buffer_num);

        /* The handle opened before the damage keeps its validated bounds. */
        ck_assert_uint_eq(mine.payload_size, PAYLOAD);
        ck_assert_uint_eq(mine.buffer_num, BUFFERS);
        detach_raw(&raw);
        remove_and_close(ch);
    }
}
END_TEST

/* What a hostile peer writes into the description (name and schema) of a
 * channel named "described" with schema "<f8" before another process opens it. */
enum description_damage {
    NAME_LENGTH_ABOVE_MAX,
    NAME_LENGTH_HUGE,
    NAME_WITHOUT_NUL,
    NAME_WITH_NUL_INSIDE,
    SCHEMA_LENGTH_ZERO,
    SCHEMA_LENGTH_ABOVE_MAX,
    SCHEMA_LENGTH_HUGE,
    SCHEMA_WITHOUT_NUL,
    SCHEMA_NOT_PRINTABLE,
    SCHEMA_HASH_WRONG,
    DESCRIPTION_DAMAGES
};

static void damage_description(struct raw_segment *raw, enum description_damage damage)
{
    switch (damage) {
    case NAME_LENGTH_ABOVE_MAX:
        put32(raw, OFF_NAME_LENGTH, SVIPC_CHANNEL_NAME_MAX + 1);
        break;
    case NAME_LENGTH_HUGE:
        put32(raw, OFF_NAME_LENGTH, UINT32_MAX);
        break;
    case NAME_WITHOUT_NUL: /* every byte of the field set, length at the maximum */
        memset(raw->base + OFF_NAME, 'n', SVIPC_CHANNEL_NAME_MAX + 1);
        put32(raw, OFF_NAME_LENGTH, SVIPC_CHANNEL_NAME_MAX);
        break;
    case NAME_WITH_NUL_INSIDE:
        raw->base[OFF_NAME + 3] = 0;
        break;
    case SCHEMA_LENGTH_ZERO:
        put32(raw, OFF_SCHEMA_LENGTH, 0);
        break;
    case SCHEMA_LENGTH_ABOVE_MAX:
        put32(raw, OFF_SCHEMA_LENGTH, SVIPC_CHANNEL_SCHEMA_MAX + 1);
        break;
    case SCHEMA_LENGTH_HUGE:
        put32(raw, OFF_SCHEMA_LENGTH, UINT32_MAX);
        break;
    case SCHEMA_WITHOUT_NUL:
        memset(raw->base + OFF_SCHEMA, 'f', SVIPC_CHANNEL_SCHEMA_MAX + 1);
        put32(raw, OFF_SCHEMA_LENGTH, SVIPC_CHANNEL_SCHEMA_MAX);
        break;
    case SCHEMA_NOT_PRINTABLE: /* an escape sequence for whoever prints it */
        raw->base[OFF_SCHEMA] = 0x1b;
        break;
    case SCHEMA_HASH_WRONG:
        put64(raw, OFF_SCHEMA_HASH, get64(raw, OFF_SCHEMA_HASH) ^ 1);
        break;
    case DESCRIPTION_DAMAGES:
        break;
    }
}

START_TEST(open_refuses_a_description_with_bad_lengths_terminators_bytes_or_hash)
{
    for (int damage = 0; damage < DESCRIPTION_DAMAGES; damage++) {
        svipc_channel *ch = NULL;
        ck_assert_int_eq(svipc_channel_open_schema("described", SVIPC_CHANNEL_TYPE_FLOAT64, "<f8", 8, 0, SVIPC_CREATE,
                                                   SVIPC_MODE_DEFAULT, &ch),
                         0);
        struct raw_segment raw = attach_raw(ch);
        damage_description(&raw, (enum description_damage)damage);

        svipc_channel *other = NULL;
        int rc = open_existing("described", &other);
        ck_assert_msg(rc == -EPROTO, "damage %d: open gave %d (%s)", damage, rc, svipc_last_error_message());
        ck_assert_ptr_null(other);
        ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "inconsistent header"));

        /* The admin calls validate the same way: no name or schema from it. */
        svipc_channel_info mine, info;
        ck_assert_int_eq(svipc_channel_stat(ch, &mine), 0);
        ck_assert_int_eq(svipc_admin_channel_stat(mine.shm_id, &info), 0);
        ck_assert_uint_eq(info.payload_size, 0);
        ck_assert_uint_eq(info.schema_hash, 0);
        char name[SVIPC_CHANNEL_NAME_MAX + 1], schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
        ck_assert_int_eq(svipc_admin_channel_describe(mine.shm_id, name, sizeof name, schema, sizeof schema),
                         -EPROTO);

        /* The handle opened before the damage keeps its validated copies. */
        ck_assert_int_eq(svipc_channel_name(ch, name, sizeof name), 9);
        ck_assert_str_eq(name, "described");
        ck_assert_int_eq(svipc_channel_schema(ch, schema, sizeof schema), 3);
        ck_assert_str_eq(schema, "<f8");
        detach_raw(&raw);
        remove_and_close(ch);
    }
}
END_TEST

START_TEST(open_refuses_a_writer_lock_id_naming_another_semaphore_set)
{
    svipc_channel *ch = create_channel("semid", PAYLOAD, BUFFERS, 0);
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);

    /* Sets that are not a channel writer lock: a keyed one, and a private
     * one with three semaphores. */
    svipc_sem *keyed = NULL;
    svipc_sem *three = NULL;
    ck_assert_int_eq(svipc_sem_open(0x5e1d0001, 1, SVIPC_CREATE, 0600, NULL, 0, &keyed), 0);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 3, SVIPC_CREATE, 0600, NULL, 0, &three), 0);
    struct raw_segment raw = attach_raw(ch);
    const int32_t foreign[] = {svipc_sem_id(keyed), svipc_sem_id(three)};
    for (size_t i = 0; i < 2; i++) {
        put32(&raw, OFF_WRITER_SEMID, (uint32_t)foreign[i]);
        svipc_channel *other = NULL;
        ck_assert_int_eq(open_existing("semid", &other), -EPROTO);
        ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "writer lock"));
        /* remove by name leaves everything alone rather than removing the foreign set */
        ck_assert_int_eq(svipc_channel_remove_name("semid"), -EPROTO);
        svipc_sem_info sem_info;
        ck_assert_int_eq(svipc_sem_stat_id(foreign[i], &sem_info), 0);
        svipc_channel_info probed;
        ck_assert_int_eq(svipc_admin_channel_stat(info.shm_id, &probed), 0);
        ck_assert_int_eq(probed.sem_id, -1);
    }
    /* A set that no longer exists. */
    put32(&raw, OFF_WRITER_SEMID, 0x7ffffff0);
    svipc_channel *other = NULL;
    ck_assert_int_eq(open_existing("semid", &other), -EIDRM);

    /* Repaired, the channel opens again and removal takes its own lock. */
    put32(&raw, OFF_WRITER_SEMID, (uint32_t)info.sem_id);
    ck_assert_int_eq(open_existing("semid", &other), 0);
    svipc_channel_close(other);
    detach_raw(&raw);
    ck_assert_int_eq(svipc_sem_remove(keyed), 0);
    ck_assert_int_eq(svipc_sem_remove(three), 0);
    svipc_sem_close(keyed);
    svipc_sem_close(three);
    remove_and_close(ch);
}
END_TEST

START_TEST(reset_init_word_on_an_initialised_header_is_not_initialised_again)
{
    svipc_channel *ch = create_with_a_value("reinit");
    struct raw_segment raw = attach_raw(ch);
    put32(&raw, OFF_INIT_STATE, 0);
    svipc_channel *other = NULL;
    const int rc = svipc_channel_open("reinit", SVIPC_CHANNEL_TYPE_BYTES, PAYLOAD, BUFFERS, SVIPC_CREATE,
                                      SVIPC_MODE_DEFAULT, &other);
    ck_assert_msg(rc == -EPROTO, "open gave %d (%s)", rc, svipc_last_error_message());
    ck_assert_uint_eq(get64(&raw, OFF_LATEST), 1); /* the channel was not reset */
    svipc_sem_info sems[4];
    ck_assert_int_eq(svipc_list_sem(sems, 4, 0), 1); /* and no second writer lock was made */
    detach_raw(&raw);
    remove_and_close(ch);
}
END_TEST

/* ---- read_history with `latest` at the top of the range ------------- */

struct history_case {
    int32_t shm_id;
};

static int history_with_latest_at_max(void *arg)
{
    (void)arg;
    svipc_channel *ch = NULL;
    if (open_existing("history", &ch) != 0)
        return 2;
    struct guarded values = guarded_new(2 * PAYLOAD);
    struct guarded infos = guarded_new(2 * sizeof(svipc_channel_read_info));
    uint64_t missed = 0;
    const int got = svipc_channel_read_history(ch, 0, guarded_ptr(&values), 2 * PAYLOAD, guarded_ptr(&infos), 2,
                                               &missed);
    int status = 0;
    if (got < 0 || got > 2)
        status = 3;
    if (!guards_intact(&values) || !guards_intact(&infos))
        status = 4;
    guarded_free(&values);
    guarded_free(&infos);
    svipc_channel_close(ch);
    return status;
}

START_TEST(history_with_latest_at_max_returns_within_the_callers_buffers)
{
    svipc_channel *ch = create_with_a_value("history");
    const uint64_t value[3] = {4, 5, 6};
    ck_assert_int_eq(svipc_channel_publish(ch, value, PAYLOAD, NULL), 0);
    struct raw_segment raw = attach_raw(ch);
    const uint64_t tops[] = {UINT64_MAX, UINT64_MAX - 1, 1ULL << 63};
    for (size_t i = 0; i < sizeof tops / sizeof tops[0]; i++) {
        put64(&raw, OFF_LATEST, tops[i]);
        /* In a child with a bound: the old code never returned. */
        const int status = proc_wait(proc_spawn(history_with_latest_at_max, NULL), 10000);
        ck_assert_msg(status == 0, "latest %llu: history child %s (%d)", (unsigned long long)tops[i],
                      status < 0 ? "did not return" : "failed", status);
    }
    detach_raw(&raw);
    remove_and_close(ch);
}
END_TEST

/* ---- read, wait_read and peek while `latest` keeps moving ----------- */

START_TEST(read_wait_read_and_peek_return_within_their_bound_while_latest_keeps_moving)
{
    svipc_channel *ch = create_with_a_value("overtaken");
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    struct scribble_plan plan = {info.shm_id, info.segment_size, slot_stride(PAYLOAD), BUFFERS, 1,
                                 SCRIBBLE_MS * 1000000LL};
    const pid_t scribbler = start_scribbler(&plan);
    struct raw_segment raw = attach_raw(ch);
    const long long started = proc_now_ns();
    while (get64(&raw, OFF_LATEST) == 1 && proc_now_ns() - started < 10000000000LL)
        usleep(1000); /* until the scribbler runs */
    detach_raw(&raw);

    struct guarded buffer = guarded_new(PAYLOAD);
    svipc_channel_read_info read_info;
    const void *data = NULL;
    const long long wait_timeout = SVIPC_CHANNEL_RETRY_BUDGET_NS / 2; /* ends before the retry budget */
    for (int call = 0; call < 3; call++) {
        const long long start = proc_now_ns();
        int rc;
        long long bound;
        int expected;
        if (call == 0) {
            rc = svipc_channel_read(ch, guarded_ptr(&buffer), PAYLOAD, SVIPC_CHANNEL_ANY_AGE, &read_info);
            bound = SVIPC_CHANNEL_RETRY_BUDGET_NS;
            expected = -EAGAIN;
        } else if (call == 1) {
            rc = svipc_channel_wait_read(ch, guarded_ptr(&buffer), PAYLOAD, wait_timeout, 0, &read_info);
            bound = wait_timeout;
            expected = -ETIMEDOUT;
        } else {
            rc = svipc_channel_peek(ch, SVIPC_CHANNEL_ANY_AGE, &data, &read_info);
            bound = SVIPC_CHANNEL_RETRY_BUDGET_NS;
            expected = -EAGAIN;
        }
        const long long took = proc_now_ns() - start;
        static const char *const names[] = {"read", "wait_read", "peek"};
        ck_assert_msg(took <= bound + margin_ns(), "%s took %lld ms (bound %lld ms)", names[call], took / 1000000,
                      bound / 1000000);
        /* Gave up: -EAGAIN, or -EPROTO if the scribbler was descheduled for
         * the whole budget (then `latest` stood still on an inconsistent
         * slot: a state no publisher leaves behind). */
        ck_assert_msg(rc == expected || (expected == -EAGAIN && rc == -EPROTO), "%s: %d (%s)", names[call], rc,
                      svipc_last_error_message());
        ck_assert(guards_intact(&buffer));
    }
    stop_scribbler(scribbler);
    guarded_free(&buffer);
    remove_and_close(ch);
}
END_TEST

/* ---- everything at once, under a scribbler --------------------------- */

struct call_stats {
    long calls;
    long iterations; /* of the loop: CALL_KINDS make a round */
    long long worst_over_bound_ns;
    const char *worst_call;
};

static void check_call(struct call_stats *stats, const char *what, long long start, long long bound, int ok,
                       int rc)
{
    const long long over = proc_now_ns() - start - bound;
    ck_assert_msg(ok, "%s returned %d (%s)", what, rc, svipc_last_error_message());
    ck_assert_msg(over <= margin_ns(), "%s took %lld ms beyond its bound of %lld ms", what, over / 1000000,
                  bound / 1000000);
    if (over > stats->worst_over_bound_ns) {
        stats->worst_over_bound_ns = over;
        stats->worst_call = what;
    }
    stats->calls++;
}

#define CALL_KINDS 13 /* the cases of exercise_every_reader_call */
#define MIN_ROUNDS 4

static int is_read_result(int rc)
{
    return rc == 0 || rc == SVIPC_CHANNEL_STALE || rc == -ENODATA || rc == -EAGAIN || rc == -EPROTO;
}

static void exercise_every_reader_call(const char *name, svipc_channel *ch, svipc_channel *writer, uint64_t payload, uint32_t buffers,
                                       long long run_ns, struct call_stats *stats)
{
    const uint32_t history_max = buffers + 2;
    struct guarded value = guarded_new(payload);
    struct guarded bound_value = guarded_new(payload);
    struct guarded history = guarded_new(history_max * payload);
    struct guarded infos = guarded_new(history_max * sizeof(svipc_channel_read_info));
    struct guarded info = guarded_new(sizeof(svipc_channel_read_info));
    struct guarded bound_info = guarded_new(sizeof(svipc_channel_read_info));
    struct guarded published = guarded_new(payload);
    memset(guarded_ptr(&published), 0x3c, payload);
    const long long timeout = 2000000; /* 2 ms */
    const long long budget = SVIPC_CHANNEL_RETRY_BUDGET_NS;
    ck_assert_int_eq(svipc_channel_bind_read(ch, guarded_ptr(&bound_value), payload, 1000, guarded_ptr(&bound_info)),
                     0);
    svipc_channel_set_spin(ch, 100000);

    /* Run for run_ns, and on a slow run (valgrind, a loaded machine) on
     * until every kind of call has been made a few times. */
    const long long end = proc_now_ns() + run_ns;
    const long long hard_end = end + 30000000000LL;
    uint64_t after = 0;
    for (unsigned i = 0; (proc_now_ns() < end || i < MIN_ROUNDS * CALL_KINDS) && proc_now_ns() < hard_end; i++) {
        long long start = proc_now_ns();
        int rc;
        svipc_channel_read_info *ri = guarded_ptr(&info);
        switch (i % CALL_KINDS) {
        case 0:
            rc = svipc_channel_read(ch, guarded_ptr(&value), payload, (i & 16) ? 1000 : SVIPC_CHANNEL_ANY_AGE, ri);
            check_call(stats, "read", start, budget, is_read_result(rc), rc);
            if (rc >= 0)
                after = ri->sequence;
            break;
        case 1:
            rc = svipc_channel_read_bound(ch);
            check_call(stats, "read_bound", start, budget, is_read_result(rc), rc);
            break;
        case 2:
            rc = svipc_channel_wait(ch, after, timeout, (i & 32) ? SVIPC_CHANNEL_SPIN : 0);
            check_call(stats, "wait", start, timeout, rc == 0 || rc == -ETIMEDOUT, rc);
            break;
        case 3:
            rc = svipc_channel_wait_read(ch, guarded_ptr(&value), payload, (i & 32) ? 0 : timeout,
                                         (i & 64) ? SVIPC_CHANNEL_SPIN : 0, ri);
            check_call(stats, "wait_read", start, (i & 32) ? budget : timeout + budget,
                       is_read_result(rc) || rc == -ETIMEDOUT, rc);
            break;
        case 4: {
            uint64_t missed = 0;
            const uint32_t max_count = 1 + i % history_max;
            /* capacity for fewer values than max_count half of the time */
            const uint64_t capacity = (i & 8) ? history_max * payload : (max_count / 2 + 1) * payload;
            rc = svipc_channel_read_history(ch, (i & 128) ? 0 : after, guarded_ptr(&history), capacity,
                                            guarded_ptr(&infos), max_count, &missed);
            check_call(stats, "read_history", start, 0,
                       rc >= 0 && (uint32_t)rc <= max_count && (uint64_t)rc * payload <= capacity, rc);
            break;
        }
        case 5: {
            const void *data = NULL;
            rc = svipc_channel_peek(ch, SVIPC_CHANNEL_ANY_AGE, &data, ri);
            check_call(stats, "peek", start, budget, is_read_result(rc), rc);
            if (rc >= 0) {
                /* use the data in place, as a caller would */
                volatile unsigned char sink = 0;
                for (uint64_t b = 0; b < payload; b++)
                    sink ^= ((const unsigned char *)data)[b];
                (void)sink;
                start = proc_now_ns();
                rc = svipc_channel_peek_valid(ch, ri->sequence);
                check_call(stats, "peek_valid", start, 0, rc == 0 || rc == 1, rc);
            }
            break;
        }
        case 6: {
            svipc_channel_info stat;
            rc = svipc_channel_stat(ch, &stat);
            check_call(stats, "stat", start, 0,
                       rc == 0 && stat.payload_size == payload && stat.buffer_num == buffers, rc);
            break;
        }
        case 7:
            rc = svipc_channel_publish(writer, guarded_ptr(&published), payload, NULL);
            /* -ENOBUFS: scribbled pin records name every free slot */
            check_call(stats, "publish", start, 0, rc == 0 || rc == -ENOBUFS, rc);
            break;
        case 8: {
            svipc_channel_info stat;
            svipc_channel_info probed;
            ck_assert_int_eq(svipc_channel_stat(ch, &stat), 0);
            start = proc_now_ns();
            rc = svipc_admin_channel_stat(stat.shm_id, &probed);
            check_call(stats, "admin_channel_stat", start, 0,
                       (rc == 0 && (probed.payload_size == 0 || probed.payload_size == payload)) || rc == -EPROTO,
                       rc);
            break;
        }
        case 9:
            /* a new opener sees whatever the header holds now; it may wait
             * for an "initialiser" the scribbler made up */
            if (i % 121 == 9) {
                svipc_channel *other = NULL;
                rc = open_existing(name, &other);
                check_call(stats, "open", start, SVIPC_CHANNEL_INIT_TIMEOUT_NS,
                           rc == 0 || rc == -EPROTO || rc == -EIDRM || rc == -ETIMEDOUT || rc == -EACCES, rc);
                if (rc == 0) {
                    svipc_channel_info stat;
                    ck_assert_int_eq(svipc_channel_stat(other, &stat), 0);
                    svipc_channel_close(other);
                }
            }
            break;
        case 10: {
            /* a pin: the scribbler may have taken every record (-EUSERS) */
            const void *data = NULL;
            rc = svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &data, ri);
            check_call(stats, "acquire", start, budget, is_read_result(rc) || rc == -EUSERS, rc);
            if (rc >= 0) {
                volatile unsigned char sink = 0;
                for (uint64_t b = 0; b < payload; b++)
                    sink ^= ((const unsigned char *)data)[b];
                (void)sink;
                ck_assert_int_eq(svipc_channel_release(ch), 0);
            }
            break;
        }
        case 11: {
            void *slot = NULL;
            rc = svipc_channel_loan(writer, &slot);
            /* one buffer: no loans (-EINVAL); scribbled pins: -ENOBUFS */
            check_call(stats, "loan", start, 0, rc == 0 || rc == -ENOBUFS || (buffers == 1 && rc == -EINVAL), rc);
            if (rc == 0) {
                memset(slot, (int)i, payload);
                ck_assert_int_eq((i & 1) ? svipc_channel_commit(writer, NULL) : svipc_channel_abandon(writer), 0);
            }
            break;
        }
        default:
            (void)svipc_channel_latest(ch);
            break;
        }
        ck_assert_msg(guards_intact(&value) && guards_intact(&bound_value) && guards_intact(&history) &&
                          guards_intact(&infos) && guards_intact(&info) && guards_intact(&bound_info),
                      "a call wrote outside the caller's buffers (call %u)", i % CALL_KINDS);
        stats->iterations++;
    }
    guarded_free(&value);
    guarded_free(&bound_value);
    guarded_free(&history);
    guarded_free(&infos);
    guarded_free(&info);
    guarded_free(&bound_info);
    guarded_free(&published);
}

static void scribbled_channel_keeps_every_call_safe_and_bounded(const char *name, uint64_t payload, uint32_t buffers)
{
    svipc_channel *ch = create_channel(name, payload, buffers, 0);
    svipc_channel *writer = create_channel(name, payload, buffers, SVIPC_CHANNEL_SHARED_WRITER);
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    const long long run_ns = test_iterations(2000, 1000) * 1000000LL;
    struct scribble_plan plan = {info.shm_id, info.segment_size, slot_stride(payload), buffers, 0,
                                 run_ns + 30000000000LL};
    const pid_t scribbler = start_scribbler(&plan);
    struct call_stats stats = {0, 0, 0, "none"};
    exercise_every_reader_call(name, ch, writer, payload, buffers, run_ns, &stats);
    stop_scribbler(scribbler);
    printf("scribbled channel (%llu B x %u): %ld calls, worst %lld us beyond a call's bound (%s)\n",
           (unsigned long long)payload, buffers, stats.calls, stats.worst_over_bound_ns / 1000, stats.worst_call);
    ck_assert_int_ge(stats.iterations, MIN_ROUNDS * CALL_KINDS);
    svipc_channel_close(writer);
    remove_and_close(ch);
}

START_TEST(scribbled_ring_keeps_every_call_safe_and_bounded)
{
    scribbled_channel_keeps_every_call_safe_and_bounded("scribbled-ring", PAYLOAD, BUFFERS);
}
END_TEST

START_TEST(scribbled_single_slot_keeps_every_call_safe_and_bounded)
{
    scribbled_channel_keeps_every_call_safe_and_bounded("scribbled-slot", 200, 1);
}
END_TEST

/* ---- waits end by their timeout whatever the wake word holds ----------- */

START_TEST(wait_ends_by_its_timeout_while_the_wake_word_and_sleepers_churn)
{
    svipc_channel *ch = create_channel("churn", PAYLOAD, BUFFERS, 0);
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    /* A scribbler that leaves `latest` at 0 (so nothing is ever newer) but
     * churns the wake word and the sleeper count. */
    struct raw_segment raw = attach_raw(ch);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (uint32_t i = 0;; i++) {
            put32(&raw, OFF_WAKE_WORD, i);
            put32(&raw, OFF_SLEEPERS, i * 2654435761u);
        }
    }
    const long long timeouts[] = {1000000, 30000000, 100000000};
    for (size_t i = 0; i < 3; i++) {
        const long long start = proc_now_ns();
        const int rc = svipc_channel_wait(ch, 0, timeouts[i], 0);
        const long long took = proc_now_ns() - start;
        ck_assert_int_eq(rc, -ETIMEDOUT);
        ck_assert_int_ge(took, timeouts[i]);
        ck_assert_msg(took <= timeouts[i] + margin_ns(), "wait of %lld ms took %lld ms", timeouts[i] / 1000000,
                      took / 1000000);
    }
    kill(pid, SIGKILL);
    proc_wait(pid, 10000);
    detach_raw(&raw);
    remove_and_close(ch);
}
END_TEST

HARNESS_SUITE("channel_hostile")
{
    HARNESS_CASE("open", 60, open_refuses_headers_whose_sizes_overflow_or_do_not_fit,
                 open_refuses_a_description_with_bad_lengths_terminators_bytes_or_hash,
                 open_refuses_a_writer_lock_id_naming_another_semaphore_set,
                 reset_init_word_on_an_initialised_header_is_not_initialised_again);
    HARNESS_CASE("scribbled", 120, history_with_latest_at_max_returns_within_the_callers_buffers,
                 read_wait_read_and_peek_return_within_their_bound_while_latest_keeps_moving,
                 wait_ends_by_its_timeout_while_the_wake_word_and_sleepers_churn,
                 scribbled_ring_keeps_every_call_safe_and_bounded,
                 scribbled_single_slot_keeps_every_call_safe_and_bounded);
}
