// Runs a msgsnd/msgrcv attempt under a Deadline. Linux has no timed msgsnd or
// msgrcv, so a timed wait retries the IPC_NOWAIT call and sleeps in between:
// 10 us, doubling, capped at 1 ms and never past the deadline. Why polling
// rather than a per-thread timer signal (timer_create + SIGEV_THREAD_ID)
// interrupting a blocking call: a library must not claim a signal number and
// install a process-wide handler behind the application's back, a signal the
// thread has blocked would never interrupt the call, and a timer that fires
// just before the thread enters msgrcv is lost (the call then blocks on). The
// price is bounded: ~1000 wakeups/s of a few microseconds each at worst, and
// a message arriving mid-wait is seen at most ~1 ms late. Only timed calls
// pay it; SVIPC_WAIT_FOREVER blocks in the kernel and 0 makes one call.
#pragma once

#include "common/deadline.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>

namespace svipc {

constexpr int64_t msg_poll_first_ns = 10 * 1000;
constexpr int64_t msg_poll_max_ns = 1000 * 1000;
constexpr unsigned long msg_poll_timer_slack_ns = 1000;

// While a timed wait polls, this thread's timer slack (default 50 us, added
// to every sleep) is cut to 1 us, so the short first naps are as short as
// asked; the thread's own value is put back when the wait ends.
class MsgPollTimerSlack {
public:
    MsgPollTimerSlack() noexcept;
    ~MsgPollTimerSlack();
    MsgPollTimerSlack(const MsgPollTimerSlack &) = delete;
    MsgPollTimerSlack &operator=(const MsgPollTimerSlack &) = delete;

private:
    long saved_;
};

// The naps of a polling wait. With `interruptible`, every signal stays
// blocked between naps and each nap unblocks them atomically (ppoll with the
// thread's own mask), so a signal arriving while the thread is busy between
// naps still ends the next nap at once: no handler can run unnoticed. The
// thread's mask is restored when the wait ends.
class MsgPollSleeper {
public:
    explicit MsgPollSleeper(bool interruptible) noexcept;
    ~MsgPollSleeper();
    MsgPollSleeper(const MsgPollSleeper &) = delete;
    MsgPollSleeper &operator=(const MsgPollSleeper &) = delete;

    // Sleeps for ns (> 0). False if a signal handler ran (interruptible only).
    bool nap(int64_t ns) const noexcept;

private:
    bool gated_;
    sigset_t saved_mask_;
};

// attempt(bool nowait) makes one msgsnd/msgrcv and returns 0 or its errno.
// `would_block` is the errno meaning "not now" for that call (EAGAIN for
// msgsnd, ENOMSG for msgrcv). Returns 0, ETIMEDOUT (never before the
// deadline), EINTR (only when interruptible), would_block (immediate
// deadline), or the call's own error. Never throws unless attempt does.
template <typename Attempt>
int msg_timed_call(const Deadline &deadline, bool interruptible, int would_block, Attempt &&attempt)
{
    if (deadline.immediate())
        return attempt(true);
    if (deadline.forever()) {
        for (;;) {
            // msgsnd/msgrcv are never restarted after a signal handler (not
            // even with SA_RESTART): resuming is our decision.
            const int err = attempt(false);
            if (err != EINTR || interruptible)
                return err;
        }
    }
    int err = attempt(true);
    if (err != would_block)
        return err; // no wait needed: none of the set-up below
    MsgPollTimerSlack slack;
    MsgPollSleeper sleeper(interruptible);
    int64_t nap = msg_poll_first_ns;
    for (;;) {
        // Checked after a real attempt, so even an expired timeout gets one
        // and expiry is only reported once the deadline has passed.
        const int64_t left = deadline.remaining_ns();
        if (left == 0)
            return ETIMEDOUT;
        if (!sleeper.nap(nap < left ? nap : left))
            return EINTR;
        nap = nap * 2 > msg_poll_max_ns ? msg_poll_max_ns : nap * 2;
        err = attempt(true);
        if (err != would_block)
            return err;
    }
}

} // namespace svipc
