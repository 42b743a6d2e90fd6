#include "sem/init_protocol.hpp"

#include "common/error.hpp"
#include "common/get_error.hpp"
#include "common/key.hpp"
#include "sem/ctl.hpp"
#include "sem/limits.hpp"

#include <cerrno>
#include <string>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <vector>

namespace svipc {

namespace {

// Polling interval for someone else's initialisation: starts short (the
// creator is normally microseconds from done) and backs off so a stuck
// creator does not cost a busy loop.
constexpr int64_t first_poll_ns = 20000;    // 20 us
constexpr int64_t longest_poll_ns = 5000000; // 5 ms
// A set vanishing between our semget calls is a race with a remover; retry a
// few times even under a try-once deadline.
constexpr int min_vanish_retries = 3;


[[noreturn]] void fail_semget(int saved, int32_t key, uint32_t nsems, bool creating)
{
    fail_if_key_lookup_error(saved, key, "semaphore set");
    const std::string name = "semaphore set with key " + key_text(key);
    switch (saved) {
    case ENOSPC:
        fail(ENOSPC, "system limit reached creating a set of " + std::to_string(nsems) + " semaphores: " +
                         sem_space_limit_text(nsems));
    case ENOMEM:
        fail(ENOMEM, "no memory for a set of " + std::to_string(nsems) + " semaphores");
    case EINVAL: {
        const SemLimits limits = read_sem_limits();
        if (creating && nsems > limits.semmsl)
            fail(EINVAL, "nsems " + std::to_string(nsems) + " exceeds " + sem_limit_text("SEMMSL"));
        if (key != IPC_PRIVATE) {
            const int existing = semget(key, 0, 0);
            struct semid_ds ds;
            SemCtlArg arg;
            arg.buf = &ds;
            if (existing >= 0 && semctl(existing, 0, IPC_STAT, arg) == 0 && ds.sem_nsems < nsems)
                fail(EINVAL, name + " has " + std::to_string(ds.sem_nsems) + " semaphores, fewer than the " +
                                 std::to_string(nsems) + " requested");
        }
        fail(EINVAL, std::string(creating ? "cannot create " : "cannot open ") + name + " of " +
                         std::to_string(nsems) + " semaphores");
    }
    default:
        fail_errno(saved, "semget(" + key_text(key) + ") failed");
    }
}

// Runs in the creator only, before any other process can see sem_otime set.
void initialise(int32_t semid, uint32_t nsems, const uint16_t *initial)
{
    bool first_positive = false;
    if (initial) {
        std::vector<unsigned short> values(initial, initial + nsems);
        SemCtlArg arg;
        arg.array = values.data();
        sem_ctl(semid, 0, SETALL, arg, SemIdOrigin::handle, "SETALL of the initial values");
        first_positive = initial[0] > 0;
    }
    // The publishing semop: a net no-op on member 0 (wait-for-zero when it
    // is 0, else -1 then +1 in one atomic call), without SEM_UNDO so the
    // creator's exit changes nothing.
    struct sembuf ops[2] = {{0, -1, IPC_NOWAIT}, {0, 1, IPC_NOWAIT}};
    struct sembuf zero = {0, 0, IPC_NOWAIT};
    if (semop(semid, first_positive ? ops : &zero, first_positive ? 2 : 1) != 0)
        fail_errno(errno, "initialising semop on semaphore set " + std::to_string(semid) +
                              " (did another program operate on it before initialisation?)");
}

} // namespace

InitialisedSet open_initialised_set(int32_t key, uint32_t nsems, bool create, bool exclusive, uint32_t perms,
                                    const uint16_t *initial, const Deadline &deadline, bool interruptible)
{
    create = create || key == IPC_PRIVATE;
    int vanished = 0;
    for (;;) {
        if (create) {
            const int semid = semget(key, static_cast<int>(nsems), IPC_CREAT | IPC_EXCL | static_cast<int>(perms));
            if (semid >= 0) {
                try {
                    initialise(semid, nsems, initial);
                } catch (...) {
                    // Never leave a set that others would wait on forever.
                    semctl(semid, 0, IPC_RMID);
                    throw;
                }
                return InitialisedSet{semid, nsems, true};
            }
            if (errno != EEXIST || exclusive)
                fail_semget(errno, key, nsems, true);
        }

        const int semid = semget(key, static_cast<int>(nsems), 0);
        if (semid < 0) {
            const int saved = errno;
            if (saved == ENOENT && create && (vanished++ < min_vanish_retries || !deadline.expired()))
                continue; // removed since our IPC_EXCL attempt: try to create it ourselves
            fail_semget(saved, key, nsems, false);
        }

        for (int64_t poll = first_poll_ns;; poll = poll * 2 < longest_poll_ns ? poll * 2 : longest_poll_ns) {
            struct semid_ds ds;
            SemCtlArg arg;
            arg.buf = &ds;
            if (semctl(semid, 0, IPC_STAT, arg) != 0) {
                const int saved = errno;
                if (saved == EINVAL || saved == EIDRM)
                    break; // removed while we waited: back to semget
                if (saved == EACCES)
                    fail(EACCES, "no read permission on semaphore set " + std::to_string(semid) + " (key " +
                                     key_text(key) + ")");
                fail_errno(saved, "IPC_STAT of semaphore set " + std::to_string(semid));
            }
            if (ds.sem_otime != 0)
                return InitialisedSet{semid, static_cast<uint32_t>(ds.sem_nsems), false};
            if (deadline.immediate())
                fail(EAGAIN, "semaphore set " + std::to_string(semid) + " (key " + key_text(key) +
                                 ") is not initialised yet (sem_otime is 0)");
            if (deadline.expired())
                fail(ETIMEDOUT, "semaphore set " + std::to_string(semid) + " (key " + key_text(key) +
                                    ") was not initialised " + describe_timeout(deadline.timeout_ns()) +
                                    " (sem_otime is still 0): its creator may have died before initialising it; "
                                    "if no process is creating it, remove it (ipcrm -s " +
                                    std::to_string(semid) + ") and open again");
            if (!deadline.sleep_at_most(poll) && interruptible)
                fail(EINTR, "interrupted by a signal while waiting for the initialisation of semaphore set " +
                                std::to_string(semid));
        }
    }
}

} // namespace svipc
