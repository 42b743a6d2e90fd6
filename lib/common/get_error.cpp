#include "common/get_error.hpp"

#include "common/error.hpp"
#include "common/key.hpp"

#include <cerrno>
#include <string>

namespace svipc {

void fail_if_key_lookup_error(int saved, int32_t key, const char *object)
{
    const std::string name = std::string(object) + " with key " + key_text(key);
    switch (saved) {
    case ENOENT:
        fail(ENOENT, "no " + name + " (pass SVIPC_CREATE to create it)");
    case EEXIST:
        fail(EEXIST, name + " already exists (SVIPC_EXCLUSIVE)");
    case EACCES:
        fail(EACCES, "permission denied on " + name);
    default:
        return;
    }
}

} // namespace svipc
