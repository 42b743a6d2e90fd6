/* Create a channel of a struct with its schema, read its name and schema back
 * (through the handle and, as `svipc topic list` does, by segment id), remove it. */
#include <svipc/svipc.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

struct pose {
    double x, y;
    int64_t stamp;
};

#define POSE_SCHEMA "{\"names\":[\"x\",\"y\",\"stamp\"],\"formats\":[\"<f8\",\"<f8\",\"<i8\"]," \
                    "\"offsets\":[0,8,16],\"itemsize\":24}"

int main(void)
{
    svipc_channel *channel = NULL;
    svipc_channel_info info;
    char name[SVIPC_CHANNEL_NAME_MAX + 1], schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
    int rc = svipc_channel_open_schema("robot/pose", SVIPC_CHANNEL_TYPE_USER, POSE_SCHEMA, sizeof(struct pose), 0,
                                       SVIPC_CREATE, SVIPC_MODE_DEFAULT, &channel);
    if (rc == 0)
        rc = svipc_channel_name(channel, name, sizeof name);
    if (rc >= 0)
        rc = svipc_channel_schema(channel, schema, sizeof schema);
    if (rc >= 0)
        printf("%s: %s\n", name, schema);
    if (rc >= 0)
        rc = svipc_channel_stat(channel, &info);
    if (rc == 0)
        rc = svipc_admin_channel_describe(info.shm_id, name, sizeof name, schema, sizeof schema);
    if (rc == 0)
        printf("segment %d is '%s', %u process(es) attached, schema hash %016llx\n", info.shm_id, name,
               (unsigned)info.attached, (unsigned long long)info.schema_hash);
    /* Opening with another schema is refused, naming both. */
    svipc_channel *other = NULL;
    if (rc == 0 && svipc_channel_open_schema("robot/pose", SVIPC_CHANNEL_TYPE_USER, "(3,)<f8", 24, 0, 0,
                                             SVIPC_MODE_DEFAULT, &other) == -EINVAL)
        printf("refused: %s\n", svipc_last_error_message());
    if (rc < 0)
        fprintf(stderr, "%s\n", svipc_last_error_message());
    svipc_channel_close(other);
    svipc_channel_close(channel);
    if (rc == 0)
        rc = svipc_channel_remove_name("robot/pose");
    return rc < 0 ? 1 : 0;
}
