/* `svipc topic hz NAME [--window N] [--count N] [--json]`: every second, the
 * publish rate and interval statistics over the last N intervals, from the
 * sequence numbers and publish times the publisher stored in the slots
 * (svipc_channel_read_history), not from when this process saw the values:
 * a late or descheduled reader measures the publisher, not itself.
 *   rate = (newest sequence - oldest sequence) / (newest time - oldest time)
 * over the window; min, max, mean and standard deviation over the intervals
 * between values with consecutive sequence numbers (a value the ring lost
 * before it was read leaves a gap that counts for the rate only). "window"
 * is the number of values seen minus one (at most --window); "intervals"
 * those between consecutive sequence numbers; "lost" the values overwritten
 * before this reader copied them. Waits in
 * svipc_channel_wait until a value or the next report is due: no polling. */
#include "commands.h"

#include "json.h"
#include "report.h"
#include "topic.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read history into at most this many bytes of values at once. */
#define HZ_HISTORY_BYTES (UINT64_C(64) << 20)

struct sample {
    uint64_t sequence;
    int64_t publish_time_ns;
};

/* The last window + 1 samples, oldest first from `first`. */
struct samples {
    struct sample *ring;
    uint64_t capacity, count, first;
    uint64_t lost; /* values never read since the start (overwritten first) */
};

static void add_sample(struct samples *s, uint64_t sequence, int64_t publish_time_ns)
{
    uint64_t at = (s->first + s->count) % s->capacity;
    if (s->count == s->capacity)
        s->first = (s->first + 1) % s->capacity;
    else
        s->count++;
    s->ring[at] = (struct sample){sequence, publish_time_ns};
}

static const struct sample *sample_at(const struct samples *s, uint64_t i)
{
    return &s->ring[(s->first + i) % s->capacity];
}

static void report(const struct options *o, const char *name, const struct samples *s)
{
    struct textbuf quoted = {0};
    json_quote(&quoted, name, strlen(name), 1);
    if (s->count < 2) {
        if (o->json)
            printf("{\"name\":%s,\"rate_hz\":null,\"window\":0,\"lost\":%" PRIu64 "}\n", textbuf_text(&quoted),
                   s->lost);
        else
            printf("no new values\n");
        fflush(stdout);
        textbuf_free(&quoted);
        return;
    }
    const struct sample *oldest = sample_at(s, 0), *newest = sample_at(s, s->count - 1);
    double span_s = (double)(newest->publish_time_ns - oldest->publish_time_ns) / 1e9;
    double rate = span_s > 0 ? (double)(newest->sequence - oldest->sequence) / span_s : 0;
    double min = INFINITY, max = -INFINITY, sum = 0, sum_sq = 0;
    uint64_t intervals = 0;
    for (uint64_t i = 1; i < s->count; i++) {
        const struct sample *a = sample_at(s, i - 1), *b = sample_at(s, i);
        if (b->sequence != a->sequence + 1)
            continue;
        double dt = (double)(b->publish_time_ns - a->publish_time_ns) / 1e9;
        min = dt < min ? dt : min;
        max = dt > max ? dt : max;
        sum += dt;
        sum_sq += dt * dt;
        intervals++;
    }
    double mean = intervals ? sum / (double)intervals : 0;
    double variance = intervals ? sum_sq / (double)intervals - mean * mean : 0;
    double std = variance > 0 ? sqrt(variance) : 0;
    if (o->json) {
        printf("{\"name\":%s,\"rate_hz\":%.6f,\"window\":%" PRIu64 ",\"intervals\":%" PRIu64,
               textbuf_text(&quoted), rate, s->count - 1, intervals);
        if (intervals)
            printf(",\"min_s\":%.9f,\"max_s\":%.9f,\"mean_s\":%.9f,\"std_s\":%.9f", min, max, mean, std);
        else
            printf(",\"min_s\":null,\"max_s\":null,\"mean_s\":null,\"std_s\":null");
        printf(",\"lost\":%" PRIu64 "}\n", s->lost);
    } else {
        printf("average rate: %.3f\n", rate);
        if (intervals)
            printf("\tmin: %.6fs max: %.6fs std dev: %.6fs window: %" PRIu64 "\n", min, max, std, s->count - 1);
        else
            printf("\twindow: %" PRIu64 " (no two consecutive values seen)\n", s->count - 1);
    }
    fflush(stdout);
    textbuf_free(&quoted);
}

int run_topic_hz(struct options *o, int argc, char **argv)
{
    struct topic t;
    int status = topic_open("topic hz", argc, argv, 1, "a channel NAME", 0, &t);
    struct samples s = {0};
    void *values = NULL;
    svipc_channel_read_info *infos = NULL;
    uint32_t batch = 0;
    if (!status) {
        /* The whole ring at once when it fits in HZ_HISTORY_BYTES. */
        uint64_t fit = HZ_HISTORY_BYTES / t.payload_size;
        batch = fit < 1 ? 1 : fit < t.buffer_num ? (uint32_t)fit : t.buffer_num;
        s.capacity = o->window + 1;
        s.ring = calloc(s.capacity, sizeof *s.ring);
        values = malloc(batch * t.payload_size);
        infos = calloc(batch, sizeof *infos);
        if (!s.ring || !values || !infos) {
            fprintf(stderr, "%s: out of memory\n", program);
            status = EXIT_FAILURE;
        }
    }
    const char *name = argv[0];
    uint64_t after = status ? 0 : svipc_channel_latest(t.channel); /* measure from now on */
    int64_t next_report = svipc_channel_now_ns() + NS_PER_SECOND;
    for (uint64_t reports = 0; !status && (o->count == 0 || reports < o->count);) {
        int64_t wait_ns = next_report - svipc_channel_now_ns();
        int rc = wait_ns > 0 ? svipc_channel_wait(t.channel, after, wait_ns, 0) : -ETIMEDOUT;
        if (rc == 0) {
            uint64_t missed = 0;
            int n = svipc_channel_read_history(t.channel, after, values, batch * t.payload_size, infos, batch,
                                               &missed);
            if (n < 0) {
                report_failure("topic hz: reading the channel", n);
                status = EXIT_FAILURE;
                break;
            }
            for (int i = 0; i < n; i++) {
                add_sample(&s, infos[i].sequence, infos[i].publish_time_ns);
                after = infos[i].sequence;
            }
            s.lost += missed;
            if (n == 0) /* all overwritten while copied: go on from the newest */
                after = svipc_channel_latest(t.channel);
        } else if (rc != -ETIMEDOUT && rc != -EAGAIN) {
            report_failure("topic hz: waiting for values", rc);
            status = EXIT_FAILURE;
            break;
        }
        if (svipc_channel_now_ns() >= next_report) {
            report(o, name, &s);
            reports++;
            next_report += NS_PER_SECOND;
        }
    }
    free(s.ring);
    free(values);
    free(infos);
    topic_close(&t);
    return status;
}
