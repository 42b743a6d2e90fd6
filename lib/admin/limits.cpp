#include "admin/limits.hpp"

#include "common/error.hpp"
#include "common/page.hpp"
#include "common/sysctl.hpp"
#include "sem/ctl_arg.hpp"

#include <cerrno>
#include <string>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

namespace svipc::admin {

namespace {

// The *_INFO calls take their struct through the *_ds pointer type.
struct shminfo shm_ipc_info()
{
    struct shminfo info;
    if (shmctl(0, IPC_INFO, reinterpret_cast<struct shmid_ds *>(&info)) < 0)
        fail_errno(errno, "shmctl(IPC_INFO) failed");
    return info;
}

struct seminfo sem_info(int cmd, const char *what)
{
    struct seminfo info;
    SemCtlArg arg;
    arg.info = &info;
    if (semctl(0, 0, cmd, arg) < 0)
        fail_errno(errno, std::string("semctl(") + what + ") failed");
    return info;
}

struct msginfo msg_info(int cmd, const char *what)
{
    struct msginfo info;
    if (msgctl(0, cmd, reinterpret_cast<struct msqid_ds *>(&info)) < 0)
        fail_errno(errno, std::string("msgctl(") + what + ") failed");
    return info;
}

uint64_t nonnegative(int value)
{
    return value < 0 ? 0 : static_cast<uint64_t>(value);
}

} // namespace

// IPC_INFO reports the same per-namespace values as /proc/sys/kernel/{shm*,
// sem,msg*} (which are the knobs behind them), plus semvmx and shmmin that
// /proc does not show, from one source and without parsing.
svipc_ipc_limits limits()
{
    const struct shminfo shm = shm_ipc_info();
    const struct seminfo sem = sem_info(IPC_INFO, "IPC_INFO");
    const struct msginfo msg = msg_info(IPC_INFO, "IPC_INFO");
    svipc_ipc_limits out{};
    // shminfo's shmmax and shmall are unsigned long: a 32-bit process (armhf,
    // also on a 64-bit kernel, which clamps them for compat callers) cannot
    // see the 64-bit values, so those two come from /proc when it is there.
    out.shmmax = read_sysctl_u64("/proc/sys/kernel/shmmax", shm.shmmax);
    out.shmall = read_sysctl_u64("/proc/sys/kernel/shmall", shm.shmall);
    out.shmmin = shm.shmmin;
    out.shmmni = shm.shmmni;
    out.page_size = page_size();
    out.semmsl = nonnegative(sem.semmsl);
    out.semmns = nonnegative(sem.semmns);
    out.semopm = nonnegative(sem.semopm);
    out.semmni = nonnegative(sem.semmni);
    out.semvmx = nonnegative(sem.semvmx);
    out.msgmni = nonnegative(msg.msgmni);
    out.msgmax = nonnegative(msg.msgmax);
    out.msgmnb = nonnegative(msg.msgmnb);
    return out;
}

svipc_ipc_usage usage()
{
    struct shm_info shm;
    if (shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&shm)) < 0)
        fail_errno(errno, "shmctl(SHM_INFO) failed");
    // With SEM_INFO/MSG_INFO the kernel reuses fields for usage counts:
    // semusz = sets, semaem = semaphores; msgpool = queues, msgmap =
    // messages, msgtql = bytes (capped at INT_MAX by the kernel).
    const struct seminfo sem = sem_info(SEM_INFO, "SEM_INFO");
    const struct msginfo msg = msg_info(MSG_INFO, "MSG_INFO");
    svipc_ipc_usage out{};
    out.shm_segments = nonnegative(shm.used_ids);
    out.shm_pages = shm.shm_tot;
    out.shm_resident_pages = shm.shm_rss;
    out.shm_swapped_pages = shm.shm_swp;
    out.sem_sets = nonnegative(sem.semusz);
    out.sem_semaphores = nonnegative(sem.semaem);
    out.msg_queues = nonnegative(msg.msgpool);
    out.msg_messages = nonnegative(msg.msgmap);
    out.msg_bytes = nonnegative(msg.msgtql);
    return out;
}

} // namespace svipc::admin
