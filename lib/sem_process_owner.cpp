#include "sem_process_owner.hpp"

#include "error.hpp"

#include <atomic>
#include <cerrno>
#include <pthread.h>
#include <string>
#include <unistd.h>

namespace svipc {

std::atomic<uint64_t> sem_fork_generation{0};

namespace {
void bump_in_child() noexcept
{
    sem_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

// Registered when the library loads, before any handle can exist.
const int registered = pthread_atfork(nullptr, nullptr, bump_in_child);
} // namespace

SemProcessOwner::SemProcessOwner() : pid_(getpid()), generation_(sem_fork_generation.load(std::memory_order_relaxed))
{
    (void)registered;
}

void SemProcessOwner::fail_if_other_process() const
{
    if (getpid() != pid_)
        fail(ECHILD, "handle opened by pid " + std::to_string(pid_) + " used in pid " + std::to_string(getpid()) +
                         " (after fork); open a new handle in this process");
}

} // namespace svipc
