// What every unit test of tests/unit/ shares: each file declares its tests
// in `unit_suite` and links unit_main.cc, which hands them to the suite
// harness (tests/harness.h) to register and run. The
// tests reach the core's internals (namespace svipc) through the static
// archive svipc_objects (capi/meson.build), so nothing is added to
// libsvipc.so's export list for them. They create no System V object.
#pragma once

#include "common/error.hpp"

#include <check.h>
#include <string>
#include <vector>

// One test (a START_TEST name) and the test case it belongs to; consecutive
// tests of one case share a TCase.
struct UnitTest {
    const char *test_case;
    const TTest *test;
};

struct UnitSuite {
    const char *name;
    std::vector<UnitTest> tests;
};

// Defined by each test file.
extern const UnitSuite unit_suite;

// The errno a call fails with through svipc::Error (0: it did not fail), and
// the message it gave, for the assertions on refusals.
struct Refusal {
    int code;
    std::string message;
};

template <typename Call>
Refusal refusal_of(Call &&call)
{
    try {
        call();
    } catch (const svipc::Error &error) {
        return {error.code(), error.what()};
    }
    return {0, {}};
}
