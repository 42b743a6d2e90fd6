#include "shm/buffer_remap.hpp"

#include "common/error.hpp"
#include "common/page.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/mman.h>

namespace svipc {

void *placement_in_buffer(void *buffer, uint64_t length, uint64_t segment_size, uint64_t mapped_length)
{
    const uint64_t begin = reinterpret_cast<uintptr_t>(buffer);
    require(length <= UINTPTR_MAX - begin, "buffer + length overflows the address space");
    const uint64_t alignment = attach_alignment();
    require(begin <= UINT64_MAX - alignment, "buffer address too high to align");
    const uint64_t start = round_up(begin, alignment);
    const uint64_t end = begin + length;
    if (start > end || end - start < mapped_length)
        fail(EINVAL, "segment of " + std::to_string(segment_size) + " bytes does not fit in buffer of " +
                         std::to_string(length) + " bytes after aligning to SHMLBA (" + std::to_string(alignment) +
                         " bytes; it needs " + std::to_string(mapped_length) + " bytes from offset " +
                         std::to_string(start - begin) + "; allocate whole pages + SHMLBA - 1 = " +
                         std::to_string(mapped_length + alignment - 1) + " bytes)");
    return reinterpret_cast<void *>(start);
}

void replace_with_private_copy(void *addr, uint64_t length)
{
    // Build the copy elsewhere, then move it over the attachment with one
    // mremap: unlike shmdt + mmap there is no moment when addr is unmapped and
    // another thread's mmap could land there.
    void *copy = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (copy == MAP_FAILED)
        fail_errno(errno, "cannot allocate " + std::to_string(length) + " bytes to restore the buffer");
    std::memcpy(copy, addr, length);
    if (mremap(copy, length, length, MREMAP_MAYMOVE | MREMAP_FIXED, addr) == MAP_FAILED) {
        int saved = errno;
        munmap(copy, length);
        fail_errno(saved, "cannot move the restored buffer into place");
    }
}

} // namespace svipc
