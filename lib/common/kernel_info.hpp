// The kernel's IPC_STAT structs normalised into the API's fixed-width info
// structs (as util-linux's ipcutils does), in one place, so stat by handle,
// stat by id and the admin listing's *_STAT fallback agree field by field.
#pragma once

#include <svipc/msg.h>
#include <svipc/sem.h>
#include <svipc/shm.h>

#include <cstdint>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

namespace svipc {

svipc_shm_info shm_info_from(int32_t shmid, const struct shmid_ds &ds);
svipc_sem_info sem_info_from(int32_t semid, const struct semid_ds &ds);
svipc_msg_info msg_info_from(int32_t msqid, const struct msqid_ds &ds);

// SVIPC_SHM_INFO_* from the kernel's shm mode word (SHM_DEST, SHM_LOCKED),
// which /proc/sysvipc/shm shows too.
uint32_t shm_status_flags(uint32_t kernel_mode);

} // namespace svipc
