/* A crash-safe lock (SEM_UNDO), and a counter of items taken under it. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    const uint16_t initial[2] = {1, 0};   /* member 0: the lock, member 1: items */
    svipc_sem *sem = NULL;
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 2, SVIPC_CREATE, SVIPC_MODE_DEFAULT, initial, 0, &sem);
    if (rc == 0)
        rc = svipc_sem_lock(sem, 0, 0, SVIPC_WAIT_FOREVER);
    if (rc == 0) {
        /* ... critical section: a process killed here gives the lock back ... */
        rc = svipc_sem_unlock(sem, 0, 0);
    }
    if (rc == 0)   /* two items produced; NO_UNDO: they outlive this process */
        rc = svipc_sem_v(sem, 1, 2, SVIPC_NO_UNDO);
    if (rc == 0) {
        /* all or nothing: one item and the lock together, waiting at most 1 s */
        svipc_sem_op both[2] = {{1, -1, SVIPC_NO_UNDO}, {0, -1, 0}};
        rc = svipc_sem_ops(sem, both, 2, 0, 1000000000);
        if (rc == 0)
            rc = svipc_sem_unlock(sem, 0, 0);
    }
    if (rc == 0)   /* the other item, without waiting (-EAGAIN if there were none) */
        rc = svipc_sem_p(sem, 1, 1, SVIPC_NO_UNDO, 0);
    if (rc < 0)
        fprintf(stderr, "%s\n", svipc_last_error_message());
    else
        printf("items left: %d\n", svipc_sem_value(sem, 1));
    if (sem)
        svipc_sem_remove(sem);
    svipc_sem_close(sem);
    return rc < 0 ? 1 : 0;
}
