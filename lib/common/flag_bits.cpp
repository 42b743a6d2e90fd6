// Compile-time checks of every public flag constant against the table in
// common/flag_bits.hpp: each is one bit, in its object's range, and no two
// share a bit. A header change that breaks the allocation stops the build.
// Nothing here runs or exports anything.
#include "common/flag_bits.hpp"

#include <svipc/admin.h>
#include <svipc/channel.h>
#include <svipc/common.h>
#include <svipc/msg.h>
#include <svipc/sem.h>
#include <svipc/shm.h>

namespace svipc::flag_bits {
namespace {

struct Flag {
    uint32_t value;
    uint32_t range;
};

// Every flag a call takes, with the range it must sit in.
constexpr Flag call_flags[] = {
    {SVIPC_CREATE, shared_open},         {SVIPC_EXCLUSIVE, shared_open},

    {SVIPC_HUGETLB, shm},                {SVIPC_NORESERVE, shm},
    {SVIPC_AUTO_REMOVE, shm},            {SVIPC_RDONLY, shm},
    {SVIPC_RND, shm},                    {SVIPC_REMAP, shm},
    {SVIPC_PREFAULT, shm},               {SVIPC_KEEP_BUFFER, shm},

    {SVIPC_NO_UNDO, sem},

    {SVIPC_INTERRUPTIBLE, wait},

    {SVIPC_EXCEPT, msg},                 {SVIPC_TRUNCATE, msg},
    {SVIPC_PEEK, msg},

    {SVIPC_CHANNEL_SHARED_WRITER, channel}, {SVIPC_CHANNEL_SPIN, channel},

    {SVIPC_LIST_SYSCALLS, admin},        {SVIPC_LIST_PROC_ONLY, admin},
};

// True when each flag is one bit inside its range and no two share a bit.
constexpr bool call_flags_fit_the_table()
{
    uint32_t seen = 0;
    for (const Flag &flag : call_flags) {
        if (!single_bit(flag.value) || !within(flag.value, flag.range) || (seen & flag.value))
            return false;
        seen |= flag.value;
    }
    return true;
}
static_assert(call_flags_fit_the_table(), "a public flag is not one bit inside its object's range, or two share a bit");

// Bits reported in info structs: a namespace of their own per struct, so
// they only need to be distinct among themselves.
constexpr uint32_t shm_info_flags[] = {SVIPC_SHM_INFO_REMOVED, SVIPC_SHM_INFO_LOCKED};
constexpr uint32_t orphan_flags[] = {SVIPC_ORPHAN_CHANNEL, SVIPC_ORPHAN_CHANNEL_LOCK};
static_assert(distinct_bits(shm_info_flags), "two svipc_shm_info.flags bits overlap");
static_assert(distinct_bits(orphan_flags), "two svipc_orphan.flags bits overlap");

} // namespace
} // namespace svipc::flag_bits
