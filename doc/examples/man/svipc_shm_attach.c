/* Map a segment into a caller's buffer (attach-into), write through the
 * buffer, read back through a plain attach, detach both. */
#include <svipc/svipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    uint64_t page = svipc_page_size(), size = 2 * page;
    char *buffer = malloc(size + page - 1);   /* room for alignment */
    svipc_shm *shm = NULL;
    void *into = NULL, *view = NULL;
    int rc = svipc_shm_open(SVIPC_KEY_PRIVATE, size, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &shm);
    if (rc == 0)
        rc = svipc_shm_attach_into(shm, buffer, size + page - 1, 0, &into);
    if (rc == 0)
        rc = svipc_shm_attach(shm, NULL, SVIPC_RDONLY, &view);
    if (rc < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        svipc_shm_close(shm);
        free(buffer);
        return 1;
    }
    strcpy(into, "hello");                    /* the buffer *is* the segment */
    printf("%s\n", (const char *)view);
    svipc_shm_detach(shm, view);
    svipc_shm_detach(shm, into);              /* buffer keeps a private copy */
    svipc_shm_remove(shm);
    svipc_shm_close(shm);
    free(buffer);                             /* freed normally after detach */
    return 0;
}
