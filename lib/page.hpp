// Page arithmetic shared by attach, attach_into and prefault.
#pragma once

#include <cstdint>

namespace svipc {

uint64_t page_size() noexcept;

inline uint64_t round_up(uint64_t value, uint64_t unit)
{
    return (value + unit - 1) / unit * unit;
}

inline uint64_t round_down(uint64_t value, uint64_t unit)
{
    return value / unit * unit;
}

} // namespace svipc
