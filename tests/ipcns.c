#include "ipcns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

static int swept;

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int err = n < 0 ? -errno : 0;
    close(fd);
    return err;
}

int ipcns_enter_private(void)
{
    if (unshare(CLONE_NEWIPC) == 0)
        return 0;
    /* Not root: a user namespace makes us root inside it, then the IPC one. */
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWIPC) != 0)
        return -errno;
    char map[64];
    write_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
    int err = write_file("/proc/self/uid_map", map);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
    if (err == 0)
        err = write_file("/proc/self/gid_map", map);
    return err;
}

static const char *const tables[] = {"/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg"};

/* Calls fn(table index, id, line) for every object in this namespace; returns the count. */
static int for_each_object(void (*fn)(size_t table, int id, const char *line))
{
    int count = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        FILE *file = fopen(tables[i], "re");
        if (!file)
            continue;
        char line[1024];
        int lineno = 0;
        while (fgets(line, sizeof line, file)) {
            int key, id;
            if (lineno++ == 0 || sscanf(line, "%d %d", &key, &id) != 2)
                continue; /* header */
            fn(i, id, line);
            count++;
        }
        fclose(file);
    }
    return count;
}

static void report_object(size_t table, int id, const char *line)
{
    (void)id;
    fprintf(stderr, "left behind in %s: %s", tables[table], line);
}

static void remove_object(size_t table, int id, const char *line)
{
    (void)line;
    fprintf(stderr, "test case left behind in %s: id %d; removing it\n", tables[table], id);
    if (table == 0)
        shmctl(id, IPC_RMID, NULL);
    else if (table == 1)
        semctl(id, 0, IPC_RMID);
    else
        msgctl(id, IPC_RMID, NULL);
}

int ipcns_count_objects(void)
{
    return for_each_object(report_object);
}

void ipcns_sweep(void)
{
    /* Only ever called inside the private namespace ipcns_run_suite entered:
     * every object here is this suite's own. */
    swept += for_each_object(remove_object);
}

int ipcns_run_suite(Suite *suite)
{
    int err = ipcns_enter_private();
    if (err != 0) {
        /* Never fall back to the machine's shared namespace. */
        fprintf(stderr, "cannot enter a private IPC namespace: %s\n", strerror(-err));
        return 99;
    }
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    int leftovers = ipcns_count_objects() + swept;
    if (leftovers)
        fprintf(stderr, "FAIL: %d System V object(s) left behind\n", leftovers);
    return failed == 0 && leftovers == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
