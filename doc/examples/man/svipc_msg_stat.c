/* Limit a queue to 1024 bytes and show what IPC_STAT reports. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_msg *queue = NULL;
    svipc_msg_info info;
    int rc = svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &queue);
    if (rc == 0)
        rc = svipc_msg_set_capacity(queue, 1024);
    if (rc == 0)
        rc = svipc_msg_send(queue, 1, "x", 1, 0, 0);
    if (rc == 0)
        rc = svipc_msg_stat(queue, &info);
    if (rc == 0)
        printf("queue %d: %llu message(s), %llu of %llu bytes, last sender %d\n", info.id,
               (unsigned long long)info.messages, (unsigned long long)info.bytes,
               (unsigned long long)info.qbytes, (int)info.lspid);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (queue)
        svipc_msg_remove(queue);
    svipc_msg_close(queue);
    return rc < 0 ? 1 : 0;
}
