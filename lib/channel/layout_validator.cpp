#include "channel/layout_validator.hpp"

#include "common/fnv1a.hpp"

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

static_assert(name_field_size == SVIPC_CHANNEL_NAME_MAX + 1 && schema_field_size == SVIPC_CHANNEL_SCHEMA_MAX + 1,
              "the public limits are the fields minus their NUL");
static_assert(sizeof(Description) == sizeof(Header) - description_offset &&
                  offsetof(Description, schema_hash) == offsetof(Header, schema_hash) - description_offset &&
                  offsetof(Description, name) == offsetof(Header, name) - description_offset &&
                  offsetof(Description, schema) == offsetof(Header, schema) - description_offset,
              "Description mirrors the header's description lines field by field");

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

Description snapshot_description(const Header &header)
{
    Description description;
    std::memcpy(&description, reinterpret_cast<const unsigned char *>(&header) + description_offset, sizeof description);
    return description;
}

const char *schema_text_problem(std::string_view schema) noexcept
{
    if (schema.empty() || schema.size() > SVIPC_CHANNEL_SCHEMA_MAX)
        return "schema length out of range";
    for (unsigned char c : schema)
        if (c < 0x20 || c > 0x7e)
            return "schema has a byte outside printable ASCII";
    return nullptr;
}

const char *validate_channel_description(const Description &description) noexcept
{
    if (description.name_length > SVIPC_CHANNEL_NAME_MAX)
        return "name length out of range";
    if (std::memchr(description.name, '\0', description.name_length + 1) != description.name + description.name_length)
        return "name is not NUL-terminated at its length";
    if (description.schema_length > SVIPC_CHANNEL_SCHEMA_MAX)
        return "schema length out of range";
    if (description.schema[description.schema_length] != '\0')
        return "schema is not NUL-terminated at its length";
    const std::string_view schema(description.schema, description.schema_length);
    if (const char *problem = schema_text_problem(schema))
        return problem;
    if (fnv1a64(schema) != description.schema_hash)
        return "schema hash does not match its text";
    return nullptr;
}

} // namespace svipc::channel_layout
