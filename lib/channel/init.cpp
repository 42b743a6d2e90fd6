#include "channel/init.hpp"

#include "common/process_liveness.hpp"

#include "channel/futex.hpp"
#include "channel/writer_lock.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/fnv1a.hpp"
#include "common/key.hpp"

#include <svipc/channel.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

namespace svipc {

namespace {
using namespace channel_layout;

// Sleep at most this long between looks at the init-state word, so a dead
// initialiser is noticed quickly even though nobody will wake us.
constexpr int64_t init_poll_ns = 1000000;

// pids are at most PID_MAX_LIMIT (2^22), so a genuine "busy" word is below 2^24.
constexpr uint32_t busy_state_limit = 1u << 24;

bool is_busy(uint32_t state)
{
    return (state & 3u) == init_busy && state < busy_state_limit;
}

pid_t busy_pid(uint32_t state)
{
    return static_cast<pid_t>(state >> init_pid_shift);
}

void fill_description(Header &header, const ChannelText &text)
{
    // The opener checked both lengths against the fields (Channel::open).
    header.name_length = static_cast<uint32_t>(text.name.size());
    std::memset(header.name, 0, sizeof header.name);
    std::memcpy(header.name, text.name.data(), text.name.size());
    header.schema_length = static_cast<uint32_t>(text.schema.size());
    std::memset(header.schema, 0, sizeof header.schema);
    std::memcpy(header.schema, text.schema.data(), text.schema.size());
    header.schema_hash = fnv1a64(text.schema);
}

void fill_header(Header &header, const ChannelShape &shape, const ChannelText &text, uint32_t mode)
{
    fill_description(header, text);
    header.element_type = shape.type;
    header.payload_size = shape.payload_size;
    header.buffer_num = shape.buffer_num;
    header.header_size = channel_layout::header_size;
    header.slot_stride = slot_stride(shape.payload_size);
    header.created_realtime_ns = realtime_now_ns();
    header.creator_pid = getpid();
    header.layout_version = layout_version;
    header.latest.store(0, std::memory_order_relaxed);
    header.wake_word.store(0, std::memory_order_relaxed);
    header.sleepers.store(0, std::memory_order_relaxed);
    header.writer_lock_semid = ChannelWriterLock::create(mode);
    header.magic = magic;
}

void check_init_deadline(const Header &header, int64_t deadline, const std::string &label)
{
    if (monotonic_now_ns() < deadline)
        return;
    const uint32_t state = header.init_state.load(std::memory_order_acquire);
    if (state == init_ready)
        return;  // the next pass returns
    if (is_busy(state))
        fail(ETIMEDOUT, label + " is still being initialised by pid " + std::to_string(busy_pid(state)) + " after " +
                            std::to_string(SVIPC_CHANNEL_INIT_TIMEOUT_NS / 1000000) + " ms");
    fail(ETIMEDOUT, label + " exists but was not initialised as a channel within " +
                        std::to_string(SVIPC_CHANNEL_INIT_TIMEOUT_NS / 1000000) +
                        " ms (open with SVIPC_CREATE to initialise it)");
}

// A header's text for messages: quoted, at most this many bytes.
std::string quoted(const std::string &text)
{
    constexpr size_t shown = 200;
    return "'" + (text.size() > shown ? text.substr(0, shown) + "..." : text) + "'";
}

std::string type_text(uint32_t type)
{
    switch (type) {
    case SVIPC_CHANNEL_TYPE_BYTES:
        return "bytes";
    case SVIPC_CHANNEL_TYPE_BOOL:
        return "bool";
    case SVIPC_CHANNEL_TYPE_INT64:
        return "int64";
    case SVIPC_CHANNEL_TYPE_FLOAT64:
        return "float64";
    default:
        return "type tag " + std::to_string(type);
    }
}
} // namespace

std::string default_schema(uint32_t type, uint64_t payload_size)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const std::string native = "<";
#else
    const std::string native = ">";
#endif
    switch (type) {
    case SVIPC_CHANNEL_TYPE_BOOL:
        return "|b1";
    case SVIPC_CHANNEL_TYPE_INT64:
        return native + "i8";
    case SVIPC_CHANNEL_TYPE_FLOAT64:
        return native + "f8";
    default:
        return "|V" + std::to_string(payload_size);
    }
}

void initialise_or_wait(Header &header, uint64_t segment_size, bool may_initialise, const ChannelShape &wanted,
                        const ChannelText &text, uint32_t mode, const std::string &label)
{
    const int64_t deadline = monotonic_now_ns() + SVIPC_CHANNEL_INIT_TIMEOUT_NS;
    // Every pass ends at the deadline check below, whatever a peer does to
    // the word (a CAS lost to a scribbler included).
    for (;; check_init_deadline(header, deadline, label)) {
        uint32_t state = header.init_state.load(std::memory_order_acquire);
        if (state == init_ready)
            return;
        // The initialiser writes the magic last, so while it works the field
        // is 0 or ours; anything else is someone else's segment.
        const uint32_t seen_magic = header.magic;
        if ((state != init_fresh && !is_busy(state)) || (seen_magic != 0 && seen_magic != magic))
            fail(EPROTO, label + " is not a svipc channel (init word " + format_key(static_cast<int>(state)) + ")");
        // A fresh word under our magic: a finished header whose init word was
        // reset. Initialising again would reset the channel under its users
        // and leave its writer lock behind.
        if (state == init_fresh && seen_magic == magic)
            fail(EPROTO, label + " has a channel magic but a reset init word (corrupt header)");

        // A fresh header, or one whose initialiser died part way (only if it
        // still looks like ours: never scribble over a foreign segment).
        const bool orphaned = is_busy(state) && !process_exists(busy_pid(state));
        if (may_initialise && (state == init_fresh || orphaned)) {
            const uint32_t mine = (static_cast<uint32_t>(getpid()) << init_pid_shift) | init_busy;
            if (header.init_state.compare_exchange_strong(state, mine, std::memory_order_acq_rel)) {
                const uint64_t needed = channel_layout::segment_size(wanted.payload_size, wanted.buffer_num);
                if (segment_size < needed) {
                    header.init_state.store(state, std::memory_order_release);
                    fail(EINVAL, label + " segment has " + std::to_string(segment_size) + " bytes, " +
                                     std::to_string(needed) + " needed for " + std::to_string(wanted.buffer_num) +
                                     " buffers of " + std::to_string(wanted.payload_size) + " bytes");
                }
                try {
                    fill_header(header, wanted, text, mode);
                } catch (...) {
                    header.init_state.store(state, std::memory_order_release);
                    throw;
                }
                // Release: a process that reads init_ready (acquire) sees the
                // whole header written above.
                header.init_state.store(init_ready, std::memory_order_release);
                futex_wake_all(header.init_state);
                return;
            }
            continue;  // someone else won the race: look again
        }
        futex_wait_until(header.init_state, state, std::min(deadline, monotonic_now_ns() + init_poll_ns));
    }
}

VerifiedHeader verify_header(const Header &header, uint64_t segment_size, const ChannelShape &wanted,
                             const ChannelText &wanted_text, const std::string &label)
{
    const Identity identity = snapshot_identity(header);
    const LayoutVerdict verdict = validate_channel_layout(identity, segment_size);
    if (identity.magic != magic)
        fail(EPROTO, label + " is not a svipc channel (no channel magic at offset 0)");
    if (identity.layout_version != layout_version)
        fail(EPROTO, label + " has channel layout version " + std::to_string(identity.layout_version) +
                         "; this library reads version " + std::to_string(layout_version));
    if (verdict.problem)
        fail(EPROTO, label + " has an inconsistent header: " + verdict.problem + " (payload " +
                         std::to_string(identity.payload_size) + " bytes, stride " +
                         std::to_string(identity.slot_stride) + ", " + std::to_string(identity.buffer_num) +
                         " buffers, segment " + std::to_string(segment_size) + " bytes)");
    const ChannelBounds &bounds = verdict.bounds;
    const Description description = snapshot_description(header);
    if (const char *problem = validate_channel_description(description))
        fail(EPROTO, label + " has an inconsistent header: " + problem);
    VerifiedHeader verified{bounds,
                            {std::string(description.name, description.name_length),
                             std::string(description.schema, description.schema_length)},
                            description.schema_hash,
                            identity.created_realtime_ns};
    // A channel created by key has no name: any name with its key may open it.
    if (!wanted_text.name.empty() && !verified.text.name.empty() && wanted_text.name != verified.text.name)
        fail(EEXIST, label + " is taken by channel " + quoted(verified.text.name) +
                         " (the two names hash to the same key; pick another name)");
    // The schema first: it says more than the type tag or size that follow from it.
    if (!wanted_text.schema.empty() && wanted_text.schema != verified.text.schema)
        fail(EINVAL, label + " has schema " + quoted(verified.text.schema) + ", not " + quoted(wanted_text.schema));
    if (wanted.type != SVIPC_CHANNEL_TYPE_ANY && wanted.type != bounds.element_type)
        fail(EINVAL, label + " holds " + type_text(bounds.element_type) + ", not " + type_text(wanted.type));
    if (wanted.payload_size != 0 && wanted.payload_size != bounds.payload_size)
        fail(EINVAL, label + " holds values of " + std::to_string(bounds.payload_size) + " bytes, not " +
                         std::to_string(wanted.payload_size));
    if (wanted.buffer_num != 0 && wanted.buffer_num != bounds.buffer_num)
        fail(EINVAL, label + " has " + std::to_string(bounds.buffer_num) + " buffers, not " +
                         std::to_string(wanted.buffer_num) + " (pass 0 to accept the existing count)");
    return verified;
}

} // namespace svipc
