// Which bits of a call's uint32_t flags belong to which object: the one
// table of the allocation that include/svipc/*.h follow. The ranges are
// disjoint, so a call that takes flags of several kinds (an open with
// SVIPC_NO_UNDO, a wait with SVIPC_INTERRUPTIBLE) never reads one bit two
// ways, and a new flag goes in its object's range. common/flag_bits.cpp
// checks, at compile time, every public flag against this table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace svipc::flag_bits {

// SVIPC_CREATE, SVIPC_EXCLUSIVE: every object's open, one meaning (shm.h
// defines them; sem.h and msg.h repeat them behind #ifndef).
constexpr uint32_t shared_open = 0x00000003u;
// shm open flags (0x4..0x80) and attach flags (0x100..0x8000).
constexpr uint32_t shm = 0x0000fffcu;
// SVIPC_NO_UNDO.
constexpr uint32_t sem = 0x00010000u;
// SVIPC_INTERRUPTIBLE (common.h): any blocking call of any object.
constexpr uint32_t wait = 0x00020000u;
// Not allocated yet.
constexpr uint32_t unallocated = 0x000c0000u;
// msg receive flags.
constexpr uint32_t msg = 0x00f00000u;
// channel open and wait flags.
constexpr uint32_t channel = 0x0f000000u;
// admin listing flags.
constexpr uint32_t admin = 0xf0000000u;

// True when no two of `flags` share a bit.
template <size_t N> constexpr bool distinct_bits(const uint32_t (&flags)[N])
{
    uint32_t seen = 0;
    for (uint32_t flag : flags) {
        if (seen & flag)
            return false;
        seen |= flag;
    }
    return true;
}

// True when `mask` (a call's accepted flags) uses only bits of `allowed`.
constexpr bool within(uint32_t mask, uint32_t allowed)
{
    return (mask & ~allowed) == 0;
}

// True when `flag` is exactly one bit.
constexpr bool single_bit(uint32_t flag)
{
    return flag != 0 && (flag & (flag - 1)) == 0;
}

constexpr uint32_t ranges[] = {shared_open, shm, sem, wait, unallocated, msg, channel, admin};
static_assert(distinct_bits(ranges), "two flag ranges overlap");
static_assert((shared_open | shm | sem | wait | unallocated | msg | channel | admin) == 0xffffffffu,
              "a flag bit belongs to no range");

} // namespace svipc::flag_bits
