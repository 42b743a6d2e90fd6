// Is a process that left its pid in shared memory still there? Used to tell
// a dead holder (an initialiser, a pinning reader, an orphaned segment's
// creator) from a live one. Pids are reused, so a holder that can also record
// its start time lets a checker tell a new process under the same pid apart.
#pragma once

#include <cstdint>
#include <sys/types.h>

namespace svipc {

// kill(pid, 0): ESRCH means no such process; EPERM means it exists but is not
// ours to signal, so it is alive. A zombie counts as alive until reaped.
// False for pid <= 0 (those name process groups, not a process).
bool process_exists(pid_t pid);

// The process's start time (field 22 of /proc/PID/stat, clock ticks since
// boot), 0 when it cannot be read (no such process, no /proc).
uint64_t process_start_time(pid_t pid);

} // namespace svipc
