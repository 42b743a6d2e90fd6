#include "raw_channel.h"

#include <check.h>

struct raw_segment attach_raw(svipc_channel *ch)
{
    svipc_channel_info info;
    ck_assert_int_eq(svipc_channel_stat(ch, &info), 0);
    struct raw_segment raw = {NULL, NULL, info.segment_size};
    ck_assert_int_eq(svipc_shm_open_id(info.shm_id, &raw.shm), 0);
    void *addr = NULL;
    ck_assert_int_eq(svipc_shm_attach(raw.shm, NULL, 0, &addr), 0);
    raw.base = addr;
    return raw;
}

void detach_raw(struct raw_segment *raw)
{
    raw->shm = svipc_shm_close(raw->shm);
}

void put32(struct raw_segment *raw, uint64_t offset, uint32_t value)
{
    __atomic_store_n((uint32_t *)(raw->base + offset), value, __ATOMIC_RELAXED);
}

void put64(struct raw_segment *raw, uint64_t offset, uint64_t value)
{
    __atomic_store_n((uint64_t *)(raw->base + offset), value, __ATOMIC_RELAXED);
}

uint64_t get64(struct raw_segment *raw, uint64_t offset)
{
    return __atomic_load_n((uint64_t *)(raw->base + offset), __ATOMIC_RELAXED);
}
