// Handles belong to the process that opened them. After fork() a child's copy
// would share bookkeeping (attachment lists, undo state) with the parent, so
// uses from another pid fail with -ECHILD, as in systemd's sd-bus.
#pragma once

#include "error.hpp"

#include <cerrno>
#include <string>
#include <sys/types.h>
#include <unistd.h>

namespace svipc {

class ProcessOwner {
public:
    ProcessOwner() : pid_(getpid()) {}
    bool is_current() const { return getpid() == pid_; }
    void check() const
    {
        if (!is_current())
            fail(ECHILD, "handle opened by pid " + std::to_string(pid_) + " used in pid " +
                             std::to_string(getpid()) + " (after fork); open a new handle in this process");
    }

private:
    pid_t pid_;
};

} // namespace svipc
