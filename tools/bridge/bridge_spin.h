/* svipc bridge — when a waiting thread spins for the next value
 * (bridge_spin.c). Times in ns: `now` on the waiting thread's monotonic
 * clock, stamps on the values' clock (which may be another host's). */
#ifndef SVIPC_BRIDGE_SPIN_H
#define SVIPC_BRIDGE_SPIN_H

#include <stdatomic.h>
#include <stdint.h>

struct bridge_spin {
    int64_t budget_ns;   /* spin per value (--spin); 0: never spin */
    int seen;              /* a value has come: the fields below are set */
    int64_t last_stamp_ns; /* the newest value's stamp */
    int64_t interval_ns;   /* smoothed interval between stamps; 0: unknown */
    int64_t grid_ns;       /* the newest value's place on the publisher's grid (its earliest stamps) */
    int64_t offset_ns;     /* a low quantile of (now - stamp) at arrival */
    int64_t wake_early_ns; /* how late this thread's timed sleeps end (learnt; at most the budget) */
    int backoff, skip;   /* after spins that caught nothing: windows to skip */
    atomic_uint_fast64_t *caught, *missed; /* --stats counters of windows */
};

void bridge_spin_init(struct bridge_spin *s, int64_t budget_ns, atomic_uint_fast64_t *caught,
                      atomic_uint_fast64_t *missed);
/* A value stamped `stamp_ns` arrived at `now_ns`; `values` > 1 when others
 * came unseen since the last one. */
void bridge_spin_arrived(struct bridge_spin *s, int64_t stamp_ns, int64_t now_ns, uint64_t values);
/* 1 and the window [*ret_from, *ret_until) to spin in for the next value
 * (sleep until *ret_from, woken early by a value); 0: just sleep. */
int bridge_spin_window(struct bridge_spin *s, int64_t now_ns, int64_t *ret_from, int64_t *ret_until);
/* When to ask a timed sleep to end so that the thread is awake at `from`:
 * earlier by how late its sleeps have been ending (never before `now_ns`). */
int64_t bridge_spin_wake_time(const struct bridge_spin *s, int64_t now_ns, int64_t from_ns);
/* A timed sleep asked to end at `asked_ns` ended at `woke_ns`. */
void bridge_spin_woke(struct bridge_spin *s, int64_t asked_ns, int64_t woke_ns);
/* After a window: did a value come while spinning in it? */
void bridge_spin_result(struct bridge_spin *s, int caught);

#endif
