#include "common/error.hpp"

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

} // namespace svipc
