/* Exhausted kernel limits. kernel.shm*, kernel.sem and kernel.msg* belong to
 * the IPC namespace, so inside this suite's private namespace they can be
 * lowered to hit each limit for real (the machine's values are untouched;
 * every test checks it is not in the initial namespace before writing).
 * Each call must fail with its specific code and a message that names the
 * limit and how to raise it, and leave nothing half-created behind. */
#include <svipc/svipc.h>

#include "harness.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#define CHANNEL_NAME "svipc-exhausted-limits"

static const char *const limit_files[] = {
    "/proc/sys/kernel/shmmni", "/proc/sys/kernel/shmall", "/proc/sys/kernel/shmmax", "/proc/sys/kernel/sem",
    "/proc/sys/kernel/msgmni", "/proc/sys/kernel/msgmnb", "/proc/sys/kernel/msgmax",
};
#define LIMIT_FILES (sizeof limit_files / sizeof limit_files[0])
static char saved_limits[LIMIT_FILES][128];

static int read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    const int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    return ok ? 0 : -1;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    const int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The limits are per namespace only if this is not the machine's namespace. */
static void assert_private_namespace(void)
{
    char mine[64] = "", init[64] = "";
    ck_assert_int_gt(readlink("/proc/self/ns/ipc", mine, sizeof mine - 1), 0);
    if (readlink("/proc/1/ns/ipc", init, sizeof init - 1) > 0) /* unreadable: not our pid namespace's init */
        ck_assert_msg(strcmp(mine, init) != 0, "refusing to lower limits in the initial IPC namespace");
}

static void set_limit(const char *path, const char *value)
{
    assert_private_namespace();
    ck_assert_msg(write_text(path, value) == 0, "cannot write %s", path);
}

static void save_limits(void)
{
    for (size_t i = 0; i < LIMIT_FILES; i++)
        if (read_text(limit_files[i], saved_limits[i], sizeof saved_limits[i]) != 0)
            saved_limits[i][0] = '\0';
}

/* Unchecked teardown: runs even when a test failed (ipcns_sweep after it). */
static void restore_limits(void)
{
    for (size_t i = 0; i < LIMIT_FILES; i++)
        if (saved_limits[i][0])
            write_text(limit_files[i], saved_limits[i]);
}

/* Objects of each kind in this namespace, from /proc/sysvipc. */
static int count_in(const char *table)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/sysvipc/%s", table);
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, f))
        lines++;
    fclose(f);
    return lines - 1; /* the header */
}

static void assert_message_has(const char *needle)
{
    const char *message = svipc_last_error_message();
    ck_assert_msg(strstr(message, needle) != NULL, "message \"%s\" lacks \"%s\"", message, needle);
}

/* Every limit message ends with how to raise the limit. */
static void assert_says_how_to_raise(const char *assignment)
{
    char want[128];
    snprintf(want, sizeof want, "sysctl -w %s", assignment);
    assert_message_has(want);
    assert_message_has("per IPC namespace");
}

/* ---- shared memory -------------------------------------------------------- */

START_TEST(segments_beyond_shmmni_are_enospc_naming_shmmni)
{
    set_limit("/proc/sys/kernel/shmmni", "2");
    svipc_shm *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, 0, &a), 0);
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, 0, &b), 0);
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, 0, &c), -ENOSPC);
    ck_assert_ptr_null(c);
    assert_message_has("the segments in use have reached kernel.shmmni (2)");
    assert_says_how_to_raise("kernel.shmmni=4");
    ck_assert_int_eq(count_in("shm"), 2);
    ck_assert_int_eq(svipc_shm_remove(a), 0);
    ck_assert_int_eq(svipc_shm_remove(b), 0);
    svipc_shm_close(a);
    svipc_shm_close(b);
}
END_TEST

START_TEST(pages_beyond_shmall_are_enospc_naming_shmall)
{
    const uint64_t page = svipc_page_size();
    set_limit("/proc/sys/kernel/shmall", "4");
    svipc_shm *a = NULL, *b = NULL;
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 3 * page, SVIPC_CREATE, 0, &a), 0);
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 2 * page, SVIPC_CREATE, 0, &b), -ENOSPC);
    assert_message_has("3 pages are in use and 2 more would pass the total, kernel.shmall (4)");
    assert_says_how_to_raise("kernel.shmall=8");
    /* The suggestion is never below what the failed call needed. */
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 20 * page, SVIPC_CREATE, 0, &b), -ENOSPC);
    assert_says_how_to_raise("kernel.shmall=23");
    ck_assert_int_eq(count_in("shm"), 1);
    ck_assert_int_eq(svipc_shm_remove(a), 0);
    svipc_shm_close(a);
}
END_TEST

START_TEST(segment_above_shmmax_is_einval_naming_shmmax)
{
    set_limit("/proc/sys/kernel/shmmax", "65536");
    svipc_shm *shm = NULL;
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 200000, SVIPC_CREATE, 0, &shm), -EINVAL);
    assert_message_has("size 200000 exceeds kernel.shmmax (65536)");
    assert_says_how_to_raise("kernel.shmmax=200000");
    ck_assert_int_eq(count_in("shm"), 0);
}
END_TEST

/* ---- semaphores ----------------------------------------------------------- */

START_TEST(sets_beyond_semmni_are_enospc_naming_semmni)
{
    set_limit("/proc/sys/kernel/sem", "250 32000 32 2");
    svipc_sem *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, &a), 0);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, &b), 0);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, &c), -ENOSPC);
    ck_assert_ptr_null(c);
    assert_message_has("the sets in use have reached kernel.sem SEMMNI (2)");
    assert_says_how_to_raise("kernel.sem='250 32000 32 4'");
    ck_assert_int_eq(count_in("sem"), 2);
    ck_assert_int_eq(svipc_sem_remove(a), 0);
    ck_assert_int_eq(svipc_sem_remove(b), 0);
    svipc_sem_close(a);
    svipc_sem_close(b);
}
END_TEST

START_TEST(semaphores_beyond_semmns_are_enospc_naming_semmns)
{
    set_limit("/proc/sys/kernel/sem", "250 10 32 128");
    svipc_sem *a = NULL, *b = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 8, SVIPC_CREATE, 0, NULL, 0, &a), 0);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 4, SVIPC_CREATE, 0, NULL, 0, &b), -ENOSPC);
    assert_message_has("8 semaphores are in use and 4 more would pass kernel.sem SEMMNS (10)");
    assert_says_how_to_raise("kernel.sem='250 20 32 128'");
    ck_assert_int_eq(count_in("sem"), 1);
    ck_assert_int_eq(svipc_sem_remove(a), 0);
    svipc_sem_close(a);
}
END_TEST

START_TEST(set_above_semmsl_is_einval_naming_semmsl)
{
    set_limit("/proc/sys/kernel/sem", "5 32000 32 128");
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 6, SVIPC_CREATE, 0, NULL, 0, &sem), -EINVAL);
    assert_message_has("nsems 6 exceeds kernel.sem SEMMSL (5)");
    assert_says_how_to_raise("kernel.sem='10 32000 32 128'");
    ck_assert_int_eq(count_in("sem"), 0);
}
END_TEST

START_TEST(operations_above_semopm_are_e2big_naming_semopm)
{
    set_limit("/proc/sys/kernel/sem", "250 32000 3 128");
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 4, SVIPC_CREATE, 0, NULL, 0, &sem), 0);
    const svipc_sem_op ops[4] = {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}, {3, 1, 0}};
    ck_assert_int_eq(svipc_sem_ops(sem, ops, 4, 0, 0), -E2BIG);
    assert_message_has("kernel.sem SEMOPM (3)");
    assert_says_how_to_raise("kernel.sem='250 32000 6 128'");
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0); /* all or nothing */
    ck_assert_int_eq(svipc_sem_ops(sem, ops, 3, 0, 0), 0);
    ck_assert_int_eq(svipc_sem_remove(sem), 0);
    svipc_sem_close(sem);
}
END_TEST

/* ---- message queues ------------------------------------------------------- */

START_TEST(queues_beyond_msgmni_are_enospc_naming_msgmni)
{
    set_limit("/proc/sys/kernel/msgmni", "1");
    svipc_msg *a = NULL, *b = NULL;
    ck_assert_int_eq(svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &a), 0);
    ck_assert_int_eq(svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &b), -ENOSPC);
    ck_assert_ptr_null(b);
    assert_message_has("kernel.msgmni (1)");
    assert_says_how_to_raise("kernel.msgmni=2");
    ck_assert_int_eq(count_in("msg"), 1);
    ck_assert_int_eq(svipc_msg_remove(a), 0);
    svipc_msg_close(a);
}
END_TEST

START_TEST(queue_bytes_beyond_msgmnb_are_e2big_or_eagain)
{
    set_limit("/proc/sys/kernel/msgmnb", "100");
    svipc_msg *q = NULL;
    ck_assert_int_eq(svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &q), 0);
    char data[128] = {0};
    /* Longer than the queue can ever hold: E2BIG at once, whatever the timeout. */
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 101, 0, SVIPC_WAIT_FOREVER), -E2BIG);
    assert_message_has("capacity (qbytes) is 100 bytes");
    assert_message_has("kernel.msgmnb");
    assert_says_how_to_raise("kernel.msgmnb=202");
    /* Fits, but not now: the queue's bytes are used up. */
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 60, 0, 0), 0);
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 60, 0, 0), -EAGAIN);
    assert_message_has("is full: 60 of 100 bytes");
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 40, 0, 0), 0);
    ck_assert_int_eq(svipc_msg_remove(q), 0);
    svipc_msg_close(q);
}
END_TEST

START_TEST(message_above_msgmax_is_e2big_naming_msgmax)
{
    set_limit("/proc/sys/kernel/msgmax", "50");
    svipc_msg *q = NULL;
    ck_assert_int_eq(svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &q), 0);
    char data[64] = {0};
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 51, 0, 0), -E2BIG);
    assert_message_has("exceeds kernel.msgmax (50 bytes)");
    assert_says_how_to_raise("kernel.msgmax=51");
    ck_assert_int_eq(svipc_msg_send(q, 1, data, 50, 0, 0), 0);
    ck_assert_int_eq(svipc_msg_remove(q), 0);
    svipc_msg_close(q);
}
END_TEST

/* ---- channels: two objects, so a failure must not leave half of one ------- */

START_TEST(channel_without_a_semaphore_for_its_lock_leaves_no_segment)
{
    set_limit("/proc/sys/kernel/sem", "250 32000 32 1");
    svipc_sem *taken = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, &taken), 0);
    svipc_channel *channel = NULL;
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &channel),
                     -ENOSPC);
    ck_assert_ptr_null(channel);
    assert_message_has("writer lock");
    assert_message_has("kernel.sem SEMMNI (1)");
    assert_says_how_to_raise("kernel.sem='250 32000 32 2'");
    ck_assert_int_eq(count_in("shm"), 0); /* the segment it made is gone */
    ck_assert_int_eq(count_in("sem"), 1);
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &channel), -ENOENT);
    /* With room again, the same open succeeds. */
    ck_assert_int_eq(svipc_sem_remove(taken), 0);
    svipc_sem_close(taken);
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &channel), 0);
    ck_assert_int_eq(svipc_channel_remove(channel), 0);
    svipc_channel_close(channel);
}
END_TEST

START_TEST(channel_without_a_segment_leaves_no_semaphore)
{
    set_limit("/proc/sys/kernel/shmmni", "1");
    svipc_shm *taken = NULL;
    ck_assert_int_eq(svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, 0, &taken), 0);
    svipc_channel *channel = NULL;
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &channel),
                     -ENOSPC);
    ck_assert_ptr_null(channel);
    assert_message_has("kernel.shmmni (1)");
    assert_says_how_to_raise("kernel.shmmni=2");
    ck_assert_int_eq(count_in("shm"), 1);
    ck_assert_int_eq(count_in("sem"), 0);
    ck_assert_int_eq(svipc_shm_remove(taken), 0);
    svipc_shm_close(taken);
}
END_TEST

HARNESS_SUITE("exhausted_limits")
{
    harness_unchecked_fixture(save_limits, restore_limits);
    HARNESS_CASE("shmmni", 0, segments_beyond_shmmni_are_enospc_naming_shmmni);
    HARNESS_CASE("shmall", 0, pages_beyond_shmall_are_enospc_naming_shmall);
    HARNESS_CASE("shmmax", 0, segment_above_shmmax_is_einval_naming_shmmax);
    HARNESS_CASE("semmni", 0, sets_beyond_semmni_are_enospc_naming_semmni);
    HARNESS_CASE("semmns", 0, semaphores_beyond_semmns_are_enospc_naming_semmns);
    HARNESS_CASE("semmsl", 0, set_above_semmsl_is_einval_naming_semmsl);
    HARNESS_CASE("semopm", 0, operations_above_semopm_are_e2big_naming_semopm);
    HARNESS_CASE("msgmni", 0, queues_beyond_msgmni_are_enospc_naming_msgmni);
    HARNESS_CASE("msgmnb", 0, queue_bytes_beyond_msgmnb_are_e2big_or_eagain);
    HARNESS_CASE("msgmax", 0, message_above_msgmax_is_e2big_naming_msgmax);
    HARNESS_CASE("channel_sem", 0, channel_without_a_semaphore_for_its_lock_leaves_no_segment);
    HARNESS_CASE("channel_shm", 0, channel_without_a_segment_leaves_no_semaphore);
}
