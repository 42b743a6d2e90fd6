/* `svipc limits`: the kernel's System V IPC limits and current usage
 * (ipcs -l, ipcs -u), as text or as JSON. */
#include "commands.h"

#include "format.h"
#include "json.h"
#include "report.h"

#include <svipc/svipc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int run_limits(struct options *o, int argc, char **argv)
{
    if (argc > 0)
        return usage_error("limits: unexpected argument '%s'", argv[0]);
    svipc_ipc_limits l;
    svipc_ipc_usage u;
    int rc = svipc_limits(&l);
    if (rc == 0)
        rc = svipc_usage(&u);
    if (rc != 0) {
        report_failure("reading limits", rc);
        return EXIT_FAILURE;
    }
    if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        json_open(&j, "limits", '{');
        json_uint(&j, "shmmni", l.shmmni);
        json_uint(&j, "shmmax", l.shmmax);
        json_uint(&j, "shmall", l.shmall);
        json_uint(&j, "shmmin", l.shmmin);
        json_uint(&j, "page_size", l.page_size);
        json_uint(&j, "semmni", l.semmni);
        json_uint(&j, "semmsl", l.semmsl);
        json_uint(&j, "semmns", l.semmns);
        json_uint(&j, "semopm", l.semopm);
        json_uint(&j, "semvmx", l.semvmx);
        json_uint(&j, "msgmni", l.msgmni);
        json_uint(&j, "msgmax", l.msgmax);
        json_uint(&j, "msgmnb", l.msgmnb);
        json_close(&j, '}');
        json_open(&j, "usage", '{');
        json_uint(&j, "shm_segments", u.shm_segments);
        json_uint(&j, "shm_pages", u.shm_pages);
        json_uint(&j, "shm_resident_pages", u.shm_resident_pages);
        json_uint(&j, "shm_swapped_pages", u.shm_swapped_pages);
        json_uint(&j, "sem_sets", u.sem_sets);
        json_uint(&j, "sem_semaphores", u.sem_semaphores);
        json_uint(&j, "msg_queues", u.msg_queues);
        json_uint(&j, "msg_messages", u.msg_messages);
        json_uint(&j, "msg_bytes", u.msg_bytes);
        json_close(&j, '}');
        json_close(&j, '}');
    } else {
        char a[32], b[32];
        printf("------ Shared memory ------\n");
        printf("segments           %" PRIu64 " of at most %" PRIu64 " (kernel.shmmni)\n", u.shm_segments, l.shmmni);
        printf("segment size       %" PRIu64 " to %" PRIu64 " bytes (%s, kernel.shmmax)\n", l.shmmin, l.shmmax,
               size_text(l.shmmax, a, sizeof a));
        printf("total              %" PRIu64 " of at most %" PRIu64 " pages of %" PRIu64 " bytes (kernel.shmall)\n",
               u.shm_pages, l.shmall, l.page_size);
        printf("pages              %" PRIu64 " resident, %" PRIu64 " swapped\n", u.shm_resident_pages,
               u.shm_swapped_pages);
        printf("\n------ Semaphores ------\n");
        printf("sets               %" PRIu64 " of at most %" PRIu64 " (semmni)\n", u.sem_sets, l.semmni);
        printf("semaphores         %" PRIu64 " of at most %" PRIu64 " (semmns), %" PRIu64 " per set (semmsl)\n",
               u.sem_semaphores, l.semmns, l.semmsl);
        printf("ops per semop      %" PRIu64 " (semopm)\n", l.semopm);
        printf("max value          %" PRIu64 " (semvmx)\n", l.semvmx);
        printf("\n------ Message queues ------\n");
        printf("queues             %" PRIu64 " of at most %" PRIu64 " (kernel.msgmni)\n", u.msg_queues, l.msgmni);
        printf("queued             %" PRIu64 " messages, %" PRIu64 " bytes\n", u.msg_messages, u.msg_bytes);
        printf("message size       at most %" PRIu64 " bytes (%s, kernel.msgmax)\n", l.msgmax,
               size_text(l.msgmax, a, sizeof a));
        printf("queue capacity     %" PRIu64 " bytes by default (%s, kernel.msgmnb)\n", l.msgmnb,
               size_text(l.msgmnb, b, sizeof b));
    }
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
