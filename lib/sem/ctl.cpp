#include "sem/ctl.hpp"

#include "common/error.hpp"
#include "sem/limits.hpp"

#include <cerrno>

namespace svipc {

int sem_ctl(int32_t semid, int semnum, int cmd, SemCtlArg arg, SemIdOrigin origin, const std::string &what)
{
    const int result = semctl(semid, semnum, cmd, arg);
    if (result >= 0)
        return result;
    fail_sem_ctl(errno, semid, origin, what);
}

void fail_sem_ctl(int saved, int32_t semid, SemIdOrigin origin, const std::string &what)
{
    const std::string set = "semaphore set " + std::to_string(semid);
    switch (saved) {
    case EINVAL:
    case EIDRM:
        // Arguments are validated before the call, so EINVAL means the id.
        if (origin == SemIdOrigin::handle)
            fail(EIDRM, set + " was removed");
        fail(EINVAL, "no semaphore set with id " + std::to_string(semid));
    case EACCES:
        fail(EACCES, "permission denied for " + what + " of " + set);
    case EPERM:
        fail(EPERM, "only the owner, the creator or a privileged process may do " + what + " on " + set);
    case ERANGE:
        fail(ERANGE, what + " of " + set + ": value above SEMVMX (" + std::to_string(sem_value_max) + ")");
    default:
        fail_errno(saved, what + " of " + set + " failed");
    }
}

struct semid_ds sem_stat_ds(int32_t semid, SemIdOrigin origin)
{
    struct semid_ds ds;
    SemCtlArg arg;
    arg.buf = &ds;
    sem_ctl(semid, 0, IPC_STAT, arg, origin, "IPC_STAT");
    return ds;
}

} // namespace svipc
