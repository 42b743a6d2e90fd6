// Race-free create-and-initialise for System V semaphore sets.
//
// semget() creates a set with every value 0 and semctl(SETALL) is a second,
// separate call, so two processes that "create if missing, then set the
// initial values" can both set them (one overwriting the other's P's) or use
// the set before it is set. The protocol (Stevens, UNP vol. 2, 11.2):
//   - the creator is whoever wins semget(IPC_CREAT | IPC_EXCL); it alone runs
//     SETALL, then one semop that changes nothing. That semop is the first
//     on the set, and the first to set sem_otime (SETALL does not).
//   - everyone else opens the existing set and polls IPC_STAT until
//     sem_otime != 0: from then on the initial values are in place.
// A creator that dies between semget and that semop leaves sem_otime at 0
// forever: openers fail with ETIMEDOUT naming the id, and removing the set
// (by id) lets the next open create it afresh. A set that disappears while
// an opener waits (a creator whose initialisation failed removes it) sends
// the opener back to semget, so it may become the creator itself.
#pragma once

#include "common/deadline.hpp"

#include <cstdint>

namespace svipc {

struct InitialisedSet {
    int32_t id;
    uint32_t nsems;
    bool created; // this call created and initialised it
};

// create: SVIPC_CREATE (or a private key); exclusive: SVIPC_EXCLUSIVE.
// initial: nsems values (already checked <= SEMVMX) or nullptr for zeros.
// deadline bounds the wait for someone else's initialisation.
InitialisedSet open_initialised_set(int32_t key, uint32_t nsems, bool create, bool exclusive, uint32_t perms,
                                    const uint16_t *initial, const Deadline &deadline, bool interruptible);

} // namespace svipc
