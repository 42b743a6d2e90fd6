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

// Returns once the header is initialised. may_initialise: this opener may
// fill a fresh header (it passed SVIPC_CREATE and a complete shape, and is
// the segment's creator uid, so the writer lock it makes passes
// ChannelWriterLock::verify), and take over from an initialiser that died. mode: for the writer lock it creates.
// Throws ETIMEDOUT after SVIPC_CHANNEL_INIT_TIMEOUT_NS, EPROTO for a segment
// that is not a channel, EINVAL if the segment cannot hold `wanted`.
void initialise_or_wait(channel_layout::Header &header, uint64_t segment_size, bool may_initialise,
                        const ChannelShape &wanted, uint32_t mode, const std::string &label);

// Validates the header once (channel/layout_validator.hpp) and returns the
// bounds the handle keeps. Throws EPROTO (not a channel, other layout
// version, inconsistent header) or EINVAL (another type, payload size or
// buffer count than wanted).
channel_layout::ChannelBounds verify_header(const channel_layout::Header &header, uint64_t segment_size, const ChannelShape &wanted,
                   const std::string &label);

} // namespace svipc
