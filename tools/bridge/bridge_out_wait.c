/* svipc bridge — how an out thread waits for its channel's next value.
 *
 * Waking a sleeping thread costs more than the rest of the bridge's path
 * together (a futex wake-up on another CPU, tens of microseconds on a busy
 * or virtual machine), and the out thread's wake-up is the one the raw
 * ZeroMQ path does not have. A spin avoids it only if the value comes while
 * the thread spins. Spinning --spin microseconds right after each value (the
 * channel's own wait) catches only values that come that fast; for a stream
 * slower than the spin, the spin is spent where no value comes.
 *
 * So the same budget is spent where the next value is expected: the thread
 * learns the interval between values from their publish times and, while
 * they come regularly, sleeps (woken at once by a value that comes early)
 * until shortly before the next one is due, then spins for at most --spin
 * microseconds. A value that comes later than that is waited for asleep, as
 * is the first one after a pause: when no value comes, the thread does not
 * poll. A stream faster than the spin keeps the channel's wait, spin first.
 */
#include "bridge_out_wait.h"

#include <errno.h>
#include <sys/prctl.h>

/* Longer intervals are not predicted: a pause, not a rate. */
#define PREDICT_MAX_NS 10000000000LL
/* The spin window starts this share of the spin before the expected time, so
 * values that come a little early are caught too. */
#define EARLY_SHARE 2

void bridge_out_wait_init(struct bridge_out_wait *w, int64_t spin_ns)
{
    w->spin_ns = spin_ns;
    w->last_publish_ns = 0;
    w->interval_ns = 0;
    /* A timed sleep ends when asked, not up to 50 us (the default slack) later. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
}

void bridge_out_wait_seen(struct bridge_out_wait *w, const svipc_channel_read_info *info)
{
    /* Publish times come from the segment: a hostile one only mistimes the
     * spin, and the bounds below keep even that to one spin per value. */
    int64_t t = info->publish_time_ns;
    int64_t dt = w->last_publish_ns ? t - w->last_publish_ns : 0;
    w->last_publish_ns = t;
    if (dt <= 0 || dt > PREDICT_MAX_NS) {
        w->interval_ns = 0;
        return;
    }
    dt /= (int64_t)(1 + (info->missed < 1000000 ? info->missed : 1000000)); /* values skipped came in between */
    w->interval_ns = w->interval_ns ? (3 * w->interval_ns + dt) / 4 : dt;
}

/* Plain wait: spin `spin_ns`, then sleep until a value comes. */
static int wait_asleep(svipc_channel *handle, uint64_t last, int64_t spin_ns)
{
    svipc_channel_set_spin(handle, spin_ns);
    return svipc_channel_wait(handle, last, SVIPC_WAIT_FOREVER, SVIPC_INTERRUPTIBLE);
}

int bridge_out_wait_next(struct bridge_out_wait *w, svipc_channel *handle, uint64_t last)
{
    if (w->interval_ns <= w->spin_ns || w->spin_ns == 0)
        return wait_asleep(handle, last, w->spin_ns); /* a fast stream (or no spin): the channel's wait */
    int64_t expected = w->last_publish_ns + w->interval_ns;
    int64_t spin_from = expected - w->spin_ns / EARLY_SHARE;
    int64_t spin_until = spin_from + w->spin_ns;
    int64_t now = svipc_channel_now_ns();
    if (now >= spin_until)
        return wait_asleep(handle, last, 0); /* overdue: a pause; sleep until it ends */
    int rc;
    svipc_channel_set_spin(handle, 0);
    if (now < spin_from) {
        rc = svipc_channel_wait(handle, last, spin_from - now, SVIPC_INTERRUPTIBLE);
        if (rc != -ETIMEDOUT)
            return rc; /* a value came early (0), or a signal */
        now = svipc_channel_now_ns();
    }
    if (now < spin_until) {
        rc = svipc_channel_wait(handle, last, spin_until - now, SVIPC_CHANNEL_SPIN | SVIPC_INTERRUPTIBLE);
        if (rc != -ETIMEDOUT)
            return rc;
    }
    return wait_asleep(handle, last, 0); /* later than expected: no more spinning for this one */
}
