/* `svipc topic list` and `svipc topic info NAME`: the channels among the
 * segments, by name, with their schema and how they are used, from the
 * headers (svipc_admin_channel_stat, svipc_admin_channel_describe: each
 * segment attached read-only for a moment). Opens no channel. */
#include "commands.h"

#include "format.h"
#include "json.h"
#include "schema.h"
#include "snapshot.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The schema's short form for the table ("struct{x,y}"), its text if it
 * cannot be parsed. */
static void schema_short(const char *text, struct textbuf *out)
{
    struct schema *s = malloc(sizeof *s);
    if (s && schema_parse(s, text, NULL, 0) == 0)
        schema_summary(s, out);
    else
        textbuf_puts(out, text);
    free(s);
}

/* Age of the latest value in ns, -1 when there is none. */
static int64_t latest_age_ns(const svipc_channel_info *c)
{
    if (c->latest_sequence == 0)
        return -1;
    int64_t age = svipc_channel_now_ns() - c->latest_publish_time_ns;
    return age > 0 ? age : 0;
}

static void json_topic(struct json *j, const svipc_channel_info *c, const struct channel_label *label)
{
    char buf[32];
    json_open(j, NULL, '{');
    json_str(j, "name", label->name[0] ? label->name : NULL);
    json_str(j, "schema", label->schema[0] ? label->schema : NULL); /* null: layout not readable */
    snprintf(buf, sizeof buf, "0x%016" PRIx64, c->schema_hash);
    json_str(j, "schema_hash", buf);
    json_uint(j, "type", c->type);
    json_uint(j, "payload_size", c->payload_size);
    json_uint(j, "buffer_num", c->buffer_num);
    json_uint(j, "attached", c->attached);
    json_uint(j, "latest_sequence", c->latest_sequence);
    int64_t age = latest_age_ns(c);
    if (age < 0) {
        json_null(j, "latest_publish_time_ns");
        json_null(j, "age");
    } else {
        json_int(j, "latest_publish_time_ns", c->latest_publish_time_ns);
        json_double(j, "age", (double)age / 1e9);
    }
    json_int(j, "writer_pid", c->writer_pid);
    json_time(j, "created", c->created_time_ns);
    json_int(j, "created_time_ns", c->created_time_ns);
    json_str(j, "key", key_text(c->key, buf, sizeof buf));
    json_int(j, "id", c->shm_id);
    json_int(j, "lock_semid", c->sem_id);
    json_uint(j, "layout_version", c->layout_version);
    json_uint(j, "segment_size", c->segment_size);
    json_uint(j, "sleepers", c->sleepers);
    json_uint(j, "pinned_slots", c->pinned_slots);
    json_close(j, '}');
}

int run_topic_list(struct options *o, int argc, char **argv)
{
    if (argc > 0)
        return usage_error("topic list: unexpected argument '%s'", argv[0]);
    struct snapshot s;
    if (take_snapshot(&s, KIND_SHM, 0, 0, 1) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    struct json j = {0, 0};
    if (o->json) {
        json_open(&j, NULL, '{');
        json_open(&j, "topics", '[');
    } else {
        printf("%-24s %-24s %8s %7s %8s %10s %8s\n", "NAME", "SCHEMA", "SIZE", "BUFFERS", "ATTACHED", "SEQUENCE",
               "AGE");
    }
    struct textbuf summary = {0};
    for (int i = 0; i < s.nshm; i++) {
        const svipc_channel_info *c = channel_of_segment(&s, i);
        if (!c)
            continue;
        const struct channel_label *label = channel_label_of(&s, i);
        if (o->json) {
            json_topic(&j, c, label);
            continue;
        }
        char size[SIZE_TEXT_MAX], age[32], key[16], name[NAME_TEXT_MAX];
        textbuf_clear(&summary);
        if (label->schema[0])
            schema_short(label->schema, &summary);
        else /* another layout version, or a corrupt header */
            textbuf_printf(&summary, "? (layout %" PRIu32 ")", c->layout_version);
        const char *schema = textbuf_text(&summary);
        int64_t age_ns = latest_age_ns(c);
        /* An unnamed channel (opened by key) shows its key. */
        printf("%-24s %-24.*s%s %8s %7" PRIu32 " %8" PRIu32 " %10" PRIu64 " %8s\n",
               label->name[0] ? name_text(label->name, name, sizeof name) : key_text(c->key, key, sizeof key),
               strlen(schema) > 24 ? 21 : 24,
               schema, strlen(schema) > 24 ? "..." : "", size_text(c->payload_size, size, sizeof size),
               c->buffer_num, c->attached, c->latest_sequence, age_ns < 0 ? "-" : age_text(age_ns, age, sizeof age));
    }
    textbuf_free(&summary);
    if (o->json) {
        json_close(&j, ']');
        json_close(&j, '}');
    }
    free_snapshot(&s);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void info_text(const svipc_channel_info *c, const struct channel_label *label)
{
    char buf[64], size[SIZE_TEXT_MAX], name[NAME_TEXT_MAX];
    print_field("name", "%s", name_text(label->name, name, sizeof name));
    print_field("schema", "%s", label->schema);
    print_field("schema hash", "0x%016" PRIx64, c->schema_hash);
    struct schema *s = malloc(sizeof *s);
    char error[SCHEMA_ERROR_MAX];
    if (s && schema_parse(s, label->schema, error, sizeof error) == 0) {
        struct textbuf fields = {0};
        schema_describe(s, &fields);
        printf("%s", textbuf_text(&fields));
        textbuf_free(&fields);
    } else {
        print_field("", "%s", s ? error : "out of memory");
    }
    free(s);
    print_field("payload size", "%" PRIu64 " bytes (%s)", c->payload_size,
                size_text(c->payload_size, size, sizeof size));
    print_field("buffers", "%" PRIu32, c->buffer_num);
    print_field("attached", "%" PRIu32 " processes", c->attached);
    int64_t age = latest_age_ns(c);
    if (age < 0)
        print_field("latest", "nothing published yet");
    else
        print_field("latest", "sequence %" PRIu64 ", %s ago", c->latest_sequence, age_text(age, buf, sizeof buf));
    if (c->writer_pid > 0)
        print_field("writer pid", "%" PRId32 " (holds the writer lock)", c->writer_pid);
    else
        print_field("writer pid", "none (the writer lock is free)");
    time_t seconds = (time_t)(c->created_time_ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
    print_field("created", "%s", buf);
    print_field("key", "%s", key_text(c->key, buf, sizeof buf));
    print_field("segment id", "%" PRId32 " (%" PRIu64 " bytes, layout %" PRIu32 ")", c->shm_id, c->segment_size,
                c->layout_version);
    print_field("writer lock", "semaphore set %" PRId32, c->sem_id);
    print_field("sleepers", "%" PRIu32 " (readers asleep in a wait)", c->sleepers);
    print_field("pinned slots", "%" PRIu32, c->pinned_slots);
}

int run_topic_info(struct options *o, int argc, char **argv)
{
    if (argc != 1)
        return argc ? usage_error("topic info: unexpected argument '%s'", argv[1])
                    : usage_error("topic info: give a channel NAME");
    const char *name = argv[0];
    int32_t key;
    if (svipc_key_from_name(name, &key) != 0)
        return usage_error("topic info: '%s' is not a valid channel name", name);
    struct snapshot s;
    if (take_snapshot(&s, KIND_SHM, 0, 0, 0) != 0 || snapshot_channels_alloc(&s) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    int found = -1;
    for (int i = 0; i < s.nshm && found < 0; i++)
        if (s.shm[i].key == key) {
            snapshot_probe_channel(&s, i);
            found = i;
        }
    const svipc_channel_info *c = found >= 0 ? channel_of_segment(&s, found) : NULL;
    const struct channel_label *label = c ? channel_label_of(&s, found) : NULL;
    int status = EXIT_SUCCESS;
    char buf[16], shown[NAME_TEXT_MAX], other[NAME_TEXT_MAX];
    name_text(name, shown, sizeof shown);
    if (found < 0) {
        fprintf(stderr, "%s: topic info: no channel named '%s'\n", program, shown);
        status = EXIT_FAILURE;
    } else if (!c) {
        fprintf(stderr, "%s: topic info: the segment with key %s (name '%s') is not a svipc channel\n", program,
                key_text(key, buf, sizeof buf), shown);
        status = EXIT_FAILURE;
    } else if (!label->schema[0]) {
        fprintf(stderr, "%s: topic info: channel '%s' has layout version %" PRIu32 " or a corrupt header: "
                        "this svipc cannot read it\n", program, shown, c->layout_version);
        status = EXIT_FAILURE;
    } else if (strcmp(label->name, name) != 0) {
        /* Two names, one key (a 31-bit hash): say so, never show the other. */
        fprintf(stderr, "%s: topic info: key %s of '%s' belongs to channel '%s'\n", program,
                key_text(key, buf, sizeof buf), shown, name_text(label->name, other, sizeof other));
        status = EXIT_FAILURE;
    } else if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        json_open(&j, "topics", '[');
        json_topic(&j, c, label);
        json_close(&j, ']');
        json_close(&j, '}');
    } else {
        info_text(c, label);
    }
    free_snapshot(&s);
    if (status == EXIT_SUCCESS && fflush(stdout) != 0)
        status = EXIT_FAILURE;
    return status;
}
