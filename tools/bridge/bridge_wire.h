/* svipc bridge — the wire format of one value on the network (doc/bridge.md).
 *
 * One ZeroMQ message (one frame) per value: a fixed 136-byte little-endian
 * header, then exactly payload_size bytes of payload. A description message
 * (BRIDGE_WIRE_FLAG_DESCRIPTION) carries a topic's schema text instead of a
 * payload, so the receiver can create the channel with it. The decoder is a pure
 * function of (bytes, length, limit): it reads nothing else, writes only its
 * output struct, and classifies every input, so a fuzzer can drive it.
 */
#ifndef SVIPC_BRIDGE_WIRE_H
#define SVIPC_BRIDGE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define BRIDGE_WIRE_MAGIC        "SVBR"
#define BRIDGE_WIRE_VERSION      2u    /* 2: the schema hash and description messages */
#define BRIDGE_WIRE_HEADER_SIZE  136u
#define BRIDGE_WIRE_TOPIC_MAX    80u   /* bytes of a topic name on the wire */
#define BRIDGE_WIRE_SCHEMA_MAX   2047u /* bytes of a description's schema text (SVIPC_CHANNEL_SCHEMA_MAX) */
#define BRIDGE_WIRE_FLAG_REPEAT  0x1u  /* a republished value the sender sent before */
#define BRIDGE_WIRE_FLAG_DESCRIPTION 0x2u /* not a value: the topic's schema text */
#define BRIDGE_WIRE_FLAGS_KNOWN  0x3u

/* What the decoder found wrong with a message; 0 means a valid value. */
enum bridge_wire_fault {
    BRIDGE_WIRE_OK = 0,
    BRIDGE_WIRE_TRUNCATED,       /* shorter than the header */
    BRIDGE_WIRE_OVERSIZED,       /* payload above the receiver's limit */
    BRIDGE_WIRE_BAD_MAGIC,       /* not a bridge message at all */
    BRIDGE_WIRE_UNKNOWN_VERSION, /* a format version this build does not speak */
    BRIDGE_WIRE_BAD_HEADER,      /* header size, unknown flags or payload size 0 */
    BRIDGE_WIRE_SIZE_MISMATCH,   /* payload bytes != the header's payload size */
    BRIDGE_WIRE_BAD_TOPIC,       /* topic name empty, too long, not printable ASCII, unpadded */
    BRIDGE_WIRE_BAD_DESCRIPTION, /* schema text empty, too long, not printable ASCII, or not of schema_hash */
    BRIDGE_WIRE_MULTIPART,       /* more than one frame (checked by the receiver, not the decoder) */
    BRIDGE_WIRE_FAULT_KINDS
};

/* One value (or description) as the header describes it; payload (or
 * schema) points into the message. */
struct bridge_wire_value {
    char topic[BRIDGE_WIRE_TOPIC_MAX + 1]; /* NUL-terminated copy */
    uint32_t type;
    uint32_t flags;
    uint64_t payload_size;
    uint64_t sequence;
    int64_t publish_time_ns; /* CLOCK_REALTIME at the source */
    uint64_t stream;         /* changes whenever the sender's sequence may restart */
    uint64_t schema_hash;    /* FNV-1a 64 of the channel's schema text; 0: none */
    const unsigned char *payload; /* a value's payload_size bytes; NULL for a description */
    const char *schema;      /* a description's text (not NUL-terminated); NULL for a value */
    uint64_t schema_length;  /* its bytes, 1..BRIDGE_WIRE_SCHEMA_MAX */
};

/* A short name per fault kind ("truncated", ...), for logs and --stats. */
const char *bridge_wire_fault_name(enum bridge_wire_fault fault);

/* 1 when `topic` (length bytes) is a valid topic name: 1..BRIDGE_WIRE_TOPIC_MAX
 * bytes of printable ASCII without spaces (0x21..0x7e). */
int bridge_wire_topic_valid(const char *topic, size_t length);

/* The 64-bit FNV-1a hash of `length` bytes: what svipc_channel_info's
 * schema_hash holds for a schema text (lib/common/fnv1a.hpp is the
 * library's, in C++; the constants are fixed by doc/channel.md). */
uint64_t bridge_wire_schema_hash(const char *text, size_t length);

/* Fill the header at `out` (BRIDGE_WIRE_HEADER_SIZE bytes) for `value`
 * (topic must be valid; value->payload and value->schema are not used: the
 * caller puts the payload, or a description's text, after the header). */
void bridge_wire_encode_header(unsigned char *out, const struct bridge_wire_value *value);

/* Classify and parse `length` bytes. max_payload: the largest payload the
 * receiver accepts (a description's payload_size, the value size, too).
 * Returns BRIDGE_WIRE_OK and fills *ret_value, or the
 * fault (ret_value then undefined). Never reads outside [bytes, bytes+length). */
enum bridge_wire_fault bridge_wire_decode(const void *bytes, size_t length, uint64_t max_payload,
                                          struct bridge_wire_value *ret_value);

#endif
