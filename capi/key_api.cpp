#include <svipc/key.h>

#include "guard.hpp"
#include "common/key.hpp"

using svipc::capi::deref;
using svipc::capi::guard;

extern "C" {

int svipc_key_from_path(const char *path, int32_t proj_id, int32_t *ret_key)
{
    return guard(__func__, [&] {
        int32_t &out = deref(ret_key, "ret_key");
        out = svipc::key_from_path(path, proj_id);
        return 0;
    });
}

int svipc_key_from_name(const char *name, int32_t *ret_key)
{
    return guard(__func__, [&] {
        int32_t &out = deref(ret_key, "ret_key");
        out = svipc::key_from_name(&deref(name, "name"));
        return 0;
    });
}

} // extern "C"
