/* Semaphore sets: one test per behaviour of include/svipc/sem.h, with real
 * processes for crash release, mutual exclusion, the initialisation race,
 * removal under a waiter, signals during waits and raw-semop interop. */
#include <svipc/svipc.h>

#include "harness.h"
#include "ipcns.h"
#include "proc_util.h"
#include "semctl_arg.h"
#include "signal_timer.h"

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define TEST_KEY 0x5e3a0001
#define CHILD_TIMEOUT_MS 20000
#define MS 1000000LL

/* The parent's open handles, kept in a static so that a forked child (under
 * valgrind, CK_FORK=no) still finds pointers to them and does not report
 * them as leaked when it exits. volatile: the stores must not be dropped. */
static svipc_sem *volatile parent_handles[8];

static svipc_sem *keep(svipc_sem *sem)
{
    for (size_t i = 0; i < sizeof parent_handles / sizeof parent_handles[0]; i++) {
        if (parent_handles[i] == NULL) {
            parent_handles[i] = sem;
            break;
        }
    }
    return sem;
}

static void forget(svipc_sem *sem)
{
    for (size_t i = 0; i < sizeof parent_handles / sizeof parent_handles[0]; i++) {
        if (parent_handles[i] == sem)
            parent_handles[i] = NULL;
    }
}

static svipc_sem *create_private(uint32_t nsems, const uint16_t *initial)
{
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, nsems, SVIPC_CREATE, 0, initial, 0, &sem), 0);
    ck_assert_ptr_nonnull(sem);
    return keep(sem);
}

static void remove_and_close(svipc_sem *sem)
{
    ck_assert_int_eq(svipc_sem_remove(sem), 0);
    forget(sem);
    svipc_sem_close(sem);
}

/* Opens the set by id in a child (handles do not cross fork). */
static svipc_sem *child_open(int id, uint32_t flags)
{
    svipc_sem *sem = NULL;
    if (svipc_sem_open_id(id, flags, &sem) != 0) {
        fprintf(stderr, "child: %s\n", svipc_last_error_message());
        _exit(90);
    }
    return sem;
}

/* Waits (bounded) until `count` processes block on member index: the only
 * reliable way to know a child is inside semop before acting on it. */
static void wait_for_waiters(svipc_sem *sem, uint32_t index, int count, int zero)
{
    long long deadline = proc_now_ns() + 10000 * MS;
    for (;;) {
        int n = zero ? svipc_sem_waiting_zero(sem, index) : svipc_sem_waiting(sem, index);
        ck_assert_int_ge(n, 0);
        if (n >= count)
            return;
        ck_assert_msg(proc_now_ns() < deadline, "only %d of %d waiters after 10 s", n, count);
        usleep(1000);
    }
}

/* A child's last act: close its handle (valgrind checks each child for
 * leaks at exit) and report `status`. */
static int child_done(svipc_sem *sem, int status)
{
    svipc_sem_close(sem);
    return status;
}

static int pipe_or_fail(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
    return 0;
}

/* ---- open / initialisation ------------------------------------------------ */

START_TEST(open_private_creates_set_with_initial_values_and_mode_0600)
{
    const uint16_t initial[3] = {1, 0, 32767};
    svipc_sem *sem = create_private(3, initial);
    ck_assert_int_eq(svipc_sem_nsems(sem), 3);
    ck_assert_int_eq(svipc_sem_created(sem), 1);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 2), 32767);
    svipc_sem_info info;
    ck_assert_int_eq(svipc_sem_stat(sem, &info), 0);
    ck_assert_int_eq(info.id, svipc_sem_id(sem));
    ck_assert_int_eq(info.key, 0);
    ck_assert_uint_eq(info.mode, 0600);
    ck_assert_uint_eq(info.nsems, 3);
    ck_assert_uint_eq(info.uid, geteuid());
    ck_assert_uint_eq(info.cuid, geteuid());
    ck_assert_int_gt(info.otime_ns, 0); /* the initialisation handshake set it */
    ck_assert_int_gt(info.ctime_ns, 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(open_without_initial_values_gives_zeros)
{
    svipc_sem *sem = create_private(4, NULL);
    uint16_t values[4] = {9, 9, 9, 9};
    ck_assert_int_eq(svipc_sem_values(sem, values, 4), 4);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(values[i], 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(open_existing_by_key_ignores_initial_values_and_is_not_creator)
{
    const uint16_t first[2] = {5, 6}, second[2] = {1, 1};
    svipc_sem *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, SVIPC_CREATE, 0640, first, 0, &a), 0);
    ck_assert_int_eq(svipc_sem_created(a), 1);
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, SVIPC_CREATE, 0640, second, 0, &b), 0);
    ck_assert_int_eq(svipc_sem_created(b), 0);
    ck_assert_int_eq(svipc_sem_id(a), svipc_sem_id(b));
    ck_assert_int_eq(svipc_sem_value(b, 0), 5);
    ck_assert_int_eq(svipc_sem_value(b, 1), 6);
    /* Opening without SVIPC_CREATE, any size. */
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 0, 0, 0, NULL, 0, &c), 0);
    ck_assert_int_eq(svipc_sem_nsems(c), 2);
    svipc_sem_info info;
    ck_assert_int_eq(svipc_sem_stat(c, &info), 0);
    ck_assert_int_eq(info.key, TEST_KEY);
    ck_assert_uint_eq(info.mode, 0640);
    svipc_sem_close(c);
    svipc_sem_close(b);
    remove_and_close(a);
}
END_TEST

START_TEST(open_exclusive_existing_is_eexist)
{
    svipc_sem *a = NULL, *b = (svipc_sem *)0x1;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE | SVIPC_EXCLUSIVE, 0, NULL, 0, &a), 0);
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE | SVIPC_EXCLUSIVE, 0, NULL, 0, &b), -EEXIST);
    ck_assert_ptr_eq(b, (svipc_sem *)0x1); /* out-parameter untouched on failure */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "already exists"));
    remove_and_close(a);
}
END_TEST

START_TEST(open_missing_key_is_enoent)
{
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY + 7, 1, 0, 0, NULL, 0, &sem), -ENOENT);
    ck_assert_ptr_null(sem);
    ck_assert_str_eq(svipc_last_error_message(),
                     "svipc_sem_open: no semaphore set with key 0x5e3a0008 (pass SVIPC_CREATE to create it)");
}
END_TEST

START_TEST(open_bad_arguments_are_einval)
{
    svipc_sem *sem = NULL;
    const uint16_t one = 1;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, 0, NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 0, SVIPC_CREATE, 0, NULL, 0, &sem), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "nsems 0"));
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 0, SVIPC_CREATE, 0, NULL, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 0, 0, 0, &one, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE | 0x80000000u, 0, NULL, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE | 0x4u /* SVIPC_HUGETLB */, 0, NULL, 0, &sem),
                     -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 01000, NULL, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, IPC_CREAT | 0600, NULL, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_EXCLUSIVE, 0, NULL, 0, &sem), -EINVAL);
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, NULL, -2, &sem), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "timeout_ns -2 is invalid"));
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 40000, SVIPC_CREATE, 0, NULL, 0, &sem), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "exceeds kernel.sem SEMMSL (32000)"));
    ck_assert_ptr_null(sem);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

START_TEST(open_initial_value_above_semvmx_is_erange)
{
    const uint16_t initial[2] = {1, 32768};
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 2, SVIPC_CREATE, 0, initial, 0, &sem), -ERANGE);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "initial value of member 1 32768 exceeds SEMVMX (32767)"));
    ck_assert_ptr_null(sem);
    ck_assert_int_eq(ipcns_count_objects(), 0);
}
END_TEST

START_TEST(open_more_members_than_existing_set_is_einval)
{
    svipc_sem *a = NULL, *b = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, SVIPC_CREATE, 0, NULL, 0, &a), 0);
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 3, SVIPC_CREATE, 0, NULL, 0, &b), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "has 2 semaphores, fewer than the 3 requested"));
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, 0, 0, NULL, 0, &b), 0);
    ck_assert_int_eq(svipc_sem_nsems(b), 2);
    svipc_sem_close(b);
    remove_and_close(a);
}
END_TEST

START_TEST(open_of_set_never_initialised_times_out_and_removal_recovers)
{
    /* A creator that died between semget and its first semop leaves exactly
     * this: a set whose sem_otime is 0. */
    int raw = semget(TEST_KEY, 1, IPC_CREAT | IPC_EXCL | 0600);
    ck_assert_int_ge(raw, 0);
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE, 0, NULL, 0, &sem), -EAGAIN);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE, 0, NULL, 200 * MS, &sem), -ETIMEDOUT);
    assert_elapsed_between(proc_now_ns() - start, 200 * MS, 200 * MS + LATE_SLACK_NS);
    char expected[64];
    snprintf(expected, sizeof expected, "ipcrm -s %d", raw);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), expected));
    ck_assert_ptr_null(sem);
    /* The documented recovery: remove by id, open again. */
    ck_assert_int_eq(svipc_sem_remove_id(raw), 0);
    const uint16_t two = 2;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE, 0, &two, 0, &sem), 0);
    ck_assert_int_eq(svipc_sem_created(sem), 1);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 2);
    remove_and_close(sem);
}
END_TEST

static int slow_raw_creator(void *arg)
{
    (void)arg;
    int id = semget(TEST_KEY, 1, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0)
        return 1;
    usleep(150000); /* openers now find the set, not yet initialised */
    union semun_arg value = {.val = 7};
    if (semctl(id, 0, SETVAL, value) != 0)
        return 2;
    usleep(50000); /* SETVAL alone must not count as initialised */
    struct sembuf publish[2] = {{0, -1, IPC_NOWAIT}, {0, 1, IPC_NOWAIT}}; /* sets sem_otime */
    return semop(id, publish, 2) == 0 ? 0 : 3;
}

START_TEST(open_waits_until_creator_has_initialised)
{
    pid_t creator = proc_spawn(slow_raw_creator, NULL);
    /* Wait for the set to exist, then open it: we must see 7, never 0. */
    long long deadline = proc_now_ns() + 10000 * MS;
    while (semget(TEST_KEY, 0, 0) < 0) {
        ck_assert_msg(proc_now_ns() < deadline, "creator never created the set");
        usleep(1000);
    }
    svipc_sem *sem = NULL;
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE, 0, NULL, 10000 * MS, &sem), 0);
    ck_assert_int_ge(proc_now_ns() - start, 100 * MS); /* it really waited */
    ck_assert_int_eq(svipc_sem_created(sem), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 7);
    ck_assert_int_eq(proc_wait(creator, CHILD_TIMEOUT_MS), 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(open_id_opens_existing_and_rejects_missing_id)
{
    const uint16_t initial[2] = {3, 4};
    svipc_sem *a = create_private(2, initial), *b = NULL;
    ck_assert_int_eq(svipc_sem_open_id(svipc_sem_id(a), 0, &b), 0);
    ck_assert_int_eq(svipc_sem_nsems(b), 2);
    ck_assert_int_eq(svipc_sem_created(b), 0);
    ck_assert_int_eq(svipc_sem_value(b, 1), 4);
    svipc_sem_close(b);
    b = NULL;
    ck_assert_int_eq(svipc_sem_open_id(svipc_sem_id(a) + 1, 0, &b), -EINVAL);
    ck_assert_int_eq(svipc_sem_open_id(-1, 0, &b), -EINVAL);
    ck_assert_int_eq(svipc_sem_open_id(svipc_sem_id(a), SVIPC_CREATE, &b), -EINVAL);
    ck_assert_int_eq(svipc_sem_open_id(svipc_sem_id(a), 0, NULL), -EINVAL);
    ck_assert_ptr_null(b);
    remove_and_close(a);
}
END_TEST

/* Initialisation race: RACERS processes released at once all create-or-open
 * the same key with initial value 3, then each adds 1 without undo. Exactly
 * one may initialise, and no opener may touch the set before the initial
 * value is in place (an early V would be overwritten: the sum would be short). */
#define RACERS 8
#define RACE_ROUNDS 40
#define CREATED_EXIT 10
#define OPENED_EXIT 11

struct racer {
    int start_fds[2];
    int32_t key;
};

/* Blocks until the parent closes its write end: releases every child at once. */
static int wait_for_start(const int start_fds[2])
{
    char byte;
    close(start_fds[1]);
    return read(start_fds[0], &byte, 1) == 0 ? 0 : -1;
}

static int init_racer(void *arg)
{
    const struct racer *r = arg;
    if (wait_for_start(r->start_fds) != 0)
        return 1;
    const uint16_t three = 3;
    svipc_sem *sem = NULL;
    if (svipc_sem_open(r->key, 1, SVIPC_CREATE, 0, &three, 5000 * MS, &sem) != 0) {
        fprintf(stderr, "racer: %s\n", svipc_last_error_message());
        return 2;
    }
    int created = svipc_sem_created(sem);
    if (svipc_sem_value(sem, 0) < 3 || svipc_sem_v(sem, 0, 1, SVIPC_NO_UNDO) != 0)
        return child_done(sem, 3);
    return child_done(sem, created ? CREATED_EXIT : OPENED_EXIT);
}

START_TEST(init_race_has_exactly_one_initialiser)
{
    const long rounds = test_iterations(RACE_ROUNDS, 4);
    for (int round = 0; round < rounds; round++) {
        int fds[2];
        pipe_or_fail(fds);
        struct racer r = {{fds[0], fds[1]}, TEST_KEY + 100 + round};
        pid_t pids[RACERS];
        for (int i = 0; i < RACERS; i++)
            pids[i] = proc_spawn(init_racer, &r);
        close(fds[1]); /* release every racer at once */
        close(fds[0]);
        int creators = 0;
        for (int i = 0; i < RACERS; i++) {
            int status = proc_wait(pids[i], CHILD_TIMEOUT_MS);
            ck_assert_msg(status == CREATED_EXIT || status == OPENED_EXIT, "round %d racer %d: status %d", round,
                          i, status);
            creators += status == CREATED_EXIT;
        }
        ck_assert_int_eq(creators, 1);
        svipc_sem *sem = NULL;
        ck_assert_int_eq(svipc_sem_open(r.key, 1, 0, 0, NULL, 0, &sem), 0);
        ck_assert_int_eq(svipc_sem_value(sem, 0), 3 + RACERS);
        remove_and_close(sem);
    }
}
END_TEST

/* ---- P / V ----------------------------------------------------------------- */

START_TEST(p_and_v_change_the_value_and_record_the_pid)
{
    svipc_sem *sem = create_private(2, NULL);
    ck_assert_int_eq(svipc_sem_v(sem, 1, 5, 0), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 5);
    ck_assert_int_eq(svipc_sem_p(sem, 1, 2, 0, SVIPC_WAIT_FOREVER), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 1, 3, 0, 0), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 0);
    ck_assert_int_eq(svipc_sem_last_pid(sem, 1), getpid());
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(try_p_at_zero_is_eagain)
{
    const uint16_t one = 1;
    svipc_sem *sem = create_private(1, &one);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 2, 0, 0), -EAGAIN);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "P by 2 on member 0 on semaphore set"));
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1); /* nothing taken */
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 0), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 0), -EAGAIN);
    remove_and_close(sem);
}
END_TEST

START_TEST(timed_p_times_out_never_early)
{
    svipc_sem *sem = create_private(1, NULL);
    const long long timeouts[] = {1 * MS, 50 * MS, 300 * MS};
    for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
        long long start = proc_now_ns();
        ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, timeouts[i]), -ETIMEDOUT);
        assert_elapsed_between(proc_now_ns() - start, timeouts[i], timeouts[i] + LATE_SLACK_NS);
    }
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "timed out after 300 ms"));
    /* A timed P on an available value succeeds at once, even with 1 ns. */
    ck_assert_int_eq(svipc_sem_v(sem, 0, 1, 0), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 1), 0);
    remove_and_close(sem);
}
END_TEST

static int v_after_100ms(void *arg)
{
    svipc_sem *sem = child_open(*(int *)arg, 0);
    usleep(100000);
    return child_done(sem, svipc_sem_v(sem, 0, 1, SVIPC_NO_UNDO) == 0 ? 0 : 1);
}

START_TEST(timed_p_succeeds_when_v_arrives_in_time)
{
    svipc_sem *sem = create_private(1, NULL);
    int id = svipc_sem_id(sem);
    pid_t child = proc_spawn(v_after_100ms, &id);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 5000 * MS), 0);
    ck_assert_int_ge(proc_now_ns() - start, 90 * MS);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    remove_and_close(sem);
}
END_TEST

/* 100 years: more seconds than a 32-bit time_t holds (armhf), and wrapped
 * they are negative. The wait must behave like forever, not fail with -EINVAL. */
START_TEST(timed_p_with_centuries_timeout_waits_like_forever)
{
    svipc_sem *sem = create_private(1, NULL);
    int id = svipc_sem_id(sem);
    pid_t child = proc_spawn(v_after_100ms, &id);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 100LL * 365 * 24 * 3600 * 1000 * MS), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    remove_and_close(sem);
}
END_TEST

struct waiter {
    int id;
    uint32_t flags;
    long long timeout_ns;
};

/* Exit: 0 timed out no earlier than asked, 1 too early, 2 other result. */
static int timed_waiter(void *arg)
{
    const struct waiter *w = arg;
    count_signals(SIGUSR1);
    svipc_sem *sem = child_open(w->id, 0);
    long long start = proc_now_ns();
    int rc = svipc_sem_p(sem, 0, 1, w->flags, w->timeout_ns);
    long long elapsed = proc_now_ns() - start;
    svipc_sem_close(sem);
    if (rc != -ETIMEDOUT) {
        fprintf(stderr, "timed_waiter: rc %d\n", rc);
        return 2;
    }
    if (elapsed < w->timeout_ns || signals_counted() == 0) {
        fprintf(stderr, "timed_waiter: %lld ns, %d signals\n", elapsed, signals_counted());
        return 1;
    }
    return elapsed < w->timeout_ns + LATE_SLACK_NS ? 0 : 3;
}

START_TEST(signal_during_timed_p_resumes_with_remaining_time)
{
    svipc_sem *sem = create_private(1, NULL);
    struct waiter w = {svipc_sem_id(sem), 0, 600 * MS};
    pid_t child = proc_spawn(timed_waiter, &w);
    wait_for_waiters(sem, 0, 1, 0);
    for (int i = 0; i < 3; i++) {
        kill(child, SIGUSR1);
        usleep(100000);
    }
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    remove_and_close(sem);
}
END_TEST

/* Exit 0 when P returned -EINTR. */
static int interruptible_waiter(void *arg)
{
    const struct waiter *w = arg;
    count_signals(SIGUSR1);
    svipc_sem *sem = child_open(w->id, 0);
    int rc = svipc_sem_p(sem, 0, 1, w->flags, w->timeout_ns);
    if (rc != -EINTR || signals_counted() != 1 || !strstr(svipc_last_error_message(), "interrupted by a signal"))
        return child_done(sem, 1);
    return child_done(sem, 0);
}

START_TEST(signal_during_interruptible_p_is_eintr)
{
    svipc_sem *sem = create_private(1, NULL);
    const long long timeouts[] = {SVIPC_WAIT_FOREVER, 10000 * MS};
    for (int i = 0; i < 2; i++) {
        struct waiter w = {svipc_sem_id(sem), SVIPC_INTERRUPTIBLE, timeouts[i]};
        pid_t child = proc_spawn(interruptible_waiter, &w);
        wait_for_waiters(sem, 0, 1, 0);
        kill(child, SIGUSR1);
        ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    }
    remove_and_close(sem);
}
END_TEST

/* Exit 0 when the blocking P completed after at least one signal. */
static int forever_waiter(void *arg)
{
    count_signals(SIGUSR1);
    svipc_sem *sem = child_open(*(int *)arg, 0);
    int rc = svipc_sem_p(sem, 0, 1, SVIPC_NO_UNDO, SVIPC_WAIT_FOREVER);
    return child_done(sem, rc == 0 && signals_counted() > 0 ? 0 : 1);
}

START_TEST(signal_during_blocking_p_does_not_end_it)
{
    svipc_sem *sem = create_private(1, NULL);
    int id = svipc_sem_id(sem);
    pid_t child = proc_spawn(forever_waiter, &id);
    wait_for_waiters(sem, 0, 1, 0);
    kill(child, SIGUSR1);
    usleep(100000);
    /* Still (again) blocked, not returned. */
    wait_for_waiters(sem, 0, 1, 0);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 1, SVIPC_NO_UNDO), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(v_beyond_semvmx_and_bad_counts_are_rejected)
{
    const uint16_t high = 32760;
    svipc_sem *sem = create_private(2, (const uint16_t[]){high, 0});
    ck_assert_int_eq(svipc_sem_v(sem, 0, 8, SVIPC_NO_UNDO), -ERANGE);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "SEMVMX (32767)"));
    ck_assert_int_eq(svipc_sem_value(sem, 0), 32760);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 7, SVIPC_NO_UNDO), 0);
    ck_assert_int_eq(svipc_sem_v(sem, 1, 32768, 0), -ERANGE);
    ck_assert_int_eq(svipc_sem_p(sem, 1, 40000, 0, 0), -ERANGE);
    ck_assert_int_eq(svipc_sem_p(sem, 1, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_v(sem, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_p(sem, 2, 1, 0, 0), -EINVAL);
    char expected[128];
    snprintf(expected, sizeof expected, "svipc_sem_p: index 2 is out of range: semaphore set %d has 2 semaphores",
             svipc_sem_id(sem));
    ck_assert_str_eq(svipc_last_error_message(), expected);
    ck_assert_int_eq(svipc_sem_v(sem, 99, 1, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0x4u, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 1, SVIPC_INTERRUPTIBLE), -EINVAL);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, -5), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_value(sem, 1, 32768), -ERANGE);
    ck_assert_int_eq(svipc_sem_value(sem, 2), -EINVAL);
    remove_and_close(sem);
}
END_TEST

START_TEST(undo_adjustment_beyond_32767_is_erange)
{
    /* The kernel caps one process's adjustment per member at +/-32767. */
    const uint16_t max = 32767;
    svipc_sem *sem = create_private(1, &max);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 32767, 0, 0), 0);          /* adjustment +32767 */
    ck_assert_int_eq(svipc_sem_v(sem, 0, 1, SVIPC_NO_UNDO), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 0), -ERANGE);         /* would be +32768 */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "undo adjustment"));
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, SVIPC_NO_UNDO, 0), 0); /* the opt-out still works */
    remove_and_close(sem);
}
END_TEST

/* ---- atomic multi-operation ------------------------------------------------ */

START_TEST(ops_apply_all_or_nothing)
{
    svipc_sem *sem = create_private(3, (const uint16_t[]){1, 0, 2});
    svipc_sem_op take_both[2] = {{0, -1, 0}, {1, -1, 0}};
    ck_assert_int_eq(svipc_sem_ops(sem, take_both, 2, 0, 0), -EAGAIN);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1); /* the first op was not applied */
    ck_assert_int_eq(svipc_sem_ops(sem, take_both, 2, 0, 50 * MS), -ETIMEDOUT);
    ck_assert_int_eq(svipc_sem_v(sem, 1, 1, 0), 0);
    ck_assert_int_eq(svipc_sem_ops(sem, take_both, 2, 0, SVIPC_WAIT_FOREVER), 0);
    uint16_t values[3];
    ck_assert_int_eq(svipc_sem_values(sem, values, 3), 3);
    ck_assert_uint_eq(values[0], 0);
    ck_assert_uint_eq(values[1], 0);
    ck_assert_uint_eq(values[2], 2);
    /* Same member twice applies in order: +3 then -4 needs the 2 already there. */
    svipc_sem_op in_order[2] = {{2, 3, SVIPC_NO_UNDO}, {2, -4, 0}};
    ck_assert_int_eq(svipc_sem_ops(sem, in_order, 2, SVIPC_NO_UNDO, 0), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 2), 1);
    remove_and_close(sem);
}
END_TEST

static int zero_waiter(void *arg)
{
    svipc_sem *sem = child_open(*(int *)arg, 0);
    svipc_sem_op wait_zero = {0, 0, 0};
    return child_done(sem, svipc_sem_ops(sem, &wait_zero, 1, 0, SVIPC_WAIT_FOREVER) == 0 ? 0 : 1);
}

START_TEST(ops_wait_for_zero_blocks_until_zero)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    svipc_sem_op wait_zero = {0, 0, 0};
    ck_assert_int_eq(svipc_sem_ops(sem, &wait_zero, 1, 0, 0), -EAGAIN);
    int id = svipc_sem_id(sem);
    pid_t child = proc_spawn(zero_waiter, &id);
    wait_for_waiters(sem, 0, 1, 1);
    ck_assert_int_eq(svipc_sem_waiting_zero(sem, 0), 1);
    ck_assert_int_eq(svipc_sem_waiting(sem, 0), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, SVIPC_NO_UNDO, 0), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(svipc_sem_ops(sem, &wait_zero, 1, 0, 0), 0);
    remove_and_close(sem);
}
END_TEST

START_TEST(ops_bad_arguments_are_rejected)
{
    svipc_sem *sem = create_private(2, NULL);
    svipc_sem_op op = {0, 1, 0};
    ck_assert_int_eq(svipc_sem_ops(sem, NULL, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_ops(sem, &op, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_ops(NULL, &op, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_ops(sem, &op, 1, 0x1u, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_ops(sem, &(svipc_sem_op){0, 1, SVIPC_INTERRUPTIBLE}, 1, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_ops(sem, &(svipc_sem_op){2, 1, 0}, 1, 0, 0), -EINVAL);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "ops[0]: index 2 is out of range"));
    ck_assert_int_eq(svipc_sem_ops(sem, &(svipc_sem_op){0, INT16_MIN, 0}, 1, 0, 0), -ERANGE);
    /* More operations than kernel.sem SEMOPM (500 by default). */
    enum { many = 501 };
    static svipc_sem_op ops[many];
    for (int i = 0; i < many; i++)
        ops[i] = (svipc_sem_op){(uint16_t)(i % 2), 0, 0};
    ck_assert_int_eq(svipc_sem_ops(sem, ops, many, 0, 0), -E2BIG);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "SEMOPM (500)"));
    ck_assert_int_eq(svipc_sem_ops(sem, ops, 500, 0, 0), 0); /* at the limit: 500 waits for zero */
    remove_and_close(sem);
}
END_TEST

/* ---- values, counts, stat, control ------------------------------------------ */

START_TEST(values_and_set_values_round_trip)
{
    svipc_sem *sem = create_private(3, NULL);
    const uint16_t in[3] = {7, 0, 32767};
    ck_assert_int_eq(svipc_sem_set_values(sem, in, 3), 0);
    uint16_t out[4] = {1, 1, 1, 0xbeef};
    ck_assert_int_eq(svipc_sem_values(sem, out, 4), 3);
    ck_assert_uint_eq(out[0], 7);
    ck_assert_uint_eq(out[1], 0);
    ck_assert_uint_eq(out[2], 32767);
    ck_assert_uint_eq(out[3], 0xbeef); /* beyond nsems: untouched */
    ck_assert_int_eq(svipc_sem_set_value(sem, 1, 12), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 12);
    /* Bad inputs leave everything unchanged. */
    ck_assert_int_eq(svipc_sem_values(sem, out, 2), -EINVAL);
    ck_assert_int_eq(svipc_sem_values(sem, NULL, 3), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_values(sem, in, 2), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_values(sem, NULL, 3), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_values(sem, (const uint16_t[]){1, 40000, 1}, 3), -ERANGE);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 7);
    remove_and_close(sem);
}
END_TEST

struct holder {
    int id;
    int ready_fd;
    uint32_t flags;
};

/* Takes member 0 (P by 1) with the given flags, says so, then waits to die. */
static int hold_and_wait(void *arg)
{
    const struct holder *h = arg;
    svipc_sem *sem = child_open(h->id, 0);
    if (svipc_sem_p(sem, 0, 1, h->flags, SVIPC_WAIT_FOREVER) != 0)
        return 1;
    if (write(h->ready_fd, "x", 1) != 1)
        return 2;
    for (;;)
        pause();
}

static void spawn_holder_and_kill(int id, uint32_t flags)
{
    int fds[2];
    pipe_or_fail(fds);
    struct holder h = {id, fds[1], flags};
    pid_t child = proc_spawn(hold_and_wait, &h);
    char byte;
    ck_assert_int_eq(read(fds[0], &byte, 1), 1);
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(kill(child, SIGKILL), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
}

START_TEST(set_value_clears_undo_adjustments)
{
    /* Documented kernel behaviour: SETVAL drops every process's undo for the
     * member, so a holder's death no longer gives anything back. */
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    int fds[2];
    pipe_or_fail(fds);
    struct holder h = {svipc_sem_id(sem), fds[1], 0};
    pid_t child = proc_spawn(hold_and_wait, &h);
    char byte;
    ck_assert_int_eq(read(fds[0], &byte, 1), 1);
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(svipc_sem_set_value(sem, 0, 0), 0);
    kill(child, SIGKILL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0); /* not 1: the undo was dropped */
    remove_and_close(sem);
}
END_TEST

static int p_waiter(void *arg)
{
    svipc_sem *sem = child_open(*(int *)arg, 0);
    return child_done(sem, svipc_sem_p(sem, 0, 1, 0, SVIPC_WAIT_FOREVER) == 0 ? 0 : 1);
}

START_TEST(waiting_counts_blocked_processes)
{
    svipc_sem *sem = create_private(1, NULL);
    int id = svipc_sem_id(sem);
    ck_assert_int_eq(svipc_sem_waiting(sem, 0), 0);
    pid_t a = proc_spawn(p_waiter, &id), b = proc_spawn(p_waiter, &id);
    wait_for_waiters(sem, 0, 2, 0);
    ck_assert_int_eq(svipc_sem_waiting(sem, 0), 2);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 2, SVIPC_NO_UNDO), 0);
    ck_assert_int_eq(proc_wait(a, CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(proc_wait(b, CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(svipc_sem_waiting(sem, 0), 0);
    ck_assert_int_eq(svipc_sem_waiting(sem, 1), -EINVAL);
    remove_and_close(sem);
}
END_TEST

START_TEST(stat_set_mode_and_owner)
{
    svipc_sem *sem = create_private(2, NULL);
    ck_assert_int_eq(svipc_sem_set_mode(sem, 0644), 0);
    svipc_sem_info info;
    ck_assert_int_eq(svipc_sem_stat(sem, &info), 0);
    ck_assert_uint_eq(info.mode, 0644);
    svipc_sem_info by_id;
    ck_assert_int_eq(svipc_sem_stat_id(svipc_sem_id(sem), &by_id), 0);
    ck_assert_int_eq(memcmp(&info, &by_id, sizeof info), 0);
    ck_assert_int_eq(svipc_sem_set_mode(sem, 01644), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_owner(sem, geteuid(), getegid()), 0);
    ck_assert_int_eq(svipc_sem_stat(sem, NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_stat_id(svipc_sem_id(sem) + 1, &by_id), -EINVAL);
    ck_assert_int_eq(svipc_sem_stat_id(0, NULL), -EINVAL);
    remove_and_close(sem);
}
END_TEST

/* Exit 0 when the wait ended with -EIDRM and says why. */
static int eidrm_waiter(void *arg)
{
    const struct waiter *w = arg;
    svipc_sem *sem = child_open(w->id, 0);
    int rc = svipc_sem_p(sem, 0, 1, 0, w->timeout_ns);
    if (rc != -EIDRM || !strstr(svipc_last_error_message(), "was removed")) {
        fprintf(stderr, "eidrm_waiter: %d %s\n", rc, svipc_last_error_message());
        return child_done(sem, 1);
    }
    return child_done(sem, 0);
}

START_TEST(remove_wakes_blocked_waiters_with_eidrm)
{
    const long long timeouts[] = {SVIPC_WAIT_FOREVER, 10000 * MS};
    for (int i = 0; i < 2; i++) {
        svipc_sem *sem = create_private(1, NULL);
        struct waiter w = {svipc_sem_id(sem), 0, timeouts[i]};
        pid_t child = proc_spawn(eidrm_waiter, &w);
        wait_for_waiters(sem, 0, 1, 0);
        long long start = proc_now_ns();
        ck_assert_int_eq(svipc_sem_remove(sem), 0);
        ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
        ck_assert_int_lt(proc_now_ns() - start, 5000 * MS); /* woken, not timed out */
        forget(sem);
        svipc_sem_close(sem);
    }
}
END_TEST

START_TEST(operations_after_remove_are_eidrm)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    int id = svipc_sem_id(sem);
    ck_assert_int_eq(svipc_sem_remove(sem), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 1, 0, 0), -EIDRM);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 1, 0), -EIDRM);
    ck_assert_int_eq(svipc_sem_value(sem, 0), -EIDRM);
    ck_assert_int_eq(svipc_sem_stat(sem, &(svipc_sem_info){0}), -EIDRM);
    ck_assert_int_eq(svipc_sem_unlock(sem, 0, 0), -EIDRM);
    ck_assert_int_eq(svipc_sem_remove(sem), -EIDRM);
    ck_assert_int_eq(svipc_sem_remove_id(id), -EINVAL);
    ck_assert_int_eq(svipc_sem_remove_id(-1), -EINVAL);
    forget(sem);
    svipc_sem_close(sem);
}
END_TEST

START_TEST(null_handle_is_einval_everywhere)
{
    uint16_t values[1];
    svipc_sem_info info;
    ck_assert_ptr_null(svipc_sem_close(NULL));
    ck_assert_int_eq(svipc_sem_id(NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_nsems(NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_created(NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_p(NULL, 0, 1, 0, 0), -EINVAL);
    ck_assert_str_eq(svipc_last_error_message(), "svipc_sem_p: sem handle is NULL");
    ck_assert_int_eq(svipc_sem_v(NULL, 0, 1, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_lock(NULL, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_unlock(NULL, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_value(NULL, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_value(NULL, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_values(NULL, values, 1), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_values(NULL, values, 1), -EINVAL);
    ck_assert_int_eq(svipc_sem_waiting(NULL, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_waiting_zero(NULL, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_last_pid(NULL, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_stat(NULL, &info), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_mode(NULL, 0600), -EINVAL);
    ck_assert_int_eq(svipc_sem_set_owner(NULL, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_remove(NULL), -EINVAL);
}
END_TEST

static svipc_sem *inherited;

static int child_uses_parent_handle(void *arg)
{
    (void)arg;
    if (svipc_sem_p(inherited, 0, 1, 0, 0) != -ECHILD)
        return 1;
    if (svipc_sem_v(inherited, 0, 1, 0) != -ECHILD)
        return 2;
    if (svipc_sem_value(inherited, 0) != -ECHILD || svipc_sem_remove(inherited) != -ECHILD)
        return 3;
    if (!strstr(svipc_last_error_message(), "after fork"))
        return 4;
    svipc_sem_close(inherited); /* frees only */
    return 0;
}

START_TEST(handle_used_after_fork_is_echild)
{
    inherited = create_private(1, (const uint16_t[]){1});
    ck_assert_int_eq(proc_wait(proc_spawn(child_uses_parent_handle, NULL), CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(svipc_sem_value(inherited, 0), 1);
    ck_assert_int_eq(svipc_sem_p(inherited, 0, 1, 0, 0), 0); /* still fine in the parent */
    remove_and_close(inherited);
}
END_TEST

/* ---- mutex helper and crash release ------------------------------------------ */

START_TEST(crash_while_locked_releases_the_lock_within_a_second)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    spawn_holder_and_kill(svipc_sem_id(sem), 0);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_sem_lock(sem, 0, 0, 1000 * MS), 0);
    ck_assert_int_lt(proc_now_ns() - start, 1000 * MS);
    ck_assert_int_eq(svipc_sem_unlock(sem, 0, 0), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1);
    remove_and_close(sem);
}
END_TEST

START_TEST(crash_while_locked_without_undo_keeps_the_lock)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    spawn_holder_and_kill(svipc_sem_id(sem), SVIPC_NO_UNDO);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0);
    ck_assert_int_eq(svipc_sem_lock(sem, 0, 0, 0), -EAGAIN);
    ck_assert_int_eq(svipc_sem_lock(sem, 0, 0, 200 * MS), -ETIMEDOUT);
    remove_and_close(sem);
}
END_TEST

START_TEST(no_undo_at_open_applies_to_every_operation)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    int id = svipc_sem_id(sem);
    int fds[2];
    pipe_or_fail(fds);
    /* The child opens with SVIPC_NO_UNDO and locks with flags 0. */
    struct holder h = {id, fds[1], 0};
    pid_t child = fork();
    if (child == 0) {
        svipc_sem *own = child_open(h.id, SVIPC_NO_UNDO);
        if (svipc_sem_lock(own, 0, 0, SVIPC_WAIT_FOREVER) != 0 || write(h.ready_fd, "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char byte;
    ck_assert_int_eq(read(fds[0], &byte, 1), 1);
    close(fds[0]);
    close(fds[1]);
    kill(child, SIGKILL);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0); /* not given back */
    remove_and_close(sem);
}
END_TEST

START_TEST(lock_try_timed_and_unlock)
{
    svipc_sem *sem = create_private(2, (const uint16_t[]){1, 1});
    ck_assert_int_eq(svipc_sem_lock(sem, 1, 0, SVIPC_WAIT_FOREVER), 0);
    ck_assert_int_eq(svipc_sem_lock(sem, 1, 0, 0), -EAGAIN);
    long long start = proc_now_ns();
    ck_assert_int_eq(svipc_sem_lock(sem, 1, 0, 100 * MS), -ETIMEDOUT);
    ck_assert_int_ge(proc_now_ns() - start, 100 * MS);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1); /* other member untouched */
    ck_assert_int_eq(svipc_sem_unlock(sem, 1, 0), 0);
    ck_assert_int_eq(svipc_sem_unlock(sem, 1, 0), -EPERM); /* double unlock refused */
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "member 1 of semaphore set"));
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "is not locked (value 1)"));
    ck_assert_int_eq(svipc_sem_value(sem, 1), 1);
    ck_assert_int_eq(svipc_sem_lock(sem, 1, 0, 0), 0);
    ck_assert_int_eq(svipc_sem_unlock(sem, 1, 0), 0);
    ck_assert_int_eq(svipc_sem_lock(sem, 2, 0, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_lock(sem, 0, SVIPC_CREATE, 0), -EINVAL);
    ck_assert_int_eq(svipc_sem_unlock(sem, 0, SVIPC_INTERRUPTIBLE), -EINVAL);
    remove_and_close(sem);
}
END_TEST

/* Mutual exclusion: WORKERS processes each add 1 to a plain int in shared
 * memory INCREMENTS times. The increment is read, sometimes yield, write:
 * the yield only widens the window every unsynchronised read-modify-write
 * has, so the control run loses updates even on one idle core, and the
 * locked run proves exclusion while holders are often descheduled. */
#define WORKERS 4
#define INCREMENTS 100000

/* 100,000 normally; scaled down under valgrind (SVIPC_TEST_SCALE_DIVISOR). */
static long increments_per_worker(void)
{
    return test_iterations(INCREMENTS, 2000);
}

struct counter_job {
    int sem_id;
    int shm_id;
    int use_lock;
    int start_fds[2];
    long increments;
};

static int increment_worker(void *arg)
{
    const struct counter_job *job = arg;
    volatile int *counter = shmat(job->shm_id, NULL, 0);
    if (counter == (void *)-1)
        return 1;
    svipc_sem *sem = child_open(job->sem_id, 0);
    if (wait_for_start(job->start_fds) != 0)
        return child_done(sem, 4);
    for (long i = 0; i < job->increments; i++) {
        if (job->use_lock && svipc_sem_lock(sem, 0, 0, SVIPC_WAIT_FOREVER) != 0)
            return child_done(sem, 2);
        int value = *counter;
        if (i % 4 == 0)
            sched_yield(); /* let another worker run between our read and write */
        *counter = value + 1;
        if (job->use_lock && svipc_sem_unlock(sem, 0, 0) != 0)
            return child_done(sem, 3);
    }
    svipc_sem_close(sem);
    shmdt((const void *)counter);
    return 0;
}

static int run_counter(int use_lock)
{
    svipc_sem *sem = create_private(1, (const uint16_t[]){1});
    int shm_id = shmget(IPC_PRIVATE, sizeof(int), IPC_CREAT | 0600);
    ck_assert_int_ge(shm_id, 0);
    volatile int *counter = shmat(shm_id, NULL, 0);
    ck_assert_ptr_ne((void *)counter, (void *)-1);
    *counter = 0;
    int fds[2];
    pipe_or_fail(fds);
    struct counter_job job = {svipc_sem_id(sem), shm_id, use_lock, {fds[0], fds[1]}, increments_per_worker()};
    pid_t pids[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        pids[i] = proc_spawn(increment_worker, &job);
    close(fds[1]); /* all workers start together */
    close(fds[0]);
    for (int i = 0; i < WORKERS; i++)
        ck_assert_int_eq(proc_wait(pids[i], 240000), 0);
    int total = *counter;
    shmdt((const void *)counter);
    shmctl(shm_id, IPC_RMID, NULL);
    remove_and_close(sem);
    return total;
}

START_TEST(lock_gives_mutual_exclusion_across_processes)
{
    ck_assert_int_eq(run_counter(1), WORKERS * increments_per_worker());
}
END_TEST

START_TEST(without_the_lock_updates_are_lost)
{
    /* Proves the test above can fail. */
    int total = run_counter(0);
    fprintf(stderr, "unlocked counter: %d of %ld\n", total, WORKERS * increments_per_worker());
    ck_assert_int_lt(total, WORKERS * increments_per_worker());
}
END_TEST

/* ---- interoperability with raw semop ------------------------------------------ */

/* Plain System V code, no svipc: takes and gives back member 1 with semop,
 * and leaves a mark (+5 on member 0). */
static int raw_semop_user(void *arg)
{
    int32_t key = *(int32_t *)arg;
    int id = semget(key, 0, 0);
    if (id < 0)
        return 1;
    struct sembuf take = {1, -1, SEM_UNDO}, give = {1, 1, SEM_UNDO}, mark = {0, 5, 0};
    if (semop(id, &take, 1) != 0 || semop(id, &mark, 1) != 0 || semop(id, &give, 1) != 0)
        return 2;
    return 0;
}

START_TEST(set_created_by_svipc_works_with_raw_semop)
{
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, SVIPC_CREATE, 0, (const uint16_t[]){0, 1}, 0, &sem), 0);
    keep(sem);
    int32_t key = TEST_KEY;
    /* Hold member 1 so the raw user blocks in semop until we V it. */
    ck_assert_int_eq(svipc_sem_lock(sem, 1, 0, 0), 0);
    pid_t child = proc_spawn(raw_semop_user, &key);
    wait_for_waiters(sem, 1, 1, 0);
    ck_assert_int_eq(svipc_sem_unlock(sem, 1, 0), 0);
    ck_assert_int_eq(proc_wait(child, CHILD_TIMEOUT_MS), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 5, SVIPC_NO_UNDO, 1000 * MS), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 1);
    remove_and_close(sem);
}
END_TEST

START_TEST(set_created_by_raw_semget_works_with_svipc)
{
    int id = semget(TEST_KEY, 2, IPC_CREAT | IPC_EXCL | 0600);
    ck_assert_int_ge(id, 0);
    unsigned short init[2] = {2, 0};
    union semun_arg arg = {.array = init};
    ck_assert_int_eq(semctl(id, 0, SETALL, arg), 0);
    /* Not yet operated on: svipc_sem_open by key would wait for sem_otime,
     * open_id does not. */
    svipc_sem *sem = NULL;
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, 0, 0, NULL, 0, &sem), -EAGAIN);
    ck_assert_int_eq(svipc_sem_open_id(id, 0, &sem), 0);
    ck_assert_int_eq(svipc_sem_p(sem, 0, 2, 0, 0), 0);
    ck_assert_int_eq(semctl(id, 0, GETVAL), 0);
    struct sembuf give = {1, 3, 0};
    ck_assert_int_eq(semop(id, &give, 1), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 3);
    svipc_sem_close(sem);
    /* Once a semop has run, open by key finds it initialised. */
    ck_assert_int_eq(svipc_sem_open(TEST_KEY, 2, 0, 0, NULL, 0, &sem), 0);
    ck_assert_int_eq(svipc_sem_id(sem), id);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 0);
    ck_assert_int_eq(svipc_sem_v(sem, 0, 2, 0), 0); /* gives back the undone P */
    remove_and_close(sem);
}
END_TEST

START_TEST(call_blocks_do_what_p_and_v_do)
{
    const uint16_t initial[2] = {1, 0};
    svipc_sem *sem = create_private(2, initial);
    svipc_sem_call take = {sem, 1, 2, 0, 0, 0}, give = {sem, 1, 2, 0, 0, 0};
    ck_assert_int_eq(svipc_sem_p_call(&take), -EAGAIN); /* member 1 is 0 */
    ck_assert_int_eq(svipc_sem_v_call(&give), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 2);
    ck_assert_int_eq(svipc_sem_p_call(&take), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 0);
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1); /* the other member untouched */
    take.timeout_ns = 20 * 1000000LL;
    ck_assert_int_eq(svipc_sem_p_call(&take), -ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(svipc_last_error_message(), "svipc_sem_p_call"));
    /* Bad blocks: NULL, reserved set, NULL handle, and what svipc_sem_p rejects. */
    ck_assert_int_eq(svipc_sem_p_call(NULL), -EINVAL);
    ck_assert_int_eq(svipc_sem_v_call(NULL), -EINVAL);
    svipc_sem_call bad = give;
    bad.reserved = 1;
    ck_assert_int_eq(svipc_sem_v_call(&bad), -EINVAL);
    bad = give;
    bad.sem = NULL;
    ck_assert_int_eq(svipc_sem_v_call(&bad), -EINVAL);
    bad = give;
    bad.index = 2;
    ck_assert_int_eq(svipc_sem_v_call(&bad), -EINVAL);
    bad = take;
    bad.timeout_ns = -2;
    ck_assert_int_eq(svipc_sem_p_call(&bad), -EINVAL);
    ck_assert_int_eq(svipc_sem_value(sem, 1), 0);
    remove_and_close(sem);
}
END_TEST

HARNESS_SUITE("sem")
{
    HARNESS_CASE("open", 240, open_private_creates_set_with_initial_values_and_mode_0600,
                 open_without_initial_values_gives_zeros, open_existing_by_key_ignores_initial_values_and_is_not_creator,
                 open_exclusive_existing_is_eexist, open_missing_key_is_enoent, open_bad_arguments_are_einval,
                 open_initial_value_above_semvmx_is_erange, open_more_members_than_existing_set_is_einval,
                 open_of_set_never_initialised_times_out_and_removal_recovers, open_waits_until_creator_has_initialised,
                 open_id_opens_existing_and_rejects_missing_id, init_race_has_exactly_one_initialiser);
    HARNESS_CASE("p_v", 240, p_and_v_change_the_value_and_record_the_pid, try_p_at_zero_is_eagain,
                 timed_p_times_out_never_early, timed_p_succeeds_when_v_arrives_in_time,
                 timed_p_with_centuries_timeout_waits_like_forever, signal_during_timed_p_resumes_with_remaining_time,
                 signal_during_interruptible_p_is_eintr, signal_during_blocking_p_does_not_end_it,
                 v_beyond_semvmx_and_bad_counts_are_rejected, undo_adjustment_beyond_32767_is_erange,
                 call_blocks_do_what_p_and_v_do);
    HARNESS_CASE("ops", 240, ops_apply_all_or_nothing, ops_wait_for_zero_blocks_until_zero,
                 ops_bad_arguments_are_rejected);
    HARNESS_CASE("control", 240, values_and_set_values_round_trip, set_value_clears_undo_adjustments,
                 waiting_counts_blocked_processes, stat_set_mode_and_owner, remove_wakes_blocked_waiters_with_eidrm,
                 operations_after_remove_are_eidrm, null_handle_is_einval_everywhere, handle_used_after_fork_is_echild);
    HARNESS_CASE("lock", 240, crash_while_locked_releases_the_lock_within_a_second,
                 crash_while_locked_without_undo_keeps_the_lock, no_undo_at_open_applies_to_every_operation,
                 lock_try_timed_and_unlock, lock_gives_mutual_exclusion_across_processes,
                 without_the_lock_updates_are_lost);
    HARNESS_CASE("interop", 240, set_created_by_svipc_works_with_raw_semop, set_created_by_raw_semget_works_with_svipc);
}
