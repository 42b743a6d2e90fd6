/* The bridge's wire decoder (tools/bridge/bridge_wire.c): every fault kind is
 * recognised, a valid message round-trips, and no input of any length or
 * content makes it read outside the message (ASan/valgrind watch the heap
 * copies it is given). It touches no IPC object; it runs under the same
 * harness as every suite. */
#include "bridge_wire.h"
#include "harness.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD 1024

static size_t make(unsigned char *buf, const char *topic, uint64_t payload_size, size_t body)
{
    struct bridge_wire_value v = {0};
    strcpy(v.topic, topic);
    v.type = 3;
    v.payload_size = payload_size;
    v.sequence = 42;
    v.publish_time_ns = -5;
    v.stream = 0x1122334455667788u;
    bridge_wire_encode_header(buf, &v);
    memset(buf + BRIDGE_WIRE_HEADER_SIZE, 0xab, body);
    return BRIDGE_WIRE_HEADER_SIZE + body;
}

/* Decode from an exact-size heap copy, so any read past the end is caught;
 * what it accepts points into the copy (a value's payload, a description's
 * text of the header's hash). */
static enum bridge_wire_fault decode(const unsigned char *bytes, size_t length, struct bridge_wire_value *v)
{
    unsigned char *copy = malloc(length ? length : 1);
    memcpy(copy, bytes, length);
    enum bridge_wire_fault f = bridge_wire_decode(copy, length, MAX_PAYLOAD, v);
    if (f == BRIDGE_WIRE_OK && (v->flags & BRIDGE_WIRE_FLAG_DESCRIPTION)) {
        ck_assert_ptr_null(v->payload);
        ck_assert_ptr_eq(v->schema, (const char *)copy + BRIDGE_WIRE_HEADER_SIZE);
        ck_assert_uint_eq(BRIDGE_WIRE_HEADER_SIZE + v->schema_length, length);
        ck_assert_uint_eq(bridge_wire_schema_hash(v->schema, v->schema_length), v->schema_hash);
    } else if (f == BRIDGE_WIRE_OK) {
        ck_assert_ptr_eq(v->payload, copy + BRIDGE_WIRE_HEADER_SIZE);
        ck_assert_ptr_null(v->schema);
    }
    free(copy);
    return f;
}

START_TEST(valid_round_trip)
{
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + 16];
    struct bridge_wire_value v;
    size_t n = make(buf, "robot/pose", 16, 16);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OK);
    ck_assert_str_eq(v.topic, "robot/pose");
    ck_assert_uint_eq(v.type, 3);
    ck_assert_uint_eq(v.payload_size, 16);
    ck_assert_uint_eq(v.sequence, 42);
    ck_assert_int_eq(v.publish_time_ns, -5);
    ck_assert_uint_eq(v.stream, 0x1122334455667788u);
    ck_assert_uint_eq(v.schema_hash, 0);
    ck_assert_ptr_null(v.schema);
    ck_assert_int_eq(memcmp(buf, "SVBR\x02\x00\x88\x00", 8), 0); /* little-endian on the wire */
}
END_TEST

START_TEST(every_fault_kind)
{
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + 2 * MAX_PAYLOAD];
    struct bridge_wire_value v;
    size_t n = make(buf, "t", 16, 16);
    ck_assert_int_eq(decode(buf, 5, &v), BRIDGE_WIRE_TRUNCATED);
    ck_assert_int_eq(decode(buf, BRIDGE_WIRE_HEADER_SIZE - 1, &v), BRIDGE_WIRE_TRUNCATED);
    ck_assert_int_eq(decode(buf, n - 1, &v), BRIDGE_WIRE_SIZE_MISMATCH);
    buf[0] = 'X';
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_MAGIC);
    buf[0] = 'S';
    buf[4] = 3;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_UNKNOWN_VERSION);
    ck_assert_int_eq(decode(buf, 7, &v), BRIDGE_WIRE_UNKNOWN_VERSION); /* a later format may be shorter */
    buf[4] = 1; /* format 1 (0.1, unreleased) is no longer spoken */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_UNKNOWN_VERSION);
    buf[4] = 2;
    buf[6] = 128; /* format 1's header size */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER);
    buf[6] = BRIDGE_WIRE_HEADER_SIZE;
    buf[14] = 0x80; /* unknown flag */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER);
    buf[14] = 0;
    n = make(buf, "t", 0, 0);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER);
    n = make(buf, "t", MAX_PAYLOAD + 1, MAX_PAYLOAD + 1);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OVERSIZED);
    n = make(buf, "t", 16, MAX_PAYLOAD + 1);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OVERSIZED);
    n = make(buf, "t", UINT64_MAX, 16);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OVERSIZED);
    n = make(buf, "t", 16, 16);
    buf[12] = 0; /* topic length 0 */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    buf[12] = BRIDGE_WIRE_TOPIC_MAX + 1;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    buf[12] = 0xff;
    buf[13] = 0xff;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    n = make(buf, "a b", 16, 16);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    n = make(buf, "ab", 16, 16);
    buf[48 + 5] = 'x'; /* bytes after the name must be zero */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    ck_assert_str_eq(bridge_wire_fault_name(BRIDGE_WIRE_SIZE_MISMATCH), "size_mismatch");
    ck_assert_str_eq(bridge_wire_fault_name((enum bridge_wire_fault)99), "unknown");
}
END_TEST

/* 20000 random corruptions (1..4 bytes) of the n-byte message `msg`, each
 * cut at a random length: a fault the decoder reports or an accepted message
 * inside its copy (decode() checks that; the sanitizer stages check reads). */
static void classify_corruptions(const unsigned char *msg, size_t n, unsigned seed)
{
    unsigned char m[BRIDGE_WIRE_HEADER_SIZE + 64];
    struct bridge_wire_value v;
    ck_assert_uint_le(n, sizeof m);
    srand(seed);
    for (int round = 0; round < 20000; round++) {
        memcpy(m, msg, n);
        for (int flips = 1 + rand() % 4; flips > 0; flips--)
            m[rand() % n] = (unsigned char)rand();
        enum bridge_wire_fault f = decode(m, (size_t)rand() % (n + 1), &v);
        ck_assert_int_lt(f, BRIDGE_WIRE_MULTIPART);
        if (f == BRIDGE_WIRE_OK)
            ck_assert(bridge_wire_topic_valid(v.topic, strlen(v.topic)));
    }
}

/* Every prefix and random corruption of a valid message: a fault or a valid
 * value, never a read outside the copy (the sanitizer stages check that). */
START_TEST(any_bytes_are_classified)
{
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + 64];
    struct bridge_wire_value v;
    size_t n = make(buf, "fuzz/t", 64, 64);
    for (size_t len = 0; len <= n; len++)
        ck_assert_int_eq(decode(buf, len, &v), len == n                         ? BRIDGE_WIRE_OK
                                               : len < BRIDGE_WIRE_HEADER_SIZE ? BRIDGE_WIRE_TRUNCATED
                                                                               : BRIDGE_WIRE_SIZE_MISMATCH);
    classify_corruptions(buf, n, 7);
}
END_TEST

/* A description message: header flagged BRIDGE_WIRE_FLAG_DESCRIPTION (the
 * value's type and size), then `length` bytes of `text` hashed as
 * `schema_hash` (0: the text's own hash). */
static size_t make_description(unsigned char *buf, const char *text, size_t length, uint64_t schema_hash,
                               uint32_t flags)
{
    struct bridge_wire_value v = {0};
    strcpy(v.topic, "robot/pose");
    v.type = 0x10000;
    v.flags = flags;
    v.payload_size = 24;
    v.sequence = 7;
    v.stream = 3;
    v.schema_hash = schema_hash ? schema_hash : bridge_wire_schema_hash(text, length);
    bridge_wire_encode_header(buf, &v);
    memcpy(buf + BRIDGE_WIRE_HEADER_SIZE, text, length);
    return BRIDGE_WIRE_HEADER_SIZE + length;
}

START_TEST(description_round_trip_and_faults)
{
    static const char pose[] = "{'names':['x','y','t'],'formats':['<f8','<f8','<f8'],'offsets':[0,8,16],'itemsize':24}";
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + BRIDGE_WIRE_SCHEMA_MAX + 2];
    struct bridge_wire_value v;
    /* the hash is FNV-1a 64, the library's schema_hash (lib/common/fnv1a.hpp) */
    ck_assert_uint_eq(bridge_wire_schema_hash("", 0), UINT64_C(14695981039346656037));
    ck_assert_uint_eq(bridge_wire_schema_hash("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
    size_t n = make_description(buf, pose, strlen(pose), 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OK); /* text and hash checked there */
    ck_assert_str_eq(v.topic, "robot/pose");
    ck_assert_uint_eq(v.type, 0x10000);
    ck_assert_uint_eq(v.flags, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_uint_eq(v.payload_size, 24); /* the value's size, not the text's */
    ck_assert_uint_eq(v.sequence, 7);
    ck_assert_uint_eq(v.schema_hash, bridge_wire_schema_hash(pose, strlen(pose)));
    ck_assert_uint_eq(v.schema_length, strlen(pose));
    /* a value carries the hash too */
    n = make(buf, "robot/pose", 16, 16);
    buf[128] = 0x5a;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OK);
    ck_assert_uint_eq(v.schema_hash, 0x5a);
    /* longest and shortest texts, a space and '~' are fine */
    char text[BRIDGE_WIRE_SCHEMA_MAX + 2];
    memset(text, '~', sizeof text);
    text[0] = ' ';
    n = make_description(buf, text, BRIDGE_WIRE_SCHEMA_MAX, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OK);
    n = make_description(buf, "|b1", 1, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OK);
    /* every fault edge */
    n = make_description(buf, text, BRIDGE_WIRE_SCHEMA_MAX + 1, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION); /* too long */
    n = make_description(buf, "", 0, 1, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION); /* empty */
    n = make_description(buf, "<f8", 3, 1, BRIDGE_WIRE_FLAG_DESCRIPTION);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION); /* another text's hash */
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    memset(buf + 128, 0, 8);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION); /* hash 0: no schema */
    static const char *const unprintable[] = {"<f\x1f", "<f\x7f", "<f\x80", "<f\n"};
    for (size_t i = 0; i < sizeof unprintable / sizeof *unprintable; i++) {
        n = make_description(buf, unprintable[i], 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
        ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION);
    }
    n = make_description(buf, "<f\0", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION); /* no NUL inside */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_DESCRIPTION);
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION | BRIDGE_WIRE_FLAG_REPEAT);
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER); /* never a repeat */
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    buf[16] = 0; /* value size 0 */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER);
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    buf[16] = 0xff;
    buf[17] = 0xff; /* a value size above the receiver's limit */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_OVERSIZED);
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    buf[4] = 1; /* a description on a format 1 header */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_UNKNOWN_VERSION);
    n = make_description(buf, "<f8", 3, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    buf[48] = ' '; /* the topic is checked as for a value */
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_TOPIC);
    ck_assert_str_eq(bridge_wire_fault_name(BRIDGE_WIRE_BAD_DESCRIPTION), "bad_description");
}
END_TEST

/* Every prefix and random corruption of a valid description: a fault or a
 * valid description inside the copy. */
START_TEST(any_description_bytes_are_classified)
{
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + 16];
    struct bridge_wire_value v;
    size_t n = make_description(buf, "(2,)<f8", 7, 0, BRIDGE_WIRE_FLAG_DESCRIPTION);
    for (size_t len = 0; len < n; len++)
        ck_assert_int_ne(decode(buf, len, &v), BRIDGE_WIRE_OK);
    classify_corruptions(buf, n, 11);
}
END_TEST

HARNESS_SUITE("bridge_wire")
{
    HARNESS_CASE("decode", 0, valid_round_trip, every_fault_kind, any_bytes_are_classified,
                 description_round_trip_and_faults, any_description_bytes_are_classified);
}
