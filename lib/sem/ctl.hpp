// semctl(2) reports a vanished set as EINVAL or EIDRM depending on timing.
// These wrappers give each command a typed signature and one failure path.
#pragma once

#include "sem/ctl_arg.hpp"

#include <cstdint>
#include <string>
#include <sys/ipc.h>
#include <sys/sem.h>

namespace svipc {

// What a failing semctl on an id means to the caller: EIDRM for a handle
// that once worked, EINVAL for an id the caller typed.
enum class SemIdOrigin { handle, caller };

// semctl(semid, semnum, cmd, arg); returns its non-negative result or throws
// with `what` (e.g. "GETVAL of member 2") in the message.
int sem_ctl(int32_t semid, int semnum, int cmd, SemCtlArg arg, SemIdOrigin origin, const std::string &what);

// The error for a semctl that failed with `saved`.
[[noreturn]] void fail_sem_ctl(int saved, int32_t semid, SemIdOrigin origin, const std::string &what);

struct semid_ds sem_stat_ds(int32_t semid, SemIdOrigin origin);

} // namespace svipc
