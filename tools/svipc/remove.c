/* `svipc rm` and `svipc clean`: the commands that remove objects (IPC_RMID),
 * a channel's writer lock with its segment. */
#include "commands.h"

#include "format.h"
#include "json.h"
#include "report.h"
#include "snapshot.h"
#include "target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* IPC_RMID one object. Returns 0, or the negative error after reporting it.
 * A vanished object counts as removed when `gone_ok`. */
static int remove_object(unsigned kind, int32_t id, int gone_ok)
{
    int rc = kind == KIND_SHM ? svipc_shm_remove_id(id) : kind == KIND_SEM ? svipc_sem_remove_id(id)
                                                                           : svipc_msg_remove_id(id);
    if (rc == 0 || (gone_ok && (rc == -EINVAL || rc == -EIDRM)))
        return 0;
    char what[96];
    snprintf(what, sizeof what, "cannot remove %s %" PRId32, kind_noun(kind), id);
    if (rc == -EPERM)
        fprintf(stderr, "%s: %s: permission denied (only its owner, its creator or root may remove it)\n", program,
                what);
    else if (rc == -EINVAL || rc == -EIDRM)
        fprintf(stderr, "%s: %s: it no longer exists\n", program, what);
    else
        report_failure(what, rc);
    return rc;
}

int run_rm(struct options *o, int argc, char **argv)
{
    struct snapshot s;
    if (take_snapshot(&s, o->kinds, 0, 0, 0) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    int max = argc > 3 ? argc : 3;
    struct target *targets = calloc((size_t)max, sizeof *targets);
    if (!targets) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    int n = resolve_targets("rm", o, &s, argc, argv, targets, max);
    int status = n < 0 ? -n : EXIT_SUCCESS;
    if (n > 0 && probe_targets(&s, targets, n) != 0)
        n = 0, status = EXIT_FAILURE;
    for (int i = 0; i < n; i++) {
        const int32_t id = object_id(&s, targets[i]);
        if (remove_object(targets[i].kind, id, 0) != 0) {
            status = EXIT_FAILURE;
            continue;
        }
        /* A channel's writer lock lives and dies with its segment. */
        const svipc_channel_info *channel =
            targets[i].kind == KIND_SHM ? channel_of_segment(&s, targets[i].index) : NULL;
        if (channel && channel->sem_id >= 0 && remove_object(KIND_SEM, channel->sem_id, 1) != 0)
            status = EXIT_FAILURE;
    }
    free(targets);
    free_snapshot(&s);
    return status;
}

static unsigned kind_bit(uint32_t orphan_kind)
{
    return orphan_kind == SVIPC_KIND_SHM ? KIND_SHM : orphan_kind == SVIPC_KIND_SEM ? KIND_SEM : KIND_MSG;
}

static const char *kind_short(uint32_t orphan_kind)
{
    return orphan_kind == SVIPC_KIND_SHM ? "shm" : orphan_kind == SVIPC_KIND_SEM ? "sem" : "msg";
}

int run_clean(struct options *o, int argc, char **argv)
{
    if (argc > 0)
        return usage_error("clean: unexpected argument '%s'", argv[0]);
    if (!o->orphans)
        return usage_error("clean: say what to clean: --orphans");
    if (o->all_users && geteuid() != 0)
        return usage_error("clean: --all-users needs root (others' objects cannot be removed otherwise)");
    struct snapshot s;
    if (take_snapshot(&s, 0, 1, o->idle_ns, 0) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    int status = EXIT_SUCCESS;
    struct json j = {0, 0};
    if (o->json) {
        json_open(&j, NULL, '{');
        json_open(&j, "orphans", '[');
    }
    for (int i = 0; i < s.norphans; i++) {
        const svipc_orphan *orphan = &s.orphans[i];
        if (!(o->kinds & kind_bit(orphan->kind)))
            continue;
        if (!o->all_users && !is_mine(orphan->uid, orphan->cuid))
            continue;
        int removed = 0;
        if (!o->dry_run) {
            removed = remove_object(kind_bit(orphan->kind), orphan->id, 1) == 0;
            if (!removed)
                status = EXIT_FAILURE;
        }
        char key[16], owner[32], idle[32];
        const char *what = (orphan->flags & SVIPC_ORPHAN_CHANNEL)        ? "channel"
                           : (orphan->flags & SVIPC_ORPHAN_CHANNEL_LOCK) ? "channel-lock"
                                                                         : "";
        if (o->json) {
            json_open(&j, NULL, '{');
            json_str(&j, "type", kind_short(orphan->kind));
            json_int(&j, "id", orphan->id);
            json_str(&j, "key", key_text(orphan->key, key, sizeof key));
            json_str(&j, "owner", user_name(orphan->uid, owner, sizeof owner));
            json_int(&j, "pid", orphan->pid);
            json_int(&j, "idle", orphan->idle_ns / NS_PER_SECOND);
            json_str(&j, "svipc", what[0] ? what : NULL);
            json_bool(&j, "removed", removed);
            json_close(&j, '}');
        } else {
            char who[48];
            printf("%s %s %" PRId32 " key %s owner %s: %s, idle %s%s%s\n",
                   o->dry_run ? "would remove" : removed ? "removed" : "failed to remove", kind_short(orphan->kind),
                   orphan->id, key_text(orphan->key, key, sizeof key), user_name(orphan->uid, owner, sizeof owner),
                   gone_text(orphan, who, sizeof who), duration_text(orphan->idle_ns, idle, sizeof idle),
                   what[0] ? ", svipc " : "", what);
        }
    }
    if (o->json) {
        json_close(&j, ']');
        json_bool(&j, "dry_run", o->dry_run);
        json_close(&j, '}');
    }
    free_snapshot(&s);
    if (fflush(stdout) != 0)
        status = EXIT_FAILURE;
    return status;
}
