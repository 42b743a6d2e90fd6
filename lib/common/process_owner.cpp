#include "common/process_owner.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <pthread.h>
#include <string>

namespace svipc {

std::atomic<uint64_t> process_fork_generation{0};

namespace {
void bump_in_child() noexcept
{
    process_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

// Registered when the library loads, before any handle can exist.
const int registered = pthread_atfork(nullptr, nullptr, bump_in_child);
} // namespace

ProcessOwner::ProcessOwner()
    : pid_(getpid()), generation_(process_fork_generation.load(std::memory_order_relaxed))
{
    (void)registered;
}

void ProcessOwner::fail_in_other_process() const
{
    fail(ECHILD, "handle opened by pid " + std::to_string(pid_) + " used in pid " + std::to_string(getpid()) +
                     " (after fork); open a new handle in this process");
}

} // namespace svipc
