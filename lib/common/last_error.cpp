#include "common/last_error.hpp"

#include <cstdio>

namespace svipc {

namespace {
// A fixed buffer rather than std::string: writing it can never throw, so the
// error path itself cannot fail, and no thread_local destructor is needed.
constexpr std::size_t max_message = 512;
thread_local char message[max_message];
} // namespace

void set_last_error(const char *function, const char *detail) noexcept
{
    std::snprintf(message, sizeof message, "%s: %s", function, detail);
}

const char *last_error() noexcept
{
    return message;
}

} // namespace svipc
