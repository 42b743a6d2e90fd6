#include <svipc/admin.h>

#include "admin/channel_probe.hpp"
#include "admin/limits.hpp"
#include "admin/listing.hpp"
#include "admin/orphans.hpp"
#include "guard.hpp"
#include "text_out.hpp"

#include <optional>
#include <string>

using svipc::capi::deref;
using svipc::capi::guard;

namespace {

template <typename T>
void check_array(const T *out, uint32_t capacity)
{
    svipc::require(out != nullptr || capacity == 0, "out is NULL but capacity is not 0");
}

} // namespace

extern "C" {

int svipc_list_shm(svipc_shm_info *out, uint32_t capacity, uint32_t flags)
{
    return guard(__func__, [&] {
        check_array(out, capacity);
        const auto source = svipc::admin::source_from_flags(flags);
        return svipc::admin::copy_out(svipc::admin::list_shm(source), out, capacity);
    });
}

int svipc_list_sem(svipc_sem_info *out, uint32_t capacity, uint32_t flags)
{
    return guard(__func__, [&] {
        check_array(out, capacity);
        const auto source = svipc::admin::source_from_flags(flags);
        return svipc::admin::copy_out(svipc::admin::list_sem(source), out, capacity);
    });
}

int svipc_list_msg(svipc_msg_info *out, uint32_t capacity, uint32_t flags)
{
    return guard(__func__, [&] {
        check_array(out, capacity);
        const auto source = svipc::admin::source_from_flags(flags);
        return svipc::admin::copy_out(svipc::admin::list_msg(source), out, capacity);
    });
}

int svipc_limits(svipc_ipc_limits *ret_limits)
{
    return guard(__func__, [&] {
        svipc_ipc_limits &out = deref(ret_limits, "ret_limits");
        out = svipc::admin::limits();
        return 0;
    });
}

int svipc_usage(svipc_ipc_usage *ret_usage)
{
    return guard(__func__, [&] {
        svipc_ipc_usage &out = deref(ret_usage, "ret_usage");
        out = svipc::admin::usage();
        return 0;
    });
}

int svipc_admin_channel_stat(int32_t shmid, svipc_channel_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_channel_info &out = deref(ret_info, "ret_info");
        const auto channel = svipc::admin::probe_channel(shmid);
        if (!channel)
            svipc::fail(EPROTO, "segment " + std::to_string(shmid) + " is not a svipc channel (no channel header)");
        out = *channel;
        return 0;
    });
}

int svipc_admin_channel_describe(int32_t shmid, char *name, uint64_t name_capacity, char *schema,
                                 uint64_t schema_capacity)
{
    return guard(__func__, [&] {
        svipc::require(name != nullptr && schema != nullptr, "name or schema buffer is NULL");
        std::optional<svipc::ChannelText> text;
        const auto channel = svipc::admin::probe_channel(shmid, &text);
        if (!channel)
            svipc::fail(EPROTO, "segment " + std::to_string(shmid) + " is not a svipc channel (no channel header)");
        if (!text)
            svipc::fail(EPROTO, "segment " + std::to_string(shmid) + " is a svipc channel of layout version " +
                                    std::to_string(channel->layout_version) +
                                    " whose header this library does not accept (another version, or corrupt)");
        svipc::capi::check_text_fits(text->name, name_capacity, "the channel's name");
        svipc::capi::check_text_fits(text->schema, schema_capacity, "the channel's schema");
        svipc::capi::copy_text_out(text->name, name, name_capacity, "name");
        svipc::capi::copy_text_out(text->schema, schema, schema_capacity, "schema");
        return 0;
    });
}

int svipc_find_orphans(svipc_orphan *out, uint32_t capacity, int64_t min_idle_ns, uint32_t flags)
{
    return guard(__func__, [&] {
        check_array(out, capacity);
        const auto source = svipc::admin::source_from_flags(flags);
        return svipc::admin::copy_out(svipc::admin::find_orphans(min_idle_ns, source), out, capacity);
    });
}

} // extern "C"
