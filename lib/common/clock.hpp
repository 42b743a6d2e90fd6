// "Now" in int64 nanoseconds, the unit of every time in the API. The one
// place the library reads a clock. Inline: the channel reads the monotonic
// clock on every publish and on each retry of a read, and a call into
// another object file around the vDSO call is a measurable part of that.
#pragma once

#include "common/time_units.hpp"

#include <cstdint>
#include <ctime>

namespace svipc {

// CLOCK_MONOTONIC: for timeouts, deadlines and ages (wall-clock jumps must
// not stretch or cut them); also what svipc_channel_now_ns returns.
inline int64_t monotonic_now_ns() noexcept
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * ns_per_second + ts.tv_nsec;
}

// CLOCK_REALTIME: for times compared with the kernel's IPC_STAT times
// (seconds since the epoch) and stored for other processes to read.
inline int64_t realtime_now_ns() noexcept
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * ns_per_second + ts.tv_nsec;
}

} // namespace svipc
