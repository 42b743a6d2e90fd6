// Handles belong to the process that opened them. After fork() a child's copy
// would share bookkeeping (attachment lists, writer locks, undo state) with
// the parent, so uses from another process fail with -ECHILD, as in
// systemd's sd-bus.
//
// The check runs on every operation, including the hot paths (an uncontended
// semaphore P+V, a channel read of a few ns), so it must not be getpid(): a
// real system call since glibc 2.25, about 95 ns here. A pthread_atfork child
// handler bumps a process-wide generation instead, and the check is one
// relaxed load; getpid() runs only when the generation differs. Process-wide
// state is right here: "has this process forked since?" is a fact about the
// process, not about a handle.
#pragma once

#include <atomic>
#include <cstdint>
#include <sys/types.h>
#include <unistd.h>

namespace svipc {

// Changes in every child created by fork() (not by a raw clone syscall,
// which skips atfork handlers). A variable, not a function, so the check
// inlines into every caller.
extern std::atomic<uint64_t> process_fork_generation;

class ProcessOwner {
public:
    ProcessOwner();
    bool is_current() const
    {
        return process_fork_generation.load(std::memory_order_relaxed) == generation_ || getpid() == pid_;
    }
    void check() const
    {
        if (__builtin_expect(!is_current(), 0))
            fail_in_other_process();
    }

private:
    [[noreturn]] void fail_in_other_process() const;

    pid_t pid_;
    uint64_t generation_;
};

} // namespace svipc
