/* svipc bridge — the command line: sections, endpoints, limits, keys. */
#include "bridge_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SECOND 1000000000.0

void bridge_usage(void)
{
    printf("Usage: svipc bridge out NAME... (--bind|--connect) ENDPOINT [in ...] [OPTIONS]\n"
           "       svipc bridge in (--connect|--bind) ENDPOINT [NAME...] [--prefix PREFIX] [out ...] [OPTIONS]\n"
           "       svipc bridge keygen FILE\n"
           "Carry channels between hosts over ZeroMQ, newest value only (doc/bridge.md).\n"
           "\n"
           "  out NAME...             send these local channels' values\n"
           "  in [NAME...]            write received topics (all, or these) into local channels,\n"
           "                          created with the sender's type, size and schema when absent\n"
           "  --bind ENDPOINT         tcp://HOST:PORT, a bare PORT (127.0.0.1), PORT 0 or * for any free port\n"
           "  --connect ENDPOINT      tcp://HOST:PORT (reconnects whenever the peer comes back)\n"
           "  --prefix PREFIX         in: local channel name = PREFIX + topic\n"
           "  --expose                allow --bind beyond loopback\n"
           "  --republish SECONDS     out: resend each newest value this often (default 1, 0 = only to\n"
           "                          new subscribers, which always get it at once)\n"
           "  --stats SECONDS         print counters and latency this often (and at exit)\n"
           "  --max-size BYTES        largest payload accepted (default 64 MiB)\n"
           "  --hwm N                 out: values queued per peer while the link is busy (default 1000,\n"
           "                          as ZeroMQ's; lower for large values over slow links)\n"
           "  --spin MICROSECONDS     spin this long per value around when the next one is due, after\n"
           "                          waking early by up to as much again if timers end late\n"
           "                          (both directions; 0 = never spin; default 50)\n"
           "  --mode OCTAL            in: permissions of channels it creates (default 0600)\n"
           "  --max-topics N          in: distinct topics per section (default 256)\n"
           "  --curve-secret FILE     CURVE: this side's secret key (svipc bridge keygen FILE)\n"
           "  --curve-server-key KEY|FILE  CURVE client of the server with this public key\n"
           "  --curve-allow FILE      CURVE server: only clients whose public key is listed\n");
}

int bridge_usage_error(const char *format, ...)
{
    va_list args;
    fprintf(stderr, "svipc bridge: ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry 'svipc bridge --help' for more information.\n");
    return 2;
}

static int parse_seconds(const char *text, int64_t *ret_ns)
{
    char *end;
    errno = 0;
    double s = strtod(text, &end);
    if (errno || end == text || *end || !(s >= 0) || s > 1e6)
        return -1;
    *ret_ns = (int64_t)(s * NS_PER_SECOND);
    return 0;
}

static int parse_count(const char *text, unsigned long long max, int base, unsigned long long *ret)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)text[0]))
        return -1;
    unsigned long long v = strtoull(text, &end, base);
    if (errno || *end || v > max)
        return -1;
    *ret = v;
    return 0;
}

static int is_loopback_host(const char *host, size_t length)
{
    static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]", "::1"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
        if (strlen(loopback[i]) == length && strncmp(host, loopback[i], length) == 0)
            return 1;
    return length > 4 && strncmp(host, "127.", 4) == 0;
}

/* A bare port means loopback; "tcp://" endpoints pass through, but a bind
 * beyond loopback needs --expose; ipc:// is local by nature. */
static int normalise_endpoint(const char *text, int bind, int expose, char *out)
{
    unsigned long long port;
    if (strcmp(text, "*") == 0 || parse_count(text, 65535, 10, &port) == 0) {
        snprintf(out, BRIDGE_ENDPOINT_MAX, "tcp://127.0.0.1:%s", strcmp(text, "0") == 0 ? "*" : text);
        return 0;
    }
    if (strlen(text) >= BRIDGE_ENDPOINT_MAX)
        return bridge_usage_error("endpoint '%s' is too long", text);
    if (strncmp(text, "ipc://", 6) == 0) {
        strcpy(out, text);
        return 0;
    }
    if (strncmp(text, "tcp://", 6) != 0)
        return bridge_usage_error("endpoint '%s': give tcp://HOST:PORT, ipc://PATH or a port", text);
    const char *host = text + 6;
    const char *colon = strrchr(host, ':');
    if (!colon || colon == host || !colon[1])
        return bridge_usage_error("endpoint '%s': give tcp://HOST:PORT", text);
    if (bind && !expose && !is_loopback_host(host, (size_t)(colon - host)))
        return bridge_usage_error("refusing to bind '%s' beyond loopback without --expose (and consider --curve-secret)",
                                  text);
    strcpy(out, text);
    if (bind && strcmp(colon, ":0") == 0)
        strcpy(out + (colon - text) + 1, "*"); /* ZeroMQ spells "any free port" as '*' */
    return 0;
}

static struct bridge_section *new_section(struct bridge_config *c, enum bridge_direction direction)
{
    struct bridge_section *grown = realloc(c->sections, (size_t)(c->section_count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->sections = grown;
    struct bridge_section *s = &grown[c->section_count++];
    memset(s, 0, sizeof *s);
    s->direction = direction;
    s->notify_fd = -1;
    return s;
}

void bridge_config_free(struct bridge_config *config)
{
    for (int i = 0; i < config->section_count; i++)
        free(config->sections[i].names);
    free(config->sections);
    free(config->curve_allow);
    memset(config, 0, sizeof *config);
}

/* `--name value` or `--name=value`: the value, advancing *i; NULL if missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) != 0)
        return NULL;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) /* the next option, not a value */
        return NULL;
    return argv[++*i];
}

static int matches(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

int bridge_parse(int argc, char **argv, struct bridge_config *c)
{
    memset(c, 0, sizeof *c);
    c->republish_ns = (int64_t)NS_PER_SECOND;
    c->max_payload = 64u << 20;
    c->hwm = 1000; /* ZeroMQ's default: at 100 a sender flat out at 64 B was woken every 50 values */
    c->spin_ns = SVIPC_CHANNEL_DEFAULT_SPIN_NS;
    c->mode = 0600;
    c->max_topics = 256;
    struct bridge_section *s = NULL;
    const char *endpoints[64] = {0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        unsigned long long n;
        if (strcmp(arg, "out") == 0 || strcmp(arg, "in") == 0) {
            if (c->section_count >= 64)
                return bridge_usage_error("at most 64 sections");
            if (!(s = new_section(c, arg[0] == 'o' ? BRIDGE_OUT : BRIDGE_IN)))
                return bridge_usage_error("out of memory");
            continue;
        }
        if (arg[0] != '-') {
            if (!s)
                return bridge_usage_error("'%s': start with 'out' or 'in'", arg);
            const char **grown = realloc(s->names, (size_t)(s->name_count + 1) * sizeof *grown);
            if (!grown)
                return bridge_usage_error("out of memory");
            s->names = grown;
            s->names[s->name_count++] = arg;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            bridge_usage();
            return -1;
        }
        if (strcmp(arg, "--expose") == 0) {
            c->expose = 1;
            continue;
        }
        int known = 0;
        static const char *const valued[] = {"--bind", "--connect", "--prefix", "--republish", "--stats",
                                             "--max-size", "--hwm", "--spin", "--mode", "--max-topics",
                                             "--curve-secret", "--curve-server-key", "--curve-allow"};
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= matches(arg, valued[k]);
        if (!known)
            return bridge_usage_error("unknown option '%s'", arg);
        const char *name = arg;
        char name_buf[32];
        const char *eq = strchr(arg, '=');
        if (eq && (size_t)(eq - arg) < sizeof name_buf) {
            memcpy(name_buf, arg, (size_t)(eq - arg));
            name_buf[eq - arg] = '\0';
            name = name_buf;
        }
        if (!(v = option_value(argc, argv, &i, name)))
            return bridge_usage_error("option '%s' needs a value", name);
        if (strcmp(name, "--bind") == 0 || strcmp(name, "--connect") == 0) {
            if (!s)
                return bridge_usage_error("%s: start with 'out' or 'in'", name);
            if (endpoints[c->section_count - 1])
                return bridge_usage_error("one --bind or --connect per section");
            s->bind = name[2] == 'b';
            endpoints[c->section_count - 1] = v;
        } else if (strcmp(name, "--prefix") == 0) {
            if (!s || s->direction != BRIDGE_IN)
                return bridge_usage_error("--prefix belongs to an 'in' section");
            s->prefix = v;
        } else if (strcmp(name, "--republish") == 0) {
            if (parse_seconds(v, &c->republish_ns) != 0)
                return bridge_usage_error("--republish wants seconds >= 0, not '%s'", v);
        } else if (strcmp(name, "--stats") == 0) {
            if (parse_seconds(v, &c->stats_ns) != 0 || c->stats_ns == 0)
                return bridge_usage_error("--stats wants seconds > 0, not '%s'", v);
        } else if (strcmp(name, "--max-size") == 0) {
            if (parse_count(v, UINT32_MAX, 10, &n) != 0 || n == 0)
                return bridge_usage_error("--max-size wants bytes (1 to 4 GiB), not '%s'", v);
            c->max_payload = n;
        } else if (strcmp(name, "--hwm") == 0) {
            if (parse_count(v, 1000000, 10, &n) != 0 || n == 0)
                return bridge_usage_error("--hwm wants a count >= 1, not '%s'", v);
            c->hwm = (int)n;
        } else if (strcmp(name, "--spin") == 0) {
            if (parse_count(v, 1000000, 10, &n) != 0)
                return bridge_usage_error("--spin wants microseconds, not '%s'", v);
            c->spin_ns = (int64_t)n * 1000;
        } else if (strcmp(name, "--mode") == 0) {
            if (parse_count(v, 0777, 8, &n) != 0)
                return bridge_usage_error("--mode wants octal permission bits (<= 0777), not '%s'", v);
            c->mode = (uint32_t)n;
        } else if (strcmp(name, "--max-topics") == 0) {
            if (parse_count(v, 65536, 10, &n) != 0 || n == 0)
                return bridge_usage_error("--max-topics wants a count >= 1, not '%s'", v);
            c->max_topics = (int)n;
        } else if (strcmp(name, "--curve-secret") == 0) {
            if (bridge_curve_load_secret(v, c) != 0)
                return 2;
        } else if (strcmp(name, "--curve-server-key") == 0) {
            if (bridge_curve_load_server_key(v, c) != 0)
                return 2;
        } else if (strcmp(name, "--curve-allow") == 0) {
            if (bridge_curve_load_allow(v, c) != 0)
                return 2;
        }
    }
    if (c->section_count == 0)
        return bridge_usage_error("say 'out NAME... --bind|--connect ENDPOINT' or 'in --connect|--bind ENDPOINT'");
    for (int k = 0; k < c->section_count; k++) {
        s = &c->sections[k];
        const char *what = s->direction == BRIDGE_OUT ? "out" : "in";
        if (!endpoints[k])
            return bridge_usage_error("%s: give --bind ENDPOINT or --connect ENDPOINT", what);
        if (normalise_endpoint(endpoints[k], s->bind, c->expose, s->endpoint) != 0)
            return 2;
        if (s->direction == BRIDGE_OUT && s->name_count == 0)
            return bridge_usage_error("out: name at least one local channel");
        for (int j = 0; j < s->name_count; j++)
            if (!bridge_wire_topic_valid(s->names[j], strlen(s->names[j])))
                return bridge_usage_error("'%s' is not a valid topic name (1 to %u printable ASCII characters, "
                                          "no spaces)", s->names[j], BRIDGE_WIRE_TOPIC_MAX);
    }
    if (c->curve && !c->curve_secret[0] && !c->curve_server_key[0])
        return bridge_usage_error("--curve-allow needs --curve-secret (the server's own key)");
    if (c->curve_allow_count && c->curve_server_key[0])
        return bridge_usage_error("--curve-allow is for the server side, --curve-server-key for the client side");
    return 0;
}
