// Proves the public headers compile as C++ and declare C linkage.
#include <svipc/svipc.h>

#include <type_traits>

static_assert(std::is_standard_layout<svipc_shm_info>::value, "info structs are plain data");
static_assert(sizeof(svipc_shm_info) == 80, "svipc_shm_info layout is part of the ABI");

int main()
{
    return svipc_version() == SVIPC_VERSION_NUMBER ? 0 : 1;
}
