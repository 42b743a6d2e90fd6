#include "sem_limits.hpp"

#include <cstdio>

namespace svipc {

SemLimits read_sem_limits() noexcept
{
    SemLimits limits{32000, 1024000000, 500, 32000}; // the kernel's defaults (include/uapi/linux/sem.h)
    std::FILE *file = std::fopen("/proc/sys/kernel/sem", "re");
    if (!file)
        return limits;
    unsigned long long msl, mns, opm, mni;
    if (std::fscanf(file, "%llu %llu %llu %llu", &msl, &mns, &opm, &mni) == 4)
        limits = SemLimits{msl, mns, opm, mni};
    std::fclose(file);
    return limits;
}

} // namespace svipc
