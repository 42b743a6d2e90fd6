/* Publish three values; a reader that was not looking gets the newest. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_channel *writer = NULL, *reader = NULL;
    svipc_channel_read_info info;
    double value = 0.0;
    int rc = svipc_channel_open("example/speed", SVIPC_CHANNEL_TYPE_FLOAT64, sizeof value, 0, SVIPC_CREATE,
                                SVIPC_MODE_DEFAULT, &writer);
    if (rc == 0)   /* as another process would: any type and size, no create */
        rc = svipc_channel_open("example/speed", SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &reader);
    for (int i = 1; rc == 0 && i <= 3; i++) {
        double v = i * 1.5;
        rc = svipc_channel_publish(writer, &v, sizeof v, NULL);
    }
    if (rc == 0)
        rc = svipc_channel_wait_read(reader, &value, sizeof value, SVIPC_WAIT_FOREVER, 0, &info);
    if (rc >= 0)
        printf("value %g, sequence %llu, %llu missed\n", value, (unsigned long long)info.sequence,
               (unsigned long long)info.missed);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    svipc_channel_close(reader);
    if (writer)
        svipc_channel_remove(writer);
    svipc_channel_close(writer);
    return rc < 0 ? 1 : 0;
}
