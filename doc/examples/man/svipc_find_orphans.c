/* svipc clean --orphans --dry-run: report objects nobody uses, idle 1 min or more. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    svipc_orphan orphans[64];
    int n = svipc_find_orphans(orphans, 64, 60 * 1000000000LL, 0);
    if (n < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        return 1;
    }
    for (int i = 0; i < n && i < 64; i++)
        printf("%s %d%s, idle %lld s\n",
               orphans[i].kind == SVIPC_KIND_SHM ? "shm" : orphans[i].kind == SVIPC_KIND_SEM ? "sem" : "msg",
               orphans[i].id, orphans[i].flags & SVIPC_ORPHAN_CHANNEL ? " (channel)" : "",
               (long long)(orphans[i].idle_ns / 1000000000));
    printf("%d orphan(s)\n", n);
    return 0;
}
