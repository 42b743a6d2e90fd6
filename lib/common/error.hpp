// The library's internal error type. Core code throws svipc::Error; the C
// layer (capi/guard.hpp) turns it into a negative errno return plus the
// thread's detail message. Nothing here prints or exits.
#pragma once

#include <cerrno>
#include <exception>
#include <string>

namespace svipc {

class Error : public std::exception {
public:
    // code: a positive errno value.
    Error(int code, std::string message) : code_(code), message_(std::move(message)) {}
    int code() const noexcept { return code_; }
    const char *what() const noexcept override { return message_.c_str(); }

private:
    int code_;
    std::string message_;
};

[[noreturn]] void fail(int code, std::string message);

// For a failed syscall: `context` plus the errno description.
[[noreturn]] void fail_errno(int saved_errno, const std::string &context);

// -EINVAL with `message` unless `condition` holds: for argument validation.
inline void require(bool condition, const char *message)
{
    if (!condition)
        fail(EINVAL, message);
}

// Static description of a positive errno value (never NULL).
const char *describe_errno(int code) noexcept;

} // namespace svipc
