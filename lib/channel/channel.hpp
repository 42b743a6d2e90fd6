// One process's view of a channel: the attached segment, the header checks,
// and the publish / read / wait protocol over the ring of slots described in
// channel/layout.hpp and doc/channel.md.
#pragma once

#include "common/process_owner.hpp"

#include "channel/init.hpp"
#include "channel/layout.hpp"
#include "channel/layout_validator.hpp"
#include "shm/segment.hpp"

#include <svipc/channel.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace svipc {

class Channel {
public:
    // name: what the channel is called ("" when opened by key); stored when
    // creating, compared with the stored name otherwise. schema: nullptr
    // accepts the existing schema (and stores the type's default one when
    // creating), else stored when creating and compared otherwise.
    // label names the channel in messages ("channel 'camera' (key 0x...)").
    static std::unique_ptr<Channel> open(int32_t key, std::string_view name, const std::string &label, uint32_t type,
                                         const char *schema, uint64_t payload_size, uint32_t buffer_num,
                                         uint32_t flags, uint32_t mode);
    // Removes the channel with this key if it is one; never touches other
    // segments, nor a channel stored under another name than `name` ("" : any).
    static void remove_key(int32_t key, std::string_view name, const std::string &label);

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
    // Loaned publish: the payload of the slot the next value goes to, then
    // commit (publish it) or abandon (doc/channel.md, "Loans and pins").
    void *loan();
    uint64_t commit();
    void abandon();
    // Pinned read: the newest value in place, kept from publishers until release.
    int acquire(int64_t max_age_ns, const void **data, svipc_channel_read_info *info);
    void release();

    void set_spin(int64_t spin_ns);
    uint64_t payload_size() const { return payload_size_; }
    uint64_t latest() const { return header_->latest.load(std::memory_order_acquire); }
    svipc_channel_info stat() const;
    // The name and schema validated at open (the handle's copies).
    const std::string &name() const { return text_.name; }
    const std::string &schema() const { return text_.schema; }
    void remove();

private:
    Channel(std::unique_ptr<ShmSegment> segment, void *base, const VerifiedHeader &verified, int32_t key,
            const std::string &label, uint32_t flags);
    // What bounds a read's retries besides SVIPC_CHANNEL_RETRY_BUDGET_NS:
    // the caller's timeout (-1: none) and its deadline if already known
    // (CLOCK_MONOTONIC ns, -1: counted from the first retry).
    struct RetryLimit {
        int64_t timeout_ns = -1;
        int64_t deadline_ns = -1;
    };
    // The body of read and wait_read (forced inline: a call costs ~1 ns of a ~4 ns read).
    [[gnu::always_inline]] inline int read_newest(void *buffer, int64_t max_age_ns, svipc_channel_read_info *info,
                                                  RetryLimit limit);
    // The value a retried look found: its sequence (0: `latest` read 0,
    // "nothing published") and publish time.
    struct Found {
        uint64_t sequence;
        int64_t published;
    };
    // After a failed first look at `sequence`: look(newest, published) until
    // it succeeds, `latest` reads 0, or the limit passes (throws EAGAIN /
    // ETIMEDOUT, or EPROTO for a slot that never becomes consistent while
    // `latest` stays put). Out of line, and returning by value, so that the
    // fast paths keep their locals in registers.
    template <typename Look>
    [[gnu::noinline]] Found retry_look(uint64_t sequence, RetryLimit limit, Look look) const;
    // wait(), also reporting the deadline it computed (-1 if none).
    int wait_for_newer(uint64_t after_sequence, int64_t timeout_ns, uint32_t flags, int64_t &deadline_out);
    void check_owner() const;
    channel_layout::SlotHeader *slot(uint64_t sequence) const;
    unsigned char *payload(channel_layout::SlotHeader *slot) const;
    // The per-call helpers of read and peek are forced inline: a call each
    // costs about as much as the seqlock itself (doc/benchmarks.md).
    // Copy value `sequence` if its slot still holds it, unchanged throughout.
    [[gnu::always_inline]] inline bool copy_value(uint64_t sequence, void *buffer, int64_t *publish_time_ns) const;
    // Peek's look: `source` holds complete value `sequence`, consistent
    // across the read of its publish time.
    [[gnu::always_inline]] inline bool holds_value(channel_layout::SlotHeader *source, uint64_t sequence,
                                                   int64_t *publish_time_ns) const;
    // First publish of this handle (every publish for a shared writer):
    // the fence registration and the writer lock.
    void prepare_to_publish();
    // The two halves of a publish around the payload write: pick the slot
    // (skipping pinned ones, ENOBUFS if all are) and mark it odd; then make
    // it even, store `latest`, wake sleepers, release a shared writer lock.
    [[gnu::always_inline]] inline channel_layout::SlotHeader *begin_write(uint64_t &sequence);
    [[gnu::always_inline]] inline void store_load_fence() const;
    [[gnu::noinline]] channel_layout::SlotHeader *skip_pinned(uint64_t &sequence, channel_layout::SlotHeader *target,
                                                              uint64_t previous);
    [[gnu::always_inline]] inline void finish_publish(channel_layout::SlotHeader *target, uint64_t sequence);
    void claim_pin_record();
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
    // Shared words (latest, slot versions, wake word, sleepers) are read
    // through header_/slots_; every size and offset below was validated once
    // at open (channel/layout_validator.hpp) and is never re-read.
    channel_layout::Header *header_;
    unsigned char *slots_;
    uint64_t payload_size_;
    uint64_t slot_stride_;
    uint32_t buffer_num_;
    int32_t writer_semid_;
    uint32_t element_type_;
    uint32_t layout_version_;
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
    channel_layout::SlotHeader *loan_ = nullptr;  // slot of the outstanding loan
    uint64_t loan_sequence_ = 0;
    int64_t loan_time_ = 0;
    int pin_record_ = -1;  // this handle's pin record (< max_pins), -1 before its first acquire
    bool pinned_ = false;
    pid_t owner_pid_ = 0;  // set before the first publish or pin
    uint64_t last_read_ = 0;  // sequence of this handle's newest read, for `missed`
    int64_t spin_ns_ = SVIPC_CHANNEL_DEFAULT_SPIN_NS;
    std::string label_;
    // The description, validated at open; never re-read from the segment.
    ChannelText text_;
    uint64_t schema_hash_;
    int64_t created_realtime_ns_;
};

} // namespace svipc
