#include "channel/writer_lock.hpp"

#include "common/deadline.hpp"
#include "common/error.hpp"
#include "sem/ctl_arg.hpp"
#include "sem/limits.hpp"
#include "common/clock.hpp"

#include <cerrno>
#include <ctime>
#include <string>
#include <sys/ipc.h>
#include <sys/sem.h>

namespace svipc {

namespace {

[[noreturn]] void fail_sem(int saved, int32_t semid, const char *what)
{
    if (saved == EIDRM || saved == EINVAL)
        fail(EIDRM, "the channel's writer lock (semaphore set " + std::to_string(semid) + ") was removed");
    if (saved == EACCES)
        fail(EACCES, "no permission on the channel's writer lock (semaphore set " + std::to_string(semid) + ")");
    fail_errno(saved, std::string(what) + " of the channel's writer lock (semaphore set " + std::to_string(semid) +
                          ") failed");
}
} // namespace

int32_t ChannelWriterLock::create(uint32_t mode)
{
    int semid = semget(IPC_PRIVATE, 1, IPC_CREAT | static_cast<int>(mode));
    if (semid < 0) {
        int saved = errno;
        if (saved == ENOSPC)
            fail(ENOSPC, "system limit reached creating the channel's writer lock: " + sem_space_limit_text(1));
        fail_errno(saved, "semget for the channel's writer lock failed");
    }
    return semid;
}

namespace {
// 0 on success, else errno of IPC_STAT; *matches: the set has the shape of a channel lock.
int stat_lock(int32_t semid, uint32_t segment_creator_uid, bool *matches)
{
    struct semid_ds ds;
    SemCtlArg arg;
    arg.buf = &ds;
    if (semctl(semid, 0, IPC_STAT, arg) != 0)
        return errno;
    *matches = ds.sem_perm.__key == IPC_PRIVATE && ds.sem_nsems == 1 && ds.sem_perm.cuid == segment_creator_uid;
    return 0;
}
} // namespace

void ChannelWriterLock::verify(int32_t semid, uint32_t segment_creator_uid, const std::string &label)
{
    bool matches = false;
    const int saved = stat_lock(semid, segment_creator_uid, &matches);
    if (saved == EINVAL || saved == EIDRM)
        fail(EIDRM, label + "'s writer lock (semaphore set " + std::to_string(semid) +
                        ") does not exist: the channel was removed, or its header is corrupt");
    if (saved == EACCES)
        fail(EACCES, "no permission on " + label + "'s writer lock (semaphore set " + std::to_string(semid) + ")");
    if (saved != 0)
        fail_errno(saved, "IPC_STAT of " + label + "'s writer lock (semaphore set " + std::to_string(semid) + ")");
    if (!matches)
        fail(EPROTO, label + "'s header names semaphore set " + std::to_string(semid) +
                         " as its writer lock, but that set is not one (a private set of one semaphore made by "
                         "the segment's creator, uid " + std::to_string(segment_creator_uid) + "): corrupt header");
}

bool ChannelWriterLock::looks_like_lock(int32_t semid, uint32_t segment_creator_uid)
{
    bool matches = false;
    return semid >= 0 && stat_lock(semid, segment_creator_uid, &matches) == 0 && matches;
}

void ChannelWriterLock::remove(int32_t semid)
{
    if (semctl(semid, 0, IPC_RMID) != 0 && errno != EINVAL && errno != EIDRM)
        fail_sem(errno, semid, "IPC_RMID");
}

bool ChannelWriterLock::lock(int32_t semid, int64_t timeout_ns)
{
    struct sembuf ops[2] = {
        {0, 0, 0},         // wait until nobody holds it
        {0, 1, SEM_UNDO},  // take it; the kernel gives it back if we die
    };
    if (timeout_ns == 0) {
        ops[0].sem_flg |= IPC_NOWAIT;
        ops[1].sem_flg |= IPC_NOWAIT;
    }
    const int64_t deadline = timeout_ns > 0 ? monotonic_now_ns() + timeout_ns : 0;
    for (;;) {
        int rc;
        if (timeout_ns > 0) {
            int64_t left = deadline - monotonic_now_ns();
            if (left <= 0)
                return false;
            struct timespec ts = timespec_from_ns(left);
            rc = semtimedop(semid, ops, 2, &ts);
        } else {
            rc = semop(semid, ops, 2);
        }
        if (rc == 0)
            return true;
        int saved = errno;
        if (saved == EAGAIN)
            return false;  // IPC_NOWAIT busy, or semtimedop's timeout
        if (saved == EINTR)
            continue;      // the lock wait is short and bounded: resume it
        fail_sem(saved, semid, "semop lock");
    }
}

void ChannelWriterLock::unlock(int32_t semid)
{
    struct sembuf op = {0, -1, static_cast<short>(SEM_UNDO | IPC_NOWAIT)};
    if (semop(semid, &op, 1) != 0)
        fail_sem(errno, semid, "semop unlock");
}

pid_t ChannelWriterLock::holder(int32_t semid)
{
    int value = semctl(semid, 0, GETVAL);
    if (value < 0)
        fail_sem(errno, semid, "GETVAL");
    if (value == 0)
        return 0;
    int pid = semctl(semid, 0, GETPID);  // the last semop was the holder's lock
    if (pid < 0)
        fail_sem(errno, semid, "GETPID");
    return pid;
}

} // namespace svipc
