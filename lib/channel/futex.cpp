#include "channel/futex.hpp"

#include "common/deadline.hpp"
#include "common/error.hpp"

#include <cerrno>
#include <climits>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace svipc {

namespace {

uint32_t *address_of(std::atomic<uint32_t> &word)
{
    // std::atomic<uint32_t> is a plain 4-byte word (checked in channel/layout.hpp).
    return reinterpret_cast<uint32_t *>(&word);
}
} // namespace

FutexWaitResult futex_wait_until(std::atomic<uint32_t> &word, uint32_t expected, int64_t deadline_ns)
{
    struct timespec deadline;
    struct timespec *deadline_ptr = nullptr;
    if (deadline_ns >= 0) {
        deadline = timespec_from_ns(deadline_ns);  // saturated deadlines stay valid with a 32-bit time_t
        deadline_ptr = &deadline;
    }
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so a
    // wait resumed after a signal needs no recomputation.
    long rc = syscall(SYS_futex, address_of(word), FUTEX_WAIT_BITSET, expected, deadline_ptr, nullptr,
                      FUTEX_BITSET_MATCH_ANY);
    if (rc == 0)
        return FutexWaitResult::woken;
    switch (errno) {
    case EAGAIN:
        return FutexWaitResult::value_changed;
    case ETIMEDOUT:
        return FutexWaitResult::timed_out;
    case EINTR:
        return FutexWaitResult::interrupted;
    default:
        fail_errno(errno, "futex wait on channel failed");
    }
}

void futex_wake_all(std::atomic<uint32_t> &word)
{
    syscall(SYS_futex, address_of(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

} // namespace svipc
