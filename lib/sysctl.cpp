#include "sysctl.hpp"

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

} // namespace svipc
