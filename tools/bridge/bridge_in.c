/* svipc bridge — the in direction: a SUB socket -> local channels.
 *
 * The main loop drains every message the socket holds and writes each valid
 * value that is newer than its topic's last one into the topic's local
 * channel at once. A channel write never blocks and the channel keeps only
 * the newest values (its ring), so the keep-newest-per-topic step that
 * ZMQ_CONFLATE cannot do (it keeps one message per socket, whatever its
 * topic, and no multipart) is the channel itself: a slow local reader skips
 * to the newest value, never drains a queue. Inside ZeroMQ at most --hwm
 * messages wait, and only while this loop is not running.
 *
 * Schemas: a value whose header names a schema (schema_hash != 0) creates
 * its topic's channel only once that schema's description (its text) has
 * arrived; until then it is held back (not written, counted undescribed) and
 * the loop asks the senders to republish, so the channel on this host gets
 * the same schema as at the source (doc/bridge.md, "Schemas").
 */
#include "bridge_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define DRAIN_BATCH 1024 /* messages taken per wake-up before the loop looks at its timers */
#define LOCAL_NAME_MAX (BRIDGE_ENDPOINT_MAX + BRIDGE_WIRE_TOPIC_MAX)
#define DESCRIBE_REQUEST_NS 100000000 /* held-back values ask for a republish at most this often */
#define SCHEMA_SHOWN 60               /* characters of a schema text a refusal message shows */
_Static_assert(BRIDGE_WIRE_SCHEMA_MAX == SVIPC_CHANNEL_SCHEMA_MAX, "a description carries any channel's schema");

enum topic_state { TOPIC_NEW, TOPIC_OPEN, TOPIC_REFUSED };

struct bridge_in_topic {
    char topic[BRIDGE_WIRE_TOPIC_MAX + 1];
    char local_name[LOCAL_NAME_MAX];
    enum topic_state state;
    uint32_t type;         /* the shape the channel was opened (or refused) with */
    uint64_t payload_size;
    uint64_t schema_hash;  /* open: the local channel's; refused: the network's */
    char *description;     /* the newest schema text received for the topic (NUL-terminated), or NULL */
    uint64_t description_hash;
    svipc_channel *channel;
    int seen;                       /* a value was taken: stream and last_sequence are set */
    uint64_t stream, last_sequence; /* of the newest value taken */
};

static int wanted(const struct bridge_section *section, const char *topic)
{
    if (section->name_count == 0)
        return 1;
    for (int i = 0; i < section->name_count; i++)
        if (strcmp(section->names[i], topic) == 0)
            return 1;
    return 0;
}

static const char *type_text(uint32_t type, char *buf, size_t size)
{
    static const char *const names[] = {"bytes", "bool", "int64", "float64"};
    if (type < 4)
        return names[type];
    snprintf(buf, size, "0x%x", type);
    return buf;
}

/* `text` cut to SCHEMA_SHOWN characters for a message. */
static const char *schema_shown(const char *text, char *buf, size_t size)
{
    size_t length = strlen(text);
    if (length <= SCHEMA_SHOWN)
        return text;
    snprintf(buf, size, "%.*s...", SCHEMA_SHOWN, text);
    return buf;
}

/* A channel that exists in another shape or schema than the network's:
 * say why it is refused, naming both. */
static void report_refusal(const struct bridge_in_topic *t, const struct bridge_wire_value *v,
                           svipc_channel *existing, const svipc_channel_info *info)
{
    char a[16], b[16];
    if (info->type != v->type || info->payload_size != v->payload_size) {
        fprintf(stderr, "svipc bridge: in: refusing topic '%s': local channel '%s' holds type %s, %llu bytes per "
                        "value, but the network carries type %s, %llu bytes per value\n",
                t->topic, t->local_name, type_text(info->type, a, sizeof a), (unsigned long long)info->payload_size,
                type_text(v->type, b, sizeof b), (unsigned long long)v->payload_size);
        return;
    }
    char local[SVIPC_CHANNEL_SCHEMA_MAX + 1] = "?", local_shown[SCHEMA_SHOWN + 4], network_shown[SCHEMA_SHOWN + 4];
    svipc_channel_schema(existing, local, sizeof local);
    fprintf(stderr, "svipc bridge: in: refusing topic '%s': local channel '%s' has schema %016llx '%s', but the "
                    "network carries schema %016llx '%s'\n",
            t->topic, t->local_name, (unsigned long long)info->schema_hash,
            schema_shown(local, local_shown, sizeof local_shown), (unsigned long long)v->schema_hash,
            schema_shown(t->description ? t->description : "?", network_shown, sizeof network_shown));
}

/* Open (or create) the local channel in the network value's shape, and with
 * its schema when it names one (the description arrived: needs_description).
 * A channel that exists in another shape or schema is refused, naming both. */
static void open_local(struct bridge *bridge, struct bridge_in_topic *t, const struct bridge_wire_value *v)
{
    t->type = v->type;
    t->payload_size = v->payload_size;
    t->schema_hash = v->schema_hash;
    const char *schema = v->schema_hash ? t->description : NULL; /* NULL: the type's default, or any existing */
    int rc = svipc_channel_open_schema(t->local_name, v->type, schema, v->payload_size, 0, SVIPC_CREATE,
                                       bridge->config.mode, &t->channel);
    svipc_channel_info info;
    if (rc == 0 && (rc = svipc_channel_stat(t->channel, &info)) == 0) {
        t->schema_hash = info.schema_hash;
        t->state = TOPIC_OPEN;
        return;
    }
    t->channel = svipc_channel_close(t->channel);
    t->state = TOPIC_REFUSED;
    char b[16];
    svipc_channel *existing = NULL;
    if (rc == -EINVAL && svipc_channel_open(t->local_name, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &existing) == 0 &&
        svipc_channel_stat(existing, &info) == 0)
        report_refusal(t, v, existing, &info);
    else
        fprintf(stderr, "svipc bridge: in: cannot open local channel '%s' for topic '%s' (type %s, %llu bytes): "
                        "%s (%s)\n",
                t->local_name, t->topic, type_text(v->type, b, sizeof b), (unsigned long long)v->payload_size,
                svipc_strerror(rc), svipc_last_error_message());
    svipc_channel_close(existing);
}

static struct bridge_in_topic *find_topic(struct bridge *bridge, struct bridge_section *section, const char *topic)
{
    for (int i = 0; i < section->in_topic_count; i++)
        if (strcmp(section->in_topics[i].topic, topic) == 0)
            return &section->in_topics[i];
    if (section->in_topic_count >= bridge->config.max_topics || !wanted(section, topic))
        return NULL;
    char local[LOCAL_NAME_MAX];
    if (snprintf(local, sizeof local, "%s%s", section->prefix ? section->prefix : "", topic) >= (int)sizeof local)
        return NULL;
    struct bridge_in_topic *t = &section->in_topics[section->in_topic_count++];
    memset(t, 0, sizeof *t);
    snprintf(t->topic, sizeof t->topic, "%s", topic);
    memcpy(t->local_name, local, sizeof local);
    return t;
}

/* A description: keep its text for the topic's channel (a newer schema
 * replaces an older one). */
static void describe(struct bridge_in_topic *t, const struct bridge_wire_value *d)
{
    if (t->description && t->description_hash == d->schema_hash)
        return;
    char *text = malloc(d->schema_length + 1);
    if (!text)
        return; /* the values stay held back */
    memcpy(text, d->schema, d->schema_length);
    text[d->schema_length] = '\0';
    free(t->description);
    t->description = text;
    t->description_hash = d->schema_hash;
}

/* 1 when `v` would create (or look again at) the topic's channel with a
 * schema whose description has not arrived. An open channel takes values of
 * its schema and drops others (write_value); a refused one that the sender
 * did not change stays refused. */
static int needs_description(const struct bridge_in_topic *t, const struct bridge_wire_value *v)
{
    if (v->schema_hash == 0 || (t->description && t->description_hash == v->schema_hash) || t->state == TOPIC_OPEN)
        return 0;
    return t->state == TOPIC_NEW || v->type != t->type || v->payload_size != t->payload_size ||
           v->schema_hash != t->schema_hash;
}

/* Ask every sender on the socket to republish (descriptions first): a
 * subscription makes their XPUB see a join (it is verbose); a unique prefix,
 * since a subscription the socket already holds is not sent again, and one
 * no message starts with ("SVBR"), withdrawn at once. At most every
 * DESCRIBE_REQUEST_NS. */
static void request_descriptions(struct bridge_section *section)
{
    int64_t now = svipc_channel_now_ns();
    if (section->describe_requested_ns != 0 && now - section->describe_requested_ns < DESCRIBE_REQUEST_NS)
        return;
    section->describe_requested_ns = now;
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "svipc-bridge-describe/%lld/%llu", (long long)getpid(),
                     (unsigned long long)++section->describe_requests);
    zmq_setsockopt(section->socket, ZMQ_SUBSCRIBE, prefix, (size_t)n);
    zmq_setsockopt(section->socket, ZMQ_UNSUBSCRIBE, prefix, (size_t)n);
}

static void write_value(struct bridge *bridge, struct bridge_in_topic *t, const struct bridge_wire_value *v)
{
    if (t->state == TOPIC_REFUSED &&
        (v->type != t->type || v->payload_size != t->payload_size || v->schema_hash != t->schema_hash))
        t->state = TOPIC_NEW; /* the sender's shape or schema changed: look again */
    if (t->state == TOPIC_NEW)
        open_local(bridge, t, v);
    int rc = -EINVAL;
    if (t->state == TOPIC_OPEN && v->type == t->type && v->payload_size == t->payload_size &&
        (v->schema_hash == 0 || v->schema_hash == t->schema_hash))
        rc = svipc_channel_publish(t->channel, v->payload, v->payload_size, NULL);
    if (rc == 0) {
        atomic_fetch_add_explicit(&bridge->stats.in, 1, memory_order_relaxed);
        if (!(v->flags & BRIDGE_WIRE_FLAG_REPEAT))
            bridge_stats_latency(&bridge->stats, bridge_realtime_ns() - v->publish_time_ns);
        return;
    }
    if (t->state == TOPIC_OPEN && rc != -EINVAL) {
        static int logged; /* main thread only */
        if (!logged++)
            fprintf(stderr, "svipc bridge: in: publishing to '%s' failed: %s (%s); dropping (logged once)\n",
                    t->local_name, svipc_strerror(rc), svipc_last_error_message());
    }
    atomic_fetch_add_explicit(&bridge->stats.dropped, 1, memory_order_relaxed);
}

/* One received message: decode it; write it if it is newer than what its
 * topic last took (a republished repeat, or a late one, is not). */
static void take(struct bridge *bridge, struct bridge_section *section, zmq_msg_t *msg)
{
    struct bridge_wire_value v;
    enum bridge_wire_fault fault = bridge_wire_decode(zmq_msg_data(msg), zmq_msg_size(msg),
                                                      bridge->config.max_payload, &v);
    if (fault != BRIDGE_WIRE_OK) {
        bridge_stats_malformed(&bridge->stats, fault, section->endpoint);
        return;
    }
    struct bridge_in_topic *t = find_topic(bridge, section, v.topic);
    if (!t && (v.flags & BRIDGE_WIRE_FLAG_DESCRIPTION))
        return; /* not a value: nothing dropped */
    if (!t) {
        static int logged; /* main thread only */
        if (!logged++ && wanted(section, v.topic))
            fprintf(stderr, "svipc bridge: in: more than --max-topics %d topics; dropping topic '%s' and any "
                            "further new ones (logged once)\n", bridge->config.max_topics, v.topic);
        atomic_fetch_add_explicit(&bridge->stats.dropped, 1, memory_order_relaxed);
        return;
    }
    if (v.flags & BRIDGE_WIRE_FLAG_DESCRIPTION) {
        describe(t, &v);
        return;
    }
    if (needs_description(t, &v)) { /* before it counts as taken: its repeat must still be written */
        atomic_fetch_add_explicit(&bridge->stats.undescribed, 1, memory_order_relaxed);
        request_descriptions(section);
        return;
    }
    /* Within one stream (one run of one sender) sequences only grow; a new
     * stream (the sender restarted) starts afresh. */
    if (t->seen && v.stream == t->stream && v.sequence <= t->last_sequence) {
        atomic_fetch_add_explicit(&bridge->stats.repeats, 1, memory_order_relaxed);
        return;
    }
    t->seen = 1;
    t->stream = v.stream;
    t->last_sequence = v.sequence;
    if (!(v.flags & BRIDGE_WIRE_FLAG_REPEAT)) /* the rate the main loop's spin is placed by */
        bridge_spin_arrived(&bridge->in_spin, v.publish_time_ns, svipc_channel_now_ns(), 1);
    write_value(bridge, t, &v);
}

void bridge_in_receive(struct bridge *bridge, struct bridge_section *section)
{
    for (int batch = 0; batch < DRAIN_BATCH; batch++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, section->socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        if (zmq_msg_more(&msg)) { /* one frame per value: drop the whole multipart message */
            do {
                zmq_msg_close(&msg);
                zmq_msg_init(&msg);
            } while (zmq_msg_recv(&msg, section->socket, 0) >= 0 && zmq_msg_more(&msg));
            zmq_msg_close(&msg);
            bridge_stats_malformed(&bridge->stats, BRIDGE_WIRE_MULTIPART, section->endpoint);
            continue;
        }
        take(bridge, section, &msg);
        zmq_msg_close(&msg);
    }
}

int bridge_in_start(struct bridge *bridge, struct bridge_section *section)
{
    section->in_topics = calloc((size_t)bridge->config.max_topics, sizeof *section->in_topics);
    if (!section->in_topics) {
        fprintf(stderr, "svipc bridge: in: out of memory\n");
        return -1;
    }
    if (bridge_socket_open(bridge, section, ZMQ_SUB) != 0)
        return -1;
    /* Every topic: the header comes first on the wire, so prefix filtering
     * by topic is not possible; unwanted topics are dropped here. */
    return zmq_setsockopt(section->socket, ZMQ_SUBSCRIBE, "", 0) == 0 ? 0 : -1;
}

/* Close the local channels (they stay, with their last value, as they were). */
void bridge_in_stop(struct bridge *bridge, struct bridge_section *section)
{
    (void)bridge;
    for (int i = 0; i < section->in_topic_count; i++) {
        svipc_channel_close(section->in_topics[i].channel);
        free(section->in_topics[i].description);
    }
    free(section->in_topics);
    section->in_topics = NULL;
    section->in_topic_count = 0;
}
