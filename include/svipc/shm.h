/* svipc — System V shared memory segments (shmget/shmat/shmdt/shmctl).
 *
 * A svipc_shm handle names one segment. Attaching maps the segment into this
 * process; every mapping made through a handle is tracked by it, so
 * svipc_shm_detach() can refuse addresses it did not attach (no double
 * detach) and svipc_shm_close() can detach what is left. Closing never
 * removes the segment: removal is always explicit (svipc_shm_remove()).
 *
 * Handles are tied to the process that opened them: used in a forked child
 * they fail with -ECHILD (the child opens its own with svipc_shm_open_id()).
 * A handle may be used from several threads.
 */
#ifndef SVIPC_SHM_H
#define SVIPC_SHM_H

#include <svipc/common.h>

SVIPC_BEGIN_DECLS

typedef struct svipc_shm svipc_shm;

/* Open flags (svipc_shm_open). */
#define SVIPC_CREATE       0x00000001u /**< create the segment if the key has none */
#define SVIPC_EXCLUSIVE    0x00000002u /**< with SVIPC_CREATE: fail with -EEXIST if it exists */
#define SVIPC_HUGETLB      0x00000004u /**< back with huge pages (SHM_HUGETLB); needs vm.nr_hugepages */
#define SVIPC_NORESERVE    0x00000008u /**< do not reserve swap (SHM_NORESERVE) */
#define SVIPC_AUTO_REMOVE  0x00000010u /**< leak-proof: mark for removal right after this handle's first
                                            attach, when this call created the segment */

/* Attach flags (svipc_shm_attach, svipc_shm_attach_into). */
#define SVIPC_RDONLY       0x00000100u /**< map read-only (SHM_RDONLY) */
#define SVIPC_RND          0x00000200u /**< round addr down to SHMLBA (SHM_RND) */
#define SVIPC_REMAP        0x00000400u /**< replace any mapping at addr (SHM_REMAP) */
#define SVIPC_PREFAULT     0x00000800u /**< populate page tables now (MADV_POPULATE_READ/WRITE) */
#define SVIPC_KEEP_BUFFER  0x00001000u /**< attach_into: copy the buffer's bytes into the segment first */

/** Mode value meaning "the default", 0600 (owner read/write only). */
#define SVIPC_MODE_DEFAULT 0u

/* svipc_shm_info.flags bits. */
#define SVIPC_SHM_INFO_REMOVED 0x1u   /**< IPC_RMID done, destroyed at the last detach (SHM_DEST) */
#define SVIPC_SHM_INFO_LOCKED  0x2u   /**< locked in memory (SHM_LOCKED) */

/** What IPC_STAT reports for a segment; times are nanoseconds since the epoch
 *  (the kernel keeps whole seconds), 0 = never. */
typedef struct svipc_shm_info {
    int32_t  id;        /**< shmid */
    int32_t  key;       /**< key; 0 (IPC_PRIVATE) once removed */
    uint32_t mode;      /**< permission bits (0777 mask) */
    uint32_t uid, gid;  /**< owner */
    uint32_t cuid, cgid;/**< creator */
    int32_t  cpid;      /**< creator pid */
    int32_t  lpid;      /**< pid of the last attach/detach */
    uint32_t flags;     /**< SVIPC_SHM_INFO_* */
    uint64_t size;      /**< bytes, as requested at creation */
    uint64_t nattch;    /**< current number of attachments, all processes */
    int64_t  atime_ns;  /**< last attach */
    int64_t  dtime_ns;  /**< last detach */
    int64_t  ctime_ns;  /**< creation or last IPC_SET */
} svipc_shm_info;

/** Create or open the segment for key.
 *  size: bytes; > 0 when creating; when opening, 0 accepts any size, else the
 *  segment must be at least that large. mode: permission bits (<= 0777),
 *  SVIPC_MODE_DEFAULT for 0600. SVIPC_KEY_PRIVATE always creates.
 *  Errors: -EINVAL ret_shm NULL, unknown flag, mode > 0777, size 0 on create,
 *  size above kernel.shmmax or below SHMMIN, or larger than the existing
 *  segment; -ENOENT no segment for key and no SVIPC_CREATE; -EEXIST
 *  SVIPC_EXCLUSIVE and it exists; -EACCES mode forbids access; -ENOSPC
 *  kernel.shmmni or kernel.shmall reached; -ENOMEM no memory (or no huge
 *  pages for SVIPC_HUGETLB); -EPERM SVIPC_HUGETLB without privilege. */
SVIPC_API int svipc_shm_open(int32_t key, uint64_t size, uint32_t flags, uint32_t mode, svipc_shm **ret_shm);

/** Open a handle on an existing segment by id (as listed by ipcs).
 *  Errors: -EINVAL ret_shm NULL or no segment with that id; -EACCES no read permission. */
SVIPC_API int svipc_shm_open_id(int32_t shmid, svipc_shm **ret_shm);

/** Release a handle: detaches every attachment still made through it
 *  (restoring attach_into buffers), never removes the segment. Accepts NULL.
 *  In a forked child it only frees the handle. Returns NULL. */
SVIPC_API svipc_shm *svipc_shm_close(svipc_shm *shm);

/** The segment's shmid, or -EINVAL for a NULL handle. */
SVIPC_API int svipc_shm_id(const svipc_shm *shm);

/** The segment's size in bytes, or 0 for a NULL handle. */
SVIPC_API uint64_t svipc_shm_size(const svipc_shm *shm);

/** Attach the segment. addr NULL lets the kernel choose; otherwise addr must
 *  be SHMLBA-aligned unless SVIPC_RND (round down) is given. SVIPC_REMAP
 *  replaces whatever is mapped there (needs addr). Flags: SVIPC_RDONLY,
 *  SVIPC_RND, SVIPC_REMAP, SVIPC_PREFAULT.
 *  Errors: -EINVAL NULL handle/ret_addr, unknown flag, misaligned addr,
 *  SVIPC_REMAP without addr, or addr overlaps a mapping without SVIPC_REMAP;
 *  -EACCES mode forbids the access; -EIDRM segment removed and destroyed;
 *  -ENOMEM no address space; -ECHILD handle from the parent process. */
SVIPC_API int svipc_shm_attach(svipc_shm *shm, void *addr, uint32_t flags, void **ret_addr);

/** Map the segment over the SHMLBA-aligned part of a caller's buffer, so the
 *  buffer's memory *is* the segment (SHM_REMAP at the first SHMLBA boundary
 *  inside buffer; see svipc_shm_attach_alignment()). The segment, rounded up
 *  to whole pages, must fit before buffer + length: allocate that plus
 *  svipc_shm_attach_alignment() - 1 bytes to be sure (plus alignment - page
 *  size for a page-aligned buffer). Bytes before the boundary keep their
 *  private contents.
 *  *ret_addr is the attach address (buffer + offset). SVIPC_KEEP_BUFFER copies
 *  the buffer's current bytes there into the segment first; otherwise the
 *  range shows the segment's contents. svipc_shm_detach() (or close) puts
 *  private memory holding the segment's last contents back, so the buffer
 *  stays valid and can be freed normally. Never free or unmap the buffer
 *  while attached. Flags: SVIPC_RDONLY, SVIPC_KEEP_BUFFER, SVIPC_PREFAULT.
 *  Errors: -EINVAL NULL handle/buffer/ret_addr, length 0, unknown flag, or
 *  segment does not fit (no mapping is made); -EACCES, -EIDRM, -ENOMEM,
 *  -ECHILD as for svipc_shm_attach. */
SVIPC_API int svipc_shm_attach_into(svipc_shm *shm, void *buffer, uint64_t length, uint32_t flags, void **ret_addr);

/** Detach an address returned by attach or attach_into through this handle.
 *  For attach_into, the buffer range becomes private memory holding the
 *  segment's last contents. Works after the segment was removed.
 *  Errors: -EINVAL NULL handle, or addr not attached through this handle
 *  (including a second detach); -ENOMEM restoring the buffer failed (the
 *  segment stays attached); -ECHILD handle from the parent process. */
SVIPC_API int svipc_shm_detach(svipc_shm *shm, void *addr);

/** Mark the segment for removal (IPC_RMID). The kernel destroys it when the
 *  last process detaches; until then attached processes keep using it, its
 *  key becomes IPC_PRIVATE (new opens by key no longer find it) and stat
 *  reports SVIPC_SHM_INFO_REMOVED.
 *  Errors: -EINVAL NULL handle; -EPERM not owner/creator/privileged; -EIDRM
 *  already destroyed; -ECHILD. */
SVIPC_API int svipc_shm_remove(svipc_shm *shm);

/** Mark the segment with this id for removal (see svipc_shm_remove).
 *  Errors: -EINVAL no such id; -EPERM not allowed. */
SVIPC_API int svipc_shm_remove_id(int32_t shmid);

/** Fill *ret_info from IPC_STAT. Errors: -EINVAL NULL argument; -EACCES no
 *  read permission; -EIDRM segment destroyed; -ECHILD. */
SVIPC_API int svipc_shm_stat(svipc_shm *shm, svipc_shm_info *ret_info);

/** Fill *ret_info for the segment with this id. Errors: -EINVAL NULL
 *  ret_info or no such id; -EACCES no read permission. */
SVIPC_API int svipc_shm_stat_id(int32_t shmid, svipc_shm_info *ret_info);

/** Change the permission bits (IPC_SET). Errors: -EINVAL NULL handle or
 *  mode > 0777; -EPERM not owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_shm_set_mode(svipc_shm *shm, uint32_t mode);

/** Change the owner uid/gid (IPC_SET). Errors: -EINVAL NULL handle or an
 *  invalid uid/gid; -EPERM not owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_shm_set_owner(svipc_shm *shm, uint32_t uid, uint32_t gid);

/** The system page size (sysconf(_SC_PAGESIZE)): segments are mapped in
 *  whole pages. */
SVIPC_API uint64_t svipc_page_size(void);

/** SHMLBA: the boundary an exact attach address must sit on and the one
 *  attach_into places the segment at. The page size on x86-64 and arm64,
 *  4 pages (16 KiB) for 32-bit ARM programs; always a multiple of the page
 *  size. */
SVIPC_API uint64_t svipc_shm_attach_alignment(void);

SVIPC_END_DECLS

#endif /* SVIPC_SHM_H */
