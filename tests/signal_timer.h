/* Signals for tests of waits that a signal interrupts: a counting handler
 * installed without SA_RESTART, and a one-shot SIGALRM timer. */
#ifndef SVIPC_TESTS_SIGNAL_TIMER_H
#define SVIPC_TESTS_SIGNAL_TIMER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Installs a handler for signo that only counts (no SA_RESTART) and resets
 * the count to zero. Returns 0 or -errno; asserts nothing, so a forked child
 * may call it. */
int count_signals(int signo);

/* How many counted signals arrived since count_signals. */
int signals_counted(void);

/* Counts SIGALRM (count_signals) and arms a one-shot timer that raises it in
 * ms milliseconds. Asserts that both succeed. */
void signal_after_ms(long ms);

/* Disarms the timer and restores SIGALRM's default action. */
void signal_timer_off(void);

#ifdef __cplusplus
}
#endif

#endif
