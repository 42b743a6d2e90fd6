#include "admin/orphans.hpp"

#include "admin/channel_probe.hpp"
#include "channel/layout.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/process_liveness.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <optional>
#include <set>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/types.h>

namespace svipc::admin {

namespace {

int64_t idle_since(int64_t now_ns, std::initializer_list<int64_t> times_ns)
{
    return now_ns - std::max(times_ns);
}

// The channel header of a segment, or nullopt if it is not one or cannot
// be read (no permission, vanished meanwhile).
std::optional<svipc_channel_info> channel_of(int32_t shmid)
{
    try {
        return probe_channel(shmid);
    } catch (const Error &) {
        return std::nullopt;
    }
}

// Pids that last touched each semaphore (semop, SETVAL, SETALL), the 0s
// left out; nullopt if the set cannot be read.
std::optional<std::vector<pid_t>> semaphore_pids(int32_t semid, uint32_t nsems)
{
    std::vector<pid_t> pids;
    for (uint32_t i = 0; i < nsems; i++) {
        const int pid = semctl(semid, static_cast<int>(i), GETPID);
        if (pid < 0)
            return std::nullopt;
        if (pid > 0)
            pids.push_back(pid);
    }
    return pids;
}

// Dead-user rule shared by sets and queues: no listed pid is alive. Returns
// the pid to report (the first dead one, 0 if none was ever recorded).
std::optional<pid_t> all_gone(const std::vector<pid_t> &pids)
{
    for (pid_t pid : pids)
        if (process_exists(pid))
            return std::nullopt;
    return pids.empty() ? 0 : pids.front();
}

} // namespace

std::vector<svipc_orphan> find_orphans(int64_t min_idle_ns, Source source)
{
    require(min_idle_ns >= 0, "min_idle_ns is negative");
    const int64_t now = realtime_now_ns();
    const std::vector<svipc_shm_info> segments = list_shm(source);
    const std::vector<svipc_sem_info> sets = list_sem(source);
    const std::vector<svipc_msg_info> queues = list_msg(source);

    std::vector<svipc_orphan> orphans;
    std::set<int32_t> orphan_channel_locks; // writer locks of orphaned channels
    std::set<int32_t> live_channel_locks;   // writer locks of channels still in use
    std::vector<int32_t> live_segments_to_probe;

    for (const svipc_shm_info &shm : segments) {
        const bool orphan = shm.nattch == 0 && shm.cpid > 0 && !process_exists(shm.cpid);
        if (!orphan) {
            if (shm.size >= channel_layout::header_size)
                live_segments_to_probe.push_back(shm.id);
            continue;
        }
        svipc_orphan entry{};
        entry.kind = SVIPC_KIND_SHM;
        entry.id = shm.id;
        entry.key = shm.key;
        entry.uid = shm.uid;
        entry.cuid = shm.cuid;
        entry.pid = shm.cpid;
        entry.idle_ns = idle_since(now, {shm.atime_ns, shm.dtime_ns, shm.ctime_ns});
        if (const auto channel = channel_of(shm.id)) {
            entry.flags |= SVIPC_ORPHAN_CHANNEL;
            if (channel->sem_id >= 0)
                orphan_channel_locks.insert(channel->sem_id);
        }
        orphans.push_back(entry);
    }

    // Sets judged by the plain rule first; then, only if one of them could be
    // the writer lock of a live channel, the live segments are probed for
    // the locks they own (a probe is a short read-only attach).
    std::vector<svipc_orphan> set_orphans;
    for (const svipc_sem_info &set : sets) {
        const auto pids = semaphore_pids(set.id, set.nsems);
        if (!pids)
            continue; // unreadable: not ours to judge
        svipc_orphan entry{};
        entry.kind = SVIPC_KIND_SEM;
        entry.id = set.id;
        entry.key = set.key;
        entry.uid = set.uid;
        entry.cuid = set.cuid;
        entry.idle_ns = idle_since(now, {set.otime_ns, set.ctime_ns});
        const auto gone = all_gone(*pids);
        if (orphan_channel_locks.count(set.id)) {
            entry.flags = SVIPC_ORPHAN_CHANNEL_LOCK;
            entry.pid = gone.value_or(0);
        } else if (gone && entry.idle_ns >= min_idle_ns) {
            entry.pid = *gone;
        } else {
            continue;
        }
        set_orphans.push_back(entry);
    }
    const bool lock_candidate = std::any_of(set_orphans.begin(), set_orphans.end(), [](const svipc_orphan &o) {
        return o.flags == 0 && o.key == IPC_PRIVATE; // channel locks are private sets
    });
    if (lock_candidate) {
        for (int32_t shmid : live_segments_to_probe)
            if (const auto channel = channel_of(shmid); channel && channel->sem_id >= 0)
                live_channel_locks.insert(channel->sem_id);
    }
    for (const svipc_orphan &entry : set_orphans)
        if (entry.flags != 0 || !live_channel_locks.count(entry.id))
            orphans.push_back(entry);

    for (const svipc_msg_info &queue : queues) {
        struct msqid_ds ds;
        if (msgctl(queue.id, IPC_STAT, &ds) != 0)
            continue; // unreadable or gone: not ours to judge
        std::vector<pid_t> pids;
        for (pid_t pid : {queue.lspid, queue.lrpid})
            if (pid > 0)
                pids.push_back(pid);
        const auto gone = all_gone(pids);
        const int64_t idle = idle_since(now, {queue.stime_ns, queue.rtime_ns, queue.ctime_ns});
        if (!gone || idle < min_idle_ns)
            continue;
        svipc_orphan entry{};
        entry.kind = SVIPC_KIND_MSG;
        entry.id = queue.id;
        entry.key = queue.key;
        entry.uid = queue.uid;
        entry.cuid = queue.cuid;
        entry.pid = *gone;
        entry.idle_ns = idle;
        orphans.push_back(entry);
    }
    return orphans;
}

} // namespace svipc::admin
