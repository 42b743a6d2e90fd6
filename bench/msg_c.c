/* Message queue cost at the C level: svipc_msg_send/receive against raw
 * msgsnd/msgrcv on the same kind of queue, for 64 B and 4 KiB messages.
 *
 *   throughput  a child sends N messages (blocking), the parent receives
 *               them (blocking); messages per second, send to last receive
 *   round trip  parent sends type 1, child answers type 2 with the same
 *               payload; ns per request+reply
 *
 * Both ends of a run use the same method. "svipc timed" passes a 1 s
 * timeout to every call instead of SVIPC_WAIT_FOREVER: timed waits poll
 * (doc/msg.md), so this row shows what that costs. Methods are interleaved
 * round by round so load changes hit them alike; best of ROUNDS. */
#include <svipc/svipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define THROUGHPUT_MESSAGES 100000
#define ROUND_TRIPS 20000
#define MAX_PAYLOAD 4096

enum method { RAW, SVIPC, SVIPC_TIMED, METHODS };
static const char *const names[] = {"raw msgsnd/msgrcv", "svipc", "svipc timed (1 s timeout)"};

struct raw_message {
    long type;
    char text[MAX_PAYLOAD];
};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One endpoint: a raw msqid or an svipc handle opened in this process. */
struct endpoint {
    enum method method;
    int id;
    svipc_msg *q;
    struct raw_message raw;
};

static int endpoint_open(struct endpoint *e, enum method method, int id)
{
    e->method = method;
    e->id = id;
    e->q = NULL;
    return method == RAW ? 0 : svipc_msg_open_id(id, &e->q);
}

static int send_one(struct endpoint *e, long type, const char *data, size_t size)
{
    if (e->method == RAW) {
        e->raw.type = type;
        memcpy(e->raw.text, data, size);
        return msgsnd(e->id, &e->raw, size, 0);
    }
    return svipc_msg_send(e->q, type, data, size, 0, e->method == SVIPC_TIMED ? 1000000000LL : SVIPC_WAIT_FOREVER);
}

static long receive_one(struct endpoint *e, long type, char *buf, size_t capacity)
{
    if (e->method == RAW) {
        ssize_t n = msgrcv(e->id, &e->raw, capacity, type, 0);
        if (n > 0)
            memcpy(buf, e->raw.text, (size_t)n);
        return (long)n;
    }
    int64_t got_type;
    return (long)svipc_msg_receive(e->q, type, buf, capacity, 0,
                                   e->method == SVIPC_TIMED ? 1000000000LL : SVIPC_WAIT_FOREVER, &got_type);
}

static int new_queue(void)
{
    return msgget(IPC_PRIVATE, IPC_CREAT | 0600);
}

/* Messages per second from a sending child to the receiving parent. */
static double throughput(enum method method, size_t size)
{
    int id = new_queue();
    if (id < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        struct endpoint e;
        char data[MAX_PAYLOAD];
        memset(data, 'x', size);
        if (endpoint_open(&e, method, id) != 0)
            _exit(1);
        for (int i = 0; i < THROUGHPUT_MESSAGES; i++)
            if (send_one(&e, 1, data, size) != 0)
                _exit(2);
        svipc_msg_close(e.q);
        _exit(0);
    }
    struct endpoint e;
    char buf[MAX_PAYLOAD];
    double start = now_ns(), elapsed = -1;
    if (endpoint_open(&e, method, id) == 0) {
        int i;
        for (i = 0; i < THROUGHPUT_MESSAGES; i++)
            if (receive_one(&e, 0, buf, sizeof buf) != (long)size)
                break;
        if (i == THROUGHPUT_MESSAGES)
            elapsed = now_ns() - start;
    }
    svipc_msg_close(e.q);
    int status;
    waitpid(pid, &status, 0);
    msgctl(id, IPC_RMID, NULL);
    if (elapsed < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return THROUGHPUT_MESSAGES / (elapsed / 1e9);
}

/* ns per request/reply between the parent and an echoing child. */
static double round_trip(enum method method, size_t size)
{
    int id = new_queue();
    if (id < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        struct endpoint e;
        char buf[MAX_PAYLOAD];
        if (endpoint_open(&e, method, id) != 0)
            _exit(1);
        for (int i = 0; i < ROUND_TRIPS; i++) {
            long n = receive_one(&e, 1, buf, sizeof buf);
            if (n != (long)size || send_one(&e, 2, buf, (size_t)n) != 0)
                _exit(2);
        }
        svipc_msg_close(e.q);
        _exit(0);
    }
    struct endpoint e;
    char data[MAX_PAYLOAD], buf[MAX_PAYLOAD];
    memset(data, 'y', size);
    double start = now_ns(), elapsed = -1;
    if (endpoint_open(&e, method, id) == 0) {
        int i;
        for (i = 0; i < ROUND_TRIPS; i++)
            if (send_one(&e, 1, data, size) != 0 || receive_one(&e, 2, buf, sizeof buf) != (long)size)
                break;
        if (i == ROUND_TRIPS)
            elapsed = now_ns() - start;
    }
    svipc_msg_close(e.q);
    int status;
    waitpid(pid, &status, 0);
    msgctl(id, IPC_RMID, NULL);
    if (elapsed < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return elapsed / ROUND_TRIPS;
}

int main(void)
{
    const size_t sizes[] = {64, 4096};
    long capacity = -1;
    FILE *f = fopen("/proc/sys/kernel/msgmnb", "r");
    if (f) {
        if (fscanf(f, "%ld", &capacity) != 1)
            capacity = -1;
        fclose(f);
    }
    printf("System V message queue, one sender/receiver pair of processes, best of %d rounds "
           "(queue capacity kernel.msgmnb = %ld bytes)\n", ROUNDS, capacity);
    for (size_t s = 0; s < 2; s++) {
        double rate[METHODS], rtt[METHODS];
        for (int m = 0; m < METHODS; m++)
            rate[m] = 0, rtt[m] = 1e30;
        for (int r = 0; r < ROUNDS; r++) {
            for (int m = 0; m < METHODS; m++) {
                double v = throughput((enum method)m, sizes[s]);
                double t = round_trip((enum method)m, sizes[s]);
                if (v < 0 || t < 0) {
                    fprintf(stderr, "%s failed: %s\n", names[m], svipc_last_error_message());
                    return 1;
                }
                if (v > rate[m])
                    rate[m] = v;
                if (t < rtt[m])
                    rtt[m] = t;
            }
        }
        printf("\n%zu-byte messages:\n", sizes[s]);
        printf("  %-28s %12s %10s   %12s %10s\n", "", "msgs/s", "vs raw", "round trip", "vs raw");
        for (int m = 0; m < METHODS; m++)
            printf("  %-28s %12.0f %9.2fx   %9.2f us %9.2fx\n", names[m], rate[m], rate[RAW] / rate[m],
                   rtt[m] / 1e3, rtt[m] / rtt[RAW]);
    }
    printf("\n(vs raw: time per message relative to raw msgsnd/msgrcv; 1.00x = same cost, higher = slower)\n");
    return 0;
}
