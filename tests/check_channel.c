/* Channels: one test per behaviour of include/svipc/channel.h, with real
 * processes for everything that crosses a process boundary. */
#include <svipc/svipc.h>

#include "harness.h"
#include "ipcns.h"
#include "proc_util.h"
#include "raw_channel.h"
#include "signal_timer.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHILD_TIMEOUT_MS 60000
#define TORN_TEST_READS 1000000L

/* The shared layout, mirrored here only to look inside a slot after a
 * SIGKILL (lib/channel/layout.hpp is the truth). */

/* The handle a test opened last, kept in a static so that a forked child
 * (under valgrind, CK_FORK=no) still finds a pointer to the parent's handle
 * and does not report it as leaked when it exits. */
static svipc_channel *volatile last_opened; /* volatile: the store must not be optimised away */

static svipc_channel *open_named(const char *name, uint32_t type, uint64_t size, uint32_t buffers, uint32_t flags)
{
    svipc_channel *ch = NULL;
    int rc = svipc_channel_open(name, type, size, buffers, flags, SVIPC_MODE_DEFAULT, &ch);
    ck_assert_msg(rc == 0, "open %s: %d %s", name, rc, svipc_last_error_message());
    last_opened = ch;
    return ch;
}

static svipc_channel *create_bytes(const char *name, uint64_t size, uint32_t buffers)
{
    return open_named(name, SVIPC_CHANNEL_TYPE_BYTES, size, buffers, SVIPC_CREATE);
}

static void remove_and_close(svipc_channel *ch)
{
    ck_assert_int_eq(svipc_channel_remove(ch), 0);
    svipc_channel_close(ch);
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int lines = 0, c;
    while ((c = fgetc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    return lines - 1; /* header line */
}

/* ---- a self-checking payload ---------------------------------------------
 * words[0] = sequence the writer believes it publishes, words[1] = writer id,
 * words[2..n-2] = a pattern derived from both, words[n-1] = checksum of all
 * others. Any mix of two values fails the checksum. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void fill_payload(uint64_t *words, size_t n, uint64_t counter, uint64_t writer)
{
    uint64_t sum = 0;
    words[0] = counter;
    words[1] = writer;
    for (size_t i = 2; i + 1 < n; i++)
        words[i] = mix(counter * 131 + writer * 7 + i);
    for (size_t i = 0; i + 1 < n; i++)
        sum = sum * 31 + words[i];
    words[n - 1] = sum;
}

static int payload_ok(const uint64_t *words, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 1 < n; i++)
        sum = sum * 31 + words[i];
    if (sum != words[n - 1])
        return 0;
    for (size_t i = 2; i + 1 < n; i++)
        if (words[i] != mix(words[0] * 131 + words[1] * 7 + i))
            return 0;
    return 1;
}

/* ---- open / header ---------------------------------------------------- */

START_TEST(open_create_initialises_header_once_and_stat_reports_it)
{
    svipc_channel *a = open_named("stat", SVIPC_CHANNEL_TYPE_FLOAT64, 8, 0, SVIPC_CREATE);
    svipc_channel *b = open_named("stat", SVIPC_CHANNEL_TYPE_FLOAT64, 8, 0, SVIPC_CREATE);
    svipc_channel_info ia, ib;
    ck_assert_int_eq(svipc_channel_stat(a, &ia), 0);
    ck_assert_int_eq(svipc_channel_stat(b, &ib), 0);
    int32_t key;
    ck_assert_int_eq(svipc_key_from_name("stat", &key), 0);
    ck_assert_int_eq(ia.key, key);
    ck_assert_int_eq(ia.shm_id, ib.shm_id);
    ck_assert_int_eq(ia.sem_id, ib.sem_id);
    ck_assert_uint_eq(ia.type, SVIPC_CHANNEL_TYPE_FLOAT64);
    ck_assert_uint_eq(ia.payload_size, 8);
    ck_assert_uint_eq(ia.buffer_num, SVIPC_CHANNEL_DEFAULT_BUFFERS);
    ck_assert_uint_eq(ia.layout_version, 4);
    ck_assert_uint_eq(ia.attached, 2); /* a and b */
    ck_assert_int_gt(ia.created_time_ns, 0);
    ck_assert_int_eq(ia.created_time_ns, ib.created_time_ns);
    ck_assert_uint_eq(ia.schema_hash, ib.schema_hash);
    ck_assert_uint_eq(ia.latest_sequence, 0);
    ck_assert_int_eq(ia.writer_pid, 0);
    ck_assert_uint_eq(svipc_channel_payload_size(a), 8);
    svipc_shm_info shm;
    ck_assert_int_eq(svipc_shm_stat_id(ia.shm_id, &shm), 0);
    ck_assert_uint_eq(shm.mode, 0600);
    ck_assert_uint_eq(shm.size, ia.segment_size);
    ck_assert_int_eq(count_lines("/proc/sysvipc/sem"), 1); /* one writer lock, made once */
    svipc_channel_close(b);
    remove_and_close(a);
}
END_TEST

START_TEST(read_before_first_publish_is_enodata_and_keeps_default)
{
    svipc_channel *ch = open_named("empty", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int64_t value = 42;
    svipc_channel_read_info info = {7, 7, 7, 7};
    ck_assert_int_eq(svipc_channel_read(ch, &value, sizeof value, SVIPC_CHANNEL_ANY_AGE, &info), -ENODATA);
    ck_assert_int_eq(value, 42);
    ck_assert_uint_eq(info.sequence, 7); /* untouched on failure */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "nothing has been published"));
    ck_assert_uint_eq(svipc_channel_latest(ch), 0);
    remove_and_close(ch);
}
END_TEST

START_TEST(open_missing_without_create_is_enoent)
{
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open("nobody", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &ch), -ENOENT);
    ck_assert_ptr_null(ch);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "channel 'nobody'"));
    ck_assert_int_eq(svipc_channel_remove_name("nobody"), -ENOENT);
}
END_TEST

START_TEST(open_with_other_size_type_or_buffer_count_is_einval)
{
    svipc_channel *ch = open_named("shape", SVIPC_CHANNEL_TYPE_INT64, 8, 4, SVIPC_CREATE);
    svipc_channel *other = NULL;
    ck_assert_int_eq(svipc_channel_open("shape", SVIPC_CHANNEL_TYPE_INT64, 16, 0, SVIPC_CREATE, 0, &other), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "values of 8 bytes, not 16"));
    ck_assert_int_eq(svipc_channel_open("shape", SVIPC_CHANNEL_TYPE_FLOAT64, 8, 0, 0, 0, &other), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "holds int64, not float64"));
    ck_assert_int_eq(svipc_channel_open("shape", SVIPC_CHANNEL_TYPE_INT64, 8, 3, 0, 0, &other), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "has 4 buffers, not 3"));
    ck_assert_ptr_null(other);
    /* 0 / ANY accept what is there. */
    ck_assert_int_eq(svipc_channel_open("shape", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &other), 0);
    ck_assert_uint_eq(svipc_channel_payload_size(other), 8);
    svipc_channel_close(other);
    remove_and_close(ch);
}
END_TEST

START_TEST(open_segment_that_is_not_a_channel_is_eproto)
{
    int32_t key;
    ck_assert_int_eq(svipc_key_from_name("foreign", &key), 0);
    svipc_shm *shm = NULL;
    void *addr = NULL;
    ck_assert_int_eq(svipc_shm_open(key, 4096, SVIPC_CREATE, 0, &shm), 0);
    ck_assert_int_eq(svipc_shm_attach(shm, NULL, 0, &addr), 0);
    memset(addr, 0xa5, 4096);
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open("foreign", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &ch), -EPROTO);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "not a svipc channel"));
    ck_assert_int_eq(svipc_channel_remove_name("foreign"), -EPROTO);
    ck_assert_uint_eq(((unsigned char *)addr)[100], 0xa5); /* left alone */
    ck_assert_int_eq(svipc_shm_remove(shm), 0);
    svipc_shm_close(shm);

    /* A segment too small for a header. */
    ck_assert_int_eq(svipc_shm_open(key, 16, SVIPC_CREATE, 0, &shm), 0);
    ck_assert_int_eq(svipc_channel_open("foreign", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &ch), -EPROTO);
    ck_assert_int_eq(svipc_shm_remove(shm), 0);
    svipc_shm_close(shm);
}
END_TEST

START_TEST(open_exclusive_existing_is_eexist)
{
    svipc_channel *ch = open_named("excl", SVIPC_CHANNEL_TYPE_BOOL, 1, 0, SVIPC_CREATE | SVIPC_EXCLUSIVE);
    svipc_channel *other = (svipc_channel *)0x1;
    ck_assert_int_eq(svipc_channel_open("excl", SVIPC_CHANNEL_TYPE_BOOL, 1, 0, SVIPC_CREATE | SVIPC_EXCLUSIVE, 0,
                                        &other),
                     -EEXIST);
    ck_assert_ptr_eq(other, (svipc_channel *)0x1);
    remove_and_close(ch);
}
END_TEST

START_TEST(open_bad_arguments_are_einval)
{
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open(NULL, 0, 8, 0, SVIPC_CREATE, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("", 0, 8, 0, SVIPC_CREATE, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 8, 0, SVIPC_CREATE, 0, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 8, 0, SVIPC_CREATE | 0x4, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 8, 0, SVIPC_CREATE, 01000, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 8, SVIPC_CHANNEL_MAX_BUFFERS + 1, SVIPC_CREATE, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", SVIPC_CHANNEL_TYPE_ANY, 8, 0, SVIPC_CREATE, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 0, 0, SVIPC_CREATE, 0, &ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_open("x", 0, 8, 0, SVIPC_EXCLUSIVE, 0, &ch), -EINVAL);
    ck_assert_ptr_null(ch);
    ck_assert_ptr_null(svipc_channel_close(NULL));
    ck_assert_int_eq(svipc_channel_publish(NULL, "x", 1, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_read(NULL, &ch, 8, -1, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_wait(NULL, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_channel_remove(NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_remove_name(""), -EINVAL);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

static int open_and_publish_child(void *arg)
{
    (void)arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open("race", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE | SVIPC_CHANNEL_SHARED_WRITER, 0,
                           &ch) != 0)
        return 1;
    int64_t v = getpid();
    int rc = svipc_channel_publish(ch, &v, sizeof v, NULL);
    svipc_channel_close(ch);
    return rc == 0 ? 0 : 2;
}

START_TEST(concurrent_openers_initialise_exactly_once)
{
    enum { openers = 8 };
    pid_t pids[openers];
    for (int i = 0; i < openers; i++)
        pids[i] = proc_spawn(open_and_publish_child, NULL);
    for (int i = 0; i < openers; i++)
        ck_assert_int_eq(proc_wait(pids[i], CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(count_lines("/proc/sysvipc/shm"), 1);
    ck_assert_int_eq(count_lines("/proc/sysvipc/sem"), 1);
    svipc_channel *ch = open_named("race", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0);
    ck_assert_uint_eq(svipc_channel_latest(ch), openers); /* no value lost: one header, one lock */
    remove_and_close(ch);
}
END_TEST

/* Build a segment by hand whose init word says "pid P is initialising". */
static svipc_shm *half_initialised(const char *name, pid_t initialiser)
{
    int32_t key;
    ck_assert_int_eq(svipc_key_from_name(name, &key), 0);
    svipc_shm *shm = NULL;
    void *addr = NULL;
    ck_assert_int_eq(svipc_shm_open(key, 4096, SVIPC_CREATE, 0, &shm), 0);
    ck_assert_int_eq(svipc_shm_attach(shm, NULL, 0, &addr), 0);
    *(volatile uint32_t *)addr = ((uint32_t)initialiser << 2) | 1u;
    return shm;
}

static int exit_at_once(void *arg)
{
    (void)arg;
    return 0;
}

START_TEST(dead_initialiser_is_taken_over_and_live_one_times_out)
{
    pid_t dead = proc_spawn(exit_at_once, NULL);
    ck_assert_int_eq(proc_wait(dead, CHILD_TIMEOUT_MS), 0);
    svipc_shm *shm = half_initialised("orphan", dead);
    svipc_channel *ch = open_named("orphan", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int64_t v = 5, out = 0;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_read(ch, &out, 8, -1, NULL), 0);
    ck_assert_int_eq(out, 5);
    remove_and_close(ch);
    svipc_shm_close(shm);

    /* An initialiser that is alive (us) but never finishes: bounded wait. */
    shm = half_initialised("stuck", getpid());
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_channel_open("stuck", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &ch), -ETIMEDOUT);
    assert_elapsed_between(proc_now_ns() - start, SVIPC_CHANNEL_INIT_TIMEOUT_NS, 10 * SVIPC_CHANNEL_INIT_TIMEOUT_NS);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "still being initialised by pid"));
    ck_assert_int_eq(svipc_shm_remove(shm), 0);
    svipc_shm_close(shm);
}
END_TEST

/* ---- publish / read --------------------------------------------------- */

START_TEST(publish_then_read_returns_value_sequence_and_time)
{
    svipc_channel *ch = create_bytes("basic", 64, 0);
    unsigned char in[64], out[64];
    memset(in, 0x11, sizeof in);
    uint64_t seq = 0;
    long long before = svipc_channel_now_ns();
    ck_assert_int_eq(svipc_channel_publish(ch, in, sizeof in, &seq), 0);
    ck_assert_uint_eq(seq, 1);
    svipc_channel_read_info info;
    ck_assert_int_eq(svipc_channel_read(ch, out, sizeof out, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_mem_eq(in, out, sizeof in);
    ck_assert_uint_eq(info.sequence, 1);
    ck_assert_int_ge(info.publish_time_ns, before);
    ck_assert_int_le(info.publish_time_ns, svipc_channel_now_ns());
    ck_assert_uint_eq(info.missed, 0);
    for (int i = 2; i <= 10; i++) {
        memset(in, i, sizeof in);
        ck_assert_int_eq(svipc_channel_publish(ch, in, sizeof in, &seq), 0);
        ck_assert_uint_eq(seq, (uint64_t)i);
    }
    ck_assert_int_eq(svipc_channel_read(ch, out, sizeof out, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_mem_eq(in, out, sizeof in);
    ck_assert_uint_eq(info.sequence, 10);
    ck_assert_uint_eq(info.missed, 8); /* 2..9 never returned to this handle */
    ck_assert_uint_eq(svipc_channel_latest(ch), 10);
    svipc_channel_info st;
    ck_assert_int_eq(svipc_channel_stat(ch, &st), 0);
    ck_assert_int_eq(st.writer_pid, getpid()); /* exclusive writer keeps the lock */
    ck_assert_int_eq(st.latest_publish_time_ns, info.publish_time_ns);
    remove_and_close(ch);
}
END_TEST

START_TEST(publish_wrong_size_and_small_read_buffer_are_einval)
{
    svipc_channel *ch = create_bytes("sizes", 64, 0);
    unsigned char buf[64] = {0};
    ck_assert_int_eq(svipc_channel_publish(ch, buf, 63, NULL), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "64 bytes, not 63"));
    ck_assert_int_eq(svipc_channel_publish(ch, NULL, 64, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_publish(ch, buf, 64, NULL), 0);
    ck_assert_int_eq(svipc_channel_read(ch, buf, 32, -1, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_read(ch, NULL, 64, -1, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_read(ch, buf, 64, -1, NULL), 0); /* info optional */
    remove_and_close(ch);
}
END_TEST

START_TEST(bound_publish_publishes_the_bound_source)
{
    svipc_channel *ch = open_named("bound-pub", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int64_t source = 7, out = -1;
    ck_assert_int_eq(svipc_channel_publish_bound(ch), -EINVAL); /* nothing bound yet */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "svipc_channel_bind_publish"));
    ck_assert_int_eq(svipc_channel_bind_publish(ch, NULL, 8), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_publish(ch, &source, 4), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_publish(NULL, &source, 8), -EINVAL);
    ck_assert_int_eq(svipc_channel_publish_bound(NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_publish(ch, &source, 8), 0);
    ck_assert_int_eq(svipc_channel_publish_bound(ch), 0);
    source = 8; /* the pointer is kept, not a copy: the next publish sends 8 */
    ck_assert_int_eq(svipc_channel_publish_bound(ch), 0);
    ck_assert_uint_eq(svipc_channel_latest(ch), 2);
    ck_assert_int_eq(svipc_channel_read(ch, &out, 8, SVIPC_CHANNEL_ANY_AGE, NULL), 0);
    ck_assert_int_eq(out, 8);
    remove_and_close(ch);
}
END_TEST

START_TEST(bound_read_uses_the_bound_buffer_age_and_info)
{
    svipc_channel *ch = open_named("bound", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int64_t v = 41, out = -1, other = -1;
    svipc_channel_read_info info, other_info;
    ck_assert_int_eq(svipc_channel_read_bound(ch), -EINVAL); /* nothing bound yet */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "svipc_channel_bind_read"));
    ck_assert_int_eq(svipc_channel_bind_read(ch, NULL, 8, -1, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_read(ch, &out, 4, -1, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_read(NULL, &out, 8, -1, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_read_bound(NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_bind_read(ch, &out, 8, 10000000LL, &info), 0);
    ck_assert_int_eq(svipc_channel_read_bound(ch), -ENODATA);
    ck_assert_int_eq(out, -1); /* the default stays */
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_read_bound(ch), 0);
    ck_assert_int_eq(out, 41);
    ck_assert_uint_eq(info.sequence, 1);
    usleep(20000); /* older than the bound 10 ms: stale, still filled */
    v = 42;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_read_bound(ch), 0);
    usleep(20000);
    ck_assert_int_eq(svipc_channel_read_bound(ch), SVIPC_CHANNEL_STALE);
    ck_assert_int_eq(out, 42);
    ck_assert_int_ge(info.age_ns, 20000000LL);
    /* Binding again replaces the destination; the old one is left alone. */
    ck_assert_int_eq(svipc_channel_bind_read(ch, &other, 8, SVIPC_CHANNEL_ANY_AGE, &other_info), 0);
    out = -1;
    ck_assert_int_eq(svipc_channel_read_bound(ch), 0);
    ck_assert_int_eq(other, 42);
    ck_assert_uint_eq(other_info.sequence, 2);
    ck_assert_int_eq(out, -1);
    ck_assert_int_eq(svipc_channel_bind_read(ch, &other, 8, SVIPC_CHANNEL_ANY_AGE, NULL), 0); /* info optional */
    ck_assert_int_eq(svipc_channel_read_bound(ch), 0);
    remove_and_close(ch);
}
END_TEST

/* Values of every size up to past the inline-copy limit (64 B) arrive
 * exactly, and nothing past payload_size is written into the reader's
 * buffer. */
START_TEST(values_of_every_small_size_round_trip_without_overrun)
{
    unsigned char in[160], out[160 + 16];
    for (uint64_t size = 1; size <= 160; size++) {
        char name[32];
        snprintf(name, sizeof name, "size-%u", (unsigned)size);
        svipc_channel *ch = create_bytes(name, size, 0);
        for (uint64_t i = 0; i < size; i++)
            in[i] = (unsigned char)(size * 31 + i * 7 + 1);
        memset(out, 0xEE, sizeof out);
        ck_assert_int_eq(svipc_channel_publish(ch, in, size, NULL), 0);
        ck_assert_int_eq(svipc_channel_read(ch, out, size, SVIPC_CHANNEL_ANY_AGE, NULL), 0);
        ck_assert_msg(memcmp(in, out, size) == 0, "value of %u bytes changed in transit", (unsigned)size);
        for (uint64_t i = size; i < sizeof out; i++)
            ck_assert_msg(out[i] == 0xEE, "read of a %u-byte value wrote byte %u", (unsigned)size, (unsigned)i);
        remove_and_close(ch);
    }
}
END_TEST

START_TEST(read_older_than_max_age_is_stale_but_filled)
{
    svipc_channel *ch = open_named("fresh", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int64_t v = 9, out = 0;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    svipc_channel_read_info info;
    ck_assert_int_eq(svipc_channel_read(ch, &out, 8, 10 * 1000000000LL, &info), 0);
    usleep(20000);
    out = 0;
    ck_assert_int_eq(svipc_channel_read(ch, &out, 8, 10000000LL, &info), SVIPC_CHANNEL_STALE);
    ck_assert_int_eq(out, 9);
    ck_assert_int_ge(info.age_ns, 20000000LL);
    ck_assert_int_eq(svipc_channel_read(ch, &out, 8, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_int_eq(info.age_ns, 0);
    remove_and_close(ch);
}
END_TEST

START_TEST(history_returns_ring_oldest_first_with_overrun_count)
{
    svipc_channel *ch = open_named("hist", SVIPC_CHANNEL_TYPE_INT64, 8, 4, SVIPC_CREATE);
    int64_t vals[8];
    svipc_channel_read_info infos[8];
    uint64_t missed = 99;
    ck_assert_int_eq(svipc_channel_read_history(ch, 0, vals, sizeof vals, infos, 8, &missed), 0);
    ck_assert_uint_eq(missed, 0);
    for (int64_t i = 1; i <= 10; i++)
        ck_assert_int_eq(svipc_channel_publish(ch, &i, 8, NULL), 0);
    /* 4 slots: 7..10 survive; asked from 2, so 3..6 were overrun. */
    ck_assert_int_eq(svipc_channel_read_history(ch, 2, vals, sizeof vals, infos, 8, &missed), 4);
    ck_assert_uint_eq(missed, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(vals[i], 7 + i);
        ck_assert_uint_eq(infos[i].sequence, (uint64_t)(7 + i));
    }
    /* A reader that keeps up misses nothing. */
    ck_assert_int_eq(svipc_channel_read_history(ch, 8, vals, sizeof vals, infos, 8, &missed), 2);
    ck_assert_uint_eq(missed, 0);
    ck_assert_int_eq(vals[0], 9);
    /* Limited by max_count: the newest, the rest counted as missed. */
    ck_assert_int_eq(svipc_channel_read_history(ch, 6, vals, sizeof vals, infos, 1, &missed), 1);
    ck_assert_int_eq(vals[0], 10);
    ck_assert_uint_eq(missed, 3);
    ck_assert_int_eq(svipc_channel_read_history(ch, 10, vals, sizeof vals, infos, 8, &missed), 0);
    ck_assert_int_eq(svipc_channel_read_history(ch, 0, vals, sizeof vals, NULL, 8, &missed), -EINVAL);
    ck_assert_int_eq(svipc_channel_read_history(ch, 0, vals, 4, infos, 8, &missed), -EINVAL);
    ck_assert_int_eq(svipc_channel_read_history(ch, 0, vals, sizeof vals, infos, 0, &missed), -EINVAL);
    remove_and_close(ch);
}
END_TEST

static int hold_writer_child(void *arg)
{
    int *pipe_fd = arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open("excl-writer", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &ch) != 0)
        return 1;
    int64_t v = 1;
    if (svipc_channel_publish(ch, &v, 8, NULL) != 0)
        return 2;
    char c = 'x';
    if (write(pipe_fd[1], &c, 1) != 1)
        return 3;
    pause(); /* killed by the parent while holding the lock */
    return 4;
}

START_TEST(peek_points_at_newest_value_until_buffer_num_publishes_overwrite_it)
{
    svipc_channel *ch = open_named("peek", SVIPC_CHANNEL_TYPE_INT64, 8, 3, SVIPC_CREATE);
    const void *data = NULL;
    svipc_channel_read_info info = {0};
    ck_assert_int_eq(svipc_channel_peek(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info), -ENODATA);
    ck_assert_ptr_null(data); /* outputs untouched */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "nothing has been published"));

    int64_t v;
    for (v = 1; v <= 5; v++)
        ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_peek(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(*(const int64_t *)data, 5);
    ck_assert_uint_eq(info.sequence, 5);
    ck_assert_uint_eq(info.missed, 4);
    ck_assert_int_le(info.publish_time_ns, svipc_channel_now_ns());
    ck_assert_int_eq(svipc_channel_peek_valid(ch, info.sequence), 1);

    /* buffer_num - 1 newer values leave value 5's slot alone ... */
    for (v = 6; v <= 7; v++)
        ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(*(const int64_t *)data, 5);
    ck_assert_int_eq(svipc_channel_peek_valid(ch, 5), 1);
    /* ... the buffer_num-th overwrites it, and validation says so. */
    v = 8;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(*(const int64_t *)data, 8);
    ck_assert_int_eq(svipc_channel_peek_valid(ch, 5), 0);
    ck_assert_int_eq(svipc_channel_peek_valid(ch, 99), 0); /* never published */

    /* A new peek finds the newest value, and a read after it counts nothing missed. */
    ck_assert_int_eq(svipc_channel_peek(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
    ck_assert_int_eq(*(const int64_t *)data, 8);
    ck_assert_uint_eq(info.sequence, 8);
    ck_assert_uint_eq(info.missed, 2);
    ck_assert_int_eq(svipc_channel_peek_valid(ch, 8), 1);

    /* Freshness as in read: stale, but filled. */
    usleep(20000);
    data = NULL;
    ck_assert_int_eq(svipc_channel_peek(ch, 10000000LL, &data, &info), SVIPC_CHANNEL_STALE);
    ck_assert_int_eq(*(const int64_t *)data, 8);
    ck_assert_int_ge(info.age_ns, 20000000LL);
    remove_and_close(ch);
}
END_TEST

START_TEST(peek_bad_arguments_are_einval)
{
    svipc_channel *ch = open_named("peekargs", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    const void *data = NULL;
    svipc_channel_read_info info;
    int64_t v = 1;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_peek(NULL, -1, &data, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_peek(ch, -1, NULL, &info), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "ret_data"));
    ck_assert_int_eq(svipc_channel_peek(ch, -1, &data, NULL), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "ret_info"));
    ck_assert_ptr_null(data);
    ck_assert_int_eq(svipc_channel_peek_valid(NULL, 1), -EINVAL);
    ck_assert_int_eq(svipc_channel_peek_valid(ch, 0), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "sequence 0"));
    remove_and_close(ch);
}
END_TEST

START_TEST(second_exclusive_writer_is_ebusy_until_first_dies)
{
    svipc_channel *ch = open_named("excl-writer", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t child = proc_spawn(hold_writer_child, fds);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    int64_t v = 2;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), -EBUSY);
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "pid %d", (int)child);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), pid_text));
    kill(child, SIGKILL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0); /* SEM_UNDO released it */
    close(fds[0]);
    close(fds[1]);
    remove_and_close(ch);
}
END_TEST

START_TEST(handle_used_after_fork_is_echild)
{
    svipc_channel *ch = open_named("forked", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    pid_t pid = fork();
    if (pid == 0) {
        int64_t v = 0;
        int ok = svipc_channel_read(ch, &v, 8, -1, NULL) == -ECHILD && svipc_channel_publish(ch, &v, 8, NULL) == -ECHILD;
        _exit(ok ? 0 : 1);
    }
    ck_assert_int_eq(proc_wait(pid, CHILD_TIMEOUT_MS), 0);
    remove_and_close(ch);
}
END_TEST

/* ---- names and schemas ------------------------------------------------ */

#define POSE_SCHEMA                                                                                                 \
    "{\"names\":[\"x\",\"y\",\"stamp\"],\"formats\":[\"<f8\",\"<f8\",\"<i8\"],\"offsets\":[0,8,16],\"itemsize\":24}"

static svipc_channel *open_schema(const char *name, const char *schema, uint64_t size, uint32_t flags)
{
    svipc_channel *ch = NULL;
    int rc = svipc_channel_open_schema(name, SVIPC_CHANNEL_TYPE_USER, schema, size, 0, flags, SVIPC_MODE_DEFAULT, &ch);
    ck_assert_msg(rc == 0, "open %s: %d %s", name, rc, svipc_last_error_message());
    last_opened = ch;
    return ch;
}

static void assert_name_and_schema(svipc_channel *ch, const char *name, const char *schema)
{
    char got_name[SVIPC_CHANNEL_NAME_MAX + 1], got_schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
    ck_assert_int_eq(svipc_channel_name(ch, got_name, sizeof got_name), (int)strlen(name));
    ck_assert_str_eq(got_name, name);
    ck_assert_int_eq(svipc_channel_schema(ch, got_schema, sizeof got_schema), (int)strlen(schema));
    ck_assert_str_eq(got_schema, schema);
}

START_TEST(schema_and_name_are_stored_and_read_back_by_every_opener)
{
    svipc_channel *creator = open_schema("pose", POSE_SCHEMA, 24, SVIPC_CREATE);
    assert_name_and_schema(creator, "pose", POSE_SCHEMA);
    /* An opener that gives no schema (and no type or size) learns it. */
    svipc_channel *reader = open_named("pose", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0);
    assert_name_and_schema(reader, "pose", POSE_SCHEMA);
    svipc_channel *same = open_schema("pose", POSE_SCHEMA, 0, 0);
    svipc_channel_info a, b;
    ck_assert_int_eq(svipc_channel_stat(creator, &a), 0);
    ck_assert_int_eq(svipc_channel_stat(same, &b), 0);
    ck_assert_uint_eq(a.schema_hash, b.schema_hash);
    ck_assert_uint_eq(a.attached, 3);
    /* By segment id, as the CLI lists it. */
    char name[SVIPC_CHANNEL_NAME_MAX + 1], schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
    ck_assert_int_eq(svipc_admin_channel_describe(a.shm_id, name, sizeof name, schema, sizeof schema), 0);
    ck_assert_str_eq(name, "pose");
    ck_assert_str_eq(schema, POSE_SCHEMA);
    svipc_channel_info probed;
    ck_assert_int_eq(svipc_admin_channel_stat(a.shm_id, &probed), 0);
    ck_assert_uint_eq(probed.schema_hash, a.schema_hash);
    ck_assert_int_eq(probed.created_time_ns, a.created_time_ns);
    ck_assert_uint_eq(probed.attached, 3);
    /* Buffers too small: -ERANGE, nothing written; NULL: -EINVAL. */
    memset(name, 'q', sizeof name);
    ck_assert_int_eq(svipc_channel_name(creator, name, 4), -ERANGE);
    ck_assert_int_eq(name[0], 'q');
    ck_assert_int_eq(svipc_channel_name(creator, name, 5), 4);
    ck_assert_int_eq(svipc_channel_schema(creator, schema, strlen(POSE_SCHEMA)), -ERANGE);
    ck_assert_int_eq(svipc_admin_channel_describe(a.shm_id, name, sizeof name, schema, 10), -ERANGE);
    ck_assert_int_eq(svipc_admin_channel_describe(a.shm_id, name, 2, schema, sizeof schema), -ERANGE);
    ck_assert_int_eq(svipc_admin_channel_describe(a.shm_id, NULL, sizeof name, schema, sizeof schema), -EINVAL);
    ck_assert_int_eq(svipc_channel_name(NULL, name, sizeof name), -EINVAL);
    ck_assert_int_eq(svipc_channel_schema(creator, NULL, 100), -EINVAL);
    svipc_channel_close(same);
    svipc_channel_close(reader);
    remove_and_close(creator);
}
END_TEST

START_TEST(channels_opened_without_a_schema_store_their_types)
{
    static const struct {
        uint32_t type;
        uint64_t size;
        const char *schema;
    } cases[] = {{SVIPC_CHANNEL_TYPE_BOOL, 1, "|b1"},
                 {SVIPC_CHANNEL_TYPE_INT64, 8, "<i8"},
                 {SVIPC_CHANNEL_TYPE_FLOAT64, 8, "<f8"},
                 {SVIPC_CHANNEL_TYPE_BYTES, 24, "|V24"},
                 {SVIPC_CHANNEL_TYPE_USER + 7, 100, "|V100"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        svipc_channel *ch = open_named("typed", cases[i].type, cases[i].size, 0, SVIPC_CREATE);
        assert_name_and_schema(ch, "typed", cases[i].schema);
        remove_and_close(ch);
    }
    /* By key: no name. */
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open_key(0, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &ch), 0);
    assert_name_and_schema(ch, "", "<i8");
    remove_and_close(ch);
}
END_TEST

START_TEST(schema_mismatch_is_refused_both_ways_naming_both)
{
    /* Created with a struct schema; opened with another. */
    svipc_channel *ch = open_schema("mismatch", POSE_SCHEMA, 24, SVIPC_CREATE);
    svipc_channel *other = (svipc_channel *)0x1;
    ck_assert_int_eq(svipc_channel_open_schema("mismatch", SVIPC_CHANNEL_TYPE_USER, "(3,)<f8", 24, 0, SVIPC_CREATE, 0,
                                               &other),
                     -EINVAL);
    ck_assert_ptr_eq(other, (svipc_channel *)0x1);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), POSE_SCHEMA));
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "'(3,)<f8'"));
    remove_and_close(ch);
    /* Created without one (a float64 channel stores "<f8"); opened with another. */
    ch = open_named("mismatch", SVIPC_CHANNEL_TYPE_FLOAT64, 8, 0, SVIPC_CREATE);
    ck_assert_int_eq(svipc_channel_open_schema("mismatch", SVIPC_CHANNEL_TYPE_ANY, "<i8", 8, 0, 0, 0, &other), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "has schema '<f8', not '<i8'"));
    /* The same text is accepted, whatever the type tag given (ANY) or size (0). */
    ck_assert_int_eq(svipc_channel_open_schema("mismatch", SVIPC_CHANNEL_TYPE_ANY, "<f8", 0, 0, 0, 0, &other), 0);
    svipc_channel_close(other);
    remove_and_close(ch);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

START_TEST(bad_names_and_schemas_are_einval_and_leave_nothing)
{
    char long_name[SVIPC_CHANNEL_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    svipc_channel *ch = NULL;
    ck_assert_int_eq(svipc_channel_open(long_name, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &ch), -EINVAL);
    long_name[SVIPC_CHANNEL_NAME_MAX] = '\0'; /* the longest name is fine */
    ch = open_named(long_name, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    assert_name_and_schema(ch, long_name, "<i8");
    remove_and_close(ch);
    ch = NULL;

    char long_schema[SVIPC_CHANNEL_SCHEMA_MAX + 2];
    memset(long_schema, 'f', sizeof long_schema - 1);
    long_schema[sizeof long_schema - 1] = '\0';
    const char *bad[] = {"", long_schema, "<f8\n", "caf\xc3\xa9", "\x1b[31m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(svipc_channel_open_schema("bad", SVIPC_CHANNEL_TYPE_USER, bad[i], 8, 0, SVIPC_CREATE, 0, &ch),
                         -EINVAL);
        ck_assert_ptr_null(ch);
    }
    long_schema[SVIPC_CHANNEL_SCHEMA_MAX] = '\0'; /* the longest schema is fine */
    ch = open_schema("bad", long_schema, 8, SVIPC_CREATE);
    assert_name_and_schema(ch, "bad", long_schema);
    remove_and_close(ch);
    /* Creating still needs a size: the library does not parse schemas. */
    ck_assert_int_eq(svipc_channel_open_schema("bad", SVIPC_CHANNEL_TYPE_USER, "<f8", 0, 0, SVIPC_CREATE, 0, &ch),
                     -EINVAL);
    ck_assert_int_eq(svipc_channel_open_schema(NULL, SVIPC_CHANNEL_TYPE_USER, "<f8", 8, 0, SVIPC_CREATE, 0, &ch),
                     -EINVAL);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

struct named_key {
    int32_t key;
    uint32_t index;
};

static int by_key(const void *a, const void *b)
{
    const struct named_key *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The i-th candidate name: spread over 32-bit values, since FNV-1a keeps
 * names that differ only in a counting suffix apart far better than chance. */
static void candidate_name(char *name, size_t size, uint32_t i)
{
    snprintf(name, size, "c%llx", (unsigned long long)((uint64_t)i * 2654435761u % 4294967291u));
}

/* Two different names with one key (31-bit keys: among 300000 such names
 * a pair is all but certain, and FNV-1a is fixed, so always the same pair). */
static void colliding_names(char *first, char *second, size_t size)
{
    enum { names = 300000 };
    struct named_key *keys = malloc(names * sizeof *keys);
    ck_assert_ptr_nonnull(keys);
    char name[32];
    for (uint32_t i = 0; i < names; i++) {
        candidate_name(name, sizeof name, i);
        ck_assert_int_eq(svipc_key_from_name(name, &keys[i].key), 0);
        keys[i].index = i;
    }
    qsort(keys, names, sizeof *keys, by_key);
    for (uint32_t i = 1; i < names; i++) {
        if (keys[i].key == keys[i - 1].key) {
            candidate_name(first, size, keys[i - 1].index);
            candidate_name(second, size, keys[i].index);
            free(keys);
            return;
        }
    }
    free(keys);
    ck_abort_msg("no two of %d names share a key", names);
}

START_TEST(two_names_with_one_key_are_never_mixed_up)
{
    char first[32], second[32];
    colliding_names(first, second, sizeof first);
    int32_t k1, k2;
    ck_assert_int_eq(svipc_key_from_name(first, &k1), 0);
    ck_assert_int_eq(svipc_key_from_name(second, &k2), 0);
    ck_assert_int_eq(k1, k2);
    ck_assert_str_ne(first, second);

    svipc_channel *ch = open_named(first, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    svipc_channel *other = NULL;
    /* Same type and size: before layout 4 this shared the channel. */
    ck_assert_int_eq(svipc_channel_open(second, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &other), -EEXIST);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), first));
    ck_assert_int_eq(svipc_channel_remove_name(second), -EEXIST); /* left alone */
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    ck_assert_int_eq(svipc_channel_remove_name(first), 0);
    svipc_channel_close(ch);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

START_TEST(remove_name_removes_segment_and_writer_lock)
{
    svipc_channel *ch = open_named("gone", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    ck_assert_int_eq(count_lines("/proc/sysvipc/sem"), 1);
    ck_assert_int_eq(svipc_channel_remove_name("gone"), 0);
    ck_assert_int_eq(count_lines("/proc/sysvipc/sem"), 0);
    /* The open handle still reads the removed segment. */
    int64_t v = 3;
    ck_assert_int_eq(svipc_channel_read(ch, &v, 8, -1, NULL), -ENODATA);
    svipc_channel_close(ch);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

/* ---- processes -------------------------------------------------------- */

struct torn_args {
    const char *name;
    uint64_t size;
    uint64_t writer_id;
    uint64_t count; /* 0 = until killed */
    uint32_t flags;
    int same_payload; /* publish one precomputed value: the loop is all publish */
};

static int checksum_writer(void *arg)
{
    struct torn_args *a = arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open(a->name, SVIPC_CHANNEL_TYPE_BYTES, a->size, 0, a->flags, 0, &ch) != 0)
        return 1;
    size_t n = a->size / 8;
    uint64_t *words = malloc(a->size);
    fill_payload(words, n, 1, a->writer_id);
    for (uint64_t i = 1; a->count == 0 || i <= a->count; i++) {
        if (!a->same_payload)
            fill_payload(words, n, i, a->writer_id);
        if (svipc_channel_publish(ch, words, a->size, NULL) != 0)
            return 2;
    }
    free(words);
    svipc_channel_close(ch);
    return 0;
}

static void torn_read_test(const char *name, uint64_t size)
{
    svipc_channel *ch = create_bytes(name, size, 0);
    struct torn_args args = {name, size, 1, 0, 0, 0};
    pid_t writer = proc_spawn(checksum_writer, &args);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 10LL * 1000000000, 0), 0);
    size_t n = size / 8;
    uint64_t *words = malloc(size);
    long torn = 0, backwards = 0, distinct = 0, mismatched = 0;
    uint64_t last = 0;
    long r = 0;
    /* At least TORN_TEST_READS reads, and on until the writer has made real
     * progress: a loaded machine may leave it descheduled for a while. */
    const long long give_up = proc_now_ns() + 100000000000LL;
    for (; r < TORN_TEST_READS || (distinct < 1000 && proc_now_ns() < give_up); r++) {
        svipc_channel_read_info info;
        ck_assert_int_eq(svipc_channel_read(ch, words, size, SVIPC_CHANNEL_ANY_AGE, &info), 0);
        if (!payload_ok(words, n))
            torn++;
        if (words[0] != info.sequence)
            mismatched++;
        if (info.sequence < last)
            backwards++;
        else if (info.sequence > last)
            distinct++;
        last = info.sequence;
    }
    kill(writer, SIGKILL);
    ck_assert_int_eq(proc_wait(writer, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    free(words);
    printf("torn-read %s: %ld reads of %llu B, %ld distinct values, %ld torn, %ld backwards\n", name, r,
           (unsigned long long)size, distinct, torn, backwards);
    ck_assert_int_eq(torn, 0);
    ck_assert_int_eq(backwards, 0);
    ck_assert_int_eq(mismatched, 0);
    /* The writer really ran alongside: otherwise this test proves nothing. */
    ck_assert_int_ge(distinct, 1000);
    remove_and_close(ch);
}

START_TEST(reads_of_64_byte_values_are_never_torn_nor_backwards)
{
    torn_read_test("torn64", 64);
}
END_TEST

START_TEST(reads_of_4_kib_values_are_never_torn_nor_backwards)
{
    torn_read_test("torn4k", 4096);
}
END_TEST

/* Whether the slot after `latest` is odd, i.e. a publish was cut short. */
static int slot_left_half_written(const svipc_channel_info *st)
{
    svipc_shm *shm = NULL;
    void *base = NULL;
    ck_assert_int_eq(svipc_shm_open_id(st->shm_id, &shm), 0);
    ck_assert_int_eq(svipc_shm_attach(shm, NULL, SVIPC_RDONLY, &base), 0);
    uint64_t stride = SLOT_HEADER + (st->payload_size + 63) / 64 * 64;
    uint64_t next = st->latest_sequence + 1;
    const volatile uint64_t *version =
        (const volatile uint64_t *)((char *)base + HEADER_SIZE + (next % st->buffer_num) * stride);
    int odd = (*version & 1) != 0;
    svipc_shm_close(shm);
    return odd;
}

START_TEST(sigkilled_writer_leaves_last_complete_value_and_a_new_writer_takes_over)
{
    const uint64_t size = 4u << 20; /* a publish takes long enough to be killed inside it */
    svipc_channel *ch = create_bytes("killed", size, 0);
    uint64_t *words = malloc(size);
    size_t n = size / 8;
    int cut_short = 0;
    for (int round = 0; round < 5; round++) {
        struct torn_args args = {"killed", size, 10 + (uint64_t)round, 0, 0, 1};
        uint64_t start = svipc_channel_latest(ch);
        pid_t writer = proc_spawn(checksum_writer, &args);
        ck_assert_int_eq(svipc_channel_wait(ch, start + 2, 20LL * 1000000000, 0), 0);
        usleep(1000 * (unsigned)(round + 1));
        kill(writer, SIGKILL);
        ck_assert_int_eq(proc_wait(writer, CHILD_TIMEOUT_MS), 128 + SIGKILL);

        svipc_channel_info st;
        ck_assert_int_eq(svipc_channel_stat(ch, &st), 0);
        ck_assert_int_eq(st.writer_pid, 0); /* SEM_UNDO gave the lock back */
        cut_short += slot_left_half_written(&st);
        svipc_channel_read_info info;
        ck_assert_int_eq(svipc_channel_read(ch, words, size, -1, &info), 0);
        ck_assert(payload_ok(words, n));
        ck_assert_uint_eq(words[1], 10 + (uint64_t)round);
        ck_assert_uint_eq(info.sequence, st.latest_sequence);

        /* A new writer takes over at once. */
        svipc_channel *w = create_bytes("killed", size, 0);
        fill_payload(words, n, 777, 99);
        uint64_t seq = 0;
        ck_assert_int_eq(svipc_channel_publish(w, words, size, &seq), 0);
        ck_assert_uint_eq(seq, st.latest_sequence + 1);
        svipc_channel_close(w);
        ck_assert_int_eq(svipc_channel_read(ch, words, size, -1, &info), 0);
        ck_assert(payload_ok(words, n));
        ck_assert_uint_eq(words[0], 777);
    }
    printf("sigkill: %d of 5 kills landed inside a publish\n", cut_short);
    ck_assert_int_ge(cut_short, 1); /* the scenario really happened */
    free(words);
    remove_and_close(ch);
}
END_TEST

START_TEST(several_shared_writers_are_serialised)
{
    enum { writers = 3, each = 20000 };
    const uint64_t size = 256;
    svipc_channel *ch = open_named("multi", SVIPC_CHANNEL_TYPE_BYTES, size, 0, SVIPC_CREATE);
    struct torn_args args[writers];
    pid_t pids[writers];
    for (int i = 0; i < writers; i++) {
        args[i] = (struct torn_args){"multi", size, (uint64_t)i + 1, each, SVIPC_CHANNEL_SHARED_WRITER, 0};
        pids[i] = proc_spawn(checksum_writer, &args[i]);
    }
    uint64_t words[32], last = 0;
    long torn = 0, reads = 0;
    while (svipc_channel_latest(ch) < (uint64_t)writers * each) {
        svipc_channel_read_info info;
        int rc = svipc_channel_read(ch, words, size, -1, &info);
        if (rc == -ENODATA)
            continue;
        ck_assert_int_eq(rc, 0);
        torn += !payload_ok(words, size / 8);
        ck_assert_uint_ge(info.sequence, last);
        last = info.sequence;
        reads++;
        if (reads > 200000000L)
            break;
    }
    for (int i = 0; i < writers; i++)
        ck_assert_int_eq(proc_wait(pids[i], CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(torn, 0);
    /* Every publish got its own sequence number: none raced another. */
    ck_assert_uint_eq(svipc_channel_latest(ch), (uint64_t)writers * each);
    svipc_channel_info st;
    ck_assert_int_eq(svipc_channel_stat(ch, &st), 0);
    ck_assert_int_eq(st.writer_pid, 0);
    remove_and_close(ch);
}
END_TEST

/* ---- wait ------------------------------------------------------------- */

START_TEST(wait_times_out_never_early)
{
    svipc_channel *ch = open_named("timeout", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 0, 0), -EAGAIN);
    const uint32_t modes[2] = {0, SVIPC_CHANNEL_SPIN};
    for (int m = 0; m < 2; m++) {
        long long start = proc_now_ns();
        ck_assert_int_eq(svipc_channel_wait(ch, 0, 50000000LL, modes[m]), -ETIMEDOUT);
        assert_elapsed_between(proc_now_ns() - start, 50000000LL, 2000000000LL);
    }
    int64_t v = 1;
    ck_assert_int_eq(svipc_channel_publish(ch, &v, 8, NULL), 0);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 0, 0), 0);
    ck_assert_int_eq(svipc_channel_wait(ch, 1, 0, 0), -EAGAIN);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 0, 0x4), -EINVAL);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, -2, 0), -EINVAL);
    remove_and_close(ch);
}
END_TEST

static int publish_when_someone_sleeps(void *arg)
{
    (void)arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open("sleeper", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &ch) != 0)
        return 1;
    svipc_channel_info st;
    long long deadline = proc_now_ns() + 10000000000LL;
    do {
        if (svipc_channel_stat(ch, &st) != 0 || proc_now_ns() > deadline)
            return 2;
        usleep(1000);
    } while (st.sleepers == 0);
    int64_t v = 77;
    int rc = svipc_channel_publish(ch, &v, 8, NULL);
    svipc_channel_close(ch);
    return rc == 0 ? 0 : 3;
}

START_TEST(sleeping_waiter_is_woken_by_publish_in_another_process)
{
    svipc_channel *ch = open_named("sleeper", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    ck_assert_int_eq(svipc_channel_set_spin(ch, 0), 0);
    ck_assert_int_eq(svipc_channel_set_spin(ch, -1), -EINVAL);
    pid_t child = proc_spawn(publish_when_someone_sleeps, NULL);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 20000000000LL, 0), 0);
    ck_assert_int_lt(proc_now_ns() - start, 15000000000LL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    svipc_channel_info st;
    ck_assert_int_eq(svipc_channel_stat(ch, &st), 0);
    ck_assert_uint_eq(st.sleepers, 0);
    int64_t v = 0;
    svipc_channel_read_info info;
    ck_assert_int_eq(svipc_channel_wait_read(ch, &v, 8, 0, 0, &info), 0);
    ck_assert_int_eq(v, 77);
    /* Nothing newer than what this handle read: wait_read times out. */
    ck_assert_int_eq(svipc_channel_wait_read(ch, &v, 8, 1000000, 0, &info), -ETIMEDOUT);
    remove_and_close(ch);
}
END_TEST

static int publish_after_delay(void *arg)
{
    (void)arg;
    usleep(50000);
    svipc_channel *ch = NULL;
    if (svipc_channel_open("spinner", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &ch) != 0)
        return 1;
    int64_t v = 5;
    int rc = svipc_channel_publish(ch, &v, 8, NULL);
    svipc_channel_close(ch);
    return rc == 0 ? 0 : 2;
}

START_TEST(spinning_waiter_sees_publish_in_another_process)
{
    svipc_channel *ch = open_named("spinner", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    pid_t child = proc_spawn(publish_after_delay, NULL);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 20000000000LL, SVIPC_CHANNEL_SPIN), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    svipc_channel_info st;
    ck_assert_int_eq(svipc_channel_stat(ch, &st), 0);
    ck_assert_uint_eq(st.latest_sequence, 1);
    remove_and_close(ch);
}
END_TEST

/* Ping-pong where each side goes to sleep on the futex at once (spin 0):
 * every round is a chance to lose a wake-up between a publisher's
 * store-latest/load-sleepers and a sleeper's add-sleeper/load-latest. A lost
 * one leaves both sides waiting until the timeout. */
#define PINGPONG_ROUNDS 2000

static int pong(void *arg)
{
    (void)arg;
    svipc_channel *ping = NULL, *pong_ch = NULL;
    if (svipc_channel_open("ping", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &ping) != 0 ||
        svipc_channel_open("pong", SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &pong_ch) != 0)
        return 1;
    svipc_channel_set_spin(ping, 0);
    int rc = 0;
    for (int64_t round = 1; round <= test_iterations(PINGPONG_ROUNDS, 100) && rc == 0; round++) {
        int err = svipc_channel_wait(ping, (uint64_t)round - 1, 5000000000LL, 0);
        if (err != 0)
            rc = 2;
        else if ((err = svipc_channel_publish(pong_ch, &round, 8, NULL)) != 0)
            rc = 3;
        if (rc)
            fprintf(stderr, "pong round %lld: %d %s\n", (long long)round, err, svipc_last_error_message());
    }
    svipc_channel_close(ping);
    svipc_channel_close(pong_ch);
    return rc;
}

static svipc_channel *volatile pingpong_handles[2];

START_TEST(ping_pong_of_sleeping_waiters_never_loses_a_wake_up)
{
    svipc_channel *ping = open_named("ping", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    svipc_channel *pong_ch = open_named("pong", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    pingpong_handles[0] = ping; /* both reachable in the forked child (see last_opened) */
    pingpong_handles[1] = pong_ch;
    ck_assert_int_eq(svipc_channel_set_spin(pong_ch, 0), 0);
    pid_t child = proc_spawn(pong, NULL);
    const int64_t rounds = test_iterations(PINGPONG_ROUNDS, 100);
    int64_t round = 1;
    for (; round <= rounds; round++) {
        ck_assert_int_eq(svipc_channel_publish(ping, &round, 8, NULL), 0);
        int rc = svipc_channel_wait(pong_ch, (uint64_t)round - 1, 5000000000LL, 0);
        ck_assert_msg(rc == 0, "round %lld: no answer within 5 s (%d): a lost wake-up", (long long)round, rc);
    }
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    ck_assert_uint_eq(svipc_channel_latest(pong_ch), (uint64_t)rounds);
    remove_and_close(pong_ch);
    remove_and_close(ping);
}
END_TEST

START_TEST(signal_resumes_wait_unless_interruptible)
{
    svipc_channel *ch = open_named("signal", SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE);
    ck_assert_int_eq(svipc_channel_set_spin(ch, 0), 0);
    signal_after_ms(20);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 2000000000LL, SVIPC_INTERRUPTIBLE), -EINTR);
    ck_assert_int_lt(proc_now_ns() - start, 1500000000LL);

    signal_after_ms(20);
    start = proc_now_ns();
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 200000000LL, 0), -ETIMEDOUT);
    ck_assert_int_ge(proc_now_ns() - start, 200000000LL);
    signal_timer_off();
    remove_and_close(ch);
}
END_TEST

HARNESS_SUITE("channel")
{
    HARNESS_CASE("open", 60, open_create_initialises_header_once_and_stat_reports_it,
                 read_before_first_publish_is_enodata_and_keeps_default, open_missing_without_create_is_enoent,
                 open_with_other_size_type_or_buffer_count_is_einval, open_segment_that_is_not_a_channel_is_eproto,
                 open_exclusive_existing_is_eexist, open_bad_arguments_are_einval,
                 concurrent_openers_initialise_exactly_once, dead_initialiser_is_taken_over_and_live_one_times_out);
    HARNESS_CASE("describe", 60, schema_and_name_are_stored_and_read_back_by_every_opener,
                 channels_opened_without_a_schema_store_their_types, schema_mismatch_is_refused_both_ways_naming_both,
                 bad_names_and_schemas_are_einval_and_leave_nothing, two_names_with_one_key_are_never_mixed_up);
    HARNESS_CASE("publish_read", 60, publish_then_read_returns_value_sequence_and_time,
                 publish_wrong_size_and_small_read_buffer_are_einval, read_older_than_max_age_is_stale_but_filled,
                 bound_read_uses_the_bound_buffer_age_and_info, bound_publish_publishes_the_bound_source,
                 values_of_every_small_size_round_trip_without_overrun,
                 history_returns_ring_oldest_first_with_overrun_count,
                 peek_points_at_newest_value_until_buffer_num_publishes_overwrite_it, peek_bad_arguments_are_einval,
                 second_exclusive_writer_is_ebusy_until_first_dies, handle_used_after_fork_is_echild,
                 remove_name_removes_segment_and_writer_lock);
    HARNESS_CASE("processes", 600, reads_of_64_byte_values_are_never_torn_nor_backwards,
                 reads_of_4_kib_values_are_never_torn_nor_backwards,
                 sigkilled_writer_leaves_last_complete_value_and_a_new_writer_takes_over,
                 several_shared_writers_are_serialised);
    HARNESS_CASE("wait", 60, wait_times_out_never_early, sleeping_waiter_is_woken_by_publish_in_another_process,
                 spinning_waiter_sees_publish_in_another_process, signal_resumes_wait_unless_interruptible,
                 ping_pong_of_sleeping_waiters_never_loses_a_wake_up);
}
