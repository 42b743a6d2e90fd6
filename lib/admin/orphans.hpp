// Orphan detection: objects whose users are all gone. The rules (documented
// on svipc_find_orphans in admin.h) differ per kind because the kernel keeps
// a creator pid only for segments.
#pragma once

#include "admin/listing.hpp"

#include <svipc/admin.h>

#include <cstdint>
#include <vector>

namespace svipc::admin {

std::vector<svipc_orphan> find_orphans(int64_t min_idle_ns, Source source);

} // namespace svipc::admin
