#include "msg/queue.hpp"

#include "common/deadline.hpp"
#include "common/error.hpp"
#include "common/flag_bits.hpp"
#include "common/flags.hpp"
#include "common/get_error.hpp"
#include "common/key.hpp"
#include "common/kernel_info.hpp"
#include "common/mode.hpp"
#include "msg/bounce_buffer.hpp"
#include "msg/timed_call.hpp"
#include "common/sysctl.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/ipc.h>
#include <sys/msg.h>

namespace svipc {

namespace {

constexpr uint32_t open_flag_mask = SVIPC_CREATE | SVIPC_EXCLUSIVE;
constexpr uint32_t send_flag_mask = SVIPC_INTERRUPTIBLE;
constexpr uint32_t receive_flag_mask = SVIPC_EXCEPT | SVIPC_TRUNCATE | SVIPC_PEEK | SVIPC_INTERRUPTIBLE;
static_assert(flag_bits::within(open_flag_mask, flag_bits::shared_open) &&
              flag_bits::within(send_flag_mask | receive_flag_mask, flag_bits::msg | flag_bits::wait));
// The kernel's msgmax is an int sysctl, so no message is ever longer: a
// bigger receive capacity never needs a bigger bounce block.
constexpr uint64_t longest_possible_message = INT_MAX;


std::string queue_text(int32_t msqid)
{
    return "queue " + std::to_string(msqid);
}



// A msgctl on `msqid` failed with `saved`: if that says the id is gone
// (EINVAL or EIDRM, depending on timing), throw what that means to the
// caller, `gone_code`: EIDRM for a handle that once worked ("queue N" +
// `removed_text`), EINVAL for an id the caller typed. Returns otherwise.
void fail_if_gone(int saved, int32_t msqid, int gone_code, const char *removed_text)
{
    if (saved == EINVAL || saved == EIDRM)
        fail(gone_code, gone_code == EIDRM ? queue_text(msqid) + removed_text
                                           : "no queue with id " + std::to_string(msqid));
}

// IPC_STAT; `gone_code` as for fail_if_gone.
struct msqid_ds stat_or_fail(int32_t msqid, int gone_code)
{
    struct msqid_ds ds;
    if (msgctl(msqid, IPC_STAT, &ds) == 0)
        return ds;
    const int saved = errno;
    fail_if_gone(saved, msqid, gone_code, " was removed");
    if (saved == EACCES)
        fail(EACCES, "no read permission on " + queue_text(msqid));
    fail_errno(saved, "IPC_STAT of " + queue_text(msqid) + " failed");
}

[[noreturn]] void fail_msgget(int saved, int32_t key)
{
    fail_if_key_lookup_error(saved, key, "queue");
    switch (saved) {
    case ENOSPC:
        fail(ENOSPC, "system limit reached creating a queue: the number of queues is limited by " +
                         sysctl_limit_text("msgmni", read_sysctl_u64("/proc/sys/kernel/msgmni", 0)));
    case ENOMEM:
        fail(ENOMEM, "no kernel memory for a new queue");
    default:
        fail_errno(saved, "msgget(" + key_text(key) + ") failed");
    }
}

void set_ds(int32_t msqid, struct msqid_ds &ds, const std::string &what)
{
    if (msgctl(msqid, IPC_SET, &ds) == 0)
        return;
    const int saved = errno;
    if (saved == EPERM)
        fail(EPERM, what);
    fail_if_gone(saved, msqid, EIDRM, " was removed");
    fail_errno(saved, "IPC_SET of " + queue_text(msqid) + " failed");
}

// IPC_RMID; `gone_code` as for fail_if_gone.
void remove_or_fail(int32_t msqid, int gone_code)
{
    if (msgctl(msqid, IPC_RMID, nullptr) == 0)
        return;
    const int saved = errno;
    fail_if_gone(saved, msqid, gone_code, " no longer exists");
    if (saved == EPERM)
        fail(EPERM, "only the owner, the creator or a privileged process may remove " + queue_text(msqid));
    fail_errno(saved, "IPC_RMID of " + queue_text(msqid) + " failed");
}

// Which messages a receive takes, for error messages.
std::string selection_text(int64_t type, uint32_t flags)
{
    if (flags & SVIPC_PEEK)
        return "message at position " + std::to_string(type);
    if (type == 0)
        return "message of any type";
    if (type > 0)
        return ((flags & SVIPC_EXCEPT) ? "message of a type other than " : "message of type ") +
               std::to_string(type);
    // -INT64_MIN does not fit in int64_t; the kernel reads it as LONG_MAX.
    const uint64_t bound = type == INT64_MIN ? static_cast<uint64_t>(INT64_MAX) : static_cast<uint64_t>(-type);
    return "message of type <= " + std::to_string(bound);
}

} // namespace

std::unique_ptr<MessageQueue> MessageQueue::open(int32_t key, uint32_t flags, uint32_t mode)
{
    check_flags(flags, open_flag_mask, "open");
    const uint32_t perms = resolve_mode(mode);
    const bool create = (flags & SVIPC_CREATE) || key == IPC_PRIVATE;
    require(!(flags & SVIPC_EXCLUSIVE) || create, "SVIPC_EXCLUSIVE needs SVIPC_CREATE");
    const int msgflg = (create ? IPC_CREAT | static_cast<int>(perms) : 0) | ((flags & SVIPC_EXCLUSIVE) ? IPC_EXCL : 0);
    const int msqid = msgget(key, msgflg);
    if (msqid < 0)
        fail_msgget(errno, key);
    struct msqid_ds ds;
    if (msgctl(msqid, IPC_STAT, &ds) != 0) {
        const int saved = errno;
        // Write-only access (mode 0200) opens but cannot stat: assume the
        // system default capacity; a larger message re-checks anyway.
        if (saved != EACCES)
            fail_errno(saved, "IPC_STAT of new handle on " + queue_text(msqid) + " failed");
        ds.msg_qbytes = static_cast<msglen_t>(read_sysctl_u64("/proc/sys/kernel/msgmnb", 16384));
    }
    return std::unique_ptr<MessageQueue>(new MessageQueue(msqid, ds.msg_qbytes));
}

std::unique_ptr<MessageQueue> MessageQueue::open_id(int32_t msqid)
{
    require(msqid >= 0, "msqid is negative");
    const struct msqid_ds ds = stat_or_fail(msqid, EINVAL);
    return std::unique_ptr<MessageQueue>(new MessageQueue(msqid, ds.msg_qbytes));
}

void MessageQueue::send(int64_t type, const void *data, uint64_t size, uint32_t flags, int64_t timeout_ns) const
{
    owner_.check();
    check_flags(flags, send_flag_mask, "send");
    if (type <= 0 || type > LONG_MAX)
        fail(EINVAL, "message type " + std::to_string(type) + " is invalid: types are 1.." + std::to_string(LONG_MAX));
    require(data != nullptr || size == 0, "data is NULL but size is not 0");
    const Deadline deadline(timeout_ns);
    if (size > longest_possible_message)
        fail_send(EINVAL, size, timeout_ns);

    MsgBounceBuffer bounce(size);
    bounce.type() = static_cast<long>(type);
    if (size)
        std::memcpy(bounce.payload(), data, size);

    // The kernel would let a message larger than the capacity wait forever.
    if (size > known_qbytes_.load(std::memory_order_relaxed))
        check_can_ever_fit(size);
    // A send that fits costs exactly one msgsnd, as a raw caller's would.
    const int err = msg_timed_call(deadline, (flags & SVIPC_INTERRUPTIBLE) != 0, EAGAIN, [&](bool nowait) {
        return msgsnd(id_, bounce.block(), size, nowait ? IPC_NOWAIT : 0) == 0 ? 0 : errno;
    });
    if (err != 0)
        fail_send(err, size, timeout_ns);
}

void MessageQueue::check_can_ever_fit(uint64_t size) const
{
    struct msqid_ds ds;
    if (msgctl(id_, IPC_STAT, &ds) != 0) {
        if (errno == EACCES)
            return; // write-only access: cannot look, let the kernel decide
        ds = stat_or_fail(id_, EIDRM);
    }
    known_qbytes_.store(ds.msg_qbytes, std::memory_order_relaxed);
    if (size > ds.msg_qbytes)
        fail(E2BIG, "a " + std::to_string(size) + "-byte message can never fit " + queue_text(id_) +
                        ", whose capacity (qbytes) is " + std::to_string(ds.msg_qbytes) +
                        " bytes; raise it with svipc_msg_set_capacity (up to kernel.msgmnb, " +
                        std::to_string(read_sysctl_u64("/proc/sys/kernel/msgmnb", 0)) +
                        ", without CAP_SYS_RESOURCE; new queues start at kernel.msgmnb" +
                        sysctl_raise_hint("kernel.msgmnb=" + std::to_string(doubled(size))) + ")");
}

void MessageQueue::fail_send(int err, uint64_t size, int64_t timeout_ns) const
{
    const std::string queue = queue_text(id_);
    if (err == EAGAIN || err == ETIMEDOUT)
        check_can_ever_fit(size); // capacity lowered by another handle: E2BIG says why
    switch (err) {
    case EAGAIN: {
        struct msqid_ds ds = stat_or_fail(id_, EIDRM);
        fail(EAGAIN, queue + " is full: " + std::to_string(ds.msg_cbytes) + " of " + std::to_string(ds.msg_qbytes) +
                         " bytes and " + std::to_string(ds.msg_qnum) + " messages used, no room for " +
                         std::to_string(size) + " more bytes");
    }
    case ETIMEDOUT:
        fail(ETIMEDOUT, queue + " had no room for a " + std::to_string(size) + "-byte message " +
                            describe_timeout(timeout_ns));
    case EINTR:
        fail(EINTR, "interrupted by a signal while waiting for room in " + queue + " (SVIPC_INTERRUPTIBLE)");
    case EACCES:
        fail(EACCES, "no write permission on " + queue);
    case EINVAL:
    case EIDRM: {
        // msgsnd says EINVAL both for a message above msgmax and for an id
        // that no longer exists; we validated everything else.
        const uint64_t msgmax = read_sysctl_u64("/proc/sys/kernel/msgmax", UINT64_MAX);
        if (size > msgmax)
            fail(E2BIG, "a " + std::to_string(size) + "-byte message exceeds kernel.msgmax (" +
                            std::to_string(msgmax) + " bytes)" +
                            sysctl_raise_hint("kernel.msgmax=" + std::to_string(size)));
        if (size > longest_possible_message)
            fail(E2BIG, "a " + std::to_string(size) + "-byte message exceeds the largest possible kernel.msgmax (" +
                            std::to_string(longest_possible_message) + " bytes)");
        fail(EIDRM, queue + " was removed");
    }
    case ENOMEM:
        fail(ENOMEM, "no kernel memory to queue a " + std::to_string(size) + "-byte message on " + queue);
    default:
        fail_errno(err, "msgsnd on " + queue + " failed");
    }
}

int64_t MessageQueue::receive(int64_t type, void *buf, uint64_t capacity, uint32_t flags, int64_t timeout_ns,
                              int64_t *ret_type) const
{
    owner_.check();
    check_flags(flags, receive_flag_mask, "receive");
    require(buf != nullptr || capacity == 0, "buf is NULL but capacity is not 0");
    require(capacity <= static_cast<uint64_t>(INT64_MAX), "capacity above INT64_MAX");
    require(!(flags & SVIPC_EXCEPT) || type > 0, "SVIPC_EXCEPT needs a type > 0 (the type to skip)");
    int msgflg = ((flags & SVIPC_TRUNCATE) ? MSG_NOERROR : 0) | ((flags & SVIPC_EXCEPT) ? MSG_EXCEPT : 0);
    if (flags & SVIPC_PEEK) {
        require(!(flags & SVIPC_EXCEPT), "SVIPC_PEEK takes a position, not a type: SVIPC_EXCEPT does not apply");
        // The kernel's MSG_COPY cannot truncate (it fails with EINVAL).
        require(!(flags & SVIPC_TRUNCATE), "SVIPC_PEEK cannot truncate: pass a large enough buffer");
        require(type >= 0, "SVIPC_PEEK position is negative");
        require(timeout_ns == 0, "SVIPC_PEEK does not wait: pass timeout 0");
        msgflg |= MSG_COPY;
    }
    if (type > LONG_MAX)
        fail(EINVAL, "type " + std::to_string(type) + " does not fit in a long");
    // long is 32 bits on armhf. A negative type selects the lowest type <= |type|
    // and every type fits in a long, so below LONG_MIN selects exactly what
    // LONG_MIN does (the kernel reads it as <= LONG_MAX): any type.
    const long selector = type < LONG_MIN ? LONG_MIN : static_cast<long>(type);
    const Deadline deadline(timeout_ns);

    MsgBounceBuffer bounce(std::min(capacity, longest_possible_message));
    const size_t room = static_cast<size_t>(std::min(capacity, longest_possible_message));
    ssize_t received = -1;
    const int err = msg_timed_call(deadline, (flags & SVIPC_INTERRUPTIBLE) != 0, ENOMSG, [&](bool nowait) {
        received = msgrcv(id_, bounce.block(), room, selector, msgflg | (nowait ? IPC_NOWAIT : 0));
        return received >= 0 ? 0 : errno;
    });
    if (err != 0)
        fail_receive(err, type, capacity, flags, timeout_ns);
    if (received > 0)
        std::memcpy(buf, bounce.payload(), static_cast<size_t>(received));
    if (ret_type)
        *ret_type = bounce.type();
    return received;
}

void MessageQueue::fail_receive(int err, int64_t type, uint64_t capacity, uint32_t flags, int64_t timeout_ns) const
{
    const std::string queue = queue_text(id_);
    const std::string what = selection_text(type, flags);
    switch (err) {
    case ENOMSG:
        fail(ENOMSG, "no " + what + " in " + queue);
    case ETIMEDOUT:
        fail(ETIMEDOUT, "no " + what + " arrived in " + queue + " " + describe_timeout(timeout_ns));
    case EINTR:
        fail(EINTR, "interrupted by a signal while waiting for a " + what + " in " + queue + " (SVIPC_INTERRUPTIBLE)");
    case E2BIG:
        fail(E2BIG, "the next " + what + " in " + queue + " is longer than the " + std::to_string(capacity) +
                        "-byte buffer; it stays queued (SVIPC_TRUNCATE would cut it)");
    case EACCES:
        fail(EACCES, "no read permission on " + queue);
    case EINVAL:
    case EIDRM:
        fail(EIDRM, queue + " was removed");
    case ENOSYS:
        fail(ENOSYS, "SVIPC_PEEK needs MSG_COPY, which this kernel lacks (CONFIG_CHECKPOINT_RESTORE)");
    default:
        fail_errno(err, "msgrcv on " + queue + " failed");
    }
}

svipc_msg_info MessageQueue::stat() const
{
    owner_.check();
    return msg_info_from(id_, stat_or_fail(id_, EIDRM));
}

svipc_msg_info MessageQueue::stat_id(int32_t msqid)
{
    require(msqid >= 0, "msqid is negative");
    return msg_info_from(msqid, stat_or_fail(msqid, EINVAL));
}

void MessageQueue::set_capacity(uint64_t qbytes)
{
    owner_.check();
    require(qbytes > 0, "qbytes 0: the queue could hold nothing");
    require(qbytes <= ULONG_MAX, "qbytes does not fit in an unsigned long");
    struct msqid_ds ds = stat_or_fail(id_, EIDRM);
    ds.msg_qbytes = static_cast<msglen_t>(qbytes);
    const uint64_t msgmnb = read_sysctl_u64("/proc/sys/kernel/msgmnb", UINT64_MAX);
    set_ds(id_, ds,
           qbytes > msgmnb
               ? "raising " + queue_text(id_) + " to " + std::to_string(qbytes) +
                     " bytes exceeds " + sysctl_limit_text("msgmnb", msgmnb, qbytes) +
                     "; above it the call needs CAP_SYS_RESOURCE; or not the owner/creator"
               : "only the owner, the creator or a privileged process may change " + queue_text(id_));
    known_qbytes_.store(qbytes, std::memory_order_relaxed);
}

void MessageQueue::set_mode(uint32_t mode)
{
    owner_.check();
    require((mode & ~permission_mask) == 0, "mode has bits outside 0777");
    struct msqid_ds ds = stat_or_fail(id_, EIDRM);
    ds.msg_perm.mode = static_cast<unsigned short>((ds.msg_perm.mode & ~permission_mask) | mode);
    set_ds(id_, ds, "only the owner, the creator or a privileged process may change " + queue_text(id_));
}

void MessageQueue::remove()
{
    owner_.check();
    remove_or_fail(id_, EIDRM);
}

void MessageQueue::remove_id(int32_t msqid)
{
    require(msqid >= 0, "msqid is negative");
    remove_or_fail(msqid, EINVAL);
}

} // namespace svipc
