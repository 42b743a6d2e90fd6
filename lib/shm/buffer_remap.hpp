// attach_into's two halves that are not plain shmat: where the segment goes
// inside a caller's buffer, and putting private memory back on detach.
#pragma once

#include <cstdint>

namespace svipc {

// First SHMLBA boundary (attach_alignment()) inside [buffer, buffer+length)
// at which `mapped_length` bytes fit; throws -EINVAL with the numbers when they
// do not. Not the page size: on 32-bit ARM shmat rejects a page-aligned
// address that is not also 16 KiB-aligned.
void *placement_in_buffer(void *buffer, uint64_t length, uint64_t segment_size, uint64_t mapped_length);

// Atomically replace the mapping at [addr, addr+length) (a shm attachment)
// with private anonymous memory holding the same bytes. The shm vma goes away
// as if detached (nattch drops); there is never a hole at addr.
void replace_with_private_copy(void *addr, uint64_t length);

} // namespace svipc
