/* svipc bridge — an out thread's wait for its channel's next value
 * (bridge_out_wait.c). */
#ifndef SVIPC_BRIDGE_OUT_WAIT_H
#define SVIPC_BRIDGE_OUT_WAIT_H

#include "bridge_spin.h"
#include "bridge_stats.h"

#include <svipc/svipc.h>

struct bridge_out_wait {
    struct bridge_spin spin; /* on the channel's clock (publish times) */
};

/* Call on the thread that waits (it sets that thread's timer slack). */
void bridge_out_wait_init(struct bridge_out_wait *w, struct bridge_stats *stats, int64_t spin_ns);
/* After each value read. */
void bridge_out_wait_seen(struct bridge_out_wait *w, const svipc_channel_read_info *info);
/* Until the channel has a value newer than `last`: 0, or -EINTR (a signal). */
int bridge_out_wait_next(struct bridge_out_wait *w, svipc_channel *handle, uint64_t last);

#endif
