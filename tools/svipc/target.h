/* The objects `svipc stat` and `svipc rm` act on: named by ID operands or
 * by --key/--name, found in a snapshot. */
#ifndef SVIPC_TOOL_TARGET_H
#define SVIPC_TOOL_TARGET_H

#include "args.h"
#include "snapshot.h"

#include <stdint.h>

struct target {
    unsigned kind; /* one KIND_* */
    int index;     /* into the snapshot's array of that kind */
};

/* "segment", "semaphore set" or "message queue" for one KIND_*. */
const char *kind_noun(unsigned kind);
/* The IPC id of a target. */
int32_t object_id(const struct snapshot *s, struct target t);

/* Parse the ID arguments or --key/--name into targets. Returns the count,
 * or -EXIT_USAGE / -EXIT_FAILURE after printing why. */
int resolve_targets(const char *command, struct options *o, const struct snapshot *s, int argc, char **argv,
                    struct target *out, int max);

/* Recognise channels among the targeted segments only: a probe attaches.
 * Returns 0, or -1 after reporting why. */
int probe_targets(struct snapshot *s, const struct target *targets, int n);

#endif
