/* What svipc(1) lists, read once; see snapshot.h. */
#include "snapshot.h"

#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Generic "count, allocate, fill; retry if it grew" for the list calls. */
#define FILL_LIST(call_expr_capacity, type, ret_array, ret_count, what)                                   \
    do {                                                                                                  \
        type *array_ = NULL;                                                                              \
        uint32_t capacity_ = 0;                                                                           \
        for (;;) {                                                                                        \
            uint32_t capacity = capacity_;                                                                \
            type *out = array_;                                                                           \
            int n_ = (call_expr_capacity);                                                                \
            if (n_ < 0) {                                                                                 \
                free(array_);                                                                             \
                report_failure(what, n_);                                                                 \
                return -1;                                                                                \
            }                                                                                             \
            if ((uint32_t)n_ <= capacity_) {                                                              \
                *(ret_array) = array_;                                                                    \
                *(ret_count) = n_;                                                                        \
                break;                                                                                    \
            }                                                                                             \
            free(array_);                                                                                 \
            capacity_ = (uint32_t)n_ + 16;                                                                \
            array_ = calloc(capacity_, sizeof(type));                                                     \
            if (!array_) {                                                                                \
                fprintf(stderr, "%s: out of memory\n", program);                                          \
                return -1;                                                                                \
            }                                                                                             \
            (void)out;                                                                                    \
            (void)capacity;                                                                               \
        }                                                                                                 \
    } while (0)

int take_snapshot(struct snapshot *s, unsigned kinds, int want_orphans, int64_t idle_ns, int want_channels)
{
    memset(s, 0, sizeof *s);
    if (kinds & KIND_SHM)
        FILL_LIST(svipc_list_shm(out, capacity, 0), svipc_shm_info, &s->shm, &s->nshm, "listing segments");
    if (kinds & KIND_SEM)
        FILL_LIST(svipc_list_sem(out, capacity, 0), svipc_sem_info, &s->sem, &s->nsem, "listing semaphore sets");
    if (kinds & KIND_MSG)
        FILL_LIST(svipc_list_msg(out, capacity, 0), svipc_msg_info, &s->msg, &s->nmsg, "listing message queues");
    if (want_orphans) {
        FILL_LIST(svipc_find_orphans(out, capacity, idle_ns, 0), svipc_orphan, &s->orphans, &s->norphans,
                  "finding orphans");
        s->have_orphans = 1;
    }
    if (want_channels) {
        if (snapshot_channels_alloc(s) != 0)
            return -1;
        for (int i = 0; i < s->nshm; i++)
            snapshot_probe_channel(s, i);
    }
    return 0;
}

int snapshot_channels_alloc(struct snapshot *s)
{
    s->have_channels = 1;
    if (s->nshm == 0)
        return 0;
    s->channels = calloc((size_t)s->nshm, sizeof *s->channels);
    s->labels = calloc((size_t)s->nshm, sizeof *s->labels);
    if (!s->channels || !s->labels) {
        fprintf(stderr, "%s: out of memory\n", program);
        return -1;
    }
    for (int i = 0; i < s->nshm; i++)
        s->channels[i].shm_id = -1;
    return 0;
}

void snapshot_probe_channel(struct snapshot *s, int index)
{
    struct channel_label *label = &s->labels[index];
    if (svipc_admin_channel_stat(s->shm[index].id, &s->channels[index]) != 0) {
        s->channels[index].shm_id = -1; /* not a channel, or unreadable */
        return;
    }
    if (svipc_admin_channel_describe(s->shm[index].id, label->name, sizeof label->name, label->schema,
                                     sizeof label->schema) != 0)
        label->name[0] = label->schema[0] = '\0';
}

void free_snapshot(struct snapshot *s)
{
    free(s->shm);
    free(s->sem);
    free(s->msg);
    free(s->orphans);
    free(s->channels);
    free(s->labels);
}

const svipc_orphan *find_orphan(const struct snapshot *s, uint32_t kind, int32_t id)
{
    for (int i = 0; i < s->norphans; i++)
        if (s->orphans[i].kind == kind && s->orphans[i].id == id)
            return &s->orphans[i];
    return NULL;
}

const svipc_channel_info *channel_of_segment(const struct snapshot *s, int index)
{
    if (!s->have_channels || s->channels[index].shm_id < 0)
        return NULL;
    return &s->channels[index];
}

const struct channel_label *channel_label_of(const struct snapshot *s, int index)
{
    return &s->labels[index];
}

int32_t channel_owning_lock(const struct snapshot *s, int32_t semid)
{
    for (int i = 0; s->have_channels && i < s->nshm; i++)
        if (s->channels[i].shm_id >= 0 && s->channels[i].sem_id == semid)
            return s->channels[i].shm_id;
    return -1;
}

int is_mine(uint32_t uid, uint32_t cuid)
{
    uid_t me = geteuid();
    return uid == me || cuid == me;
}

int selected(const struct options *o, const struct snapshot *s, uint32_t kind, int32_t id, uint32_t uid,
                    uint32_t cuid)
{
    if (o->mine && !is_mine(uid, cuid))
        return 0;
    if (o->orphans && !find_orphan(s, kind, id))
        return 0;
    return 1;
}
