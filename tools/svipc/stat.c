/* `svipc stat`: every field of one object (and its channel header), as
 * text or as JSON. */
#include "commands.h"

#include "format.h"
#include "object_json.h"
#include "snapshot.h"
#include "target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void print_ownership(int32_t key, int32_t id, uint32_t mode, uint32_t uid, uint32_t gid, uint32_t cuid,
                            uint32_t cgid)
{
    char buf[64], buf2[64], perms[10];
    print_field("key", "%s", key_text(key, buf, sizeof buf));
    print_field("id", "%" PRId32, id);
    print_field("perms", "%s (%03" PRIo32 ")", perms_text(mode, perms), mode);
    print_field("owner", "%s (uid %" PRIu32 "), group %s (gid %" PRIu32 ")", user_name(uid, buf, sizeof buf), uid,
                group_name(gid, buf2, sizeof buf2), gid);
    print_field("creator", "%s (uid %" PRIu32 "), group %s (gid %" PRIu32 ")", user_name(cuid, buf, sizeof buf),
                cuid, group_name(cgid, buf2, sizeof buf2), cgid);
}

static void print_time(const char *name, int64_t ns)
{
    char buf[64];
    if (ns == 0) {
        print_field(name, "not set");
        return;
    }
    time_t seconds = (time_t)(ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
    print_field(name, "%s", buf);
}

static void stat_text(const struct snapshot *s, struct target t)
{
    char buf[64];
    if (t.kind == KIND_SHM) {
        const svipc_shm_info *info = &s->shm[t.index];
        char status[32];
        shm_status(info, status, sizeof status);
        print_field("type", "shared memory segment");
        print_ownership(info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
        print_field("size", "%" PRIu64 " bytes (%s)", info->size, size_text(info->size, buf, sizeof buf));
        print_field("nattch", "%" PRIu64, info->nattch);
        print_field("status", "%s", status[0] ? status : "-");
        print_field("creator pid", "%" PRId32, info->cpid);
        print_field("last pid", "%" PRId32, info->lpid);
        print_time("attached", info->atime_ns);
        print_time("detached", info->dtime_ns);
        print_time("changed", info->ctime_ns);
        const svipc_channel_info *channel = channel_of_segment(s, t.index);
        if (channel) {
            const struct channel_label *label = channel_label_of(s, t.index);
            char name[NAME_TEXT_MAX];
            print_field("channel name", "%s",
                        label->name[0] ? name_text(label->name, name, sizeof name) : "- (opened by key)");
            print_field("schema", "%s", label->schema);
            print_field("svipc channel", "layout %" PRIu32 ", type %" PRIu32 ", %" PRIu64 " bytes x %" PRIu32
                                         " buffers, latest sequence %" PRIu64,
                        channel->layout_version, channel->type, channel->payload_size, channel->buffer_num,
                        channel->latest_sequence);
            print_field("writer lock", "semaphore set %" PRId32 ", held by pid %" PRId32 " (0 = free)",
                        channel->sem_id, channel->writer_pid);
            print_field("pinned slots", "%" PRIu32 " of %" PRIu32 " (held by readers in svipc_channel_acquire)",
                        channel->pinned_slots, channel->buffer_num);
        }
    } else if (t.kind == KIND_SEM) {
        const svipc_sem_info *info = &s->sem[t.index];
        print_field("type", "semaphore set");
        print_ownership(info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
        print_field("nsems", "%" PRIu32, info->nsems);
        print_time("last op", info->otime_ns);
        print_time("changed", info->ctime_ns);
        int32_t owner = channel_owning_lock(s, info->id);
        if (owner >= 0)
            print_field("svipc channel", "writer lock of channel segment %" PRId32, owner);
    } else {
        const svipc_msg_info *info = &s->msg[t.index];
        print_field("type", "message queue");
        print_ownership(info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
        print_field("messages", "%" PRIu64, info->messages);
        print_field("used bytes", "%" PRIu64, info->bytes);
        print_field("capacity", "%" PRIu64 " bytes", info->qbytes);
        print_field("last sender", "%" PRId32, info->lspid);
        print_field("last receiver", "%" PRId32, info->lrpid);
        print_time("sent", info->stime_ns);
        print_time("received", info->rtime_ns);
        print_time("changed", info->ctime_ns);
    }
    const svipc_orphan *orphan = find_orphan(s, t.kind == KIND_SHM ? SVIPC_KIND_SHM
                                                : t.kind == KIND_SEM ? SVIPC_KIND_SEM
                                                                     : SVIPC_KIND_MSG,
                                             object_id(s, t));
    if (orphan)
        print_field("orphan", "yes: pid %" PRId32 " gone, idle %s", orphan->pid,
                    duration_text(orphan->idle_ns, buf, sizeof buf));
}

int run_stat(struct options *o, int argc, char **argv)
{
    if (!o->have_key && !o->name && argc > 1)
        return usage_error("stat: one object at a time");
    struct snapshot s;
    if (take_snapshot(&s, o->kinds, 0, 0, 0) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    struct target targets[3];
    int n = resolve_targets("stat", o, &s, argc, argv, targets, 3);
    if (n < 0) {
        free_snapshot(&s);
        return -n;
    }
    if (probe_targets(&s, targets, n) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        static const struct { unsigned kind; const char *name; } tables[] = {
            {KIND_SHM, "sharedmemory"}, {KIND_SEM, "semaphores"}, {KIND_MSG, "messages"}};
        for (size_t k = 0; k < 3; k++) {
            int any = 0;
            for (int i = 0; i < n; i++)
                any |= targets[i].kind == tables[k].kind;
            if (!any)
                continue;
            json_open(&j, tables[k].name, '[');
            for (int i = 0; i < n; i++) {
                if (targets[i].kind != tables[k].kind)
                    continue;
                if (targets[i].kind == KIND_SHM)
                    json_shm(&j, &s, targets[i].index);
                else if (targets[i].kind == KIND_SEM)
                    json_sem(&j, &s, targets[i].index);
                else
                    json_msg(&j, &s, targets[i].index);
            }
            json_close(&j, ']');
        }
        json_close(&j, '}');
    } else {
        for (int i = 0; i < n; i++) {
            if (i)
                putchar('\n');
            stat_text(&s, targets[i]);
        }
    }
    free_snapshot(&s);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
