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
 */
#include "bridge_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define DRAIN_BATCH 1024 /* messages taken per wake-up before the loop looks at its timers */
#define LOCAL_NAME_MAX (BRIDGE_ENDPOINT_MAX + BRIDGE_WIRE_TOPIC_MAX)

enum topic_state { TOPIC_NEW, TOPIC_OPEN, TOPIC_REFUSED };

struct bridge_in_topic {
    char topic[BRIDGE_WIRE_TOPIC_MAX + 1];
    char local_name[LOCAL_NAME_MAX];
    enum topic_state state;
    uint32_t type;         /* the shape the channel was opened (or refused) with */
    uint64_t payload_size;
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

/* Open (or create) the local channel in the network value's shape. A channel
 * that exists in another shape is refused, naming both shapes. */
static void open_local(struct bridge *bridge, struct bridge_in_topic *t, const struct bridge_wire_value *v)
{
    t->type = v->type;
    t->payload_size = v->payload_size;
    int rc = svipc_channel_open(t->local_name, v->type, v->payload_size, 0, SVIPC_CREATE, bridge->config.mode,
                                &t->channel);
    if (rc == 0) {
        t->state = TOPIC_OPEN;
        return;
    }
    t->state = TOPIC_REFUSED;
    char a[16], b[16];
    svipc_channel *existing = NULL;
    svipc_channel_info info;
    if (rc == -EINVAL && svipc_channel_open(t->local_name, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, &existing) == 0 &&
        svipc_channel_stat(existing, &info) == 0)
        fprintf(stderr, "svipc bridge: in: refusing topic '%s': local channel '%s' holds type %s, %llu bytes per "
                        "value, but the network carries type %s, %llu bytes per value\n",
                t->topic, t->local_name, type_text(info.type, a, sizeof a), (unsigned long long)info.payload_size,
                type_text(v->type, b, sizeof b), (unsigned long long)v->payload_size);
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

static void write_value(struct bridge *bridge, struct bridge_in_topic *t, const struct bridge_wire_value *v)
{
    if (t->state == TOPIC_REFUSED && (v->type != t->type || v->payload_size != t->payload_size))
        t->state = TOPIC_NEW; /* the sender's shape changed: look again */
    if (t->state == TOPIC_NEW)
        open_local(bridge, t, v);
    int rc = -EINVAL;
    if (t->state == TOPIC_OPEN && v->type == t->type && v->payload_size == t->payload_size)
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
    if (!t) {
        static int logged; /* main thread only */
        if (!logged++ && wanted(section, v.topic))
            fprintf(stderr, "svipc bridge: in: more than --max-topics %d topics; dropping topic '%s' and any "
                            "further new ones (logged once)\n", bridge->config.max_topics, v.topic);
        atomic_fetch_add_explicit(&bridge->stats.dropped, 1, memory_order_relaxed);
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
    }
    free(section->in_topics);
    section->in_topics = NULL;
    section->in_topic_count = 0;
}
