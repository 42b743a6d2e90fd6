/* The objects `svipc stat` and `svipc rm` act on; see target.h. */
#include "target.h"

#include "format.h"

#include <stdio.h>
#include <stdlib.h>

const char *kind_noun(unsigned kind)
{
    return kind == KIND_SHM ? "segment" : kind == KIND_SEM ? "semaphore set" : "message queue";
}

int32_t object_id(const struct snapshot *s, struct target t)
{
    return t.kind == KIND_SHM ? s->shm[t.index].id : t.kind == KIND_SEM ? s->sem[t.index].id : s->msg[t.index].id;
}

/* Every object of the selected kinds whose id (by_key 0) or key (by_key 1)
 * equals value. Returns the count, at most max targets stored. */
static int match_objects(const struct snapshot *s, unsigned kinds, int by_key, int32_t value, struct target *out,
                         int max)
{
    int n = 0;
#define MATCH(KIND, array, count)                                                     \
    if (kinds & KIND)                                                                 \
        for (int i = 0; i < s->count; i++)                                            \
            if ((by_key ? s->array[i].key : s->array[i].id) == value) {               \
                if (n < max)                                                          \
                    out[n] = (struct target){KIND, i};                                \
                n++;                                                                  \
            }
    MATCH(KIND_SHM, shm, nshm)
    MATCH(KIND_SEM, sem, nsem)
    MATCH(KIND_MSG, msg, nmsg)
#undef MATCH
    return n;
}

static const char *kinds_text(unsigned kinds)
{
    switch (kinds) {
    case KIND_SHM: return "segment";
    case KIND_SEM: return "semaphore set";
    case KIND_MSG: return "message queue";
    default: return "object";
    }
}

int resolve_targets(const char *command, struct options *o, const struct snapshot *s, int argc, char **argv,
                           struct target *out, int max)
{
    if (o->have_key || o->name) {
        if (argc > 0)
            return -usage_error("%s: give IDs or --key/--name, not both", command);
        if (o->key == SVIPC_KEY_PRIVATE)
            return -usage_error("%s: key 0 is IPC_PRIVATE, which names no object; use its ID", command);
        int n = match_objects(s, o->kinds, 1, o->key, out, max);
        if (n == 0) {
            char key[16];
            fprintf(stderr, "%s: %s: no %s with key %s%s%s%s\n", program, command, kinds_text(o->kinds),
                    key_text(o->key, key, sizeof key), o->name ? " (name \"" : "", o->name ? o->name : "",
                    o->name ? "\")" : "");
            return -EXIT_FAILURE;
        }
        return n < max ? n : max;
    }
    if (argc == 0)
        return -usage_error("%s: give an ID, --key KEY or --name NAME", command);
    int n = 0;
    for (int a = 0; a < argc; a++) {
        long long id;
        if (parse_long(argv[a], 0, INT32_MAX, &id) != 0)
            return -usage_error("%s: '%s' is not an id (a number >= 0)", command, argv[a]);
        struct target found[3];
        int matches = match_objects(s, o->kinds, 0, (int32_t)id, found, 3);
        if (matches == 0) {
            fprintf(stderr, "%s: %s: no %s with id %lld\n", program, command, kinds_text(o->kinds), id);
            return -EXIT_FAILURE;
        }
        if (matches > 1)
            return -usage_error("%s: id %lld names a %s and a %s; say which with --shm, --sem or --msg", command, id,
                                kind_noun(found[0].kind), kind_noun(found[1].kind));
        if (n < max)
            out[n++] = found[0];
    }
    return n;
}

int probe_targets(struct snapshot *s, const struct target *targets, int n)
{
    if (snapshot_channels_alloc(s) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (targets[i].kind == KIND_SHM)
            snapshot_probe_channel(s, targets[i].index);
    return 0;
}
