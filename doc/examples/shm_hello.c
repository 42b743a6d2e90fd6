/* A C user of the installed library: build with
 *   cc shm_hello.c $(pkg-config --cflags --libs svipc)
 * A parent creates a private segment, a forked child writes into it, the
 * parent reads, then removes it. */
#include <svipc/svipc.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s (%s)\n", what, svipc_strerror(rc), svipc_last_error_message());
    return 1;
}

int main(void)
{
    svipc_shm *shm = NULL;
    int rc = svipc_shm_open(SVIPC_KEY_PRIVATE, 4096, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &shm);
    if (rc < 0)
        return fail("open", rc);
    int shmid = svipc_shm_id(shm);

    pid_t child = fork();
    if (child == 0) {
        /* Handles do not cross fork: the child opens its own by id. */
        svipc_shm *mine = NULL;
        void *addr = NULL;
        if (svipc_shm_open_id(shmid, &mine) < 0 || svipc_shm_attach(mine, NULL, 0, &addr) < 0)
            _exit(1);
        strcpy(addr, "written by the child");
        svipc_shm_close(mine);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);

    void *addr = NULL;
    if ((rc = svipc_shm_attach(shm, NULL, SVIPC_RDONLY, &addr)) < 0)
        return fail("attach", rc);
    printf("svipc %s: segment %d says \"%s\"\n", svipc_version_string(), shmid, (const char *)addr);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && strcmp(addr, "written by the child") == 0;
    svipc_shm_remove(shm);
    svipc_shm_close(shm); /* detaches; the segment is destroyed at this last detach */
    return ok ? 0 : 1;
}
