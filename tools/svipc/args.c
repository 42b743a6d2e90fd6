/* svipc(1)'s command line; see args.h. */
#include "args.h"

#include <svipc/svipc.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char program[] = "svipc";

static const char topic_list_help[] =
    "Usage: svipc topic list [--json]\n"
    "List svipc channels: name, schema, payload size, buffers, attached processes,\n"
    "latest sequence and the age of the latest value. Attaches each segment\n"
    "read-only for a moment to read its header.\n"
    "  -j, --json     JSON output: {\"topics\": [...]}, shaped like svipc ls --json\n";
static const char topic_info_help[] =
    "Usage: svipc topic info NAME [--json]\n"
    "Everything known about one channel: what topic list shows, plus its fields,\n"
    "writer pid, creation time, key, segment and writer-lock ids.\n"
    "  -j, --json     JSON output: {\"topics\": [{...}]}\n";
static const char topic_echo_help[] =
    "Usage: svipc topic echo NAME [--once] [--count N] [--json]\n"
    "Print the channel's latest value, then each new value as it is published,\n"
    "decoded by the channel's schema (a structure as \"field: value\" lines,\n"
    "each value followed by ---). Sleeps between values: no polling.\n"
    "      --once     print one value and exit: the current one, or the first\n"
    "                 published if there is none yet\n"
    "      --count N  exit after N values\n"
    "  -j, --json     one JSON object per line: sequence, publish_time_ns,\n"
    "                 missed, value\n";
static const char topic_hz_help[] =
    "Usage: svipc topic hz NAME [--window N] [--count N] [--json]\n"
    "Every second, the channel's publish rate and the min, max and standard\n"
    "deviation of the interval between values, computed from the sequence\n"
    "numbers and publish times the publisher stored (so a slow reader does not\n"
    "distort them).\n"
    "      --window N the last N intervals (default %d)\n"
    "      --count N  exit after N reports\n"
    "  -j, --json     one JSON object per report and line\n";
static const char topic_pub_help[] =
    "Usage: svipc topic pub NAME VALUE [--rate HZ] [--count N]\n"
    "Publish VALUE, encoded by the channel's schema, as a shared writer.\n"
    "VALUE is JSON as topic echo --json prints it ({\"x\": 1.5, \"y\": [1, 2]} for\n"
    "a structure), or for a single value also plain text: true, 42, 1.5e3,\n"
    "nan, a byte string unquoted, opaque bytes in hex. A value that does not fit\n"
    "the schema exits 2 and publishes nothing.\n"
    "      --rate HZ  publish at HZ per second (absolute deadlines) until stopped\n"
    "      --count N  publish N times (default 1, unlimited with --rate)\n";

static const struct command commands[] = {
    {"ls", COMMAND_LS, "shm sem msg mine orphans idle channels json", NULL},
    {"list", COMMAND_LIST, "shm sem msg mine orphans idle channels json", NULL},
    {"stat", COMMAND_STAT, "shm sem msg key name json", NULL},
    {"rm", COMMAND_RM, "shm sem msg key name", NULL},
    {"clean", COMMAND_CLEAN, "shm sem msg orphans dry-run idle all-users json", NULL},
    {"limits", COMMAND_LIMITS, "json", NULL},
    {"topic list", COMMAND_TOPIC_LIST, "json", topic_list_help},
    {"topic info", COMMAND_TOPIC_INFO, "json", topic_info_help},
    {"topic echo", COMMAND_TOPIC_ECHO, "once count json", topic_echo_help},
    {"topic hz", COMMAND_TOPIC_HZ, "window count json", topic_hz_help},
    {"topic pub", COMMAND_TOPIC_PUB, "rate count", topic_pub_help},
};

static const char topic_usage[] =
    "Usage: svipc topic COMMAND [OPTIONS]\n"
    "Inspect svipc channels (topics) by name; svipc topic COMMAND --help for each.\n"
    "\n"
    "Commands:\n"
    "  list [--json]                          the channels, with schema, rate of use, readers\n"
    "  info NAME [--json]                     one channel in full\n"
    "  echo NAME [--once] [--count N] [--json]  print values as they are published\n"
    "  hz NAME [--window N] [--count N] [--json]  publish rate and interval statistics\n"
    "  pub NAME VALUE [--rate HZ] [--count N]  publish a value given as text or JSON\n";

/* A command's --help. */
static void command_help(const struct command *command)
{
    if (!command->help)
        usage(stdout);
    else if (command->id == COMMAND_TOPIC_HZ)
        printf(command->help, DEFAULT_HZ_WINDOW);
    else
        fputs(command->help, stdout);
}

/* ---- messages ----------------------------------------------------------- */

void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s COMMAND [OPTIONS]\n"
            "List, inspect and clean System V IPC objects (shared memory, semaphores, message queues).\n"
            "\n"
            "Commands:\n"
            "  ls [--shm|--sem|--msg] [--mine] [--orphans [--idle SECONDS]] [--channels] [--json]\n"
            "                         list objects (all kinds unless some are named)\n"
            "  stat [--shm|--sem|--msg] ID | --key KEY | --name NAME [--json]\n"
            "                         show every field of one object (and its channel header)\n"
            "  rm [--shm|--sem|--msg] ID... | --key KEY | --name NAME\n"
            "                         remove objects (IPC_RMID); a channel's writer lock goes with it\n"
            "  clean --orphans [--dry-run] [--idle SECONDS] [--all-users] [--json]\n"
            "                         remove objects whose users are all gone (your own unless --all-users)\n"
            "  limits [--json]        kernel limits and current usage (ipcs -l, ipcs -u)\n"
            "  topic list|info|echo|hz|pub ...\n"
            "                         channels by name: list, inspect, print, measure, publish\n"
            "                         (svipc topic --help)\n"
            "\n"
            "Options:\n"
            "  -m, --shm              shared memory segments\n"
            "  -s, --sem              semaphore sets\n"
            "  -q, --msg              message queues\n"
            "      --mine             only objects you own or created\n"
            "      --orphans          only orphans (see svipc(1))\n"
            "      --idle SECONDS     sets and queues count as orphans after this idle time (default %d)\n"
            "      --channels         recognise svipc channels (attaches each segment read-only)\n"
            "  -k, --key KEY          select by key (decimal, or 0x... hexadecimal)\n"
            "  -n, --name NAME        select by svipc name (key = svipc_key_from_name(NAME))\n"
            "  -j, --json             JSON output, shaped like lsipc --json\n"
            "      --dry-run          clean: list what would be removed, remove nothing\n"
            "      --all-users        clean: also other users' orphans (root only)\n"
            "  -h, --help             this help\n"
            "  -V, --version          the version\n",
            program, DEFAULT_IDLE_SECONDS);
}

int usage_error(const char *format, ...)
{
    va_list args;
    fprintf(stderr, "%s: ", program);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", program);
    return EXIT_USAGE;
}


/* ---- options ------------------------------------------------------------ */

enum {
    OPT_MINE = 256, OPT_ORPHANS, OPT_IDLE, OPT_CHANNELS, OPT_DRY_RUN, OPT_ALL_USERS,
    OPT_ONCE, OPT_COUNT, OPT_WINDOW, OPT_RATE,
};

static const struct option long_options[] = {
    {"shm", no_argument, NULL, 'm'},
    {"sem", no_argument, NULL, 's'},
    {"msg", no_argument, NULL, 'q'},
    {"mine", no_argument, NULL, OPT_MINE},
    {"orphans", no_argument, NULL, OPT_ORPHANS},
    {"idle", required_argument, NULL, OPT_IDLE},
    {"channels", no_argument, NULL, OPT_CHANNELS},
    {"key", required_argument, NULL, 'k'},
    {"name", required_argument, NULL, 'n'},
    {"json", no_argument, NULL, 'j'},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"all-users", no_argument, NULL, OPT_ALL_USERS},
    {"once", no_argument, NULL, OPT_ONCE},
    {"count", required_argument, NULL, OPT_COUNT},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int parse_long(const char *text, long long min, long long max, long long *ret)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 0);
    if (errno || end == text || *end || value < min || value > max)
        return -1;
    *ret = value;
    return 0;
}

static int option_allowed(const struct command *command, const char *option)
{
    const char *p = command->allowed;
    size_t len = strlen(option);
    while ((p = strstr(p, option)) != NULL) {
        if ((p == command->allowed || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return 1;
        p += len;
    }
    return 0;
}

static const char *option_name(int c)
{
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == c)
            return o->name;
    return "?";
}

/* ---- the parser --------------------------------------------------------- */

int parse_command_line(int argc, char **argv, struct invocation *ret)
{
    if (argc < 2)
        return usage_error("missing command");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_SUCCESS;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("svipc %s (library %s)\n", SVIPC_VERSION_STRING, svipc_version_string());
        return EXIT_SUCCESS;
    }
    /* `svipc topic SUBCOMMAND`: the pair names the command, argv[2] plays argv[0]. */
    int topic = strcmp(argv[1], "topic") == 0;
    if (topic && argc < 3)
        return usage_error("topic: give a command (list, info, echo, hz, pub)");
    if (topic && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "help") == 0)) {
        fputs(topic_usage, stdout);
        return EXIT_SUCCESS;
    }
    const struct command *command = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *name = commands[i].name;
        int is_topic = strncmp(name, "topic ", 6) == 0;
        if (is_topic == topic && strcmp(topic ? argv[2] : argv[1], is_topic ? name + 6 : name) == 0)
            command = &commands[i];
    }
    if (!command && topic)
        return usage_error("unknown topic command '%s' (list, info, echo, hz, pub)", argv[2]);
    if (!command)
        return usage_error("unknown command '%s'", argv[1]);

    struct options o;
    memset(&o, 0, sizeof o);
    o.idle_ns = (int64_t)DEFAULT_IDLE_SECONDS * NS_PER_SECOND;
    o.window = DEFAULT_HZ_WINDOW;
    /* getopt_long on the command's own arguments; argv[1] plays argv[0]. */
    int sub_argc = argc - 1 - topic;
    char **sub_argv = argv + 1 + topic;
    opterr = 0;
    /* 0, not 1: glibc then also forgets where a previous parse stopped inside
     * a cluster of short options (a pointer into that call's argv). */
    optind = 0;
    int c;
    while ((c = getopt_long(sub_argc, sub_argv, ":msqk:n:jhV", long_options, NULL)) != -1) {
        if (c == '?')
            return usage_error("%s: unknown option '%s'", command->name, sub_argv[optind - 1]);
        if (c == ':')
            return usage_error("%s: option '%s' needs an argument", command->name, sub_argv[optind - 1]);
        if (c == 'h') {
            command_help(command);
            return EXIT_SUCCESS;
        }
        if (c == 'V') {
            printf("svipc %s (library %s)\n", SVIPC_VERSION_STRING, svipc_version_string());
            return EXIT_SUCCESS;
        }
        if (!option_allowed(command, option_name(c)))
            return usage_error("%s: option --%s does not apply", command->name, option_name(c));
        long long value;
        switch (c) {
        case 'm': o.kinds |= KIND_SHM; break;
        case 's': o.kinds |= KIND_SEM; break;
        case 'q': o.kinds |= KIND_MSG; break;
        case OPT_MINE: o.mine = 1; break;
        case OPT_ORPHANS: o.orphans = 1; break;
        case OPT_CHANNELS: o.channels = 1; break;
        case 'j': o.json = 1; break;
        case OPT_DRY_RUN: o.dry_run = 1; break;
        case OPT_ALL_USERS: o.all_users = 1; break;
        case OPT_ONCE: o.once = 1; break;
        case OPT_COUNT:
            if (parse_long(optarg, 1, INT64_MAX, &value) != 0)
                return usage_error("%s: --count wants a whole number >= 1, not '%s'", command->name, optarg);
            o.count = (uint64_t)value;
            break;
        case OPT_WINDOW:
            if (parse_long(optarg, 1, 10000000, &value) != 0)
                return usage_error("%s: --window wants a whole number from 1 to 10000000, not '%s'", command->name,
                                   optarg);
            o.window = (uint64_t)value;
            break;
        case OPT_RATE: {
            char *end;
            errno = 0;
            double rate = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(rate > 0 && rate <= MAX_PUB_RATE_HZ))
                return usage_error("%s: --rate wants a frequency in Hz above 0 and at most %g, not '%s'",
                                   command->name, MAX_PUB_RATE_HZ, optarg);
            o.rate_hz = rate;
            break;
        }
        case OPT_IDLE:
            if (parse_long(optarg, 0, INT64_MAX / NS_PER_SECOND, &value) != 0)
                return usage_error("%s: --idle wants whole seconds >= 0, not '%s'", command->name, optarg);
            o.idle_ns = value * NS_PER_SECOND;
            break;
        case 'k':
            if (o.have_key || o.name)
                return usage_error("%s: give one --key or --name", command->name);
            /* Keys are 32-bit; ipcs prints them as unsigned hex. */
            if (parse_long(optarg, INT32_MIN, UINT32_MAX, &value) != 0)
                return usage_error("%s: '%s' is not a key (decimal or 0x hexadecimal, 32 bits)", command->name,
                                   optarg);
            o.have_key = 1;
            o.key = (int32_t)(uint32_t)value;
            break;
        case 'n': {
            if (o.have_key || o.name)
                return usage_error("%s: give one --key or --name", command->name);
            int rc = svipc_key_from_name(optarg, &o.key);
            if (rc != 0)
                return usage_error("%s: '%s' is not a valid name", command->name, optarg);
            o.name = optarg;
            break;
        }
        default:
            return usage_error("%s: unexpected option", command->name);
        }
    }
    if (o.kinds == 0)
        o.kinds = KIND_ALL;
    ret->command = command;
    ret->options = o;
    ret->argc = sub_argc - optind;
    ret->argv = sub_argv + optind;
    return -1;
}
