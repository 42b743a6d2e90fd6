/* Semaphores from C: svipc against raw semop(2), measured in the same run.
 *
 *   1. uncontended P+V pair on one semaphore, both with SEM_UNDO
 *      (raw: two semop calls; svipc: svipc_sem_p + svipc_sem_v, and
 *      svipc_sem_lock + svipc_sem_unlock, whose unlock is a 2-op semop);
 *   2. cross-process ping-pong with two semaphores (no undo: signalling):
 *      A does V(ping) P(pong), B does P(ping) V(pong); time per round trip.
 *
 * Raw and svipc rounds alternate and each figure is the best of ROUNDS, so
 * both see the same machine state. Target: svipc <= 1.1x raw. */
#include <svipc/svipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 7
#define PAIRS 300000
#define TRIPS 50000

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "%s failed: %d %s\n", what, rc, svipc_last_error_message());
    exit(1);
}

/* ---- uncontended pairs -------------------------------------------------- */

static double raw_pairs(int semid)
{
    struct sembuf p = {0, -1, SEM_UNDO}, v = {0, 1, SEM_UNDO};
    double start = now_ns();
    for (int i = 0; i < PAIRS; i++) {
        if (semop(semid, &p, 1) != 0 || semop(semid, &v, 1) != 0)
            die("raw semop", -1);
    }
    return (now_ns() - start) / PAIRS;
}

static double svipc_pairs(svipc_sem *sem)
{
    double start = now_ns();
    for (int i = 0; i < PAIRS; i++) {
        int rc = svipc_sem_p(sem, 0, 1, 0, SVIPC_WAIT_FOREVER);
        if (rc == 0)
            rc = svipc_sem_v(sem, 0, 1, 0);
        if (rc != 0)
            die("svipc_sem_p/v", rc);
    }
    return (now_ns() - start) / PAIRS;
}

static double svipc_lock_pairs(svipc_sem *sem)
{
    double start = now_ns();
    for (int i = 0; i < PAIRS; i++) {
        int rc = svipc_sem_lock(sem, 0, 0, SVIPC_WAIT_FOREVER);
        if (rc == 0)
            rc = svipc_sem_unlock(sem, 0, 0);
        if (rc != 0)
            die("svipc_sem_lock/unlock", rc);
    }
    return (now_ns() - start) / PAIRS;
}

/* ---- ping-pong ----------------------------------------------------------- */

enum side { RAW, SVIPC };

/* Member 0 is "ping", member 1 "pong". B runs in a child; A times TRIPS round trips. */
static void bounce(enum side side, int semid, svipc_sem *sem, int is_a)
{
    const unsigned short wait_on = is_a ? 1 : 0, signal_to = is_a ? 0 : 1;
    struct sembuf p = {wait_on, -1, 0}, v = {signal_to, 1, 0};
    for (int i = 0; i < TRIPS; i++) {
        int rc;
        if (is_a) {
            rc = side == RAW ? semop(semid, &v, 1) : svipc_sem_v(sem, signal_to, 1, SVIPC_NO_UNDO);
            if (rc == 0)
                rc = side == RAW ? semop(semid, &p, 1) : svipc_sem_p(sem, wait_on, 1, SVIPC_NO_UNDO, SVIPC_WAIT_FOREVER);
        } else {
            rc = side == RAW ? semop(semid, &p, 1) : svipc_sem_p(sem, wait_on, 1, SVIPC_NO_UNDO, SVIPC_WAIT_FOREVER);
            if (rc == 0)
                rc = side == RAW ? semop(semid, &v, 1) : svipc_sem_v(sem, signal_to, 1, SVIPC_NO_UNDO);
        }
        if (rc != 0)
            die("ping-pong", rc);
    }
}

static double ping_pong(enum side side, int semid)
{
    pid_t pid = fork();
    if (pid == 0) {
        svipc_sem *own = NULL;
        if (side == SVIPC && svipc_sem_open_id(semid, 0, &own) != 0)
            _exit(1);
        bounce(side, semid, own, 0);
        svipc_sem_close(own);
        _exit(0);
    }
    svipc_sem *own = NULL;
    if (side == SVIPC && svipc_sem_open_id(semid, 0, &own) != 0)
        die("svipc_sem_open_id", -1);
    double start = now_ns();
    bounce(side, semid, own, 1);
    double per_trip = (now_ns() - start) / TRIPS;
    svipc_sem_close(own);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("ping-pong child", -1);
    return per_trip;
}

static double min2(double a, double b)
{
    return a < b ? a : b;
}

int main(void)
{
    svipc_sem *sem = NULL;
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 2, SVIPC_CREATE, 0, (const uint16_t[]){1, 0}, 0, &sem);
    if (rc != 0)
        die("svipc_sem_open", rc);
    const int semid = svipc_sem_id(sem);

    double raw = 1e300, ours = 1e300, lock = 1e300;
    raw_pairs(semid); /* warm-up: allocates this process's undo state */
    for (int r = 0; r < ROUNDS; r++) {
        raw = min2(raw, raw_pairs(semid));
        ours = min2(ours, svipc_pairs(sem));
        lock = min2(lock, svipc_lock_pairs(sem));
    }
    printf("uncontended P+V pair (SEM_UNDO), best of %d x %d pairs:\n", ROUNDS, PAIRS);
    printf("  raw semop              %8.1f ns\n", raw);
    printf("  svipc_sem_p + _v       %8.1f ns   %.3fx raw\n", ours, ours / raw);
    printf("  svipc_sem_lock+unlock  %8.1f ns   %.3fx raw\n", lock, lock / raw);

    if ((rc = svipc_sem_set_values(sem, (const uint16_t[]){0, 0}, 2)) != 0) /* ping and pong start empty */
        die("svipc_sem_set_values", rc);
    double raw_trip = 1e300, our_trip = 1e300;
    for (int r = 0; r < ROUNDS; r++) {
        raw_trip = min2(raw_trip, ping_pong(RAW, semid));
        our_trip = min2(our_trip, ping_pong(SVIPC, semid));
    }
    printf("cross-process ping-pong round trip (2 semaphores), best of %d x %d trips:\n", ROUNDS, TRIPS);
    printf("  raw semop              %8.1f ns\n", raw_trip);
    printf("  svipc_sem_v + _p       %8.1f ns   %.3fx raw\n", our_trip, our_trip / raw_trip);

    svipc_sem_remove(sem);
    svipc_sem_close(sem);
    return 0;
}
