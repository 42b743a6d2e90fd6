/* The same name gives the same key in every process and language. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    int32_t by_name = 0, by_path = 0;
    if (svipc_key_from_name("camera", &by_name) < 0 || svipc_key_from_path("/", 'A', &by_path) < 0) {
        fprintf(stderr, "%s\n", svipc_last_error_message());
        return 1;
    }
    printf("\"camera\" -> 0x%08x, / and 'A' -> 0x%08x\n", (unsigned)by_name, (unsigned)by_path);
    return 0;
}
