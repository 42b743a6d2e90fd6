#include "channel/channel.hpp"

#include "channel/asymmetric_fence.hpp"
#include "channel/futex.hpp"
#include "channel/init.hpp"
#include "channel/layout_validator.hpp"
#include "channel/pins.hpp"
#include "channel/writer_lock.hpp"
#include "common/error.hpp"
#include "common/flag_bits.hpp"
#include "common/flags.hpp"
#include "common/clock.hpp"
#include "common/mode.hpp"
#include "common/process_liveness.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <unistd.h>

namespace svipc {

namespace {
using namespace channel_layout;

constexpr uint32_t open_flag_mask = SVIPC_CREATE | SVIPC_EXCLUSIVE | SVIPC_CHANNEL_SHARED_WRITER;
constexpr uint32_t wait_flag_mask = SVIPC_CHANNEL_SPIN | SVIPC_INTERRUPTIBLE;
static_assert(flag_bits::within(open_flag_mask, flag_bits::shared_open | flag_bits::channel) &&
              flag_bits::within(wait_flag_mask, flag_bits::channel | flag_bits::wait));
// How many spin iterations between clock reads (a clock read costs ~20 ns,
// a pause ~10-40 ns: this keeps the clock under a tenth of the spin).
constexpr unsigned spins_per_clock_check = 64;
// A sleeper whose membarrier call failed cannot rule out a lost wake-up
// from a light-fence publisher, so it re-checks at least this often.
constexpr int64_t unfenced_sleep_cap_ns = 1000000;
// A read or peek whose first look fails retries at least this many times
// and then until SVIPC_CHANNEL_RETRY_BUDGET_NS (or the caller's deadline)
// has passed: a publisher that keeps lapping us, or a peer scribbling on the
// slot words, cannot keep the call going longer. The count is what keeps a
// reader on a loaded machine from giving up on a healthy channel: a look
// fails when the reader is descheduled during it, and the budget may have
// passed while it was; 64 looks in a row that each lose the CPU do not happen.
constexpr unsigned min_retry_attempts = 64;
// How long an acquire waits (pause loops) for the slot it pinned while a
// publisher finishes writing it, before pinning the newest value again.
constexpr unsigned pin_settle_spins = 4096;

// now + timeout_ns, saturated: a caller's huge timeout must not overflow.
inline int64_t deadline_after(int64_t now, int64_t timeout_ns)
{
    int64_t deadline;
    return __builtin_add_overflow(now, timeout_ns, &deadline) ? INT64_MAX : deadline;
}

inline void cpu_relax()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)  // armhf is ARMv7-A
    asm volatile("yield" ::: "memory");
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Copy size bytes (width <= size <= 2 * width) as two overlapping copies of
// a constant width, which the compiler turns into plain moves.
template <uint64_t width>
[[gnu::always_inline]] inline bool copy_in_two_moves(unsigned char *to, const unsigned char *from, uint64_t size)
{
    if (size < width)
        return false;
    std::memcpy(to, from, width);
    std::memcpy(to + size - width, from + size - width, width);
    return true;
}

// Copy a value. Channel values are often tiny (a bool, an int64, a small
// struct), where a call to the library memcpy costs as much as the seqlock
// around it: up to 64 bytes are copied inline.
[[gnu::always_inline]] inline void copy_payload(void *to, const void *from, uint64_t size)
{
    auto *d = static_cast<unsigned char *>(to);
    const auto *s = static_cast<const unsigned char *>(from);
    if (size > 64) {
        std::memcpy(d, s, size);
        return;
    }
    if (copy_in_two_moves<32>(d, s, size) || copy_in_two_moves<16>(d, s, size) ||
        copy_in_two_moves<8>(d, s, size) || copy_in_two_moves<4>(d, s, size))
        return;
    for (uint64_t i = 0; i < size; i++)
        d[i] = s[i];
}

} // namespace

std::unique_ptr<Channel> Channel::open(int32_t key, std::string_view name, const std::string &label, uint32_t type,
                                       const char *schema, uint64_t payload_size, uint32_t buffer_num, uint32_t flags,
                                       uint32_t mode)
{
    check_flags(flags, open_flag_mask, "channel open");
    const uint32_t perms = resolve_mode(mode);
    if (buffer_num > SVIPC_CHANNEL_MAX_BUFFERS)
        fail(EINVAL, "buffer_num " + std::to_string(buffer_num) + " is above SVIPC_CHANNEL_MAX_BUFFERS (" +
                         std::to_string(SVIPC_CHANNEL_MAX_BUFFERS) + ")");
    require(payload_size <= channel_layout::max_payload_size, "payload_size is unreasonably large (> 1 TiB)");
    const bool create = (flags & SVIPC_CREATE) || key == 0;
    require(!(flags & SVIPC_EXCLUSIVE) || create, "SVIPC_EXCLUSIVE needs SVIPC_CREATE");
    const bool complete_shape = type != SVIPC_CHANNEL_TYPE_ANY && payload_size != 0;
    if (create && !complete_shape && (flags & SVIPC_EXCLUSIVE || key == 0))
        fail(EINVAL, "creating " + label + " needs a type (not SVIPC_CHANNEL_TYPE_ANY) and a payload size > 0");

    if (name.size() > SVIPC_CHANNEL_NAME_MAX)
        fail(EINVAL, "channel name of " + std::to_string(name.size()) + " bytes is longer than SVIPC_CHANNEL_NAME_MAX (" +
                         std::to_string(SVIPC_CHANNEL_NAME_MAX) + ")");
    if (schema != nullptr) {
        const std::string_view text(schema, strnlen(schema, SVIPC_CHANNEL_SCHEMA_MAX + 1));
        if (const char *problem = schema_text_problem(text))
            fail(EINVAL, "schema for " + label + " refused: " + problem + " (1.." +
                             std::to_string(SVIPC_CHANNEL_SCHEMA_MAX) + " bytes, 0x20..0x7e)");
    }

    ChannelShape wanted{type, payload_size, buffer_num};
    ChannelShape initial{type, payload_size, buffer_num ? buffer_num : SVIPC_CHANNEL_DEFAULT_BUFFERS};
    const ChannelText wanted_text{std::string(name), schema ? std::string(schema) : std::string()};
    const ChannelText initial_text{wanted_text.name,
                                   schema ? wanted_text.schema : default_schema(type, payload_size)};
    const uint64_t size = complete_shape ? channel_layout::segment_size(payload_size, initial.buffer_num) : 0;

    std::unique_ptr<ShmSegment> segment;
    bool created = false;
    if (create && complete_shape) {
        try {
            segment = ShmSegment::open(key, size, SVIPC_CREATE | SVIPC_EXCLUSIVE, perms);
            created = true;
        } catch (const Error &error) {
            if (error.code() != EEXIST)
                throw;
            if (flags & SVIPC_EXCLUSIVE)
                fail(EEXIST, label + " already exists (SVIPC_EXCLUSIVE)");
        }
    }
    if (!segment) {
        try {
            segment = ShmSegment::open(key, 0, 0, 0);
        } catch (const Error &error) {
            if (error.code() != ENOENT)
                throw;
            if (create)
                fail(EINVAL, "cannot create " + label + " without a type (not SVIPC_CHANNEL_TYPE_ANY) and a payload size > 0");
            fail(ENOENT, "no " + label + " (pass SVIPC_CREATE to create it)");
        }
    }

    try {
        if (segment->size() < channel_layout::header_size)
            fail(EPROTO, label + " is not a svipc channel (segment of " + std::to_string(segment->size()) +
                             " bytes, smaller than a channel header)");
        void *base = segment->attach(nullptr, SVIPC_PREFAULT);
        auto &header = *static_cast<Header *>(base);
        // Only the segment's creator uid initialises, so the writer lock it
        // makes has the creator every opener checks for below.
        const uint32_t creator_uid = segment->stat().cuid;
        const bool may_initialise = create && complete_shape && geteuid() == creator_uid;
        initialise_or_wait(header, segment->size(), may_initialise, initial, initial_text, perms, label);
        const VerifiedHeader verified = verify_header(header, segment->size(), wanted, wanted_text, label);
        ChannelWriterLock::verify(verified.bounds.writer_lock_semid, creator_uid, label);
        return std::unique_ptr<Channel>(new Channel(std::move(segment), base, verified, key, label, flags));
    } catch (...) {
        if (created && segment)
            segment->remove();  // do not leak the segment this call made
        throw;
    }
}

Channel::Channel(std::unique_ptr<ShmSegment> segment, void *base, const VerifiedHeader &verified, int32_t key,
                 const std::string &label, uint32_t flags)
    : segment_(std::move(segment)), header_(static_cast<Header *>(base)),
      slots_(static_cast<unsigned char *>(base) + verified.bounds.slots_offset),
      payload_size_(verified.bounds.payload_size), slot_stride_(verified.bounds.slot_stride),
      buffer_num_(verified.bounds.buffer_num), writer_semid_(verified.bounds.writer_lock_semid),
      element_type_(verified.bounds.element_type), layout_version_(verified.bounds.layout_version), key_(key),
      shared_writer_(flags & SVIPC_CHANNEL_SHARED_WRITER), label_(label), text_(verified.text),
      schema_hash_(verified.schema_hash), created_realtime_ns_(verified.created_realtime_ns)
{
}

Channel::~Channel()
{
    if (pin_record_ >= 0 && owner_.is_current())
        channel_pins::free_record(*header_, pin_record_, owner_pid_);
    // A loan still outstanding is dropped: its slot stays odd, as abandon()
    // leaves it, and a shared writer gives back the lock the loan took.
    const bool loan_holds_lock = loan_ != nullptr && shared_writer_;
    if ((holds_writer_lock_ || loan_holds_lock) && owner_.is_current()) {
        try {
            ChannelWriterLock::unlock(writer_semid_);
        } catch (const Error &) {
            // The lock set was removed with the channel: nothing to give back.
        }
    }
}

void Channel::check_owner() const
{
    owner_.check();
}

SlotHeader *Channel::slot(uint64_t sequence) const
{
    // In bounds whatever `sequence` is: the index is below buffer_num_, and
    // buffer_num_ slots of slot_stride_ bytes fit the mapping (validated at open).
    return reinterpret_cast<SlotHeader *>(slots_ + slot_index(sequence, buffer_num_) * slot_stride_);
}

unsigned char *Channel::payload(SlotHeader *slot) const
{
    return reinterpret_cast<unsigned char *>(slot) + sizeof(SlotHeader);
}

void Channel::prepare_to_publish()
{
    if (loan_ != nullptr)
        fail(EINVAL, label_ + ": a loan is outstanding on this handle (commit or abandon it before publishing)");
    if (!fence_registered_) {
        owner_pid_ = getpid();
        light_fence_ = asymmetric_fence::register_light_side();
        // A pinning reader's membarrier that did not yet count us as
        // registered: this fence, after the registration's store, makes
        // our first look at claimed_mask see its claim (doc/channel.md).
        std::atomic_thread_fence(std::memory_order_seq_cst);
        fence_registered_ = true;
    }
    take_writer_lock();
    holds_writer_lock_ = !shared_writer_;
}

void Channel::take_writer_lock()
{
    const int64_t timeout = shared_writer_ ? SVIPC_CHANNEL_LOCK_TIMEOUT_NS : 0;
    if (ChannelWriterLock::lock(writer_semid_, timeout))
        return;
    const pid_t holder = ChannelWriterLock::holder(writer_semid_);
    fail(EBUSY, label_ + " has " + (shared_writer_ ? "a writer" : "an exclusive writer") + " (pid " +
                    std::to_string(holder) + ")" +
                    (shared_writer_ ? " that held the lock for over " +
                                          std::to_string(SVIPC_CHANNEL_LOCK_TIMEOUT_NS / 1000000) + " ms"
                                    : std::string("; open every writer with SVIPC_CHANNEL_SHARED_WRITER to "
                                                  "publish from several processes")));
}

void Channel::fail_publish_args(const void *data, uint64_t size) const
{
    require(data != nullptr, "data is NULL");
    fail(EINVAL, label_ + " holds values of " + std::to_string(payload_size_) + " bytes, not " + std::to_string(size));
}

void Channel::wake_sleepers()
{
    header_->wake_word.fetch_add(1, std::memory_order_seq_cst);
    futex_wake_all(header_->wake_word);
}

uint64_t Channel::publish(const void *data, uint64_t size)
{
    check_owner();
    if (data == nullptr || size != payload_size_)
        fail_publish_args(data, size);
    if (!holds_writer_lock_ || loan_ != nullptr) [[unlikely]]
        prepare_to_publish();

    // The clock is read first: it is most of a publish's cost, and the
    // slot is marked odd for less time if the read is done beforehand.
    const int64_t now = monotonic_now_ns();
    uint64_t sequence;
    SlotHeader *target = begin_write(sequence);
    target->publish_time_ns.store(now, std::memory_order_relaxed);
    copy_payload(payload(target), data, size);
    finish_publish(target, sequence);
    return sequence;
}

SlotHeader *Channel::begin_write(uint64_t &sequence)
{
    // Only the lock holder writes, so `latest` cannot move under us.
    sequence = header_->latest.load(std::memory_order_relaxed) + 1;
    SlotHeader *target = slot(sequence);
    const uint64_t previous = target->version.load(std::memory_order_relaxed);
    // Seqlock write: mark the slot odd, then (release fence) write the data,
    // then publish the even version with release (finish_publish). A reader
    // that saw any of the new data is guaranteed to see the version change.
    target->version.store(writing_version(sequence), std::memory_order_relaxed);
    // Store the odd version, then load the pins, with a StoreLoad fence
    // between, mirrored in acquire(): either we see the pin or the pinning
    // reader sees the odd version (and pins again elsewhere). The fence is
    // full only while a pin record is claimed (doc/channel.md, "Loans and
    // pins"): with none claimed after the light fence, the claimer's
    // membarrier makes our odd version visible to its pins.
    store_load_fence();
    if (channel_pins::any_claimed(*header_)) [[unlikely]] {
        if (light_fence_)
            std::atomic_thread_fence(std::memory_order_seq_cst);
        if (header_->pinned_mask.load(std::memory_order_acquire) != 0)
            target = skip_pinned(sequence, target, previous);
    }
    std::atomic_thread_fence(std::memory_order_release);
    return target;
}

void Channel::store_load_fence() const
{
    if (light_fence_)
        asymmetric_fence::light();
    else
        std::atomic_thread_fence(std::memory_order_seq_cst);
}

SlotHeader *Channel::skip_pinned(uint64_t &sequence, SlotHeader *target, uint64_t previous)
{
    // Value `latest` + k goes to slot (`latest` + k) % buffer_num; the slot of
    // `latest` itself is never a candidate (except with one buffer), so with
    // P pinning readers and buffer_num >= P + 2 one candidate is always free.
    // Sequence numbers whose slot is pinned are skipped: they never exist.
    const uint64_t newest = sequence - 1;
    const uint32_t candidates = buffer_num_ > 1 ? buffer_num_ - 1 : 1;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t k = 1; k <= candidates; k++) {
            const uint64_t next = newest + k;
            SlotHeader *candidate = slot(next);
            if (candidate != target) {
                previous = candidate->version.load(std::memory_order_relaxed);
                candidate->version.store(writing_version(next), std::memory_order_relaxed);
                std::atomic_thread_fence(std::memory_order_seq_cst);  // a pinner exists: the full fence
                target = candidate;
            }
            if (!channel_pins::slot_pinned(*header_, static_cast<uint32_t>(slot_index(next, buffer_num_)))) {
                sequence = next;
                return target;
            }
            // Give the slot back untouched: its payload was not written, so a
            // reader checking the old version still gets the old value.
            target->version.store(previous, std::memory_order_release);
            target = nullptr;
        }
        // Every candidate is pinned: free the pins of dead readers, once.
        if (pass == 0 && channel_pins::reclaim_dead(*header_, owner_pid_) == 0)
            break;
    }
    if (shared_writer_)
        ChannelWriterLock::unlock(writer_semid_);
    fail(ENOBUFS, label_ + ": every slot the next value could go to is pinned by a reader (" +
                      std::to_string(channel_pins::pinned_slot_count(*header_, buffer_num_)) + " of " +
                      std::to_string(buffer_num_) + " slots pinned); release pins, or create the channel with "
                      "buffer_num >= pinning readers + 2");
}

void Channel::finish_publish(SlotHeader *target, uint64_t sequence)
{
    target->version.store(complete_version(sequence), std::memory_order_release);
    // Store `latest`, then load `sleepers`, with a StoreLoad fence between,
    // mirrored in wait(): either we see the sleeper or it sees the new value.
    // The fence is asymmetric when membarrier(2) allows (channel/asymmetric_fence.hpp).
    bool sleepers;
    if (light_fence_) {
        header_->latest.store(sequence, std::memory_order_release);
        asymmetric_fence::light();
        sleepers = header_->sleepers.load(std::memory_order_relaxed) != 0;
    } else {
        header_->latest.store(sequence, std::memory_order_seq_cst);
        sleepers = header_->sleepers.load(std::memory_order_seq_cst) != 0;
    }
    if (sleepers)
        wake_sleepers();

    if (shared_writer_)
        ChannelWriterLock::unlock(writer_semid_);
}

void *Channel::loan()
{
    check_owner();
    if (loan_ != nullptr)
        fail(EINVAL, label_ + ": a loan is already outstanding on this handle (commit or abandon it first)");
    if (buffer_num_ < 2)
        fail(EINVAL, label_ + " has one buffer, which holds the newest value: a loan needs buffer_num >= 2");
    if (!holds_writer_lock_)
        prepare_to_publish();
    loan_time_ = monotonic_now_ns();
    SlotHeader *target = begin_write(loan_sequence_);
    loan_ = target;
    return payload(target);
}

uint64_t Channel::commit()
{
    check_owner();
    if (loan_ == nullptr)
        fail(EINVAL, label_ + ": no loan outstanding on this handle (call svipc_channel_loan first)");
    SlotHeader *target = loan_;
    loan_ = nullptr;
    target->publish_time_ns.store(loan_time_, std::memory_order_relaxed);
    finish_publish(target, loan_sequence_);
    return loan_sequence_;
}

void Channel::abandon()
{
    check_owner();
    if (loan_ == nullptr)
        fail(EINVAL, label_ + ": no loan outstanding on this handle (call svipc_channel_loan first)");
    // The slot stays odd, as after a publisher killed mid-publish: its old
    // value may have been overwritten, and `latest` never named this one.
    // The next publish takes the same sequence number and slot.
    loan_ = nullptr;
    if (shared_writer_)
        ChannelWriterLock::unlock(writer_semid_);
}

int Channel::acquire(int64_t max_age_ns, const void **data, svipc_channel_read_info *info)
{
    check_owner();
    require(data != nullptr, "ret_data is NULL");
    if (pinned_)
        fail(EINVAL, label_ + ": this handle already holds a pinned value (svipc_channel_release it first)");
    uint64_t sequence = header_->latest.load(std::memory_order_acquire);
    if (sequence == 0)
        return -ENODATA;
    if (pin_record_ < 0)
        claim_pin_record();
    const int64_t start = monotonic_now_ns();
    for (unsigned attempt = 1;; attempt++) {
        const auto index = static_cast<uint32_t>(slot_index(sequence, buffer_num_));
        channel_pins::pin(*header_, pin_record_, owner_pid_, index);
        // Pairs with begin_write()'s fence: either the publisher's odd
        // version is visible here, or the publisher sees the pin. The heavy
        // side ran once, at the claim (claim_pin_record); from then on every
        // publisher fences fully or has its odd version visible to us.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        // Any complete value in the pinned slot at least as new as `sequence`
        // is stable from here on: a publisher that did not see the pin
        // stored its odd version before our load (so we see it odd), and
        // every later write of the slot sees the pin. A slot being written
        // now becomes complete once and then stays: wait for it briefly.
        SlotHeader *source = slot(sequence);
        uint64_t version = source->version.load(std::memory_order_acquire);
        for (unsigned spin = 0; (version & 1) != 0 && spin < pin_settle_spins; spin++) {
            cpu_relax();
            version = source->version.load(std::memory_order_acquire);
        }
        const uint64_t held = version / 2;
        if ((version & 1) == 0 && held >= sequence && slot_index(held, buffer_num_) == index) {
            const int64_t published = source->publish_time_ns.load(std::memory_order_relaxed);
            pinned_ = true;
            *data = payload(source);
            return finish_read(held, published, max_age_ns, info);
        }
        // Lapped between reading `latest` and pinning: pin the newest again.
        sequence = header_->latest.load(std::memory_order_acquire);
        if (sequence == 0 || (attempt >= min_retry_attempts && monotonic_now_ns() - start >= SVIPC_CHANNEL_RETRY_BUDGET_NS)) {
            channel_pins::unpin(*header_, pin_record_, owner_pid_);
            if (sequence == 0)
                return -ENODATA;
            fail(EAGAIN, label_ + ": the publisher kept overwriting the newest value while it was being pinned for " +
                             std::to_string(SVIPC_CHANNEL_RETRY_BUDGET_NS / 1000000) + " ms");
        }
        cpu_relax();
    }
}

void Channel::claim_pin_record()
{
    owner_pid_ = getpid();
    const uint64_t started = process_start_time(owner_pid_);
    pin_record_ = channel_pins::claim_record(*header_, owner_pid_, started);
    if (pin_record_ < 0 && channel_pins::reclaim_dead(*header_, owner_pid_) > 0)
        pin_record_ = channel_pins::claim_record(*header_, owner_pid_, started);
    if (pin_record_ < 0)
        fail(EUSERS, label_ + ": all " + std::to_string(max_pins) +
                         " pin records are held by live handles (close handles that no longer pin)");
    // The heavy side of the publishers' fence, once per claim: a publish
    // whose load of claimed_mask came before the barrier this runs on its
    // CPU has its odd version visible to all our later loads; one whose
    // load comes after sees our bit and fences fully.
    // Without membarrier, heavy() is a seq_cst fence, enough against
    // publishers that could not register either (doc/channel.md).
    asymmetric_fence::heavy();
}

void Channel::release()
{
    check_owner();
    if (!pinned_)
        fail(EINVAL, label_ + ": this handle holds no pinned value (svipc_channel_acquire first)");
    channel_pins::unpin(*header_, pin_record_, owner_pid_);
    pinned_ = false;
}

bool Channel::copy_value(uint64_t sequence, void *buffer, int64_t *publish_time_ns) const
{
    SlotHeader *source = slot(sequence);
    const uint64_t before = source->version.load(std::memory_order_acquire);
    if (before != complete_version(sequence))
        return false;  // being rewritten, or already holds a later value
    *publish_time_ns = source->publish_time_ns.load(std::memory_order_relaxed);
    copy_payload(buffer, payload(source), payload_size_);
    // Acquire fence: the data loads above cannot move below the re-check.
    std::atomic_thread_fence(std::memory_order_acquire);
    return source->version.load(std::memory_order_relaxed) == before;
}

void Channel::check_read_buffer(const void *buffer, uint64_t capacity) const
{
    if (buffer == nullptr || capacity < payload_size_)
        fail_read_buffer(buffer, capacity);
}

void Channel::fail_read_buffer(const void *buffer, uint64_t capacity) const
{
    require(buffer != nullptr, "buffer is NULL");
    fail(EINVAL, "buffer of " + std::to_string(capacity) + " bytes cannot hold a value of " +
                     std::to_string(payload_size_) + " bytes from " + label_);
}

int Channel::read_newest(void *buffer, int64_t max_age_ns, svipc_channel_read_info *info, RetryLimit limit)
{
    uint64_t sequence = header_->latest.load(std::memory_order_acquire);
    if (sequence == 0)
        return -ENODATA;
    int64_t published = 0;
    if (!copy_value(sequence, buffer, &published)) [[unlikely]] {
        // The lambda captures by value: no local of this fast path escapes.
        const Found found = retry_look(sequence, limit, [this, buffer](uint64_t s, int64_t &time) {
            return copy_value(s, buffer, &time);
        });
        if (found.sequence == 0)
            return -ENODATA;
        sequence = found.sequence;
        published = found.published;
    }
    return finish_read(sequence, published, max_age_ns, info);
}

int Channel::read(void *buffer, uint64_t capacity, int64_t max_age_ns, svipc_channel_read_info *info)
{
    check_owner();
    check_read_buffer(buffer, capacity);
    return read_newest(buffer, max_age_ns, info, RetryLimit{});
}

void Channel::bind_read(void *buffer, uint64_t capacity, int64_t max_age_ns, svipc_channel_read_info *info)
{
    check_owner();
    check_read_buffer(buffer, capacity);
    bound_ = BoundRead{buffer, capacity, max_age_ns, info};
}

int Channel::read_bound()
{
    if (bound_.buffer == nullptr) {
        check_owner();
        fail(EINVAL, label_ + ": nothing bound (call svipc_channel_bind_read first)");
    }
    return read(bound_.buffer, bound_.capacity, bound_.max_age_ns, bound_.info);
}

void Channel::bind_publish(const void *data, uint64_t size)
{
    check_owner();
    if (data == nullptr || size != payload_size_)
        fail_publish_args(data, size);
    bound_publish_ = BoundPublish{data, size};
}

void Channel::publish_bound()
{
    if (bound_publish_.data == nullptr) {
        check_owner();
        fail(EINVAL, label_ + ": nothing bound (call svipc_channel_bind_publish first)");
    }
    publish(bound_publish_.data, bound_publish_.size);
}

bool Channel::holds_value(SlotHeader *source, uint64_t sequence, int64_t *publish_time_ns) const
{
    // Acquire: every load the caller makes from the payload after we
    // return comes after this one, so it sees value `sequence` or a later
    // write, and a later write is caught by peek_valid().
    const uint64_t version = source->version.load(std::memory_order_acquire);
    if (version != complete_version(sequence))
        return false;
    *publish_time_ns = source->publish_time_ns.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return source->version.load(std::memory_order_relaxed) == version;
}

template <typename Look>
Channel::Found Channel::retry_look(uint64_t sequence, RetryLimit limit, Look look) const
{
    // The publisher lapped us (buffer_num - 1 publishes during one look),
    // is writing the only slot, or a peer scribbles on the slot words: look
    // again at the newest value, within a bounded time.
    const int64_t start = monotonic_now_ns();
    int64_t give_up = start + SVIPC_CHANNEL_RETRY_BUDGET_NS;
    bool caller_deadline = false;
    if (limit.timeout_ns >= 0) {
        const int64_t deadline = limit.deadline_ns >= 0 ? limit.deadline_ns : deadline_after(start, limit.timeout_ns);
        caller_deadline = deadline <= give_up;
        give_up = std::min(give_up, deadline);
    }
    bool moved = false;
    for (unsigned attempt = 1;; attempt++) {
        cpu_relax();
        const uint64_t newer = header_->latest.load(std::memory_order_acquire);
        if (newer == 0)
            return Found{0, 0};  // only a peer writing the header can do this: "nothing published"
        moved |= newer != sequence;
        sequence = newer;
        int64_t published = 0;
        if (look(sequence, published))
            return Found{sequence, published};
        if (attempt >= min_retry_attempts && monotonic_now_ns() >= give_up)
            break;
    }
    if (caller_deadline) {
        if (limit.timeout_ns == 0)
            fail(EAGAIN, label_ + ": the publisher was overwriting the newest value (timeout 0)");
        fail(ETIMEDOUT, label_ + ": the publisher kept overwriting the newest value until the timeout");
    }
    const uint64_t version = slot(sequence)->version.load(std::memory_order_relaxed);
    if (moved || (version & 1) != 0)
        fail(EAGAIN, label_ + ": the publisher kept overwriting the newest value for " +
                         std::to_string(SVIPC_CHANNEL_RETRY_BUDGET_NS / 1000000) +
                         " ms (retry; more buffers make this rarer)");
    fail(EPROTO, label_ + ": slot of value " + std::to_string(sequence) + " holds version " + std::to_string(version) +
                     " and never becomes consistent (corrupt segment)");
}

int Channel::finish_read(uint64_t sequence, int64_t published, int64_t max_age_ns, svipc_channel_read_info *info)
{
    int result = 0;
    int64_t age = 0;
    if (max_age_ns >= 0) {
        // The publish time is the segment's word: any value, so the
        // difference may overflow (then the value is as stale as can be).
        if (__builtin_sub_overflow(monotonic_now_ns(), published, &age)) [[unlikely]]
            age = INT64_MAX;  // only a negative publish time overflows
        if (age > max_age_ns)
            result = SVIPC_CHANNEL_STALE;
    }
    if (info) {
        info->sequence = sequence;
        info->publish_time_ns = published;
        info->missed = sequence > last_read_ + 1 ? sequence - last_read_ - 1 : 0;
        info->age_ns = age;
    }
    if (sequence > last_read_)
        last_read_ = sequence;
    return result;
}

int Channel::peek(int64_t max_age_ns, const void **data, svipc_channel_read_info *info)
{
    check_owner();
    require(data != nullptr, "ret_data is NULL");
    require(info != nullptr, "ret_info is NULL (its sequence is what svipc_channel_peek_valid checks)");
    uint64_t sequence = header_->latest.load(std::memory_order_acquire);
    if (sequence == 0)
        return -ENODATA;
    int64_t published = 0;
    SlotHeader *source = slot(sequence);
    if (!holds_value(source, sequence, &published)) [[unlikely]] {
        const Found found = retry_look(sequence, RetryLimit{}, [this](uint64_t s, int64_t &time) {
            return holds_value(slot(s), s, &time);
        });
        if (found.sequence == 0)
            return -ENODATA;
        sequence = found.sequence;
        published = found.published;
        source = slot(sequence);
    }
    *data = payload(source);
    return finish_read(sequence, published, max_age_ns, info);
}

bool Channel::peek_valid(uint64_t sequence) const
{
    check_owner();
    require(sequence != 0, "sequence 0 names no value (pass the sequence svipc_channel_peek returned)");
    // The seqlock re-check of copy_value(), with the caller's use of the
    // payload in place of the memcpy: the acquire fence keeps every payload
    // load the caller made before this call from moving below the version
    // load, so if any of them saw a later publish's bytes, this load sees
    // that publish's odd (or a later even) version.
    std::atomic_thread_fence(std::memory_order_acquire);
    return slot(sequence)->version.load(std::memory_order_relaxed) == complete_version(sequence);
}

int Channel::wait(uint64_t after_sequence, int64_t timeout_ns, uint32_t flags)
{
    int64_t deadline = -1;
    return wait_for_newer(after_sequence, timeout_ns, flags, deadline);
}

int Channel::wait_for_newer(uint64_t after_sequence, int64_t timeout_ns, uint32_t flags, int64_t &deadline_out)
{
    check_owner();
    check_flags(flags, wait_flag_mask, "channel wait");
    require(timeout_ns >= SVIPC_WAIT_FOREVER, "timeout_ns is negative (use SVIPC_WAIT_FOREVER, -1, to block)");
    auto newer = [&] { return header_->latest.load(std::memory_order_acquire) > after_sequence; };
    if (newer())
        return 0;
    if (timeout_ns == 0)
        return -EAGAIN;

    const int64_t start = monotonic_now_ns();
    const int64_t deadline = timeout_ns < 0 ? -1 : deadline_after(start, timeout_ns);
    deadline_out = deadline;
    const bool spin_only = flags & SVIPC_CHANNEL_SPIN;
    const int64_t spin_end = deadline_after(start, spin_ns_);

    // Spin: a value published in the next few microseconds is seen within
    // nanoseconds, with no system call on either side.
    for (unsigned i = 1;; i++) {
        if (newer())
            return 0;
        cpu_relax();
        if (i % spins_per_clock_check == 0) {
            const int64_t now = monotonic_now_ns();
            if (deadline >= 0 && now >= deadline)
                return -ETIMEDOUT;
            if (!spin_only && now >= spin_end)
                break;
        }
    }

    // Sleep. Register as a sleeper first, then the heavy side of the fence,
    // then re-check `latest`: with publish()'s store-latest-then-load-sleepers
    // (and its fence), at least one side sees the other, so no wake-up is
    // lost. The futex word is read before the re-check, so a publish in
    // between makes FUTEX_WAIT return at once instead of sleeping.
    for (;;) {
        header_->sleepers.fetch_add(1, std::memory_order_seq_cst);
        const bool fenced = asymmetric_fence::heavy();
        const uint32_t word = header_->wake_word.load(std::memory_order_seq_cst);
        FutexWaitResult result = FutexWaitResult::value_changed;
        if (header_->latest.load(std::memory_order_seq_cst) <= after_sequence) {
            int64_t sleep_until = deadline;
            if (!fenced) {
                const int64_t cap = monotonic_now_ns() + unfenced_sleep_cap_ns;
                sleep_until = deadline < 0 ? cap : std::min(deadline, cap);
            }
            result = futex_wait_until(header_->wake_word, word, sleep_until);
            if (result == FutexWaitResult::timed_out && sleep_until != deadline)
                result = FutexWaitResult::value_changed;  // only the cap ran out: look again
        }
        header_->sleepers.fetch_sub(1, std::memory_order_seq_cst);
        if (newer())
            return 0;
        if (result == FutexWaitResult::timed_out || (deadline >= 0 && monotonic_now_ns() >= deadline))
            return -ETIMEDOUT;
        if (result == FutexWaitResult::interrupted && (flags & SVIPC_INTERRUPTIBLE))
            return -EINTR;
    }
}

int Channel::wait_read(void *buffer, uint64_t capacity, int64_t timeout_ns, uint32_t flags,
                       svipc_channel_read_info *info)
{
    check_read_buffer(buffer, capacity);
    // The read is bounded by the same deadline as the wait (when the wait
    // returned at once without reading the clock, the deadline is counted
    // from the start of the read's retries, should it need any).
    RetryLimit limit{timeout_ns, -1};
    const int waited = wait_for_newer(last_read_, timeout_ns, flags, limit.deadline_ns);
    if (waited < 0)
        return waited;
    return read_newest(buffer, SVIPC_CHANNEL_ANY_AGE, info, limit);
}

uint32_t Channel::read_history(uint64_t after_sequence, void *buffer, uint64_t capacity,
                               svipc_channel_read_info *infos, uint32_t max_count, uint64_t *missed)
{
    check_owner();
    check_read_buffer(buffer, capacity);
    require(infos != nullptr, "infos is NULL");
    require(max_count > 0, "max_count is 0");
    const uint64_t newest = header_->latest.load(std::memory_order_acquire);
    if (newest <= after_sequence) {
        if (missed)
            *missed = 0;
        return 0;
    }
    // How many values we may return comes from the caller's buffers first
    // (and the ring: older values are gone); `newest`, which a peer may have
    // set to anything, only picks which sequences those are.
    const uint64_t room = std::min<uint64_t>({max_count, capacity / payload_size_, buffer_num_});
    const uint64_t newer_count = newest - after_sequence;
    const uint64_t count = std::min(room, newer_count);
    const uint64_t first = newest - count + 1;  // keep the newest that fit; count <= newest

    uint32_t copied = 0;
    auto *out = static_cast<unsigned char *>(buffer);
    for (uint64_t i = 0; i < count; i++) {
        const uint64_t sequence = first + i;
        int64_t published = 0;
        if (!copy_value(sequence, out + copied * payload_size_, &published))
            continue;  // overwritten while we looked: dropped, counted as missed
        infos[copied] = svipc_channel_read_info{sequence, published, 0, 0};
        copied++;
    }
    if (missed)
        *missed = newer_count - copied;
    return copied;
}

void Channel::set_spin(int64_t spin_ns)
{
    require(spin_ns >= 0, "spin_ns is negative");
    spin_ns_ = spin_ns;
}

svipc_channel_info Channel::stat() const
{
    check_owner();
    svipc_channel_info info{};
    info.key = key_;
    info.shm_id = segment_->id();
    info.sem_id = writer_semid_;
    info.type = element_type_;
    info.payload_size = payload_size_;
    info.buffer_num = buffer_num_;
    info.layout_version = layout_version_;
    const uint64_t newest = header_->latest.load(std::memory_order_acquire);
    info.pinned_slots = channel_pins::pinned_slot_count(*header_, buffer_num_);
    info.latest_sequence = newest;
    if (newest != 0)
        info.latest_publish_time_ns = slot(newest)->publish_time_ns.load(std::memory_order_relaxed);
    info.sleepers = header_->sleepers.load(std::memory_order_relaxed);
    info.writer_pid = ChannelWriterLock::holder(writer_semid_);
    info.segment_size = segment_->size();
    info.attached = static_cast<uint32_t>(segment_->stat().nattch);
    info.created_time_ns = created_realtime_ns_;
    info.schema_hash = schema_hash_;
    return info;
}

void Channel::remove()
{
    check_owner();
    segment_->remove();
    ChannelWriterLock::remove(writer_semid_);
}

void Channel::remove_key(int32_t key, std::string_view name, const std::string &label)
{
    std::unique_ptr<ShmSegment> segment;
    try {
        segment = ShmSegment::open(key, 0, 0, 0);
    } catch (const Error &error) {
        if (error.code() == ENOENT)
            fail(ENOENT, "no " + label);
        throw;
    }
    if (segment->size() < channel_layout::header_size)
        fail(EPROTO, label + " is not a svipc channel (segment of " + std::to_string(segment->size()) +
                         " bytes); left alone");
    const auto &header = *static_cast<const Header *>(segment->attach(nullptr, SVIPC_RDONLY));
    const Identity identity = snapshot_identity(header);
    if (identity.init_state != init_ready || identity.magic != magic)
        fail(EPROTO, label + " is not an initialised svipc channel; left alone");
    // Another name with the same key is another channel: never removed by
    // this name. (Older layouts and corrupt headers have no trusted name.)
    if (!name.empty() && validate_channel_layout(identity, segment->size()).problem == nullptr) {
        const Description description = snapshot_description(header);
        if (validate_channel_description(description) == nullptr && description.name_length != 0 &&
            name != std::string_view(description.name, description.name_length))
            fail(EEXIST, label + " is taken by channel '" + std::string(description.name, description.name_length) +
                             "' (the two names hash to the same key); left alone");
    }
    // The semid comes from the segment: remove it only if it is a channel
    // writer lock of this segment's creator; a set already gone is fine.
    const int32_t semid = identity.writer_lock_semid;
    bool lock_exists = true;
    try {
        ChannelWriterLock::verify(semid, segment->stat().cuid, label);
    } catch (const Error &error) {
        if (error.code() != EIDRM)
            fail(error.code(), std::string(error.what()) + "; left alone");
        lock_exists = false;
    }
    segment->remove();
    if (lock_exists)
        ChannelWriterLock::remove(semid);
}

} // namespace svipc
