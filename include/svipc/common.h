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

#endif /* SVIPC_COMMON_H */
