/* semctl's fourth argument, which the caller must define (semctl(2)): tests
 * use it to set values with raw semctl, as another program would. */
#ifndef SVIPC_TESTS_SEMCTL_ARG_H
#define SVIPC_TESTS_SEMCTL_ARG_H

#include <sys/sem.h>

union semun_arg {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

#endif
