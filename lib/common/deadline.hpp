// A timed wait's budget, shared by every blocking call (semaphores, message
// queues). The C API's timeout_ns becomes a point on CLOCK_MONOTONIC, so a
// wait that a signal handler interrupts can resume with exactly the time
// that is left: never longer than asked (the deadline does not move) and
// never shorter (no fresh "remaining" is guessed). CLOCK_MONOTONIC because
// wall-clock jumps must not stretch or cut a relative timeout.
#pragma once

#include "common/clock.hpp" // monotonic_now_ns, the clock of every deadline

#include <cstdint>
#include <ctime>
#include <string>

namespace svipc {

// ns >= 0 as a timespec (a relative wait or an absolute deadline). Where time_t is 32 bits (Debian 12 armhf)
// a wait of more than 68 years would wrap to a negative, invalid tv_sec: it
// saturates at the largest time_t instead, which is as good as forever.
struct timespec timespec_from_ns(int64_t ns) noexcept;

class Deadline {
public:
    // timeout_ns: SVIPC_WAIT_FOREVER (-1) blocks, 0 tries once, > 0 is
    // relative to now. Anything below -1 is -EINVAL (a caller's arithmetic
    // bug must not turn into "block forever").
    explicit Deadline(int64_t timeout_ns);

    bool forever() const noexcept { return forever_; }
    bool immediate() const noexcept { return timeout_ns_ == 0; }
    int64_t timeout_ns() const noexcept { return timeout_ns_; }

    // Time left, >= 0; INT64_MAX when forever.
    int64_t remaining_ns() const noexcept;
    bool expired() const noexcept { return !forever_ && remaining_ns() == 0; }

    // remaining_ns() as a relative timespec for semtimedop/futex/ppoll
    // (timespec_from_ns: saturated where time_t is 32 bits).
    struct timespec remaining_timespec() const noexcept;

    // Sleep for min(ns, time left), for polling waits. Returns false if a
    // signal handler interrupted the sleep (the caller decides whether that
    // ends the wait), true otherwise.
    bool sleep_at_most(int64_t ns) const noexcept;

private:
    int64_t timeout_ns_;
    bool forever_;
    int64_t end_ns_; // absolute CLOCK_MONOTONIC; unused when forever
};

// "after 250 ms", "after 1.5 s": for -ETIMEDOUT messages.
std::string describe_timeout(int64_t timeout_ns);

} // namespace svipc
