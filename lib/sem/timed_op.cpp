#include "sem/timed_op.hpp"

#include <cerrno>

namespace svipc {

int sem_timed_op(int semid, struct sembuf *ops, std::size_t nops, const Deadline &deadline, bool interruptible) noexcept
{
    const bool timed = !deadline.forever() && !deadline.immediate();
    if (deadline.immediate()) {
        for (std::size_t i = 0; i < nops; i++)
            ops[i].sem_flg |= IPC_NOWAIT;
    }
    for (;;) {
        int rc;
        if (timed) {
            // The kernel tries the operation before it sleeps, so even a
            // timeout already used up gets one real attempt.
            const struct timespec left = deadline.remaining_timespec();
            rc = semtimedop(semid, ops, nops, &left);
        } else {
            rc = semop(semid, ops, nops);
        }
        if (rc == 0)
            return 0;
        const int saved = errno;
        if (timed && saved == EAGAIN)
            return ETIMEDOUT; // semtimedop reports expiry as EAGAIN
        if (saved != EINTR || interruptible)
            return saved;
        // A signal handler ran: resume on the same deadline. Checked here so
        // a signal arriving at the deadline cannot buy another full wait.
        if (timed && deadline.expired())
            return ETIMEDOUT;
    }
}

} // namespace svipc
