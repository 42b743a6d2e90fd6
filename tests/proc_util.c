#include "proc_util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t proc_spawn(child_fn fn, void *arg)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg) & 0xff);
    return pid;
}

pid_t proc_spawn_tied(child_fn fn, void *arg)
{
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* getppid() after prctl: the parent may have died in between. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(99);
        _exit(fn(arg) & 0xff);
    }
    return pid;
}

long long proc_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int proc_wait(pid_t pid, int timeout_ms)
{
    long long deadline = proc_now_ns() + timeout_ms * 1000000LL;
    int status;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            return -1;
        if (proc_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(1000);
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

long test_iterations(long n, long minimum)
{
    const char *text = getenv("SVIPC_TEST_SCALE_DIVISOR");
    long divisor = text ? strtol(text, NULL, 10) : 1;
    if (divisor > 1)
        n /= divisor;
    return n < minimum ? minimum : n;
}
