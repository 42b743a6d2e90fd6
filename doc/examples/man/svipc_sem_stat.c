/* Show what IPC_STAT reports for a semaphore set. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_sem *sem = NULL;
    svipc_sem_info info;
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 4, SVIPC_CREATE, 0640, NULL, 0, &sem);
    if (rc == 0)
        rc = svipc_sem_stat(sem, &info);
    if (rc == 0)
        printf("set %d: %u semaphores, mode %o, owner %u\n", info.id, (unsigned)info.nsems,
               (unsigned)info.mode, (unsigned)info.uid);
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (sem)
        svipc_sem_remove(sem);
    svipc_sem_close(sem);
    return rc < 0 ? 1 : 0;
}
