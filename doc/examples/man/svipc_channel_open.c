/* Create a channel of doubles, show its segment and writer lock, remove it. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_channel *channel = NULL;
    svipc_channel_info info;
    int rc = svipc_channel_open("robot/speed", SVIPC_CHANNEL_TYPE_FLOAT64, sizeof(double), 0, SVIPC_CREATE,
                                SVIPC_MODE_DEFAULT, &channel);
    if (rc == 0)
        rc = svipc_channel_stat(channel, &info);
    if (rc == 0)
        printf("segment %d, lock %d, %u slots of %llu bytes\n", info.shm_id, info.sem_id,
               (unsigned)info.buffer_num, (unsigned long long)svipc_channel_payload_size(channel));
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    svipc_channel_close(channel);
    if (rc == 0)
        rc = svipc_channel_remove_name("robot/speed");
    return rc < 0 ? 1 : 0;
}
