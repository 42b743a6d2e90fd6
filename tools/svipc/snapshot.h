/* What svipc(1) lists, read once: every object of the asked kinds, plus
 * the orphans (--orphans) and the channel headers (--channels) among them. */
#ifndef SVIPC_TOOL_SNAPSHOT_H
#define SVIPC_TOOL_SNAPSHOT_H

#include "args.h"

#include <svipc/svipc.h>

#include <stdint.h>

/* A channel's name and schema as its header stores them (svipc_admin_channel_describe),
 * "" when the segment is no channel or they could not be read. */
struct channel_label {
    char name[SVIPC_CHANNEL_NAME_MAX + 1];
    char schema[SVIPC_CHANNEL_SCHEMA_MAX + 1];
};

/* Everything listed at one moment, plus what --orphans and --channels add. */
struct snapshot {
    svipc_shm_info *shm;
    int nshm;
    svipc_sem_info *sem;
    int nsem;
    svipc_msg_info *msg;
    int nmsg;
    svipc_orphan *orphans;
    int norphans;
    int have_orphans;
    svipc_channel_info *channels; /* per segment; shm_id -1 = not a channel */
    struct channel_label *labels; /* per segment, with channels */
    int have_channels;
};

/* Fill s with the objects of `kinds` (KIND_* bits), the orphans idle for
 * idle_ns when want_orphans, every segment's channel header when
 * want_channels. Returns 0, or -1 after reporting why; free_snapshot() in
 * both cases. */
int take_snapshot(struct snapshot *s, unsigned kinds, int want_orphans, int64_t idle_ns, int want_channels);
void free_snapshot(struct snapshot *s);

/* The orphan record of an object (kind SVIPC_KIND_*), or NULL. */
const svipc_orphan *find_orphan(const struct snapshot *s, uint32_t kind, int32_t id);
/* Allocate the per-segment channel arrays (nothing probed yet): 0, or -1
 * after reporting why. */
int snapshot_channels_alloc(struct snapshot *s);
/* Read s->shm[index]'s channel header, name and schema, if it is a channel
 * (attaches it read-only for a moment). */
void snapshot_probe_channel(struct snapshot *s, int index);
/* The channel header of s->shm[index], or NULL when it is no channel. */
const svipc_channel_info *channel_of_segment(const struct snapshot *s, int index);
/* Its name and schema (only when channel_of_segment() is not NULL). */
const struct channel_label *channel_label_of(const struct snapshot *s, int index);
/* The segment whose channel uses semid as its writer lock, or -1. */
int32_t channel_owning_lock(const struct snapshot *s, int32_t semid);
/* Whether the caller (effective uid) owns or created the object. */
int is_mine(uint32_t uid, uint32_t cuid);
/* Whether an object passes --mine and --orphans. */
int selected(const struct options *o, const struct snapshot *s, uint32_t kind, int32_t id, uint32_t uid,
             uint32_t cuid);

#endif
