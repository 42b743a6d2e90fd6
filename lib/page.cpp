#include "page.hpp"

#include <unistd.h>

namespace svipc {

uint64_t page_size() noexcept
{
    static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    return size;
}

} // namespace svipc
