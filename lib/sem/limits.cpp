#include "sem/limits.hpp"

#include "common/sysctl.hpp"
#include "sem/ctl_arg.hpp"

#include <cstdio>
#include <cstring>
#include <sys/ipc.h>
#include <sys/sem.h>

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

std::string sem_limit_text(const char *field, uint64_t needed)
{
    const SemLimits l = read_sem_limits();
    uint64_t values[4] = {l.semmsl, l.semmns, l.semopm, l.semmni};
    static const char *const fields[4] = {"SEMMSL", "SEMMNS", "SEMOPM", "SEMMNI"};
    int which = 0;
    while (which < 3 && std::strcmp(fields[which], field) != 0)
        which++;
    const uint64_t current = values[which];
    values[which] = doubled(current) > needed ? doubled(current) : needed;
    return "kernel.sem " + std::string(fields[which]) + " (" + std::to_string(current) + ")" +
           sysctl_raise_hint("kernel.sem='" + std::to_string(values[0]) + " " + std::to_string(values[1]) + " " +
                             std::to_string(values[2]) + " " + std::to_string(values[3]) + "'") +
           " (its fields: SEMMSL SEMMNS SEMOPM SEMMNI)";
}

std::string sem_space_limit_text(uint32_t nsems)
{
    struct seminfo usage {};
    SemCtlArg arg;
    arg.info = &usage;
    const SemLimits l = read_sem_limits();
    // SEM_INFO reuses fields for usage: semusz = sets, semaem = semaphores.
    if (semctl(0, 0, SEM_INFO, arg) >= 0 && static_cast<uint64_t>(usage.semusz) < l.semmni &&
        static_cast<uint64_t>(usage.semaem) + nsems > l.semmns)
        return std::to_string(usage.semaem) + " semaphores are in use and " + std::to_string(nsems) +
               " more would pass " + sem_limit_text("SEMMNS", static_cast<uint64_t>(usage.semaem) + nsems);
    return "the sets in use have reached " + sem_limit_text("SEMMNI");
}

} // namespace svipc
