// The kernel's semaphore limits (kernel.sem, per IPC namespace), read only to
// explain a failure in numbers.
#pragma once

#include <cstdint>

namespace svipc {

struct SemLimits {
    uint64_t semmsl; // semaphores per set
    uint64_t semmns; // semaphores in the system
    uint64_t semopm; // operations per semop call
    uint64_t semmni; // sets in the system
};

// /proc/sys/kernel/sem; Linux's compiled-in defaults if unreadable.
SemLimits read_sem_limits() noexcept;

// SEMVMX: the largest value, count and undo adjustment (fixed in the kernel).
constexpr int sem_value_max = 32767;

} // namespace svipc
