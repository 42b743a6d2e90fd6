/* Channels without copies: loaned publishes (svipc_channel_loan / commit /
 * abandon) and pinned reads (svipc_channel_acquire / release), with real
 * processes and SIGKILL where a process boundary is crossed. */
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
#include <sys/mman.h>
#include <unistd.h>

#define CHILD_TIMEOUT_MS 60000
#define MIB (1024u * 1024u)

/* The handle a forked child inherits, kept reachable (valgrind, CK_FORK=no). */
static svipc_channel *volatile last_opened;

static svipc_channel *open_channel(const char *name, uint64_t size, uint32_t buffers, uint32_t flags)
{
    svipc_channel *ch = NULL;
    const int rc = svipc_channel_open(name, SVIPC_CHANNEL_TYPE_BYTES, size, buffers, flags, SVIPC_MODE_DEFAULT, &ch);
    ck_assert_msg(rc == 0, "open %s: %d %s", name, rc, svipc_last_error_message());
    last_opened = ch;
    return ch;
}

static void remove_and_close(svipc_channel *ch)
{
    ck_assert_int_eq(svipc_channel_remove(ch), 0);
    svipc_channel_close(ch);
}

static uint64_t publish_u64(svipc_channel *ch, uint64_t size, uint64_t value)
{
    unsigned char buffer[4096] = {0};
    ck_assert_uint_le(size, sizeof buffer);
    memcpy(buffer, &value, sizeof value);
    uint64_t sequence = 0;
    const int rc = svipc_channel_publish(ch, buffer, size, &sequence);
    ck_assert_msg(rc == 0, "publish: %d %s", rc, svipc_last_error_message());
    return sequence;
}

static uint64_t first_word(const void *data)
{
    uint64_t word;
    memcpy(&word, data, sizeof word);
    return word;
}

static uint32_t pinned_slots(svipc_channel *ch)
{
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    return info.pinned_slots;
}

/* How many pin records the header marks as claimed (claimed_mask, which
 * publishers look at to choose their fence; the public API does not report it). */
static int claimed_records(svipc_channel *ch)
{
    struct raw_segment raw = attach_raw(ch);
    const int count = __builtin_popcountll(get64(&raw, OFF_CLAIMED_MASK));
    detach_raw(&raw);
    return count;
}

/* A checksummed value: word 0 is a counter c, every other byte is (uint8_t)c. */
static void fill_value(unsigned char *data, uint64_t size, uint64_t counter)
{
    memset(data + 8, (int)(counter & 0xff), size - 8);
    memcpy(data, &counter, sizeof counter);
}

/* 1 if the value is whole (its bytes agree with its counter). */
static int value_is_whole(const unsigned char *data, uint64_t size, uint64_t *counter)
{
    *counter = first_word(data);
    uint64_t expected;
    memset(&expected, (int)(*counter & 0xff), sizeof expected);
    for (uint64_t offset = 8; offset < size; offset += 8) {
        uint64_t word;
        memcpy(&word, data + offset, sizeof word);
        if (word != expected)
            return 0;
    }
    return 1;
}

/* ---- loans ------------------------------------------------------------ */

START_TEST(loan_commit_and_abandon_round_trip)
{
    svipc_channel *ch = open_channel("zc-loan", 1024, 3, SVIPC_CREATE);
    void *slot = NULL;
    uint64_t sequence = 0;
    ck_assert_int_eq(svipc_channel_loan(ch, &slot), 0);
    ck_assert_uint_eq((uintptr_t)slot % 64, 0);
    ck_assert_uint_eq(svipc_channel_latest(ch), 0); /* not visible before the commit */
    fill_value(slot, 1024, 41);
    ck_assert_int_eq(svipc_channel_commit(ch, &sequence), 0);
    ck_assert_uint_eq(sequence, 1);

    unsigned char copy[1024];
    svipc_channel_read_info info;
    uint64_t counter = 0;
    ck_assert_int_eq(svipc_channel_read(ch, copy, sizeof copy, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_uint_eq(info.sequence, 1);
    ck_assert(value_is_whole(copy, sizeof copy, &counter));
    ck_assert_uint_eq(counter, 41);
    ck_assert_int_ge(info.publish_time_ns, 1);

    /* Abandoned: nothing visible, the last value stays, the next publish takes its place. */
    ck_assert_int_eq(svipc_channel_loan(ch, &slot), 0);
    fill_value(slot, 1024, 99);
    ck_assert_int_eq(svipc_channel_abandon(ch), 0);
    ck_assert_uint_eq(svipc_channel_latest(ch), 1);
    ck_assert_int_eq(svipc_channel_read(ch, copy, sizeof copy, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert(value_is_whole(copy, sizeof copy, &counter));
    ck_assert_uint_eq(counter, 41);
    ck_assert_uint_eq(publish_u64(ch, 1024, 7), 2);

    /* Misuse is -EINVAL and changes nothing. */
    ck_assert_int_eq(svipc_channel_commit(ch, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_abandon(ch), -EINVAL);
    ck_assert_int_eq(svipc_channel_loan(ch, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_loan(NULL, &slot), -EINVAL);
    ck_assert_int_eq(svipc_channel_loan(ch, &slot), 0);
    ck_assert_int_eq(svipc_channel_loan(ch, &slot), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "already outstanding"));
    ck_assert_int_eq(svipc_channel_publish(ch, copy, sizeof copy, NULL), -EINVAL);
    ck_assert_int_eq(svipc_channel_commit(ch, &sequence), 0);
    ck_assert_uint_eq(sequence, 3);
    remove_and_close(ch);

    svipc_channel *single = open_channel("zc-loan-single", 64, 1, SVIPC_CREATE);
    ck_assert_int_eq(svipc_channel_loan(single, &slot), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "buffer_num >= 2"));
    remove_and_close(single);
}
END_TEST

START_TEST(shared_writer_holds_the_lock_from_loan_to_commit)
{
    svipc_channel *a = open_channel("zc-shared", 64, 3, SVIPC_CREATE | SVIPC_CHANNEL_SHARED_WRITER);
    void *slot = NULL;
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_loan(a, &slot), 0);
    ck_assert_int_eq(svipc_channel_stat(a, &info), 0);
    ck_assert_int_eq(info.writer_pid, getpid());
    ck_assert_int_eq(svipc_channel_abandon(a), 0);
    ck_assert_int_eq(svipc_channel_stat(a, &info), 0);
    ck_assert_int_eq(info.writer_pid, 0);
    ck_assert_int_eq(svipc_channel_loan(a, &slot), 0);
    ck_assert_int_eq(svipc_channel_commit(a, NULL), 0);
    ck_assert_int_eq(svipc_channel_stat(a, &info), 0);
    ck_assert_int_eq(info.writer_pid, 0);
    /* Closing a handle with a loan outstanding drops the loan and gives the lock back. */
    svipc_channel *b = open_channel("zc-shared", 64, 3, SVIPC_CHANNEL_SHARED_WRITER);
    ck_assert_int_eq(svipc_channel_loan(b, &slot), 0);
    svipc_channel_close(b);
    ck_assert_int_eq(svipc_channel_stat(a, &info), 0);
    ck_assert_int_eq(info.writer_pid, 0);
    ck_assert_uint_eq(svipc_channel_latest(a), 1);
    ck_assert_int_eq(svipc_channel_loan(a, &slot), 0);
    ck_assert_int_eq(svipc_channel_commit(a, NULL), 0);
    ck_assert_uint_eq(svipc_channel_latest(a), 2);
    remove_and_close(a);
}
END_TEST

struct killed_loan {
    int ready[2];
};

static int loan_then_wait_to_be_killed(void *arg)
{
    struct killed_loan *k = arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open("zc-killed-loan", SVIPC_CHANNEL_TYPE_BYTES, 4096, 3, 0, SVIPC_MODE_DEFAULT, &ch) != 0)
        return 1;
    unsigned char value[4096];
    fill_value(value, sizeof value, 5);
    void *slot = NULL;
    if (svipc_channel_publish(ch, value, sizeof value, NULL) != 0 || svipc_channel_loan(ch, &slot) != 0)
        return 2;
    fill_value(slot, 4096, 6);
    memset(slot, 0xee, 2048); /* half-written */
    if (write(k->ready[1], "x", 1) != 1)
        return 3;
    for (;;)
        pause();
}

START_TEST(publisher_killed_between_loan_and_commit_never_shows_its_value)
{
    svipc_channel *ch = open_channel("zc-killed-loan", 4096, 3, SVIPC_CREATE);
    struct killed_loan k;
    ck_assert_int_eq(pipe(k.ready), 0);
    const pid_t child = proc_spawn_tied(loan_then_wait_to_be_killed, &k);
    char c;
    ck_assert_int_eq(read(k.ready[0], &c, 1), 1);
    kill(child, SIGKILL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    close(k.ready[0]);
    close(k.ready[1]);

    unsigned char copy[4096];
    svipc_channel_read_info info;
    uint64_t counter = 0;
    ck_assert_uint_eq(svipc_channel_latest(ch), 1);
    ck_assert_int_eq(svipc_channel_read(ch, copy, sizeof copy, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_uint_eq(info.sequence, 1);
    ck_assert(value_is_whole(copy, sizeof copy, &counter));
    ck_assert_uint_eq(counter, 5);
    const void *pinned = NULL;
    ck_assert_int_eq(svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &pinned, &info), 0);
    ck_assert_uint_eq(info.sequence, 1);
    ck_assert_int_eq(svipc_channel_release(ch), 0);

    /* The kernel gave the writer lock back: this handle writes next, by loan too. */
    void *slot = NULL;
    uint64_t sequence = 0;
    ck_assert_int_eq(svipc_channel_loan(ch, &slot), 0);
    fill_value(slot, 4096, 7);
    ck_assert_int_eq(svipc_channel_commit(ch, &sequence), 0);
    ck_assert_uint_eq(sequence, 2);
    ck_assert_int_eq(svipc_channel_read(ch, copy, sizeof copy, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert(value_is_whole(copy, sizeof copy, &counter));
    ck_assert_uint_eq(counter, 7);
    remove_and_close(ch);
}
END_TEST

/* ---- pins --------------------------------------------------------------- */

START_TEST(publisher_skips_pinned_slots_and_all_pinned_is_enobufs)
{
    svipc_channel *writer = open_channel("zc-pins", 64, 3, SVIPC_CREATE);
    svipc_channel *r1 = open_channel("zc-pins", 64, 3, 0);
    svipc_channel *r2 = open_channel("zc-pins", 64, 3, 0);
    const void *p1 = NULL, *p2 = NULL;
    svipc_channel_read_info info;

    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &p1, &info), -ENODATA);
    ck_assert_uint_eq(publish_u64(writer, 64, 101), 1); /* slot 1 */
    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &p1, &info), 0);
    ck_assert_uint_eq(info.sequence, 1);
    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &p1, &info), -EINVAL);
    ck_assert_uint_eq(publish_u64(writer, 64, 102), 2); /* slot 2 */
    ck_assert_int_eq(svipc_channel_acquire(r2, SVIPC_CHANNEL_ANY_AGE, &p2, &info), 0);
    ck_assert_uint_eq(info.sequence, 2);
    ck_assert_uint_eq(pinned_slots(writer), 2);
    ck_assert_uint_eq(publish_u64(writer, 64, 103), 3); /* slot 0, the only free one */

    /* Slots 1 and 2 pinned, the newest in slot 0: nowhere to go. */
    unsigned char value[64] = {0};
    void *slot = NULL;
    ck_assert_int_eq(svipc_channel_publish(writer, value, sizeof value, NULL), -ENOBUFS);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "pinned"));
    ck_assert_int_eq(svipc_channel_loan(writer, &slot), -ENOBUFS);
    ck_assert_uint_eq(svipc_channel_latest(writer), 3);
    ck_assert_uint_eq(first_word(p1), 101); /* pinned values never changed */
    ck_assert_uint_eq(first_word(p2), 102);

    /* r1 lets go of slot 1: value 4 goes there. With slot 2 still pinned,
     * value 5 (slot 2) is skipped and the next publish is value 6 (slot 0). */
    ck_assert_int_eq(svipc_channel_release(r1), 0);
    ck_assert_int_eq(svipc_channel_release(r1), -EINVAL);
    ck_assert_uint_eq(publish_u64(writer, 64, 104), 4);
    ck_assert_uint_eq(publish_u64(writer, 64, 106), 6);
    ck_assert_uint_eq(first_word(p2), 102);
    unsigned char copy[64];
    ck_assert_int_eq(svipc_channel_read(r1, copy, sizeof copy, SVIPC_CHANNEL_ANY_AGE, &info), 0);
    ck_assert_uint_eq(info.sequence, 6);
    ck_assert_uint_eq(first_word(copy), 106);

    /* Closing a handle that pins gives the pin back. */
    svipc_channel_close(r2);
    ck_assert_uint_eq(pinned_slots(writer), 0);
    for (uint64_t i = 0; i < 6; i++)
        ck_assert_uint_eq(publish_u64(writer, 64, 200 + i), 7 + i);

    /* A shared writer refused with -ENOBUFS does not keep the writer lock. */
    svipc_channel *shared = open_channel("zc-pins-shared", 64, 2, SVIPC_CREATE | SVIPC_CHANNEL_SHARED_WRITER);
    svipc_channel *reader = open_channel("zc-pins-shared", 64, 2, 0);
    ck_assert_uint_eq(publish_u64(shared, 64, 1), 1);                 /* slot 1 */
    ck_assert_int_eq(svipc_channel_acquire(reader, SVIPC_CHANNEL_ANY_AGE, &p1, &info), 0);
    ck_assert_uint_eq(publish_u64(shared, 64, 2), 2);                 /* slot 0 */
    ck_assert_int_eq(svipc_channel_publish(shared, value, sizeof value, NULL), -ENOBUFS);
    svipc_channel_info stat;
    ck_assert_int_eq(svipc_channel_stat(shared, &stat), 0);
    ck_assert_int_eq(stat.writer_pid, 0);
    ck_assert_uint_eq(stat.pinned_slots, 1);
    ck_assert_int_eq(svipc_channel_release(reader), 0);
    ck_assert_uint_eq(publish_u64(shared, 64, 3), 3);
    svipc_channel_close(reader);
    remove_and_close(shared);

    ck_assert_int_eq(svipc_channel_acquire(NULL, SVIPC_CHANNEL_ANY_AGE, &p1, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, NULL, &info), -EINVAL);
    ck_assert_int_eq(svipc_channel_release(NULL), -EINVAL);
    svipc_channel_close(r1);
    remove_and_close(writer);
}
END_TEST

struct pin_holder {
    int ready[2];
};

static int pin_then_wait_to_be_killed(void *arg)
{
    struct pin_holder *h = arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open("zc-dead-pin", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, SVIPC_MODE_DEFAULT, &ch) != 0)
        return 1;
    const void *data = NULL;
    svipc_channel_read_info info;
    if (svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info) != 0 || info.sequence != 1)
        return 2;
    if (write(h->ready[1], "x", 1) != 1)
        return 3;
    for (;;)
        pause();
}

START_TEST(reader_killed_while_pinning_loses_its_pin)
{
    svipc_channel *ch = open_channel("zc-dead-pin", 64, 2, SVIPC_CREATE);
    ck_assert_uint_eq(publish_u64(ch, 64, 1), 1); /* slot 1 */
    struct pin_holder h;
    ck_assert_int_eq(pipe(h.ready), 0);
    const pid_t child = proc_spawn_tied(pin_then_wait_to_be_killed, &h);
    char c;
    ck_assert_int_eq(read(h.ready[0], &c, 1), 1);
    close(h.ready[0]);
    close(h.ready[1]);

    ck_assert_uint_eq(publish_u64(ch, 64, 2), 2); /* slot 0 */
    unsigned char value[64] = {0};
    ck_assert_int_eq(svipc_channel_publish(ch, value, sizeof value, NULL), -ENOBUFS); /* a live holder */
    ck_assert_uint_eq(pinned_slots(ch), 1);
    ck_assert_int_eq(claimed_records(ch), 1);

    kill(child, SIGKILL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_uint_eq(pinned_slots(ch), 1); /* until someone needs the slot */
    ck_assert_int_eq(claimed_records(ch), 1); /* publishers fence fully until then */
    ck_assert_uint_eq(publish_u64(ch, 64, 3), 3); /* the dead holder's pin was reclaimed */
    ck_assert_uint_eq(pinned_slots(ch), 0);
    ck_assert_int_eq(claimed_records(ch), 0); /* and its record with it */
    ck_assert_uint_eq(publish_u64(ch, 64, 4), 4);
    remove_and_close(ch);
}
END_TEST

/* Writer flat out by loan, 1 MiB checksummed values; a reader holds each
 * pin for a random time and checks the value never changes under it. */
struct flat_out {
    const char *name; /* the channel's */
    volatile int stop;
    volatile long published;
    volatile long refused; /* publishes that found no free slot: must stay 0 */
};

static int publish_flat_out(void *arg)
{
    struct flat_out *shared = arg;
    svipc_channel *ch = NULL;
    if (svipc_channel_open(shared->name, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, SVIPC_MODE_DEFAULT, &ch) != 0)
        return 1;
    for (uint64_t counter = 1; !shared->stop; counter++) {
        void *slot = NULL;
        const int rc = svipc_channel_loan(ch, &slot);
        if (rc == -ENOBUFS) {
            shared->refused++;
            continue;
        }
        if (rc != 0)
            return 2;
        fill_value(slot, MIB, counter);
        if (svipc_channel_commit(ch, NULL) != 0)
            return 3;
        shared->published++;
    }
    svipc_channel_close(ch);
    return 0;
}

/* Starts publish_flat_out on channel `name` (open here as `ch`) in a child
 * and returns once its first value is there. */
static struct flat_out *start_flat_out_writer(svipc_channel *ch, const char *name, pid_t *writer)
{
    struct flat_out *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(shared, MAP_FAILED);
    memset((void *)shared, 0, sizeof *shared);
    shared->name = name;
    *writer = proc_spawn_tied(publish_flat_out, shared);
    ck_assert_int_eq(svipc_channel_wait(ch, 0, 10000000000LL, 0), 0);
    return shared;
}

START_TEST(pinned_values_never_change_while_a_writer_publishes_flat_out)
{
    /* one pinning reader: buffer_num 3 = readers + 2, so no loan is ever refused */
    svipc_channel *ch = open_channel("zc-flat-out", MIB, 3, SVIPC_CREATE);
    pid_t writer;
    struct flat_out *shared = start_flat_out_writer(ch, "zc-flat-out", &writer);

    const long pins = test_iterations(300, 12);
    unsigned seed = 14;
    uint64_t last_sequence = 0;
    long publishes_during_pins = 0;
    for (long i = 0; i < pins; i++) {
        const void *data = NULL;
        svipc_channel_read_info info;
        ck_assert_int_eq(svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
        ck_assert_uint_ge(info.sequence, last_sequence);
        last_sequence = info.sequence;
        uint64_t before = 0, after = 0;
        ck_assert_msg(value_is_whole(data, MIB, &before), "pinned value %llu torn", (unsigned long long)info.sequence);
        const long published = shared->published;
        usleep(rand_r(&seed) % 2000); /* hold the pin 0..2 ms */
        ck_assert_msg(value_is_whole(data, MIB, &after) && after == before,
                      "pinned value changed from %llu to %llu", (unsigned long long)before, (unsigned long long)after);
        publishes_during_pins += shared->published - published;
        ck_assert_int_eq(svipc_channel_release(ch), 0);
    }
    shared->stop = 1;
    ck_assert_int_eq(proc_wait(writer, CHILD_TIMEOUT_MS), 0);
    printf("%ld pins of 1 MiB values, %ld publishes while pinned, %ld in all, %ld refused\n", pins,
           publishes_during_pins, shared->published, shared->refused);
    ck_assert_int_eq(shared->refused, 0);
    ck_assert_int_gt(publishes_during_pins, 0); /* the writer really wrote while we held pins */
    munmap((void *)shared, sizeof *shared);
    remove_and_close(ch);
}
END_TEST

/* A record is claimed at a handle's first acquire and given back at close,
 * and the header counts it either way. */
START_TEST(pin_records_are_claimed_at_first_acquire_and_freed_at_close)
{
    svipc_channel *writer = open_channel("zc-claims", 64, 4, SVIPC_CREATE);
    svipc_channel *r1 = open_channel("zc-claims", 64, 4, 0);
    svipc_channel *r2 = open_channel("zc-claims", 64, 4, 0);
    const void *data = NULL;
    svipc_channel_read_info info;
    ck_assert_int_eq(claimed_records(writer), 0);
    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &data, &info), -ENODATA);
    ck_assert_int_eq(claimed_records(writer), 0); /* nothing to pin: nothing claimed */
    ck_assert_uint_eq(publish_u64(writer, 64, 1), 1);

    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
    ck_assert_int_eq(claimed_records(writer), 1);
    ck_assert_int_eq(svipc_channel_release(r1), 0);
    ck_assert_int_eq(claimed_records(writer), 1); /* a release keeps the record */
    ck_assert_int_eq(svipc_channel_acquire(r1, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
    ck_assert_int_eq(svipc_channel_acquire(r2, SVIPC_CHANNEL_ANY_AGE, &data, &info), 0);
    ck_assert_int_eq(claimed_records(writer), 2);
    ck_assert_uint_eq(publish_u64(writer, 64, 2), 2);
    svipc_channel_close(r1); /* closed while pinning: the pin and the record go */
    ck_assert_int_eq(claimed_records(writer), 1);
    ck_assert_int_eq(svipc_channel_release(r2), 0);
    svipc_channel_close(r2);
    ck_assert_int_eq(claimed_records(writer), 0);
    ck_assert_uint_eq(pinned_slots(writer), 0);
    ck_assert_uint_eq(publish_u64(writer, 64, 3), 3);
    remove_and_close(writer);
}
END_TEST

/* Pinning readers that come and go: each cycle opens a handle (claiming a
 * record at its first acquire, so publishers switch to the full fence),
 * holds a few pins and closes it (the last close switches them back), while
 * a writer publishes 1 MiB values flat out. */
#define COMING_AND_GOING_READERS 2

static int pin_in_short_lived_handles(void *arg)
{
    const long cycles = *(const long *)arg;
    unsigned seed = (unsigned)getpid();
    for (long cycle = 0; cycle < cycles; cycle++) {
        svipc_channel *ch = NULL;
        if (svipc_channel_open("zc-come-and-go", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, SVIPC_MODE_DEFAULT, &ch) != 0)
            return 1;
        const int pins = 1 + rand_r(&seed) % 3;
        for (int i = 0; i < pins; i++) {
            const void *data = NULL;
            svipc_channel_read_info info;
            if (svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info) != 0)
                return 2;
            uint64_t before = 0, after = 0;
            if (!value_is_whole(data, MIB, &before))
                return 3; /* torn when pinned */
            usleep(rand_r(&seed) % 500);
            if (!value_is_whole(data, MIB, &after) || after != before)
                return 4; /* changed while pinned */
            if (svipc_channel_release(ch) != 0)
                return 5;
        }
        svipc_channel_close(ch);
        if (rand_r(&seed) % 2)
            usleep(rand_r(&seed) % 300); /* sometimes nobody has a record */
    }
    return 0;
}

START_TEST(pinned_values_hold_while_pinning_readers_come_and_go)
{
    svipc_channel *ch = open_channel("zc-come-and-go", MIB, COMING_AND_GOING_READERS + 2, SVIPC_CREATE);
    pid_t writer;
    struct flat_out *shared = start_flat_out_writer(ch, "zc-come-and-go", &writer);

    long cycles = test_iterations(300, 6);
    pid_t readers[COMING_AND_GOING_READERS];
    for (int i = 0; i < COMING_AND_GOING_READERS; i++)
        readers[i] = proc_spawn_tied(pin_in_short_lived_handles, &cycles);
    const long before = shared->published;
    for (int i = 0; i < COMING_AND_GOING_READERS; i++)
        ck_assert_int_eq(proc_wait(readers[i], CHILD_TIMEOUT_MS), 0);
    const long during = shared->published - before;
    shared->stop = 1;
    ck_assert_int_eq(proc_wait(writer, CHILD_TIMEOUT_MS), 0);
    printf("%d readers x %ld short-lived pinning handles, %ld publishes meanwhile, %ld refused\n",
           COMING_AND_GOING_READERS, cycles, during, shared->refused);
    ck_assert_int_eq(shared->refused, 0);
    ck_assert_int_gt(during, 0);
    ck_assert_int_eq(claimed_records(ch), 0); /* every closed handle gave its record back */
    munmap((void *)shared, sizeof *shared);
    remove_and_close(ch);
}
END_TEST

HARNESS_SUITE("channel_zero_copy")
{
    HARNESS_CASE("loans", 120, loan_commit_and_abandon_round_trip, shared_writer_holds_the_lock_from_loan_to_commit,
                 publisher_killed_between_loan_and_commit_never_shows_its_value);
    HARNESS_CASE("pins", 600, publisher_skips_pinned_slots_and_all_pinned_is_enobufs,
                 reader_killed_while_pinning_loses_its_pin, pin_records_are_claimed_at_first_acquire_and_freed_at_close,
                 pinned_values_never_change_while_a_writer_publishes_flat_out,
                 pinned_values_hold_while_pinning_readers_come_and_go);
}
