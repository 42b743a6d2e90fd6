// The lock that serialises a channel's publishers: one System V semaphore,
// value 0 = free, 1 = held. Taking it is the atomic pair "wait for zero,
// then +1" with SEM_UNDO, so the kernel releases it when the holder dies,
// even by SIGKILL: a crashed writer never wedges the next one. Value 0 is
// also what Linux gives a new set, so there is no initialisation race.
// (Raw semop here; the channel needs only these three operations.)
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace svipc {

class ChannelWriterLock {
public:
    // A new private semaphore set of one semaphore (its id goes in the
    // channel header, so the lock never collides with a user's semaphore
    // that happens to have the channel's key).
    static int32_t create(uint32_t mode);
    static void remove(int32_t semid);

    // The semid comes from a channel header, which any peer with write
    // permission may rewrite to name another semaphore set (one of ours that
    // we would then lock, unlock or remove). A channel's lock is a private
    // (IPC_PRIVATE) set of one semaphore created by the segment's creator.
    // verify throws EPROTO if `semid` is not such a set, EIDRM if it does not
    // exist, EACCES if we may not read it; looks_like_lock answers the same
    // question without throwing (for diagnostics).
    static void verify(int32_t semid, uint32_t segment_creator_uid, const std::string &label);
    static bool looks_like_lock(int32_t semid, uint32_t segment_creator_uid);

    // Take the lock; false if another process holds it after timeout_ns
    // (0 = one try). Throws EIDRM if the set was removed.
    static bool lock(int32_t semid, int64_t timeout_ns);
    static void unlock(int32_t semid);

    // The holder's pid, or 0 when free.
    static pid_t holder(int32_t semid);
};

} // namespace svipc
