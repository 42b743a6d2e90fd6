/* libFuzzer target: svipc(1)'s argument parser (tools/svipc/args.c) on
 * arbitrary argument vectors. The input is split at NUL bytes into
 * arguments after "svipc". The parser must return an exit status (0 for
 * --help/--version, 2 for a usage error) or a command to run whose operands
 * lie inside the vector it was given; it runs nothing. */
#include "args.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private, NUL-terminated copy: getopt_long permutes argv. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char program_name[] = "svipc";
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = program_name;
    for (size_t start = 0; start <= size && argc <= MAX_ARGS;) {
        argv[argc++] = text + start;
        start += strlen(text + start) + 1;
    }
    if (size == 0)
        argc = 1; /* no input: "svipc" alone */
    argv[argc] = NULL;

    struct invocation invocation;
    memset(&invocation, 0, sizeof invocation);
    const int status = parse_command_line(argc, argv, &invocation);
    if (status == -1) {
        if (!invocation.command || invocation.command->id >= COMMAND_COUNT)
            abort();
        if (invocation.argc < 0 || invocation.argv < argv + 1 || invocation.argv + invocation.argc > argv + argc)
            abort();
        if (invocation.options.kinds == 0 || (invocation.options.kinds & ~(unsigned)KIND_ALL))
            abort();
        if (invocation.options.idle_ns < 0)
            abort();
    } else if (status != EXIT_SUCCESS && status != EXIT_USAGE) {
        abort();
    }
    free(text);
    return 0;
}
