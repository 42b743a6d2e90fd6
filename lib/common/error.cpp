#include "common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace svipc {

void fail(int code, std::string message)
{
    throw Error(code, std::move(message));
}

void fail_errno(int saved_errno, const std::string &context)
{
    throw Error(saved_errno, context + ": " + describe_errno(saved_errno));
}

const char *describe_errno(int code) noexcept
{
    if (code == 0)
        return "Success";
    // strerrordesc_np (glibc >= 2.32) returns a static string, unlike
    // strerror, which may format into a shared buffer.
    const char *text = strerrordesc_np(code);
    return text ? text : "Unknown error";
}

std::string format_key(int key)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(key));
    return text;
}

std::string key_text(int key)
{
    return key == 0 ? std::string("IPC_PRIVATE") : format_key(key);
}

void check_flags(uint32_t flags, uint32_t allowed, const char *what)
{
    if (flags & ~allowed) {
        char text[96];
        std::snprintf(text, sizeof text, "unknown or inapplicable %s flags 0x%x", what, flags & ~allowed);
        fail(EINVAL, text);
    }
}

} // namespace svipc
