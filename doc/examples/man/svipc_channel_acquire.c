/* Use the newest value in place while publishers are kept off its slot. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_channel *channel = NULL;
    svipc_channel_read_info info;
    const void *data = NULL;
    int64_t v[4] = {1, 2, 3, 4};
    /* buffer_num >= pinning readers + 2: a publish never finds every slot pinned */
    int rc = svipc_channel_open_key(SVIPC_KEY_PRIVATE, SVIPC_CHANNEL_TYPE_USER, sizeof v, 3, SVIPC_CREATE,
                                    SVIPC_MODE_DEFAULT, &channel);
    if (rc == 0)
        rc = svipc_channel_publish(channel, v, sizeof v, NULL);
    if (rc == 0)
        rc = svipc_channel_acquire(channel, SVIPC_CHANNEL_ANY_AGE, &data, &info);
    if (rc >= 0) {
        const int64_t *values = data;   /* cannot change until the release */
        printf("sum %lld of value %llu\n", (long long)(values[0] + values[1] + values[2] + values[3]),
               (unsigned long long)info.sequence);
        rc = svipc_channel_release(channel);
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (channel)
        svipc_channel_remove(channel);
    svipc_channel_close(channel);
    return rc < 0 ? 1 : 0;
}
