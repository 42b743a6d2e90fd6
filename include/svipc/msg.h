/* svipc — System V message queues (msgget/msgsnd/msgrcv/msgctl).
 *
 * A svipc_msg handle names one queue. A message is a type (an integer > 0)
 * and a payload of 0..kernel.msgmax bytes. Receivers choose by type: any
 * (0), exactly t (> 0), the lowest type <= |t| (< 0), or any type except t
 * (t > 0 with SVIPC_EXCEPT). Messages of one type are received in the order
 * they were sent.
 *
 * A queue holds at most qbytes payload bytes *and* at most qbytes messages
 * (the kernel counts both against msg_qbytes, default kernel.msgmnb); a send
 * that does not fit waits. See doc/msg.md for the limits and how to read them.
 *
 * Timeouts (int64_t timeout_ns): SVIPC_WAIT_FOREVER blocks in the kernel, 0
 * tries once (-EAGAIN for send, -ENOMSG for receive), > 0 waits at most that
 * long (-ETIMEDOUT). Linux has no timed msgsnd/msgrcv: a timed wait retries
 * the non-blocking call, sleeping in between with exponential backoff from
 * 10 us capped at 1 ms (never beyond the deadline), so it takes no CPU to
 * speak of and wakes at most ~1 ms after a message arrives. It never returns
 * -ETIMEDOUT before the deadline. A signal handler that runs during a wait
 * does not end it: the wait resumes with the remaining time, unless the call
 * passes SVIPC_INTERRUPTIBLE, then it returns -EINTR. Details in doc/msg.md.
 *
 * Handles are tied to the process that opened them: used in a forked child
 * they fail with -ECHILD (the child opens its own, e.g. svipc_msg_open_id()).
 * A handle may be used from several threads at once. Closing never removes
 * the queue: removal is explicit (svipc_msg_remove()).
 */
#ifndef SVIPC_MSG_H
#define SVIPC_MSG_H

#include <svipc/common.h>

SVIPC_BEGIN_DECLS

typedef struct svipc_msg svipc_msg;

/* Open flags shared with the other object types (identical to shm.h). */
#ifndef SVIPC_CREATE
#  define SVIPC_CREATE     0x00000001u /**< create the queue if the key has none */
#endif
#ifndef SVIPC_EXCLUSIVE
#  define SVIPC_EXCLUSIVE  0x00000002u /**< with SVIPC_CREATE: fail with -EEXIST if it exists */
#endif
#ifndef SVIPC_MODE_DEFAULT
/** Mode value meaning "the default", 0600 (owner read/write only). */
#  define SVIPC_MODE_DEFAULT 0u
#endif

/* Receive flags (svipc_msg_receive). Bits clear of SVIPC_CREATE/EXCLUSIVE,
 * SVIPC_NO_UNDO (0x10000) and SVIPC_INTERRUPTIBLE (0x20000), which a call
 * may mix with them. */
#define SVIPC_EXCEPT       0x00100000u /**< with type > 0: the first message of any type except type (MSG_EXCEPT) */
#define SVIPC_TRUNCATE     0x00200000u /**< cut a longer message to capacity instead of -E2BIG (MSG_NOERROR) */
#define SVIPC_PEEK         0x00400000u /**< copy the message at position type (0 = oldest) without removing it
                                            (MSG_COPY); needs timeout 0 and CONFIG_CHECKPOINT_RESTORE */

/** What IPC_STAT reports for a queue; times are nanoseconds since the epoch
 *  (the kernel keeps whole seconds), 0 = never. 88 bytes, no padding. */
typedef struct svipc_msg_info {
    int32_t  id;        /**< msqid */
    int32_t  key;       /**< key (0 for SVIPC_KEY_PRIVATE) */
    uint32_t mode;      /**< permission bits (0777 mask) */
    uint32_t uid, gid;  /**< owner */
    uint32_t cuid, cgid;/**< creator */
    int32_t  lspid;     /**< pid of the last send, 0 = none */
    int32_t  lrpid;     /**< pid of the last receive, 0 = none */
    uint32_t reserved;  /**< 0; keeps the 64-bit fields aligned without implicit padding */
    uint64_t messages;  /**< messages in the queue (msg_qnum) */
    uint64_t bytes;     /**< payload bytes in the queue (msg_cbytes) */
    uint64_t qbytes;    /**< capacity in bytes, also the message count limit (msg_qbytes) */
    int64_t  stime_ns;  /**< last send */
    int64_t  rtime_ns;  /**< last receive */
    int64_t  ctime_ns;  /**< creation or last IPC_SET */
} svipc_msg_info;

/** Create or open the queue for key. flags: SVIPC_CREATE, SVIPC_EXCLUSIVE.
 *  mode: permission bits (<= 0777), SVIPC_MODE_DEFAULT for 0600.
 *  SVIPC_KEY_PRIVATE always creates.
 *  Errors: -EINVAL ret_msg NULL, unknown flag, mode > 0777, SVIPC_EXCLUSIVE
 *  without SVIPC_CREATE; -ENOENT no queue for key and no SVIPC_CREATE;
 *  -EEXIST SVIPC_EXCLUSIVE and it exists; -EACCES mode forbids access;
 *  -ENOSPC kernel.msgmni queues reached; -ENOMEM no memory. */
SVIPC_API int svipc_msg_open(int32_t key, uint32_t flags, uint32_t mode, svipc_msg **ret_msg);

/** Open a handle on an existing queue by id (as listed by ipcs -q).
 *  Errors: -EINVAL ret_msg NULL, id negative or no queue with that id;
 *  -EACCES no read permission. */
SVIPC_API int svipc_msg_open_id(int32_t msqid, svipc_msg **ret_msg);

/** Release a handle; never removes the queue. Accepts NULL. Returns NULL. */
SVIPC_API svipc_msg *svipc_msg_close(svipc_msg *msg);

/** The queue's msqid, or -EINVAL for a NULL handle. */
SVIPC_API int svipc_msg_id(const svipc_msg *msg);

/** Send size bytes from data as a message of the given type (> 0).
 *  flags: 0 or SVIPC_INTERRUPTIBLE. timeout_ns: how long to wait while the
 *  queue is full (see the header comment). data may be NULL when size is 0.
 *  Errors: -EINVAL NULL handle, data NULL with size > 0, type <= 0, unknown
 *  flag, timeout below -1; -E2BIG size above kernel.msgmax, or above the
 *  queue's qbytes (it could never fit); -EAGAIN queue full and timeout 0;
 *  -ETIMEDOUT still full at the deadline; -EINTR a signal, with
 *  SVIPC_INTERRUPTIBLE; -EACCES no write permission; -EIDRM the queue was
 *  removed (also while waiting); -ENOMEM kernel out of memory; -ECHILD
 *  handle from the parent process. */
SVIPC_API int svipc_msg_send(svipc_msg *msg, int64_t type, const void *data, uint64_t size, uint32_t flags,
                             int64_t timeout_ns);

/** Receive a message chosen by type into buf (capacity bytes) and remove it
 *  from the queue. Returns the payload length (<= capacity) and, if ret_type
 *  is not NULL, stores the message's type there.
 *  type: 0 the oldest message; > 0 the oldest of exactly that type (with
 *  SVIPC_EXCEPT: of any other type); < 0 the oldest of the lowest type
 *  <= |type|. With SVIPC_PEEK, type is a position in the queue (0 = oldest,
 *  whatever its type) and the message is copied, not removed.
 *  flags: SVIPC_EXCEPT, SVIPC_TRUNCATE, SVIPC_PEEK, SVIPC_INTERRUPTIBLE.
 *  A message longer than capacity stays in the queue and gives -E2BIG,
 *  unless SVIPC_TRUNCATE: then its first capacity bytes are returned and the
 *  rest is lost. buf may be NULL when capacity is 0.
 *  Errors: -EINVAL NULL handle, buf NULL with capacity > 0, capacity above
 *  INT64_MAX, unknown flag, SVIPC_EXCEPT with type <= 0, SVIPC_PEEK with
 *  SVIPC_EXCEPT, a negative position or timeout not 0, timeout below -1;
 *  -ENOMSG no matching message and timeout 0 (or no message at that
 *  position, SVIPC_PEEK); -ETIMEDOUT none arrived by the deadline; -E2BIG
 *  the matching message is longer than capacity (it stays queued); -EINTR a
 *  signal, with SVIPC_INTERRUPTIBLE; -EACCES no read permission; -EIDRM the
 *  queue was removed (also while waiting); -ENOSYS SVIPC_PEEK on a kernel
 *  without MSG_COPY; -ENOMEM out of memory for the bounce buffer; -ECHILD. */
SVIPC_API int64_t svipc_msg_receive(svipc_msg *msg, int64_t type, void *buf, uint64_t capacity, uint32_t flags,
                                    int64_t timeout_ns, int64_t *ret_type);

/** The arguments of svipc_msg_send() / svipc_msg_receive() bound once and
 *  passed by address, for callers where each argument of a call costs (from
 *  Python through ctypes ~25 ns an argument). The caller owns the block;
 *  nothing keeps it. 56 bytes, no padding. */
typedef struct svipc_msg_call {
    svipc_msg *msg;      /**< the queue's handle */
    int64_t type;        /**< as for svipc_msg_send() / svipc_msg_receive() */
    void *buf;           /**< receive: the destination (send takes data as its argument) */
    uint64_t size;       /**< send: the payload length; receive: the capacity of buf */
    uint32_t flags;      /**< as for svipc_msg_send() / svipc_msg_receive() */
    uint32_t reserved;   /**< 0 */
    int64_t timeout_ns;  /**< as for svipc_msg_send() / svipc_msg_receive() */
    int64_t ret_type;    /**< receive: set to the type of the message received (untouched on failure) */
} svipc_msg_call;

/** svipc_msg_send(call->msg, call->type, data, call->size, call->flags,
 *  call->timeout_ns): data is an argument because it changes every call.
 *  Same results and errors, plus -EINVAL for a NULL call or reserved not 0. */
SVIPC_API int svipc_msg_send_call(const svipc_msg_call *call, const void *data);

/** svipc_msg_receive(call->msg, call->type, call->buf, call->size,
 *  call->flags, call->timeout_ns, &call->ret_type): same results and
 *  errors, plus -EINVAL for a NULL call or reserved not 0. */
SVIPC_API int64_t svipc_msg_receive_call(svipc_msg_call *call);

/** Fill *ret_info from IPC_STAT. Errors: -EINVAL NULL argument; -EACCES no
 *  read permission; -EIDRM the queue was removed; -ECHILD. */
SVIPC_API int svipc_msg_stat(svipc_msg *msg, svipc_msg_info *ret_info);

/** Fill *ret_info for the queue with this id. Errors: -EINVAL NULL ret_info,
 *  negative id or no such id; -EACCES no read permission. */
SVIPC_API int svipc_msg_stat_id(int32_t msqid, svipc_msg_info *ret_info);

/** Set the queue's capacity (IPC_SET msg_qbytes): the most payload bytes and
 *  the most messages it holds. Lowering it below the current contents keeps
 *  them; senders wait until the queue drains below the new value.
 *  Errors: -EINVAL NULL handle, qbytes 0; -EPERM above kernel.msgmnb without
 *  CAP_SYS_RESOURCE, or not the owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_msg_set_capacity(svipc_msg *msg, uint64_t qbytes);

/** Change the permission bits (IPC_SET). Errors: -EINVAL NULL handle or
 *  mode > 0777; -EPERM not owner/creator/privileged; -EIDRM; -ECHILD. */
SVIPC_API int svipc_msg_set_mode(svipc_msg *msg, uint32_t mode);

/** Remove the queue now (IPC_RMID): queued messages are discarded, every
 *  blocked sender and receiver gets -EIDRM, later calls on any handle get
 *  -EIDRM. Errors: -EINVAL NULL handle; -EPERM not owner/creator/privileged;
 *  -EIDRM already removed; -ECHILD. */
SVIPC_API int svipc_msg_remove(svipc_msg *msg);

/** Remove the queue with this id (see svipc_msg_remove).
 *  Errors: -EINVAL negative id or no such id; -EPERM not allowed. */
SVIPC_API int svipc_msg_remove_id(int32_t msqid);

SVIPC_END_DECLS

#endif /* SVIPC_MSG_H */
