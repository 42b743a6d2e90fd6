#include "common/sysctl.hpp"

#include <cstdio>

namespace svipc {

uint64_t read_sysctl_u64(const char *path, uint64_t fallback) noexcept
{
    std::FILE *file = std::fopen(path, "re");
    if (!file)
        return fallback;
    unsigned long long value = 0;
    const bool ok = std::fscanf(file, "%llu", &value) == 1;
    std::fclose(file);
    return ok ? value : fallback;
}

std::string sysctl_raise_hint(const std::string &assignment)
{
    return "; raise it as root, e.g. `sysctl -w " + assignment +
           "` (a file in /etc/sysctl.d/ keeps it; the limit is per IPC namespace)";
}

uint64_t doubled(uint64_t value) noexcept
{
    return value > UINT64_MAX / 2 ? UINT64_MAX : 2 * value;
}

std::string sysctl_limit_text(const char *name, uint64_t current, uint64_t needed)
{
    const uint64_t suggested = doubled(current) > needed ? doubled(current) : needed;
    return "kernel." + std::string(name) + " (" + std::to_string(current) + ")" +
           sysctl_raise_hint("kernel." + std::string(name) + "=" + std::to_string(suggested));
}

} // namespace svipc
