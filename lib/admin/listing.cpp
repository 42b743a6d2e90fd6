#include "admin/listing.hpp"

#include "admin/proc_table.hpp"
#include "common/error.hpp"
#include "common/flag_bits.hpp"
#include "common/kernel_info.hpp"
#include "sem/ctl_arg.hpp"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

// The *_STAT_ANY commands (Linux 4.17) report objects without read
// permission, as /proc/sysvipc does; older headers may lack the numbers.
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif

namespace svipc::admin {

namespace {


constexpr uint32_t known_flags = SVIPC_LIST_SYSCALLS | SVIPC_LIST_PROC_ONLY;
static_assert(flag_bits::within(known_flags, flag_bits::admin));


[[noreturn]] void fail_no_proc(const char *path)
{
    fail(ENOENT, std::string("cannot read ") + path + " (is /proc mounted?) and SVIPC_LIST_PROC_ONLY was given");
}

// ---- /proc/sysvipc ------------------------------------------------------

// Each returns false if the table cannot be opened (no /proc): the caller
// falls back to syscalls.
bool proc_shm(std::vector<svipc_shm_info> &out)
{
    std::ifstream file("/proc/sysvipc/shm");
    if (!file)
        return false;
    out = parse_proc_shm(file, "/proc/sysvipc/shm");
    return true;
}

bool proc_sem(std::vector<svipc_sem_info> &out)
{
    std::ifstream file("/proc/sysvipc/sem");
    if (!file)
        return false;
    out = parse_proc_sem(file, "/proc/sysvipc/sem");
    return true;
}

// The /proc table has no capacity column; IPC_STAT (read permission
// needed) fills it in, 0 when unreadable.
uint64_t queue_capacity(int32_t msqid)
{
    struct msqid_ds ds;
    return msgctl(msqid, IPC_STAT, &ds) == 0 ? ds.msg_qbytes : 0;
}

bool proc_msg(std::vector<svipc_msg_info> &out)
{
    std::ifstream file("/proc/sysvipc/msg");
    if (!file)
        return false;
    out = parse_proc_msg(file, "/proc/sysvipc/msg");
    for (svipc_msg_info &info : out)
        info.qbytes = queue_capacity(info.id);
    return true;
}

// ---- *_INFO + *_STAT iteration ------------------------------------------

// Walk kernel indexes 0..max_index, calling stat(index, cmd) which returns
// the object's id or -1 with errno. Unused indexes fail with EINVAL. The
// *_STAT_ANY command is tried first; a kernel without it (before 4.17) also
// says EINVAL, which is told apart by the plain *_STAT succeeding.
template <typename StatFn>
void walk_indexes(int max_index, int stat_any_cmd, int stat_cmd, StatFn &&stat)
{
    int cmd = stat_any_cmd;
    for (int index = 0; index <= max_index; index++) {
        if (stat(index, cmd) >= 0)
            continue;
        if (errno == EINVAL && cmd == stat_any_cmd && stat(index, stat_cmd) >= 0)
            cmd = stat_cmd; // old kernel: plain *_STAT from now on
    }
}

void syscall_shm(std::vector<svipc_shm_info> &out)
{
    struct shm_info usage;
    const int max_index = shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&usage));
    if (max_index < 0)
        fail_errno(errno, "shmctl(SHM_INFO) failed");
    walk_indexes(max_index, SHM_STAT_ANY, SHM_STAT, [&](int index, int cmd) {
        struct shmid_ds ds{}; // zeroed: valgrind does not know *_STAT_ANY fills it
        const int id = shmctl(index, cmd, &ds);
        if (id < 0)
            return -1;
        out.push_back(shm_info_from(id, ds));
        return id;
    });
}

void syscall_sem(std::vector<svipc_sem_info> &out)
{
    struct seminfo usage;
    SemCtlArg arg;
    arg.info = &usage;
    const int max_index = semctl(0, 0, SEM_INFO, arg);
    if (max_index < 0)
        fail_errno(errno, "semctl(SEM_INFO) failed");
    walk_indexes(max_index, SEM_STAT_ANY, SEM_STAT, [&](int index, int cmd) {
        struct semid_ds ds{}; // zeroed: valgrind does not know *_STAT_ANY fills it
        SemCtlArg stat_arg;
        stat_arg.buf = &ds;
        const int id = semctl(index, 0, cmd, stat_arg);
        if (id < 0)
            return -1;
        out.push_back(sem_info_from(id, ds));
        return id;
    });
}

void syscall_msg(std::vector<svipc_msg_info> &out)
{
    struct msginfo usage;
    const int max_index = msgctl(0, MSG_INFO, reinterpret_cast<struct msqid_ds *>(&usage));
    if (max_index < 0)
        fail_errno(errno, "msgctl(MSG_INFO) failed");
    walk_indexes(max_index, MSG_STAT_ANY, MSG_STAT, [&](int index, int cmd) {
        struct msqid_ds ds{}; // zeroed: valgrind does not know *_STAT_ANY fills it
        const int id = msgctl(index, cmd, &ds);
        if (id < 0)
            return -1;
        out.push_back(msg_info_from(id, ds));
        return id;
    });
}

template <typename T>
std::vector<T> list_with(Source source, const char *path, bool (*from_proc)(std::vector<T> &),
                         void (*from_syscalls)(std::vector<T> &))
{
    std::vector<T> records;
    if (source != Source::syscalls) {
        if (from_proc(records))
            return records;
        if (source == Source::proc)
            fail_no_proc(path);
    }
    from_syscalls(records);
    return records;
}

} // namespace

Source source_from_flags(uint32_t flags)
{
    if (flags & ~known_flags) {
        char text[64];
        std::snprintf(text, sizeof text, "unknown listing flags 0x%x", flags & ~known_flags);
        fail(EINVAL, text);
    }
    require((flags & known_flags) != known_flags, "SVIPC_LIST_SYSCALLS and SVIPC_LIST_PROC_ONLY exclude each other");
    if (flags & SVIPC_LIST_SYSCALLS)
        return Source::syscalls;
    if (flags & SVIPC_LIST_PROC_ONLY)
        return Source::proc;
    return Source::automatic;
}

std::vector<svipc_shm_info> list_shm(Source source)
{
    return list_with<svipc_shm_info>(source, "/proc/sysvipc/shm", proc_shm, syscall_shm);
}

std::vector<svipc_sem_info> list_sem(Source source)
{
    return list_with<svipc_sem_info>(source, "/proc/sysvipc/sem", proc_sem, syscall_sem);
}

std::vector<svipc_msg_info> list_msg(Source source)
{
    return list_with<svipc_msg_info>(source, "/proc/sysvipc/msg", proc_msg, syscall_msg);
}

} // namespace svipc::admin
