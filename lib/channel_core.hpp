// One process's view of a channel: the attached segment, the header checks,
// and the publish / read / wait protocol over the ring of slots described in
// channel_layout.hpp and doc/channel.md.
#pragma once

#include "process_owner.hpp"

#include "channel_layout.hpp"
#include "shm_segment.hpp"

#include <svipc/channel.h>

#include <cstdint>
#include <memory>
#include <string>

namespace svipc {

class Channel {
public:
    // label names the channel in messages ("channel 'camera' (key 0x...)").
    static std::unique_ptr<Channel> open(int32_t key, const std::string &label, uint32_t type,
                                         uint64_t payload_size, uint32_t buffer_num, uint32_t flags,
                                         uint32_t mode);
    // Removes the channel with this key if it is one; never touches other segments.
    static void remove_key(int32_t key, const std::string &label);

    // Releases the writer lock if held, then detaches.
    ~Channel();
    Channel(const Channel &) = delete;
    Channel &operator=(const Channel &) = delete;

    // Hot paths. Expected outcomes come back as negative errno values
    // (no exception): read -ENODATA; wait -EAGAIN, -ETIMEDOUT, -EINTR.
    uint64_t publish(const void *data, uint64_t size);
    int read(void *buffer, uint64_t capacity, int64_t max_age_ns, svipc_channel_read_info *info);
    // A read whose arguments were given once (svipc_channel_bind_read).
    void bind_read(void *buffer, uint64_t capacity, int64_t max_age_ns, svipc_channel_read_info *info);
    int read_bound();
    // A publish whose source was given once (svipc_channel_bind_publish).
    void bind_publish(const void *data, uint64_t size);
    void publish_bound();
    int wait(uint64_t after_sequence, int64_t timeout_ns, uint32_t flags);
    int wait_read(void *buffer, uint64_t capacity, int64_t timeout_ns, uint32_t flags, svipc_channel_read_info *info);
    uint32_t read_history(uint64_t after_sequence, void *buffer, uint64_t capacity, svipc_channel_read_info *infos,
                          uint32_t max_count, uint64_t *missed);
    // Zero-copy read: the address of the newest complete value in its slot,
    // and a later check that the slot still holds it (doc/channel.md, "Peeking").
    int peek(int64_t max_age_ns, const void **data, svipc_channel_read_info *info);
    bool peek_valid(uint64_t sequence) const;

    void set_spin(int64_t spin_ns);
    uint64_t payload_size() const { return payload_size_; }
    uint64_t latest() const { return header_->latest.load(std::memory_order_acquire); }
    svipc_channel_info stat() const;
    void remove();

private:
    Channel(std::unique_ptr<ShmSegment> segment, void *base, int32_t key, const std::string &label, uint32_t flags);
    void check_owner() const;
    channel_layout::SlotHeader *slot(uint64_t sequence) const;
    unsigned char *payload(channel_layout::SlotHeader *slot) const;
    // The per-call helpers of read and peek are forced inline: a call each
    // costs about as much as the seqlock itself (doc/benchmarks.md).
    // Copy value `sequence` if its slot still holds it, unchanged throughout.
    [[gnu::always_inline]] inline bool copy_value(uint64_t sequence, void *buffer, int64_t *publish_time_ns) const;
    // After a failed look at `sequence`: the sequence to try next.
    uint64_t newest_after_lap(uint64_t sequence, unsigned &stuck) const;
    // First publish of this handle (every publish for a shared writer):
    // the fence registration and the writer lock.
    void prepare_to_publish();
    void take_writer_lock();
    // The rare branches of publish, out of line to keep its hot path short.
    [[noreturn, gnu::cold]] void fail_publish_args(const void *data, uint64_t size) const;
    [[gnu::noinline]] void wake_sleepers();
    [[gnu::always_inline]] inline void check_read_buffer(const void *buffer, uint64_t capacity) const;
    [[noreturn, gnu::cold]] void fail_read_buffer(const void *buffer, uint64_t capacity) const;
    // The freshness result and the info of a read or peek that found value
    // `sequence` published at `published`; advances last_read_.
    [[gnu::always_inline]] inline int finish_read(uint64_t sequence, int64_t published, int64_t max_age_ns, svipc_channel_read_info *info);

    std::unique_ptr<ShmSegment> segment_;
    channel_layout::Header *header_;
    unsigned char *slots_;
    uint64_t payload_size_;
    uint64_t slot_stride_;
    uint32_t buffer_num_;
    int32_t writer_semid_;
    int32_t key_;
    bool shared_writer_;
    bool holds_writer_lock_ = false;
    bool fence_registered_ = false;
    bool light_fence_ = false;  // publish uses asymmetric_fence::light()
    ProcessOwner owner_;
    struct BoundRead {
        void *buffer = nullptr;
        uint64_t capacity = 0;
        int64_t max_age_ns = 0;
        svipc_channel_read_info *info = nullptr;
    } bound_;
    struct BoundPublish {
        const void *data = nullptr;
        uint64_t size = 0;
    } bound_publish_;
    uint64_t last_read_ = 0;  // sequence of this handle's newest read, for `missed`
    int64_t spin_ns_ = SVIPC_CHANNEL_DEFAULT_SPIN_NS;
    std::string label_;
};

} // namespace svipc
