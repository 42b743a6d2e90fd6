// msgsnd/msgrcv take the type and the payload as one block ({long mtype;
// char mtext[]}); the C API takes them apart, so callers (and ctypes) never
// build a struct around a platform-sized long. Each call copies through one
// of these blocks: a per-thread one reused across calls (no allocation on
// the hot path), or, for payload capacities above retain_limit, a block of
// its own that is freed after the call so one huge receive buffer is not
// pinned for the life of the thread. Large blocks come from fresh mmap'd
// heap memory, which the kernel only faults in for the bytes it writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace svipc {

class MsgBounceBuffer {
public:
    // Payload capacities up to this reuse the thread's block.
    static constexpr uint64_t retain_limit = uint64_t{1} << 20;

    // A block with room for the type and `payload_capacity` bytes.
    // Throws Error(ENOMEM) if it cannot be allocated.
    explicit MsgBounceBuffer(uint64_t payload_capacity);
    MsgBounceBuffer(const MsgBounceBuffer &) = delete;
    MsgBounceBuffer &operator=(const MsgBounceBuffer &) = delete;

    // What msgsnd/msgrcv take: the start of the {long mtype; mtext} block.
    void *block() const noexcept { return block_; }
    long &type() const noexcept { return *static_cast<long *>(block_); }
    char *payload() const noexcept { return static_cast<char *>(block_) + sizeof(long); }

private:
    std::unique_ptr<char[]> owned_; // set only for blocks above retain_limit
    void *block_;
};

} // namespace svipc
