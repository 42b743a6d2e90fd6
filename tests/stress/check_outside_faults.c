/* Faults caused from outside the process: another process (the real
 * ipcrm(1), or a process stopped with SIGSTOP) pulls an object away or sits
 * on a lock. Every other party must get the error its reference page
 * documents, within its timeout, and nothing may hang: each party is a real
 * process, waited for with a bound, and reports how its call ended. */
#include <svipc/svipc.h>

#include "harness.h"
#include "proc_util.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_KEY 0x0f417001
#define MS 1000000LL
#define CHILD_TIMEOUT_MS 20000
#define CHANNEL_NAME "svipc-outside-faults"

/* What a party saw, written into shared memory so the parent can assert on
 * the code, the time it took and the message. */
struct party_report {
    long long started_ns;
    int rc;
    long long elapsed_ns;
    char message[256];
};

static struct party_report *reports; /* MAP_SHARED, one per party */

/* The test's own handles and buffer live in statics, so that a forked party
 * (under valgrind, CK_FORK=no) still reaches them and does not report them
 * as leaked when it exits. */
static svipc_shm *test_shm;
static unsigned char *test_buffer;
static svipc_channel *test_channel;
static svipc_msg *test_queue;
static svipc_sem *test_sem;

static void setup(void)
{
    reports = mmap(NULL, 16 * sizeof *reports, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(reports, MAP_FAILED);
    memset(reports, 0, 16 * sizeof *reports);
}

static void teardown(void)
{
    munmap(reports, 16 * sizeof *reports);
}

static void report(int party, int rc, long long start_ns)
{
    reports[party].rc = rc;
    reports[party].elapsed_ns = proc_now_ns() - start_ns;
    snprintf(reports[party].message, sizeof reports[party].message, "%s", svipc_last_error_message());
}

/* ipcrm(1) as the outside party: a separate program, as a user would run it. */
static void run_ipcrm(const char *option, int id)
{
    char text[16];
    snprintf(text, sizeof text, "%d", id);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execlp("ipcrm", "ipcrm", option, text, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_eq(proc_wait(pid, CHILD_TIMEOUT_MS), 0);
}

static void assert_party(int party, int expected_rc, long long min_ns, long long max_ns)
{
    const struct party_report *r = &reports[party];
    ck_assert_msg(r->rc == expected_rc, "party %d: got %d (%s), expected %d (%s); message: %s", party, r->rc,
                  svipc_strerror(r->rc), expected_rc, svipc_strerror(expected_rc), r->message);
    ck_assert_msg(r->elapsed_ns >= min_ns, "party %d returned after %lld ms, before %lld ms", party,
                  r->elapsed_ns / MS, min_ns / MS);
    ck_assert_msg(r->elapsed_ns <= max_ns, "party %d returned after %lld ms, later than %lld ms", party,
                  r->elapsed_ns / MS, max_ns / MS);
}

/* ---- an attach_into segment removed with ipcrm while attached ------------ */

struct shm_party {
    int32_t id;
    int party;
};

/* Another process: the key is released at once, so opening by key is -ENOENT. */
static int open_removed_by_key(void *arg)
{
    const struct shm_party *p = arg;
    svipc_shm *shm = NULL;
    const long long start = proc_now_ns();
    const int rc = svipc_shm_open(TEST_KEY, 0, 0, 0, &shm);
    report(p->party, rc, start);
    svipc_shm_close(shm);
    return 0;
}

START_TEST(attach_into_segment_removed_by_ipcrm_keeps_memory_then_eidrm)
{
    const uint64_t page = svipc_page_size();
    const uint64_t size = 2 * page;
    ck_assert_int_eq(svipc_shm_open(TEST_KEY, size, SVIPC_CREATE | SVIPC_EXCLUSIVE, 0, &test_shm), 0);
    svipc_shm *shm = test_shm;
    test_buffer = malloc(size + page - 1);
    unsigned char *buffer = test_buffer;
    ck_assert_ptr_nonnull(buffer);
    void *addr = NULL;
    ck_assert_int_eq(svipc_shm_attach_into(shm, buffer, size + page - 1, 0, &addr), 0);
    unsigned char *bytes = addr;
    for (uint64_t i = 0; i < size; i++)
        bytes[i] = (unsigned char)(i * 7);

    run_ipcrm("-m", svipc_shm_id(shm));

    /* This process keeps working memory: the kernel defers destruction. */
    for (uint64_t i = 0; i < size; i++)
        ck_assert_uint_eq(bytes[i], (unsigned char)(i * 7));
    bytes[5] = 0xab;
    svipc_shm_info info;
    ck_assert_int_eq(svipc_shm_stat(shm, &info), 0);
    ck_assert_uint_ne(info.flags & SVIPC_SHM_INFO_REMOVED, 0);
    ck_assert_int_eq(info.key, 0);

    struct shm_party party = {svipc_shm_id(shm), 0};
    pid_t pid = proc_spawn_tied(open_removed_by_key, &party);
    ck_assert_int_eq(proc_wait(pid, CHILD_TIMEOUT_MS), 0);
    assert_party(0, -ENOENT, 0, LATE_SLACK_NS);

    /* The last detach destroys it; the buffer keeps the last contents. */
    ck_assert_int_eq(svipc_shm_detach(shm, addr), 0);
    ck_assert_uint_eq(bytes[5], 0xab);
    ck_assert_uint_eq(bytes[size - 1], (unsigned char)((size - 1) * 7));
    ck_assert_int_eq(svipc_shm_stat(shm, &info), -EIDRM);
    void *again = NULL;
    ck_assert_int_eq(svipc_shm_attach_into(shm, buffer, size + page - 1, 0, &again), -EIDRM);
    ck_assert_int_eq(svipc_shm_attach(shm, NULL, 0, &again), -EIDRM);
    ck_assert_int_eq(svipc_shm_remove(shm), -EIDRM);
    test_shm = svipc_shm_close(shm);
    free(buffer);
    test_buffer = NULL;
}
END_TEST

/* ---- a channel's writer lock removed while a writer holds it ------------- */

struct channel_party {
    int party;
    uint32_t flags;
    int read_only;
};

/* Open the channel and publish (or read) once. */
static int channel_party_run(void *arg)
{
    const struct channel_party *p = arg;
    svipc_channel *channel = NULL;
    int rc = svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, p->flags, 0, &channel);
    const long long start = proc_now_ns();
    if (rc == 0) {
        int64_t value = 7;
        if (p->read_only) {
            rc = svipc_channel_read(channel, &value, sizeof value, SVIPC_CHANNEL_ANY_AGE, NULL);
            if (rc == 0 && value != 41)
                rc = -EBADMSG; /* not the holder's last value */
        } else {
            rc = svipc_channel_publish(channel, &value, sizeof value, NULL);
        }
    }
    report(p->party, rc, start);
    svipc_channel_close(channel);
    return 0;
}

/* A reader that opened before the fault: it reads once it is told to (a
 * byte on the pipe), after the writer lock is gone. */
struct early_reader {
    int party;
    int opened_fd; /* writes one byte once open */
    int go_fd;     /* reads one byte before reading */
};

static int early_reader_run(void *arg)
{
    const struct early_reader *r = arg;
    svipc_channel *channel = NULL;
    int rc = svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &channel);
    char byte = rc == 0 ? 'O' : 'E';
    if (write(r->opened_fd, &byte, 1) != 1 || read(r->go_fd, &byte, 1) != 1)
        rc = -EPIPE;
    const long long start = proc_now_ns();
    int64_t value = 0;
    if (rc == 0) {
        rc = svipc_channel_read(channel, &value, sizeof value, SVIPC_CHANNEL_ANY_AGE, NULL);
        if (rc == 0 && value != 41)
            rc = -EBADMSG; /* not the holder's last value */
    }
    report(r->party, rc, start);
    svipc_channel_close(channel);
    return 0;
}

START_TEST(channel_writer_lock_removed_while_held_gives_other_writers_eidrm)
{
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &test_channel), 0);
    svipc_channel *writer = test_channel;
    int64_t value = 40;
    ck_assert_int_eq(svipc_channel_publish(writer, &value, sizeof value, NULL), 0); /* takes the lock */
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(writer, &info), 0);
    ck_assert_int_eq(info.writer_pid, getpid());
    int opened[2], go[2];
    ck_assert_int_eq(pipe(opened), 0);
    ck_assert_int_eq(pipe(go), 0);
    struct early_reader early = {3, opened[1], go[0]};
    const pid_t reader = proc_spawn_tied(early_reader_run, &early);
    char byte = 0;
    ck_assert_int_eq(read(opened[0], &byte, 1), 1);
    ck_assert_int_eq(byte, 'O');

    run_ipcrm("-s", info.sem_id);

    /* The holder makes no system call per publish: it goes on publishing,
     * and a reader that had opened the channel (readers need no lock) keeps
     * getting its values. */
    value = 41;
    ck_assert_int_eq(svipc_channel_publish(writer, &value, sizeof value, NULL), 0);
    ck_assert_int_eq(write(go[1], "g", 1), 1);
    ck_assert_int_eq(proc_wait(reader, CHILD_TIMEOUT_MS), 0);
    assert_party(3, 0, 0, LATE_SLACK_NS);
    /* Whoever opens it from now on is told the channel is being removed:
     * the header names a writer lock that no longer exists. */
    const struct channel_party parties[] = {
        {0, 0, 0},                           /* another exclusive writer */
        {1, SVIPC_CHANNEL_SHARED_WRITER, 0}, /* a shared writer */
        {2, 0, 1},                           /* a new reader */
    };
    for (size_t i = 0; i < sizeof parties / sizeof parties[0]; i++) {
        pid_t pid = proc_spawn_tied(channel_party_run, (void *)&parties[i]);
        ck_assert_int_eq(proc_wait(pid, CHILD_TIMEOUT_MS), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_party(i, -EIDRM, 0, LATE_SLACK_NS);
        ck_assert_msg(strstr(reports[i].message, "writer lock") != NULL, "message: %s", reports[i].message);
    }

    /* The holder's stat cannot name a holder any more. */
    ck_assert_int_eq(svipc_channel_stat(writer, &info), -EIDRM);
    /* Removing the channel still works (the lock is already gone), and
     * closing the holder gives back nothing, quietly. */
    ck_assert_int_eq(svipc_channel_remove(writer), 0);
    test_channel = svipc_channel_close(writer);
    close(opened[0]);
    close(opened[1]);
    close(go[0]);
    close(go[1]);
}
END_TEST

/* ---- a queue removed under a blocked sender and a blocked receiver -------- */

struct queue_party {
    int32_t id;
    int party;
    int send;
    int64_t timeout_ns;
};

static int queue_party_run(void *arg)
{
    const struct queue_party *p = arg;
    svipc_msg *queue = NULL;
    int rc = svipc_msg_open_id(p->id, &queue);
    const long long start = proc_now_ns();
    reports[p->party].started_ns = start;
    if (rc == 0) {
        char data[64] = {0};
        if (p->send)
            rc = svipc_msg_send(queue, 1, data, sizeof data, 0, p->timeout_ns);
        else
            rc = (int)svipc_msg_receive(queue, 2, data, sizeof data, 0, p->timeout_ns, NULL);
    }
    report(p->party, rc, start);
    svipc_msg_close(queue);
    return 0;
}

START_TEST(queue_removed_under_blocked_sender_and_receiver_wakes_both_with_eidrm)
{
    ck_assert_int_eq(svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, 0, &test_queue), 0);
    svipc_msg *queue = test_queue;
    ck_assert_int_eq(svipc_msg_set_capacity(queue, 64), 0);
    char data[64] = {0};
    ck_assert_int_eq(svipc_msg_send(queue, 1, data, sizeof data, 0, 0), 0); /* now full */
    const int32_t id = svipc_msg_id(queue);
    const int64_t ten_seconds = 10000 * MS;
    const struct queue_party parties[] = {
        {id, 0, 1, ten_seconds},        /* timed sender, queue full */
        {id, 1, 0, ten_seconds},        /* timed receiver, no message of type 2 */
        {id, 2, 1, SVIPC_WAIT_FOREVER}, /* untimed sender */
        {id, 3, 0, SVIPC_WAIT_FOREVER}, /* untimed receiver */
    };
    pid_t pids[4];
    for (int i = 0; i < 4; i++)
        pids[i] = proc_spawn_tied(queue_party_run, (void *)&parties[i]);
    /* Let every party block (the queue has no waiter count to poll): each
     * stamps its start just before its call, then 300 ms more. */
    const long long deadline = proc_now_ns() + 10000 * MS;
    for (int i = 0; i < 4; i++)
        while (reports[i].started_ns == 0 && proc_now_ns() < deadline)
            usleep(1000);
    usleep(300 * 1000);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(waitpid(pids[i], NULL, WNOHANG), 0); /* still blocked */
    const long long removed_at = proc_now_ns();
    run_ipcrm("-q", id);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(proc_wait(pids[i], CHILD_TIMEOUT_MS), 0);
    const long long woken_within = proc_now_ns() - removed_at;
    for (int i = 0; i < 4; i++)
        assert_party(i, -EIDRM, 300 * MS, ten_seconds);
    ck_assert_msg(woken_within < LATE_SLACK_NS, "parties woke %lld ms after the removal", woken_within / MS);
    ck_assert_int_eq(svipc_msg_send(queue, 1, data, 1, 0, 0), -EIDRM);
    test_queue = svipc_msg_close(queue);
}
END_TEST

/* ---- a lock holder stopped longer than every timeout --------------------- */

struct holder_args {
    int32_t sem_id;
    int ready_fd;
};

/* Holds the semaphore lock and the channel's exclusive writer lock, says so,
 * then waits to be stopped, continued and told to let go (a byte on stdin
 * of the pipe it is given is not needed: SIGTERM ends it). */
static int hold_locks(void *arg)
{
    const struct holder_args *a = arg;
    svipc_sem *sem = NULL;
    svipc_channel *channel = NULL;
    int rc = svipc_sem_open_id(a->sem_id, 0, &sem);
    if (rc == 0)
        rc = svipc_sem_lock(sem, 0, 0, 0);
    if (rc == 0)
        rc = svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, 0, 0, &channel);
    int64_t value = 41;
    if (rc == 0)
        rc = svipc_channel_publish(channel, &value, sizeof value, NULL);
    const char byte = rc == 0 ? 'L' : 'E';
    if (write(a->ready_fd, &byte, 1) != 1 || rc != 0)
        return 90;
    for (;;)
        pause(); /* SIGKILL ends it; the kernel gives both locks back */
}

struct waiter_args {
    int32_t sem_id;
    int party;
    int64_t timeout_ns;
};

static int lock_with_timeout(void *arg)
{
    const struct waiter_args *w = arg;
    svipc_sem *sem = NULL;
    int rc = svipc_sem_open_id(w->sem_id, 0, &sem);
    const long long start = proc_now_ns();
    if (rc == 0) {
        rc = svipc_sem_lock(sem, 0, 0, w->timeout_ns);
        if (rc == 0)
            svipc_sem_unlock(sem, 0, 0);
    }
    report(w->party, rc, start);
    svipc_sem_close(sem);
    return 0;
}

START_TEST(stopped_lock_holder_gives_every_waiter_its_timeout_error)
{
    const uint16_t one = 1;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, &one, 0, &test_sem), 0);
    svipc_sem *sem = test_sem;
    ck_assert_int_eq(svipc_channel_open(CHANNEL_NAME, SVIPC_CHANNEL_TYPE_INT64, 8, 0, SVIPC_CREATE, 0, &test_channel), 0);
    svipc_channel *channel = test_channel;

    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    struct holder_args holder_args = {svipc_sem_id(sem), fds[1]};
    const pid_t holder = proc_spawn_tied(hold_locks, &holder_args);
    char byte = 0;
    ck_assert_int_eq(read(fds[0], &byte, 1), 1);
    ck_assert_int_eq(byte, 'L');
    ck_assert_int_eq(kill(holder, SIGSTOP), 0);

    /* Stopped for longer than every timeout below (the longest is the
     * shared writer's SVIPC_CHANNEL_LOCK_TIMEOUT_NS): each party gives up
     * with its own error, not early, not much late, and nothing hangs. */
    const struct waiter_args timed = {svipc_sem_id(sem), 0, 300 * MS};
    const struct waiter_args try_once = {svipc_sem_id(sem), 1, 0};
    const struct channel_party exclusive = {2, 0, 0};
    const struct channel_party shared = {3, SVIPC_CHANNEL_SHARED_WRITER, 0};
    const struct channel_party reader = {4, 0, 1};
    pid_t pids[5] = {
        proc_spawn_tied(lock_with_timeout, (void *)&timed),
        proc_spawn_tied(lock_with_timeout, (void *)&try_once),
        proc_spawn_tied(channel_party_run, (void *)&exclusive),
        proc_spawn_tied(channel_party_run, (void *)&shared),
        proc_spawn_tied(channel_party_run, (void *)&reader),
    };
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(proc_wait(pids[i], CHILD_TIMEOUT_MS), 0);
    assert_party(0, -ETIMEDOUT, 300 * MS, 300 * MS + LATE_SLACK_NS);
    assert_party(1, -EAGAIN, 0, LATE_SLACK_NS);
    assert_party(2, -EBUSY, 0, LATE_SLACK_NS);
    char holder_text[32];
    snprintf(holder_text, sizeof holder_text, "pid %d", (int)holder);
    ck_assert_msg(strstr(reports[2].message, holder_text) != NULL, "message: %s", reports[2].message);
    assert_party(3, -EBUSY, SVIPC_CHANNEL_LOCK_TIMEOUT_NS, SVIPC_CHANNEL_LOCK_TIMEOUT_NS + LATE_SLACK_NS);
    assert_party(4, 0, 0, LATE_SLACK_NS);

    /* Once it is gone (a stopped process can still be killed), the kernel
     * gives both locks back and the next waiter gets them at once. */
    ck_assert_int_eq(kill(holder, SIGKILL), 0);
    ck_assert_int_eq(proc_wait(holder, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_int_eq(svipc_sem_lock(sem, 0, 0, 1000 * MS), 0);
    ck_assert_int_eq(svipc_sem_unlock(sem, 0, 0), 0);
    int64_t value = 42;
    ck_assert_int_eq(svipc_channel_publish(channel, &value, sizeof value, NULL), 0);

    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(svipc_channel_remove(channel), 0);
    test_channel = svipc_channel_close(channel);
    ck_assert_int_eq(svipc_sem_remove(sem), 0);
    test_sem = svipc_sem_close(sem);
}
END_TEST

/* A creator stopped between semget and its initialisation (the window the
 * open handshake covers): an opener waits its init timeout, then -ETIMEDOUT
 * with a message naming the set to remove. */
static int create_then_stop(void *arg)
{
    (void)arg;
    if (semget(TEST_KEY, 1, IPC_CREAT | IPC_EXCL | 0600) < 0)
        return 90;
    raise(SIGSTOP);
    return 0;
}

static int open_with_init_timeout(void *arg)
{
    (void)arg;
    svipc_sem *sem = NULL;
    const long long start = proc_now_ns();
    const int rc = svipc_sem_open(TEST_KEY, 1, SVIPC_CREATE, 0, NULL, 300 * MS, &sem);
    report(0, rc, start);
    svipc_sem_close(sem);
    return 0;
}

START_TEST(stopped_semaphore_creator_gives_openers_etimedout_naming_the_set)
{
    const pid_t creator = proc_spawn_tied(create_then_stop, NULL);
    /* Wait until it has created the set and stopped itself. */
    int status;
    ck_assert_int_eq(waitpid(creator, &status, WUNTRACED), creator);
    ck_assert(WIFSTOPPED(status));
    const int semid = semget(TEST_KEY, 0, 0);
    ck_assert_int_ge(semid, 0);

    const pid_t opener = proc_spawn_tied(open_with_init_timeout, NULL);
    ck_assert_int_eq(proc_wait(opener, CHILD_TIMEOUT_MS), 0);
    assert_party(0, -ETIMEDOUT, 300 * MS, 300 * MS + LATE_SLACK_NS);
    char remedy[32];
    snprintf(remedy, sizeof remedy, "ipcrm -s %d", semid);
    ck_assert_msg(strstr(reports[0].message, remedy) != NULL, "message: %s", reports[0].message);

    ck_assert_int_eq(kill(creator, SIGKILL), 0);
    ck_assert_int_eq(proc_wait(creator, CHILD_TIMEOUT_MS), 128 + SIGKILL);
    ck_assert_int_eq(svipc_sem_remove_id(semid), 0);
}
END_TEST

HARNESS_SUITE("outside_faults")
{
    harness_checked_fixture(setup, teardown);
    HARNESS_CASE("shm", 0, attach_into_segment_removed_by_ipcrm_keeps_memory_then_eidrm);
    HARNESS_CASE("channel", 0, channel_writer_lock_removed_while_held_gives_other_writers_eidrm);
    HARNESS_CASE("msg", 0, queue_removed_under_blocked_sender_and_receiver_wakes_both_with_eidrm);
    HARNESS_CASE("stopped", 0, stopped_lock_holder_gives_every_waiter_its_timeout_error);
    HARNESS_CASE("stopped_creator", 0, stopped_semaphore_creator_gives_openers_etimedout_naming_the_set);
}
