/* svipc(1)'s command line; see args.h. */
#include "args.h"

#include <svipc/svipc.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char program[] = "svipc";

static const struct command commands[] = {
    {"ls", COMMAND_LS, "shm sem msg mine orphans idle channels json"},
    {"list", COMMAND_LIST, "shm sem msg mine orphans idle channels json"},
    {"stat", COMMAND_STAT, "shm sem msg key name json"},
    {"rm", COMMAND_RM, "shm sem msg key name"},
    {"clean", COMMAND_CLEAN, "shm sem msg orphans dry-run idle all-users json"},
    {"limits", COMMAND_LIMITS, "json"},
};

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

/* ---- formatting --------------------------------------------------------- */

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
    const struct command *command = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            command = &commands[i];
    if (!command)
        return usage_error("unknown command '%s'", argv[1]);

    struct options o;
    memset(&o, 0, sizeof o);
    o.idle_ns = (int64_t)DEFAULT_IDLE_SECONDS * NS_PER_SECOND;
    /* getopt_long on the command's own arguments; argv[1] plays argv[0]. */
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
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
            usage(stdout);
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
