/* Channel benchmark from C (run in a private IPC namespace: see doc/benchmarks.md).
 *
 *  1. publish + read of a 64 B value in one process (ns/op), beside two
 *     hand-written single-slot seqlocks: one carrying the value only, one
 *     carrying the value, sequence and publish time as a channel does;
 *  2. a publisher flat out in one process, a polling reader in another:
 *     publishes/s, new values seen/s, one-way latency, torn and backwards reads;
 *  3. one-way latency of paced publishes to a reader in wait mode
 *     (spin-then-futex) and in pure spinning mode.
 */
#include <svipc/svipc.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 64
#define WORDS (PAYLOAD / 8)

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fill(uint64_t *w, uint64_t n)
{
    for (int i = 0; i < WORDS; i++)
        w[i] = n;
}

static int torn(const uint64_t *w)
{
    for (int i = 1; i < WORDS; i++)
        if (w[i] != w[0])
            return 1;
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void percentiles(long long *v, size_t n, double *median_us, double *p99_us)
{
    qsort(v, n, sizeof *v, cmp_ll);
    *median_us = n ? v[n / 2] / 1000.0 : 0;
    *p99_us = n ? v[(n * 99) / 100] / 1000.0 : 0;
}

static svipc_channel *open_channel(uint32_t flags)
{
    svipc_channel *ch = NULL;
    int rc = svipc_channel_open("bench-channel", SVIPC_CHANNEL_TYPE_BYTES, PAYLOAD, 0, flags, 0, &ch);
    if (rc != 0) {
        fprintf(stderr, "open: %s\n", svipc_last_error_message());
        exit(1);
    }
    return ch;
}

/* ---- the baselines: hand-written single-slot seqlocks, inlined ----------- */
/* "bare" carries the value only. "stamped" carries what a channel value
 * carries: the value, its sequence number and its CLOCK_MONOTONIC publish
 * time, and its reader returns all three, as svipc_channel_read does. */
struct seqlock {
    _Atomic uint64_t seq;
    _Atomic int64_t publish_time_ns;
    unsigned char data[PAYLOAD];
};

static inline void seqlock_write(struct seqlock *s, const void *src, int stamped)
{
    uint64_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    if (stamped)
        atomic_store_explicit(&s->publish_time_ns, now_ns(), memory_order_relaxed);
    memcpy(s->data, src, PAYLOAD);
    atomic_store_explicit(&s->seq, v + 2, memory_order_release);
}

static inline uint64_t seqlock_read(struct seqlock *s, void *dst, int64_t *publish_time_ns)
{
    for (;;) {
        uint64_t a = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (a & 1)
            continue;
        if (publish_time_ns)
            *publish_time_ns = atomic_load_explicit(&s->publish_time_ns, memory_order_relaxed);
        memcpy(dst, s->data, PAYLOAD);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) == a)
            return a / 2;
    }
}

struct timings {
    double publish, read, both;
};

static void print_ratio(const char *what, double ours, double bare, double stamped)
{
    printf("  %-14s %6.1f ns   bare seqlock %5.1f ns (%5.2fx)   stamped seqlock %5.1f ns (%4.2fx)\n", what, ours, bare,
           ours / bare, stamped, ours / stamped);
}

static struct timings time_seqlock(struct seqlock *s, long iters, int stamped)
{
    uint64_t in[WORDS], out[WORDS];
    int64_t stamp = 0, *stamp_out = stamped ? &stamp : NULL;
    volatile uint64_t sink = 0;
    fill(in, 1);
    long long t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        in[0] = (uint64_t)i;
        seqlock_write(s, in, stamped);
    }
    long long t1 = now_ns();
    for (long i = 0; i < iters; i++)
        sink += seqlock_read(s, out, stamp_out) + (uint64_t)stamp;
    long long t2 = now_ns();
    for (long i = 0; i < iters; i++) {
        in[0] = (uint64_t)i;
        seqlock_write(s, in, stamped);
        sink += seqlock_read(s, out, stamp_out) + (uint64_t)stamp;
    }
    long long t3 = now_ns();
    (void)sink;
    return (struct timings){(double)(t1 - t0) / iters, (double)(t2 - t1) / iters, (double)(t3 - t2) / iters};
}

static void same_process(void)
{
    const long iters = 5000000;
    uint64_t in[WORDS], out[WORDS];
    svipc_channel *ch = open_channel(SVIPC_CREATE);
    fill(in, 1);
    svipc_channel_publish(ch, in, PAYLOAD, NULL); /* takes the writer lock once */
    svipc_channel_read_info info;

    long long t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        in[0] = (uint64_t)i;
        svipc_channel_publish(ch, in, PAYLOAD, NULL);
    }
    long long t1 = now_ns();
    for (long i = 0; i < iters; i++)
        svipc_channel_read(ch, out, PAYLOAD, SVIPC_CHANNEL_ANY_AGE, &info);
    long long t2 = now_ns();
    for (long i = 0; i < iters; i++) {
        in[0] = (uint64_t)i;
        svipc_channel_publish(ch, in, PAYLOAD, NULL);
        svipc_channel_read(ch, out, PAYLOAD, SVIPC_CHANNEL_ANY_AGE, &info);
    }
    long long t3 = now_ns();
    struct timings ours = {(double)(t1 - t0) / iters, (double)(t2 - t1) / iters, (double)(t3 - t2) / iters};

    struct seqlock *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(s, 0, sizeof *s);
    struct timings bare = time_seqlock(s, iters, 0);
    struct timings stamped = time_seqlock(s, iters, 1);
    munmap(s, sizeof *s);
    volatile long long clock_sink = 0;
    long long t4 = now_ns();
    for (long i = 0; i < iters; i++)
        clock_sink += now_ns();
    double clock_ns = (double)(now_ns() - t4) / iters;
    (void)clock_sink; /* only there so the loop is not optimised away */

    printf("== same process, %d B value, %ld iterations ==\n", PAYLOAD, iters);
    print_ratio("publish", ours.publish, bare.publish, stamped.publish);
    print_ratio("read", ours.read, bare.read, stamped.read);
    print_ratio("publish+read", ours.both, bare.both, stamped.both);
    printf("  publish+read = %.1f M ops/s; clock_gettime(CLOCK_MONOTONIC) alone %.1f ns "
           "(the publish time every channel value carries)\n", 1000.0 / ours.both, clock_ns);
    svipc_channel_remove(ch);
    svipc_channel_close(ch);
}

/* ---- cross-process: flat-out publisher, polling reader -------------------- */
static void flat_out(double seconds)
{
    svipc_channel *ch = open_channel(SVIPC_CREATE);
    pid_t child = fork();
    if (child == 0) {
        svipc_channel *w = open_channel(0);
        uint64_t in[WORDS];
        for (uint64_t n = 1;; n++) {
            fill(in, n);
            svipc_channel_publish(w, in, PAYLOAD, NULL);
        }
    }
    svipc_channel_wait(ch, 0, 10000000000LL, 0);
    uint64_t out[WORDS], last = 0, first_seq = 0;
    long reads = 0, fresh = 0, torn_reads = 0, backwards = 0;
    size_t cap = 20000000, nlat = 0;
    long long *lat = malloc(cap * sizeof *lat);
    svipc_channel_read_info info;
    long long start = now_ns(), end = start + (long long)(seconds * 1e9), t = start;
    while (t < end) {
        svipc_channel_read(ch, out, PAYLOAD, SVIPC_CHANNEL_ANY_AGE, &info);
        t = now_ns();
        reads++;
        torn_reads += torn(out) || out[0] != info.sequence;
        if (info.sequence < last)
            backwards++;
        if (info.sequence > last) {
            if (!first_seq)
                first_seq = info.sequence;
            fresh++;
            if (nlat < cap)
                lat[nlat++] = t - info.publish_time_ns;
        }
        last = info.sequence;
    }
    double secs = (t - start) / 1e9;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    double med, p99;
    percentiles(lat, nlat, &med, &p99);
    printf("== two processes: publisher flat out, reader polling, %.1f s ==\n", secs);
    printf("  publishes/s                  %8.2f M\n", (last - first_seq) / secs / 1e6);
    printf("  reads/s                      %8.2f M\n", reads / secs / 1e6);
    printf("  new values seen/s            %8.2f M\n", fresh / secs / 1e6);
    printf("  one-way latency              median %.2f us, p99 %.2f us (publish start -> seen)\n", med, p99);
    printf("  torn reads                   %ld of %ld\n", torn_reads, reads);
    printf("  sequence went backwards      %ld times\n", backwards);
    free(lat);
    svipc_channel_remove(ch);
    svipc_channel_close(ch);
}

/* ---- cross-process: paced publishes, waiting reader ----------------------- */
static void paced(const char *mode, uint32_t wait_flags, long long interval_ns, int samples)
{
    svipc_channel *ch = open_channel(SVIPC_CREATE);
    pid_t child = fork();
    if (child == 0) {
        svipc_channel *w = open_channel(0);
        uint64_t in[WORDS];
        for (uint64_t n = 1;; n++) {
            long long next = now_ns() + interval_ns;
            fill(in, n);
            svipc_channel_publish(w, in, PAYLOAD, NULL);
            if (interval_ns >= 200000) {
                struct timespec ts = {0, interval_ns};
                nanosleep(&ts, NULL);
            } else {
                while (now_ns() < next)
                    ;
            }
        }
    }
    long long *lat = malloc(samples * sizeof *lat);
    uint64_t out[WORDS];
    svipc_channel_read_info info;
    int n = 0;
    long torn_reads = 0;
    svipc_channel_wait_read(ch, out, PAYLOAD, 10000000000LL, wait_flags, &info); /* warm-up */
    while (n < samples) {
        if (svipc_channel_wait_read(ch, out, PAYLOAD, 10000000000LL, wait_flags, &info) != 0)
            break;
        long long t = now_ns();
        torn_reads += torn(out);
        lat[n++] = t - info.publish_time_ns;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    double med, p99;
    percentiles(lat, (size_t)n, &med, &p99);
    printf("  %-34s every %6.1f us: median %7.2f us, p99 %8.2f us (%d samples, %ld torn)\n", mode,
           interval_ns / 1000.0, med, p99, n, torn_reads);
    free(lat);
    svipc_channel_remove(ch);
    svipc_channel_close(ch);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("svipc channel benchmark (C), %ld online CPUs, load average: ", sysconf(_SC_NPROCESSORS_ONLN));
    FILE *f = fopen("/proc/loadavg", "r");
    char load[64] = "?";
    if (f && fgets(load, sizeof load, f))
        printf("%s", load);
    if (f)
        fclose(f);
    same_process();
    flat_out(seconds);
    printf("== two processes: one-way latency of paced publishes (publish start -> reader has the value) ==\n");
    paced("wait mode (spin 50 us, then futex)", 0, 20000, 20000);
    paced("wait mode (spin 50 us, then futex)", 0, 1000000, 500);
    paced("spinning mode", SVIPC_CHANNEL_SPIN, 20000, 20000);
    paced("spinning mode", SVIPC_CHANNEL_SPIN, 1000000, 500);
    return 0;
}
