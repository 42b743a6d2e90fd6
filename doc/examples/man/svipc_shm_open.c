/* Create a segment, open a second handle on it by id, remove it. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_shm *shm = NULL, *again = NULL;
    int rc = svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &shm);
    if (rc < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        return 1;
    }
    printf("segment %d, %llu bytes\n", svipc_shm_id(shm), (unsigned long long)svipc_shm_size(shm));
    rc = svipc_shm_open_id(svipc_shm_id(shm), &again);   /* as another process would */
    if (rc == 0)
        rc = svipc_shm_remove(again);                      /* removal is always explicit */
    svipc_shm_close(again);
    svipc_shm_close(shm);                                  /* closing never removes */
    return rc < 0 ? 1 : 0;
}
