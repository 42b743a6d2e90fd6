// FNV-1a, the one hash of the project: 32-bit for keys derived from names
// (doc/keys.md, part of the ABI), 64-bit for channel schemas (doc/channel.md).
// Both are fixed by their documented constants, so every process and
// language computes the same value.
#pragma once

#include <cstdint>
#include <string_view>

namespace svipc {

constexpr uint32_t fnv1a32_offset_basis = 2166136261u;
constexpr uint64_t fnv1a64_offset_basis = UINT64_C(14695981039346656037);

// Continue a 32-bit FNV-1a hash over `bytes` (start from fnv1a32_offset_basis).
constexpr uint32_t fnv1a32(uint32_t hash, std::string_view bytes)
{
    for (unsigned char byte : bytes) {
        hash ^= byte;
        hash *= 16777619u;
    }
    return hash;
}

// The 64-bit FNV-1a hash of `bytes`.
constexpr uint64_t fnv1a64(std::string_view bytes)
{
    uint64_t hash = fnv1a64_offset_basis;
    for (unsigned char byte : bytes) {
        hash ^= byte;
        hash *= UINT64_C(1099511628211);
    }
    return hash;
}

} // namespace svipc
