// futex(2) on a 32-bit word inside a System V segment. The segment is
// shared, so these never use FUTEX_PRIVATE_FLAG: the kernel keys the wait
// queue by the page's backing object and offset, not by the address, which
// is what lets processes that map the segment at different addresses meet.
#pragma once

#include <atomic>
#include <cstdint>

namespace svipc {

enum class FutexWaitResult { woken, value_changed, timed_out, interrupted };

// Sleep while *word == expected, until woken or the CLOCK_MONOTONIC
// deadline (absolute ns; negative = none).
FutexWaitResult futex_wait_until(std::atomic<uint32_t> &word, uint32_t expected, int64_t deadline_ns);

// Wake every process sleeping on word.
void futex_wake_all(std::atomic<uint32_t> &word);

} // namespace svipc
