// Keys: derivation (ftok(3) for paths, a documented FNV-1a hash for names)
// and how messages print them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace svipc {

int32_t key_from_path(const char *path, int32_t proj_id);
int32_t key_from_name(std::string_view name);

// "0x0000abcd": how ipcs prints keys.
std::string format_key(int key);

// format_key, or "IPC_PRIVATE" for key 0: for messages naming a key.
std::string key_text(int key);

} // namespace svipc
