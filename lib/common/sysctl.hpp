// Reading the kernel's IPC limits from /proc/sys for error messages and admin.
#pragma once

#include <cstdint>
#include <string>

namespace svipc {

// The first unsigned number in `path`, or `fallback` if unreadable.
uint64_t read_sysctl_u64(const char *path, uint64_t fallback) noexcept;

// The end of every "limit reached" message: how to raise a limit, given the
// assignment to suggest ("kernel.shmmni=8192").
std::string sysctl_raise_hint(const std::string &assignment);

// 2 * value, saturating: the value a raise hint suggests.
uint64_t doubled(uint64_t value) noexcept;

// "kernel.NAME (VALUE)" and the hint to raise it to at least `needed`
// (doubled, and never below `needed`), for a one-number limit read from
// /proc/sys/kernel/NAME; `current` as read by the caller.
std::string sysctl_limit_text(const char *name, uint64_t current, uint64_t needed = 0);

} // namespace svipc
