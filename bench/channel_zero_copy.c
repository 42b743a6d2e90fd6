/* Large values without copies, from C (run in a private IPC namespace: see
 * doc/benchmarks.md, "channel_zero_copy").
 *
 * For 64 B, 64 KiB, 1 MiB and 8 MiB values, in one run:
 *   - memcpy of the same size (the baseline: one copy);
 *   - copy + copy: svipc_channel_publish from the publisher's buffer,
 *     svipc_channel_read into the reader's buffer;
 *   - loan + pin: svipc_channel_loan, an 8-byte stamp written in place,
 *     svipc_channel_commit; the reader svipc_channel_acquire()s the value
 *     (then releases it).
 * Latency is one-way, publish (or loan) start -> value available to the
 * reader (its read or acquire returned), from the value's publish time, with
 * the reader spinning in svipc_channel_wait in another process and the
 * publisher waiting for its acknowledgement between values. Values/s: the
 * publisher flat out for BURST_NS, the reader taking every newest value.
 * Last, per-call costs in one process (same_process_costs). */
#include <svipc/svipc.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BURST_NS 300000000LL

struct shared {
    _Atomic long ack;      /* the reader has taken value i */
    _Atomic int stop;
    _Atomic long reads;
    _Atomic long gave_up;  /* reads or acquires that ended in -EAGAIN */
    long long latency_ns[1000];
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, svipc_last_error_message());
    exit(1);
}

static svipc_channel *open_channel(uint64_t size, uint32_t flags)
{
    svipc_channel *ch = NULL;
    if (svipc_channel_open("bench-zero-copy", SVIPC_CHANNEL_TYPE_BYTES, size, 3, flags, 0, &ch) != 0)
        die("open");
    return ch;
}

/* The reader: takes each new value (paced: acknowledges it; flat out: counts it). */
static void reader(uint64_t size, int zero_copy, long samples, struct shared *sh)
{
    svipc_channel *ch = open_channel(size, 0);
    unsigned char *buffer = malloc(size);
    memset(buffer, 1, size);
    uint64_t last = 0;
    for (long i = 0; !atomic_load(&sh->stop); i++) {
        if (svipc_channel_wait(ch, last, 100000000, SVIPC_CHANNEL_SPIN) != 0)
            continue;
        svipc_channel_read_info info;
        const void *data = NULL;
        int rc = zero_copy ? svipc_channel_acquire(ch, SVIPC_CHANNEL_ANY_AGE, &data, &info)
                           : svipc_channel_read(ch, buffer, size, SVIPC_CHANNEL_ANY_AGE, &info);
        const long long available = now_ns();
        if (rc == -EAGAIN) {  /* lapped for the whole retry budget by a flat-out publisher: count it, go on */
            atomic_fetch_add(&sh->gave_up, 1);
            continue;
        }
        if (rc < 0)
            die(zero_copy ? "acquire" : "read");
        if (zero_copy)
            svipc_channel_release(ch);
        last = info.sequence;
        const long taken = atomic_load(&sh->reads);
        if (samples > 0 && taken < samples)
            sh->latency_ns[taken] = available - info.publish_time_ns;
        atomic_store(&sh->reads, taken + 1);
        atomic_store(&sh->ack, (long)last);
    }
    free(buffer);
    svipc_channel_close(ch);
}

static void publish_one(svipc_channel *ch, const unsigned char *value, uint64_t size, int zero_copy, uint64_t *seq)
{
    if (zero_copy) {
        void *slot = NULL;
        if (svipc_channel_loan(ch, &slot) != 0)
            die("loan");
        memcpy(slot, seq, sizeof *seq < size ? sizeof *seq : size); /* the stamp, in place */
        if (svipc_channel_commit(ch, seq) != 0)
            die("commit");
    } else if (svipc_channel_publish(ch, value, size, seq) != 0) {
        die("publish");
    }
}

struct result {
    double median_us, p99_us, publishes_per_s, reads_per_s;
    long gave_up;
};

/* Wait until the reader acknowledged `seq`, yielding; exit if it died. */
static void wait_for_ack(struct shared *sh, uint64_t seq, pid_t reader)
{
    for (unsigned i = 1; atomic_load(&sh->ack) < (long)seq; i++) {
        sched_yield();
        if (i % 4096 == 0 && waitpid(reader, NULL, WNOHANG) == reader) {
            fprintf(stderr, "the reader died\n");
            exit(1);
        }
    }
}

static struct result run(uint64_t size, int zero_copy, long samples, struct shared *sh)
{
    struct result r = {0, 0, 0, 0, 0};
    svipc_channel *ch = open_channel(size, SVIPC_CREATE);
    unsigned char *value = malloc(size);
    memset(value, 7, size);
    uint64_t seq = 0;
    publish_one(ch, value, size, zero_copy, &seq); /* value 1: touches a slot, takes the writer lock */
    atomic_store(&sh->ack, 0);
    atomic_store(&sh->stop, 0);
    atomic_store(&sh->reads, 0);
    atomic_store(&sh->gave_up, 0);
    const pid_t child = fork();
    if (child == 0) {
        reader(size, zero_copy, samples, sh);
        _exit(0);
    }
    wait_for_ack(sh, seq, child);  /* the reader took value 1 */
    atomic_store(&sh->reads, 0);
    for (long i = 0; i < samples; i++) {
        /* Let the reader get back to spinning in wait; yield while waiting
         * for it, so that on a loaded machine it gets the CPU. */
        const struct timespec settle = {0, 50000};
        nanosleep(&settle, NULL);
        publish_one(ch, value, size, zero_copy, &seq);
        wait_for_ack(sh, seq, child);
    }
    qsort(sh->latency_ns, (size_t)samples, sizeof sh->latency_ns[0], cmp_ll);
    r.median_us = sh->latency_ns[samples / 2] / 1000.0;
    r.p99_us = sh->latency_ns[(samples * 99) / 100] / 1000.0;

    atomic_store(&sh->reads, 0);
    const uint64_t first = seq;
    const long long start = now_ns();
    long long elapsed = 0;
    long published = 0;
    while ((elapsed = now_ns() - start) < BURST_NS) {
        publish_one(ch, value, size, zero_copy, &seq);
        published++;
    }
    const long reads = atomic_load(&sh->reads);
    (void)first;
    r.publishes_per_s = published * 1e9 / elapsed;
    r.reads_per_s = reads * 1e9 / elapsed;
    r.gave_up = atomic_load(&sh->gave_up);
    atomic_store(&sh->stop, 1);
    waitpid(child, NULL, 0);
    svipc_channel_remove(ch);
    svipc_channel_close(ch);
    free(value);
    return r;
}

static double memcpy_us(uint64_t size, long reps)
{
    unsigned char *from = malloc(size), *to = malloc(size);
    memset(from, 3, size);
    memset(to, 4, size);
    long long best[1000];
    for (long i = 0; i < reps; i++) {
        const long long start = now_ns();
        memcpy(to, from, size);
        __asm__ volatile("" ::"r"(to) : "memory");
        best[i] = now_ns() - start;
    }
    qsort(best, (size_t)reps, sizeof best[0], cmp_ll);
    free(from);
    free(to);
    return best[reps / 2] / 1000.0;
}

/* Thread CPU time per call, in one process (no hand-over, no scheduling):
 * what a pin itself costs next to a copy read, and what a claimed pin
 * record costs a 64 B publish (the full fence; doc/channel.md "Pinned read"). */
static long long cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static svipc_channel *open_named(const char *name, uint64_t size, uint32_t flags)
{
    svipc_channel *ch = NULL;
    if (svipc_channel_open(name, SVIPC_CHANNEL_TYPE_BYTES, size, 3, flags, 0, &ch) != 0)
        die("open");
    return ch;
}

static void same_process_costs(void)
{
    const uint64_t size = 1024 * 1024;
    svipc_channel *writer = open_named("bench-pin-cost", size, SVIPC_CREATE);
    svipc_channel *reader = open_named("bench-pin-cost", size, 0);
    unsigned char *buffer = malloc(size);
    memset(buffer, 5, size);
    if (svipc_channel_publish(writer, buffer, size, NULL) != 0)
        die("publish");
    const void *data = NULL;
    svipc_channel_read_info info;
    long long start = cpu_ns();
    if (svipc_channel_acquire(reader, SVIPC_CHANNEL_ANY_AGE, &data, &info) != 0)  /* claims the record */
        die("acquire");
    const double first_us = (cpu_ns() - start) / 1e3;
    svipc_channel_release(reader);
    const long pins = 100000, reads = 300;
    start = cpu_ns();
    for (long i = 0; i < pins; i++) {
        svipc_channel_acquire(reader, SVIPC_CHANNEL_ANY_AGE, &data, &info);
        svipc_channel_release(reader);
    }
    const double pin_ns = (double)(cpu_ns() - start) / pins;
    start = cpu_ns();
    for (long i = 0; i < reads; i++)
        svipc_channel_read(reader, buffer, size, SVIPC_CHANNEL_ANY_AGE, &info);
    const double read_ns = (double)(cpu_ns() - start) / reads;
    svipc_channel_close(reader);  /* frees the record: no claim left */

    svipc_channel *small = open_named("bench-pin-cost-64", 64, SVIPC_CREATE);
    svipc_channel *pinner = open_named("bench-pin-cost-64", 64, 0);
    const long publishes = 2000000;
    double publish_ns[2];
    for (int claimed = 0; claimed < 2; claimed++) {
        if (claimed) {
            svipc_channel_acquire(pinner, SVIPC_CHANNEL_ANY_AGE, &data, &info);
            svipc_channel_release(pinner);  /* the record stays claimed until close */
        }
        start = cpu_ns();
        for (long i = 0; i < publishes; i++)
            svipc_channel_publish(small, buffer, 64, NULL);
        publish_ns[claimed] = (double)(cpu_ns() - start) / publishes;
    }
    printf("same process, thread CPU time: first acquire of a handle (claims a pin record, membarrier) %.1f us;\n"
           "  acquire+release %.0f ns, read of 1 MiB %.0f ns; 64 B publish %.1f ns, with a pin record claimed %.1f ns\n",
           first_us, pin_ns, read_ns, publish_ns[0], publish_ns[1]);
    svipc_channel_close(pinner);
    svipc_channel_remove(small);
    svipc_channel_close(small);
    svipc_channel_remove(writer);
    svipc_channel_close(writer);
    free(buffer);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) > 0)
        printf("load average %.2f %.2f %.2f (2 cores shared: compare ratios within this run)\n", load[0], load[1],
               load[2]);
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 1;
    static const uint64_t sizes[] = {64, 64 * 1024, 1024 * 1024, 8 * 1024 * 1024};
    static const char *const names[] = {"64 B", "64 KiB", "1 MiB", "8 MiB"};
    static const long samples[] = {1000, 1000, 300, 100};
    double loan_64 = 0;
    printf("%-7s %10s | %-27s | %-27s | %9s | %-23s | %-23s\n", "size", "memcpy us", "copy+copy latency us med/p99",
           "loan+pin latency us med/p99", "copy/loan", "publishes/s copy, loan", "reads/s copy, loan");
    for (int s = 0; s < 4; s++) {
        const double baseline = memcpy_us(sizes[s], samples[s]);
        const struct result copy = run(sizes[s], 0, samples[s], sh);
        const struct result loan = run(sizes[s], 1, samples[s], sh);
        if (s == 0)
            loan_64 = loan.median_us;
        printf("%-7s %10.2f | %12.2f / %12.2f | %12.2f / %12.2f | %8.1fx | %10.0f, %10.0f | %10.0f, %10.0f\n",
               names[s], baseline, copy.median_us, copy.p99_us, loan.median_us, loan.p99_us,
               copy.median_us / loan.median_us, copy.publishes_per_s, loan.publishes_per_s, copy.reads_per_s,
               loan.reads_per_s);
        if (copy.gave_up || loan.gave_up)
            printf("        flat out, reads that gave up (-EAGAIN, lapped): copy %ld, loan %ld\n", copy.gave_up,
                   loan.gave_up);
        if (s == 3)
            printf("loan+pin latency at 8 MiB / at 64 B: %.2fx (target <= 2x)\n", loan.median_us / loan_64);
    }
    same_process_costs();
    munmap(sh, sizeof *sh);
    return 0;
}
