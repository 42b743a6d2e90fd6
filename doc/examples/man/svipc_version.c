/* Detect a library older or newer than the headers the program was built with. */
#include <svipc/svipc.h>
#include <stdio.h>

int main(void)
{
    printf("headers %s, library %s\n", SVIPC_VERSION_STRING, svipc_version_string());
    if (svipc_version() / 100 != SVIPC_VERSION_NUMBER / 100) {
        fprintf(stderr, "library and headers differ in major or minor version\n");
        return 1;
    }
    return 0;
}
