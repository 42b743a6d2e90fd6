// The one place where C++ failures become C return codes. Every exported
// function body runs inside guard(): svipc::Error -> -code, std::bad_alloc ->
// -ENOMEM, anything else -> -EIO, each with the thread's detail message set.
// No exception ever reaches a C or ctypes caller.
#pragma once

#include "common/error.hpp"
#include "common/last_error.hpp"

#include <cerrno>
#include <new>

namespace svipc::capi {

template <typename Result = int, typename Body>
Result guard(const char *function, Body &&body) noexcept
{
    try {
        return body();
    } catch (const Error &error) {
        set_last_error(function, error.what());
        return static_cast<Result>(-error.code());
    } catch (const std::bad_alloc &) {
        set_last_error(function, "out of memory");
        return static_cast<Result>(-ENOMEM);
    } catch (const std::exception &error) {
        set_last_error(function, error.what());
        return static_cast<Result>(-EIO);
    } catch (...) {
        set_last_error(function, "internal error");
        return static_cast<Result>(-EIO);
    }
}

// Out of line so that deref() stays a compare and a branch in hot paths.
[[noreturn, gnu::cold, gnu::noinline]] inline void fail_null(const char *what)
{
    fail(EINVAL, std::string(what) + " is NULL");
}

// Argument checks shared by every entry point.
template <typename T>
T &deref(T *pointer, const char *what)
{
    if (pointer == nullptr)
        fail_null(what);
    return *pointer;
}

} // namespace svipc::capi
