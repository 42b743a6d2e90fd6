/* svipc bridge — counters and latency samples for --stats. */
#ifndef SVIPC_BRIDGE_STATS_H
#define SVIPC_BRIDGE_STATS_H

#include "bridge_wire.h"

#include <stdatomic.h>
#include <stdint.h>

#define BRIDGE_LATENCY_SAMPLES 65536 /* kept per stats interval; later ones replace at random */

/* Counters are atomics: the out direction's waiter threads count too. */
struct bridge_stats {
    atomic_uint_fast64_t out;         /* values sent */
    atomic_uint_fast64_t republished; /* values sent again (late joiners, periodic) */
    atomic_uint_fast64_t in;          /* values written into local channels */
    atomic_uint_fast64_t repeats;     /* values received that were not newer than the last written */
    atomic_uint_fast64_t conflated;   /* values replaced by a newer one before they were sent or written */
    atomic_uint_fast64_t dropped;     /* valid values not written (refused channel, topic not wanted) */
    atomic_uint_fast64_t undescribed; /* values held back: their schema's description had not arrived */
    atomic_uint_fast64_t spin_caught; /* spin windows a value came in (bridge_spin.c) */
    atomic_uint_fast64_t spin_missed; /* spin windows that ended without one */
    atomic_uint_fast64_t malformed[BRIDGE_WIRE_FAULT_KINDS];
    atomic_int logged[BRIDGE_WIRE_FAULT_KINDS]; /* a malformed kind is logged once */
    /* latency samples of the current interval, main thread only */
    int64_t *latency_ns;
    uint64_t latency_count; /* seen this interval (may exceed the samples kept) */
    uint64_t random_state;
};

int bridge_stats_init(struct bridge_stats *stats);
void bridge_stats_free(struct bridge_stats *stats);

/* Count one malformed message of `fault`; log the first of each kind to stderr. */
void bridge_stats_malformed(struct bridge_stats *stats, enum bridge_wire_fault fault, const char *peer_hint);

/* Record one source-publish -> local-write latency (main thread only). */
void bridge_stats_latency(struct bridge_stats *stats, int64_t latency_ns);

/* Print one line of key=value pairs to stdout (counts since start, latency
 * percentiles of the interval since the last print) and start a new interval. */
void bridge_stats_print(struct bridge_stats *stats);

#endif
