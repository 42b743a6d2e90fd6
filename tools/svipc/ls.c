/* `svipc ls` (and `svipc list`): every object of the asked kinds, as tables
 * or as JSON. */
#include "commands.h"

#include "object_json.h"
#include "snapshot.h"
#include "table.h"

#include <stdio.h>
#include <stdlib.h>

int run_ls(struct options *o, int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return usage_error("ls: unexpected argument '%s'", argv[0]);
    struct snapshot s;
    if (take_snapshot(&s, o->kinds, o->orphans, o->idle_ns, o->channels) != 0) {
        free_snapshot(&s);
        return EXIT_FAILURE;
    }
    if (o->json) {
        struct json j = {0, 0};
        json_open(&j, NULL, '{');
        if (o->kinds & KIND_SHM) {
            json_open(&j, "sharedmemory", '[');
            for (int i = 0; i < s.nshm; i++)
                if (selected(o, &s, SVIPC_KIND_SHM, s.shm[i].id, s.shm[i].uid, s.shm[i].cuid))
                    json_shm(&j, &s, i);
            json_close(&j, ']');
        }
        if (o->kinds & KIND_SEM) {
            json_open(&j, "semaphores", '[');
            for (int i = 0; i < s.nsem; i++)
                if (selected(o, &s, SVIPC_KIND_SEM, s.sem[i].id, s.sem[i].uid, s.sem[i].cuid))
                    json_sem(&j, &s, i);
            json_close(&j, ']');
        }
        if (o->kinds & KIND_MSG) {
            json_open(&j, "messages", '[');
            for (int i = 0; i < s.nmsg; i++)
                if (selected(o, &s, SVIPC_KIND_MSG, s.msg[i].id, s.msg[i].uid, s.msg[i].cuid))
                    json_msg(&j, &s, i);
            json_close(&j, ']');
        }
        json_close(&j, '}');
    } else {
        int first = 1;
        if (o->kinds & KIND_SHM) {
            table_shm(o, &s);
            first = 0;
        }
        if (o->kinds & KIND_SEM) {
            if (!first)
                putchar('\n');
            table_sem(o, &s);
            first = 0;
        }
        if (o->kinds & KIND_MSG) {
            if (!first)
                putchar('\n');
            table_msg(o, &s);
        }
    }
    free_snapshot(&s);
    return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
