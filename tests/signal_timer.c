#include "signal_timer.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t signals_seen;

static void count_signal(int signo)
{
    (void)signo;
    signals_seen++;
}

int count_signals(int signo)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = count_signal; /* no SA_RESTART: the wait under test sees EINTR */
    sigemptyset(&action.sa_mask);
    signals_seen = 0;
    return sigaction(signo, &action, NULL) == 0 ? 0 : -errno;
}

int signals_counted(void)
{
    return (int)signals_seen;
}

void signal_after_ms(long ms)
{
    ck_assert_int_eq(count_signals(SIGALRM), 0);
    struct itimerval timer = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    ck_assert_int_eq(setitimer(ITIMER_REAL, &timer, NULL), 0);
}

void signal_timer_off(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
}
