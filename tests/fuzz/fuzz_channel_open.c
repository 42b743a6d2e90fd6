/* libFuzzer target: opening a channel over arbitrary segment contents, then
 * every reading call and a publish on it. The input is the whole segment
 * (its size is the input's size, at least 1 byte), made with plain shmget
 * under a fixed key in the private IPC namespace run_fuzz_target.sh gives.
 * The open must end in success or a documented error; whatever it opened
 * must then read, peek, wait, stat and publish without a crash, a sanitizer
 * report or a hang, and give only documented results.
 *
 * Two header words are patched, so that the fuzzer gets past open to the
 * reading code rather than spending itself on two early refusals:
 *  - init_state is forced to "ready": a segment claiming to be
 *    mid-initialisation by a live pid makes open wait its full timeout
 *    (1 s); that path is covered by tests/check_channel_hostile.c;
 *  - writer_lock_semid is set to a real writer-lock-shaped set made by this
 *    process (open refuses any other), unless the input's last byte is odd:
 *    then the header's own, hostile, semid is kept;
 *  - the schema hash (layout 4's description) is made the FNV-1a 64 of the
 *    schema text as its length word bounds it, unless the input's last
 *    byte has bit 1 set: a random 64-bit hash never matches, and the
 *    description's other checks (lengths, NULs, bytes) are what to explore;
 *  - the version word of the slot `latest` names is made consistent with
 *    `latest`: a slot that never becomes consistent costs each reading call
 *    its whole retry budget (SVIPC_CHANNEL_RETRY_BUDGET_NS, 10 ms), and
 *    inputs reaching that path (new coverage) soon made up most of the
 *    corpus, at ~250 executions/s. Hostile version words are the subject of
 *    tests/check_channel_hostile.c's scribbler; every other byte of the
 *    slots (publish times, payloads, the other slots' versions) stays
 *    arbitrary here. */
#include <svipc/svipc.h>
#include "../raw_channel.h" /* the layout offsets (header only: raw_channel.c is not linked) */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define FUZZ_KEY 0x0f022001
#define INIT_READY 2u /* channel_layout::init_ready */
#define MAX_SEGMENT (1u << 20)
/* Offsets and sizes of lib/channel/layout.hpp: the tests' one mirror. */
#define SCHEMA_FIELD (HEADER_SIZE - OFF_SCHEMA)
#define CACHE_LINE SLOT_HEADER

/* Make the schema hash match the schema text its length word bounds. */
static void make_schema_hash_match(unsigned char *bytes, size_t segment_size)
{
    if (segment_size < HEADER_SIZE)
        return;
    uint32_t length;
    memcpy(&length, bytes + OFF_SCHEMA_LENGTH, sizeof length);
    if (length >= SCHEMA_FIELD)
        return;
    uint64_t hash = 14695981039346656037ULL; /* FNV-1a 64 (lib/common/fnv1a.hpp) */
    for (uint32_t i = 0; i < length; i++) {
        hash ^= bytes[OFF_SCHEMA + i];
        hash *= 1099511628211ULL;
    }
    memcpy(bytes + OFF_SCHEMA_HASH, &hash, sizeof hash);
}

/* Make the slot that `latest` names hold `latest` complete, if the header's
 * sizes put that slot inside the segment. */
static void make_latest_slot_consistent(unsigned char *bytes, size_t segment_size)
{
    if (segment_size < HEADER_SIZE)
        return;
    uint64_t payload, latest;
    uint32_t buffers;
    memcpy(&payload, bytes + OFF_PAYLOAD_SIZE, sizeof payload);
    memcpy(&buffers, bytes + OFF_BUFFER_NUM, sizeof buffers);
    memcpy(&latest, bytes + OFF_LATEST, sizeof latest);
    if (buffers == 0 || payload == 0 || payload > MAX_SEGMENT || latest == 0)
        return;
    const uint64_t stride = CACHE_LINE + (payload + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    const uint64_t slot = HEADER_SIZE + (latest % buffers) * stride;
    if (slot > segment_size || segment_size - slot < sizeof(uint64_t))
        return;
    const uint64_t version = 2 * latest; /* complete_version(), wrapping as it does */
    memcpy(bytes + slot, &version, sizeof version);
}

static int writer_lock_semid = -1;

static void remove_writer_lock(void)
{
    if (writer_lock_semid >= 0)
        semctl(writer_lock_semid, 0, IPC_RMID);
}

/* One private one-semaphore set, as a channel's creator makes it. */
static int real_writer_lock(void)
{
    if (writer_lock_semid < 0) {
        writer_lock_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
        if (writer_lock_semid < 0)
            abort();
        atexit(remove_writer_lock);
    }
    return writer_lock_semid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding: say which call gave what, then crash so libFuzzer keeps the input. */
static void undocumented(const char *call, int rc)
{
    fprintf(stderr, "%s returned %d (%s): %s\n", call, rc, svipc_strerror(rc), svipc_last_error_message());
    abort();
}

static int documented_open_error(int rc)
{
    return rc == -EPROTO || rc == -EINVAL || rc == -EIDRM || rc == -ENOENT || rc == -ETIMEDOUT || rc == -EACCES ||
           rc == -ENOSPC || rc == -ENOMEM;
}

/* What channel.h documents for read, peek and wait_read on a valid handle. */
static int read_result(int rc)
{
    return rc == 0 || rc == SVIPC_CHANNEL_STALE || rc == -ENODATA || rc == -EAGAIN || rc == -EPROTO;
}

static void exercise(svipc_channel *channel)
{
    const uint64_t payload = svipc_channel_payload_size(channel);
    if (payload == 0 || payload > MAX_SEGMENT)
        abort(); /* open validated it against the segment */
    unsigned char *buffer = calloc(4, (size_t)payload);
    if (!buffer)
        return;
    svipc_channel_read_info info;
    int rc = svipc_channel_read(channel, buffer, payload, SVIPC_CHANNEL_ANY_AGE, &info);
    if (!read_result(rc))
        undocumented("svipc_channel_read", rc);
    /* A newest slot that never becomes consistent costs each reading call
     * its whole retry budget (SVIPC_CHANNEL_RETRY_BUDGET_NS, 10 ms): the
     * zero-copy and waiting reads follow only when read found it usable,
     * so the fuzzer's time goes to inputs that reach further. */
    const int slot_usable = rc != -EAGAIN && rc != -EPROTO;
    const void *view = NULL;
    rc = slot_usable ? svipc_channel_peek(channel, 0, &view, &info) : -ENODATA;
    if (rc >= 0) {
        /* Touch every byte of the view: it must lie inside the mapping. */
        unsigned sum = 0;
        for (uint64_t i = 0; i < payload; i++)
            sum += ((const unsigned char *)view)[i];
        buffer[0] = (unsigned char)sum;
        if (info.sequence != 0 && (unsigned)svipc_channel_peek_valid(channel, info.sequence) > 1)
            abort();
    } else if (!read_result(rc)) {
        undocumented("svipc_channel_peek", rc);
    }
    svipc_channel_read_info infos[4];
    uint64_t missed = 0;
    rc = svipc_channel_read_history(channel, 0, buffer, 4 * payload, infos, 4, &missed);
    if (rc < 0 || rc > 4)
        undocumented("svipc_channel_read_history", rc);
    rc = svipc_channel_wait(channel, svipc_channel_latest(channel), 0, 0);
    if (rc != 0 && rc != -EAGAIN)
        undocumented("svipc_channel_wait", rc);
    rc = slot_usable ? svipc_channel_wait_read(channel, buffer, payload, 0, 0, &info) : 0;
    if (!read_result(rc))
        undocumented("svipc_channel_wait_read", rc);
    svipc_channel_info stat;
    rc = svipc_channel_stat(channel, &stat);
    if (rc != 0 && rc != -EIDRM)
        undocumented("svipc_channel_stat", rc);
    /* Name and schema: C strings of at most the documented lengths. */
    char name[SVIPC_CHANNEL_NAME_MAX + 1], schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
    rc = svipc_channel_name(channel, name, sizeof name);
    if (rc < 0 || (size_t)rc != strlen(name))
        undocumented("svipc_channel_name", rc);
    rc = svipc_channel_schema(channel, schema, sizeof schema);
    if (rc <= 0 || (size_t)rc != strlen(schema))
        undocumented("svipc_channel_schema", rc);
    uint64_t sequence = 0;
    rc = svipc_channel_publish(channel, buffer, payload, &sequence);
    /* -ENOBUFS: the segment's pin mask and records say every other slot is
     * pinned by a live reader (channel.h documents it for publish). */
    if (rc != 0 && rc != -EBUSY && rc != -EIDRM && rc != -ENOBUFS)
        undocumented("svipc_channel_publish", rc);
    free(buffer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_SEGMENT)
        return 0;
    const size_t segment_size = size ? size : 1;
    const int shmid = shmget(FUZZ_KEY, segment_size, IPC_CREAT | IPC_EXCL | 0600);
    if (shmid < 0)
        abort(); /* a previous input's segment was left behind */
    unsigned char *bytes = shmat(shmid, NULL, 0);
    if (bytes == (void *)-1)
        abort();
    memcpy(bytes, data, size);
    if (segment_size >= sizeof(uint32_t)) {
        const uint32_t ready = INIT_READY;
        memcpy(bytes, &ready, sizeof ready);
    }
    if (segment_size >= OFF_WRITER_SEMID + sizeof(int32_t) && !(data[size - 1] & 1)) {
        const int32_t semid = real_writer_lock();
        memcpy(bytes + OFF_WRITER_SEMID, &semid, sizeof semid);
    }
    make_latest_slot_consistent(bytes, segment_size);
    if (size > 0 && !(data[size - 1] & 2))
        make_schema_hash_match(bytes, segment_size);
    shmdt(bytes);

    svipc_channel *channel = NULL;
    const int rc = svipc_channel_open_key(FUZZ_KEY, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &channel);
    if (rc == 0)
        exercise(channel);
    else if (!documented_open_error(rc) || channel != NULL)
        undocumented("svipc_channel_open_key", rc);
    svipc_channel_close(channel);
    shmctl(shmid, IPC_RMID, NULL);
    return 0;
}
