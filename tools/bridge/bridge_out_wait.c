/* svipc bridge — how an out thread waits for its channel's next value: the
 * channel's futex wait, with the spin placed by bridge_spin.c (learnt from
 * the values' publish times). */
#include "bridge_out_wait.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>

void bridge_out_wait_init(struct bridge_out_wait *w, struct bridge_stats *stats, int64_t spin_ns)
{
    bridge_spin_init(&w->spin, spin_ns, &stats->spin_caught, &stats->spin_missed);
    /* A timed sleep ends when asked, not up to 50 us (the default slack) later. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

void bridge_out_wait_seen(struct bridge_out_wait *w, const svipc_channel_read_info *info)
{
    /* Publish times come from the segment: a hostile one only mistimes the
     * spin, which stays within the budget per value. */
    bridge_spin_arrived(&w->spin, info->publish_time_ns, svipc_channel_now_ns(), 1 + info->missed);
}

int bridge_out_wait_next(struct bridge_out_wait *w, svipc_channel *handle, uint64_t last)
{
    svipc_channel_set_spin(handle, 0); /* the spin is ours, below */
    if (svipc_channel_latest(handle) > last)
        return 0;
    int64_t now = svipc_channel_now_ns(), from, until;
    if (bridge_spin_window(&w->spin, now, &from, &until)) {
        int rc;
        /* Sleep until the window, less how late this thread's timed sleeps
         * have been ending, so that it is awake when the window opens. */
        int64_t wake = bridge_spin_wake_time(&w->spin, now, from);
        if (wake > now) {
            rc = svipc_channel_wait(handle, last, wake - now, SVIPC_INTERRUPTIBLE);
            if (rc != -ETIMEDOUT)
                return rc; /* a value came early (0), or a signal */
            now = svipc_channel_now_ns();
            bridge_spin_woke(&w->spin, wake, now); /* the timer ended it: how late? */
        }
        /* Spin yielding the CPU (bridge_spin.c): the publisher may be queued
         * on this CPU behind us. */
        rc = -ETIMEDOUT;
        while (now < until) {
            if (svipc_channel_latest(handle) > last) {
                rc = 0;
                break;
            }
            sched_yield();
            now = svipc_channel_now_ns();
        }
        bridge_spin_result(&w->spin, rc == 0);
        if (rc != -ETIMEDOUT)
            return rc;
    }
    return svipc_channel_wait(handle, last, SVIPC_WAIT_FOREVER, SVIPC_INTERRUPTIBLE);
}
