// svipc::SemLock (include/svipc/sem_lock.hpp): the C++ RAII guard over the
// semaphore mutex helper, used as a C++ program would.
#include <svipc/sem_lock.hpp>
#include <svipc/svipc.h>

extern "C" {
#include "harness.h"
#include "proc_util.h"
}

#include <check.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace {

svipc_sem *create_mutex()
{
    const uint16_t one = 1;
    svipc_sem *sem = nullptr;
    ck_assert_int_eq(svipc_sem_open(SVIPC_KEY_PRIVATE, 1, SVIPC_CREATE, 0, &one, 0, &sem), 0);
    return sem;
}

void remove_and_close(svipc_sem *sem)
{
    ck_assert_int_eq(svipc_sem_remove(sem), 0);
    svipc_sem_close(sem);
}

} // namespace

START_TEST(guard_locks_for_its_scope)
{
    svipc_sem *sem = create_mutex();
    {
        svipc::SemLock held(sem);
        ck_assert(held.owns_lock());
        ck_assert_int_eq(svipc_sem_value(sem, 0), 0);
    }
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1);
    remove_and_close(sem);
}
END_TEST

START_TEST(try_and_timed_guards_report_busy_without_throwing)
{
    svipc_sem *sem = create_mutex();
    svipc::SemLock held(sem);
    svipc::SemLock tried(sem, 0, std::try_to_lock);
    ck_assert(!tried.owns_lock());
    const auto start = std::chrono::steady_clock::now();
    svipc::SemLock timed(sem, 0, std::chrono::milliseconds(50));
    ck_assert(!timed);
    ck_assert(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
    held.unlock();
    svipc::SemLock now(sem, 0, std::try_to_lock);
    ck_assert(now.owns_lock());
    svipc::SemLock moved(std::move(now));
    ck_assert(moved.owns_lock() && !now.owns_lock());
    moved.unlock();
    ck_assert_int_eq(svipc_sem_value(sem, 0), 1);
    remove_and_close(sem);
}
END_TEST

START_TEST(errors_throw_system_error_with_errno_and_message)
{
    svipc_sem *sem = create_mutex();
    bool thrown = false;
    try {
        svipc::SemLock bad(sem, 5);
    } catch (const std::system_error &e) {
        thrown = e.code().value() == EINVAL && std::strstr(e.what(), "index 5 is out of range") != nullptr;
    }
    ck_assert(thrown);
    {
        svipc::SemLock held(sem);
        ck_assert_int_eq(svipc_sem_remove(sem), 0);
        thrown = false;
        try {
            held.unlock(); // the set is gone
        } catch (const std::system_error &e) {
            thrown = e.code().value() == EIDRM;
        }
        ck_assert(thrown);
    }
    svipc_sem_close(sem);
}
END_TEST

namespace {
int die_inside_guard(void *arg)
{
    svipc_sem *sem = nullptr;
    if (svipc_sem_open_id(*static_cast<int *>(arg), 0, &sem) != 0)
        return 1;
    svipc::SemLock held(sem);
    raise(SIGKILL); // never leaves the scope: only the kernel's undo can release it
    return 2;
}
} // namespace

START_TEST(process_killed_inside_guard_releases_the_lock)
{
    svipc_sem *sem = create_mutex();
    int id = svipc_sem_id(sem);
    ck_assert_int_eq(proc_wait(proc_spawn(die_inside_guard, &id), 20000), 128 + SIGKILL);
    svipc::SemLock after(sem, 0, std::chrono::seconds(1));
    ck_assert(after.owns_lock());
    after.unlock();
    remove_and_close(sem);
}
END_TEST

HARNESS_SUITE("sem_lock")
{
    // HARNESS_CASE's array literal is C only: the list is spelled out here.
    static const TTest *const raii[] = {guard_locks_for_its_scope, try_and_timed_guards_report_busy_without_throwing,
                                        errors_throw_system_error_with_errno_and_message,
                                        process_killed_inside_guard_releases_the_lock, nullptr};
    harness_add_case("raii", 0, raii);
}
