/* Write a value in place in the channel's slot, then publish it. */
#include <svipc/svipc.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    svipc_channel *channel = NULL;
    void *slot = NULL;
    uint64_t sequence = 0;
    int rc = svipc_channel_open_key(SVIPC_KEY_PRIVATE, SVIPC_CHANNEL_TYPE_USER, 4 * sizeof(int64_t), 4,
                                    SVIPC_CREATE, SVIPC_MODE_DEFAULT, &channel);
    if (rc == 0)
        rc = svipc_channel_loan(channel, &slot);
    if (rc == 0) {
        int64_t *values = slot;                 /* no copy: the slot itself */
        for (int i = 0; i < 4; i++)
            values[i] = i + 1;
        rc = svipc_channel_commit(channel, &sequence);   /* or svipc_channel_abandon(channel) */
    }
    if (rc == 0)
        printf("published value %llu in place\n", (unsigned long long)sequence);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (channel)
        svipc_channel_remove(channel);
    svipc_channel_close(channel);
    return rc < 0 ? 1 : 0;
}
