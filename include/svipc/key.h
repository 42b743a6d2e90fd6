/* svipc — System V IPC keys.
 *
 * A key names an object across processes. Three ways to get one besides a
 * plain integer agreed on by both sides:
 *   SVIPC_KEY_PRIVATE          a new object only reachable through its id (IPC_PRIVATE)
 *   svipc_key_from_path()      ftok(3): an existing file plus a project id
 *   svipc_key_from_name()      a stable hash of a string, the same in every process and language
 * The kernel keeps separate key spaces for segments, semaphore sets and
 * queues, so one key may name one object of each kind.
 */
#ifndef SVIPC_KEY_H
#define SVIPC_KEY_H

#include <svipc/common.h>

SVIPC_BEGIN_DECLS

/** IPC_PRIVATE: always creates a new object. */
#define SVIPC_KEY_PRIVATE 0

/** Derive a key from an existing file and a project id with ftok(3).
 *  proj_id must be 1..255 (ftok only uses the low 8 bits).
 *  Errors: -EINVAL path NULL or empty, ret_key NULL, proj_id out of range, or
 *  the derived key is IPC_PRIVATE; -ENOENT path does not exist; -EACCES a
 *  directory on the path is not searchable; other stat(2) errors as -errno. */
SVIPC_API int svipc_key_from_path(const char *path, int32_t proj_id, int32_t *ret_key);

/** Derive a key from a name: 32-bit FNV-1a over the bytes "svipc:" followed by
 *  the name's bytes (UTF-8, no terminator), masked to 31 bits; a result of 0
 *  becomes 1 so it is never IPC_PRIVATE. Pure arithmetic: identical in every
 *  process, language and machine. Distinct names can collide (2^31 values).
 *  Errors: -EINVAL name NULL or empty, ret_key NULL. */
SVIPC_API int svipc_key_from_name(const char *name, int32_t *ret_key);

SVIPC_END_DECLS

#endif /* SVIPC_KEY_H */
