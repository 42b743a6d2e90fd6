/* `svipc ls`'s text output; see table.h. */
#include "table.h"

#include "format.h"

#include <inttypes.h>
#include <stdio.h>

static const char *note_text(const struct snapshot *s, uint32_t kind, int32_t id, int shm_index, char *buf, size_t size)
{
    char idle[32];
    const svipc_orphan *orphan = s->have_orphans ? find_orphan(s, kind, id) : NULL;
    char channel[NAME_TEXT_MAX + 16] = "";
    char lock[48] = "";
    if (kind == SVIPC_KIND_SHM && shm_index >= 0 && channel_of_segment(s, shm_index)) {
        char name[NAME_TEXT_MAX];
        name_text(channel_label_of(s, shm_index)->name, name, sizeof name);
        snprintf(channel, sizeof channel, "channel %s%s", name, name[0] ? " " : "");
    }
    if (kind == SVIPC_KIND_SEM && channel_owning_lock(s, id) >= 0)
        snprintf(lock, sizeof lock, "lock of channel %" PRId32 " ", channel_owning_lock(s, id));
    char who[48];
    if (orphan)
        snprintf(buf, size, "%s%sorphan (%s, idle %s)", channel, lock, gone_text(orphan, who, sizeof who),
                 duration_text(orphan->idle_ns, idle, sizeof idle));
    else
        snprintf(buf, size, "%s%s", channel, lock);
    return buf;
}

void table_shm(const struct options *o, const struct snapshot *s)
{
    printf("------ Shared memory segments ------\n");
    printf("%-10s %-8s %-10s %-9s %6s %6s %-11s %7s %7s %-12s %s\n", "KEY", "ID", "OWNER", "PERMS", "SIZE",
           "NATTCH", "STATUS", "CPID", "LPID", "CHANGED", "NOTE");
    for (int i = 0; i < s->nshm; i++) {
        const svipc_shm_info *info = &s->shm[i];
        if (!selected(o, s, SVIPC_KIND_SHM, info->id, info->uid, info->cuid))
            continue;
        char key[16], owner[32], perms[10], size[SIZE_TEXT_MAX], status[32], when[32], note[NAME_TEXT_MAX + 192];
        shm_status(info, status, sizeof status);
        printf("%-10s %-8" PRId32 " %-10s %-9s %6s %6" PRIu64 " %-11s %7" PRId32 " %7" PRId32 " %-12s %s\n",
               key_text(info->key, key, sizeof key), info->id, user_name(info->uid, owner, sizeof owner),
               perms_text(info->mode, perms), size_text(info->size, size, sizeof size), info->nattch,
               status[0] ? status : "-", info->cpid, info->lpid, time_text(info->ctime_ns, when, sizeof when),
               note_text(s, SVIPC_KIND_SHM, info->id, i, note, sizeof note));
    }
}

void table_sem(const struct options *o, const struct snapshot *s)
{
    printf("------ Semaphore sets ------\n");
    printf("%-10s %-8s %-10s %-9s %6s %-12s %-12s %s\n", "KEY", "ID", "OWNER", "PERMS", "NSEMS", "LAST-OP",
           "CHANGED", "NOTE");
    for (int i = 0; i < s->nsem; i++) {
        const svipc_sem_info *info = &s->sem[i];
        if (!selected(o, s, SVIPC_KIND_SEM, info->id, info->uid, info->cuid))
            continue;
        char key[16], owner[32], perms[10], otime[32], ctime[32], note[128];
        printf("%-10s %-8" PRId32 " %-10s %-9s %6" PRIu32 " %-12s %-12s %s\n", key_text(info->key, key, sizeof key),
               info->id, user_name(info->uid, owner, sizeof owner), perms_text(info->mode, perms), info->nsems,
               time_text(info->otime_ns, otime, sizeof otime), time_text(info->ctime_ns, ctime, sizeof ctime),
               note_text(s, SVIPC_KIND_SEM, info->id, -1, note, sizeof note));
    }
}

void table_msg(const struct options *o, const struct snapshot *s)
{
    printf("------ Message queues ------\n");
    printf("%-10s %-8s %-10s %-9s %6s %6s %7s %7s %-12s %s\n", "KEY", "ID", "OWNER", "PERMS", "USED", "MSGS",
           "LSPID", "LRPID", "CHANGED", "NOTE");
    for (int i = 0; i < s->nmsg; i++) {
        const svipc_msg_info *info = &s->msg[i];
        if (!selected(o, s, SVIPC_KIND_MSG, info->id, info->uid, info->cuid))
            continue;
        char key[16], owner[32], perms[10], used[SIZE_TEXT_MAX], when[32], note[128];
        printf("%-10s %-8" PRId32 " %-10s %-9s %6s %6" PRIu64 " %7" PRId32 " %7" PRId32 " %-12s %s\n",
               key_text(info->key, key, sizeof key), info->id, user_name(info->uid, owner, sizeof owner),
               perms_text(info->mode, perms), size_text(info->bytes, used, sizeof used), info->messages,
               info->lspid, info->lrpid, time_text(info->ctime_ns, when, sizeof when),
               note_text(s, SVIPC_KIND_MSG, info->id, -1, note, sizeof note));
    }
}
