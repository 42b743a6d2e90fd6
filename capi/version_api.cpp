#include <svipc/version.h>

extern "C" {

uint32_t svipc_version(void)
{
    return SVIPC_VERSION_NUMBER;
}

const char *svipc_version_string(void)
{
    return SVIPC_VERSION_STRING;
}

} // extern "C"
