/* svipc bridge — where to spend the spin budget: just before the next value.
 *
 * Waking a sleeping thread costs more than the rest of the bridge's work per
 * value (a wake-up on another CPU: tens of microseconds on a busy or virtual
 * machine), and the bridge has two threads that raw ZeroMQ does not: the out
 * thread, woken by the publisher, and the in loop, woken by ZeroMQ's I/O
 * thread where the raw SUB is. A thread that is spinning when the value comes
 * needs no wake-up, but only if it spins then: spinning right after each
 * value (the channel's own wait) catches only values that come that fast.
 *
 * So each waiting thread learns the interval between values and, while they
 * come regularly, sleeps (a value that comes early still wakes it) until
 * shortly before the next one is due, then spins for at most --spin
 * microseconds: the same budget per value, spent where it helps. A stream
 * faster than the budget spins right away. A value that comes later than the
 * window is waited for asleep, and once a window has passed without a value
 * (a pause) the thread sleeps until values come again: an idle bridge does
 * not poll.
 *
 * A timed sleep can end tens of microseconds after the time asked (on a
 * virtual machine whose CPU halted, the host must first run it again): more
 * than the half budget a window opens before the value, so the value itself
 * would wake the thread and the window would never spin. Each thread learns
 * how late its timed sleeps end and asks them to end that much earlier
 * (bridge_spin_wake_time), at most the budget again per value.
 *
 * A spinning thread yields the CPU on every turn (sched_yield): the thread
 * that brings the value (the publisher, or ZeroMQ's I/O thread on the in
 * side) may be queued on the very CPU it spins on, because the other CPU
 * was idle and slow to wake. A scheduler trace (perf sched timehist) showed
 * ZeroMQ's I/O thread on the in side runnable for 111 us behind the in loop
 * spinning for that value; with the yield, the bridge's p50 over raw ZeroMQ
 * went from +11 to +18 us to -2 to 0 us at 64 B and from +16 to +40 us to
 * +7 to +12 us at 64 KiB (doc/benchmarks.md).
 *
 * A spin that catches nothing is not tried for the next 1, 2, 4 ... 1024
 * values, and one that catches ends that backoff. This bounds the waste on
 * irregular streams, and on a machine with fewer free cores than busy threads
 * it stops a thread from spinning for a value whose producer cannot run
 * because the spin holds the CPU it needs.
 */
#include "bridge_spin.h"

/* Longer intervals are not predicted: a pause, not a rate. */
#define PREDICT_MAX_NS 10000000000LL
#define BACKOFF_MAX 1024

/* Stamps come from a segment or from the network: any value, so no
 * arithmetic on them may overflow; a value that would is forgotten. */
static int add(int64_t a, int64_t b, int64_t *ret)
{
    return !__builtin_add_overflow(a, b, ret);
}

static int sub(int64_t a, int64_t b, int64_t *ret)
{
    return !__builtin_sub_overflow(a, b, ret);
}

void bridge_spin_init(struct bridge_spin *s, int64_t budget_ns, atomic_uint_fast64_t *caught,
                      atomic_uint_fast64_t *missed)
{
    *s = (struct bridge_spin){.budget_ns = budget_ns, .caught = caught, .missed = missed}; /* no value yet */
}

void bridge_spin_arrived(struct bridge_spin *s, int64_t stamp_ns, int64_t now_ns, uint64_t values)
{
    /* When the value could first be seen here: its stamp plus a low
     * quantile of the delays seen (down fast, up slowly: about the lowest
     * third), which follows a drifting clock. Not the mean: the delay of a
     * value that had to wake the thread up includes the wake-up, which would
     * put the next window too late to catch anything; not the least: one
     * lucky value would put every later window too early. */
    int64_t offset, step, dt = 0;
    if (!sub(now_ns, stamp_ns, &offset)) {
        s->seen = 0;
        return;
    }
    if (!s->seen || !sub(offset, s->offset_ns, &step))
        s->offset_ns = offset;
    else
        s->offset_ns += step < 0 ? step / 4 : step / 8;
    int had = s->seen;
    if (had && !sub(stamp_ns, s->last_stamp_ns, &dt))
        dt = 0;
    s->seen = 1;
    s->last_stamp_ns = stamp_ns;
    if (dt <= 0 || dt > PREDICT_MAX_NS) {
        s->interval_ns = 0;
        s->grid_ns = stamp_ns;
        return;
    }
    int64_t n = (int64_t)(values < 1000000 ? values : 1000000); /* values skipped since the last one came between */
    if (n < 1)
        n = 1;
    s->interval_ns = s->interval_ns ? (7 * s->interval_ns + dt / n) / 8 : dt / n;
    /* A periodic publisher publishes on a grid, each value a little late by
     * its own wake-up: the grid is where the earliest values are, not where
     * the last one happened to be. */
    int64_t predicted, late;
    if (!add(s->grid_ns, n * s->interval_ns, &predicted) || !sub(stamp_ns, predicted, &late) || late <= 0)
        s->grid_ns = stamp_ns;
    else
        s->grid_ns = predicted + late / 8;
}

int bridge_spin_window(struct bridge_spin *s, int64_t now_ns, int64_t *ret_from, int64_t *ret_until)
{
    if (s->budget_ns <= 0 || !s->seen)
        return 0; /* no spin, or no value yet */
    if (s->skip > 0) {
        s->skip--;
        return 0;
    }
    /* Half the budget before the expected time, half after: catches values
     * that come a little early or late. A stream faster than the budget
     * (or one value so far) gives a window that has already begun. */
    int64_t from, until;
    if (!add(s->grid_ns, s->offset_ns, &from) || !add(from, s->interval_ns - s->budget_ns / 2, &from) ||
        !add(from, s->budget_ns, &until) || now_ns >= until)
        return 0; /* overdue (a pause), or nothing sensible to predict */
    *ret_from = from > now_ns ? from : now_ns;
    *ret_until = until;
    return 1;
}

void bridge_spin_result(struct bridge_spin *s, int caught)
{
    atomic_fetch_add_explicit(caught ? s->caught : s->missed, 1, memory_order_relaxed);
    if (caught) {
        s->backoff = 0;
        return;
    }
    s->backoff = s->backoff ? (s->backoff < BACKOFF_MAX ? 2 * s->backoff : BACKOFF_MAX) : 1;
    s->skip = s->backoff;
}

int64_t bridge_spin_wake_time(const struct bridge_spin *s, int64_t now_ns, int64_t from_ns)
{
    int64_t wake;
    if (!sub(from_ns, s->wake_early_ns, &wake) || wake < now_ns)
        return now_ns;
    return wake;
}

void bridge_spin_woke(struct bridge_spin *s, int64_t asked_ns, int64_t woke_ns)
{
    /* A timer on a virtual machine can end a sleep tens of microseconds late
     * (the CPU halted and its host must run it again), longer than the window
     * starts before the value: the thread would be woken by the value itself.
     * Learn a high quantile of the lateness (up fast, down slowly), bounded
     * by the budget: at most the budget again is spun per value. */
    int64_t late;
    if (!sub(woke_ns, asked_ns, &late) || late < 0)
        late = 0;
    if (late > s->budget_ns)
        late = s->budget_ns;
    if (late > s->wake_early_ns)
        s->wake_early_ns += (late - s->wake_early_ns) / 2;
    else
        s->wake_early_ns -= (s->wake_early_ns - late) / 16;
}
