/* Set and read every value of a set of three semaphores. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    const uint16_t values[3] = {3, 0, 7};
    uint16_t now[3];
    svipc_sem *sem = NULL;
    int rc = svipc_sem_open(SVIPC_KEY_PRIVATE, 3, SVIPC_CREATE, SVIPC_MODE_DEFAULT, NULL, 0, &sem);
    if (rc == 0)
        rc = svipc_sem_set_values(sem, values, 3);
    if (rc == 0)
        rc = svipc_sem_set_value(sem, 1, 4);
    if (rc == 0)
        rc = svipc_sem_values(sem, now, 3);
    if (rc == 3)
        printf("values %u %u %u, member 2 = %d, %d waiting\n", now[0], now[1], now[2],
               svipc_sem_value(sem, 2), svipc_sem_waiting(sem, 2));
    else
        fprintf(stderr, "%s\n", svipc_last_error_message());
    if (sem)
        svipc_sem_remove(sem);
    svipc_sem_close(sem);
    return rc == 3 ? 0 : 1;
}
