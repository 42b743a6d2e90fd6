/* svipc — System V semaphore sets (semget/semop/semtimedop/semctl).
 *
 * A svipc_sem handle names one set of nsems semaphores. Each member holds a
 * value 0..SVIPC_SEM_VALUE_MAX. P (wait) subtracts and blocks while the result
 * would be negative; V (signal) adds; an operation with delta 0 waits until
 * the value is zero. svipc_sem_ops() applies several of them all-or-nothing.
 *
 * Undo: every P/V is made with SEM_UNDO unless SVIPC_NO_UNDO is given (at
 * open for the whole handle, or per call/op). The kernel reverts a process's
 * undone operations when it exits, so a process killed while holding a lock
 * gives it back. Counting uses where one process P's and another V's (free
 * slots, produced items) must pass SVIPC_NO_UNDO. See doc/sem.md.
 *
 * Initialisation: System V creates sets with all values 0 and offers no
 * atomic create-and-set, so svipc_sem_open() runs a handshake: exactly one
 * opener creates the set, sets the initial values and then makes one semop,
 * which sets sem_otime; every other opener waits (bounded) until sem_otime is
 * non-zero. See doc/sem.md for the protocol and the recovery from a creator
 * that died half-way.
 *
 * Timeouts (int64_t timeout_ns): SVIPC_WAIT_FOREVER blocks, 0 tries once
 * (-EAGAIN), > 0 waits at most that long (-ETIMEDOUT). A signal handler that
 * runs during a wait does not end it: the wait resumes with the remaining
 * time, unless the call passes SVIPC_INTERRUPTIBLE, then it returns -EINTR.
 *
 * Handles are tied to the process that opened them: used in a forked child
 * they fail with -ECHILD (the child opens its own, e.g. svipc_sem_open_id()).
 * A handle may be used from several threads; the kernel's undo state is per
 * process, shared by all threads.
 */
#ifndef SVIPC_SEM_H
#define SVIPC_SEM_H

#include <svipc/common.h>

SVIPC_BEGIN_DECLS

typedef struct svipc_sem svipc_sem;

/* Open flags shared with the other object types (identical to shm.h). */
#ifndef SVIPC_CREATE
#  define SVIPC_CREATE     0x00000001u /**< create the set if the key has none */
#endif
#ifndef SVIPC_EXCLUSIVE
#  define SVIPC_EXCLUSIVE  0x00000002u /**< with SVIPC_CREATE: fail with -EEXIST if it exists */
#endif

/** No SEM_UNDO: the operation survives the process's exit. Valid at open
 *  (default for every operation through the handle), per call, and in
 *  svipc_sem_op.flags. Bit chosen clear of SVIPC_CREATE/SVIPC_EXCLUSIVE and
 *  SVIPC_INTERRUPTIBLE, which can be mixed with it in one call. */
#define SVIPC_NO_UNDO      0x00010000u

/** The largest value a semaphore can hold (SEMVMX on Linux); also the
 *  largest count of one P or V and the bound of a process's undo adjustment. */
#define SVIPC_SEM_VALUE_MAX 32767

/** One operation of svipc_sem_ops(): delta < 0 is P by -delta, delta > 0 is
 *  V by delta, delta == 0 waits until the value is 0. flags: 0 or
 *  SVIPC_NO_UNDO. 8 bytes, no padding. */
typedef struct svipc_sem_op {
    uint16_t index;   /**< member, 0..nsems-1 */
    int16_t  delta;   /**< -32767..32767 */
    uint32_t flags;   /**< 0 or SVIPC_NO_UNDO */
} svipc_sem_op;

/** What IPC_STAT reports for a set; times are nanoseconds since the epoch
 *  (the kernel keeps whole seconds), 0 = never. */
typedef struct svipc_sem_info {
    int32_t  id;        /**< semid */
    int32_t  key;       /**< key (0 for SVIPC_KEY_PRIVATE) */
    uint32_t mode;      /**< permission bits (0777 mask) */
    uint32_t uid, gid;  /**< owner */
    uint32_t cuid, cgid;/**< creator */
    uint32_t nsems;     /**< number of semaphores in the set */
    int64_t  otime_ns;  /**< last semop (set by svipc's initialisation too) */
    int64_t  ctime_ns;  /**< creation, last IPC_SET, SETVAL or SETALL */
} svipc_sem_info;

/** Create or open the set for key, initialised exactly once.
 *  nsems: members, 1..kernel.sem SEMMSL when creating; when opening, 0
 *  accepts any size, else the set must have at least nsems members.
 *  flags: SVIPC_CREATE, SVIPC_EXCLUSIVE, SVIPC_NO_UNDO (default for every
 *  operation through this handle), SVIPC_INTERRUPTIBLE (a signal ends the
 *  initialisation wait with -EINTR). mode: permission bits (<= 0777), 0 for
 *  0600. SVIPC_KEY_PRIVATE always creates.
 *  initial_values: nsems values (each <= SVIPC_SEM_VALUE_MAX) set by the
 *  creator before anyone else can use the set; NULL for all 0. Ignored when
 *  the set already exists (svipc_sem_created() says which happened).
 *  init_timeout_ns: how long to wait for another process's initialisation
 *  of an existing set (SVIPC_WAIT_FOREVER, 0 = do not wait, > 0).
 *  Errors: -EINVAL ret_sem NULL, unknown flag, mode > 0777, nsems 0 or above
 *  SEMMSL on create, nsems above the existing set's size, SVIPC_EXCLUSIVE
 *  without SVIPC_CREATE, timeout below -1, initial_values with nsems 0;
 *  -ERANGE an initial value above SVIPC_SEM_VALUE_MAX; -ENOENT no set for key
 *  and no SVIPC_CREATE; -EEXIST SVIPC_EXCLUSIVE and it exists; -EACCES mode
 *  forbids access; -ENOSPC kernel.sem SEMMNI sets or SEMMNS semaphores
 *  reached; -ENOMEM no memory; -ETIMEDOUT (-EAGAIN for timeout 0) the set
 *  exists but was not initialised in time: its creator may have died between
 *  creating and initialising it, the message names the id to remove; -EINTR
 *  a signal, with SVIPC_INTERRUPTIBLE. */
SVIPC_API int svipc_sem_open(int32_t key, uint32_t nsems, uint32_t flags, uint32_t mode,
                             const uint16_t *initial_values, int64_t init_timeout_ns, svipc_sem **ret_sem);

/** Open a handle on an existing set by id (as listed by ipcs), without the
 *  initialisation handshake (for sets made outside svipc, or for recovery).
 *  flags: 0 or SVIPC_NO_UNDO.
 *  Errors: -EINVAL ret_sem NULL, unknown flag, no set with that id; -EACCES
 *  no read permission. */
SVIPC_API int svipc_sem_open_id(int32_t semid, uint32_t flags, svipc_sem **ret_sem);

/** Release a handle; never removes the set and never changes a value (the
 *  process's undo adjustments apply at exit, not at close). Accepts NULL.
 *  Returns NULL. */
SVIPC_API svipc_sem *svipc_sem_close(svipc_sem *sem);

/** The set's semid, or -EINVAL for a NULL handle. */
SVIPC_API int svipc_sem_id(const svipc_sem *sem);

/** The number of semaphores in the set, or -EINVAL for a NULL handle. */
SVIPC_API int svipc_sem_nsems(const svipc_sem *sem);

/** 1 if the svipc_sem_open() that made this handle created and initialised
 *  the set, 0 if it opened an existing one (or by id); -EINVAL for NULL. */
SVIPC_API int svipc_sem_created(const svipc_sem *sem);

/** P: subtract count (1..SVIPC_SEM_VALUE_MAX) from member index, waiting
 *  while the value is smaller. flags: SVIPC_NO_UNDO, SVIPC_INTERRUPTIBLE.
 *  Errors: -EINVAL NULL handle, index out of range, count 0, unknown flag,
 *  timeout below -1; -ERANGE count above SVIPC_SEM_VALUE_MAX, or the undo
 *  adjustment would pass -32767 (too many undone P's without V's: use
 *  SVIPC_NO_UNDO); -EAGAIN timeout 0 and it would block; -ETIMEDOUT;
 *  -EINTR a signal, with SVIPC_INTERRUPTIBLE; -EIDRM set removed (also while
 *  waiting); -EACCES no write permission; -ENOMEM no memory for undo state;
 *  -ECHILD handle from the parent process. */
SVIPC_API int svipc_sem_p(svipc_sem *sem, uint32_t index, uint32_t count, uint32_t flags, int64_t timeout_ns);

/** V: add count (1..SVIPC_SEM_VALUE_MAX) to member index; never blocks.
 *  flags: SVIPC_NO_UNDO.
 *  Errors: -EINVAL NULL handle, index out of range, count 0, unknown flag;
 *  -ERANGE count too large, the value would pass SVIPC_SEM_VALUE_MAX, or
 *  the undo adjustment would pass +32767; -EIDRM; -EACCES; -ENOMEM; -ECHILD. */
SVIPC_API int svipc_sem_v(svipc_sem *sem, uint32_t index, uint32_t count, uint32_t flags);

/** The arguments of one svipc_sem_p() or svipc_sem_v(), bound once and
 *  passed by address: for callers where each argument of a call costs (from
 *  Python through ctypes ~25 ns an argument), so a P or V passes one
 *  pointer. The caller owns the block; nothing keeps it. 32 bytes, no
 *  padding. */
typedef struct svipc_sem_call {
    svipc_sem *sem;      /**< the set's handle */
    uint32_t index;      /**< member */
    uint32_t count;      /**< units to take (P) or give (V) */
    uint32_t flags;      /**< as for svipc_sem_p() / svipc_sem_v() */
    uint32_t reserved;   /**< 0 */
    int64_t timeout_ns;  /**< P only: as for svipc_sem_p() */
} svipc_sem_call;

/** svipc_sem_p(call->sem, call->index, call->count, call->flags,
 *  call->timeout_ns): same results and errors, plus -EINVAL for a NULL call
 *  or reserved not 0. */
SVIPC_API int svipc_sem_p_call(const svipc_sem_call *call);

/** svipc_sem_v(call->sem, call->index, call->count, call->flags):
 *  same results and errors, plus -EINVAL for a NULL call or reserved not 0
 *  (timeout_ns is ignored). */
SVIPC_API int svipc_sem_v_call(const svipc_sem_call *call);

/** Apply nops operations atomically: all of them or, while any would block,
 *  none (waiting as for P). Operations on the same member apply in order.
 *  flags: SVIPC_NO_UNDO (for every op), SVIPC_INTERRUPTIBLE.
 *  Errors: -EINVAL NULL handle/ops, nops 0, an index out of range, unknown
 *  flag (call or op), timeout below -1; -ERANGE a delta of -32768, a value or
 *  undo adjustment out of range; -E2BIG nops above kernel.sem SEMOPM;
 *  -EAGAIN, -ETIMEDOUT, -EINTR, -EIDRM, -EACCES, -ENOMEM, -ECHILD as for P. */
SVIPC_API int svipc_sem_ops(svipc_sem *sem, const svipc_sem_op *ops, uint32_t nops, uint32_t flags,
                            int64_t timeout_ns);

/** Mutex helper on a binary semaphore (value 1 = unlocked; create it with
 *  initial value 1). Lock is P by 1 with undo, so a holder that dies
 *  releases the lock: SVIPC_WAIT_FOREVER locks, 0 tries (-EAGAIN if held),
 *  > 0 is a timed lock (-ETIMEDOUT). flags: SVIPC_INTERRUPTIBLE,
 *  SVIPC_NO_UNDO. Errors as for svipc_sem_p(). */
SVIPC_API int svipc_sem_lock(svipc_sem *sem, uint32_t index, uint32_t flags, int64_t timeout_ns);

/** Unlock: V by 1, but only from 0 (atomically), so a double unlock cannot
 *  turn the mutex into a counting semaphore. Unlock in the process that
 *  locked: undo adjustments are per process (see doc/sem.md).
 *  flags: SVIPC_NO_UNDO (must match the lock).
 *  Errors: -EPERM the semaphore is not locked (value > 0); otherwise as for
 *  svipc_sem_v(). */
SVIPC_API int svipc_sem_unlock(svipc_sem *sem, uint32_t index, uint32_t flags);

/** The value of member index (GETVAL), >= 0.
 *  Errors: -EINVAL NULL handle or index out of range; -EACCES no read
 *  permission; -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_value(svipc_sem *sem, uint32_t index);

/** Set member index to value (SETVAL). The kernel clears every process's
 *  undo adjustment for that member and does not set sem_otime.
 *  Errors: -EINVAL NULL handle or index out of range; -ERANGE value above
 *  SVIPC_SEM_VALUE_MAX; -EACCES no write permission; -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_set_value(svipc_sem *sem, uint32_t index, uint32_t value);

/** Copy every member's value (GETALL) into ret_values[0..nsems-1]; returns nsems.
 *  Errors: -EINVAL NULL handle/ret_values or capacity < nsems; -EACCES;
 *  -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_values(svipc_sem *sem, uint16_t *ret_values, uint32_t capacity);

/** Set every member (SETALL); count must equal nsems. Clears every undo
 *  adjustment of the set; does not set sem_otime.
 *  Errors: -EINVAL NULL handle/values or count != nsems; -ERANGE a value
 *  above SVIPC_SEM_VALUE_MAX; -EACCES; -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_set_values(svipc_sem *sem, const uint16_t *values, uint32_t count);

/** Processes waiting for member index to increase (GETNCNT), >= 0.
 *  Errors as for svipc_sem_value(). */
SVIPC_API int svipc_sem_waiting(svipc_sem *sem, uint32_t index);

/** Processes waiting for member index to become zero (GETZCNT), >= 0.
 *  Errors as for svipc_sem_value(). */
SVIPC_API int svipc_sem_waiting_zero(svipc_sem *sem, uint32_t index);

/** Pid of the last process to operate on member index (GETPID), 0 if none.
 *  Errors as for svipc_sem_value(). */
SVIPC_API int svipc_sem_last_pid(svipc_sem *sem, uint32_t index);

/** Fill *ret_info from IPC_STAT. Errors: -EINVAL NULL argument; -EACCES no
 *  read permission; -EIDRM set removed; -ECHILD. */
SVIPC_API int svipc_sem_stat(svipc_sem *sem, svipc_sem_info *ret_info);

/** Fill *ret_info for the set with this id. Errors: -EINVAL NULL ret_info
 *  or no such id; -EACCES no read permission. */
SVIPC_API int svipc_sem_stat_id(int32_t semid, svipc_sem_info *ret_info);

/** Change the permission bits (IPC_SET). Errors: -EINVAL NULL handle or
 *  mode > 0777; -EPERM not owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_set_mode(svipc_sem *sem, uint32_t mode);

/** Change the owner uid/gid (IPC_SET). Errors: -EINVAL NULL handle or an
 *  invalid uid/gid; -EPERM not owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_sem_set_owner(svipc_sem *sem, uint32_t uid, uint32_t gid);

/** Remove the set (IPC_RMID) at once: every process blocked on it wakes
 *  with -EIDRM and later operations fail with -EIDRM.
 *  Errors: -EINVAL NULL handle; -EPERM not owner/creator/privileged; -EIDRM
 *  already removed; -ECHILD. */
SVIPC_API int svipc_sem_remove(svipc_sem *sem);

/** Remove the set with this id (as ipcrm -s does).
 *  Errors: -EINVAL no such id; -EPERM not allowed. */
SVIPC_API int svipc_sem_remove_id(int32_t semid);

SVIPC_END_DECLS

#endif /* SVIPC_SEM_H */
