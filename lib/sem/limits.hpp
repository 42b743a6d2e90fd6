// The kernel's semaphore limits (kernel.sem, per IPC namespace), read only to
// explain a failure in numbers.
#pragma once

#include <cstdint>
#include <string>

namespace svipc {

struct SemLimits {
    uint64_t semmsl; // semaphores per set
    uint64_t semmns; // semaphores in the system
    uint64_t semopm; // operations per semop call
    uint64_t semmni; // sets in the system
};

// /proc/sys/kernel/sem; Linux's compiled-in defaults if unreadable.
SemLimits read_sem_limits() noexcept;

// "kernel.sem SEMMNI (N)" plus how to raise that field of kernel.sem (to at
// least `needed`), whose four fields are set together: `field` is "SEMMSL",
// "SEMMNS", "SEMOPM" or "SEMMNI". For "limit reached" messages.
std::string sem_limit_text(const char *field, uint64_t needed = 0);

// For semget's ENOSPC: sem_limit_text() of the limit a new set of `nsems`
// ran into (SEMMNI sets, or SEMMNS semaphores in all sets), told apart by
// the kernel's usage counts (SEM_INFO).
std::string sem_space_limit_text(uint32_t nsems);

// SEMVMX: the largest value, count and undo adjustment (fixed in the kernel).
constexpr int sem_value_max = 32767;

} // namespace svipc
