/* svipc bridge — stand-in when svipc was built without libzmq. */
#include "bridge.h"

#include <stdio.h>

int bridge_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "svipc bridge: this svipc was built without ZeroMQ (install libzmq3-dev and rebuild)\n");
    return 1;
}
