/* One IPC object as a JSON object; see object_json.h. */
#include "object_json.h"

#include "format.h"

/* The columns every lsipc table shares. */
static void json_ownership(struct json *j, int32_t key, int32_t id, uint32_t mode, uint32_t uid, uint32_t gid,
                           uint32_t cuid, uint32_t cgid)
{
    char buf[64], perms[10];
    json_str(j, "key", key_text(key, buf, sizeof buf));
    json_int(j, "id", id);
    json_str(j, "owner", user_name(uid, buf, sizeof buf));
    json_str(j, "perms", perms_text(mode, perms));
    json_uint(j, "cuid", cuid);
    json_str(j, "cuser", user_name(cuid, buf, sizeof buf));
    json_uint(j, "cgid", cgid);
    json_str(j, "cgroup", group_name(cgid, buf, sizeof buf));
    json_uint(j, "uid", uid);
    json_str(j, "user", user_name(uid, buf, sizeof buf));
    json_uint(j, "gid", gid);
    json_str(j, "group", group_name(gid, buf, sizeof buf));
}

static void json_orphan_fields(struct json *j, const struct snapshot *s, uint32_t kind, int32_t id)
{
    if (!s->have_orphans)
        return;
    const svipc_orphan *orphan = find_orphan(s, kind, id);
    json_bool(j, "orphan", orphan != NULL);
    if (orphan) {
        json_int(j, "orphan_pid", orphan->pid);
        json_int(j, "idle", orphan->idle_ns / NS_PER_SECOND);
    }
}

static void json_channel(struct json *j, const svipc_channel_info *channel, const struct channel_label *label)
{
    if (!channel) {
        json_null(j, "channel");
        return;
    }
    json_open(j, "channel", '{');
    json_str(j, "name", label->name[0] ? label->name : NULL);
    json_str(j, "schema", label->schema);
    json_uint(j, "layout_version", channel->layout_version);
    json_int(j, "lock_semid", channel->sem_id);
    json_uint(j, "type", channel->type);
    json_uint(j, "payload_size", channel->payload_size);
    json_uint(j, "buffer_num", channel->buffer_num);
    json_uint(j, "latest_sequence", channel->latest_sequence);
    json_int(j, "writer_pid", channel->writer_pid);
    json_uint(j, "sleepers", channel->sleepers);
    json_uint(j, "pinned_slots", channel->pinned_slots);
    json_close(j, '}');
}

void json_shm(struct json *j, const struct snapshot *s, int index)
{
    const svipc_shm_info *info = &s->shm[index];
    char status[32];
    json_open(j, NULL, '{');
    json_ownership(j, info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
    json_uint(j, "size", info->size);
    json_uint(j, "nattch", info->nattch);
    shm_status(info, status, sizeof status);
    json_str(j, "status", status[0] ? status : NULL);
    json_time(j, "attached", info->atime_ns);
    json_time(j, "detached", info->dtime_ns);
    json_time(j, "ctime", info->ctime_ns);
    json_int(j, "cpid", info->cpid);
    json_int(j, "lpid", info->lpid);
    json_orphan_fields(j, s, SVIPC_KIND_SHM, info->id);
    if (s->have_channels)
        json_channel(j, channel_of_segment(s, index), channel_label_of(s, index));
    json_close(j, '}');
}

void json_sem(struct json *j, const struct snapshot *s, int index)
{
    const svipc_sem_info *info = &s->sem[index];
    json_open(j, NULL, '{');
    json_ownership(j, info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
    json_uint(j, "nsems", info->nsems);
    json_time(j, "otime", info->otime_ns);
    json_time(j, "ctime", info->ctime_ns);
    json_orphan_fields(j, s, SVIPC_KIND_SEM, info->id);
    if (s->have_channels) {
        int32_t owner = channel_owning_lock(s, info->id);
        if (owner >= 0)
            json_int(j, "channel_lock_of", owner);
        else
            json_null(j, "channel_lock_of");
    }
    json_close(j, '}');
}

void json_msg(struct json *j, const struct snapshot *s, int index)
{
    const svipc_msg_info *info = &s->msg[index];
    json_open(j, NULL, '{');
    json_ownership(j, info->key, info->id, info->mode, info->uid, info->gid, info->cuid, info->cgid);
    json_uint(j, "usedbytes", info->bytes);
    json_uint(j, "msgs", info->messages);
    json_uint(j, "qbytes", info->qbytes);
    json_time(j, "send", info->stime_ns);
    json_time(j, "recv", info->rtime_ns);
    json_int(j, "lspid", info->lspid);
    json_int(j, "lrpid", info->lrpid);
    json_time(j, "ctime", info->ctime_ns);
    json_orphan_fields(j, s, SVIPC_KIND_MSG, info->id);
    json_close(j, '}');
}
