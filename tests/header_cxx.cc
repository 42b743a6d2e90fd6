// Proves the public headers compile as C++ and declare C linkage.
#include <svipc/svipc.h>

#include <type_traits>

static_assert(std::is_standard_layout<svipc_shm_info>::value, "info structs are plain data");
static_assert(sizeof(svipc_shm_info) == 80, "svipc_shm_info layout is part of the ABI");
static_assert(sizeof(svipc_sem_info) == 48 && sizeof(svipc_sem_op) == 8, "semaphore struct layouts are part of the ABI");
static_assert(sizeof(svipc_msg_info) == 88, "svipc_msg_info layout is part of the ABI");
static_assert(sizeof(svipc_channel_read_info) == 32 && sizeof(svipc_channel_info) == 88, "channel info layouts are part of the ABI");
static_assert(sizeof(svipc_ipc_limits) == 104 && sizeof(svipc_ipc_usage) == 72 && sizeof(svipc_orphan) == 40, "admin info layouts are part of the ABI");

int main()
{
    return svipc_version() == SVIPC_VERSION_NUMBER ? 0 : 1;
}
