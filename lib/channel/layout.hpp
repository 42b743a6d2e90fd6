// The shared-memory layout of a channel: what every process that maps the
// segment agrees on, byte for byte. Bump layout_version on any change.
//
//   offset 0             Header (identity | publisher | sleepers | pin mask | pin records |
//                        description: name and schema)
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
// 2: publish uses the asymmetric fence (channel/asymmetric_fence.hpp).
// 3: pinned reads (pin mask and pin records in the header; publishers skip pinned slots).
// 4: self-describing channels (name, schema text and its hash after the pin
//    records); claimed_mask beside pinned_mask: publishers fence fully while a
//    pin record is claimed.
constexpr uint32_t layout_version = 4;
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

// Pinned reads (doc/channel.md, "Loans and pins"). A handle that pins claims
// one of max_pins records for its lifetime and names the slot it holds in it;
// bit i of Header::claimed_mask is set while record i is claimed, and bit i
// of Header::pinned_mask while record i holds a slot. The owner
// word packs (pid << 32) | (slot + 1): slot part 0 = claimed, holding
// nothing; pin_reclaiming = a process is freeing the record of a dead holder.
constexpr uint32_t max_pins = 64;  // bits of pinned_mask and claimed_mask
constexpr uint32_t pin_no_slot = 0;
constexpr uint32_t pin_reclaiming = 0xffffffffu;  // never slot + 1: buffer_num <= 65535

struct PinRecord {
    std::atomic<uint64_t> owner;
    std::atomic<uint64_t> start_time;  // the holder's start time (/proc/PID/stat), 0 = not yet written
};

constexpr uint64_t pin_owner(uint32_t pid, uint32_t slot_plus_one)
{
    return (uint64_t{pid} << 32) | slot_plus_one;
}

// The description (doc/channel.md, "Names and schemas"): the channel's name
// (empty for channels opened by key) and its schema, numpy dtype text the
// library stores and compares but never parses. Fields hold the text and its
// NUL; the public limits SVIPC_CHANNEL_NAME_MAX and SVIPC_CHANNEL_SCHEMA_MAX
// are these minus one (checked in layout_validator.cpp).
constexpr uint32_t name_field_size = 256;
constexpr uint32_t schema_field_size = 2048;

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

    // Line 3: which pin records hold a slot, and which are claimed. A
    // publisher loads claimed_mask at every publish (0: no pinning reader,
    // no further look); otherwise it fences fully and loads pinned_mask.
    // Pinning readers write both. A mask rather than a count: it cannot
    // drift or wrap, and its population count is at most max_pins whatever
    // a peer stores (doc/channel.md, "Loans and pins").
    alignas(cache_line) std::atomic<uint64_t> pinned_mask;
    std::atomic<uint64_t> claimed_mask;

    // Lines 4..19: the pin records.
    alignas(cache_line) PinRecord pins[max_pins];

    // Lines 20..56: the description. Written by the initialiser before
    // init_state becomes init_ready (release), read-only afterwards; copied
    // and validated once at open (channel/layout_validator.hpp). Nothing on
    // the publish or read path touches it.
    alignas(cache_line) uint32_t name_length;  // bytes before the NUL in `name`
    uint32_t schema_length;                   // bytes before the NUL in `schema`, >= 1
    uint64_t schema_hash;                     // FNV-1a 64 of the schema text (common/fnv1a.hpp)
    alignas(cache_line) char name[name_field_size];
    char schema[schema_field_size];
};

struct alignas(cache_line) SlotHeader {
    // 2 * sequence when the slot holds that complete value; odd while a
    // publisher writes it; 0 never written.
    std::atomic<uint64_t> version;
    std::atomic<int64_t> publish_time_ns;  // CLOCK_MONOTONIC
};

static_assert(sizeof(PinRecord) == 16, "PinRecord layout is shared between processes");
constexpr uint64_t description_offset = 4 * cache_line + max_pins * sizeof(PinRecord);
static_assert(sizeof(Header) == description_offset + cache_line + name_field_size + schema_field_size,
              "Header layout is shared between processes");
static_assert(offsetof(Header, name_length) == description_offset && offsetof(Header, schema_hash) == description_offset + 8 &&
                  offsetof(Header, name) == description_offset + cache_line &&
                  offsetof(Header, schema) == description_offset + cache_line + name_field_size,
              "Header layout is shared between processes");
static_assert(offsetof(Header, pinned_mask) == 3 * cache_line && offsetof(Header, claimed_mask) == 3 * cache_line + 8 &&
                  offsetof(Header, pins) == 4 * cache_line,
              "Header layout is shared between processes");
static_assert(offsetof(Header, latest) == cache_line, "Header layout is shared between processes");
static_assert(offsetof(Header, wake_word) == 2 * cache_line, "Header layout is shared between processes");
static_assert(sizeof(SlotHeader) == cache_line, "SlotHeader layout is shared between processes");
// A 32-bit (armhf) and a 64-bit (arm64) process on one arm64 board can share a
// channel: the same offsets on both, and 64-bit atomics naturally aligned
// (32-bit ARM's LDREXD/STREXD need 8-byte alignment to be single-copy atomic).
static_assert(alignof(std::atomic<uint64_t>) == 8 && alignof(std::atomic<int64_t>) == 8,
              "64-bit shared atomics must be 8-byte aligned on every target");
static_assert(offsetof(Header, payload_size) == 16 && offsetof(Header, header_size) == 32 &&
                  offsetof(Header, created_realtime_ns) == 48 && offsetof(Header, creator_pid) == 56,
              "Header layout must not depend on the target's word size");
static_assert(offsetof(SlotHeader, publish_time_ns) == 8, "SlotHeader layout must not depend on the target's word size");

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
