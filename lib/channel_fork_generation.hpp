// A cheap "am I still the process that opened this handle?" test for the
// channel's hot paths. ProcessOwner calls getpid(), a real system call since
// glibc 2.25 (about 95 ns here), which would triple the cost of a read. A
// pthread_atfork child handler bumps a process-wide generation instead, so
// the check is one relaxed load. Process-wide state is justified: "has this
// process forked since?" is a fact about the process, not about a handle.
#pragma once

#include <cstdint>

namespace svipc {

// The current generation; changes in every child created by fork().
uint64_t fork_generation() noexcept;

} // namespace svipc
