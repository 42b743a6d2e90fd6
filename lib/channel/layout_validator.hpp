// The one check that turns a channel header, read from a segment any peer
// with write permission may scribble on, into bounds this process can trust.
//
// A header is copied once (snapshot_identity) and validated once
// (validate_channel_layout) with overflow-checked arithmetic against the
// segment size the kernel reports (IPC_STAT). Everything a reader later uses
// to address the mapping (slot count, stride, payload size, offset of slot 0)
// comes from the returned ChannelBounds, kept in the process-local handle;
// nothing read from the segment afterwards can move an access outside the
// mapping. validate_channel_layout is pure (no system call, no allocation,
// no exception), so it can be fuzzed on raw bytes copied into an Identity.
#pragma once

#include "channel/layout.hpp"

#include <cstdint>
#include <string_view>

namespace svipc::channel_layout {

// Line 0 of Header (the identity), as plain values: a private copy that
// cannot change while it is checked.
struct Identity {
    uint32_t init_state;
    uint32_t magic;
    uint32_t layout_version;
    uint32_t element_type;
    uint64_t payload_size;
    uint32_t buffer_num;
    int32_t writer_lock_semid;
    uint64_t header_size;
    uint64_t slot_stride;
    int64_t created_realtime_ns;
    int32_t creator_pid;
    uint32_t reserved0;
};

// What this process validated; the only source of offsets and sizes.
struct ChannelBounds {
    uint64_t payload_size;      // 1 .. max_payload_size
    uint64_t slot_stride;       // slot_stride(payload_size)
    uint64_t slots_offset;      // header_size
    uint64_t used_size;         // slots_offset + slot_stride * buffer_num <= segment size
    uint32_t buffer_num;        // 1 .. SVIPC_CHANNEL_MAX_BUFFERS
    uint32_t element_type;
    uint32_t layout_version;
    int32_t writer_lock_semid;  // >= 0; which set it names is checked by ChannelWriterLock::verify
};

struct LayoutVerdict {
    const char *problem;  // nullptr: valid, `bounds` filled; else what is wrong (static text)
    ChannelBounds bounds;
};

// Lines 20..56 of Header (the description: name and schema), as plain
// values: a private copy, validated once, from which the handle keeps its
// own name and schema strings.
struct Description {
    uint32_t name_length;
    uint32_t schema_length;
    uint64_t schema_hash;
    unsigned char unused[cache_line - 16];
    char name[name_field_size];
    char schema[schema_field_size];
};

// Copies line 0 of the header (after an acquire load of init_state, which
// pairs with the initialiser's release store of init_ready).
Identity snapshot_identity(const Header &header);

// Validates an identity against the real segment size. Rejects: another
// magic or layout version, buffer_num 0 or above SVIPC_CHANNEL_MAX_BUFFERS,
// payload_size 0 or above max_payload_size, header_size or slot_stride other
// than this layout's, slots that do not fit segment_size (checked without
// overflow), a negative writer-lock semid.
LayoutVerdict validate_channel_layout(const Identity &identity, uint64_t segment_size) noexcept;

// Copies the description (call after snapshot_identity read init_ready, so
// the initialiser's writes are visible).
Description snapshot_description(const Header &header);

// Validates a description: nullptr if valid, else what is wrong (static
// text). Rejects: a name length above SVIPC_CHANNEL_NAME_MAX or a name whose
// NUL is not at its length (a NUL inside, or none); a schema length of 0 or
// above SVIPC_CHANNEL_SCHEMA_MAX, a schema whose NUL is not at its length or
// with a byte outside printable ASCII (0x20..0x7e), a schema hash that is
// not the text's FNV-1a 64. Valid name and schema are C strings within
// their fields.
const char *validate_channel_description(const Description &description) noexcept;

// Whether `schema` may be stored: 1..SVIPC_CHANNEL_SCHEMA_MAX bytes of
// printable ASCII. nullptr if so, else what is wrong (static text).
const char *schema_text_problem(std::string_view schema) noexcept;

} // namespace svipc::channel_layout
