// An asymmetric Dekker fence between a channel's publisher (frequent, must
// be cheap) and a reader going to sleep (rare, already slow).
//
// publish: store `latest`, then load `sleepers`. wait: add to `sleepers`,
// then load `latest`. Each side needs a full StoreLoad fence in between, or
// both may miss the other (a lost wake-up). A seq_cst store costs the
// publisher ~4.5 ns per publish on this machine; with membarrier(2) the
// publisher needs only a compiler barrier and the sleeper pays a
// MEMBARRIER_CMD_GLOBAL_EXPEDITED system call (a few microseconds) instead:
// the kernel runs a full fence on every CPU that runs a registered process,
// so either the publisher's store is visible after the sleeper's call, or
// the publisher's load comes after that fence and sees the sleeper. A
// pinning reader claiming its pin record is the other heavy side (against
// the publisher's odd version store and claimed_mask load; doc/channel.md,
// "Pinned read").
#pragma once

#include <atomic>

namespace svipc::asymmetric_fence {

// Called once by a process before it relies on light(): registers it for
// the heavy side's expedited barrier. False when the kernel cannot (old
// kernel, seccomp): the caller then keeps using seq_cst on both sides.
bool register_light_side();

// The publisher's side, valid only after register_light_side() returned true.
inline void light()
{
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

// The sleeper's side: a full fence in this thread and in every registered
// process. False when membarrier is unavailable; the caller must then not
// sleep without a bound, since a light-side publisher may miss it.
bool heavy();

} // namespace svipc::asymmetric_fence
