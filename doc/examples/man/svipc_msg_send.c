/* Send two messages of different types and receive the type 2 one first. */
#include <svipc/svipc.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    svipc_msg *queue = NULL;
    char buf[64];
    int64_t type = 0, len = -1;
    int rc = svipc_msg_open(SVIPC_KEY_PRIVATE, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &queue);
    if (rc == 0)
        rc = svipc_msg_send(queue, 1, "low", 3, 0, SVIPC_WAIT_FOREVER);
    if (rc == 0)
        rc = svipc_msg_send(queue, 2, "urgent", 6, 0, SVIPC_WAIT_FOREVER);
    if (rc == 0)
        len = svipc_msg_receive(queue, 2, buf, sizeof buf, 0, 1000000000, &type);   /* 1 s at most */
    if (len >= 0)
        printf("type %lld: %.*s\n", (long long)type, (int)len, buf);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (queue)
        svipc_msg_remove(queue);   /* discards the type 1 message */
    svipc_msg_close(queue);
    return len >= 0 ? 0 : 1;
}
