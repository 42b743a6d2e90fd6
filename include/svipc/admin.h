/* svipc — administration: list, inspect and clean the System V IPC objects of
 * the whole system (of this IPC namespace), as ipcs/ipcrm/lsipc do.
 *
 * Listing reads /proc/sysvipc/{shm,sem,msg} as util-linux does, and falls
 * back to the kernel's index iteration (SHM_INFO + SHM_STAT_ANY, SEM_INFO +
 * SEM_STAT_ANY, MSG_INFO + MSG_STAT_ANY, or the plain *_STAT on kernels older
 * than 4.17) when /proc is not mounted. Both paths give identical records;
 * the flags below force one path (the tests compare them).
 *
 * Lists fill a caller array (no callback, no allocation handed out): call
 * with capacity 0 to learn the count, then with an array of that size. The
 * return value is always the number of objects that exist, which may exceed
 * capacity (only capacity records are written then) if objects appeared in
 * between: grow the array and call again.
 *
 * Nothing here changes an object except svipc_admin_channel_stat() (a short
 * read-only attach: it updates the segment's attach/detach times and last
 * pid, as any shmat does) and svipc_find_orphans(), which probes segments the
 * same way to recognise svipc channels.
 */
#ifndef SVIPC_ADMIN_H
#define SVIPC_ADMIN_H

#include <svipc/common.h>
#include <svipc/shm.h>     /* svipc_shm_info */
#include <svipc/sem.h>     /* svipc_sem_info */
#include <svipc/msg.h>     /* svipc_msg_info */
#include <svipc/channel.h> /* svipc_channel_info */

SVIPC_BEGIN_DECLS

/* Listing flags (svipc_list_*, svipc_find_orphans). Admin flags start at
 * 0x10000000 so they never clash with the shm, sem, msg or channel bits. */
#define SVIPC_LIST_SYSCALLS  0x10000000u /**< skip /proc/sysvipc: iterate with *_INFO + *_STAT */
#define SVIPC_LIST_PROC_ONLY 0x20000000u /**< read /proc/sysvipc only; -ENOENT if it is not there */

/** The kernel's limits (ipcs -l), for this IPC namespace. */
typedef struct svipc_ipc_limits {
    uint64_t shmmax;    /**< largest segment, bytes (kernel.shmmax) */
    uint64_t shmall;    /**< all segments together, pages (kernel.shmall) */
    uint64_t shmmin;    /**< smallest segment, bytes (SHMMIN, 1) */
    uint64_t shmmni;    /**< most segments (kernel.shmmni) */
    uint64_t page_size; /**< the unit of shmall */
    uint64_t semmsl;    /**< most semaphores per set */
    uint64_t semmns;    /**< most semaphores in all sets */
    uint64_t semopm;    /**< most operations per semop call */
    uint64_t semmni;    /**< most semaphore sets */
    uint64_t semvmx;    /**< largest semaphore value (32767) */
    uint64_t msgmni;    /**< most queues */
    uint64_t msgmax;    /**< largest message, bytes */
    uint64_t msgmnb;    /**< default capacity of a new queue, bytes */
} svipc_ipc_limits;

/** What is in use now (ipcs -u), for this IPC namespace. */
typedef struct svipc_ipc_usage {
    uint64_t shm_segments;       /**< segments allocated */
    uint64_t shm_pages;          /**< pages allocated */
    uint64_t shm_resident_pages; /**< pages resident */
    uint64_t shm_swapped_pages;  /**< pages swapped */
    uint64_t sem_sets;           /**< semaphore sets */
    uint64_t sem_semaphores;     /**< semaphores in all sets */
    uint64_t msg_queues;         /**< queues */
    uint64_t msg_messages;       /**< queued messages in all queues */
    uint64_t msg_bytes;          /**< bytes queued in all queues */
} svipc_ipc_usage;

/* svipc_orphan.kind */
#define SVIPC_KIND_SHM 1u /**< shared memory segment */
#define SVIPC_KIND_SEM 2u /**< semaphore set */
#define SVIPC_KIND_MSG 3u /**< message queue */

/* svipc_orphan.flags */
#define SVIPC_ORPHAN_CHANNEL      0x1u /**< the segment is a svipc channel */
#define SVIPC_ORPHAN_CHANNEL_LOCK 0x2u /**< the semaphore set is the writer lock of an orphaned channel */

/** An object nobody seems to use any more (see svipc_find_orphans). */
typedef struct svipc_orphan {
    uint32_t kind;      /**< SVIPC_KIND_* */
    int32_t  id;        /**< shmid, semid or msqid */
    int32_t  key;       /**< its key */
    uint32_t uid;       /**< its owner */
    uint32_t cuid;      /**< its creator */
    int32_t  pid;       /**< the dead creator (shm) or last user (sem, msg); 0 = none known */
    uint32_t flags;     /**< SVIPC_ORPHAN_* */
    uint32_t reserved;  /**< 0 */
    int64_t  idle_ns;   /**< time since its last use or change */
} svipc_orphan;

/** List every shared memory segment into out[0 .. capacity-1] (out may be
 *  NULL when capacity is 0), in the kernel's index order, as ipcs -m.
 *  flags: 0, SVIPC_LIST_SYSCALLS or SVIPC_LIST_PROC_ONLY.
 *  Returns the number of segments (possibly > capacity).
 *  Errors: -EINVAL out NULL with capacity > 0, unknown flag, both path flags;
 *  -ENOENT SVIPC_LIST_PROC_ONLY and /proc/sysvipc/shm is missing; -EIO the
 *  /proc table could not be parsed; -ENOMEM. */
SVIPC_API int svipc_list_shm(svipc_shm_info *out, uint32_t capacity, uint32_t flags);

/** As svipc_list_shm() for semaphore sets (ipcs -s). Errors: the same. */
SVIPC_API int svipc_list_sem(svipc_sem_info *out, uint32_t capacity, uint32_t flags);

/** As svipc_list_shm() for message queues (ipcs -q). /proc/sysvipc/msg has
 *  no capacity column: on that path qbytes comes from IPC_STAT and is 0 for
 *  a queue this process cannot read. Errors: the same. */
SVIPC_API int svipc_list_msg(svipc_msg_info *out, uint32_t capacity, uint32_t flags);

/** Fill *ret_limits with what ipcs -l prints (IPC_INFO, which reports the
 *  kernel.shm*, kernel.sem and kernel.msg* settings of this namespace).
 *  Errors: -EINVAL ret_limits NULL; other -errno from IPC_INFO. */
SVIPC_API int svipc_limits(svipc_ipc_limits *ret_limits);

/** Fill *ret_usage with what ipcs -u prints (SHM_INFO, SEM_INFO, MSG_INFO).
 *  Errors: -EINVAL ret_usage NULL; other -errno from those calls. */
SVIPC_API int svipc_usage(svipc_ipc_usage *ret_usage);

/** Whether the segment shmid is a svipc channel: attaches it read-only for a
 *  moment and checks the header's magic. On success fills *ret_info from the
 *  header (key, shm_id, sem_id, type, payload_size, buffer_num,
 *  layout_version, latest_sequence, latest_publish_time_ns, sleepers,
 *  segment_size, created_time_ns, schema_hash; attached from IPC_STAT;
 *  writer_pid from the writer lock). A channel of a layout
 *  version this library does not know, or whose header fails the checks an
 *  opener makes (doc/security.md), has only key, shm_id, layout_version,
 *  segment_size and attached filled, sem_id -1 and the rest 0; sem_id is also -1 when
 *  the header's semid does not name a writer lock made by the segment's
 *  creator (a private set of one semaphore). The channel's name and schema:
 *  svipc_admin_channel_describe().
 *  Errors: -EPROTO the segment is not a channel (too small, other magic, or
 *  still being initialised); -EINVAL ret_info NULL or no segment with that
 *  id; -EACCES no read permission; -EIDRM it was destroyed meanwhile. */
SVIPC_API int svipc_admin_channel_stat(int32_t shmid, svipc_channel_info *ret_info);

/** The name and schema of the channel segment shmid, without opening it
 *  (a read-only attach for a moment, as svipc_admin_channel_stat()), each
 *  copied NUL-terminated into its buffer after the checks an opener makes.
 *  The name is "" for a channel created by key. name_capacity >=
 *  SVIPC_CHANNEL_NAME_MAX + 1 and schema_capacity >= SVIPC_CHANNEL_SCHEMA_MAX
 *  + 1 always suffice. Returns 0.
 *  Errors: -EPROTO the segment is not a channel, or one of another layout
 *  version or whose header fails the checks; -ERANGE a buffer too small
 *  (nothing written); -EINVAL a NULL buffer or no segment with that id;
 *  -EACCES no read permission; -EIDRM it was destroyed meanwhile. */
SVIPC_API int svipc_admin_channel_describe(int32_t shmid, char *name, uint64_t name_capacity, char *schema,
                                           uint64_t schema_capacity);

/** Find objects nobody uses any more, into out[0 .. capacity-1]; returns
 *  how many there are (possibly > capacity).
 *  - A segment is an orphan when it has no attachment and its creator
 *    process (cpid) is gone. If it is a svipc channel, its writer-lock
 *    semaphore set is reported too (SVIPC_ORPHAN_CHANNEL_LOCK).
 *  - A semaphore set or a queue is an orphan when no process that the
 *    kernel remembers using it is alive (sem: the last pid of each
 *    semaphore, which semop, SETVAL and SETALL record; queue: last sender
 *    and receiver) and it has been idle (no operation or change) for at
 *    least min_idle_ns. The kernel records no creator pid for these, so a
 *    set or queue nobody ever operated on is judged by its idle time alone.
 *    The writer lock of a channel whose segment is not an orphan never is.
 *  Sets and queues this process cannot read (no read permission) are never
 *  orphans.
 *  flags: as for svipc_list_shm(). min_idle_ns >= 0.
 *  Errors: -EINVAL out NULL with capacity > 0, unknown flag, min_idle_ns < 0;
 *  those of svipc_list_shm(). */
SVIPC_API int svipc_find_orphans(svipc_orphan *out, uint32_t capacity, int64_t min_idle_ns, uint32_t flags);

SVIPC_END_DECLS

#endif /* SVIPC_ADMIN_H */
