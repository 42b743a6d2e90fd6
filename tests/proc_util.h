/* Test helpers for real multi-process tests: fork a child running a
 * function, wait for it with a bound, report how it ended. */
#ifndef SVIPC_TESTS_PROC_UTIL_H
#define SVIPC_TESTS_PROC_UTIL_H

#include <sys/types.h>

typedef int (*child_fn)(void *arg);

/* fork(); the child runs fn(arg) and _exit()s with its result. */
pid_t proc_spawn(child_fn fn, void *arg);

/* As proc_spawn, but the child is SIGKILLed when the process that spawned it
 * ends (PR_SET_PDEATHSIG): a failing test cannot leave it running, stopped
 * or holding a lock after the test process is gone. */
pid_t proc_spawn_tied(child_fn fn, void *arg);

/* Wait up to timeout_ms for pid. Returns the exit status (0..255), 128+signal
 * if it was killed by a signal, or -1 if it was still running at the deadline
 * (it is then killed with SIGKILL and reaped). */
int proc_wait(pid_t pid, int timeout_ms);

/* Iteration count for heavy loops: n, divided by $SVIPC_TEST_SCALE_DIVISOR
 * when set (the valgrind setup sets it, since valgrind runs ~50x slower), but
 * never below `minimum`. */
long test_iterations(long n, long minimum);

/* Monotonic clock in nanoseconds. */
long long proc_now_ns(void);

#endif
