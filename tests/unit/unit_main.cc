// The main() of every unit test (tests/unit/unit_test.hpp): hands the file's
// tests to the suite harness (tests/harness.h), which registers them (one
// TCase per run of consecutive tests with the same case name), runs them and
// exits non-zero if any failed. The harness also runs them in a private IPC
// namespace and checks it ends empty: they create no object, so that check
// only proves they do not.
// unit_test.hpp first: its core headers must come before check.h's macros.
#include "unit_test.hpp"
#include "harness.h"

#include <cstring>
#include <vector>

HARNESS_SUITE(unit_suite.name)
{
    std::vector<const TTest *> tests;
    const char *case_name = nullptr;
    auto add_case = [&] {
        if (tests.empty())
            return;
        tests.push_back(nullptr);
        harness_add_case(case_name, 0, tests.data());
        tests.clear();
    };
    for (const UnitTest &test : unit_suite.tests) {
        if (case_name != nullptr && std::strcmp(case_name, test.test_case) != 0)
            add_case();
        case_name = test.test_case;
        tests.push_back(test.test);
    }
    add_case();
}
