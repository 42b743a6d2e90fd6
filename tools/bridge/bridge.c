/* svipc bridge — the process: sockets, signals and the event loop.
 *
 * The main thread owns every SUB socket, the timers (--stats, --republish),
 * the ZAP allow-list and the signal fd; each out channel has a thread of its
 * own (bridge_out.c). SIGINT/SIGTERM end the loop; every handle is then
 * closed (never removed), so local channels stay as they were.
 */
#include "bridge.h"
#include "bridge_internal.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

int64_t bridge_realtime_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

#define BRIDGE_MALLOC_MMAP_THRESHOLD (32 << 20)
#define BRIDGE_MALLOC_KEEP (128 << 20)

static void wake_handler(int signo)
{
    (void)signo; /* only interrupts a topic thread's wait */
}

int bridge_socket_open(struct bridge *bridge, struct bridge_section *section, int type)
{
    const struct bridge_config *c = &bridge->config;
    const char *what = type == ZMQ_XPUB ? "out" : "in";
    void *s = section->socket = zmq_socket(bridge->context, type);
    int zero = 0, one = 1;
    /* A little above the largest value: a peer cannot make us buffer more,
     * and a slightly oversized message still arrives to be counted. */
    int64_t max_message = (int64_t)(BRIDGE_WIRE_HEADER_SIZE + c->max_payload + 4096);
    int rc = s ? 0 : -1;
    if (rc == 0)
        rc |= zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    if (rc == 0 && type == ZMQ_XPUB) {
        rc |= zmq_setsockopt(s, ZMQ_SNDHWM, &c->hwm, sizeof c->hwm);
        rc |= zmq_setsockopt(s, ZMQ_XPUB_NODROP, &one, sizeof one);  /* full: EAGAIN, we keep the newest */
        rc |= zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &one, sizeof one); /* every subscriber's join, repeats too */
        int64_t max_subscription = 1024; /* peers send us subscriptions only: a few bytes each */
        rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max_subscription, sizeof max_subscription);
    }
    if (rc == 0 && type == ZMQ_SUB) {
        /* The in loop drains the whole queue each time it runs, so a deep
         * receive queue costs no freshness; it only lets ZeroMQ move more
         * per wake-up when this machine is busy. */
        int receive_hwm = 1000;
        rc |= zmq_setsockopt(s, ZMQ_RCVHWM, &receive_hwm, sizeof receive_hwm);
        rc |= zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max_message, sizeof max_message);
    }
    /* reconnect quickly after the peer restarts */
    int reconnect_ms = 100, reconnect_max_ms = 1000;
    if (rc == 0) {
        rc |= zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &reconnect_ms, sizeof reconnect_ms);
        rc |= zmq_setsockopt(s, ZMQ_RECONNECT_IVL_MAX, &reconnect_max_ms, sizeof reconnect_max_ms);
    }
    if (rc == 0)
        rc = bridge_curve_apply(c, s);
    if (rc == 0)
        rc = section->bind ? zmq_bind(s, section->endpoint) : zmq_connect(s, section->endpoint);
    if (rc != 0) {
        fprintf(stderr, "svipc bridge: %s: %s %s: %s\n", what, section->bind ? "bind" : "connect", section->endpoint,
                zmq_strerror(zmq_errno()));
        return -1;
    }
    if (section->bind) {
        size_t size = sizeof section->endpoint;
        zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, section->endpoint, &size); /* the port actually bound */
    }
    printf("%s %s %s\n", what, section->bind ? "bound" : "connecting", section->endpoint);
    return 0;
}

static int64_t monotonic_ns(void)
{
    return svipc_channel_now_ns();
}

/* zmq_poll, with the loop's spin for in values placed by bridge_spin.c:
 * sleep in ppoll on the items' file descriptors (anything wakes it early)
 * until the window (less the timer's learnt lateness), spin in zmq_poll without a timeout through it, then
 * sleep in zmq_poll. `fds`: each item's fd (a socket's ZMQ_FD). */
static int poll_items(struct bridge *bridge, zmq_pollitem_t *items, struct pollfd *fds, int count, long timeout_ms)
{
    int64_t now = monotonic_ns(), from, until;
    if (!bridge_spin_window(&bridge->in_spin, now, &from, &until))
        return zmq_poll(items, count, timeout_ms);
    int ready = zmq_poll(items, count, 0); /* also what lets a socket's ZMQ_FD signal anew */
    if (ready != 0)
        return ready;
    int64_t wake = bridge_spin_wake_time(&bridge->in_spin, now, from);
    if (wake > now) {
        int64_t sleep_ns = wake - now;
        if (timeout_ms >= 0 && sleep_ns > (int64_t)timeout_ms * 1000000)
            sleep_ns = (int64_t)timeout_ms * 1000000;
        struct timespec t = {sleep_ns / 1000000000, sleep_ns % 1000000000};
        int woken = ppoll(fds, (nfds_t)count, &t, NULL);
        if (woken != 0 && (ready = zmq_poll(items, count, 0)) != 0)
            return ready; /* something came before the window */
        now = monotonic_ns();
        if (woken == 0) /* the timer ended it: how late? */
            bridge_spin_woke(&bridge->in_spin, wake, now);
    }
    while (now < until) {
        if ((ready = zmq_poll(items, count, 0)) != 0) {
            bridge_spin_result(&bridge->in_spin, 1);
            return ready;
        }
        sched_yield(); /* see bridge_spin.c: the I/O thread may be queued behind us */
        now = monotonic_ns();
    }
    bridge_spin_result(&bridge->in_spin, 0);
    return zmq_poll(items, count, timeout_ms);
}

/* The event loop: until SIGINT/SIGTERM. */
static void run(struct bridge *bridge, int signal_fd, void *zap)
{
    const struct bridge_config *c = &bridge->config;
    int n = c->section_count;
    zmq_pollitem_t *items = calloc((size_t)(2 * n + 2), sizeof *items);
    struct bridge_section **owner = calloc((size_t)(2 * n + 2), sizeof *owner);
    struct pollfd *fds = calloc((size_t)(2 * n + 2), sizeof *fds);
    if (!items || !owner || !fds) {
        free(items);
        free(owner);
        free(fds);
        return;
    }
    int count = 0;
    items[count++] = (zmq_pollitem_t){.fd = signal_fd, .events = ZMQ_POLLIN};
    if (zap)
        items[count++] = (zmq_pollitem_t){.socket = zap, .events = ZMQ_POLLIN};
    int first_section = count;
    for (int i = 0; i < n; i++) {
        struct bridge_section *s = &c->sections[i];
        if (s->direction == BRIDGE_IN) {
            owner[count] = s;
            items[count++] = (zmq_pollitem_t){.socket = s->socket, .events = ZMQ_POLLIN};
        } else {
            /* The XPUB is used by the topic threads too: poll its fd (which
             * does not touch the socket) and the threads' eventfd. */
            int fd;
            size_t size = sizeof fd;
            zmq_getsockopt(s->socket, ZMQ_FD, &fd, &size);
            owner[count] = s;
            items[count++] = (zmq_pollitem_t){.fd = fd, .events = ZMQ_POLLIN};
            owner[count] = s;
            items[count++] = (zmq_pollitem_t){.fd = s->notify_fd, .events = ZMQ_POLLIN};
        }
    }
    for (int k = 0; k < count; k++) {
        fds[k] = (struct pollfd){.fd = items[k].fd, .events = POLLIN};
        if (items[k].socket) {
            size_t size = sizeof fds[k].fd;
            zmq_getsockopt(items[k].socket, ZMQ_FD, &fds[k].fd, &size);
        }
    }
    bridge_spin_init(&bridge->in_spin, c->spin_ns, &bridge->stats.spin_caught, &bridge->stats.spin_missed);
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* sleeps before a spin window end when asked */
    int64_t now = monotonic_ns();
    int64_t next_stats = c->stats_ns ? now + c->stats_ns : INT64_MAX;
    int64_t next_republish = c->republish_ns ? now + c->republish_ns : INT64_MAX;
    /* The XPUBs may already hold subscriptions made before the loop started. */
    for (int i = 0; i < n; i++)
        if (c->sections[i].direction == BRIDGE_OUT)
            bridge_out_subscriptions(bridge, &c->sections[i]);
    while (!atomic_load(&bridge->stop)) {
        now = monotonic_ns();
        int64_t next = next_stats < next_republish ? next_stats : next_republish;
        long timeout_ms = next == INT64_MAX ? -1 : (long)((next - now + 999999) / 1000000);
        if (timeout_ms < 0 && next != INT64_MAX)
            timeout_ms = 0;
        int ready = poll_items(bridge, items, fds, count, timeout_ms);
        if (ready < 0 && zmq_errno() != EINTR)
            break;
        if (ready > 0 && (items[0].revents & ZMQ_POLLIN)) {
            struct signalfd_siginfo info;
            if (read(signal_fd, &info, sizeof info) > 0)
                atomic_store(&bridge->stop, 1);
            break;
        }
        if (zap && ready > 0 && (items[1].revents & ZMQ_POLLIN))
            bridge_zap_handle(bridge, zap);
        for (int k = first_section; ready > 0 && k < count; k++) {
            struct bridge_section *s = owner[k];
            if (s->direction == BRIDGE_IN && (items[k].revents & ZMQ_POLLIN))
                bridge_in_receive(bridge, s);
            else if (s->direction == BRIDGE_OUT && (items[k].revents & ZMQ_POLLIN) &&
                     (k + 1 >= count || owner[k + 1] != s || !(items[k + 1].revents & ZMQ_POLLIN)))
                bridge_out_subscriptions(bridge, s); /* once per section, whichever of its fds woke us;
                                                        ZMQ_EVENTS there also clears the socket's fd */
        }
        now = monotonic_ns();
        if (now >= next_republish) {
            for (int i = 0; i < n; i++)
                if (c->sections[i].direction == BRIDGE_OUT)
                    bridge_out_republish(bridge, &c->sections[i]);
            next_republish = now + c->republish_ns;
        }
        if (now >= next_stats) {
            bridge_stats_print(&bridge->stats);
            next_stats = now + c->stats_ns;
        }
    }
    free(items);
    free(owner);
    free(fds);
}

int bridge_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return bridge_keygen(argc - 1, argv + 1);
    struct bridge bridge;
    memset(&bridge, 0, sizeof bridge);
    int rc = bridge_parse(argc, argv, &bridge.config);
    if (rc != 0) {
        bridge_config_free(&bridge.config);
        return rc < 0 ? 0 : rc; /* -1: --help */
    }
    if (bridge_stats_init(&bridge.stats) != 0) {
        bridge_config_free(&bridge.config);
        fprintf(stderr, "svipc bridge: out of memory\n");
        return 1;
    }
    /* Signals: SIGINT/SIGTERM arrive through a signalfd in the main loop;
     * SIGUSR1 only wakes topic threads (unblocked there alone). */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    struct sigaction wake = {.sa_handler = wake_handler}; /* no SA_RESTART: the wait returns -EINTR */
    sigaction(SIGUSR1, &wake, NULL);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);

    /* Every value crosses the bridge in a malloc'd ZeroMQ message, allocated
     * by one thread (out: a topic thread; in: ZeroMQ's I/O thread) and freed
     * by another. With glibc's defaults each free of a 64 KiB message gave
     * the top of its arena back to the kernel and the next allocation
     * faulted all its pages in again (a third of the bridge's CPU time at
     * 64 KiB), and values above 128 KiB were mmap'd and unmapped one by one.
     * So keep freed memory (up to BRIDGE_MALLOC_KEEP per arena) and take
     * values up to 32 MiB (glibc's largest threshold) from the arenas. */
    mallopt(M_MMAP_THRESHOLD, BRIDGE_MALLOC_MMAP_THRESHOLD);
    mallopt(M_TRIM_THRESHOLD, BRIDGE_MALLOC_KEEP);
    bridge.context = zmq_ctx_new();
    void *zap = bridge.context ? bridge_zap_start(&bridge) : NULL;
    rc = signal_fd >= 0 && bridge.context && (zap || !bridge.config.curve_allow_count) ? 0 : 1;
    for (int i = 0; rc == 0 && i < bridge.config.section_count; i++) {
        struct bridge_section *s = &bridge.config.sections[i];
        pthread_mutex_init(&s->lock, NULL);
        rc = (s->direction == BRIDGE_OUT ? bridge_out_start(&bridge, s) : bridge_in_start(&bridge, s)) ? 1 : 0;
    }
    if (rc == 0) {
        printf("ready\n");
        fflush(stdout);
        run(&bridge, signal_fd, zap);
    } else {
        fflush(stdout);
    }
    atomic_store(&bridge.stop, 1);
    for (int i = 0; i < bridge.config.section_count; i++) {
        struct bridge_section *s = &bridge.config.sections[i];
        if (s->direction == BRIDGE_OUT)
            bridge_out_stop(&bridge, s);
        else
            bridge_in_stop(&bridge, s);
        if (s->socket)
            zmq_close(s->socket);
        pthread_mutex_destroy(&s->lock);
    }
    if (zap)
        zmq_close(zap);
    if (bridge.context)
        zmq_ctx_term(bridge.context);
    if (rc == 0 && bridge.config.stats_ns)
        bridge_stats_print(&bridge.stats);
    if (signal_fd >= 0)
        close(signal_fd);
    bridge_stats_free(&bridge.stats);
    bridge_config_free(&bridge.config);
    return rc;
}
