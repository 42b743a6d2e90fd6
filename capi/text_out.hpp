// Strings handed to C callers: copied NUL-terminated into the caller's
// buffer, or -ERANGE with nothing written when it is too small (so a caller
// can retry with a bigger buffer; the headers name a size that always fits).
#pragma once

#include "common/error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace svipc::capi {

// Throws ERANGE unless `text` and its NUL fit `capacity` bytes.
inline void check_text_fits(const std::string &text, uint64_t capacity, const char *what)
{
    if (capacity < text.size() + 1)
        fail(ERANGE, std::string(what) + " has " + std::to_string(text.size()) + " bytes; a buffer of " +
                         std::to_string(capacity) + " bytes cannot hold it and its NUL");
}

// Copies `text` and its NUL into buf (capacity checked as above); returns its length.
inline int copy_text_out(const std::string &text, char *buf, uint64_t capacity, const char *what)
{
    if (buf == nullptr)
        fail(EINVAL, std::string(what) + " buffer is NULL");
    check_text_fits(text, capacity, what);
    std::memcpy(buf, text.c_str(), text.size() + 1);
    return static_cast<int>(text.size());
}

} // namespace svipc::capi
