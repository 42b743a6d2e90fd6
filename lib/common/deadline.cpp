#include "common/deadline.hpp"

#include "common/error.hpp"
#include "common/time_units.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace svipc {

namespace {
constexpr int64_t forever_timeout = -1; // SVIPC_WAIT_FOREVER
} // namespace

Deadline::Deadline(int64_t timeout_ns) : timeout_ns_(timeout_ns), forever_(timeout_ns == forever_timeout), end_ns_(0)
{
    if (timeout_ns < forever_timeout)
        fail(EINVAL, "timeout_ns " + std::to_string(timeout_ns) +
                         " is invalid (SVIPC_WAIT_FOREVER, 0 to try once, or a positive number of nanoseconds)");
    // timeout 0 (try once) needs no clock: it is expired from the start
    // (end_ns_ 0), and the clock read is a sizeable part of a non-blocking call.
    if (!forever_ && timeout_ns != 0) {
        const int64_t now = monotonic_now_ns();
        // Saturate: a timeout of centuries is "effectively forever", not an overflow.
        end_ns_ = timeout_ns > std::numeric_limits<int64_t>::max() - now ? std::numeric_limits<int64_t>::max()
                                                                          : now + timeout_ns;
    }
}

int64_t Deadline::remaining_ns() const noexcept
{
    if (forever_)
        return std::numeric_limits<int64_t>::max();
    const int64_t left = end_ns_ - monotonic_now_ns();
    return left > 0 ? left : 0;
}

struct timespec timespec_from_ns(int64_t ns) noexcept
{
    constexpr int64_t max_seconds = std::numeric_limits<time_t>::max();
    const int64_t seconds = ns / ns_per_second;
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(seconds > max_seconds ? max_seconds : seconds);
    ts.tv_nsec = static_cast<long>(ns % ns_per_second);
    return ts;
}

struct timespec Deadline::remaining_timespec() const noexcept
{
    return timespec_from_ns(remaining_ns());
}

bool Deadline::sleep_at_most(int64_t ns) const noexcept
{
    const int64_t left = remaining_ns();
    const int64_t nap = ns < left ? ns : left;
    if (nap <= 0)
        return true;
    const struct timespec ts = timespec_from_ns(nap);
    return nanosleep(&ts, nullptr) == 0 || errno != EINTR;
}

std::string describe_timeout(int64_t timeout_ns)
{
    char text[48];
    if (timeout_ns < ns_per_second / 1000)
        std::snprintf(text, sizeof text, "after %lld ns", static_cast<long long>(timeout_ns));
    else if (timeout_ns < ns_per_second)
        std::snprintf(text, sizeof text, "after %.3g ms", static_cast<double>(timeout_ns) / 1e6);
    else
        std::snprintf(text, sizeof text, "after %.4g s", static_cast<double>(timeout_ns) / 1e9);
    return text;
}

} // namespace svipc
