/* Map a segment into a caller's buffer (attach-into), write through the
 * buffer, read back through a plain attach, detach both. */
#include <svipc/svipc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    /* The segment goes to the first SHMLBA boundary in the buffer (a page on
     * x86-64 and arm64, 4 pages on 32-bit ARM): room for that. */
    uint64_t size = 2 * svipc_page_size(), room = size + svipc_shm_attach_alignment() - 1;
    char *buffer = malloc(room);
    svipc_shm *shm = NULL;
    void *into = NULL, *view = NULL;
    int rc = svipc_shm_open(SVIPC_KEY_PRIVATE, size, SVIPC_CREATE, SVIPC_MODE_DEFAULT, &shm);
    if (rc == 0)
        rc = svipc_shm_attach_into(shm, buffer, room, 0, &into);
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
