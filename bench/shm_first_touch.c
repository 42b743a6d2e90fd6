/* What a second process pays to read a filled segment for the first time,
 * per page: raw shmat, svipc attach, svipc attach with SVIPC_PREFAULT (the
 * prefault is inside the timed region), and POSIX shm_open+mmap (the peer).
 * Each is measured in a fresh child process, best of ROUNDS. */
#include <svipc/svipc.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SEGMENT_BYTES (256u << 20)
#define ROUNDS 5

enum method { RAW_SHMAT, SVIPC_ATTACH, SVIPC_PREFAULTED, POSIX_MMAP };
static const char *const names[] = {"raw shmat", "svipc attach", "svipc attach+PREFAULT", "POSIX shm_open+mmap"};

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int shmid, posix_fd;
static long page;

/* Runs in a fresh child: attach, read one byte per page, report ns/page. */
static double measure_in_child(enum method method)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        double start = now_ns();
        const volatile unsigned char *data = NULL;
        svipc_shm *shm = NULL;
        void *addr = NULL;
        switch (method) {
        case RAW_SHMAT:
            data = shmat(shmid, NULL, SHM_RDONLY);
            break;
        case SVIPC_ATTACH:
        case SVIPC_PREFAULTED:
            if (svipc_shm_open_id(shmid, &shm) == 0 &&
                svipc_shm_attach(shm, NULL, SVIPC_RDONLY | (method == SVIPC_PREFAULTED ? SVIPC_PREFAULT : 0),
                                 &addr) == 0)
                data = addr;
            break;
        case POSIX_MMAP:
            data = mmap(NULL, SEGMENT_BYTES, PROT_READ, MAP_SHARED, posix_fd, 0);
            break;
        }
        if (data == NULL || data == (void *)-1)
            _exit(1);
        unsigned sum = 0;
        for (size_t offset = 0; offset < SEGMENT_BYTES; offset += page)
            sum += data[offset];
        double per_page = (now_ns() - start) / (SEGMENT_BYTES / page);
        if (sum != (SEGMENT_BYTES / page) * 7u)
            _exit(2);
        if (write(pipefd[1], &per_page, sizeof per_page) != sizeof per_page)
            _exit(3);
        _exit(0);
    }
    close(pipefd[1]);
    double per_page = -1;
    if (read(pipefd[0], &per_page, sizeof per_page) != sizeof per_page)
        per_page = -1;
    close(pipefd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? per_page : -1;
}

int main(void)
{
    page = sysconf(_SC_PAGESIZE);
    svipc_shm *shm = NULL;
    void *addr;
    if (svipc_shm_open(SVIPC_KEY_PRIVATE, SEGMENT_BYTES, SVIPC_CREATE, 0, &shm) != 0 ||
        svipc_shm_attach(shm, NULL, 0, &addr) != 0) {
        fprintf(stderr, "setup: %s\n", svipc_last_error_message());
        return 1;
    }
    memset(addr, 7, SEGMENT_BYTES);
    shmid = svipc_shm_id(shm);

    char posix_name[64];
    snprintf(posix_name, sizeof posix_name, "/svipc-bench-%d", (int)getpid());
    posix_fd = shm_open(posix_name, O_CREAT | O_EXCL | O_RDWR, 0600);
    shm_unlink(posix_name);
    if (posix_fd < 0 || ftruncate(posix_fd, SEGMENT_BYTES) != 0)
        return 1;
    void *posix = mmap(NULL, SEGMENT_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, posix_fd, 0);
    memset(posix, 7, SEGMENT_BYTES);

    double best[4];
    for (int m = 0; m < 4; m++) {
        best[m] = 1e30;
        for (int r = 0; r < ROUNDS; r++) {
            double v = measure_in_child((enum method)m);
            if (v < 0) {
                fprintf(stderr, "%s failed\n", names[m]);
                return 1;
            }
            if (v < best[m])
                best[m] = v;
        }
    }
    printf("first read of a filled %u MiB segment by a second process, ns per 4 KiB page (best of %d):\n",
           SEGMENT_BYTES >> 20, ROUNDS);
    for (int m = 0; m < 4; m++)
        printf("  %-24s %8.1f ns/page   %5.2fx raw shmat\n", names[m], best[m], best[m] / best[RAW_SHMAT]);

    munmap(posix, SEGMENT_BYTES);
    close(posix_fd);
    svipc_shm_remove(shm);
    svipc_shm_close(shm);
    return 0;
}
