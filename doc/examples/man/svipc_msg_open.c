/* Create a queue by name, open it again by id, remove it. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    int32_t key = 0;
    svipc_msg *queue = NULL, *again = NULL;
    int rc = svipc_key_from_name("svipc-man-example", &key);
    if (rc == 0)
        rc = svipc_msg_open(key, SVIPC_CREATE | SVIPC_EXCLUSIVE, SVIPC_MODE_DEFAULT, &queue);
    if (rc == 0)
        rc = svipc_msg_open_id(svipc_msg_id(queue), &again);
    if (rc == 0) {
        printf("queue %d for key 0x%x\n", svipc_msg_id(again), (unsigned)key);
        rc = svipc_msg_remove(again);
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", svipc_last_error_message());
    svipc_msg_close(again);
    svipc_msg_close(queue);
    return rc < 0 ? 1 : 0;
}
