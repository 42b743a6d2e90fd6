// Keys from names and paths (lib/common/key.cpp). The name hash is part of
// the ABI (doc/keys.md): every process and language must derive the same key,
// so it is checked against the documented values and against the documented
// algorithm written out independently here, byte for byte, high bytes
// included. Names that an ftok-on-a-mangled-path scheme would confuse
// ('/' turned into '_', as the seed library did) must get different keys.
#include "common/key.hpp"

#include "unit_test.hpp"

#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

using svipc::key_from_name;
using svipc::key_from_path;

namespace {

// doc/keys.md, "The name derivation", as written there.
int32_t documented_key(std::string_view name)
{
    const std::string bytes = "svipc:" + std::string(name);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < bytes.size(); i++)
        h = (h ^ static_cast<uint8_t>(bytes[i])) * 16777619u;
    const uint32_t key = h & 0x7fffffffu;
    return key == 0 ? 1 : static_cast<int32_t>(key);
}

} // namespace

START_TEST(reference_values_from_the_documentation)
{
    ck_assert_int_eq(key_from_name("camera/front"), 0x4971c537);
    ck_assert_int_eq(key_from_name("a"), 0x460ff103);
}
END_TEST

START_TEST(names_follow_the_documented_algorithm)
{
    const std::string_view names[] = {
        "x", "camera/front", "camera_front", "/dev/shm/like", "a much longer name with spaces and 0123456789",
        "caf\xc3\xa9",              // UTF-8: bytes above 0x7f are hashed unsigned
        "\xff\x80\x7f",             // raw high bytes
        std::string_view("a\0b", 3) // an embedded NUL is a byte like any other
    };
    for (std::string_view name : names)
        ck_assert_int_eq(key_from_name(name), documented_key(name));
}
END_TEST

START_TEST(keys_are_positive_and_the_same_every_time)
{
    for (const char *name : {"a", "b", "sensor/7", "\xff"}) {
        const int32_t key = key_from_name(name);
        ck_assert_int_gt(key, 0);
        ck_assert_int_eq(key_from_name(name), key);
    }
}
END_TEST

START_TEST(slash_and_underscore_give_different_keys)
{
    ck_assert_int_ne(key_from_name("camera/front"), key_from_name("camera_front"));
    ck_assert_int_ne(key_from_name("a/b"), key_from_name("a_b"));
    ck_assert_int_ne(key_from_name("/x"), key_from_name("_x"));
    ck_assert_int_ne(key_from_name("x/"), key_from_name("x_"));
    ck_assert_int_ne(key_from_name("a/b_c"), key_from_name("a_b/c"));
}
END_TEST

START_TEST(name_that_hashes_to_zero_gets_key_one_not_ipc_private)
{
    // "svipc:b6h1qo3" has FNV-1a 0x00000000 (found by search); 0 would be
    // IPC_PRIVATE, a new object at every open.
    ck_assert_int_eq(documented_key("b6h1qo3"), 1);
    ck_assert_int_eq(key_from_name("b6h1qo3"), 1);
}
END_TEST

START_TEST(empty_name_is_refused)
{
    const Refusal refusal = refusal_of([] { key_from_name(""); });
    ck_assert_int_eq(refusal.code, EINVAL);
    ck_assert_str_eq(refusal.message.c_str(), "name is empty");
}
END_TEST

START_TEST(bad_paths_and_project_ids_are_refused)
{
    ck_assert_int_eq(refusal_of([] { key_from_path(nullptr, 1); }).code, EINVAL);
    ck_assert_int_eq(refusal_of([] { key_from_path("", 1); }).code, EINVAL);
    ck_assert_int_eq(refusal_of([] { key_from_path("/", 0); }).code, EINVAL);
    ck_assert_int_eq(refusal_of([] { key_from_path("/", 256); }).code, EINVAL);
    ck_assert_int_eq(refusal_of([] { key_from_path("/", -1); }).code, EINVAL);
    const Refusal missing = refusal_of([] { key_from_path("/nonexistent/svipc-unit-test", 1); });
    ck_assert_int_eq(missing.code, ENOENT);
    ck_assert(missing.message.find("/nonexistent/svipc-unit-test") != std::string::npos);
}
END_TEST

START_TEST(path_keys_depend_on_the_project_id)
{
    const int32_t one = key_from_path("/", 1);
    ck_assert_int_ne(one, 0);
    ck_assert_int_eq(key_from_path("/", 1), one);
    ck_assert_int_ne(key_from_path("/", 255), one);
}
END_TEST

const UnitSuite unit_suite = {"key", {
    {"name", reference_values_from_the_documentation},
    {"name", names_follow_the_documented_algorithm},
    {"name", keys_are_positive_and_the_same_every_time},
    {"name", slash_and_underscore_give_different_keys},
    {"name", name_that_hashes_to_zero_gets_key_one_not_ipc_private},
    {"name", empty_name_is_refused},
    {"path", bad_paths_and_project_ids_are_refused},
    {"path", path_keys_depend_on_the_project_id},
}};
