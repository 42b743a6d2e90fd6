/* What `svipc topic echo|hz|pub` share: a channel opened by name, with its
 * stored schema read and parsed (schema.h), so values can be decoded and
 * encoded. */
#ifndef SVIPC_TOOL_TOPIC_H
#define SVIPC_TOOL_TOPIC_H

#include "schema.h"

#include <svipc/svipc.h>

#include <stdint.h>

struct topic {
    svipc_channel *channel;
    struct schema *schema; /* parsed from schema_text */
    char schema_text[SVIPC_CHANNEL_SCHEMA_MAX + 1];
    uint64_t payload_size; /* the channel's, = schema_itemsize() */
    uint32_t buffer_num;
    void *value;           /* payload_size bytes for one value */
};

/* Check the operands (exactly `operands` of them, described by `what`),
 * then open the existing channel argv[0] (as a shared writer when writer is
 * set: other publishers may keep publishing), parse its schema (one this
 * tool cannot decode is taken as opaque bytes, with a warning) and allocate
 * t->value. Returns 0, or the exit status after saying why (EXIT_USAGE for
 * bad operands or name, EXIT_FAILURE for no such channel, a schema whose
 * size is not the channel's). topic_close() in both cases. */
int topic_open(const char *command, int argc, char **argv, int operands, const char *what, int writer,
               struct topic *t);
void topic_close(struct topic *t);

#endif
