// The main() of every unit test (tests/unit/unit_test.hpp): registers the
// file's tests, runs them and exits non-zero if any failed.
#include "unit_test.hpp"

#include <cstdlib>
#include <cstring>

int main()
{
    Suite *suite = suite_create(unit_suite.name);
    TCase *test_case = nullptr;
    const char *case_name = nullptr;
    for (const UnitTest &test : unit_suite.tests) {
        if (case_name == nullptr || std::strcmp(case_name, test.test_case) != 0) {
            case_name = test.test_case;
            test_case = tcase_create(case_name);
            suite_add_tcase(suite, test_case);
        }
        tcase_add_test(test_case, test.test);
    }
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    const int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
