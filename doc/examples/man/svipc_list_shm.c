/* ipcs -m: list every segment, growing the array if more appeared meanwhile. */
#include <svipc/svipc.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    svipc_shm_info *list = NULL;
    int n = svipc_list_shm(NULL, 0, 0), capacity = 0;
    while (n > capacity) {
        capacity = n + 8;
        free(list);
        list = calloc((size_t)capacity, sizeof *list);
        n = list ? svipc_list_shm(list, (uint32_t)capacity, 0) : -1;
    }
    if (n < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        free(list);
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%10d 0x%08x %6o %12llu\n", list[i].id, (unsigned)list[i].key, (unsigned)list[i].mode,
               (unsigned long long)list[i].size);
    svipc_ipc_limits limits;
    if (svipc_limits(&limits) == 0)
        printf("%d segment(s); at most %llu, each at most %llu bytes\n", n,
               (unsigned long long)limits.shmmni, (unsigned long long)limits.shmmax);
    free(list);
    return 0;
}
