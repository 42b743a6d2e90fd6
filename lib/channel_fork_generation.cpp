#include "channel_fork_generation.hpp"

#include <atomic>
#include <pthread.h>

namespace svipc {

namespace {
std::atomic<uint64_t> generation{0};

void bump_in_child() noexcept
{
    generation.fetch_add(1, std::memory_order_relaxed);
}

// Registered when the library loads, before any handle can exist.
const int registered = pthread_atfork(nullptr, nullptr, bump_in_child);
} // namespace

uint64_t fork_generation() noexcept
{
    (void)registered;
    return generation.load(std::memory_order_relaxed);
}

} // namespace svipc
