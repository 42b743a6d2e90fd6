/* Test harness: every suite runs in its own IPC namespace and proves it left
 * no System V object behind. */
#ifndef SVIPC_TESTS_IPCNS_H
#define SVIPC_TESTS_IPCNS_H

#include <check.h>

/* Move this process into a fresh IPC namespace (CLONE_NEWIPC as root, else a
 * user namespace mapping us to root first). Returns 0, or -errno. */
int ipcns_enter_private(void);

/* Count objects in /proc/sysvipc/{shm,sem,msg}, printing each to stderr. */
int ipcns_count_objects(void);

/* Unchecked teardown for every TCase: removes whatever System V object is
 * still in this private namespace after the test case (so a failing test
 * cannot leak), and records it as a leak that fails the suite. */
void ipcns_sweep(void);

/* The main() of every Check suite: enter a private namespace (refusing to run
 * in the shared one), run the suite, then fail if anything is left in
 * /proc/sysvipc. Returns the process exit status. */
int ipcns_run_suite(Suite *suite);

#endif
