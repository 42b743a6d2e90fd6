// Permission bits for new objects: 0600 unless the caller asks otherwise.
#pragma once

#include "common/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <string>

namespace svipc {

constexpr uint32_t default_mode = 0600;
constexpr uint32_t permission_mask = 0777;

// SVIPC_MODE_DEFAULT (0) means 0600; anything outside 0777 is rejected so a
// stray flag (e.g. IPC_CREAT passed as a mode) is not silently ignored.
inline uint32_t resolve_mode(uint32_t mode)
{
    if (mode & ~permission_mask) {
        char text[64];
        std::snprintf(text, sizeof text, "mode 0%o has bits outside 0777", mode);
        fail(EINVAL, text);
    }
    return mode == 0 ? default_mode : mode;
}

} // namespace svipc
