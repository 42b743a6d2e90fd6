#include "channel/asymmetric_fence.hpp"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace svipc::asymmetric_fence {

namespace {
long membarrier(int command)
{
    return syscall(SYS_membarrier, command, 0, 0);
}
} // namespace

bool register_light_side()
{
    // Idempotent and per process (a fork child starts unregistered, and a
    // channel handle is per process anyway), so each writer calls it once.
    const long supported = membarrier(MEMBARRIER_CMD_QUERY);
    if (supported < 0 || !(supported & MEMBARRIER_CMD_GLOBAL_EXPEDITED))
        return false;
    return membarrier(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
}

bool heavy()
{
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) == 0;
}

} // namespace svipc::asymmetric_fence
