// semop under a Deadline. The kernel never restarts semop/semtimedop after a
// signal handler (not even with SA_RESTART), so this loop decides: resume
// with the time left on the same deadline, or stop with EINTR when the
// caller asked for SVIPC_INTERRUPTIBLE.
#pragma once

#include "common/deadline.hpp"

#include <cstddef>
#include <sys/sem.h>

namespace svipc {

// Applies ops atomically. Returns 0 on success or the errno that ended the
// call: EAGAIN (immediate deadline and it would block), ETIMEDOUT (deadline
// passed), EINTR (only when interruptible), or semop's own error. For an
// immediate deadline, IPC_NOWAIT is set on every op in `ops`. Never throws.
int sem_timed_op(int semid, struct sembuf *ops, std::size_t nops, const Deadline &deadline,
                 bool interruptible) noexcept;

} // namespace svipc
