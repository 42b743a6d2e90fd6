/* svipc bridge — counters and latency samples for --stats. */
#include "bridge_stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int bridge_stats_init(struct bridge_stats *stats)
{
    *stats = (struct bridge_stats){0};
    stats->latency_ns = malloc(BRIDGE_LATENCY_SAMPLES * sizeof *stats->latency_ns);
    stats->random_state = (uint64_t)time(NULL) | 1;
    return stats->latency_ns ? 0 : -1;
}

void bridge_stats_free(struct bridge_stats *stats)
{
    free(stats->latency_ns);
    stats->latency_ns = NULL;
}

void bridge_stats_malformed(struct bridge_stats *stats, enum bridge_wire_fault fault, const char *peer_hint)
{
    atomic_fetch_add_explicit(&stats->malformed[fault], 1, memory_order_relaxed);
    if (atomic_exchange(&stats->logged[fault], 1) == 0)
        fprintf(stderr, "svipc bridge: dropped a malformed message (%s) from %s; further ones of this kind are "
                        "only counted\n", bridge_wire_fault_name(fault), peer_hint);
}

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64: only picks which sample a full reservoir replaces */
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

void bridge_stats_latency(struct bridge_stats *stats, int64_t latency_ns)
{
    uint64_t seen = stats->latency_count++;
    if (seen < BRIDGE_LATENCY_SAMPLES) {
        stats->latency_ns[seen] = latency_ns;
        return;
    }
    uint64_t slot = next_random(&stats->random_state) % (seen + 1);
    if (slot < BRIDGE_LATENCY_SAMPLES)
        stats->latency_ns[slot] = latency_ns;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t load(atomic_uint_fast64_t *counter)
{
    return atomic_load_explicit(counter, memory_order_relaxed);
}

void bridge_stats_print(struct bridge_stats *stats)
{
    uint64_t malformed = 0;
    for (int k = 1; k < BRIDGE_WIRE_FAULT_KINDS; k++)
        malformed += load(&stats->malformed[k]);
    printf("stats: out=%" PRIu64 " republished=%" PRIu64 " in=%" PRIu64 " repeats=%" PRIu64 " conflated=%" PRIu64
           " dropped=%" PRIu64 " undescribed=%" PRIu64 " malformed=%" PRIu64,
           load(&stats->out), load(&stats->republished), load(&stats->in), load(&stats->repeats),
           load(&stats->conflated), load(&stats->dropped), load(&stats->undescribed), malformed);
    for (int k = 1; k < BRIDGE_WIRE_FAULT_KINDS; k++)
        printf(" %s=%" PRIu64, bridge_wire_fault_name((enum bridge_wire_fault)k), load(&stats->malformed[k]));
    printf(" spin_caught=%" PRIu64 " spin_missed=%" PRIu64, load(&stats->spin_caught), load(&stats->spin_missed));
    uint64_t n = stats->latency_count < BRIDGE_LATENCY_SAMPLES ? stats->latency_count : BRIDGE_LATENCY_SAMPLES;
    if (n > 0) {
        qsort(stats->latency_ns, n, sizeof *stats->latency_ns, compare_i64);
        /* Source and sink clocks are CLOCK_REALTIME of two hosts: a negative
         * latency means they are not synchronised (doc/bridge.md). */
        printf(" latency_samples=%" PRIu64 " latency_p50_us=%.1f latency_p99_us=%.1f latency_max_us=%.1f%s",
               stats->latency_count, stats->latency_ns[n / 2] / 1e3, stats->latency_ns[(n * 99) / 100] / 1e3,
               stats->latency_ns[n - 1] / 1e3, stats->latency_ns[0] < 0 ? " clocks=not_comparable" : "");
    } else {
        printf(" latency_samples=0");
    }
    printf("\n");
    fflush(stdout);
    stats->latency_count = 0;
}
