/* libFuzzer target: the bridge's wire decoder (tools/bridge/bridge_wire.c) on
 * arbitrary network bytes. The input is one ZeroMQ message as `svipc bridge
 * in` receives it. The decoder must classify every input, never read outside
 * it (ASan: the input is an exact-size heap copy), and a value it accepts must
 * be consistent: a valid topic, a payload inside the message, and a header
 * that, encoded again in front of the same payload, decodes to the same value
 * (reserved header bytes are ignored by design, so the bytes may differ). A
 * description it accepts has its text inside the message, 1..2047 printable
 * bytes of the header's (non-zero) hash, and round-trips the same way.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "bridge_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What `svipc bridge in` passes: its default limit (doc/bridge.md). */
#define FUZZ_MAX_PAYLOAD (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bridge_wire_value value;
    const enum bridge_wire_fault fault = bridge_wire_decode(data, size, FUZZ_MAX_PAYLOAD, &value);
    if ((unsigned)fault >= BRIDGE_WIRE_FAULT_KINDS || bridge_wire_fault_name(fault) == NULL)
        abort();
    if (fault != BRIDGE_WIRE_OK)
        return 0;
    const size_t topic_length = strnlen(value.topic, sizeof value.topic);
    if (topic_length == sizeof value.topic || !bridge_wire_topic_valid(value.topic, topic_length))
        abort();
    const int description = (value.flags & BRIDGE_WIRE_FLAG_DESCRIPTION) != 0;
    if (value.payload_size == 0 || value.payload_size > FUZZ_MAX_PAYLOAD)
        abort();
    if (description) {
        if (value.payload != NULL || value.schema != (const char *)data + BRIDGE_WIRE_HEADER_SIZE ||
            BRIDGE_WIRE_HEADER_SIZE + value.schema_length != size || value.schema_length == 0 ||
            value.schema_length > BRIDGE_WIRE_SCHEMA_MAX || value.schema_hash == 0 ||
            bridge_wire_schema_hash(value.schema, value.schema_length) != value.schema_hash ||
            memchr(value.schema, '\0', value.schema_length) != NULL)
            abort();
    } else if (value.schema != NULL || value.payload != data + BRIDGE_WIRE_HEADER_SIZE ||
               BRIDGE_WIRE_HEADER_SIZE + value.payload_size != size) {
        abort();
    }
    unsigned char *again = malloc(size);
    if (again == NULL)
        return 0;
    bridge_wire_encode_header(again, &value);
    memcpy(again + BRIDGE_WIRE_HEADER_SIZE, data + BRIDGE_WIRE_HEADER_SIZE, size - BRIDGE_WIRE_HEADER_SIZE);
    struct bridge_wire_value decoded;
    if (bridge_wire_decode(again, size, FUZZ_MAX_PAYLOAD, &decoded) != BRIDGE_WIRE_OK ||
        strcmp(decoded.topic, value.topic) != 0 || decoded.type != value.type || decoded.flags != value.flags ||
        decoded.payload_size != value.payload_size || decoded.sequence != value.sequence ||
        decoded.publish_time_ns != value.publish_time_ns || decoded.stream != value.stream ||
        decoded.schema_hash != value.schema_hash || decoded.schema_length != value.schema_length)
        abort();
    free(again);
    return 0;
}
