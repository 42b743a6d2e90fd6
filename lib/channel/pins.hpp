// The pin records of a channel (channel/layout.hpp, PinRecord): which slots
// pinning readers hold, so that a publisher skips them, and which holders
// died, so that their slots are given back.
//
// Every word here is the segment's and may hold anything: a record's slot is
// used only after checking it against the buffer count this process
// validated at open, and a record index only ever comes from this process's
// own loop over max_pins.
#pragma once

#include "channel/layout.hpp"

#include <cstdint>
#include <sys/types.h>

namespace svipc::channel_pins {

// Whether any record holding a bit of pinned_mask names slot `slot`. The
// caller issued the StoreLoad fence that pairs with pin()'s (doc/channel.md).
bool slot_pinned(const channel_layout::Header &header, uint32_t slot);

// Claims a free record for this process (owner pid, no slot) and sets its
// bit of claimed_mask with seq_cst: its index, or -1 when all max_pins are
// taken. The caller then runs the heavy fence before its first pin.
int claim_record(channel_layout::Header &header, pid_t pid, uint64_t start_time);

// Whether any record is claimed: a publisher that sees none (after its light
// fence) needs neither the full fence nor a look at the pins.
inline bool any_claimed(const channel_layout::Header &header)
{
    return header.claimed_mask.load(std::memory_order_relaxed) != 0;
}

// Names slot `slot` in record `record` (claimed by this process) and sets its
// bit, with seq_cst: the caller then fences and checks the slot's version.
void pin(channel_layout::Header &header, int record, pid_t pid, uint32_t slot);

// Clears the record's bit (release: the holder's reads of the slot come
// before a publisher can see it free), keeps the record claimed.
void unpin(channel_layout::Header &header, int record, pid_t pid);

// Unpins and frees the record (its claimed_mask bit first).
void free_record(channel_layout::Header &header, int record, pid_t pid);

// Frees every record whose holder no longer exists (or whose pid now belongs
// to a process started at another time), clearing its bits first. Records of
// `self` are left alone. Returns how many were freed.
uint32_t reclaim_dead(channel_layout::Header &header, pid_t self);

// How many distinct slots (< buffer_num) the records with a bit set name.
uint32_t pinned_slot_count(const channel_layout::Header &header, uint32_t buffer_num);

} // namespace svipc::channel_pins
