/* The Check harness every suite is written on (libinput's litest and
 * HarfBuzz's hb_test_add are the models). A suite file declares its test
 * cases; registration, main(), the private IPC namespace and the leak check
 * live here once:
 *
 *     HARNESS_SUITE("admin")
 *     {
 *         HARNESS_CASE("list", 60, list_shm_reports_what_ipc_stat_reports, ...);
 *         HARNESS_CASE("limits", 60, limits_match_proc_sys_kernel, ...);
 *     }
 *
 * Every case gets ipcns_sweep as its unchecked teardown, so a failing test
 * cannot leak an object into the next one; the suite runs in a private IPC
 * namespace and fails if anything is left in /proc/sysvipc (ipcns.h). */
#ifndef SVIPC_TESTS_HARNESS_H
#define SVIPC_TESTS_HARNESS_H

#include <check.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How late a timed wait may end (never early): generous, so it holds on a
 * loaded 2-core machine and under valgrind. 1.5 s, in nanoseconds. */
#define LATE_SLACK_NS 1500000000LL

/* Adds a test case named `name` to the suite being declared, holding the
 * NULL-terminated `tests` in order. timeout_s > 0 sets its Check timeout;
 * 0 leaves Check's default ($CK_DEFAULT_TIMEOUT). Returns the TCase. */
TCase *harness_add_case(const char *name, int timeout_s, const TTest *const tests[]);

/* Fixtures for every case declared after the call (Check's checked and
 * unchecked fixtures); NULL for either function leaves it out. A suite's
 * unchecked teardown runs before ipcns_sweep. */
void harness_checked_fixture(SFun setup, SFun teardown);
void harness_unchecked_fixture(SFun setup, SFun teardown);

/* The usual way to call it from C: the tests as arguments. */
#define HARNESS_CASE(name, timeout_s, ...) \
    harness_add_case((name), (timeout_s), (const TTest *const[]){__VA_ARGS__, NULL})

/* The body of main(): builds the suite `name` by calling `declare` (which
 * adds its cases), then runs it with ipcns_run_suite. stdout is line
 * buffered, so what a test prints is not duplicated into forked children.
 * Returns the process exit status. */
int harness_run(const char *name, void (*declare)(void));

/* Defines main() and opens the function that declares the suite's cases. */
#define HARNESS_SUITE(name)                                   \
    static void harness_declare_cases(void);                  \
    int main(void)                                            \
    {                                                         \
        return harness_run((name), harness_declare_cases);    \
    }                                                         \
    static void harness_declare_cases(void)

/* Fails the test unless min_ns <= elapsed_ns < max_ns: a timed call ended no
 * earlier than it must and not later than allowed. A macro, so a failure
 * names the test's own line. */
#define assert_elapsed_between(elapsed_ns, min_ns, max_ns)                                                     \
    do {                                                                                                       \
        const long long harness_elapsed_ = (elapsed_ns);                                                       \
        const long long harness_min_ = (min_ns);                                                               \
        const long long harness_max_ = (max_ns);                                                               \
        ck_assert_msg(harness_elapsed_ >= harness_min_, "took %lld ns, less than %lld", harness_elapsed_,       \
                      harness_min_);                                                                           \
        ck_assert_msg(harness_elapsed_ < harness_max_, "took %lld ns, not less than %lld", harness_elapsed_,   \
                      harness_max_);                                                                           \
    } while (0)

#ifdef __cplusplus
}
#endif

#endif
