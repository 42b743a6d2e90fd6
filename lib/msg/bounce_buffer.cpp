#include "msg/bounce_buffer.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <new>
#include <string>

namespace svipc {

namespace {

struct ThreadBlock {
    std::unique_ptr<char[]> data;
    uint64_t payload_capacity = 0;
};

thread_local ThreadBlock thread_block;

// new char[] leaves the bytes uninitialised, so untouched pages of a large
// block are never faulted in.
std::unique_ptr<char[]> allocate(uint64_t payload_capacity)
{
    const uint64_t bytes = payload_capacity + sizeof(long);
    std::unique_ptr<char[]> data(new (std::nothrow) char[bytes]);
    if (!data)
        fail(ENOMEM, "cannot allocate a " + std::to_string(bytes) + "-byte message buffer");
    return data;
}

} // namespace

MsgBounceBuffer::MsgBounceBuffer(uint64_t payload_capacity)
{
    if (payload_capacity > retain_limit) {
        owned_ = allocate(payload_capacity);
        block_ = owned_.get();
        return;
    }
    ThreadBlock &mine = thread_block;
    if (!mine.data || mine.payload_capacity < payload_capacity) {
        // Grow to at least 8 KiB (the default kernel.msgmax) so a thread's
        // first few calls settle on one block instead of regrowing.
        uint64_t grown = payload_capacity < 8192 ? 8192 : payload_capacity;
        mine.data = allocate(grown);
        mine.payload_capacity = grown;
    }
    block_ = mine.data.get();
}

} // namespace svipc
