// SVIPC_PREFAULT: populate page tables at attach time so the first touch of
// each page does not fault (0.6-0.8 us per page measured otherwise).
#pragma once

#include <cstdint>

namespace svipc {

void prefault(void *addr, uint64_t length, bool read_only);

} // namespace svipc
