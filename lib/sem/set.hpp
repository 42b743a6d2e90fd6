// One System V semaphore set as seen by this process: its id, its size
// (fixed for a set's life, so index checks need no system call) and the
// handle's default undo choice. P/V go straight to semop; everything else is
// a semctl command.
#pragma once

#include "common/flag_bits.hpp"
#include "common/process_owner.hpp"

#include <svipc/sem.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sys/sem.h>

namespace svipc {

class SemSet {
public:
    static std::unique_ptr<SemSet> open(int32_t key, uint32_t nsems, uint32_t flags, uint32_t mode,
                                        const uint16_t *initial_values, int64_t init_timeout_ns);
    static std::unique_ptr<SemSet> open_id(int32_t semid, uint32_t flags);
    static void remove_id(int32_t semid);
    static svipc_sem_info stat_id(int32_t semid);

    SemSet(const SemSet &) = delete;
    SemSet &operator=(const SemSet &) = delete;

    int32_t id() const { return id_; }
    uint32_t nsems() const { return nsems_; }
    bool created() const { return created_; }

    // P, V, lock and unlock are inline so that the C entry point holds the
    // whole fast path: one combined argument test, then semop. Measured on
    // the development machine, each call level between the C entry point
    // and semop cost ~10 ns per operation (returns after a system call
    // predict badly); with two out-of-line levels svipc was 1.08-1.12x raw
    // semop, inlined it is 1.01-1.05x (bench/sem_c.c). Failures, signals and
    // finite timeouts continue out of line in finish_op.
    void p(uint32_t index, uint32_t count, uint32_t flags, int64_t timeout_ns)
    {
        owner_.check();
        if (bad_member_op(index, count, flags, wait_flag_mask))
            reject_member_op(index, count, flags, wait_flag_mask, "P");
        struct sembuf op = {static_cast<unsigned short>(index), static_cast<short>(-static_cast<int>(count)),
                            undo_flag(flags)};
        if (const int err = attempt(&op, 1, timeout_ns))
            finish_op(&op, flags, timeout_ns, "P", index, err);
    }

    void v(uint32_t index, uint32_t count, uint32_t flags)
    {
        owner_.check();
        if (bad_member_op(index, count, flags, signal_flag_mask))
            reject_member_op(index, count, flags, signal_flag_mask, "V");
        struct sembuf op = {static_cast<unsigned short>(index), static_cast<short>(count), undo_flag(flags)};
        if (const int err = attempt(&op, 1, SVIPC_WAIT_FOREVER)) // V never blocks
            finish_op(&op, flags, SVIPC_WAIT_FOREVER, "V", index, err);
    }

    void lock(uint32_t index, uint32_t flags, int64_t timeout_ns)
    {
        owner_.check();
        if (bad_member_op(index, 1, flags, wait_flag_mask))
            reject_member_op(index, 1, flags, wait_flag_mask, "lock");
        struct sembuf op = {static_cast<unsigned short>(index), -1, undo_flag(flags)};
        if (const int err = attempt(&op, 1, timeout_ns))
            finish_op(&op, flags, timeout_ns, "lock (P)", index, err);
    }

    // "V only from 0" in one atomic semop: the wait-for-zero with IPC_NOWAIT
    // fails the whole call (EAGAIN -> EPERM) when the semaphore is not
    // locked. Never blocks, so no deadline and no EINTR.
    void unlock(uint32_t index, uint32_t flags)
    {
        owner_.check();
        if (bad_member_op(index, 1, flags, signal_flag_mask))
            reject_member_op(index, 1, flags, signal_flag_mask, "unlock");
        const unsigned short member = static_cast<unsigned short>(index);
        struct sembuf ops[2] = {{member, 0, IPC_NOWAIT}, {member, 1, undo_flag(flags)}};
        if (const int err = attempt(ops, 2, SVIPC_WAIT_FOREVER))
            unlock_failed(index, err);
    }

    void ops(const svipc_sem_op *ops, uint32_t nops, uint32_t flags, int64_t timeout_ns);

    int value(uint32_t index) const;
    void set_value(uint32_t index, uint32_t value);
    uint32_t values(uint16_t *out, uint32_t capacity) const;
    void set_values(const uint16_t *values, uint32_t count);
    int waiting(uint32_t index) const;
    int waiting_zero(uint32_t index) const;
    int last_pid(uint32_t index) const;

    svipc_sem_info stat() const;
    void set_mode(uint32_t mode);
    void set_owner(uint32_t uid, uint32_t gid);
    void remove();

private:
    SemSet(int32_t id, uint32_t nsems, bool created, uint32_t open_flags);
    void check_index(uint32_t index) const;
    [[noreturn]] void reject_member_op(uint32_t index, uint32_t count, uint32_t flags, uint32_t allowed,
                                       const char *what) const;
    // 0 done, else the errno of a semop tried when blocking forever (or
    // never blocking), or -1 when not tried (finite or zero timeout).
    int attempt(struct sembuf *ops, std::size_t nops, int64_t timeout_ns) const noexcept
    {
        if (timeout_ns != SVIPC_WAIT_FOREVER)
            return -1;
        return semop(id_, ops, nops) == 0 ? 0 : errno;
    }
    bool bad_member_op(uint32_t index, uint32_t count, uint32_t flags, uint32_t allowed) const
    {
        return (flags & ~allowed) != 0 || index >= nsems_ || count - 1u >= static_cast<uint32_t>(SVIPC_SEM_VALUE_MAX);
    }
    void finish_op(struct sembuf *op, uint32_t flags, int64_t timeout_ns, const char *what, uint32_t index,
                   int first_error);
    [[noreturn]] void unlock_failed(uint32_t index, int err) const;
    static constexpr uint32_t wait_flag_mask = SVIPC_NO_UNDO | SVIPC_INTERRUPTIBLE;
    static constexpr uint32_t signal_flag_mask = SVIPC_NO_UNDO;
    static_assert(flag_bits::within(wait_flag_mask | signal_flag_mask, flag_bits::sem | flag_bits::wait));

    short undo_flag(uint32_t call_flags) const
    {
        return ((open_flags_ | call_flags) & SVIPC_NO_UNDO) ? 0 : SEM_UNDO;
    }
    // Runs the semop and turns a failure into an Error; `what` describes the
    // operation for the message ("P by 2 on member 0").
    void run(struct sembuf *ops, std::size_t nops, uint32_t flags, int64_t timeout_ns, const char *what,
             uint32_t index_for_message);
    int member_ctl(uint32_t index, int cmd, const char *what) const;

    int32_t id_;
    uint32_t nsems_;
    bool created_;
    uint32_t open_flags_;
    ProcessOwner owner_;
};

} // namespace svipc
