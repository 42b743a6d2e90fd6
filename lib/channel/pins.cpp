#include "channel/pins.hpp"

#include "common/process_liveness.hpp"

#include <algorithm>
#include <atomic>

namespace svipc::channel_pins {

using namespace channel_layout;

namespace {

uint32_t owner_pid(uint64_t owner)
{
    return static_cast<uint32_t>(owner >> 32);
}

uint32_t owner_slot_plus_one(uint64_t owner)
{
    return static_cast<uint32_t>(owner);
}

uint64_t bit(int record)
{
    return uint64_t{1} << record;
}

} // namespace

bool slot_pinned(const Header &header, uint32_t slot)
{
    uint64_t mask = header.pinned_mask.load(std::memory_order_acquire);
    while (mask != 0) {
        const int record = __builtin_ctzll(mask);  // < 64 = max_pins
        mask &= mask - 1;
        const uint64_t owner = header.pins[record].owner.load(std::memory_order_acquire);
        if (owner_slot_plus_one(owner) == slot + 1)
            return true;
    }
    return false;
}

int claim_record(Header &header, pid_t pid, uint64_t start_time)
{
    for (uint32_t record = 0; record < max_pins; record++) {
        uint64_t expected = 0;
        if (header.pins[record].owner.compare_exchange_strong(expected, pin_owner(pid, pin_no_slot),
                                                              std::memory_order_acq_rel)) {
            header.pins[record].start_time.store(start_time, std::memory_order_release);
            header.claimed_mask.fetch_or(bit(static_cast<int>(record)), std::memory_order_seq_cst);
            return static_cast<int>(record);
        }
    }
    return -1;
}

void pin(Header &header, int record, pid_t pid, uint32_t slot)
{
    header.pins[record].owner.store(pin_owner(pid, slot + 1), std::memory_order_release);
    header.pinned_mask.fetch_or(bit(record), std::memory_order_seq_cst);
}

void unpin(Header &header, int record, pid_t pid)
{
    header.pinned_mask.fetch_and(~bit(record), std::memory_order_release);
    header.pins[record].owner.store(pin_owner(pid, pin_no_slot), std::memory_order_release);
}

void free_record(Header &header, int record, pid_t pid)
{
    unpin(header, record, pid);
    // Before the owner word is freed: a process claiming the record next
    // sets the bit again, and our clear must not come after its set.
    header.claimed_mask.fetch_and(~bit(record), std::memory_order_release);
    header.pins[record].start_time.store(0, std::memory_order_relaxed);
    header.pins[record].owner.store(0, std::memory_order_release);
}

uint32_t reclaim_dead(Header &header, pid_t self)
{
    uint32_t freed = 0;
    for (uint32_t record = 0; record < max_pins; record++) {
        PinRecord &pins = header.pins[record];
        uint64_t owner = pins.owner.load(std::memory_order_acquire);
        const auto pid = static_cast<pid_t>(owner_pid(owner));
        if (owner == 0 || pid == self)
            continue;
        const uint64_t started = pins.start_time.load(std::memory_order_acquire);
        bool alive = process_exists(pid);
        if (alive && started != 0) {
            const uint64_t now_started = process_start_time(pid);
            alive = now_started == 0 || now_started == started;  // unreadable: assume it is the holder
        }
        if (alive)
            continue;
        // Mark the record as ours before clearing its bit: of several
        // reclaimers only one wins, and nobody can claim the record (and set
        // the bit again) before we free it.
        if (!pins.owner.compare_exchange_strong(owner, pin_owner(self, pin_reclaiming), std::memory_order_acq_rel))
            continue;
        header.pinned_mask.fetch_and(~bit(static_cast<int>(record)), std::memory_order_release);
        header.claimed_mask.fetch_and(~bit(static_cast<int>(record)), std::memory_order_release);
        pins.start_time.store(0, std::memory_order_relaxed);
        pins.owner.store(0, std::memory_order_release);
        freed++;
    }
    return freed;
}

uint32_t pinned_slot_count(const Header &header, uint32_t buffer_num)
{
    uint32_t slots[max_pins];
    uint32_t count = 0;
    uint64_t mask = header.pinned_mask.load(std::memory_order_acquire);
    while (mask != 0) {
        const int record = __builtin_ctzll(mask);
        mask &= mask - 1;
        const uint32_t slot_plus_one = owner_slot_plus_one(header.pins[record].owner.load(std::memory_order_acquire));
        if (slot_plus_one != pin_no_slot && slot_plus_one <= buffer_num)  // a peer's word: bounds-checked
            slots[count++] = slot_plus_one;
    }
    std::sort(slots, slots + count);
    return static_cast<uint32_t>(std::unique(slots, slots + count) - slots);
}

} // namespace svipc::channel_pins
