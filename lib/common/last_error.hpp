// The per-thread detail message behind svipc_last_error_message().
#pragma once

#include <string>

namespace svipc {

void set_last_error(const char *function, const char *detail) noexcept;
const char *last_error() noexcept;

} // namespace svipc
