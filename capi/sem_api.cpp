#include <svipc/sem.h>

#include "guard.hpp"
#include "sem/set.hpp"

using svipc::capi::deref;
using svipc::capi::guard;

struct svipc_sem {
    std::unique_ptr<svipc::SemSet> set;
};

namespace {
svipc::SemSet &set_of(svipc_sem *sem)
{
    return *deref(sem, "sem handle").set;
}

const svipc::SemSet &set_of(const svipc_sem *sem)
{
    return *deref(sem, "sem handle").set;
}
} // namespace

extern "C" {

int svipc_sem_open(int32_t key, uint32_t nsems, uint32_t flags, uint32_t mode, const uint16_t *initial_values,
                   int64_t init_timeout_ns, svipc_sem **ret_sem)
{
    return guard(__func__, [&] {
        svipc_sem *&out = deref(ret_sem, "ret_sem");
        auto set = svipc::SemSet::open(key, nsems, flags, mode, initial_values, init_timeout_ns);
        out = new svipc_sem{std::move(set)};
        return 0;
    });
}

int svipc_sem_open_id(int32_t semid, uint32_t flags, svipc_sem **ret_sem)
{
    return guard(__func__, [&] {
        svipc_sem *&out = deref(ret_sem, "ret_sem");
        out = new svipc_sem{svipc::SemSet::open_id(semid, flags)};
        return 0;
    });
}

svipc_sem *svipc_sem_close(svipc_sem *sem)
{
    delete sem; // releases memory only: the set and its values are untouched
    return nullptr;
}

int svipc_sem_id(const svipc_sem *sem)
{
    return guard(__func__, [&] { return set_of(sem).id(); });
}

int svipc_sem_nsems(const svipc_sem *sem)
{
    return guard(__func__, [&] { return static_cast<int>(set_of(sem).nsems()); });
}

int svipc_sem_created(const svipc_sem *sem)
{
    return guard(__func__, [&] { return set_of(sem).created() ? 1 : 0; });
}

int svipc_sem_p(svipc_sem *sem, uint32_t index, uint32_t count, uint32_t flags, int64_t timeout_ns)
{
    return guard(__func__, [&] {
        set_of(sem).p(index, count, flags, timeout_ns);
        return 0;
    });
}

int svipc_sem_v(svipc_sem *sem, uint32_t index, uint32_t count, uint32_t flags)
{
    return guard(__func__, [&] {
        set_of(sem).v(index, count, flags);
        return 0;
    });
}

int svipc_sem_p_call(const svipc_sem_call *call)
{
    return guard(__func__, [&] {
        const svipc_sem_call &c = deref(call, "call");
        svipc::require(c.reserved == 0, "call->reserved must be 0");
        set_of(c.sem).p(c.index, c.count, c.flags, c.timeout_ns);
        return 0;
    });
}

int svipc_sem_v_call(const svipc_sem_call *call)
{
    return guard(__func__, [&] {
        const svipc_sem_call &c = deref(call, "call");
        svipc::require(c.reserved == 0, "call->reserved must be 0");
        set_of(c.sem).v(c.index, c.count, c.flags);
        return 0;
    });
}

int svipc_sem_ops(svipc_sem *sem, const svipc_sem_op *ops, uint32_t nops, uint32_t flags, int64_t timeout_ns)
{
    return guard(__func__, [&] {
        set_of(sem).ops(ops, nops, flags, timeout_ns);
        return 0;
    });
}

int svipc_sem_lock(svipc_sem *sem, uint32_t index, uint32_t flags, int64_t timeout_ns)
{
    return guard(__func__, [&] {
        set_of(sem).lock(index, flags, timeout_ns);
        return 0;
    });
}

int svipc_sem_unlock(svipc_sem *sem, uint32_t index, uint32_t flags)
{
    return guard(__func__, [&] {
        set_of(sem).unlock(index, flags);
        return 0;
    });
}

int svipc_sem_value(svipc_sem *sem, uint32_t index)
{
    return guard(__func__, [&] { return set_of(sem).value(index); });
}

int svipc_sem_set_value(svipc_sem *sem, uint32_t index, uint32_t value)
{
    return guard(__func__, [&] {
        set_of(sem).set_value(index, value);
        return 0;
    });
}

int svipc_sem_values(svipc_sem *sem, uint16_t *ret_values, uint32_t capacity)
{
    return guard(__func__, [&] { return static_cast<int>(set_of(sem).values(ret_values, capacity)); });
}

int svipc_sem_set_values(svipc_sem *sem, const uint16_t *values, uint32_t count)
{
    return guard(__func__, [&] {
        set_of(sem).set_values(values, count);
        return 0;
    });
}

int svipc_sem_waiting(svipc_sem *sem, uint32_t index)
{
    return guard(__func__, [&] { return set_of(sem).waiting(index); });
}

int svipc_sem_waiting_zero(svipc_sem *sem, uint32_t index)
{
    return guard(__func__, [&] { return set_of(sem).waiting_zero(index); });
}

int svipc_sem_last_pid(svipc_sem *sem, uint32_t index)
{
    return guard(__func__, [&] { return set_of(sem).last_pid(index); });
}

int svipc_sem_stat(svipc_sem *sem, svipc_sem_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_sem_info &out = deref(ret_info, "ret_info");
        out = set_of(sem).stat();
        return 0;
    });
}

int svipc_sem_stat_id(int32_t semid, svipc_sem_info *ret_info)
{
    return guard(__func__, [&] {
        svipc_sem_info &out = deref(ret_info, "ret_info");
        out = svipc::SemSet::stat_id(semid);
        return 0;
    });
}

int svipc_sem_set_mode(svipc_sem *sem, uint32_t mode)
{
    return guard(__func__, [&] {
        set_of(sem).set_mode(mode);
        return 0;
    });
}

int svipc_sem_set_owner(svipc_sem *sem, uint32_t uid, uint32_t gid)
{
    return guard(__func__, [&] {
        set_of(sem).set_owner(uid, gid);
        return 0;
    });
}

int svipc_sem_remove(svipc_sem *sem)
{
    return guard(__func__, [&] {
        set_of(sem).remove();
        return 0;
    });
}

int svipc_sem_remove_id(int32_t semid)
{
    return guard(__func__, [&] {
        svipc::SemSet::remove_id(semid);
        return 0;
    });
}

} // extern "C"
