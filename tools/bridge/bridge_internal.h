/* svipc bridge — what the bridge's files share (not a public header). */
#ifndef SVIPC_BRIDGE_INTERNAL_H
#define SVIPC_BRIDGE_INTERNAL_H

#include "bridge_spin.h"
#include "bridge_stats.h"
#include "bridge_wire.h"

#include <svipc/svipc.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#define BRIDGE_ENDPOINT_MAX 256
#define BRIDGE_KEY_Z85 41 /* 40 characters and a NUL */

enum bridge_direction { BRIDGE_OUT, BRIDGE_IN };

struct bridge_out_topic;
struct bridge_in_topic;

/* One `out ...` or `in ...` part of the command line and its socket. */
struct bridge_section {
    enum bridge_direction direction;
    char endpoint[BRIDGE_ENDPOINT_MAX];
    int bind;              /* 1 --bind, 0 --connect */
    const char **names;    /* out: local channels; in: wanted topics (none = all) */
    int name_count;
    const char *prefix;    /* in: local name = prefix + topic */
    void *socket;          /* XPUB (out) or SUB (in) */
    pthread_mutex_t lock;  /* out: the XPUB is shared by the topic threads and the main loop */
    int notify_fd;         /* out: eventfd the topic threads poke when the XPUB has input */
    struct bridge_out_topic *out_topics;
    struct bridge_in_topic *in_topics;
    int in_topic_count;
    int64_t describe_requested_ns; /* in: when held-back values last asked for a republish */
    uint64_t describe_requests;    /* in: how many times (the unique subscription prefix) */
};

struct bridge_config {
    struct bridge_section *sections;
    int section_count;
    int64_t stats_ns;        /* 0: no --stats */
    int64_t republish_ns;    /* 0: only on a new subscription */
    uint64_t max_payload;
    int hwm;
    int expose;              /* allow binding beyond loopback */
    int64_t spin_ns;         /* spin budget per value (bridge_spin.c) */
    uint32_t mode;           /* in: permission bits of channels it creates */
    int max_topics;          /* in: distinct topics accepted per section */
    /* CURVE */
    int curve;                               /* 1 when any --curve-* option was given */
    char curve_secret[BRIDGE_KEY_Z85];       /* ours */
    char curve_public[BRIDGE_KEY_Z85];
    char curve_server_key[BRIDGE_KEY_Z85];   /* set: we are a client of that server */
    char (*curve_allow)[BRIDGE_KEY_Z85];     /* server: allowed client keys (none = any) */
    int curve_allow_count;
};

/* Everything the process shares between its threads. */
struct bridge {
    struct bridge_config config;
    void *context;
    struct bridge_stats stats;
    struct bridge_spin in_spin; /* the main loop's, for values arriving on the in sockets */
    atomic_int stop;
};

/* bridge_options.c */
int bridge_parse(int argc, char **argv, struct bridge_config *ret_config);
void bridge_config_free(struct bridge_config *config);
int bridge_usage_error(const char *format, ...);
void bridge_usage(void);

/* bridge_curve.c */
int bridge_keygen(int argc, char **argv);
int bridge_curve_load_secret(const char *path, struct bridge_config *config);
int bridge_curve_load_server_key(const char *key_or_path, struct bridge_config *config);
int bridge_curve_load_allow(const char *path, struct bridge_config *config);
int bridge_curve_apply(const struct bridge_config *config, void *socket);
void *bridge_zap_start(struct bridge *bridge);          /* NULL when no allow-list or on error */
void bridge_zap_handle(struct bridge *bridge, void *zap); /* answer every pending request */

/* bridge_out.c */
int bridge_out_start(struct bridge *bridge, struct bridge_section *section);
void bridge_out_subscriptions(struct bridge *bridge, struct bridge_section *section);
void bridge_out_republish(struct bridge *bridge, struct bridge_section *section);
void bridge_out_stop(struct bridge *bridge, struct bridge_section *section);

/* bridge_in.c */
int bridge_in_start(struct bridge *bridge, struct bridge_section *section);
void bridge_in_receive(struct bridge *bridge, struct bridge_section *section);
void bridge_in_stop(struct bridge *bridge, struct bridge_section *section);

/* bridge.c */
int64_t bridge_realtime_ns(void);
int bridge_socket_open(struct bridge *bridge, struct bridge_section *section, int type);

#endif
