#include "channel/layout_validator.hpp"

#include <svipc/channel.h>

#include <cstddef>
#include <cstring>

namespace svipc::channel_layout {

static_assert(sizeof(Identity) <= offsetof(Header, latest), "Identity is a copy of line 0 of the header");
static_assert(offsetof(Identity, payload_size) == offsetof(Header, payload_size) &&
                  offsetof(Identity, writer_lock_semid) == offsetof(Header, writer_lock_semid) &&
                  offsetof(Identity, slot_stride) == offsetof(Header, slot_stride) &&
                  offsetof(Identity, reserved0) == offsetof(Header, reserved0),
              "Identity mirrors Header field by field");

Identity snapshot_identity(const Header &header)
{
    Identity identity;
    identity.init_state = header.init_state.load(std::memory_order_acquire);
    // One copy of the whole line: the checks below see one set of values,
    // whatever a peer writes meanwhile (a torn mix is just another
    // header to validate).
    std::memcpy(reinterpret_cast<unsigned char *>(&identity) + sizeof identity.init_state,
                reinterpret_cast<const unsigned char *>(&header) + sizeof identity.init_state,
                sizeof identity - sizeof identity.init_state);
    return identity;
}

LayoutVerdict validate_channel_layout(const Identity &identity, uint64_t segment_size) noexcept
{
    LayoutVerdict verdict{};
    if (identity.magic != magic)
        return {"no channel magic at offset 0", {}};
    if (identity.layout_version != layout_version)
        return {"another channel layout version", {}};
    if (identity.buffer_num == 0 || identity.buffer_num > SVIPC_CHANNEL_MAX_BUFFERS)
        return {"buffer count out of range", {}};
    if (identity.payload_size == 0 || identity.payload_size > max_payload_size)
        return {"payload size out of range", {}};
    if (identity.header_size != header_size)
        return {"header size is not this layout's", {}};
    // payload_size <= 2^40, so this cannot overflow.
    if (identity.slot_stride != slot_stride(identity.payload_size))
        return {"slot stride does not match the payload size", {}};
    uint64_t slots_bytes = 0;
    uint64_t used = 0;
    if (__builtin_mul_overflow(identity.slot_stride, uint64_t{identity.buffer_num}, &slots_bytes) ||
        __builtin_add_overflow(identity.header_size, slots_bytes, &used) || used > segment_size)
        return {"slots do not fit in the segment", {}};
    if (identity.writer_lock_semid < 0)
        return {"negative writer lock id", {}};
    verdict.bounds = ChannelBounds{identity.payload_size, identity.slot_stride, identity.header_size, used,
                                   identity.buffer_num,  identity.element_type, identity.layout_version,
                                   identity.writer_lock_semid};
    return verdict;
}

} // namespace svipc::channel_layout
