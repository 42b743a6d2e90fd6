#include "harness.h"

#include "ipcns.h"

#include <stdio.h>

/* The suite harness_run is building; harness_add_case adds to it. */
static Suite *declaring;

/* The suite's own fixtures, for every case declared from now on. */
static struct {
    SFun setup, teardown;
} checked, unchecked;

void harness_checked_fixture(SFun setup, SFun teardown)
{
    checked.setup = setup;
    checked.teardown = teardown;
}

void harness_unchecked_fixture(SFun setup, SFun teardown)
{
    unchecked.setup = setup;
    unchecked.teardown = teardown;
}

TCase *harness_add_case(const char *name, int timeout_s, const TTest *const tests[])
{
    TCase *tc = tcase_create(name);
    /* Check runs teardowns in reverse order of adding: the sweep, added
     * first, runs after the suite's own unchecked teardown. */
    tcase_add_unchecked_fixture(tc, NULL, ipcns_sweep);
    if (unchecked.setup || unchecked.teardown)
        tcase_add_unchecked_fixture(tc, unchecked.setup, unchecked.teardown);
    if (checked.setup || checked.teardown)
        tcase_add_checked_fixture(tc, checked.setup, checked.teardown);
    if (timeout_s > 0)
        tcase_set_timeout(tc, timeout_s);
    for (size_t i = 0; tests[i]; i++)
        tcase_add_test(tc, tests[i]);
    suite_add_tcase(declaring, tc);
    return tc;
}

int harness_run(const char *name, void (*declare)(void))
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    declaring = suite_create(name);
    declare();
    return ipcns_run_suite(declaring);
}
