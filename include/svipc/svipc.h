/* svipc — System V IPC for C and ctypes. The one header to include. */
#ifndef SVIPC_H
#define SVIPC_H

#include <svipc/common.h>
#include <svipc/version.h>
#include <svipc/error.h>
#include <svipc/key.h>
#include <svipc/shm.h>
#include <svipc/sem.h>
#include <svipc/msg.h>
#include <svipc/channel.h>
#include <svipc/admin.h>

#endif /* SVIPC_H */
