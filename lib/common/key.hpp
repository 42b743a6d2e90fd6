// Key derivation: ftok(3) for paths, a documented FNV-1a hash for names.
#pragma once

#include <cstdint>
#include <string_view>

namespace svipc {

int32_t key_from_path(const char *path, int32_t proj_id);
int32_t key_from_name(std::string_view name);

} // namespace svipc
