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

/* Decode from an exact-size heap copy, so any read past the end is caught. */
static enum bridge_wire_fault decode(const unsigned char *bytes, size_t length, struct bridge_wire_value *v)
{
    unsigned char *copy = malloc(length ? length : 1);
    memcpy(copy, bytes, length);
    enum bridge_wire_fault f = bridge_wire_decode(copy, length, MAX_PAYLOAD, v);
    if (f == BRIDGE_WIRE_OK)
        ck_assert_ptr_eq(v->payload, copy + BRIDGE_WIRE_HEADER_SIZE);
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
    ck_assert_int_eq(memcmp(buf, "SVBR\x01\x00\x80\x00", 8), 0); /* little-endian on the wire */
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
    buf[4] = 2;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_UNKNOWN_VERSION);
    ck_assert_int_eq(decode(buf, 7, &v), BRIDGE_WIRE_UNKNOWN_VERSION); /* a later format may be shorter */
    buf[4] = 1;
    buf[6] = 64;
    ck_assert_int_eq(decode(buf, n, &v), BRIDGE_WIRE_BAD_HEADER);
    buf[6] = 128;
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

/* Every prefix and random corruption of a valid message: a fault or a valid
 * value, never a read outside the copy (the sanitizer stages check that). */
START_TEST(any_bytes_are_classified)
{
    unsigned char buf[BRIDGE_WIRE_HEADER_SIZE + 64];
    struct bridge_wire_value v;
    size_t n = make(buf, "fuzz/t", 64, 64);
    for (size_t len = 0; len <= n; len++)
        ck_assert_int_eq(decode(buf, len, &v), len == n ? BRIDGE_WIRE_OK : len < 6    ? BRIDGE_WIRE_TRUNCATED
                                                                         : len < 128 ? BRIDGE_WIRE_TRUNCATED
                                                                                     : BRIDGE_WIRE_SIZE_MISMATCH);
    srand(7);
    for (int round = 0; round < 20000; round++) {
        unsigned char m[sizeof buf];
        memcpy(m, buf, n);
        for (int flips = 1 + rand() % 4; flips > 0; flips--)
            m[rand() % n] = (unsigned char)rand();
        enum bridge_wire_fault f = decode(m, (size_t)rand() % (n + 1), &v);
        ck_assert_int_lt(f, BRIDGE_WIRE_MULTIPART);
        if (f == BRIDGE_WIRE_OK)
            ck_assert(bridge_wire_topic_valid(v.topic, strlen(v.topic)));
    }
}
END_TEST

HARNESS_SUITE("bridge_wire")
{
    HARNESS_CASE("decode", 0, valid_round_trip, every_fault_kind, any_bytes_are_classified);
}
