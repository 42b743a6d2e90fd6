#include "sem/set.hpp"

#include "common/deadline.hpp"
#include "common/error.hpp"
#include "common/flag_bits.hpp"
#include "common/flags.hpp"
#include "common/kernel_info.hpp"
#include "common/mode.hpp"
#include "sem/ctl.hpp"
#include "sem/init_protocol.hpp"
#include "sem/limits.hpp"
#include "sem/timed_op.hpp"

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace svipc {

namespace {

constexpr uint32_t open_flag_mask = SVIPC_CREATE | SVIPC_EXCLUSIVE | SVIPC_NO_UNDO | SVIPC_INTERRUPTIBLE;
constexpr uint32_t open_id_flag_mask = SVIPC_NO_UNDO;
constexpr uint32_t op_flag_mask = SVIPC_NO_UNDO;
static_assert(flag_bits::within(open_flag_mask, flag_bits::shared_open | flag_bits::sem | flag_bits::wait) &&
              flag_bits::within(open_id_flag_mask | op_flag_mask, flag_bits::sem));
// Up to this many operations are built on the stack; more need a vector.
constexpr std::size_t stack_ops = 16;


void check_count(uint32_t count, const char *what)
{
    require(count > 0, "count is 0 (P/V by 0 would be a wait-for-zero; use svipc_sem_ops with delta 0)");
    if (count > static_cast<uint32_t>(sem_value_max))
        fail(ERANGE, std::string(what) + " by " + std::to_string(count) + " exceeds SEMVMX (" +
                         std::to_string(sem_value_max) + ")");
}

void check_value(uint32_t value, const std::string &what)
{
    if (value > static_cast<uint32_t>(sem_value_max))
        fail(ERANGE, what + " " + std::to_string(value) + " exceeds SEMVMX (" + std::to_string(sem_value_max) + ")");
}


std::string set_text(int32_t semid)
{
    return "semaphore set " + std::to_string(semid);
}

// Turns the errno that ended a semop into the library's error. Cold path:
// messages are built only here.
[[noreturn]] void fail_semop(int err, int32_t semid, const std::string &what, int64_t timeout_ns)
{
    const std::string where = what + " on " + set_text(semid);
    switch (err) {
    case EAGAIN:
        fail(EAGAIN, where + " would block");
    case ETIMEDOUT:
        fail(ETIMEDOUT, where + " timed out " + describe_timeout(timeout_ns));
    case EINTR:
        fail(EINTR, where + " was interrupted by a signal (SVIPC_INTERRUPTIBLE)");
    case EIDRM:
    case EINVAL: // arguments are validated first: EINVAL means the id is gone
        fail(EIDRM, set_text(semid) + " was removed (" + what + ")");
    case EACCES:
        fail(EACCES, "permission denied for " + where + " (P and V need write permission)");
    case ERANGE:
        fail(ERANGE, where + ": a value would pass SEMVMX (" + std::to_string(sem_value_max) +
                         ") or this process's undo adjustment would pass +/-" + std::to_string(sem_value_max) +
                         " (for counting across processes use SVIPC_NO_UNDO)");
    case E2BIG:
        fail(E2BIG, where + ": more operations in one call than " + sem_limit_text("SEMOPM"));
    case EFBIG:
        fail(EINVAL, where + ": member index out of range");
    case ENOMEM:
        fail(ENOMEM, where + ": no memory for the SEM_UNDO state");
    default:
        fail_errno(err, where + " failed");
    }
}

// IPC_SET: unlike the other commands, EINVAL here can mean a uid or gid
// with no mapping in this user namespace, not a vanished set.
void set_perm(int32_t semid, struct semid_ds ds)
{
    SemCtlArg arg{};
    arg.buf = &ds;
    if (semctl(semid, 0, IPC_SET, arg) == 0)
        return;
    const int saved = errno;
    if (saved == EINVAL) {
        struct semid_ds probe;
        SemCtlArg probe_arg{};
        probe_arg.buf = &probe;
        if (semctl(semid, 0, IPC_STAT, probe_arg) == 0)
            fail(EINVAL, "uid " + std::to_string(ds.sem_perm.uid) + " or gid " + std::to_string(ds.sem_perm.gid) +
                             " is not valid here");
    }
    fail_sem_ctl(saved, semid, SemIdOrigin::handle, "IPC_SET");
}

// "P by 2 on member 0": names a single operation in messages.
std::string describe_op(const char *verb, const struct sembuf &op, uint32_t index)
{
    const int count = op.sem_op < 0 ? -op.sem_op : op.sem_op;
    return std::string(verb) + " by " + std::to_string(count) + " on member " + std::to_string(index);
}

} // namespace

std::unique_ptr<SemSet> SemSet::open(int32_t key, uint32_t nsems, uint32_t flags, uint32_t mode,
                                     const uint16_t *initial_values, int64_t init_timeout_ns)
{
    check_flags(flags, open_flag_mask, "open");
    const uint32_t perms = resolve_mode(mode);
    const bool create = (flags & SVIPC_CREATE) || key == IPC_PRIVATE;
    require(!(flags & SVIPC_EXCLUSIVE) || create, "SVIPC_EXCLUSIVE needs SVIPC_CREATE");
    require(!create || nsems > 0, "nsems 0 on create: a set needs at least 1 semaphore");
    require(nsems <= static_cast<uint32_t>(INT32_MAX), "nsems does not fit in an int");
    require(initial_values == nullptr || nsems > 0, "initial_values given with nsems 0");
    if (initial_values) {
        for (uint32_t i = 0; i < nsems; i++)
            check_value(initial_values[i], "initial value of member " + std::to_string(i));
    }
    const Deadline deadline(init_timeout_ns);
    const InitialisedSet set = open_initialised_set(key, nsems, create, (flags & SVIPC_EXCLUSIVE) != 0, perms,
                                                    initial_values, deadline, (flags & SVIPC_INTERRUPTIBLE) != 0);
    return std::unique_ptr<SemSet>(new SemSet(set.id, set.nsems, set.created, flags));
}

std::unique_ptr<SemSet> SemSet::open_id(int32_t semid, uint32_t flags)
{
    check_flags(flags, open_id_flag_mask, "open_id");
    require(semid >= 0, "semid is negative");
    const struct semid_ds ds = sem_stat_ds(semid, SemIdOrigin::caller);
    return std::unique_ptr<SemSet>(new SemSet(semid, static_cast<uint32_t>(ds.sem_nsems), false, flags));
}

SemSet::SemSet(int32_t id, uint32_t nsems, bool created, uint32_t open_flags)
    : id_(id), nsems_(nsems), created_(created), open_flags_(open_flags)
{
}

void SemSet::check_index(uint32_t index) const
{
    if (index >= nsems_)
        fail(EINVAL, "index " + std::to_string(index) + " is out of range: " + set_text(id_) + " has " +
                         std::to_string(nsems_) + (nsems_ == 1 ? " semaphore" : " semaphores"));
}

void SemSet::run(struct sembuf *ops, std::size_t nops, uint32_t flags, int64_t timeout_ns, const char *what,
                 uint32_t index_for_message)
{
    const Deadline deadline(timeout_ns);
    const int err = sem_timed_op(id_, ops, nops, deadline, (flags & SVIPC_INTERRUPTIBLE) != 0);
    if (err != 0) {
        if (nops == 1)
            fail_semop(err, id_, describe_op(what, ops[0], index_for_message), timeout_ns);
        fail_semop(err, id_, std::string(what) + " of " + std::to_string(nops) + " operations", timeout_ns);
    }
}

void SemSet::reject_member_op(uint32_t index, uint32_t count, uint32_t flags, uint32_t allowed, const char *what) const
{
    check_flags(flags, allowed, what);
    check_index(index);
    check_count(count, what);
    fail(EINVAL, std::string(what) + ": invalid arguments"); // unreachable: one check above threw
}

void SemSet::finish_op(struct sembuf *op, uint32_t flags, int64_t timeout_ns, const char *what, uint32_t index,
                       int first_error)
{
    // first_error: what the inline attempt got (-1: it did not try, because
    // the timeout is finite or zero). Only a signal, without
    // SVIPC_INTERRUPTIBLE, means "try again".
    if (first_error > 0 && (first_error != EINTR || (flags & SVIPC_INTERRUPTIBLE)))
        fail_semop(first_error, id_, describe_op(what, *op, index), timeout_ns);
    run(op, 1, flags, timeout_ns, what, index);
}

void SemSet::unlock_failed(uint32_t index, int err) const
{
    if (err == EAGAIN) {
        SemCtlArg arg{};
        const int value = semctl(id_, static_cast<int>(index), GETVAL, arg);
        fail(EPERM, "member " + std::to_string(index) + " of " + set_text(id_) + " is not locked (value " +
                        std::to_string(value) + "); a second unlock would let two holders in");
    }
    fail_semop(err, id_, "unlock (V by 1) on member " + std::to_string(index), SVIPC_WAIT_FOREVER);
}

void SemSet::ops(const svipc_sem_op *ops, uint32_t nops, uint32_t flags, int64_t timeout_ns)
{
    owner_.check();
    check_flags(flags, wait_flag_mask, "ops");
    require(ops != nullptr, "ops is NULL");
    require(nops > 0, "nops is 0");
    struct sembuf on_stack[stack_ops];
    std::vector<struct sembuf> on_heap;
    struct sembuf *built = on_stack;
    if (nops > stack_ops) {
        on_heap.resize(nops);
        built = on_heap.data();
    }
    for (uint32_t i = 0; i < nops; i++) {
        const svipc_sem_op &op = ops[i];
        if (op.flags & ~op_flag_mask) {
            char text[96];
            std::snprintf(text, sizeof text, "ops[%u]: unknown flags 0x%x (only SVIPC_NO_UNDO)", i,
                          op.flags & ~op_flag_mask);
            fail(EINVAL, text);
        }
        if (op.index >= nsems_)
            fail(EINVAL, "ops[" + std::to_string(i) + "]: index " + std::to_string(op.index) +
                             " is out of range: " + set_text(id_) + " has " + std::to_string(nsems_) +
                             " semaphores");
        if (op.delta == INT16_MIN)
            fail(ERANGE, "ops[" + std::to_string(i) + "]: delta -32768 exceeds SEMVMX (" +
                             std::to_string(sem_value_max) + ") and could never complete");
        built[i] = {op.index, op.delta, undo_flag(flags | op.flags)};
    }
    run(built, nops, flags, timeout_ns, "atomic semop", 0);
}

int SemSet::member_ctl(uint32_t index, int cmd, const char *what) const
{
    owner_.check();
    check_index(index);
    SemCtlArg arg{};
    return sem_ctl(id_, static_cast<int>(index), cmd, arg, SemIdOrigin::handle,
                   std::string(what) + " of member " + std::to_string(index));
}

int SemSet::value(uint32_t index) const
{
    return member_ctl(index, GETVAL, "GETVAL");
}

int SemSet::waiting(uint32_t index) const
{
    return member_ctl(index, GETNCNT, "GETNCNT");
}

int SemSet::waiting_zero(uint32_t index) const
{
    return member_ctl(index, GETZCNT, "GETZCNT");
}

int SemSet::last_pid(uint32_t index) const
{
    return member_ctl(index, GETPID, "GETPID");
}

void SemSet::set_value(uint32_t index, uint32_t value)
{
    owner_.check();
    check_index(index);
    check_value(value, "value");
    SemCtlArg arg{};
    arg.val = static_cast<int>(value);
    sem_ctl(id_, static_cast<int>(index), SETVAL, arg, SemIdOrigin::handle,
            "SETVAL of member " + std::to_string(index));
}

uint32_t SemSet::values(uint16_t *out, uint32_t capacity) const
{
    owner_.check();
    require(out != nullptr, "ret_values is NULL");
    if (capacity < nsems_)
        fail(EINVAL, "capacity " + std::to_string(capacity) + " is smaller than the " + std::to_string(nsems_) +
                         " semaphores of " + set_text(id_));
    static_assert(sizeof(unsigned short) == sizeof(uint16_t), "GETALL fills unsigned shorts");
    std::vector<unsigned short> buffer(nsems_); // so *out is untouched on failure
    SemCtlArg arg{};
    arg.array = buffer.data();
    sem_ctl(id_, 0, GETALL, arg, SemIdOrigin::handle, "GETALL");
    for (uint32_t i = 0; i < nsems_; i++)
        out[i] = buffer[i];
    return nsems_;
}

void SemSet::set_values(const uint16_t *values, uint32_t count)
{
    owner_.check();
    require(values != nullptr, "values is NULL");
    if (count != nsems_)
        fail(EINVAL, "count " + std::to_string(count) + " differs from the " + std::to_string(nsems_) +
                         " semaphores of " + set_text(id_) + " (SETALL sets every member)");
    for (uint32_t i = 0; i < count; i++)
        check_value(values[i], "value of member " + std::to_string(i));
    std::vector<unsigned short> buffer(values, values + count);
    SemCtlArg arg{};
    arg.array = buffer.data();
    sem_ctl(id_, 0, SETALL, arg, SemIdOrigin::handle, "SETALL");
}

svipc_sem_info SemSet::stat() const
{
    owner_.check();
    return sem_info_from(id_, sem_stat_ds(id_, SemIdOrigin::handle));
}

svipc_sem_info SemSet::stat_id(int32_t semid)
{
    require(semid >= 0, "semid is negative");
    return sem_info_from(semid, sem_stat_ds(semid, SemIdOrigin::caller));
}

void SemSet::set_mode(uint32_t mode)
{
    owner_.check();
    require((mode & ~permission_mask) == 0, "mode has bits outside 0777");
    struct semid_ds ds = sem_stat_ds(id_, SemIdOrigin::handle);
    ds.sem_perm.mode = static_cast<unsigned short>((ds.sem_perm.mode & ~permission_mask) | mode);
    set_perm(id_, ds);
}

void SemSet::set_owner(uint32_t uid, uint32_t gid)
{
    owner_.check();
    struct semid_ds ds = sem_stat_ds(id_, SemIdOrigin::handle);
    ds.sem_perm.uid = uid;
    ds.sem_perm.gid = gid;
    set_perm(id_, ds);
}

void SemSet::remove()
{
    owner_.check();
    SemCtlArg arg{};
    sem_ctl(id_, 0, IPC_RMID, arg, SemIdOrigin::handle, "IPC_RMID");
}

void SemSet::remove_id(int32_t semid)
{
    require(semid >= 0, "semid is negative");
    SemCtlArg arg{};
    sem_ctl(semid, 0, IPC_RMID, arg, SemIdOrigin::caller, "IPC_RMID");
}

} // namespace svipc
