#include <svipc/channel.h>

#include "channel/channel.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "guard.hpp"
#include "text_out.hpp"
#include "common/key.hpp"
#include "common/last_error.hpp"

#include <cerrno>
#include <string>

using svipc::capi::deref;
using svipc::capi::guard;

struct svipc_channel {
    std::unique_ptr<svipc::Channel> impl;
};

namespace {
svipc::Channel &channel_of(svipc_channel *channel)
{
    return *deref(channel, "channel handle").impl;
}

std::string name_label(const char *name, int32_t key)
{
    return std::string("channel '") + name + "' (key " + svipc::format_key(key) + ")";
}

std::string key_label(int32_t key)
{
    return key == 0 ? std::string("private channel") : "channel with key " + svipc::format_key(key);
}

int32_t key_of(const char *name)
{
    svipc::require(name != nullptr && name[0] != '\0', "channel name is NULL or empty");
    return svipc::key_from_name(name);
}

// Expected outcomes of the hot paths come back as codes, not exceptions;
// they still get a detail message, as every failure does.
int with_message(const char *function, int rc)
{
    if (rc >= 0)
        return rc;
    switch (-rc) {
    case ENODATA:
        svipc::set_last_error(function, "nothing has been published on this channel yet");
        break;
    case EAGAIN:
        svipc::set_last_error(function, "no newer value yet (timeout 0)");
        break;
    case ETIMEDOUT:
        svipc::set_last_error(function, "no newer value before the timeout");
        break;
    case EINTR:
        svipc::set_last_error(function, "interrupted by a signal (SVIPC_INTERRUPTIBLE)");
        break;
    default:
        break;
    }
    return rc;
}

int open_channel(int32_t key, std::string_view name, const std::string &label, uint32_t type, const char *schema,
                 uint64_t payload_size, uint32_t buffer_num, uint32_t flags, uint32_t mode,
                 svipc_channel **ret_channel)
{
    svipc_channel *&out = deref(ret_channel, "ret_channel");
    out = new svipc_channel{
        svipc::Channel::open(key, name, label, type, schema, payload_size, buffer_num, flags, mode)};
    return 0;
}
} // namespace

extern "C" {

int svipc_channel_open(const char *name, uint32_t type, uint64_t payload_size, uint32_t buffer_num, uint32_t flags,
                       uint32_t mode, svipc_channel **ret_channel)
{
    return guard(__func__, [&] {
        deref(ret_channel, "ret_channel");
        const int32_t key = key_of(name);
        return open_channel(key, name, name_label(name, key), type, nullptr, payload_size, buffer_num, flags, mode,
                            ret_channel);
    });
}

int svipc_channel_open_schema(const char *name, uint32_t type, const char *schema, uint64_t payload_size,
                              uint32_t buffer_num, uint32_t flags, uint32_t mode, svipc_channel **ret_channel)
{
    return guard(__func__, [&] {
        deref(ret_channel, "ret_channel");
        const int32_t key = key_of(name);
        return open_channel(key, name, name_label(name, key), type, schema, payload_size, buffer_num, flags, mode,
                            ret_channel);
    });
}

int svipc_channel_name(const svipc_channel *channel, char *buf, uint64_t capacity)
{
    return guard(__func__, [&] {
        return svipc::capi::copy_text_out(deref(channel, "channel handle").impl->name(), buf, capacity, "name");
    });
}

int svipc_channel_schema(const svipc_channel *channel, char *buf, uint64_t capacity)
{
    return guard(__func__, [&] {
        return svipc::capi::copy_text_out(deref(channel, "channel handle").impl->schema(), buf, capacity, "schema");
    });
}

int svipc_channel_open_key(int32_t key, uint32_t type, uint64_t payload_size, uint32_t buffer_num, uint32_t flags,
                           uint32_t mode, svipc_channel **ret_channel)
{
    return guard(__func__, [&] {
        deref(ret_channel, "ret_channel");
        return open_channel(key, "", key_label(key), type, nullptr, payload_size, buffer_num, flags, mode,
                            ret_channel);
    });
}

svipc_channel *svipc_channel_close(svipc_channel *channel)
{
    delete channel; // the destructor releases the writer lock and detaches; it cannot throw
    return nullptr;
}

int svipc_channel_remove(svipc_channel *channel)
{
    return guard(__func__, [&] {
        channel_of(channel).remove();
        return 0;
    });
}

int svipc_channel_remove_name(const char *name)
{
    return guard(__func__, [&] {
        const int32_t key = key_of(name);
        svipc::Channel::remove_key(key, name, name_label(name, key));
        return 0;
    });
}

int svipc_channel_publish(svipc_channel *channel, const void *data, uint64_t size, uint64_t *ret_sequence)
{
    return guard(__func__, [&] {
        const uint64_t sequence = channel_of(channel).publish(data, size);
        if (ret_sequence)
            *ret_sequence = sequence;
        return 0;
    });
}

int svipc_channel_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t max_age_ns,
                       svipc_channel_read_info *ret_info)
{
    return guard(__func__, [&] {
        return with_message(__func__, channel_of(channel).read(buffer, capacity, max_age_ns, ret_info));
    });
}

int svipc_channel_bind_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t max_age_ns,
                            svipc_channel_read_info *ret_info)
{
    return guard(__func__, [&] {
        channel_of(channel).bind_read(buffer, capacity, max_age_ns, ret_info);
        return 0;
    });
}

int svipc_channel_read_bound(svipc_channel *channel)
{
    return guard(__func__, [&] { return with_message(__func__, channel_of(channel).read_bound()); });
}

int svipc_channel_bind_publish(svipc_channel *channel, const void *data, uint64_t size)
{
    return guard(__func__, [&] {
        channel_of(channel).bind_publish(data, size);
        return 0;
    });
}

int svipc_channel_publish_bound(svipc_channel *channel)
{
    return guard(__func__, [&] {
        channel_of(channel).publish_bound();
        return 0;
    });
}

int svipc_channel_wait(svipc_channel *channel, uint64_t after_sequence, int64_t timeout_ns, uint32_t flags)
{
    return guard(__func__, [&] {
        return with_message(__func__, channel_of(channel).wait(after_sequence, timeout_ns, flags));
    });
}

int svipc_channel_wait_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t timeout_ns,
                            uint32_t flags, svipc_channel_read_info *ret_info)
{
    return guard(__func__, [&] {
        return with_message(__func__, channel_of(channel).wait_read(buffer, capacity, timeout_ns, flags, ret_info));
    });
}

int svipc_channel_read_history(svipc_channel *channel, uint64_t after_sequence, void *buffer, uint64_t capacity,
                               svipc_channel_read_info *infos, uint32_t max_count, uint64_t *ret_missed)
{
    return guard(__func__, [&] {
        svipc::require(max_count <= INT32_MAX, "max_count does not fit the int result");
        return static_cast<int>(
            channel_of(channel).read_history(after_sequence, buffer, capacity, infos, max_count, ret_missed));
    });
}

int svipc_channel_peek(svipc_channel *channel, int64_t max_age_ns, const void **ret_data,
                       svipc_channel_read_info *ret_info)
{
    return guard(__func__, [&] {
        return with_message(__func__, channel_of(channel).peek(max_age_ns, ret_data, ret_info));
    });
}

int svipc_channel_peek_valid(svipc_channel *channel, uint64_t sequence)
{
    return guard(__func__, [&] { return channel_of(channel).peek_valid(sequence) ? 1 : 0; });
}

int svipc_channel_loan(svipc_channel *channel, void **ret_data)
{
    return guard(__func__, [&] {
        void *&out = deref(ret_data, "ret_data");
        out = channel_of(channel).loan();
        return 0;
    });
}

int svipc_channel_commit(svipc_channel *channel, uint64_t *ret_sequence)
{
    return guard(__func__, [&] {
        const uint64_t sequence = channel_of(channel).commit();
        if (ret_sequence)
            *ret_sequence = sequence;
        return 0;
    });
}

int svipc_channel_abandon(svipc_channel *channel)
{
    return guard(__func__, [&] {
        channel_of(channel).abandon();
        return 0;
    });
}

int svipc_channel_acquire(svipc_channel *channel, int64_t max_age_ns, const void **ret_data,
                          svipc_channel_read_info *ret_info)
{
    return guard(__func__, [&] {
        return with_message(__func__, channel_of(channel).acquire(max_age_ns, ret_data, ret_info));
    });
}

int svipc_channel_release(svipc_channel *channel)
{
    return guard(__func__, [&] {
        channel_of(channel).release();
        return 0;
    });
}

int svipc_channel_set_spin(svipc_channel *channel, int64_t spin_ns)
{
    return guard(__func__, [&] {
        channel_of(channel).set_spin(spin_ns);
        return 0;
    });
}

uint64_t svipc_channel_payload_size(const svipc_channel *channel)
{
    return channel ? channel->impl->payload_size() : 0;
}

uint64_t svipc_channel_latest(const svipc_channel *channel)
{
    return channel ? channel->impl->latest() : 0;
}

int svipc_channel_stat(svipc_channel *channel, svipc_channel_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_channel_info &out = deref(ret_info, "ret_info");
        out = channel_of(channel).stat();
        return 0;
    });
}

int64_t svipc_channel_now_ns(void)
{
    return svipc::monotonic_now_ns();
}

} // extern "C"
