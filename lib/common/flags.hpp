// Checking a call's flags argument against the bits that call accepts
// (which bits belong to which object: common/flag_bits.hpp).
#pragma once

#include <cstdint>

namespace svipc {

// -EINVAL naming the offending bits unless every bit of `flags` is in `allowed`.
void check_flags(uint32_t flags, uint32_t allowed, const char *what);

} // namespace svipc
