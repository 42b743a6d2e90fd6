#include "admin/channel_probe.hpp"

#include "channel/pins.hpp"

#include "channel/layout.hpp"
#include "channel/layout_validator.hpp"
#include "channel/writer_lock.hpp"
#include "common/error.hpp"

#include <cerrno>
#include <string>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

namespace svipc::admin {

namespace layout = svipc::channel_layout;

namespace {

// A read-only attachment that is always detached.
class ReadOnlyAttachment {
public:
    explicit ReadOnlyAttachment(int32_t shmid) : addr_(shmat(shmid, nullptr, SHM_RDONLY))
    {
        if (addr_ != reinterpret_cast<void *>(-1))
            return;
        const int saved = errno;
        if (saved == EACCES)
            fail(EACCES, "no read permission on segment " + std::to_string(shmid));
        if (saved == EINVAL || saved == EIDRM)
            fail(EIDRM, "segment " + std::to_string(shmid) + " was removed");
        fail_errno(saved, "shmat(segment " + std::to_string(shmid) + ", SHM_RDONLY) failed");
    }
    ~ReadOnlyAttachment() { shmdt(addr_); }
    ReadOnlyAttachment(const ReadOnlyAttachment &) = delete;
    ReadOnlyAttachment &operator=(const ReadOnlyAttachment &) = delete;

    const layout::Header &header() const { return *static_cast<const layout::Header *>(addr_); }

private:
    void *addr_;
};

// The pid holding the writer lock (value 1 means held; the holder's semop
// was the last one), 0 if free or unreadable: a diagnostic, never fatal.
int32_t writer_lock_holder(int32_t semid)
{
    if (semid < 0 || semctl(semid, 0, GETVAL) != 1)
        return 0;
    const int pid = semctl(semid, 0, GETPID);
    return pid < 0 ? 0 : pid;
}

} // namespace

std::optional<svipc_channel_info> probe_channel(int32_t shmid, std::optional<ChannelText> *text)
{
    require(shmid >= 0, "shmid is negative");
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) != 0) {
        const int saved = errno;
        if (saved == EINVAL || saved == EIDRM)
            fail(EINVAL, "no segment with id " + std::to_string(shmid));
        if (saved == EACCES)
            fail(EACCES, "no read permission on segment " + std::to_string(shmid));
        fail_errno(saved, "IPC_STAT of segment " + std::to_string(shmid) + " failed");
    }
    if (ds.shm_segsz < layout::header_size)
        return std::nullopt;

    ReadOnlyAttachment attachment(shmid);
    // One copy of the identity, validated like an opener validates it: the
    // listing reads segments any peer may have scribbled on.
    const layout::Identity identity = layout::snapshot_identity(attachment.header());
    if (identity.init_state != layout::init_ready || identity.magic != layout::magic)
        return std::nullopt;

    svipc_channel_info info{};
    info.key = ds.shm_perm.__key;
    info.shm_id = shmid;
    info.sem_id = -1;
    info.layout_version = identity.layout_version;
    info.segment_size = ds.shm_segsz;
    info.attached = static_cast<uint32_t>(ds.shm_nattch);
    const layout::LayoutVerdict verdict = layout::validate_channel_layout(identity, ds.shm_segsz);
    if (verdict.problem)
        return info; // a channel, but of another layout version or with a corrupt header: no more is trusted
    const layout::Description description = layout::snapshot_description(attachment.header());
    if (layout::validate_channel_description(description) != nullptr)
        return info; // a corrupt description: as a corrupt header
    const layout::ChannelBounds &bounds = verdict.bounds;
    info.created_time_ns = identity.created_realtime_ns;
    info.schema_hash = description.schema_hash;
    if (text != nullptr)
        *text = ChannelText{std::string(description.name, description.name_length),
                            std::string(description.schema, description.schema_length)};
    info.type = bounds.element_type;
    info.payload_size = bounds.payload_size;
    info.buffer_num = bounds.buffer_num;
    const layout::Header &header = attachment.header();
    info.sleepers = header.sleepers.load(std::memory_order_relaxed);
    info.pinned_slots = channel_pins::pinned_slot_count(header, bounds.buffer_num);
    const uint64_t latest = header.latest.load(std::memory_order_acquire);
    info.latest_sequence = latest;
    if (latest != 0) {
        const auto *slot = reinterpret_cast<const layout::SlotHeader *>(
            reinterpret_cast<const char *>(&header) + bounds.slots_offset +
            bounds.slot_stride * layout::slot_index(latest, bounds.buffer_num));
        info.latest_publish_time_ns = slot->publish_time_ns.load(std::memory_order_relaxed);
    }
    // The semid is the header's word: report it (and ask it who holds it)
    // only if it names a channel writer lock of the segment's creator.
    if (ChannelWriterLock::looks_like_lock(bounds.writer_lock_semid, ds.shm_perm.cuid)) {
        info.sem_id = bounds.writer_lock_semid;
        info.writer_pid = writer_lock_holder(info.sem_id);
    }
    return info;
}

} // namespace svipc::admin
