// The shared-memory layout of a channel: what every process that maps the
// segment agrees on, byte for byte. Bump layout_version on any change.
//
//   offset 0             Header (3 cache lines: identity | publisher | sleepers)
//   offset header_size   slot 0: SlotHeader (one cache line) + payload rounded up to 64 B
//   ...                  slot buffer_num - 1
//
// Only lock-free, address-free atomics live here (checked below), because the
// segment is mapped at different addresses in different processes.
// doc/channel.md explains the protocol and every memory ordering.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace svipc::channel_layout {

constexpr uint32_t magic = 0x48435653u;     // "SVCH" in a little-endian dump
constexpr uint32_t layout_version = 2;  // 2: publish uses the asymmetric fence (asymmetric_fence.hpp)
constexpr uint64_t cache_line = 64;
// The largest payload a channel may hold. Also what keeps every size derived
// from a validated payload size (stride, segment size) far from overflowing.
constexpr uint64_t max_payload_size = UINT64_C(1) << 40;

// Header::init_state. While a process initialises the header the word holds
// (pid << init_pid_shift) | init_busy, so a waiter can tell whether the
// initialiser died (then a process opening with SVIPC_CREATE takes over).
constexpr uint32_t init_fresh = 0;  // all-zero: a new segment, nobody started
constexpr uint32_t init_ready = 2;  // the header below is valid and immutable
constexpr uint32_t init_busy = 1;
constexpr uint32_t init_pid_shift = 2;  // pids are < 2^22 (PID_MAX_LIMIT), so this fits

static_assert(std::atomic<uint32_t>::is_always_lock_free, "shared atomics must be lock-free");
static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared atomics must be lock-free");
static_assert(std::atomic<int64_t>::is_always_lock_free, "shared atomics must be lock-free");
static_assert(sizeof(std::atomic<uint64_t>) == 8 && sizeof(std::atomic<uint32_t>) == 4,
              "atomics must have the size of their value so the layout is the same in C and C++");

struct alignas(cache_line) Header {
    // Line 0: identity. Written by the initialiser before init_state becomes
    // init_ready (release), read-only afterwards.
    std::atomic<uint32_t> init_state;
    uint32_t magic;
    uint32_t layout_version;
    uint32_t element_type;
    uint64_t payload_size;
    uint32_t buffer_num;
    int32_t writer_lock_semid;  // System V semaphore serialising writers (SEM_UNDO)
    uint64_t header_size;       // offset of slot 0
    uint64_t slot_stride;       // bytes from one slot to the next
    int64_t created_realtime_ns;
    int32_t creator_pid;
    uint32_t reserved0;

    // Line 1: written by the (one, lock-holding) publisher at every publish.
    // Sequence of the newest complete value; 0 = nothing published yet. The
    // value lives in slot slot_index(latest).
    alignas(cache_line) std::atomic<uint64_t> latest;

    // Line 2: readers going to sleep. Kept apart from `latest` so sleepers
    // registering do not bounce the publisher's cache line.
    alignas(cache_line) std::atomic<uint32_t> wake_word;  // futex word, bumped when sleepers > 0
    std::atomic<uint32_t> sleepers;                       // readers inside FUTEX_WAIT (or about to be)
};

struct alignas(cache_line) SlotHeader {
    // 2 * sequence when the slot holds that complete value; odd while a
    // publisher writes it; 0 never written.
    std::atomic<uint64_t> version;
    std::atomic<int64_t> publish_time_ns;  // CLOCK_MONOTONIC
};

static_assert(sizeof(Header) == 3 * cache_line, "Header layout is shared between processes");
static_assert(offsetof(Header, latest) == cache_line, "Header layout is shared between processes");
static_assert(offsetof(Header, wake_word) == 2 * cache_line, "Header layout is shared between processes");
static_assert(sizeof(SlotHeader) == cache_line, "SlotHeader layout is shared between processes");

constexpr uint64_t round_up_to_line(uint64_t n)
{
    return (n + cache_line - 1) / cache_line * cache_line;
}

constexpr uint64_t header_size = sizeof(Header);

// Payload starts one cache line into the slot, so it is 64-byte aligned
// (numpy arrays and SIMD-friendly structs can be viewed in place).
constexpr uint64_t slot_stride(uint64_t payload_size)
{
    return sizeof(SlotHeader) + round_up_to_line(payload_size);
}

constexpr uint64_t segment_size(uint64_t payload_size, uint32_t buffer_num)
{
    return header_size + slot_stride(payload_size) * buffer_num;
}

// Value n (n >= 1) is written to slot n % buffer_num: consecutive values go
// to consecutive slots, so a reader copying the newest value is overrun only
// after buffer_num - 1 further publishes.
constexpr uint64_t slot_index(uint64_t sequence, uint32_t buffer_num)
{
    return sequence % buffer_num;
}

constexpr uint64_t complete_version(uint64_t sequence)
{
    return 2 * sequence;
}

constexpr uint64_t writing_version(uint64_t sequence)
{
    return 2 * sequence - 1;
}

} // namespace svipc::channel_layout
