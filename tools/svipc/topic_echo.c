/* `svipc topic echo NAME [--once] [--count N] [--json]`: the channel's
 * values decoded by its schema, the latest first, then each new one as it is
 * published. Waits in svipc_channel_wait_read (a futex sleep), never polls. */
#include "commands.h"

#include "report.h"
#include "topic.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* One value: text and "---", or one JSON line. */
static void print_value(const struct options *o, const struct topic *t, const void *value,
                        const svipc_channel_read_info *info, struct textbuf *out)
{
    textbuf_clear(out);
    if (o->json) {
        textbuf_printf(out, "{\"sequence\":%" PRIu64 ",\"publish_time_ns\":%" PRId64 ",\"missed\":%" PRIu64
                            ",\"value\":",
                       info->sequence, info->publish_time_ns, info->missed);
        schema_to_json(t->schema, value, out);
        textbuf_puts(out, "}\n");
    } else {
        schema_to_text(t->schema, value, out);
        textbuf_puts(out, "---\n");
    }
    fputs(textbuf_text(out), stdout);
    fflush(stdout); /* a pipe reader sees each value when it comes */
}

int run_topic_echo(struct options *o, int argc, char **argv)
{
    struct topic t;
    int status = topic_open("topic echo", argc, argv, 1, "a channel NAME", 0, &t);
    void *value = t.value;
    struct textbuf out = {0};
    uint64_t limit = o->once ? 1 : o->count;
    for (uint64_t shown = 0; !status && (limit == 0 || shown < limit); shown++) {
        svipc_channel_read_info info;
        /* The current value first; then only newer ones. */
        int rc = shown == 0 ? svipc_channel_read(t.channel, value, t.payload_size, SVIPC_CHANNEL_ANY_AGE, &info)
                            : -ENODATA;
        if (rc == -ENODATA)
            rc = svipc_channel_wait_read(t.channel, value, t.payload_size, SVIPC_WAIT_FOREVER, 0, &info);
        if (rc < 0) {
            report_failure("topic echo: reading the channel", rc);
            status = EXIT_FAILURE;
            break;
        }
        print_value(o, &t, value, &info, &out);
        if (out.failed) {
            fprintf(stderr, "%s: out of memory\n", program);
            status = EXIT_FAILURE;
        }
    }
    textbuf_free(&out);
    topic_close(&t);
    return status;
}
