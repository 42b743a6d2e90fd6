#include "common/process_liveness.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace svipc {

bool process_exists(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

uint64_t process_start_time(pid_t pid)
{
    if (pid <= 0)
        return 0;
    // The main thread's stat, not /proc/PID/stat: the start time is the
    // same, but qemu-user answers a guest's read of its own /proc/PID/stat
    // with a synthesized start time, which then differs from what another
    // process reads there and would make a live pin holder look dead.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/stat", static_cast<int>(pid), static_cast<int>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[1024];
    const ssize_t got = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (got <= 0)
        return 0;
    text[got] = '\0';
    // The command name (field 2) is in parentheses and may hold spaces or
    // parentheses itself: fields are counted from the last ')'.
    const char *field = std::strrchr(text, ')');
    if (field == nullptr)
        return 0;
    field++;
    for (int number = 3; number < 22; number++) {
        field = std::strchr(field + 1, ' ');
        if (field == nullptr)
            return 0;
    }
    return std::strtoull(field + 1, nullptr, 10);
}

} // namespace svipc
