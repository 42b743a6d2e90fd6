/* Open a set of two semaphores initialised to 1 and 5, exactly once. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    const uint16_t initial[2] = {1, 5};
    svipc_sem *sem = NULL;
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 2, SVIPC_CREATE, SVIPC_MODE_DEFAULT, initial,
                            SVIPC_WAIT_FOREVER, &sem);
    if (rc < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        return 1;
    }
    printf("set %d: %d semaphores, %s\n", svipc_sem_id(sem), svipc_sem_nsems(sem),
           svipc_sem_created(sem) ? "created here" : "opened");
    rc = svipc_sem_remove(sem);
    svipc_sem_close(sem);
    return rc < 0 ? 1 : 0;
}
