// Unit conversions between the kernel's times and the API's int64 nanoseconds.
#pragma once

#include <cstdint>

namespace svipc {

constexpr int64_t ns_per_second = 1000000000;

// IPC_STAT times are whole seconds; the API reports nanoseconds (0 = never).
constexpr int64_t seconds_to_ns(int64_t seconds)
{
    return seconds * ns_per_second;
}

} // namespace svipc
