#include "admin_listing.hpp"

#include "error.hpp"
#include "kernel_info.hpp"
#include "time_units.hpp"
#include "mode.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
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


// semctl's fourth argument; glibc leaves its definition to the caller.
union SemArg {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *info;
};
constexpr uint32_t known_flags = SVIPC_LIST_SYSCALLS | SVIPC_LIST_PROC_ONLY;


// ---- /proc/sysvipc ------------------------------------------------------

// One row of a /proc/sysvipc table, by column name (the header line names
// the columns; new kernels append columns, so positions are not relied on).
class ProcRow {
public:
    ProcRow(const std::string &path, const std::vector<std::string> &names, const std::vector<std::string> &values)
        : path_(path), names_(names), values_(values)
    {
    }

    int64_t number(const char *column, int base = 10) const
    {
        const std::string &text = field(column);
        char *end = nullptr;
        errno = 0;
        long long value = std::strtoll(text.c_str(), &end, base);
        if (errno != 0 || end == text.c_str() || *end != '\0')
            fail(EIO, path_ + ": column " + column + " holds \"" + text + "\", not a number");
        return value;
    }

    uint32_t u32(const char *column) const { return static_cast<uint32_t>(number(column)); }
    int32_t i32(const char *column) const { return static_cast<int32_t>(number(column)); }

private:
    const std::string &field(const char *column) const
    {
        for (size_t i = 0; i < names_.size(); i++)
            if (names_[i] == column)
                return values_[i];
        fail(EIO, path_ + " has no column \"" + column + "\"");
    }

    const std::string &path_;
    const std::vector<std::string> &names_;
    const std::vector<std::string> &values_;
};

std::vector<std::string> split_words(const std::string &line)
{
    std::istringstream stream(line);
    std::vector<std::string> words;
    std::string word;
    while (stream >> word)
        words.push_back(word);
    return words;
}

// Calls row_fn(ProcRow) for each object of the table. Returns false if the
// file cannot be opened (no /proc): the caller falls back to syscalls.
template <typename RowFn>
bool read_proc_table(const std::string &path, RowFn &&row_fn)
{
    std::ifstream file(path);
    if (!file)
        return false;
    std::string line;
    if (!std::getline(file, line))
        fail(EIO, path + " is empty (no header line)");
    const std::vector<std::string> names = split_words(line);
    while (std::getline(file, line)) {
        const std::vector<std::string> values = split_words(line);
        if (values.empty())
            continue;
        if (values.size() < names.size())
            fail(EIO, path + ": a row has " + std::to_string(values.size()) + " fields for " +
                          std::to_string(names.size()) + " columns");
        row_fn(ProcRow(path, names, values));
    }
    return true;
}

[[noreturn]] void fail_no_proc(const char *path)
{
    fail(ENOENT, std::string("cannot read ") + path + " (is /proc mounted?) and SVIPC_LIST_PROC_ONLY was given");
}

bool proc_shm(std::vector<svipc_shm_info> &out)
{
    return read_proc_table("/proc/sysvipc/shm", [&](const ProcRow &row) {
        svipc_shm_info info{};
        const uint32_t mode = static_cast<uint32_t>(row.number("perms", 8));
        info.id = row.i32("shmid");
        info.key = row.i32("key");
        info.mode = mode & permission_mask;
        info.flags = shm_status_flags(mode);
        info.uid = row.u32("uid");
        info.gid = row.u32("gid");
        info.cuid = row.u32("cuid");
        info.cgid = row.u32("cgid");
        info.cpid = row.i32("cpid");
        info.lpid = row.i32("lpid");
        info.size = static_cast<uint64_t>(row.number("size"));
        info.nattch = static_cast<uint64_t>(row.number("nattch"));
        info.atime_ns = seconds_to_ns(row.number("atime"));
        info.dtime_ns = seconds_to_ns(row.number("dtime"));
        info.ctime_ns = seconds_to_ns(row.number("ctime"));
        out.push_back(info);
    });
}

bool proc_sem(std::vector<svipc_sem_info> &out)
{
    return read_proc_table("/proc/sysvipc/sem", [&](const ProcRow &row) {
        svipc_sem_info info{};
        info.id = row.i32("semid");
        info.key = row.i32("key");
        info.mode = static_cast<uint32_t>(row.number("perms", 8)) & permission_mask;
        info.uid = row.u32("uid");
        info.gid = row.u32("gid");
        info.cuid = row.u32("cuid");
        info.cgid = row.u32("cgid");
        info.nsems = row.u32("nsems");
        info.otime_ns = seconds_to_ns(row.number("otime"));
        info.ctime_ns = seconds_to_ns(row.number("ctime"));
        out.push_back(info);
    });
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
    return read_proc_table("/proc/sysvipc/msg", [&](const ProcRow &row) {
        svipc_msg_info info{};
        info.id = row.i32("msqid");
        info.key = row.i32("key");
        info.mode = static_cast<uint32_t>(row.number("perms", 8)) & permission_mask;
        info.uid = row.u32("uid");
        info.gid = row.u32("gid");
        info.cuid = row.u32("cuid");
        info.cgid = row.u32("cgid");
        info.lspid = row.i32("lspid");
        info.lrpid = row.i32("lrpid");
        info.bytes = static_cast<uint64_t>(row.number("cbytes"));
        info.qbytes = queue_capacity(info.id);
        info.messages = static_cast<uint64_t>(row.number("qnum"));
        info.stime_ns = seconds_to_ns(row.number("stime"));
        info.rtime_ns = seconds_to_ns(row.number("rtime"));
        info.ctime_ns = seconds_to_ns(row.number("ctime"));
        out.push_back(info);
    });
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
    SemArg arg;
    arg.info = &usage;
    const int max_index = semctl(0, 0, SEM_INFO, arg);
    if (max_index < 0)
        fail_errno(errno, "semctl(SEM_INFO) failed");
    walk_indexes(max_index, SEM_STAT_ANY, SEM_STAT, [&](int index, int cmd) {
        struct semid_ds ds{}; // zeroed: valgrind does not know *_STAT_ANY fills it
        SemArg stat_arg;
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
