/* svipc(1)'s message for a failed library call; see report.h. */
#include "report.h"

#include "args.h"

#include <svipc/svipc.h>

#include <stdio.h>

/* Report a failed library call: our words, then the library's detail. */
void report_failure(const char *what, int rc)
{
    const char *detail = svipc_last_error_message();
    fprintf(stderr, "%s: %s: %s", program, what, svipc_strerror(rc));
    if (detail[0])
        fprintf(stderr, " (%s)", detail);
    fputc('\n', stderr);
}
