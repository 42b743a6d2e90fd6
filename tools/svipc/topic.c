/* A channel opened by name with its schema; see topic.h. */
#include "topic.h"

#include "args.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int topic_open(const char *command, int argc, char **argv, int operands, const char *what, int writer,
               struct topic *t)
{
    memset(t, 0, sizeof *t);
    if (argc < operands)
        return usage_error("%s: give %s", command, what);
    if (argc > operands)
        return usage_error("%s: unexpected argument '%s'", command, argv[operands]);
    const char *name = argv[0];
    int32_t key;
    if (svipc_key_from_name(name, &key) != 0)
        return usage_error("%s: '%s' is not a valid channel name", command, name);
    t->schema = malloc(sizeof *t->schema);
    if (!t->schema) {
        fprintf(stderr, "%s: out of memory\n", program);
        return EXIT_FAILURE;
    }
    int rc = svipc_channel_open_schema(name, SVIPC_CHANNEL_TYPE_ANY, NULL, 0, 0,
                                       writer ? SVIPC_CHANNEL_SHARED_WRITER : 0, SVIPC_MODE_DEFAULT, &t->channel);
    if (rc != 0) {
        char what[SVIPC_CHANNEL_NAME_MAX + 64];
        snprintf(what, sizeof what, "%s: opening channel '%s'", command, name);
        if (rc == -ENOENT)
            fprintf(stderr, "%s: %s: no such channel\n", program, what);
        else
            report_failure(what, rc);
        return EXIT_FAILURE;
    }
    rc = svipc_channel_schema(t->channel, t->schema_text, sizeof t->schema_text);
    if (rc < 0) {
        report_failure("reading the channel's schema", rc);
        return EXIT_FAILURE;
    }
    svipc_channel_info info;
    rc = svipc_channel_stat(t->channel, &info);
    if (rc != 0) {
        report_failure("reading the channel's header", rc);
        return EXIT_FAILURE;
    }
    t->payload_size = info.payload_size;
    t->buffer_num = info.buffer_num;
    char error[SCHEMA_ERROR_MAX];
    if (schema_parse(t->schema, t->schema_text, error, sizeof error) != 0) {
        /* A numpy type this tool does not decode (f2, c16, M8...): its bytes. */
        char opaque[32];
        snprintf(opaque, sizeof opaque, "|V%llu", (unsigned long long)t->payload_size);
        fprintf(stderr, "%s: %s: channel '%s': %s; taking its values as %s\n", program, command, name, error,
                opaque);
        if (schema_parse(t->schema, opaque, error, sizeof error) != 0) {
            fprintf(stderr, "%s: %s: channel '%s': %s\n", program, command, name, error);
            return EXIT_FAILURE;
        }
    }
    if (schema_itemsize(t->schema) != t->payload_size) {
        fprintf(stderr, "%s: %s: channel '%s': its schema describes %llu bytes but it holds %llu\n", program,
                command, name, (unsigned long long)schema_itemsize(t->schema), (unsigned long long)t->payload_size);
        return EXIT_FAILURE;
    }
    t->value = malloc(t->payload_size);
    if (!t->value) {
        fprintf(stderr, "%s: out of memory\n", program);
        return EXIT_FAILURE;
    }
    return 0;
}

void topic_close(struct topic *t)
{
    t->channel = svipc_channel_close(t->channel);
    free(t->schema);
    t->schema = NULL;
    free(t->value);
    t->value = NULL;
}
