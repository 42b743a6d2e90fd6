// The main() of every unit test (tests/unit/unit_test.hpp): runs the file's
// suite and exits non-zero if any test failed.
#include "unit_test.hpp"

#include <cstdlib>

int main()
{
    SRunner *runner = srunner_create(unit_suite());
    srunner_run_all(runner, CK_NORMAL);
    const int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
