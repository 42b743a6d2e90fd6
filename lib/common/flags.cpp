#include "common/flags.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <cstdio>

namespace svipc {

void check_flags(uint32_t flags, uint32_t allowed, const char *what)
{
    if (flags & ~allowed) {
        char text[96];
        std::snprintf(text, sizeof text, "unknown or inapplicable %s flags 0x%x", what, flags & ~allowed);
        fail(EINVAL, text);
    }
}

} // namespace svipc
