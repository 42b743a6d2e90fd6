// Race-free initialisation of a channel header, and the checks every opener
// makes before trusting it. Any number of processes may open one channel at
// the same time: the init-state word at offset 0 lets exactly one of them
// fill the header, the others wait (bounded) until it reads "ready".
#pragma once

#include "channel/layout.hpp"
#include "channel/layout_validator.hpp"

#include <cstdint>
#include <string>

namespace svipc {

struct ChannelShape {
    uint32_t type;          // SVIPC_CHANNEL_TYPE_ANY: accept the existing one
    uint64_t payload_size;  // 0: accept the existing one
    uint32_t buffer_num;    // 0: accept the existing one
};

// The channel's name and schema: what an initialiser writes, and what an
// opener requires of an existing channel (an empty field: accept any).
struct ChannelText {
    std::string name;
    std::string schema;
};

// The schema of a channel created without one: numpy's text for the type
// tag's element (BOOL "|b1", INT64 "<i8", FLOAT64 "<f8" on little-endian
// hosts), opaque "|V<payload_size>" for BYTES and application tags.
std::string default_schema(uint32_t type, uint64_t payload_size);

// What open keeps of a validated header.
struct VerifiedHeader {
    channel_layout::ChannelBounds bounds;
    ChannelText text;
    uint64_t schema_hash;
    int64_t created_realtime_ns;
};

// Returns once the header is initialised. may_initialise: this opener may
// fill a fresh header (it passed SVIPC_CREATE and a complete shape, and is
// the segment's creator uid, so the writer lock it makes passes
// ChannelWriterLock::verify), and take over from an initialiser that died. mode: for the writer lock it creates.
// Throws ETIMEDOUT after SVIPC_CHANNEL_INIT_TIMEOUT_NS, EPROTO for a segment
// that is not a channel, EINVAL if the segment cannot hold `wanted`.
void initialise_or_wait(channel_layout::Header &header, uint64_t segment_size, bool may_initialise,
                        const ChannelShape &wanted, const ChannelText &text, uint32_t mode,
                        const std::string &label);

// Validates the header once (channel/layout_validator.hpp) and returns what
// the handle keeps. Throws EPROTO (not a channel, other layout version,
// inconsistent header or description), EINVAL (another type, payload size,
// buffer count or schema than wanted) or EEXIST (the key holds a channel of
// another name: two names with one key are never shared).
VerifiedHeader verify_header(const channel_layout::Header &header, uint64_t segment_size, const ChannelShape &wanted,
                             const ChannelText &wanted_text, const std::string &label);

} // namespace svipc
