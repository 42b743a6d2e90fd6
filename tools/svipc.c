/* svipc — list, inspect and clean System V IPC objects.
 *
 * The command-line face of include/svipc/admin.h, and the library's first C
 * user: it uses the public C API only. Exit status: 0 success, 1 an
 * operation failed (missing object, permission...), 2 bad arguments.
 * doc/svipc.1 is the manual.
 */
#include "svipc_args.h"

#include <svipc/svipc.h>

#include "bridge/bridge.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Report a failed library call: our words, then the library's detail. */
static void report_failure(const char *what, int rc)
{
    const char *detail = svipc_last_error_message();
    fprintf(stderr, "%s: %s: %s", program, what, svipc_strerror(rc));
    if (detail[0])
        fprintf(stderr, " (%s)", detail);
    fputc('\n', stderr);
}

/* ---- formatting --------------------------------------------------------- */

static const char *user_name(uint32_t uid, char *buf, size_t size)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        return pw->pw_name;
    snprintf(buf, size, "%" PRIu32, uid);
    return buf;
}

static const char *group_name(uint32_t gid, char *buf, size_t size)
{
    struct group *gr = getgrgid(gid);
    if (gr)
        return gr->gr_name;
    snprintf(buf, size, "%" PRIu32, gid);
    return buf;
}

static const char *key_text(int32_t key, char *buf, size_t size)
{
    snprintf(buf, size, "0x%08" PRIx32, (uint32_t)key);
    return buf;
}

/* "rw-r-----", as lsipc's PERMS column. */
static const char *perms_text(uint32_t mode, char *buf)
{
    static const char letters[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        buf[i] = (mode & (0400u >> i)) ? letters[i] : '-';
    buf[9] = '\0';
    return buf;
}

/* 4096 -> "4K", 1536 -> "1.5K", 100 -> "100B". A buffer of SIZE_TEXT_MAX
 * holds any value: the 20 digits of UINT64_MAX bytes, a unit, the NUL. */
#define SIZE_TEXT_MAX 24
static const char *size_text(uint64_t bytes, char *buf, size_t size)
{
    static const char units[] = "BKMGTPE";
    int unit = 0;
    uint64_t scale = 1;
    while (unit < 6 && bytes >= scale * 1024) {
        scale *= 1024;
        unit++;
    }
    if (unit == 0 || bytes % scale == 0)
        snprintf(buf, size, "%" PRIu64 "%c", bytes / scale, units[unit]);
    else
        snprintf(buf, size, "%.1f%c", (double)bytes / (double)scale, units[unit]);
    return buf;
}

static const char *time_text(int64_t ns, char *buf, size_t size)
{
    if (ns == 0)
        return "-";
    time_t seconds = (time_t)(ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, size, "%b %d %H:%M", &tm);
    return buf;
}

static const char *duration_text(int64_t ns, char *buf, size_t size)
{
    int64_t s = ns / NS_PER_SECOND;
    if (s < 120)
        snprintf(buf, size, "%" PRId64 "s", s);
    else if (s < 2 * 3600)
        snprintf(buf, size, "%" PRId64 "m", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, size, "%" PRId64 "h", s / 3600);
    else
        snprintf(buf, size, "%" PRId64 "d", s / 86400);
    return buf;
}

/* ---- JSON writer -------------------------------------------------------- */

struct json {
    int depth;
    int need_comma;
};

static void json_indent(struct json *j)
{
    for (int i = 0; i < j->depth; i++)
        fputs("   ", stdout);
}

static void json_string_value(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_key(struct json *j, const char *key)
{
    if (j->need_comma)
        putchar(',');
    putchar('\n');
    json_indent(j);
    if (key) {
        json_string_value(key);
        fputs(": ", stdout);
    }
    j->need_comma = 1;
}

static void json_open(struct json *j, const char *key, char bracket)
{
    if (j->depth == 0 && !key && !j->need_comma) {
        putchar(bracket);
    } else {
        json_key(j, key);
        putchar(bracket);
    }
    j->depth++;
    j->need_comma = 0;
}

static void json_close(struct json *j, char bracket)
{
    j->depth--;
    if (j->need_comma) {
        putchar('\n');
        json_indent(j);
    }
    putchar(bracket);
    j->need_comma = 1;
    if (j->depth == 0)
        putchar('\n');
}

static void json_str(struct json *j, const char *key, const char *value)
{
    json_key(j, key);
    if (value)
        json_string_value(value);
    else
        fputs("null", stdout);
}

static void json_int(struct json *j, const char *key, int64_t value)
{
    json_key(j, key);
    printf("%" PRId64, value);
}

static void json_uint(struct json *j, const char *key, uint64_t value)
{
    json_key(j, key);
    printf("%" PRIu64, value);
}

static void json_bool(struct json *j, const char *key, int value)
{
    json_key(j, key);
    fputs(value ? "true" : "false", stdout);
}

static void json_null(struct json *j, const char *key)
{
    json_key(j, key);
    fputs("null", stdout);
}

/* ISO 8601 local time like lsipc --time-format=iso, null for "never". */
static void json_time(struct json *j, const char *key, int64_t ns)
{
    if (ns == 0) {
        json_null(j, key);
        return;
    }
    char buf[64];
    time_t seconds = (time_t)(ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    json_str(j, key, buf);
}

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

/* ---- snapshot ----------------------------------------------------------- */

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
    int have_channels;
};

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

static int take_snapshot(struct snapshot *s, unsigned kinds, int want_orphans, int64_t idle_ns, int want_channels)
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
    if (want_channels && s->nshm > 0) {
        s->channels = calloc((size_t)s->nshm, sizeof *s->channels);
        if (!s->channels) {
            fprintf(stderr, "%s: out of memory\n", program);
            return -1;
        }
        for (int i = 0; i < s->nshm; i++)
            if (svipc_admin_channel_stat(s->shm[i].id, &s->channels[i]) != 0)
                s->channels[i].shm_id = -1; /* not a channel, or unreadable */
        s->have_channels = 1;
    }
    return 0;
}

static void free_snapshot(struct snapshot *s)
{
    free(s->shm);
    free(s->sem);
    free(s->msg);
    free(s->orphans);
    free(s->channels);
}

static const svipc_orphan *find_orphan(const struct snapshot *s, uint32_t kind, int32_t id)
{
    for (int i = 0; i < s->norphans; i++)
        if (s->orphans[i].kind == kind && s->orphans[i].id == id)
            return &s->orphans[i];
    return NULL;
}

static const svipc_channel_info *channel_of_segment(const struct snapshot *s, int index)
{
    if (!s->have_channels || s->channels[index].shm_id < 0)
        return NULL;
    return &s->channels[index];
}

/* The segment whose channel uses semid as its writer lock, or -1. */
static int32_t channel_owning_lock(const struct snapshot *s, int32_t semid)
{
    for (int i = 0; s->have_channels && i < s->nshm; i++)
        if (s->channels[i].shm_id >= 0 && s->channels[i].sem_id == semid)
            return s->channels[i].shm_id;
    return -1;
}

static int is_mine(uint32_t uid, uint32_t cuid)
{
    uid_t me = geteuid();
    return uid == me || cuid == me;
}

/* Whether an object passes --mine and --orphans. */
static int selected(const struct options *o, const struct snapshot *s, uint32_t kind, int32_t id, uint32_t uid,
                    uint32_t cuid)
{
    if (o->mine && !is_mine(uid, cuid))
        return 0;
    if (o->orphans && !find_orphan(s, kind, id))
        return 0;
    return 1;
}

/* ---- object output ------------------------------------------------------ */

static void shm_status(const svipc_shm_info *info, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", (info->flags & SVIPC_SHM_INFO_REMOVED) ? "dest" : "",
             (info->flags & SVIPC_SHM_INFO_REMOVED) && (info->flags & SVIPC_SHM_INFO_LOCKED) ? "," : "",
             (info->flags & SVIPC_SHM_INFO_LOCKED) ? "locked" : "");
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

static void json_channel(struct json *j, const svipc_channel_info *channel)
{
    if (!channel) {
        json_null(j, "channel");
        return;
    }
    json_open(j, "channel", '{');
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

static void json_shm(struct json *j, const struct snapshot *s, int index)
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
        json_channel(j, channel_of_segment(s, index));
    json_close(j, '}');
}

static void json_sem(struct json *j, const struct snapshot *s, int index)
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

static void json_msg(struct json *j, const struct snapshot *s, int index)
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

/* "pid 123 gone", or that no user was ever recorded. */
static const char *gone_text(const svipc_orphan *orphan, char *buf, size_t size)
{
    if (orphan->pid > 0)
        snprintf(buf, size, "pid %" PRId32 " gone", orphan->pid);
    else
        snprintf(buf, size, "no user recorded");
    return buf;
}

static const char *note_text(const struct snapshot *s, uint32_t kind, int32_t id, int shm_index, char *buf, size_t size)
{
    char idle[32];
    const svipc_orphan *orphan = s->have_orphans ? find_orphan(s, kind, id) : NULL;
    const char *channel = "";
    char lock[48] = "";
    if (kind == SVIPC_KIND_SHM && shm_index >= 0 && channel_of_segment(s, shm_index))
        channel = "channel ";
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

static void table_shm(const struct options *o, const struct snapshot *s)
{
    printf("------ Shared memory segments ------\n");
    printf("%-10s %-8s %-10s %-9s %6s %6s %-11s %7s %7s %-12s %s\n", "KEY", "ID", "OWNER", "PERMS", "SIZE",
           "NATTCH", "STATUS", "CPID", "LPID", "CHANGED", "NOTE");
    for (int i = 0; i < s->nshm; i++) {
        const svipc_shm_info *info = &s->shm[i];
        if (!selected(o, s, SVIPC_KIND_SHM, info->id, info->uid, info->cuid))
            continue;
        char key[16], owner[32], perms[10], size[SIZE_TEXT_MAX], status[32], when[32], note[128];
        shm_status(info, status, sizeof status);
        printf("%-10s %-8" PRId32 " %-10s %-9s %6s %6" PRIu64 " %-11s %7" PRId32 " %7" PRId32 " %-12s %s\n",
               key_text(info->key, key, sizeof key), info->id, user_name(info->uid, owner, sizeof owner),
               perms_text(info->mode, perms), size_text(info->size, size, sizeof size), info->nattch,
               status[0] ? status : "-", info->cpid, info->lpid, time_text(info->ctime_ns, when, sizeof when),
               note_text(s, SVIPC_KIND_SHM, info->id, i, note, sizeof note));
    }
}

static void table_sem(const struct options *o, const struct snapshot *s)
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

static void table_msg(const struct options *o, const struct snapshot *s)
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

/* ---- ls ----------------------------------------------------------------- */

static int run_ls(struct options *o, int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return usage_error("ls: unexpected argument '%s'", argv[0]);
    struct snapshot s;
    if (take_snapshot(&s, o->kinds, o->orphans, o->idle_ns, o->channels) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        if (o->kinds & KIND_SHM) {
            json_open(&j, "sharedmemory", '[');
            for (int i = 0; i < s.nshm; i++)
                if (selected(o, &s, SVIPC_KIND_SHM, s.shm[i].id, s.shm[i].uid, s.shm[i].cuid))
                    json_shm(&j, &s, i);
            json_close(&j, ']');
        }
        if (o->kinds & KIND_SEM) {
            json_open(&j, "semaphores", '[');
            for (int i = 0; i < s.nsem; i++)
                if (selected(o, &s, SVIPC_KIND_SEM, s.sem[i].id, s.sem[i].uid, s.sem[i].cuid))
                    json_sem(&j, &s, i);
            json_close(&j, ']');
        }
        if (o->kinds & KIND_MSG) {
            json_open(&j, "messages", '[');
            for (int i = 0; i < s.nmsg; i++)
                if (selected(o, &s, SVIPC_KIND_MSG, s.msg[i].id, s.msg[i].uid, s.msg[i].cuid))
                    json_msg(&j, &s, i);
            json_close(&j, ']');
        }
        json_close(&j, '}');
    } else {
        int first = 1;
        if (o->kinds & KIND_SHM) {
            table_shm(o, &s);
            first = 0;
        }
        if (o->kinds & KIND_SEM) {
            if (!first)
                putchar('\n');
            table_sem(o, &s);
            first = 0;
        }
        if (o->kinds & KIND_MSG) {
            if (!first)
                putchar('\n');
            table_msg(o, &s);
        }
    }
    free_snapshot(&s);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- target resolution (stat, rm) --------------------------------------- */

struct target {
    unsigned kind; /* one KIND_* */
    int index;     /* into the snapshot's array of that kind */
};

static const char *kind_noun(unsigned kind)
{
    return kind == KIND_SHM ? "segment" : kind == KIND_SEM ? "semaphore set" : "message queue";
}

static int32_t object_id(const struct snapshot *s, struct target t)
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

/* ---- stat --------------------------------------------------------------- */

static void print_field(const char *name, const char *format, ...)
{
    va_list args;
    printf("%-16s ", name);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
}

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

/* Parse the ID arguments or --key/--name into targets. Returns the count,
 * or -EXIT_USAGE / -EXIT_FAILURE after printing why. */
static int resolve_targets(const char *command, struct options *o, const struct snapshot *s, int argc, char **argv,
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

/* Recognise channels among the targeted segments only: a probe attaches. */
static int probe_targets(struct snapshot *s, const struct target *targets, int n)
{
    if (s->nshm == 0)
        return 0;
    s->channels = calloc((size_t)s->nshm, sizeof *s->channels);
    if (!s->channels) {
        fprintf(stderr, "%s: out of memory\n", program);
        return -1;
    }
    for (int i = 0; i < s->nshm; i++)
        s->channels[i].shm_id = -1;
    for (int i = 0; i < n; i++)
        if (targets[i].kind == KIND_SHM &&
            svipc_admin_channel_stat(s->shm[targets[i].index].id, &s->channels[targets[i].index]) != 0)
            s->channels[targets[i].index].shm_id = -1;
    s->have_channels = 1;
    return 0;
}

static int run_stat(struct options *o, int argc, char **argv)
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

/* ---- rm and clean ------------------------------------------------------- */

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

static int run_rm(struct options *o, int argc, char **argv)
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

static int run_clean(struct options *o, int argc, char **argv)
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

/* ---- limits ------------------------------------------------------------- */

static int run_limits(struct options *o, int argc, char **argv)
{
    if (argc > 0)
        return usage_error("limits: unexpected argument '%s'", argv[0]);
    svipc_ipc_limits l;
    svipc_ipc_usage u;
    int rc = svipc_limits(&l);
    if (rc == 0)
        rc = svipc_usage(&u);
    if (rc != 0) {
        report_failure("reading limits", rc);
        return EXIT_FAILURE;
    }
    if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        json_open(&j, "limits", '{');
        json_uint(&j, "shmmni", l.shmmni);
        json_uint(&j, "shmmax", l.shmmax);
        json_uint(&j, "shmall", l.shmall);
        json_uint(&j, "shmmin", l.shmmin);
        json_uint(&j, "page_size", l.page_size);
        json_uint(&j, "semmni", l.semmni);
        json_uint(&j, "semmsl", l.semmsl);
        json_uint(&j, "semmns", l.semmns);
        json_uint(&j, "semopm", l.semopm);
        json_uint(&j, "semvmx", l.semvmx);
        json_uint(&j, "msgmni", l.msgmni);
        json_uint(&j, "msgmax", l.msgmax);
        json_uint(&j, "msgmnb", l.msgmnb);
        json_close(&j, '}');
        json_open(&j, "usage", '{');
        json_uint(&j, "shm_segments", u.shm_segments);
        json_uint(&j, "shm_pages", u.shm_pages);
        json_uint(&j, "shm_resident_pages", u.shm_resident_pages);
        json_uint(&j, "shm_swapped_pages", u.shm_swapped_pages);
        json_uint(&j, "sem_sets", u.sem_sets);
        json_uint(&j, "sem_semaphores", u.sem_semaphores);
        json_uint(&j, "msg_queues", u.msg_queues);
        json_uint(&j, "msg_messages", u.msg_messages);
        json_uint(&j, "msg_bytes", u.msg_bytes);
        json_close(&j, '}');
        json_close(&j, '}');
    } else {
        char a[32], b[32];
        printf("------ Shared memory ------\n");
        printf("segments           %" PRIu64 " of at most %" PRIu64 " (kernel.shmmni)\n", u.shm_segments, l.shmmni);
        printf("segment size       %" PRIu64 " to %" PRIu64 " bytes (%s, kernel.shmmax)\n", l.shmmin, l.shmmax,
               size_text(l.shmmax, a, sizeof a));
        printf("total              %" PRIu64 " of at most %" PRIu64 " pages of %" PRIu64 " bytes (kernel.shmall)\n",
               u.shm_pages, l.shmall, l.page_size);
        printf("pages              %" PRIu64 " resident, %" PRIu64 " swapped\n", u.shm_resident_pages,
               u.shm_swapped_pages);
        printf("\n------ Semaphores ------\n");
        printf("sets               %" PRIu64 " of at most %" PRIu64 " (semmni)\n", u.sem_sets, l.semmni);
        printf("semaphores         %" PRIu64 " of at most %" PRIu64 " (semmns), %" PRIu64 " per set (semmsl)\n",
               u.sem_semaphores, l.semmns, l.semmsl);
        printf("ops per semop      %" PRIu64 " (semopm)\n", l.semopm);
        printf("max value          %" PRIu64 " (semvmx)\n", l.semvmx);
        printf("\n------ Message queues ------\n");
        printf("queues             %" PRIu64 " of at most %" PRIu64 " (kernel.msgmni)\n", u.msg_queues, l.msgmni);
        printf("queued             %" PRIu64 " messages, %" PRIu64 " bytes\n", u.msg_messages, u.msg_bytes);
        printf("message size       at most %" PRIu64 " bytes (%s, kernel.msgmax)\n", l.msgmax,
               size_text(l.msgmax, a, sizeof a));
        printf("queue capacity     %" PRIu64 " bytes by default (%s, kernel.msgmnb)\n", l.msgmnb,
               size_text(l.msgmnb, b, sizeof b));
    }
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- main --------------------------------------------------------------- */

static int (*const runners[COMMAND_COUNT])(struct options *, int, char **) = {
    [COMMAND_LS] = run_ls,       [COMMAND_LIST] = run_ls,   [COMMAND_STAT] = run_stat,
    [COMMAND_RM] = run_rm,       [COMMAND_CLEAN] = run_clean, [COMMAND_LIMITS] = run_limits,
};

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "bridge") == 0)
        return bridge_main(argc - 1, argv + 1); /* tools/bridge/, doc/bridge.md */
    struct invocation invocation;
    const int status = parse_command_line(argc, argv, &invocation);
    if (status >= 0)
        return status;
    return runners[invocation.command->id](&invocation.options, invocation.argc, invocation.argv);
}
