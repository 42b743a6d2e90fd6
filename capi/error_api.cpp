#include <svipc/error.h>

#include "common/error.hpp"
#include "common/last_error.hpp"

#include <cstdlib>

extern "C" {

const char *svipc_strerror(int code)
{
    return svipc::describe_errno(code < 0 ? -code : code);
}

const char *svipc_last_error_message(void)
{
    return svipc::last_error();
}

} // extern "C"
