// The failures shmget, semget and msgget share, worded once.
#pragma once

#include <cstdint>

namespace svipc {

// A key that names nothing (ENOENT), names an object that exists when
// SVIPC_EXCLUSIVE was passed (EEXIST), or names one the caller may not open
// (EACCES) means the same for every object kind: fails with that code and a
// message naming `object` ("segment", "semaphore set", "queue") and the key.
// Returns for any other errno, which only the object's own mapping can
// explain (sizes, limits, huge pages).
void fail_if_key_lookup_error(int saved, int32_t key, const char *object);

} // namespace svipc
