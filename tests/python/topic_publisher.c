/* A C publisher for test_cli_topic.py: creates channel NAME with SCHEMA
 * (svipc_channel_open_schema, the public C API) for values of SIZE bytes,
 * then publishes the value HEX (SIZE bytes in hex) COUNT times at RATE Hz,
 * paced by absolute deadlines on CLOCK_MONOTONIC (clock_nanosleep
 * TIMER_ABSTIME: a late wake-up does not shift the next deadline, so the
 * average rate is exact), and exits leaving the channel in place.
 *   topic_publisher NAME SCHEMA SIZE HEX [RATE_HZ COUNT]
 * RATE_HZ 0 (the default, COUNT 1) publishes back to back. */
#include <svipc/svipc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Slots: enough that a reader (topic hz) descheduled for tens of
 * milliseconds at 1 kHz still finds most values in the ring. */
#define BUFFERS 64

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 7) {
        fprintf(stderr, "usage: %s NAME SCHEMA SIZE HEX [RATE_HZ COUNT]\n", argv[0]);
        return 2;
    }
    uint64_t size = strtoull(argv[3], NULL, 10);
    double rate = argc == 7 ? strtod(argv[5], NULL) : 0;
    long long count = argc == 7 ? strtoll(argv[6], NULL, 10) : 1;
    unsigned char *value = calloc(1, size ? size : 1);
    if (!value || strlen(argv[4]) != 2 * size)
        return 2;
    for (uint64_t i = 0; i < size; i++)
        sscanf(argv[4] + 2 * i, "%2hhx", &value[i]);
    svipc_channel *channel;
    int rc = svipc_channel_open_schema(argv[1], SVIPC_CHANNEL_TYPE_USER, argv[2], size, BUFFERS, SVIPC_CREATE,
                                       SVIPC_MODE_DEFAULT, &channel);
    if (rc != 0) {
        fprintf(stderr, "open: %s (%s)\n", svipc_strerror(rc), svipc_last_error_message());
        return 1;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const double period_ns = rate > 0 ? 1e9 / rate : 0;
    for (long long i = 0; i < count; i++) {
        if (period_ns > 0) {
            long long at = (long long)start.tv_sec * 1000000000LL + start.tv_nsec + (long long)((double)i * period_ns);
            struct timespec deadline = {(time_t)(at / 1000000000LL), (long)(at % 1000000000LL)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
                ;
        }
        rc = svipc_channel_publish(channel, value, size, NULL);
        if (rc != 0) {
            fprintf(stderr, "publish: %s (%s)\n", svipc_strerror(rc), svipc_last_error_message());
            return 1;
        }
    }
    svipc_channel_close(channel);
    free(value);
    return 0;
}
