// The kernel's System V IPC limits (ipcs -l) and current usage (ipcs -u),
// both per IPC namespace, from the IPC_INFO and *_INFO control calls.
#pragma once

#include <svipc/admin.h>

namespace svipc::admin {

svipc_ipc_limits limits();
svipc_ipc_usage usage();

} // namespace svipc::admin
