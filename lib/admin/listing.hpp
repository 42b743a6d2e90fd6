// Enumerating every System V object of the IPC namespace, two ways:
// /proc/sysvipc/{shm,sem,msg} (what util-linux reads first) and the kernel's
// index iteration (*_INFO for the highest index, then *_STAT_ANY per index),
// the fallback when /proc is not mounted. Both fill the same public records,
// field by field, so the tests can demand identical results from both.
#pragma once

#include <svipc/admin.h>

#include <cstdint>
#include <vector>

namespace svipc::admin {

enum class Source {
    automatic, // /proc/sysvipc, else syscalls
    proc,      // /proc/sysvipc only (ENOENT if missing)
    syscalls,  // *_INFO + *_STAT only
};

// SVIPC_LIST_* flags -> Source; EINVAL for unknown or contradictory flags.
Source source_from_flags(uint32_t flags);

std::vector<svipc_shm_info> list_shm(Source source);
std::vector<svipc_sem_info> list_sem(Source source);
std::vector<svipc_msg_info> list_msg(Source source);

// Copy min(size, capacity) records to out; return the full count as an int.
template <typename T>
int copy_out(const std::vector<T> &records, T *out, uint32_t capacity)
{
    for (uint32_t i = 0; i < capacity && i < records.size(); i++)
        out[i] = records[i];
    return static_cast<int>(records.size());
}

} // namespace svipc::admin
