// Page arithmetic shared by attach, attach_into and prefault.
#pragma once

#include <cstdint>

namespace svipc {

// sysconf(_SC_PAGESIZE): the unit the kernel maps and counts in.
uint64_t page_size() noexcept;

// SHMLBA from <sys/shm.h>: the boundary shmat needs for an explicit address.
// The page size on x86-64 and native arm64, but 4 pages (16 KiB) for 32-bit
// ARM, also on a 64-bit ARM kernel (whose compat SHMLBA is 4 pages); always a
// multiple of the page size.
uint64_t attach_alignment() noexcept;

inline uint64_t round_up(uint64_t value, uint64_t unit)
{
    return (value + unit - 1) / unit * unit;
}

inline uint64_t round_down(uint64_t value, uint64_t unit)
{
    return value / unit * unit;
}

} // namespace svipc
