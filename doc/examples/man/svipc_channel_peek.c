/* Use the newest value in place, then check it was not overwritten meanwhile. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_channel *channel = NULL;
    svipc_channel_read_info info;
    const void *data = NULL;
    int64_t v[4] = {1, 2, 3, 4};
    int rc = svipc_channel_open_key(SVIPC_KEY_PRIVATE, SVIPC_CHANNEL_TYPE_USER, sizeof v, 4, SVIPC_CREATE,
                                    SVIPC_MODE_DEFAULT, &channel);
    if (rc == 0)
        rc = svipc_channel_publish(channel, v, sizeof v, NULL);
    for (int tries = 0; rc >= 0 && tries < 100; tries++) {
        rc = svipc_channel_peek(channel, SVIPC_CHANNEL_ANY_AGE, &data, &info);
        if (rc < 0)
            break;
        const int64_t *values = data;
        int64_t sum = values[0] + values[1] + values[2] + values[3];   /* use in place */
        if (svipc_channel_peek_valid(channel, info.sequence) == 1) {   /* then validate */
            printf("sum %lld of value %llu\n", (long long)sum, (unsigned long long)info.sequence);
            break;
        }
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (channel)
        svipc_channel_remove(channel);
    svipc_channel_close(channel);
    return rc < 0 ? 1 : 0;
}
