// svipc — RAII guard for the semaphore mutex helper, for C++ callers.
//
// Header-only over the C API (svipc_sem_lock / svipc_sem_unlock), so it adds
// nothing to the ABI and throws only in the caller's code, never across the
// library boundary. Modelled on std::unique_lock:
//
//     svipc::SemLock held(sem);                          // blocks
//     svipc::SemLock maybe(sem, 0, std::try_to_lock);     // owns_lock() false if busy
//     svipc::SemLock timed(sem, 0, std::chrono::milliseconds(50)); // false on timeout
//
// The lock is taken with SEM_UNDO (unless SVIPC_NO_UNDO is passed), so a
// process that dies inside the guarded scope still releases it. A signal
// does not end the wait (the C API resumes it). Failures other than "busy"
// and "timed out" throw std::system_error with the errno and svipc's message.
// Move-only; the guard must be destroyed in the process that locked.
#ifndef SVIPC_SEM_LOCK_HPP
#define SVIPC_SEM_LOCK_HPP

#include <svipc/error.h>
#include <svipc/sem.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>

namespace svipc {

class SemLock {
public:
    // Blocks until the lock is held.
    explicit SemLock(svipc_sem *sem, uint32_t index = 0, uint32_t flags = 0)
        : sem_(sem), index_(index), flags_(flags)
    {
        acquire(SVIPC_WAIT_FOREVER, false);
    }

    // Tries once; owns_lock() says whether it succeeded.
    SemLock(svipc_sem *sem, uint32_t index, std::try_to_lock_t, uint32_t flags = 0)
        : sem_(sem), index_(index), flags_(flags)
    {
        acquire(0, true);
    }

    // Waits at most `timeout`; owns_lock() says whether it succeeded.
    template <typename Rep, typename Period>
    SemLock(svipc_sem *sem, uint32_t index, const std::chrono::duration<Rep, Period> &timeout, uint32_t flags = 0)
        : sem_(sem), index_(index), flags_(flags)
    {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
        acquire(ns > 0 ? static_cast<int64_t>(ns) : 0, true);
    }

    SemLock(const SemLock &) = delete;
    SemLock &operator=(const SemLock &) = delete;

    SemLock(SemLock &&other) noexcept : sem_(other.sem_), index_(other.index_), flags_(other.flags_), owns_(other.owns_)
    {
        other.owns_ = false;
    }

    SemLock &operator=(SemLock &&other) noexcept
    {
        if (this != &other) {
            release_quietly();
            sem_ = other.sem_;
            index_ = other.index_;
            flags_ = other.flags_;
            owns_ = other.owns_;
            other.owns_ = false;
        }
        return *this;
    }

    // Unlocks if held. A destructor cannot report failure; call unlock()
    // first where a failed unlock (set removed, -EPERM) must be seen.
    ~SemLock() { release_quietly(); }

    bool owns_lock() const noexcept { return owns_; }
    explicit operator bool() const noexcept { return owns_; }

    // Unlocks now; throws std::system_error on failure.
    void unlock()
    {
        if (!owns_)
            throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                                    "svipc::SemLock::unlock: not locked by this guard");
        owns_ = false;
        check(svipc_sem_unlock(sem_, index_, flags_ & SVIPC_NO_UNDO));
    }

private:
    void acquire(int64_t timeout_ns, bool may_fail)
    {
        const int rc = svipc_sem_lock(sem_, index_, flags_, timeout_ns);
        if (rc == 0) {
            owns_ = true;
        } else if (!(may_fail && (rc == -EAGAIN || rc == -ETIMEDOUT))) {
            check(rc);
        }
    }

    void release_quietly() noexcept
    {
        if (owns_)
            svipc_sem_unlock(sem_, index_, flags_ & SVIPC_NO_UNDO);
        owns_ = false;
    }

    static void check(int rc)
    {
        if (rc < 0)
            throw std::system_error(std::error_code(-rc, std::generic_category()), svipc_last_error_message());
    }

    svipc_sem *sem_;
    uint32_t index_;
    uint32_t flags_;
    bool owns_ = false;
};

} // namespace svipc

#endif /* SVIPC_SEM_LOCK_HPP */
