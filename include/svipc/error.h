/* svipc — error reporting.
 *
 * Every fallible svipc function returns an int (or int64_t byte count):
 * >= 0 on success, a negative errno value on failure. Codes with a fixed
 * meaning across the library:
 *   -EINVAL     a bad argument (NULL, zero/huge size, unknown flag, misaligned address)
 *   -ENOENT     no object with that key (and SVIPC_CREATE not given)
 *   -EEXIST     SVIPC_EXCLUSIVE and the object exists
 *   -EACCES     the object's mode does not allow the access
 *   -EIDRM      the object was removed while this handle used it
 *   -ECHILD     a handle was used in a process forked after it was opened
 *   -EAGAIN     the operation would block (try variants)
 *   -ETIMEDOUT  a timed wait expired
 *   -ENOMEM     out of memory (library or kernel)
 * Output parameters are written only on success.
 */
#ifndef SVIPC_ERROR_H
#define SVIPC_ERROR_H

#include <svipc/common.h>

SVIPC_BEGIN_DECLS

/** Static English description of an error code; accepts `-ENOENT` or `ENOENT`.
 *  Never NULL; the string lives for the life of the process. */
SVIPC_API const char *svipc_strerror(int code);

/** This thread's detail message for its most recent failed svipc call, naming
 *  the function and the cause, e.g. "svipc_shm_open: no segment with key 0x1234".
 *  "" if this thread has had no failure. Like errno, a later success does not
 *  clear it: read it right after the failing call. Valid until this thread's
 *  next svipc call. */
SVIPC_API const char *svipc_last_error_message(void);

SVIPC_END_DECLS

#endif /* SVIPC_ERROR_H */
