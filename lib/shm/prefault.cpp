#include "shm/prefault.hpp"

#include "common/error.hpp"
#include "common/page.hpp"

#include <cerrno>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace svipc {

void prefault(void *addr, uint64_t length, bool read_only)
{
    if (madvise(addr, length, read_only ? MADV_POPULATE_READ : MADV_POPULATE_WRITE) == 0)
        return;
    int saved = errno;
    if (saved != EINVAL)
        fail_errno(saved, "prefault (madvise MADV_POPULATE) failed");
    // Kernels before 5.14 lack MADV_POPULATE_*: touching each page for read
    // maps it, which is the expensive part; a write then costs a minor fault.
    auto *bytes = static_cast<volatile const unsigned char *>(addr);
    for (uint64_t offset = 0; offset < length; offset += page_size())
        (void)bytes[offset];
}

} // namespace svipc
