/* Prints what the C compiler makes of the public headers, for test_abi.py to
 * compare with the Python package: every numeric SVIPC_* constant (the list
 * is generated from the headers), the version string, and the size and field
 * offsets of every public struct. */
#include <stddef.h>
#include <stdio.h>

#include <svipc/svipc.h>

#define CONSTANT(name) printf("constant %s %lld\n", #name, (long long)(name));
#define STRUCT(type) printf("struct %s %zu\n", #type, sizeof(type));
#define FIELD(type, field) printf("field %s %s %zu\n", #type, #field, offsetof(type, field));

int main(void)
{
#include "abi_constants.h"
    printf("string SVIPC_VERSION_STRING %s\n", SVIPC_VERSION_STRING);

    STRUCT(svipc_shm_info)
    FIELD(svipc_shm_info, id) FIELD(svipc_shm_info, key) FIELD(svipc_shm_info, mode) FIELD(svipc_shm_info, uid)
    FIELD(svipc_shm_info, gid) FIELD(svipc_shm_info, cuid) FIELD(svipc_shm_info, cgid) FIELD(svipc_shm_info, cpid)
    FIELD(svipc_shm_info, lpid) FIELD(svipc_shm_info, flags) FIELD(svipc_shm_info, size)
    FIELD(svipc_shm_info, nattch) FIELD(svipc_shm_info, atime_ns) FIELD(svipc_shm_info, dtime_ns)
    FIELD(svipc_shm_info, ctime_ns)

    STRUCT(svipc_sem_op)
    FIELD(svipc_sem_op, index) FIELD(svipc_sem_op, delta) FIELD(svipc_sem_op, flags)

    STRUCT(svipc_sem_info)
    FIELD(svipc_sem_info, id) FIELD(svipc_sem_info, key) FIELD(svipc_sem_info, mode) FIELD(svipc_sem_info, uid)
    FIELD(svipc_sem_info, gid) FIELD(svipc_sem_info, cuid) FIELD(svipc_sem_info, cgid)
    FIELD(svipc_sem_info, nsems) FIELD(svipc_sem_info, otime_ns) FIELD(svipc_sem_info, ctime_ns)

    STRUCT(svipc_sem_call)
    FIELD(svipc_sem_call, sem) FIELD(svipc_sem_call, index) FIELD(svipc_sem_call, count)
    FIELD(svipc_sem_call, flags) FIELD(svipc_sem_call, reserved) FIELD(svipc_sem_call, timeout_ns)

    STRUCT(svipc_msg_info)
    FIELD(svipc_msg_info, id) FIELD(svipc_msg_info, key) FIELD(svipc_msg_info, mode) FIELD(svipc_msg_info, uid)
    FIELD(svipc_msg_info, gid) FIELD(svipc_msg_info, cuid) FIELD(svipc_msg_info, cgid)
    FIELD(svipc_msg_info, lspid) FIELD(svipc_msg_info, lrpid) FIELD(svipc_msg_info, reserved)
    FIELD(svipc_msg_info, messages) FIELD(svipc_msg_info, bytes) FIELD(svipc_msg_info, qbytes)
    FIELD(svipc_msg_info, stime_ns) FIELD(svipc_msg_info, rtime_ns) FIELD(svipc_msg_info, ctime_ns)

    STRUCT(svipc_msg_call)
    FIELD(svipc_msg_call, msg) FIELD(svipc_msg_call, type) FIELD(svipc_msg_call, buf) FIELD(svipc_msg_call, size)
    FIELD(svipc_msg_call, flags) FIELD(svipc_msg_call, reserved) FIELD(svipc_msg_call, timeout_ns)
    FIELD(svipc_msg_call, ret_type)

    STRUCT(svipc_channel_read_info)
    FIELD(svipc_channel_read_info, sequence) FIELD(svipc_channel_read_info, publish_time_ns)
    FIELD(svipc_channel_read_info, missed) FIELD(svipc_channel_read_info, age_ns)

    STRUCT(svipc_channel_info)
    FIELD(svipc_channel_info, key) FIELD(svipc_channel_info, shm_id) FIELD(svipc_channel_info, sem_id)
    FIELD(svipc_channel_info, type) FIELD(svipc_channel_info, payload_size) FIELD(svipc_channel_info, buffer_num)
    FIELD(svipc_channel_info, layout_version) FIELD(svipc_channel_info, latest_sequence)
    FIELD(svipc_channel_info, latest_publish_time_ns) FIELD(svipc_channel_info, sleepers)
    FIELD(svipc_channel_info, writer_pid) FIELD(svipc_channel_info, segment_size)
    FIELD(svipc_channel_info, pinned_slots) FIELD(svipc_channel_info, attached)
    FIELD(svipc_channel_info, created_time_ns) FIELD(svipc_channel_info, schema_hash)

    STRUCT(svipc_ipc_limits)
    FIELD(svipc_ipc_limits, shmmax) FIELD(svipc_ipc_limits, shmall) FIELD(svipc_ipc_limits, shmmin)
    FIELD(svipc_ipc_limits, shmmni) FIELD(svipc_ipc_limits, page_size) FIELD(svipc_ipc_limits, semmsl)
    FIELD(svipc_ipc_limits, semmns) FIELD(svipc_ipc_limits, semopm) FIELD(svipc_ipc_limits, semmni)
    FIELD(svipc_ipc_limits, semvmx) FIELD(svipc_ipc_limits, msgmni) FIELD(svipc_ipc_limits, msgmax)
    FIELD(svipc_ipc_limits, msgmnb)

    STRUCT(svipc_ipc_usage)
    FIELD(svipc_ipc_usage, shm_segments) FIELD(svipc_ipc_usage, shm_pages) FIELD(svipc_ipc_usage, shm_resident_pages)
    FIELD(svipc_ipc_usage, shm_swapped_pages) FIELD(svipc_ipc_usage, sem_sets)
    FIELD(svipc_ipc_usage, sem_semaphores) FIELD(svipc_ipc_usage, msg_queues)
    FIELD(svipc_ipc_usage, msg_messages) FIELD(svipc_ipc_usage, msg_bytes)

    STRUCT(svipc_orphan)
    FIELD(svipc_orphan, kind) FIELD(svipc_orphan, id) FIELD(svipc_orphan, key) FIELD(svipc_orphan, uid)
    FIELD(svipc_orphan, cuid) FIELD(svipc_orphan, pid) FIELD(svipc_orphan, flags) FIELD(svipc_orphan, reserved)
    FIELD(svipc_orphan, idle_ns)
    return 0;
}
