/* svipc(1)'s command line: the commands, their options, and the parser
 * that turns argv into an invocation without running anything, so the
 * parser can be driven on its own (tests/fuzz/fuzz_cli_args.c feeds it
 * arbitrary argument vectors). Behaviour is that of the tool: the same
 * messages, the same exit statuses. */
#ifndef SVIPC_TOOL_ARGS_H
#define SVIPC_TOOL_ARGS_H

#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2
#define NS_PER_SECOND INT64_C(1000000000)
#define DEFAULT_IDLE_SECONDS 3600 /* sets/queues nobody touched for an hour */
#define DEFAULT_HZ_WINDOW 10000   /* topic hz: intervals, as ros2 topic hz */
#define MAX_PUB_RATE_HZ 1e6       /* topic pub --rate: a microsecond period at most */

enum { KIND_SHM = 1, KIND_SEM = 2, KIND_MSG = 4, KIND_ALL = 7 };

/* The tool's name in every message. */
extern const char program[];

struct options {
    unsigned kinds;   /* KIND_* bits, 0 until one is named */
    int mine, orphans, channels, json, dry_run, all_users;
    int64_t idle_ns;
    int have_key;
    int32_t key;
    const char *name;
    int once;           /* topic echo: one value, then exit */
    uint64_t count;     /* topic echo/hz/pub: stop after this many values/reports/publishes, 0 = no limit */
    uint64_t window;    /* topic hz: intervals the statistics cover */
    double rate_hz;     /* topic pub: publish at this rate, 0 = once */
};

/* The commands, in the order of the `commands` table. */
enum command_id {
    COMMAND_LS, COMMAND_LIST, COMMAND_STAT, COMMAND_RM, COMMAND_CLEAN, COMMAND_LIMITS,
    COMMAND_TOPIC_LIST, COMMAND_TOPIC_INFO, COMMAND_TOPIC_ECHO, COMMAND_TOPIC_HZ, COMMAND_TOPIC_PUB,
    COMMAND_COUNT
};

/* Which options each command accepts, by the name used in messages.
 * `svipc topic SUBCOMMAND` commands are named "topic SUBCOMMAND". */
struct command {
    const char *name;
    enum command_id id;
    const char *allowed; /* option names, space separated */
    const char *help;    /* its own --help text, NULL for the tool's usage */
};

/* What the command line asks for: run `command` with `options` on the
 * remaining `argc` operands `argv` (pointers into the caller's argv). */
struct invocation {
    const struct command *command;
    struct options options;
    int argc;
    char **argv;
};

/* Parse argv. Returns -1 with *ret filled when a command should run;
 * otherwise the exit status after printing what was asked (--help,
 * --version) or the usage error (EXIT_USAGE). May be called repeatedly. */
int parse_command_line(int argc, char **argv, struct invocation *ret);

/* The usage text. */
void usage(FILE *out);

/* "svipc: MESSAGE" and the --help hint on stderr; returns EXIT_USAGE. */
int usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* strtoll (any base) into [min, max], the whole text; 0 or -1. */
int parse_long(const char *text, long long min, long long max, long long *ret);

#endif
