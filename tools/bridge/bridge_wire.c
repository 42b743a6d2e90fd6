/* svipc bridge — wire format encode/decode (see bridge_wire.h, doc/bridge.md). */
#include "bridge_wire.h"

#include <string.h>

/* Header offsets; every integer little-endian whatever the host. */
enum {
    OFF_MAGIC = 0,         /* 4 bytes "SVBR" */
    OFF_VERSION = 4,       /* u16 */
    OFF_HEADER_SIZE = 6,   /* u16 */
    OFF_TYPE = 8,          /* u32 element type */
    OFF_TOPIC_LENGTH = 12, /* u16 */
    OFF_FLAGS = 14,        /* u16 */
    OFF_PAYLOAD_SIZE = 16, /* u64 */
    OFF_SEQUENCE = 24,     /* u64 */
    OFF_PUBLISH_TIME = 32, /* i64 CLOCK_REALTIME ns */
    OFF_STREAM = 40,       /* u64 */
    OFF_TOPIC = 48,        /* BRIDGE_WIRE_TOPIC_MAX bytes, zero padded */
    OFF_SCHEMA_HASH = 128, /* u64 FNV-1a 64 of the schema text, 0 = none */
};
_Static_assert(OFF_TOPIC + BRIDGE_WIRE_TOPIC_MAX == OFF_SCHEMA_HASH, "header layout");
_Static_assert(OFF_SCHEMA_HASH + 8 == BRIDGE_WIRE_HEADER_SIZE, "header layout");

static void put_le(unsigned char *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static const char *const fault_names[BRIDGE_WIRE_FAULT_KINDS] = {
    [BRIDGE_WIRE_OK] = "ok",
    [BRIDGE_WIRE_TRUNCATED] = "truncated",
    [BRIDGE_WIRE_OVERSIZED] = "oversized",
    [BRIDGE_WIRE_BAD_MAGIC] = "bad_magic",
    [BRIDGE_WIRE_UNKNOWN_VERSION] = "unknown_version",
    [BRIDGE_WIRE_BAD_HEADER] = "bad_header",
    [BRIDGE_WIRE_SIZE_MISMATCH] = "size_mismatch",
    [BRIDGE_WIRE_BAD_TOPIC] = "bad_topic",
    [BRIDGE_WIRE_BAD_DESCRIPTION] = "bad_description",
    [BRIDGE_WIRE_MULTIPART] = "multipart",
};

const char *bridge_wire_fault_name(enum bridge_wire_fault fault)
{
    return (unsigned)fault < BRIDGE_WIRE_FAULT_KINDS ? fault_names[fault] : "unknown";
}

int bridge_wire_topic_valid(const char *topic, size_t length)
{
    if (length == 0 || length > BRIDGE_WIRE_TOPIC_MAX)
        return 0;
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)topic[i] < 0x21 || (unsigned char)topic[i] > 0x7e)
            return 0;
    return 1;
}

uint64_t bridge_wire_schema_hash(const char *text, size_t length)
{
    uint64_t hash = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)text[i];
        hash *= UINT64_C(1099511628211);
    }
    return hash;
}

/* A description's text: 1..BRIDGE_WIRE_SCHEMA_MAX printable ASCII bytes
 * (spaces allowed, no NUL) whose hash is the header's, which is not 0. */
static int description_valid(const unsigned char *text, size_t length, uint64_t schema_hash)
{
    if (length == 0 || length > BRIDGE_WIRE_SCHEMA_MAX || schema_hash == 0)
        return 0;
    for (size_t i = 0; i < length; i++)
        if (text[i] < 0x20 || text[i] > 0x7e)
            return 0;
    return bridge_wire_schema_hash((const char *)text, length) == schema_hash;
}

void bridge_wire_encode_header(unsigned char *out, const struct bridge_wire_value *value)
{
    size_t topic_length = strlen(value->topic);
    memset(out, 0, BRIDGE_WIRE_HEADER_SIZE);
    memcpy(out + OFF_MAGIC, BRIDGE_WIRE_MAGIC, 4);
    put_le(out + OFF_VERSION, BRIDGE_WIRE_VERSION, 2);
    put_le(out + OFF_HEADER_SIZE, BRIDGE_WIRE_HEADER_SIZE, 2);
    put_le(out + OFF_TYPE, value->type, 4);
    put_le(out + OFF_TOPIC_LENGTH, topic_length, 2);
    put_le(out + OFF_FLAGS, value->flags, 2);
    put_le(out + OFF_PAYLOAD_SIZE, value->payload_size, 8);
    put_le(out + OFF_SEQUENCE, value->sequence, 8);
    put_le(out + OFF_PUBLISH_TIME, (uint64_t)value->publish_time_ns, 8);
    put_le(out + OFF_STREAM, value->stream, 8);
    memcpy(out + OFF_TOPIC, value->topic, topic_length);
    put_le(out + OFF_SCHEMA_HASH, value->schema_hash, 8);
}

enum bridge_wire_fault bridge_wire_decode(const void *bytes, size_t length, uint64_t max_payload,
                                          struct bridge_wire_value *ret_value)
{
    const unsigned char *p = bytes;
    /* The version is read before the full header is required, so that a
     * later format with another header size is reported as a version. */
    if (length < OFF_HEADER_SIZE)
        return BRIDGE_WIRE_TRUNCATED;
    if (memcmp(p + OFF_MAGIC, BRIDGE_WIRE_MAGIC, 4) != 0)
        return BRIDGE_WIRE_BAD_MAGIC;
    if (get_le(p + OFF_VERSION, 2) != BRIDGE_WIRE_VERSION)
        return BRIDGE_WIRE_UNKNOWN_VERSION;
    if (length < BRIDGE_WIRE_HEADER_SIZE)
        return BRIDGE_WIRE_TRUNCATED;
    uint64_t flags = get_le(p + OFF_FLAGS, 2);
    uint64_t payload_size = get_le(p + OFF_PAYLOAD_SIZE, 8);
    int description = (flags & BRIDGE_WIRE_FLAG_DESCRIPTION) != 0;
    /* a description is never a repeat: it has no value to repeat */
    if (get_le(p + OFF_HEADER_SIZE, 2) != BRIDGE_WIRE_HEADER_SIZE || (flags & ~(uint64_t)BRIDGE_WIRE_FLAGS_KNOWN) ||
        (description && flags != BRIDGE_WIRE_FLAG_DESCRIPTION) || payload_size == 0)
        return BRIDGE_WIRE_BAD_HEADER;
    size_t topic_length = (size_t)get_le(p + OFF_TOPIC_LENGTH, 2);
    if (!bridge_wire_topic_valid((const char *)p + OFF_TOPIC, topic_length))
        return BRIDGE_WIRE_BAD_TOPIC;
    for (size_t i = topic_length; i < BRIDGE_WIRE_TOPIC_MAX; i++)
        if (p[OFF_TOPIC + i] != 0)
            return BRIDGE_WIRE_BAD_TOPIC;
    size_t body = length - BRIDGE_WIRE_HEADER_SIZE;
    uint64_t schema_hash = get_le(p + OFF_SCHEMA_HASH, 8);
    if (payload_size > max_payload || (!description && body > max_payload))
        return BRIDGE_WIRE_OVERSIZED;
    if (description ? !description_valid(p + BRIDGE_WIRE_HEADER_SIZE, body, schema_hash) : body != payload_size)
        return description ? BRIDGE_WIRE_BAD_DESCRIPTION : BRIDGE_WIRE_SIZE_MISMATCH;
    memcpy(ret_value->topic, p + OFF_TOPIC, topic_length);
    ret_value->topic[topic_length] = '\0';
    ret_value->type = (uint32_t)get_le(p + OFF_TYPE, 4);
    ret_value->flags = (uint32_t)flags;
    ret_value->payload_size = payload_size;
    ret_value->sequence = get_le(p + OFF_SEQUENCE, 8);
    ret_value->publish_time_ns = (int64_t)get_le(p + OFF_PUBLISH_TIME, 8);
    ret_value->stream = get_le(p + OFF_STREAM, 8);
    ret_value->schema_hash = schema_hash;
    ret_value->payload = description ? NULL : p + BRIDGE_WIRE_HEADER_SIZE;
    ret_value->schema = description ? (const char *)p + BRIDGE_WIRE_HEADER_SIZE : NULL;
    ret_value->schema_length = description ? body : 0;
    return BRIDGE_WIRE_OK;
}
