// libFuzzer target: the open-time validation of a channel header
// (lib/channel/layout_validator.cpp) on arbitrary bytes. The input is a
// segment size (8 bytes) followed by the header (its first line, and from
// layout 4 the description: name and schema), copied into a Header and
// through snapshot_identity and snapshot_description as open does. Accepted bounds must
// fit the segment exactly as claimed and match the layout's own formulas;
// anything else must be refused with a reason. Pure code, so it runs at
// millions of inputs a minute; fuzz_channel_open.c drives the whole open
// and the reading calls over a real segment.
#include "channel/layout_validator.hpp"
#include "common/fnv1a.hpp"

#include <svipc/channel.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

using namespace svipc::channel_layout;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t segment_size = 0;
    if (size < sizeof segment_size)
        return 0;
    std::memcpy(&segment_size, data, sizeof segment_size);
    data += sizeof segment_size;
    size -= sizeof segment_size;

    alignas(Header) unsigned char storage[sizeof(Header)] = {};
    std::memcpy(storage, data, size < sizeof storage ? size : sizeof storage);
    const Header *header = std::launder(reinterpret_cast<const Header *>(storage));
    const Identity identity = snapshot_identity(*header);
    const LayoutVerdict verdict = validate_channel_layout(identity, segment_size);
    if (verdict.problem != nullptr)
        return 0;
    const ChannelBounds &b = verdict.bounds;
    // Everything a reader will address lies inside the segment.
    if (b.buffer_num == 0 || b.buffer_num > SVIPC_CHANNEL_MAX_BUFFERS || b.payload_size == 0 ||
        b.payload_size > max_payload_size || b.slot_stride != slot_stride(b.payload_size) ||
        b.slots_offset != header_size || b.writer_lock_semid < 0)
        std::abort();
    unsigned __int128 end = static_cast<unsigned __int128>(b.slot_stride) * b.buffer_num + b.slots_offset;
    if (end != b.used_size || end > segment_size)
        std::abort();
    // The last byte of the last slot's payload is inside `used_size`.
    const unsigned __int128 last_payload_end = b.slots_offset +
                                               static_cast<unsigned __int128>(b.slot_stride) * (b.buffer_num - 1) +
                                               sizeof(SlotHeader) + b.payload_size;
    if (last_payload_end > b.used_size)
        std::abort();

    // The description: accepted only as C strings within their fields, of
    // printable schema text whose hash matches.
    const Description description = snapshot_description(*header);
    if (validate_channel_description(description) != nullptr)
        return 0;
    if (description.name_length > SVIPC_CHANNEL_NAME_MAX || strnlen(description.name, name_field_size) != description.name_length ||
        description.schema_length == 0 || description.schema_length > SVIPC_CHANNEL_SCHEMA_MAX ||
        strnlen(description.schema, schema_field_size) != description.schema_length)
        std::abort();
    for (uint32_t i = 0; i < description.schema_length; i++)
        if (description.schema[i] < 0x20 || description.schema[i] > 0x7e)
            std::abort();
    if (svipc::fnv1a64(std::string_view(description.schema, description.schema_length)) != description.schema_hash)
        std::abort();
    return 0;
}
