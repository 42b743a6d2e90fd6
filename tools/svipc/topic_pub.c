/* `svipc topic pub NAME VALUE [--rate HZ] [--count N]`: VALUE encoded by the
 * channel's schema and published as a shared writer, once, N times, or at a
 * rate kept by absolute deadlines (clock_nanosleep TIMER_ABSTIME), so the
 * average rate is exact whatever each sleep's lateness. Text that does not
 * fit the schema exits 2 before anything is published. */
#include "commands.h"

#include "report.h"
#include "topic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* After falling this far behind its deadlines (a stopped process, a
 * suspended machine), the publisher starts afresh instead of catching up. */
#define PUB_MAX_LAG_NS NS_PER_SECOND

/* deadline_ns on CLOCK_MONOTONIC, svipc_channel_now_ns()'s clock. */
static void sleep_until(int64_t deadline_ns)
{
    struct timespec at = {(time_t)(deadline_ns / NS_PER_SECOND), (long)(deadline_ns % NS_PER_SECOND)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
        ;
}

int run_topic_pub(struct options *o, int argc, char **argv)
{
    struct topic t;
    int status = topic_open("topic pub", argc, argv, 2, "a channel NAME and a VALUE", 1, &t);
    void *value = t.value;
    char error[SCHEMA_ERROR_MAX];
    if (!status && schema_encode(t.schema, argv[1], value, error, sizeof error) != 0)
        status = usage_error("topic pub: %s", error);
    uint64_t count = o->count ? o->count : o->rate_hz > 0 ? 0 : 1;
    /* The period in ns as a double: deadlines are start + i * period, so
     * rounding never accumulates. */
    const double period_ns = o->rate_hz > 0 ? 1e9 / o->rate_hz : 0;
    int64_t start_ns = svipc_channel_now_ns();
    uint64_t since_start = 0;
    for (uint64_t i = 0; !status && (count == 0 || i < count); i++) {
        if (period_ns > 0) {
            int64_t deadline = start_ns + (int64_t)((double)since_start * period_ns);
            if (svipc_channel_now_ns() - deadline > PUB_MAX_LAG_NS) {
                start_ns = svipc_channel_now_ns();
                since_start = 0;
                deadline = start_ns;
            }
            sleep_until(deadline);
            since_start++;
        }
        int rc = svipc_channel_publish(t.channel, value, t.payload_size, NULL);
        if (rc != 0) {
            report_failure("topic pub: publishing", rc);
            status = EXIT_FAILURE;
        }
    }
    topic_close(&t);
    return status;
}
