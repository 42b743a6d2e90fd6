#include "common/page.hpp"

#include <sys/shm.h>
#include <unistd.h>

namespace svipc {

uint64_t page_size() noexcept
{
    static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    return size;
}

uint64_t attach_alignment() noexcept
{
    // glibc's SHMLBA calls getpagesize() on every architecture, so it is a
    // run-time value: right for 4, 16 and 64 KiB page kernels alike.
    static const uint64_t alignment = static_cast<uint64_t>(SHMLBA);
    return alignment;
}

} // namespace svipc
