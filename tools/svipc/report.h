/* svipc(1)'s message for a failed library call. */
#ifndef SVIPC_TOOL_REPORT_H
#define SVIPC_TOOL_REPORT_H

/* "svipc: WHAT: <svipc_strerror(rc)> (<svipc_last_error_message()>)" on
 * stderr: our words, then the library's detail. */
void report_failure(const char *what, int rc);

#endif
