#include "msg/timed_call.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <time.h>

namespace svipc {

MsgPollTimerSlack::MsgPollTimerSlack() noexcept : saved_(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0))
{
    if (saved_ > static_cast<long>(msg_poll_timer_slack_ns))
        prctl(PR_SET_TIMERSLACK, msg_poll_timer_slack_ns, 0, 0, 0);
}

MsgPollTimerSlack::~MsgPollTimerSlack()
{
    if (saved_ > static_cast<long>(msg_poll_timer_slack_ns))
        prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(saved_), 0, 0, 0);
}

MsgPollSleeper::MsgPollSleeper(bool interruptible) noexcept : gated_(false)
{
    sigemptyset(&saved_mask_);
    if (!interruptible)
        return;
    sigset_t all;
    sigfillset(&all); // the kernel never blocks SIGKILL/SIGSTOP
    gated_ = pthread_sigmask(SIG_BLOCK, &all, &saved_mask_) == 0;
}

MsgPollSleeper::~MsgPollSleeper()
{
    if (gated_)
        pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

bool MsgPollSleeper::nap(int64_t ns) const noexcept
{
    const struct timespec ts = timespec_from_ns(ns);
    if (gated_)
        return !(ppoll(nullptr, 0, &ts, &saved_mask_) < 0 && errno == EINTR);
    // Not interruptible: a signal only cuts this nap short; the wait goes on.
    nanosleep(&ts, nullptr);
    return true;
}

} // namespace svipc
