/* A channel's segment seen as raw words, as any peer with write permission
 * can attach it: for tests that play a hostile peer or inspect header words
 * the public API does not report. */
#ifndef SVIPC_TESTS_RAW_CHANNEL_H
#define SVIPC_TESTS_RAW_CHANNEL_H

#include <svipc/svipc.h>

#include <stdint.h>

/* The shared layout, mirrored here to read and write where a peer would
 * (lib/channel/layout.hpp is the truth). */
enum {
    OFF_INIT_STATE = 0,
    OFF_MAGIC = 4,
    OFF_LAYOUT_VERSION = 8,
    OFF_ELEMENT_TYPE = 12,
    OFF_PAYLOAD_SIZE = 16,
    OFF_BUFFER_NUM = 24,
    OFF_WRITER_SEMID = 28,
    OFF_HEADER_SIZE = 32,
    OFF_SLOT_STRIDE = 40,
    OFF_LATEST = 64,
    OFF_WAKE_WORD = 128,
    OFF_SLEEPERS = 132,
    OFF_PINNED_MASK = 192,
    OFF_CLAIMED_MASK = 200,
    OFF_PIN_RECORDS = 256,
    OFF_NAME_LENGTH = 1280, /* the description (layout 4): lengths, hash, name, schema */
    OFF_SCHEMA_LENGTH = 1284,
    OFF_SCHEMA_HASH = 1288,
    OFF_NAME = 1344,
    OFF_SCHEMA = 1600,
    HEADER_SIZE = 3648,
    SLOT_HEADER = 64,
};

struct raw_segment {
    svipc_shm *shm;
    unsigned char *base;
    uint64_t size;
};

/* Attaches the channel's segment read-write (Check-asserts success). */
struct raw_segment attach_raw(svipc_channel *ch);
void detach_raw(struct raw_segment *raw);

void put32(struct raw_segment *raw, uint64_t offset, uint32_t value);
void put64(struct raw_segment *raw, uint64_t offset, uint64_t value);
uint64_t get64(struct raw_segment *raw, uint64_t offset);

#endif
