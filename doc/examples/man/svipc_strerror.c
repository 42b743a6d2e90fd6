/* Report a failure with the code's description and the detail message. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_shm *shm = NULL;
    int rc = svipc_shm_open(0x5e1f, 4096, 0, SVIPC_MODE_DEFAULT, &shm);   /* no SVIPC_CREATE */
    if (rc < 0) {
        printf("%s: %s\n", svipc_strerror(rc), svipc_last_error_message());
        return 0;
    }
    svipc_shm_close(shm);
    return 1;   /* the key existed: not what this example shows */
}
