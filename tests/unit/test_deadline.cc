// A timed wait's budget (lib/common/deadline.hpp): a timeout in nanoseconds
// becomes a deadline that saturates instead of overflowing, never gives back
// more time than was asked, and turns into a valid timespec on every edge.
// Only the arithmetic: the clock it reads is the kernel's.
#include "common/deadline.hpp"

#include "unit_test.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>
#include <string>

using svipc::Deadline;
using svipc::timespec_from_ns;

namespace {

constexpr int64_t second = 1000000000;
constexpr int64_t forever = -1; // SVIPC_WAIT_FOREVER

void assert_timespec(const struct timespec &ts, int64_t seconds, long nanoseconds)
{
    ck_assert_int_eq(ts.tv_sec, seconds);
    ck_assert_int_eq(ts.tv_nsec, nanoseconds);
}

void assert_described(int64_t timeout_ns, const char *text)
{
    const std::string described = svipc::describe_timeout(timeout_ns);
    ck_assert_str_eq(described.c_str(), text);
}

} // namespace

START_TEST(timespec_splits_seconds_and_nanoseconds)
{
    assert_timespec(timespec_from_ns(0), 0, 0);
    assert_timespec(timespec_from_ns(1), 0, 1);
    assert_timespec(timespec_from_ns(second - 1), 0, 999999999);
    assert_timespec(timespec_from_ns(second), 1, 0);
    assert_timespec(timespec_from_ns(second + 1), 1, 1);
    assert_timespec(timespec_from_ns(3 * second / 2), 1, 500000000);
}
END_TEST

START_TEST(timespec_of_the_largest_ns_is_valid)
{
    const struct timespec ts = timespec_from_ns(std::numeric_limits<int64_t>::max());
    ck_assert_int_eq(ts.tv_nsec, 854775807);
    if (sizeof(time_t) == 8)
        ck_assert_int_eq(ts.tv_sec, 9223372036);
    else // 32-bit time_t (armhf): saturated, not wrapped to a negative time
        ck_assert_int_eq(ts.tv_sec, std::numeric_limits<time_t>::max());
    ck_assert_int_gt(ts.tv_sec, 0);
}
END_TEST

START_TEST(timespec_saturates_beyond_time_t)
{
    // The first second a 32-bit time_t cannot hold.
    const int64_t beyond_32_bits = (int64_t{1} << 31) * second + 5;
    const struct timespec ts = timespec_from_ns(beyond_32_bits);
    if (sizeof(time_t) == 8)
        ck_assert_int_eq(ts.tv_sec, int64_t{1} << 31);
    else
        ck_assert_int_eq(ts.tv_sec, std::numeric_limits<time_t>::max());
    ck_assert_int_eq(ts.tv_nsec, 5);
}
END_TEST

START_TEST(forever_never_runs_out)
{
    const Deadline deadline(forever);
    ck_assert(deadline.forever());
    ck_assert(!deadline.immediate());
    ck_assert(!deadline.expired());
    ck_assert_int_eq(deadline.timeout_ns(), forever);
    ck_assert_int_eq(deadline.remaining_ns(), std::numeric_limits<int64_t>::max());
    const struct timespec ts = deadline.remaining_timespec();
    ck_assert_int_gt(ts.tv_sec, 0);
    ck_assert_int_lt(ts.tv_nsec, second);
}
END_TEST

START_TEST(zero_tries_once_and_is_expired_from_the_start)
{
    const Deadline deadline(0);
    ck_assert(deadline.immediate());
    ck_assert(!deadline.forever());
    ck_assert(deadline.expired());
    ck_assert_int_eq(deadline.remaining_ns(), 0);
    assert_timespec(deadline.remaining_timespec(), 0, 0);
    ck_assert(deadline.sleep_at_most(second)); // nothing left to sleep: returns at once
}
END_TEST

START_TEST(below_forever_is_refused)
{
    for (int64_t bad : {int64_t{-2}, int64_t{-1000000000}, std::numeric_limits<int64_t>::min()}) {
        const Refusal refusal = refusal_of([bad] { Deadline deadline(bad); });
        ck_assert_int_eq(refusal.code, EINVAL);
        ck_assert(refusal.message.find("timeout_ns " + std::to_string(bad)) != std::string::npos);
    }
}
END_TEST

START_TEST(remaining_never_exceeds_the_timeout_and_never_grows)
{
    const Deadline deadline(10 * second);
    ck_assert(!deadline.forever() && !deadline.immediate() && !deadline.expired());
    ck_assert_int_eq(deadline.timeout_ns(), 10 * second);
    const int64_t first = deadline.remaining_ns();
    const int64_t later = deadline.remaining_ns();
    ck_assert_int_gt(first, 0);
    ck_assert_int_le(first, 10 * second);
    ck_assert_int_le(later, first);
    const struct timespec ts = deadline.remaining_timespec();
    ck_assert_int_le(ts.tv_sec, 10);
    ck_assert_int_ge(ts.tv_nsec, 0);
    ck_assert_int_lt(ts.tv_nsec, second);
}
END_TEST

START_TEST(largest_timeout_saturates_instead_of_wrapping)
{
    // now + INT64_MAX overflows: the deadline must stay in the far future,
    // not wrap into the past (which would make it expired at once).
    // Saturated, it is the last representable instant of CLOCK_MONOTONIC
    // (steady_clock here), so what is left is at most INT64_MAX - now; a
    // wrapped sum would (with wrapping arithmetic) report nearly INT64_MAX.
    const Deadline deadline(std::numeric_limits<int64_t>::max());
    ck_assert(!deadline.forever());
    ck_assert(!deadline.expired());
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const int64_t remaining = deadline.remaining_ns();
    ck_assert_int_gt(remaining, std::numeric_limits<int64_t>::max() / 2);
    ck_assert_int_le(remaining, std::numeric_limits<int64_t>::max() - now_ns);
    const struct timespec ts = deadline.remaining_timespec();
    ck_assert_int_gt(ts.tv_sec, 0);
    ck_assert_int_lt(ts.tv_nsec, second);
}
END_TEST

START_TEST(sleep_stops_at_the_deadline)
{
    const Deadline deadline(20 * 1000000); // 20 ms
    const auto start = std::chrono::steady_clock::now();
    ck_assert(deadline.sleep_at_most(30 * second));
    const auto slept = std::chrono::steady_clock::now() - start;
    ck_assert(slept < std::chrono::seconds(10)); // the 20 ms left, not the 30 s asked
    ck_assert(deadline.expired());
    ck_assert_int_eq(deadline.remaining_ns(), 0);
    assert_timespec(deadline.remaining_timespec(), 0, 0);
}
END_TEST

START_TEST(short_sleep_leaves_the_rest)
{
    const Deadline deadline(60 * second);
    ck_assert(deadline.sleep_at_most(1000000)); // 1 ms
    ck_assert(!deadline.expired());
    ck_assert_int_le(deadline.remaining_ns(), 60 * second - 1000000);
}
END_TEST

START_TEST(timeouts_are_described_in_a_readable_unit)
{
    assert_described(0, "after 0 ns");
    assert_described(999999, "after 999999 ns");
    assert_described(1000000, "after 1 ms");
    assert_described(250000000, "after 250 ms");
    assert_described(second, "after 1 s");
    assert_described(3 * second / 2, "after 1.5 s");
    assert_described(std::numeric_limits<int64_t>::max(), "after 9.223e+09 s");
}
END_TEST

const UnitSuite unit_suite = {"deadline", {
    {"timespec", timespec_splits_seconds_and_nanoseconds},
    {"timespec", timespec_of_the_largest_ns_is_valid},
    {"timespec", timespec_saturates_beyond_time_t},
    {"deadline", forever_never_runs_out},
    {"deadline", zero_tries_once_and_is_expired_from_the_start},
    {"deadline", below_forever_is_refused},
    {"deadline", remaining_never_exceeds_the_timeout_and_never_grows},
    {"deadline", largest_timeout_saturates_instead_of_wrapping},
    {"deadline", sleep_stops_at_the_deadline},
    {"deadline", short_sleep_leaves_the_rest},
    {"deadline", timeouts_are_described_in_a_readable_unit},
}};
