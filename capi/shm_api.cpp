#include <svipc/shm.h>

#include "guard.hpp"
#include "common/page.hpp"
#include "shm/segment.hpp"

using svipc::capi::deref;
using svipc::capi::guard;

struct svipc_shm {
    std::unique_ptr<svipc::ShmSegment> segment;
};

namespace {
svipc::ShmSegment &segment(svipc_shm *shm)
{
    return *deref(shm, "shm handle").segment;
}
} // namespace

extern "C" {

int svipc_shm_open(int32_t key, uint64_t size, uint32_t flags, uint32_t mode, svipc_shm **ret_shm)
{
    return guard(__func__, [&] {
        svipc_shm *&out = deref(ret_shm, "ret_shm");
        out = new svipc_shm{svipc::ShmSegment::open(key, size, flags, mode)};
        return 0;
    });
}

int svipc_shm_open_id(int32_t shmid, svipc_shm **ret_shm)
{
    return guard(__func__, [&] {
        svipc_shm *&out = deref(ret_shm, "ret_shm");
        out = new svipc_shm{svipc::ShmSegment::open_id(shmid)};
        return 0;
    });
}

svipc_shm *svipc_shm_close(svipc_shm *shm)
{
    delete shm; // the destructor detaches and cannot throw
    return nullptr;
}

int svipc_shm_id(const svipc_shm *shm)
{
    return guard(__func__, [&] { return deref(shm, "shm handle").segment->id(); });
}

uint64_t svipc_shm_size(const svipc_shm *shm)
{
    return shm ? shm->segment->size() : 0;
}

int svipc_shm_attach(svipc_shm *shm, void *addr, uint32_t flags, void **ret_addr)
{
    return guard(__func__, [&] {
        void *&out = deref(ret_addr, "ret_addr");
        out = segment(shm).attach(addr, flags);
        return 0;
    });
}

int svipc_shm_attach_into(svipc_shm *shm, void *buffer, uint64_t length, uint32_t flags, void **ret_addr)
{
    return guard(__func__, [&] {
        void *&out = deref(ret_addr, "ret_addr");
        out = segment(shm).attach_into(buffer, length, flags);
        return 0;
    });
}

int svipc_shm_detach(svipc_shm *shm, void *addr)
{
    return guard(__func__, [&] {
        segment(shm).detach(addr);
        return 0;
    });
}

int svipc_shm_remove(svipc_shm *shm)
{
    return guard(__func__, [&] {
        segment(shm).remove();
        return 0;
    });
}

int svipc_shm_remove_id(int32_t shmid)
{
    return guard(__func__, [&] {
        svipc::ShmSegment::remove_id(shmid);
        return 0;
    });
}

int svipc_shm_stat(svipc_shm *shm, svipc_shm_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_shm_info &out = deref(ret_info, "ret_info");
        out = segment(shm).stat();
        return 0;
    });
}

int svipc_shm_stat_id(int32_t shmid, svipc_shm_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_shm_info &out = deref(ret_info, "ret_info");
        out = svipc::ShmSegment::stat_id(shmid);
        return 0;
    });
}

int svipc_shm_set_mode(svipc_shm *shm, uint32_t mode)
{
    return guard(__func__, [&] {
        segment(shm).set_mode(mode);
        return 0;
    });
}

int svipc_shm_set_owner(svipc_shm *shm, uint32_t uid, uint32_t gid)
{
    return guard(__func__, [&] {
        segment(shm).set_owner(uid, gid);
        return 0;
    });
}

uint64_t svipc_page_size(void)
{
    return svipc::page_size();
}

uint64_t svipc_shm_attach_alignment(void)
{
    return svipc::attach_alignment();
}

} // extern "C"
