/* Restrict a segment to its owner and show what IPC_STAT reports. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_shm *shm = NULL;
    svipc_shm_info info;
    int rc = svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, 0644, &shm);
    if (rc == 0)
        rc = svipc_shm_set_mode(shm, 0600);
    if (rc == 0)
        rc = svipc_shm_stat(shm, &info);
    if (rc == 0)
        printf("id %d mode %o size %llu attached %llu creator pid %d\n", info.id, (unsigned)info.mode,
               (unsigned long long)info.size, (unsigned long long)info.nattch, (int)info.cpid);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (shm)
        svipc_shm_remove(shm);
    svipc_shm_close(shm);
    return rc < 0 ? 1 : 0;
}
