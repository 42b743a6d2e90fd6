// Recognising svipc channels among all segments: a channel's segment starts
// with the header of channel/layout.hpp (magic, layout version, init state).
// Reading it needs a short read-only attach; nothing is written.
#pragma once

#include <svipc/admin.h>

#include "channel/init.hpp"

#include <cstdint>
#include <optional>

namespace svipc::admin {

// The channel header of segment shmid, or nullopt if the segment is not a
// channel (too small, other magic, not initialised yet). Throws EINVAL for
// a missing id, EACCES without read permission, EIDRM if it vanished.
// text (may be null) gets the channel's name and schema when its header and
// description pass an opener's checks, and is left empty otherwise.
std::optional<svipc_channel_info> probe_channel(int32_t shmid, std::optional<ChannelText> *text = nullptr);

} // namespace svipc::admin
