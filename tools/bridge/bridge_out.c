/* svipc bridge — the out direction: local channels -> one XPUB socket.
 *
 * One thread per channel sleeps in svipc_channel_wait() (no polling while
 * idle; its spin placed where the next value is due, bridge_out_wait.c), reads the newest value straight into a ZeroMQ message behind the
 * wire header, and sends it on the section's XPUB under the section's lock.
 * Latest value per topic: the XPUB refuses (XPUB_NODROP) instead of queueing
 * beyond --hwm messages; the thread then keeps only the newest value of its
 * topic and retries, so a slow link never builds a queue of stale values.
 * The main loop answers new subscriptions and the --republish timer with each
 * topic's current value, read through a second handle of its own.
 * Every value carries its channel's schema hash; a description message (the
 * schema text) goes before a topic's first value and before every
 * republished one, so a receiver that joins at any time can create the
 * channel with the same schema (doc/bridge.md, "Schemas").
 */
#include "bridge_internal.h"
#include "bridge_out_wait.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define OPEN_RETRY_NS 100000000 /* a channel that does not exist yet is looked for this often */
#define SEND_WAIT_MS 10         /* the link is full: wait this long for room, then look for a newer value */
#define INPUT_CHECK_NS 1000000  /* a sending thread looks for subscriptions at least this often */

struct bridge_out_topic {
    struct bridge *bridge;
    struct bridge_section *section;
    const char *name;
    uint64_t stream;
    pthread_t thread;
    int started;
    /* main thread's reader (republish); opened by the topic thread, then read only by main */
    pthread_mutex_t main_lock;
    svipc_channel *main_handle;
    uint32_t type;
    uint64_t payload_size;
    uint64_t schema_hash; /* 0: the schema could not be read; values go undescribed */
    char schema[BRIDGE_WIRE_SCHEMA_MAX + 1];
    size_t schema_length;
    int described; /* the topic thread's: a description went out before its values */
    /* the topic thread's: when it last looked for input on the XPUB, and
     * whether it has sent since (bridge_out_notice_input) */
    int64_t input_checked_ns;
    int sent_unchecked;
};

static uint64_t random_u64(void)
{
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&v, sizeof v, 1, f) != 1)
        v = (uint64_t)bridge_realtime_ns() ^ ((uint64_t)getpid() << 32);
    if (f)
        fclose(f);
    return v;
}

static void sleep_ns(int64_t ns)
{
    struct timespec t = {ns / 1000000000, ns % 1000000000};
    nanosleep(&t, NULL); /* a signal (stop) ends it early */
}

/* A value of `topic` read from `handle` into a new message, its header in
 * *ret_header; 0, -ENODATA or -errno. */
static int read_value(struct bridge_out_topic *topic, svipc_channel *handle, uint32_t flags, zmq_msg_t *msg,
                      svipc_channel_read_info *ret_info, struct bridge_wire_value *ret_header)
{
    if (zmq_msg_init_size(msg, BRIDGE_WIRE_HEADER_SIZE + topic->payload_size) != 0)
        return -ENOMEM;
    unsigned char *data = zmq_msg_data(msg);
    int rc = svipc_channel_read(handle, data + BRIDGE_WIRE_HEADER_SIZE, topic->payload_size, SVIPC_CHANNEL_ANY_AGE,
                                ret_info);
    if (rc < 0) {
        zmq_msg_close(msg);
        return rc;
    }
    struct bridge_wire_value v = {0};
    snprintf(v.topic, sizeof v.topic, "%s", topic->name);
    v.schema_hash = topic->schema_hash;
    v.type = topic->type;
    v.flags = flags;
    v.payload_size = topic->payload_size;
    v.sequence = ret_info->sequence;
    /* the channel's clock is CLOCK_MONOTONIC; the wire carries CLOCK_REALTIME */
    v.publish_time_ns = ret_info->publish_time_ns + (bridge_realtime_ns() - svipc_channel_now_ns());
    v.stream = topic->stream;
    bridge_wire_encode_header(data, &v);
    *ret_header = v;
    return 0;
}

/* The description of `topic` in a new message: the header of `value` (the
 * value it goes before) flagged as a description, then the schema text.
 * -ENODATA when the topic has no schema to describe. */
static int description_message(const struct bridge_out_topic *topic, const struct bridge_wire_value *value,
                               zmq_msg_t *msg)
{
    if (topic->schema_hash == 0)
        return -ENODATA;
    if (zmq_msg_init_size(msg, BRIDGE_WIRE_HEADER_SIZE + topic->schema_length) != 0)
        return -ENOMEM;
    struct bridge_wire_value d = *value;
    d.flags = BRIDGE_WIRE_FLAG_DESCRIPTION;
    unsigned char *data = zmq_msg_data(msg);
    bridge_wire_encode_header(data, &d);
    memcpy(data + BRIDGE_WIRE_HEADER_SIZE, topic->schema, topic->schema_length);
    return 0;
}

/* Poke the main loop if the XPUB holds input (subscriptions). The main loop
 * sleeps on the socket's ZMQ_FD, whose edge a send from another thread can
 * consume (a send processes the socket's pending commands): then only a
 * ZMQ_EVENTS call sees the input. Called with the section lock held. */
static void notice_input_locked(struct bridge_section *section)
{
    int events = 0;
    size_t size = sizeof events;
    zmq_getsockopt(section->socket, ZMQ_EVENTS, &events, &size);
    if (events & ZMQ_POLLIN) {
        uint64_t one = 1;
        if (write(section->notify_fd, &one, sizeof one) < 0) {
            /* the counter is already non-zero: the main loop will look */
        }
    }
}

/* Send under the section lock, waiting at most SEND_WAIT_MS for room (the
 * XPUB's ZMQ_SNDTIMEO). 0 or -errno (-EAGAIN: the link is still full).
 * `topic`: a topic thread's send, which looks for input at most every
 * INPUT_CHECK_NS and before it sleeps (bridge_out_notice_input): ZMQ_EVENTS
 * is a poll(2) on the socket's mailbox, and after every send it cost a
 * third of the values a publisher flat out got through at 64 B. NULL (the
 * main loop's republish): look every time. */
static int send_value(struct bridge_section *section, struct bridge_out_topic *topic, zmq_msg_t *msg, int flags)
{
    pthread_mutex_lock(&section->lock);
    int rc = zmq_msg_send(msg, section->socket, flags) < 0 ? -zmq_errno() : 0;
    int64_t now = topic ? svipc_channel_now_ns() : 0;
    if (!topic || now - topic->input_checked_ns >= INPUT_CHECK_NS) {
        notice_input_locked(section);
        if (topic) {
            topic->input_checked_ns = now;
            topic->sent_unchecked = 0;
        }
    } else {
        topic->sent_unchecked = 1;
    }
    pthread_mutex_unlock(&section->lock);
    return rc;
}

/* Before a topic thread sleeps: look for input its sends may have hidden
 * from the main loop since it last looked. */
static void notice_input_before_sleep(struct bridge_out_topic *topic)
{
    if (!topic->sent_unchecked)
        return;
    pthread_mutex_lock(&topic->section->lock);
    notice_input_locked(topic->section);
    pthread_mutex_unlock(&topic->section->lock);
    topic->input_checked_ns = svipc_channel_now_ns();
    topic->sent_unchecked = 0;
}

static int open_channel(struct bridge_out_topic *topic, svipc_channel **ret_handle)
{
    int rc = svipc_channel_open(topic->name, SVIPC_CHANNEL_TYPE_ANY, 0, 0, 0, 0, ret_handle);
    if (rc < 0)
        return rc;
    svipc_channel_info info;
    if ((rc = svipc_channel_stat(*ret_handle, &info)) < 0 || info.payload_size > topic->bridge->config.max_payload) {
        if (rc == 0) {
            fprintf(stderr, "svipc bridge: out: channel '%s' carries %llu bytes per value, above --max-size %llu\n",
                    topic->name, (unsigned long long)info.payload_size,
                    (unsigned long long)topic->bridge->config.max_payload);
            rc = -EMSGSIZE;
        }
        *ret_handle = svipc_channel_close(*ret_handle);
        return rc;
    }
    topic->type = info.type;
    topic->payload_size = info.payload_size;
    /* every channel has a schema (its type's default when created without
     * one); one that cannot be read goes undescribed, as in format 1 */
    int length = svipc_channel_schema(*ret_handle, topic->schema, sizeof topic->schema);
    topic->schema_length = length > 0 ? (size_t)length : 0;
    topic->schema_hash = length > 0 ? info.schema_hash : 0;
    topic->described = 0;
    svipc_channel *main_handle = NULL;
    if ((rc = svipc_channel_open(topic->name, info.type, info.payload_size, 0, 0, 0, &main_handle)) < 0) {
        *ret_handle = svipc_channel_close(*ret_handle);
        return rc;
    }
    pthread_mutex_lock(&topic->main_lock);
    topic->main_handle = main_handle;
    pthread_mutex_unlock(&topic->main_lock);
    return 0;
}

static void *topic_thread(void *arg)
{
    struct bridge_out_topic *topic = arg;
    struct bridge *bridge = topic->bridge;
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1); /* bridge_out_stop() interrupts the wait with it */
    pthread_sigmask(SIG_UNBLOCK, &wake, NULL);

    svipc_channel *handle = NULL;
    int reported = 0;
    uint64_t last = 0;
    struct bridge_out_wait wait;
    bridge_out_wait_init(&wait, &bridge->stats, bridge->config.spin_ns);
    while (!atomic_load(&bridge->stop)) {
        if (!handle) {
            int rc = open_channel(topic, &handle);
            if (rc < 0) {
                if (!reported++)
                    fprintf(stderr, "svipc bridge: out: channel '%s': %s (%s); waiting for it\n", topic->name,
                            svipc_strerror(rc), svipc_last_error_message());
                sleep_ns(OPEN_RETRY_NS);
                continue;
            }
            if (reported)
                fprintf(stderr, "svipc bridge: out: channel '%s' found\n", topic->name);
            bridge_out_wait_init(&wait, &bridge->stats, bridge->config.spin_ns);
        }
        if (svipc_channel_latest(handle) <= last)
            notice_input_before_sleep(topic);
        int rc = bridge_out_wait_next(&wait, handle, last);
        if (rc < 0)
            continue; /* -EINTR: look at stop */
        zmq_msg_t msg;
        svipc_channel_read_info info;
        struct bridge_wire_value header;
        if (read_value(topic, handle, 0, &msg, &info, &header) < 0)
            continue;
        atomic_fetch_add_explicit(&bridge->stats.conflated, info.missed, memory_order_relaxed);
        last = info.sequence;
        bridge_out_wait_seen(&wait, &info);
        if (!topic->described) {
            /* before the first value; one that does not get through (the
             * link is full) is tried again before the next value, and a
             * receiver that misses it asks for a republish */
            zmq_msg_t description;
            if (description_message(topic, &header, &description) == 0) {
                topic->described = send_value(topic->section, topic, &description, 0) == 0;
                if (!topic->described)
                    zmq_msg_close(&description);
            } else {
                topic->described = 1;
            }
        }
        /* The link is full (the send waited SEND_WAIT_MS in vain): keep only
         * the newest value and try again. */
        while ((rc = send_value(topic->section, topic, &msg, 0)) == -EAGAIN && !atomic_load(&bridge->stop)) {
            if (svipc_channel_latest(handle) > last) {
                zmq_msg_t newer;
                svipc_channel_read_info newer_info;
                if (read_value(topic, handle, 0, &newer, &newer_info, &header) == 0) {
                    zmq_msg_close(&msg);
                    msg = newer;
                    atomic_fetch_add_explicit(&bridge->stats.conflated, 1 + newer_info.missed, memory_order_relaxed);
                    last = newer_info.sequence;
                }
            }
        }
        if (rc == 0)
            atomic_fetch_add_explicit(&bridge->stats.out, 1, memory_order_relaxed);
        else
            zmq_msg_close(&msg);
    }
    svipc_channel_close(handle);
    return NULL;
}

int bridge_out_start(struct bridge *bridge, struct bridge_section *section)
{
    int wait_ms = SEND_WAIT_MS;
    if (bridge_socket_open(bridge, section, ZMQ_XPUB) != 0 ||
        zmq_setsockopt(section->socket, ZMQ_SNDTIMEO, &wait_ms, sizeof wait_ms) != 0)
        return -1;
    section->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    section->out_topics = calloc((size_t)section->name_count, sizeof *section->out_topics);
    if (section->notify_fd < 0 || !section->out_topics) {
        fprintf(stderr, "svipc bridge: out: out of resources\n");
        return -1;
    }
    uint64_t stream = random_u64();
    for (int i = 0; i < section->name_count; i++) {
        struct bridge_out_topic *topic = &section->out_topics[i];
        topic->bridge = bridge;
        topic->section = section;
        topic->name = section->names[i];
        topic->stream = stream + (uint64_t)i;
        pthread_mutex_init(&topic->main_lock, NULL);
        if (pthread_create(&topic->thread, NULL, topic_thread, topic) != 0) {
            fprintf(stderr, "svipc bridge: out: cannot start a thread for '%s'\n", topic->name);
            return -1;
        }
        topic->started = 1;
    }
    return 0;
}

/* Send each topic's current value again, flagged as a repeat, after its
 * description. */
void bridge_out_republish(struct bridge *bridge, struct bridge_section *section)
{
    for (int i = 0; i < section->name_count; i++) {
        struct bridge_out_topic *topic = &section->out_topics[i];
        pthread_mutex_lock(&topic->main_lock);
        zmq_msg_t msg, description;
        svipc_channel_read_info info;
        struct bridge_wire_value header;
        int rc = topic->main_handle
                     ? read_value(topic, topic->main_handle, BRIDGE_WIRE_FLAG_REPEAT, &msg, &info, &header)
                     : -ENODATA;
        int described = rc == 0 && description_message(topic, &header, &description) == 0;
        pthread_mutex_unlock(&topic->main_lock);
        if (rc < 0)
            continue;
        if (described && send_value(section, NULL, &description, ZMQ_DONTWAIT) != 0)
            zmq_msg_close(&description); /* the value still goes: a receiver asks again if it needs to */
        if (send_value(section, NULL, &msg, ZMQ_DONTWAIT) == 0)
            atomic_fetch_add_explicit(&bridge->stats.republished, 1, memory_order_relaxed);
        else
            zmq_msg_close(&msg); /* the link is full: it carries newer values anyway */
    }
}

/* Subscriptions arriving on the XPUB: a new (or reconnected) subscriber gets
 * every current value at once instead of waiting for the next publish. */
void bridge_out_subscriptions(struct bridge *bridge, struct bridge_section *section)
{
    uint64_t counter;
    if (read(section->notify_fd, &counter, sizeof counter) < 0) {
        /* nothing signalled: the socket's own fd woke us */
    }
    int joined = 0;
    pthread_mutex_lock(&section->lock);
    for (;;) {
        int events = 0;
        size_t size = sizeof events;
        if (zmq_getsockopt(section->socket, ZMQ_EVENTS, &events, &size) != 0 || !(events & ZMQ_POLLIN))
            break;
        unsigned char frame[1 + BRIDGE_WIRE_TOPIC_MAX];
        int n = zmq_recv(section->socket, frame, sizeof frame, ZMQ_DONTWAIT);
        if (n < 0)
            break;
        joined |= n >= 1 && frame[0] == 1; /* 1 = subscribe, 0 = unsubscribe */
    }
    pthread_mutex_unlock(&section->lock);
    if (joined)
        bridge_out_republish(bridge, section);
}

void bridge_out_stop(struct bridge *bridge, struct bridge_section *section)
{
    (void)bridge;
    for (int i = 0; section->out_topics && i < section->name_count; i++) {
        struct bridge_out_topic *topic = &section->out_topics[i];
        if (!topic->started)
            continue;
        /* The thread may be spinning or between its stop check and its sleep
         * when a signal lands: keep knocking until it has left. */
        for (;;) {
            pthread_kill(topic->thread, SIGUSR1);
            struct timespec deadline;
            clock_gettime(CLOCK_REALTIME, &deadline);
            deadline.tv_nsec += 10000000;
            if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
            }
            if (pthread_timedjoin_np(topic->thread, NULL, &deadline) == 0)
                break;
        }
        svipc_channel_close(topic->main_handle);
        pthread_mutex_destroy(&topic->main_lock);
    }
    free(section->out_topics);
    section->out_topics = NULL;
    if (section->notify_fd >= 0)
        close(section->notify_fd);
    section->notify_fd = -1;
}
