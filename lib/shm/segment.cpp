#include "shm/segment.hpp"

#include "shm/buffer_remap.hpp"
#include "common/error.hpp"
#include "common/flag_bits.hpp"
#include "common/flags.hpp"
#include "common/get_error.hpp"
#include "common/key.hpp"
#include "common/kernel_info.hpp"
#include "common/mode.hpp"
#include "common/page.hpp"
#include "shm/prefault.hpp"
#include "common/sysctl.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/ipc.h>
#include <sys/shm.h>

namespace svipc {

namespace {

constexpr uint32_t open_flag_mask = SVIPC_CREATE | SVIPC_EXCLUSIVE | SVIPC_HUGETLB | SVIPC_NORESERVE | SVIPC_AUTO_REMOVE;
constexpr uint32_t attach_flag_mask = SVIPC_RDONLY | SVIPC_RND | SVIPC_REMAP | SVIPC_PREFAULT;
constexpr uint32_t attach_into_flag_mask = SVIPC_RDONLY | SVIPC_KEEP_BUFFER | SVIPC_PREFAULT;
static_assert(flag_bits::within(open_flag_mask, flag_bits::shared_open | flag_bits::shm) &&
              flag_bits::within(attach_flag_mask | attach_into_flag_mask, flag_bits::shm));


std::string hex_address(const void *addr)
{
    char text[32];
    std::snprintf(text, sizeof text, "%p", addr);
    return text;
}



// IPC_STAT; `gone_code` is what a vanished id means to the caller: -EIDRM for
// a handle that once worked, -EINVAL for an id the caller typed.
struct shmid_ds stat_or_fail(int32_t shmid, int gone_code)
{
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == 0)
        return ds;
    int saved = errno;
    if (saved == EINVAL || saved == EIDRM)
        fail(gone_code, "no segment with id " + std::to_string(shmid) +
                            (gone_code == EIDRM ? " (it was removed)" : ""));
    if (saved == EACCES)
        fail(EACCES, "no read permission on segment " + std::to_string(shmid));
    fail_errno(saved, "IPC_STAT of segment " + std::to_string(shmid) + " failed");
}

// For shmget's ENOSPC: which limit a new segment of `size` bytes ran into,
// kernel.shmmni (segments) or kernel.shmall (pages in all segments), told
// apart by the kernel's usage counts (SHM_INFO).
std::string shm_space_limit_text(uint64_t size)
{
    const uint64_t shmmni = read_sysctl_u64("/proc/sys/kernel/shmmni", 0);
    const uint64_t shmall = read_sysctl_u64("/proc/sys/kernel/shmall", 0);
    struct shm_info usage {};
    const uint64_t pages = (size + page_size() - 1) / page_size();
    if (shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&usage)) >= 0 &&
        static_cast<uint64_t>(usage.used_ids) < shmmni)
        return std::to_string(usage.shm_tot) + " pages are in use and " + std::to_string(pages) +
               " more would pass the total, " + sysctl_limit_text("shmall", shmall, usage.shm_tot + pages) +
               " (pages of " + std::to_string(page_size()) + " bytes)";
    return "the segments in use have reached " + sysctl_limit_text("shmmni", shmmni);
}

[[noreturn]] void fail_shmget(int saved, int32_t key, uint64_t size, uint32_t flags, bool create)
{
    fail_if_key_lookup_error(saved, key, "segment");
    const std::string name = "segment with key " + key_text(key);
    switch (saved) {
    case ENOSPC:
        fail(ENOSPC, "system limit reached creating a segment of " + std::to_string(size) + " bytes: " +
                         shm_space_limit_text(size));
    case ENOMEM:
        fail(ENOMEM, (flags & SVIPC_HUGETLB)
                         ? std::string("no huge pages available (is vm.nr_hugepages large enough?)")
                         : "no memory for a segment of " + std::to_string(size) + " bytes");
    case EPERM:
        fail(EPERM, "SVIPC_HUGETLB needs CAP_IPC_LOCK or membership of vm.hugetlb_shm_group");
    case EINVAL: {
        const uint64_t shmmax = read_sysctl_u64("/proc/sys/kernel/shmmax", UINT64_MAX);
        if (size > shmmax)
            fail(EINVAL, "size " + std::to_string(size) + " exceeds " + sysctl_limit_text("shmmax", shmmax, size));
        if (key != IPC_PRIVATE) {
            int existing = shmget(key, 0, 0);
            struct shmid_ds ds;
            if (existing >= 0 && shmctl(existing, IPC_STAT, &ds) == 0 && ds.shm_segsz < size)
                fail(EINVAL, name + " has " + std::to_string(ds.shm_segsz) + " bytes, fewer than the " +
                                 std::to_string(size) + " requested");
        }
        fail(EINVAL, std::string(create ? "cannot create " : "cannot open ") + name + " of " +
                         std::to_string(size) + " bytes");
    }
    default:
        fail_errno(saved, "shmget(" + key_text(key) + ") failed");
    }
}

} // namespace

std::unique_ptr<ShmSegment> ShmSegment::open(int32_t key, uint64_t size, uint32_t flags, uint32_t mode)
{
    check_flags(flags, open_flag_mask, "open");
    const uint32_t perms = resolve_mode(mode);
    const bool create = (flags & SVIPC_CREATE) || key == IPC_PRIVATE;
    require(!(flags & SVIPC_EXCLUSIVE) || create, "SVIPC_EXCLUSIVE needs SVIPC_CREATE");
    require(!create || size > 0, "size 0 on create: a segment needs at least 1 byte");
    require(size <= SIZE_MAX, "size does not fit in size_t");

    const int extra = ((flags & SVIPC_HUGETLB) ? SHM_HUGETLB : 0) | ((flags & SVIPC_NORESERVE) ? SHM_NORESERVE : 0);
    bool created = false;
    int shmid;
    if (create) {
        // Try an exclusive create first so we know whether *we* created it
        // (SVIPC_AUTO_REMOVE depends on that), then fall back to opening.
        shmid = shmget(key, size, IPC_CREAT | IPC_EXCL | static_cast<int>(perms) | extra);
        created = shmid >= 0;
        if (shmid < 0 && errno == EEXIST && !(flags & SVIPC_EXCLUSIVE))
            shmid = shmget(key, size, 0);
    } else {
        shmid = shmget(key, size, 0);
    }
    if (shmid < 0)
        fail_shmget(errno, key, size, flags, create);

    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) != 0) {
        int saved = errno;
        if (created)
            shmctl(shmid, IPC_RMID, nullptr); // do not leak what we just made
        fail(saved == EACCES ? EACCES : saved,
             "cannot stat segment with key " + key_text(key) + ": " + describe_errno(saved));
    }
    try {
        return std::unique_ptr<ShmSegment>(new ShmSegment(shmid, ds.shm_segsz, created, flags));
    } catch (...) {
        if (created)
            shmctl(shmid, IPC_RMID, nullptr);
        throw;
    }
}

std::unique_ptr<ShmSegment> ShmSegment::open_id(int32_t shmid)
{
    require(shmid >= 0, "shmid is negative");
    struct shmid_ds ds = stat_or_fail(shmid, EINVAL);
    return std::unique_ptr<ShmSegment>(new ShmSegment(shmid, ds.shm_segsz, false, 0));
}

ShmSegment::ShmSegment(int32_t id, uint64_t size, bool created, uint32_t open_flags)
    : id_(id), size_(size), created_(created), open_flags_(open_flags)
{
}

ShmSegment::~ShmSegment()
{
    // A forked child shares nothing of ours to undo: its inherited mappings
    // belong to it and go away when it exits.
    if (!owner_.is_current())
        return;
    for (const Attachment &attachment : attachments_) {
        try {
            release(attachment);
        } catch (const Error &) {
            // Restoring a buffer can only fail for lack of memory; fall back
            // to a plain detach so no mapping of the segment is left behind.
            shmdt(attachment.addr);
        }
    }
}

void ShmSegment::fail_attach(int saved, void *addr, bool read_only) const
{
    const std::string what = "segment " + std::to_string(id_);
    if (saved == EINVAL || saved == EIDRM) {
        struct shmid_ds ds;
        if (shmctl(id_, IPC_STAT, &ds) != 0 && (errno == EINVAL || errno == EIDRM))
            fail(EIDRM, what + " was removed");
        fail(EINVAL, "cannot attach " + what + " at " + hex_address(addr) +
                         ": address is misaligned or overlaps a mapping (SVIPC_REMAP replaces one)");
    }
    if (saved == EACCES)
        fail(EACCES, std::string("permission denied attaching ") + what + (read_only ? " read-only" : " read-write"));
    if (saved == ENOMEM)
        fail(ENOMEM, "no address space to attach " + what);
    fail_errno(saved, "shmat(" + what + ") failed");
}

void *ShmSegment::map(void *addr, int shmflg, bool read_only, uint32_t flags)
{
    attachments_.reserve(attachments_.size() + 1); // so recording cannot throw after shmat
    void *mapped = shmat(id_, addr, shmflg);
    if (mapped == reinterpret_cast<void *>(-1))
        fail_attach(errno, addr, read_only);
    if (flags & SVIPC_PREFAULT) {
        try {
            prefault(mapped, round_up(size_, page_size()), read_only);
        } catch (...) {
            shmdt(mapped);
            throw;
        }
    }
    return mapped;
}

void ShmSegment::record(void *addr, bool into_buffer)
{
    attachments_.push_back(Attachment{addr, round_up(size_, page_size()), into_buffer});
    auto_remove_after_first_attach();
}

void ShmSegment::auto_remove_after_first_attach()
{
    if (!(open_flags_ & SVIPC_AUTO_REMOVE) || !created_ || auto_removed_)
        return;
    // The creator is attached now, so IPC_RMID only hides the key: the segment
    // lives until the last detach, and a crash can no longer leak it.
    shmctl(id_, IPC_RMID, nullptr);
    auto_removed_ = true;
}

void *ShmSegment::attach(void *addr, uint32_t flags)
{
    owner_.check();
    check_flags(flags, attach_flag_mask, "attach");
    require(!(flags & SVIPC_REMAP) || addr != nullptr, "SVIPC_REMAP needs an address to replace");
    if (addr && !(flags & SVIPC_RND) && reinterpret_cast<uintptr_t>(addr) % attach_alignment() != 0)
        fail(EINVAL, "address " + hex_address(addr) + " is not SHMLBA-aligned (" + std::to_string(attach_alignment()) +
                         " bytes); pass SVIPC_RND to round it down");
    const bool read_only = flags & SVIPC_RDONLY;
    const int shmflg = (read_only ? SHM_RDONLY : 0) | ((flags & SVIPC_RND) ? SHM_RND : 0) |
                       ((flags & SVIPC_REMAP) ? SHM_REMAP : 0);
    std::lock_guard<std::mutex> lock(mutex_);
    void *mapped = map(addr, shmflg, read_only, flags);
    record(mapped, false);
    return mapped;
}

void *ShmSegment::attach_into(void *buffer, uint64_t length, uint32_t flags)
{
    owner_.check();
    check_flags(flags, attach_into_flag_mask, "attach_into");
    require(buffer != nullptr, "buffer is NULL");
    require(length > 0, "buffer length is 0");
    const uint64_t mapped_length = round_up(size_, page_size());
    void *start = placement_in_buffer(buffer, length, size_, mapped_length);
    const bool read_only = flags & SVIPC_RDONLY;

    std::lock_guard<std::mutex> lock(mutex_);
    if (flags & SVIPC_KEEP_BUFFER) {
        // Fill the segment from the buffer through a temporary attachment, so
        // the remap below shows the caller's data instead of the segment's.
        void *staging = shmat(id_, nullptr, 0);
        if (staging == reinterpret_cast<void *>(-1))
            fail_attach(errno, nullptr, false);
        std::memcpy(staging, start, size_);
        shmdt(staging);
    }
    void *mapped = map(start, SHM_REMAP | (read_only ? SHM_RDONLY : 0), read_only, flags);
    record(mapped, true);
    return mapped;
}

void ShmSegment::release(const Attachment &attachment)
{
    if (attachment.into_buffer) {
        replace_with_private_copy(attachment.addr, attachment.length);
    } else if (shmdt(attachment.addr) != 0) {
        fail_errno(errno, "shmdt(" + hex_address(attachment.addr) + ") failed");
    }
}

void ShmSegment::detach(void *addr)
{
    owner_.check();
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = std::find_if(attachments_.begin(), attachments_.end(),
                              [addr](const Attachment &a) { return a.addr == addr; });
    if (found == attachments_.end())
        fail(EINVAL, "address " + hex_address(addr) + " is not attached through this handle (already detached?)");
    release(*found);
    attachments_.erase(found);
}

namespace {
// IPC_RMID; `gone_code` as for stat_or_fail: -EIDRM for a handle, -EINVAL for an id.
void remove_or_fail(int32_t shmid, int gone_code)
{
    if (shmctl(shmid, IPC_RMID, nullptr) == 0)
        return;
    int saved = errno;
    if (saved == EINVAL || saved == EIDRM)
        fail(gone_code, gone_code == EIDRM ? "segment " + std::to_string(shmid) + " no longer exists"
                                           : "no segment with id " + std::to_string(shmid));
    if (saved == EPERM)
        fail(EPERM, "only the owner, the creator or a privileged process may remove segment " + std::to_string(shmid));
    fail_errno(saved, "IPC_RMID of segment " + std::to_string(shmid) + " failed");
}
} // namespace

void ShmSegment::remove()
{
    owner_.check();
    remove_or_fail(id_, EIDRM);
}

void ShmSegment::remove_id(int32_t shmid)
{
    require(shmid >= 0, "shmid is negative");
    remove_or_fail(shmid, EINVAL);
}

svipc_shm_info ShmSegment::stat() const
{
    owner_.check();
    return shm_info_from(id_, stat_or_fail(id_, EIDRM));
}

svipc_shm_info ShmSegment::stat_id(int32_t shmid)
{
    require(shmid >= 0, "shmid is negative");
    return shm_info_from(shmid, stat_or_fail(shmid, EINVAL));
}

namespace {
void set_perm(int32_t shmid, const struct shmid_ds &ds_in)
{
    struct shmid_ds ds = ds_in;
    if (shmctl(shmid, IPC_SET, &ds) == 0)
        return;
    int saved = errno;
    if (saved == EPERM)
        fail(EPERM, "only the owner, the creator or a privileged process may change segment " + std::to_string(shmid));
    if (saved == EIDRM)
        fail(EIDRM, "segment " + std::to_string(shmid) + " was removed");
    fail_errno(saved, "IPC_SET of segment " + std::to_string(shmid) + " failed");
}
} // namespace

void ShmSegment::set_mode(uint32_t mode)
{
    owner_.check();
    require((mode & ~permission_mask) == 0, "mode has bits outside 0777");
    struct shmid_ds ds = stat_or_fail(id_, EIDRM);
    ds.shm_perm.mode = static_cast<unsigned short>((ds.shm_perm.mode & ~permission_mask) | mode);
    set_perm(id_, ds);
}

void ShmSegment::set_owner(uint32_t uid, uint32_t gid)
{
    owner_.check();
    struct shmid_ds ds = stat_or_fail(id_, EIDRM);
    ds.shm_perm.uid = uid;
    ds.shm_perm.gid = gid;
    set_perm(id_, ds);
}

} // namespace svipc
