/* svipc — channels: the newest value of a topic, shared through one segment.
 *
 * A channel is a named System V shared memory segment holding a small
 * versioned header and a ring of buffer_num slots, each able to hold one
 * fixed-size value (payload_size bytes of an agreed element type). A
 * publisher writes each new value into the next slot and then advances a
 * "latest" index; readers copy the newest complete value and check the
 * slot's sequence word afterwards, so a read is never torn and never goes
 * backwards, and a publisher never waits for readers. doc/channel.md explains
 * the layout and justifies every memory ordering.
 *
 * Writers: a handle publishes as the channel's exclusive writer by default
 * (the first publish takes the channel's writer lock, a System V semaphore
 * with SEM_UNDO, and keeps it until close or process death; publishing then
 * costs no system call). SVIPC_CHANNEL_SHARED_WRITER instead takes the lock
 * around each publish, so several processes can publish to one channel.
 *
 * Handles are tied to the process that opened them (-ECHILD after fork);
 * one handle may be used by one thread at a time.
 *
 * Trust: every process with write permission on the segment can write any
 * byte of it. svipc validates the header once at open and keeps the sizes in
 * the handle, so whatever such a peer writes later, calls never access
 * memory outside the mapping or the caller's buffers and always return within
 * their bound (timeout, or SVIPC_CHANNEL_RETRY_BUDGET_NS); they may return
 * wrong values or the errors listed per function. doc/security.md.
 */
#ifndef SVIPC_CHANNEL_H
#define SVIPC_CHANNEL_H

#include <svipc/common.h>
#include <svipc/shm.h> /* SVIPC_CREATE, SVIPC_EXCLUSIVE, SVIPC_MODE_DEFAULT */

SVIPC_BEGIN_DECLS

typedef struct svipc_channel svipc_channel;

/* Open flags (svipc_channel_open). SVIPC_CREATE (0x1) and SVIPC_EXCLUSIVE
 * (0x2) keep their shm.h meaning; channel bits start at 0x01000000 so they
 * never clash with the shm, sem or msg flag ranges. */
#define SVIPC_CHANNEL_SHARED_WRITER 0x01000000u /**< take the writer lock around every publish
                                                     (several writing processes) instead of
                                                     holding it from the first publish to close */

/* Wait flags (svipc_channel_wait, svipc_channel_wait_read). */
#define SVIPC_CHANNEL_SPIN          0x02000000u /**< spin until the timeout, never sleep */
/* SVIPC_INTERRUPTIBLE (common.h, 0x00020000): a signal ends the wait with -EINTR. */

/* Element types: a tag stored in the header so that a reader expecting
 * doubles cannot open a channel of int64. Tags >= SVIPC_CHANNEL_TYPE_USER
 * are free for applications (the Python wrapper derives them from a
 * struct's fields or a numpy dtype and shape). */
#define SVIPC_CHANNEL_TYPE_BYTES    0u          /**< opaque bytes */
#define SVIPC_CHANNEL_TYPE_BOOL     1u          /**< one byte, 0 or 1 */
#define SVIPC_CHANNEL_TYPE_INT64    2u          /**< int64_t, native byte order */
#define SVIPC_CHANNEL_TYPE_FLOAT64  3u          /**< IEEE double, native byte order */
#define SVIPC_CHANNEL_TYPE_USER     0x10000u    /**< first application-defined tag */
#define SVIPC_CHANNEL_TYPE_ANY      0xffffffffu /**< when opening an existing channel: accept any type */

/* Names and schemas (doc/channel.md, "Names and schemas"). A channel's
 * segment stores its name (empty for channels opened by key) and a schema:
 * printable ASCII text in numpy's dtype terms ("<f8", "(3,)<f8",
 * "{\"names\":[...],\"formats\":[...],\"offsets\":[...],\"itemsize\":24}") that
 * the library stores, hashes (64-bit FNV-1a) and compares but never parses.
 * Channels created without a schema get their type's: BOOL "|b1", INT64
 * "<i8", FLOAT64 "<f8", BYTES and application tags "|V<payload_size>". */
#define SVIPC_CHANNEL_NAME_MAX   255u  /**< bytes of a channel name, NUL excluded */
#define SVIPC_CHANNEL_SCHEMA_MAX 2047u /**< bytes of a schema, NUL excluded */

#define SVIPC_CHANNEL_DEFAULT_BUFFERS 3u         /**< buffer_num 0 when creating means this */
#define SVIPC_CHANNEL_MAX_BUFFERS     65535u
#define SVIPC_CHANNEL_ANY_AGE         ((int64_t)-1) /**< max_age_ns: no freshness check */
#define SVIPC_CHANNEL_INIT_TIMEOUT_NS ((int64_t)1000000000) /**< how long open waits for
                                                                 another process to finish initialising */
#define SVIPC_CHANNEL_LOCK_TIMEOUT_NS ((int64_t)1000000000) /**< how long a shared writer waits
                                                                 for the writer lock */
#define SVIPC_CHANNEL_DEFAULT_SPIN_NS ((int64_t)50000) /**< how long a wait spins before it sleeps */
#define SVIPC_CHANNEL_RETRY_BUDGET_NS ((int64_t)10000000) /**< how long a read or peek keeps retrying
                                                               while the newest value is being
                                                               overwritten (then -EAGAIN) */

/** Success value of svipc_channel_read(): a value was copied but it is older than max_age_ns. */
#define SVIPC_CHANNEL_STALE 1

/** What a read learned besides the value. Times are CLOCK_MONOTONIC nanoseconds
 *  (the same clock in every process of the machine). */
typedef struct svipc_channel_read_info {
    uint64_t sequence;        /**< 1 for the first value ever published, then +1 per publish */
    int64_t  publish_time_ns; /**< when the publisher started writing the value */
    uint64_t missed;          /**< values published since this handle's previous read that
                                   it never returned (0 for a reader that keeps up) */
    int64_t  age_ns;          /**< now - publish_time_ns, computed only when max_age_ns >= 0, else 0 */
} svipc_channel_read_info;

/** A snapshot of a channel's header and kernel objects. */
typedef struct svipc_channel_info {
    int32_t  key;              /**< the segment's key (0 for SVIPC_KEY_PRIVATE) */
    int32_t  shm_id;           /**< the segment's shmid */
    int32_t  sem_id;           /**< the writer lock's semid */
    uint32_t type;             /**< element type tag */
    uint64_t payload_size;     /**< bytes per value */
    uint32_t buffer_num;       /**< slots in the ring */
    uint32_t layout_version;   /**< version of the shared layout */
    uint64_t latest_sequence;  /**< sequence of the newest complete value, 0 = none yet */
    int64_t  latest_publish_time_ns; /**< its publish time, 0 = none yet */
    uint32_t sleepers;         /**< readers asleep in svipc_channel_wait right now */
    int32_t  writer_pid;       /**< pid holding the writer lock, 0 if nobody */
    uint64_t segment_size;     /**< bytes of the whole segment */
    uint32_t pinned_slots;     /**< slots held by pinning readers right now (svipc_channel_acquire) */
    uint32_t attached;         /**< attachments of the segment (shm_nattch, IPC_STAT at the call):
                                    the processes that have the channel open, this one included */
    int64_t  created_time_ns;  /**< CLOCK_REALTIME ns when the channel was initialised */
    uint64_t schema_hash;      /**< 64-bit FNV-1a of the schema text */
} svipc_channel_info;

/** Open (and with SVIPC_CREATE, create and initialise) the channel named
 *  `name` (key = svipc_key_from_name(name)). Any number of processes may
 *  open the same channel concurrently with SVIPC_CREATE: exactly one
 *  initialises it, the others wait up to SVIPC_CHANNEL_INIT_TIMEOUT_NS.
 *  type: an element type tag, or SVIPC_CHANNEL_TYPE_ANY to accept the
 *  existing channel's type (not when creating). payload_size: bytes per
 *  value; 0 accepts the existing channel's size (not when creating).
 *  buffer_num: slots; 0 means the existing channel's count, or
 *  SVIPC_CHANNEL_DEFAULT_BUFFERS when creating. Readers need no writer
 *  lock; the sem set is created with the channel. Flags: SVIPC_CREATE,
 *  SVIPC_EXCLUSIVE, SVIPC_CHANNEL_SHARED_WRITER. mode: permission bits
 *  (<= 0777) for the segment and the writer lock, SVIPC_MODE_DEFAULT = 0600.
 *  Errors: -EINVAL NULL or empty name, a name longer than
 *  SVIPC_CHANNEL_NAME_MAX, NULL ret_channel, unknown flag, mode > 0777, buffer_num > SVIPC_CHANNEL_MAX_BUFFERS, type ANY or size 0 with
 *  SVIPC_CREATE on a channel that does not exist yet, or the existing
 *  channel has another payload size, type or buffer count than requested
 *  (the message names both); -EPROTO the segment with that key is not a
 *  svipc channel, has another layout version, or its header fails
 *  validation (sizes, counts or stride that do not fit the segment, a
 *  stored name or schema of bad length, terminator, bytes or hash, a
 *  writer-lock semid that does not name a private one-semaphore set of the
 *  segment's creator, an init word reset under an initialised header);
 *  -EIDRM the writer lock named in the header no longer exists (the channel
 *  is being removed); -ENOENT no channel and no
 *  SVIPC_CREATE; -EEXIST SVIPC_EXCLUSIVE and it exists, or the key holds
 *  a channel stored under another name (two names whose keys collide are
 *  never shared); -ETIMEDOUT another
 *  process is still initialising it after SVIPC_CHANNEL_INIT_TIMEOUT_NS;
 *  -EACCES mode forbids access; -ENOSPC, -ENOMEM system limits. */
SVIPC_API int svipc_channel_open(const char *name, uint32_t type, uint64_t payload_size, uint32_t buffer_num,
                                 uint32_t flags, uint32_t mode, svipc_channel **ret_channel);

/** As svipc_channel_open() with an explicit key. SVIPC_KEY_PRIVATE creates
 *  a channel reachable only through this handle and its children (tests).
 *  Errors: as svipc_channel_open(). */
SVIPC_API int svipc_channel_open_key(int32_t key, uint32_t type, uint64_t payload_size, uint32_t buffer_num,
                                     uint32_t flags, uint32_t mode, svipc_channel **ret_channel);

/** svipc_channel_open() with a schema (numpy dtype text, see above; NULL:
 *  the type's default when creating, any schema when opening). Creating:
 *  stores name and schema; the library does not parse schemas, so give the
 *  type tag and payload_size (the dtype's itemsize; 0 is refused as in
 *  svipc_channel_open). Opening an existing channel: a non-NULL schema must
 *  be the same text as the stored one, else -EINVAL with a message naming
 *  both. The stored name is compared with `name` at every open: two names
 *  whose keys collide are never mixed up (-EEXIST naming the other).
 *  Errors: those of svipc_channel_open(), and -EINVAL a schema that is
 *  empty, longer than SVIPC_CHANNEL_SCHEMA_MAX or not printable ASCII, or
 *  other than the stored one; -EINVAL a name longer than
 *  SVIPC_CHANNEL_NAME_MAX; -EEXIST the key holds a channel of another name. */
SVIPC_API int svipc_channel_open_schema(const char *name, uint32_t type, const char *schema, uint64_t payload_size,
                                        uint32_t buffer_num, uint32_t flags, uint32_t mode,
                                        svipc_channel **ret_channel);

/** Copy the channel's name (as stored in its header, validated at open; ""
 *  for a channel opened by key) into buf, NUL-terminated. Returns its length
 *  in bytes (NUL excluded). SVIPC_CHANNEL_NAME_MAX + 1 bytes always suffice.
 *  Errors: -EINVAL NULL handle or buf; -ERANGE capacity below length + 1
 *  (nothing written). */
SVIPC_API int svipc_channel_name(const svipc_channel *channel, char *buf, uint64_t capacity);

/** Copy the channel's schema (as stored in its header, validated at open)
 *  into buf, NUL-terminated. Returns its length in bytes (NUL excluded).
 *  SVIPC_CHANNEL_SCHEMA_MAX + 1 bytes always suffice.
 *  Errors: -EINVAL NULL handle or buf; -ERANGE capacity below length + 1
 *  (nothing written). */
SVIPC_API int svipc_channel_schema(const svipc_channel *channel, char *buf, uint64_t capacity);

/** Release a handle: gives up the writer lock if this handle holds it and
 *  detaches the segment. Never removes the channel. Accepts NULL; returns NULL. */
SVIPC_API svipc_channel *svipc_channel_close(svipc_channel *channel);

/** Remove the channel's segment and writer lock (IPC_RMID). Handles already
 *  open keep working on the removed segment until closed; a later open with
 *  SVIPC_CREATE makes a new channel. Errors: -EINVAL NULL handle; -EPERM not
 *  the owner/creator; -EIDRM already removed; -ECHILD. */
SVIPC_API int svipc_channel_remove(svipc_channel *channel);

/** Remove the channel named `name` without opening it as a reader or writer.
 *  The writer lock is removed only if the header's semid names a channel
 *  writer lock of the segment's creator (see svipc_channel_open).
 *  Errors: -EINVAL NULL or empty name; -ENOENT no segment with that key;
 *  -EPROTO the segment is not a svipc channel, or its header names a
 *  semaphore set that is not its writer lock (both left alone); -EEXIST
 *  the key holds a channel stored under another name (left alone);
 *  -EACCES; -EPERM. */
SVIPC_API int svipc_channel_remove_name(const char *name);

/** Publish one value of exactly payload_size bytes. Never waits for
 *  readers. The first publish through an exclusive-writer handle takes the
 *  writer lock (one semop); later ones make no system call.
 *  *ret_sequence (may be NULL) gets the value's sequence number.
 *  Errors: -EINVAL NULL handle or data, size != payload_size; -EBUSY another
 *  process holds the writer lock (the message names its pid; for an
 *  exclusive writer at once, for a shared writer after
 *  SVIPC_CHANNEL_LOCK_TIMEOUT_NS); -ENOBUFS every slot the value could go
 *  to is pinned by readers (svipc_channel_acquire; the value is not
 *  published); -EIDRM the writer lock was removed; -EINVAL also while a
 *  loan is outstanding on this handle; -ECHILD handle from the parent
 *  process. */
SVIPC_API int svipc_channel_publish(svipc_channel *channel, const void *data, uint64_t size, uint64_t *ret_sequence);

/** Copy the newest complete value into buffer (capacity >= payload_size).
 *  max_age_ns: SVIPC_CHANNEL_ANY_AGE, or the oldest acceptable age.
 *  Returns 0, or SVIPC_CHANNEL_STALE when the newest value is older than
 *  max_age_ns (the value and *ret_info are still filled). ret_info may be NULL.
 *  Only payload_size bytes of buffer are ever written.
 *  Errors: -ENODATA nothing was ever published (buffer untouched: it keeps
 *  the caller's default); -EINVAL NULL handle or buffer, capacity too small;
 *  -EAGAIN the publisher kept overwriting the newest value while it was
 *  copied, for SVIPC_CHANNEL_RETRY_BUDGET_NS (retry; more buffers make it
 *  rarer); -EPROTO the newest slot never became consistent while the
 *  sequence stood still (corrupt segment); -ECHILD. After -EAGAIN or
 *  -EPROTO the buffer may hold a torn value: do not use it. */
SVIPC_API int svipc_channel_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t max_age_ns,
                                 svipc_channel_read_info *ret_info);

/** Bind a destination to this handle for svipc_channel_read_bound(): the
 *  buffer, its capacity, max_age_ns and the info struct that
 *  svipc_channel_read() would take each time. Made for callers where each
 *  argument of a call costs (from Python via ctypes a call costs ~25 ns per
 *  argument), so a polling loop passes one pointer per read. Binding again
 *  replaces the binding. The handle keeps the pointers, not copies: buffer
 *  and info must stay valid until the handle is closed or bound again.
 *  ret_info may be NULL.
 *  Errors: -EINVAL NULL handle or buffer, capacity below payload_size;
 *  -ECHILD. */
SVIPC_API int svipc_channel_bind_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t max_age_ns,
                                      svipc_channel_read_info *ret_info);

/** svipc_channel_read() with the arguments of the last
 *  svipc_channel_bind_read() on this handle: same results and errors, plus
 *  -EINVAL when nothing was bound. */
SVIPC_API int svipc_channel_read_bound(svipc_channel *channel);

/** Bind a source to this handle for svipc_channel_publish_bound(): the data
 *  and size that svipc_channel_publish() would take each time, so a caller
 *  that writes each value into one buffer (Python's Publisher) passes one
 *  pointer per publish. Binding again replaces the binding. The handle
 *  keeps the pointer, not a copy: data must stay valid until the handle is
 *  closed or bound again.
 *  Errors: -EINVAL NULL handle or data, size not payload_size; -ECHILD. */
SVIPC_API int svipc_channel_bind_publish(svipc_channel *channel, const void *data, uint64_t size);

/** svipc_channel_publish() of the bound source without the sequence (read
 *  it with svipc_channel_latest()): same errors, plus -EINVAL when nothing
 *  was bound. */
SVIPC_API int svipc_channel_publish_bound(svipc_channel *channel);

/** Wait until the channel holds a value with sequence > after_sequence
 *  (0 = any value). Spins for the handle's spin time (default
 *  SVIPC_CHANNEL_DEFAULT_SPIN_NS), then sleeps on a futex in the segment;
 *  publishers wake sleepers only when the segment says someone sleeps.
 *  SVIPC_CHANNEL_SPIN spins for the whole timeout instead. timeout_ns as
 *  everywhere (SVIPC_WAIT_FOREVER, 0 = check once, > 0 relative); a signal
 *  resumes the wait unless SVIPC_INTERRUPTIBLE. Returns 0 once a newer
 *  value exists (read it with svipc_channel_read()). The wait ends by its
 *  deadline whatever the segment's wake word and sleeper count hold.
 *  Errors: -EAGAIN timeout 0 and nothing newer; -ETIMEDOUT; -EINTR a signal
 *  and SVIPC_INTERRUPTIBLE; -EINVAL NULL handle, unknown flag; -ECHILD. */
SVIPC_API int svipc_channel_wait(svipc_channel *channel, uint64_t after_sequence, int64_t timeout_ns, uint32_t flags);

/** Wait for a value newer than the last one this handle read (any value if it
 *  never read), then read it as svipc_channel_read() with no age limit. The
 *  read's retries end at the wait's deadline (for timeout 0, after 64
 *  looks) or after SVIPC_CHANNEL_RETRY_BUDGET_NS, whichever comes first, so
 *  the call returns within about timeout_ns.
 *  Errors: those of svipc_channel_wait() and svipc_channel_read(), with
 *  -ETIMEDOUT (-EAGAIN for timeout 0) also when the publisher kept
 *  overwriting the value until the deadline. */
SVIPC_API int svipc_channel_wait_read(svipc_channel *channel, void *buffer, uint64_t capacity, int64_t timeout_ns,
                                      uint32_t flags, svipc_channel_read_info *ret_info);

/** Read every value still in the ring with sequence > after_sequence, oldest
 *  first: value i goes to buffer + i * payload_size and infos[i] describes it.
 *  At most max_count values and capacity / payload_size values are copied
 *  (the newest ones when there are more). A value that the publisher
 *  overwrites while it is being copied is dropped, never returned torn.
 *  *ret_missed (may be NULL) gets how many values after after_sequence were
 *  not returned (overwritten before they could be read, or beyond
 *  max_count). Returns the number of values copied (0 if none are newer),
 *  never more than min(max_count, capacity / payload_size, buffer_num),
 *  whatever sequence numbers the segment holds; nothing beyond that many
 *  values and infos is written. Never retries.
 *  Errors: -EINVAL NULL handle, buffer or infos, max_count 0 or capacity
 *  below payload_size; -ECHILD. */
SVIPC_API int svipc_channel_read_history(svipc_channel *channel, uint64_t after_sequence, void *buffer,
                                         uint64_t capacity, svipc_channel_read_info *infos, uint32_t max_count,
                                         uint64_t *ret_missed);

/** Zero-copy read: point *ret_data at the newest complete value where it
 *  lies in the channel's slot (payload_size bytes, read-only) and fill
 *  *ret_info as svipc_channel_read() does (ret_info->sequence is the value's
 *  sequence number). Nothing is copied, so nothing stops the publisher from
 *  reusing the slot: the bytes at *ret_data may change at any moment once
 *  the publisher starts the buffer_num-th publish after this value (after
 *  buffer_num - 1 newer values; with buffer_num 1, at the next publish).
 *  Use the data in place (read it, compute from it, copy what you keep),
 *  then call svipc_channel_peek_valid(channel, ret_info->sequence): only a
 *  result of 1 *after* the use proves that everything read was that one
 *  complete value. On 0, discard what was computed and peek again. Until it
 *  has been validated, treat the data as untrusted (do not follow pointers
 *  or index arrays with it unchecked). The pointer stays mapped until the
 *  handle is closed. max_age_ns as in svipc_channel_read().
 *  Returns 0, or SVIPC_CHANNEL_STALE when the value is older than max_age_ns
 *  (*ret_data and *ret_info are still filled).
 *  Errors: -ENODATA nothing was ever published (outputs untouched);
 *  -EINVAL NULL handle, ret_data or ret_info; -EAGAIN and -EPROTO as for
 *  svipc_channel_read() (outputs untouched); -ECHILD. */
SVIPC_API int svipc_channel_peek(svipc_channel *channel, int64_t max_age_ns, const void **ret_data,
                                 svipc_channel_read_info *ret_info);

/** After using data from svipc_channel_peek(): 1 if the slot still holds
 *  value `sequence`, unchanged since the peek (so what was read from it was
 *  consistent), 0 if the publisher has overwritten it or is overwriting it.
 *  One fence and one load; no system call.
 *  Errors: -EINVAL NULL handle or sequence 0; -ECHILD. */
SVIPC_API int svipc_channel_peek_valid(svipc_channel *channel, uint64_t sequence);

/** Loaned publish, step 1: point *ret_data at the payload area
 *  (payload_size bytes, 64-byte aligned, writable) of the slot the next value
 *  goes to, for the caller to write the value in place; then publish it with
 *  svipc_channel_commit() or drop it with svipc_channel_abandon(). Nothing
 *  is copied. Takes the writer lock as svipc_channel_publish() does (a
 *  shared writer holds it until the commit or abandon). Slots pinned by
 *  readers (svipc_channel_acquire) are skipped, and so are their sequence
 *  numbers: those values never exist (readers count them in `missed`). With
 *  buffer_num >= pinning readers + 2 a free slot always exists. A process
 *  killed before the commit leaves that slot invisible to readers, as a
 *  writer killed mid-publish does. The publish time is when the loan began.
 *  Errors: -ENOBUFS every slot the value could go to is pinned (dead
 *  readers' pins are reclaimed first); -EINVAL NULL argument, a loan already
 *  outstanding on this handle, buffer_num 1; -EBUSY another writer holds the
 *  lock; -EIDRM the writer lock was removed; -ECHILD. */
SVIPC_API int svipc_channel_loan(svipc_channel *channel, void **ret_data);

/** Loaned publish, step 2: publish the value written into the loaned slot
 *  (it becomes the newest value, sleeping readers wake) and end the loan.
 *  *ret_sequence (may be NULL) gets its sequence number.
 *  Errors: -EINVAL NULL handle, no loan outstanding; -ECHILD. */
SVIPC_API int svipc_channel_commit(svipc_channel *channel, uint64_t *ret_sequence);

/** End the loan without publishing: readers never see what was written,
 *  `latest` is unchanged, the next publish reuses the slot. The slot's
 *  previous value is no longer readable (history).
 *  Errors: -EINVAL NULL handle, no loan outstanding; -ECHILD. */
SVIPC_API int svipc_channel_abandon(svipc_channel *channel);

/** Pinned read: point *ret_data at the newest complete value in its slot
 *  (payload_size bytes, read-only) and keep every publisher off that slot
 *  until svipc_channel_release(): the bytes cannot change meanwhile, so no
 *  validation afterwards and no retry. Fills *ret_info (may be NULL) and
 *  returns as svipc_channel_peek() does. One pin per handle at a time. The
 *  first acquire claims one of the channel's 64 pin records for the handle
 *  until it is closed; the record holds the pid and start time, so a
 *  reader killed while pinning loses its pin (any publisher or pinner that
 *  needs it reclaims it). Publishers skip pinned slots: create the channel
 *  with buffer_num >= pinning readers + 2, or publishes fail (see
 *  svipc_channel_loan) while every other slot is pinned. No system call
 *  and no copy, whatever the payload size, except at the first acquire of a
 *  handle: that one claims the record and makes one membarrier(2) call (a
 *  few microseconds), after which publishers fence fully until the handle
 *  is closed (doc/channel.md, "Pinned read").
 *  Errors: -ENODATA nothing was ever published (outputs untouched);
 *  -EINVAL NULL handle or ret_data, a pin already held by this handle;
 *  -EUSERS all 64 pin records are held by live handles; -EAGAIN the
 *  publisher kept overwriting the newest value for
 *  SVIPC_CHANNEL_RETRY_BUDGET_NS; -ECHILD. */
SVIPC_API int svipc_channel_acquire(svipc_channel *channel, int64_t max_age_ns, const void **ret_data,
                                    svipc_channel_read_info *ret_info);

/** End the pin of svipc_channel_acquire(): the slot may be overwritten from
 *  now on, so the pointer must not be used any more.
 *  Errors: -EINVAL NULL handle, no pin held; -ECHILD. */
SVIPC_API int svipc_channel_release(svipc_channel *channel);

/** Set how long svipc_channel_wait spins before sleeping (0 sleeps at once).
 *  Errors: -EINVAL NULL handle or spin_ns < 0. */
SVIPC_API int svipc_channel_set_spin(svipc_channel *channel, int64_t spin_ns);

/** The channel's payload size in bytes, 0 for a NULL handle. */
SVIPC_API uint64_t svipc_channel_payload_size(const svipc_channel *channel);

/** The sequence number of the newest complete value (0 = none yet), without
 *  copying it: one load. 0 for a NULL handle. */
SVIPC_API uint64_t svipc_channel_latest(const svipc_channel *channel);

/** Fill *ret_info from the header and the kernel objects. type,
 *  payload_size, buffer_num, layout_version, sem_id, created_time_ns and
 *  schema_hash are what this handle validated at open; latest_sequence,
 *  latest_publish_time_ns, sleepers and pinned_slots are the segment's words
 *  now (a peer may have written anything there); attached comes from
 *  IPC_STAT now. Nothing of this costs a publisher anything.
 *  Errors: -EINVAL NULL argument; -EIDRM the writer lock was removed; -ECHILD. */
SVIPC_API int svipc_channel_stat(svipc_channel *channel, svipc_channel_info *ret_info);

/** CLOCK_MONOTONIC now in nanoseconds: the clock of publish_time_ns. */
SVIPC_API int64_t svipc_channel_now_ns(void);

SVIPC_END_DECLS

#endif /* SVIPC_CHANNEL_H */
