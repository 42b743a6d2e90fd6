/* svipc — shared declarations for every public header: export macro and C linkage. */
#ifndef SVIPC_COMMON_H
#define SVIPC_COMMON_H

#include <stdint.h>

#if defined(SVIPC_BUILDING_LIBRARY)
#  define SVIPC_API __attribute__((visibility("default")))
#else
#  define SVIPC_API
#endif

#ifdef __cplusplus
#  define SVIPC_BEGIN_DECLS extern "C" {
#  define SVIPC_END_DECLS }
#else
#  define SVIPC_BEGIN_DECLS
#  define SVIPC_END_DECLS
#endif

/** Pass as a timeout: block until the operation can complete. */
#define SVIPC_WAIT_FOREVER ((int64_t)-1)

/** Flag for blocking calls: a signal handler running during the wait ends it
 *  with -EINTR instead of resuming with the remaining time. Clear of the open
 *  flags (0x1..0x1000) and SVIPC_NO_UNDO (0x10000), which calls may mix with it. */
#define SVIPC_INTERRUPTIBLE 0x00020000u

#endif /* SVIPC_COMMON_H */
