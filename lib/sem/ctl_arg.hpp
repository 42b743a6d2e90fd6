// semctl(2)'s fourth argument, the kernel's union semun: glibc leaves its
// definition to the caller (sys/sem.h says so), so the library defines it
// once here, with every member a command of ours passes.
#pragma once

#include <sys/ipc.h>
#include <sys/sem.h>

namespace svipc {

union SemCtlArg {
    int val;               // SETVAL
    struct semid_ds *buf;  // IPC_STAT, IPC_SET, SEM_STAT, SEM_STAT_ANY
    unsigned short *array; // GETALL, SETALL
    struct seminfo *info;  // IPC_INFO, SEM_INFO
};

} // namespace svipc
