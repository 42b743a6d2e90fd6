#include "common/key.hpp"

#include "common/error.hpp"
#include "common/fnv1a.hpp"

#include <cerrno>
#include <cstdio>
#include <string>
#include <sys/ipc.h>
#include <sys/stat.h>

namespace svipc {

namespace {
// Prefixed so a name-derived key is unlikely to equal a small integer key
// another program picked by hand.
constexpr std::string_view name_key_prefix = "svipc:";
constexpr uint32_t positive_int32_mask = 0x7fffffffu;
} // namespace

int32_t key_from_path(const char *path, int32_t proj_id)
{
    require(path != nullptr && path[0] != '\0', "path is NULL or empty");
    if (proj_id < 1 || proj_id > 255)
        fail(EINVAL, "proj_id " + std::to_string(proj_id) + " is outside 1..255 (ftok uses 8 bits)");
    // ftok hides why it failed behind -1; stat first for a precise errno.
    struct stat st;
    if (stat(path, &st) != 0)
        fail_errno(errno, std::string("cannot stat '") + path + "'");
    key_t key = ftok(path, proj_id);
    if (key == -1)
        fail_errno(errno, std::string("ftok('") + path + "') failed");
    if (key == IPC_PRIVATE)
        fail(EINVAL, std::string("ftok('") + path + "') gave IPC_PRIVATE; pick another proj_id");
    return key;
}

int32_t key_from_name(std::string_view name)
{
    require(!name.empty(), "name is empty");
    uint32_t hash = fnv1a32(fnv1a32(fnv1a32_offset_basis, name_key_prefix), name) & positive_int32_mask;
    return hash == IPC_PRIVATE ? 1 : static_cast<int32_t>(hash);
}

std::string format_key(int key)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(key));
    return text;
}

std::string key_text(int key)
{
    return key == 0 ? std::string("IPC_PRIVATE") : format_key(key);
}

} // namespace svipc
