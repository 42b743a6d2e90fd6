// Reading the kernel's IPC limits from /proc/sys for error messages and admin.
#pragma once

#include <cstdint>

namespace svipc {

// The first unsigned number in `path`, or `fallback` if unreadable.
uint64_t read_sysctl_u64(const char *path, uint64_t fallback) noexcept;

} // namespace svipc
