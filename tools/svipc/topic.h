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
};

/* Open the existing channel `name` (as a shared writer when writer is set:
 * other publishers may keep publishing) and parse its schema. Returns 0, or
 * the exit status after saying why (EXIT_USAGE for a bad name, EXIT_FAILURE
 * for no such channel, an unreadable schema, a schema whose size is not the
 * channel's). topic_close() in both cases. */
int topic_open(const char *command, const char *name, int writer, struct topic *t);
void topic_close(struct topic *t);

/* "NAME" operands: exactly `want`, else a usage error (EXIT_USAGE), 0 if right. */
int topic_operands(const char *command, int argc, char **argv, int want, const char *what);

#endif
