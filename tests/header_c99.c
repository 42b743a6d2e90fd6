/* Proves the public headers compile as strict C99 (built with -std=c99 -pedantic -Werror). */
#include <svipc/svipc.h>

int main(void)
{
    svipc_shm_info info = {0};
    return (int)(svipc_version() != SVIPC_VERSION_NUMBER) + (int)info.size;
}
