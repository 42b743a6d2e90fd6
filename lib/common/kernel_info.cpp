#include "common/kernel_info.hpp"

#include "common/mode.hpp"
#include "common/time_units.hpp"

namespace svipc {

uint32_t shm_status_flags(uint32_t kernel_mode)
{
    return ((kernel_mode & SHM_DEST) ? SVIPC_SHM_INFO_REMOVED : 0u) |
           ((kernel_mode & SHM_LOCKED) ? SVIPC_SHM_INFO_LOCKED : 0u);
}

svipc_shm_info shm_info_from(int32_t shmid, const struct shmid_ds &ds)
{
    svipc_shm_info info{};
    info.id = shmid;
    info.key = ds.shm_perm.__key;
    info.mode = ds.shm_perm.mode & permission_mask;
    info.uid = ds.shm_perm.uid;
    info.gid = ds.shm_perm.gid;
    info.cuid = ds.shm_perm.cuid;
    info.cgid = ds.shm_perm.cgid; // util-linux's fallback copied cuid here
    info.cpid = ds.shm_cpid;
    info.lpid = ds.shm_lpid;
    info.flags = shm_status_flags(ds.shm_perm.mode);
    info.size = ds.shm_segsz;
    info.nattch = ds.shm_nattch;
    info.atime_ns = seconds_to_ns(ds.shm_atime);
    info.dtime_ns = seconds_to_ns(ds.shm_dtime);
    info.ctime_ns = seconds_to_ns(ds.shm_ctime);
    return info;
}

svipc_sem_info sem_info_from(int32_t semid, const struct semid_ds &ds)
{
    svipc_sem_info info{};
    info.id = semid;
    info.key = ds.sem_perm.__key;
    info.mode = ds.sem_perm.mode & permission_mask;
    info.uid = ds.sem_perm.uid;
    info.gid = ds.sem_perm.gid;
    info.cuid = ds.sem_perm.cuid;
    info.cgid = ds.sem_perm.cgid;
    info.nsems = static_cast<uint32_t>(ds.sem_nsems);
    info.otime_ns = seconds_to_ns(ds.sem_otime);
    info.ctime_ns = seconds_to_ns(ds.sem_ctime);
    return info;
}

svipc_msg_info msg_info_from(int32_t msqid, const struct msqid_ds &ds)
{
    svipc_msg_info info{};
    info.id = msqid;
    info.key = ds.msg_perm.__key;
    info.mode = ds.msg_perm.mode & permission_mask;
    info.uid = ds.msg_perm.uid;
    info.gid = ds.msg_perm.gid;
    info.cuid = ds.msg_perm.cuid;
    info.cgid = ds.msg_perm.cgid;
    info.lspid = ds.msg_lspid;
    info.lrpid = ds.msg_lrpid;
    info.messages = ds.msg_qnum;
    info.bytes = ds.__msg_cbytes;
    info.qbytes = ds.msg_qbytes;
    info.stime_ns = seconds_to_ns(ds.msg_stime);
    info.rtime_ns = seconds_to_ns(ds.msg_rtime);
    info.ctime_ns = seconds_to_ns(ds.msg_ctime);
    return info;
}

} // namespace svipc
