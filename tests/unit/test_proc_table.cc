// The /proc/sysvipc/{shm,sem,msg} parser (lib/admin/proc_table.cpp): the
// kernel's real header lines and rows (printed here with the kernel's own
// format strings, ipc/shm.c, ipc/sem.c, ipc/msg.c, for 64- and 32-bit
// kernels), columns found by name, and every malformed table refused with
// EIO naming the table. tests/fuzz/fuzz_proc_table.cpp feeds it arbitrary
// bytes; this pins down what the well-formed and the nearly-well-formed
// tables give.
#include "admin/proc_table.hpp"

#include "unit_test.hpp"

#include <svipc/shm.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

using namespace svipc::admin;

namespace {

constexpr int64_t second = 1000000000;

const char shm_header_64[] = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid"
                             "      atime      dtime      ctime                   rss                  swap\n";
const char shm_header_32[] = "       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid"
                             "      atime      dtime      ctime        rss       swap\n";
const char sem_header[] = "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n";
const char msg_header[] = "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
                          "      stime      rtime      ctime\n";

// One shm row as the kernel prints it: its size columns (SIZE_SPEC) are
// "%21lu" on 64-bit, "%10lu" on 32-bit kernels (here as long long, the same
// text whatever this host's long is).
std::string shm_row(bool wide, int key, int id, unsigned perms, unsigned long long size, unsigned long long ctime)
{
    const std::string spec = wide ? "%21llu" : "%10llu";
    const std::string format = "%10d %10d  %4o " + spec + " %5u %5u  %5llu %5u %5u %5u %5u %10llu %10llu %10llu " +
                               spec + " " + spec + "\n";
    char row[256];
    std::snprintf(row, sizeof row, format.c_str(), key, id, perms, size, 4242u, 4243u, 2ull, 1000u, 1001u, 1002u, 1003u,
                  1700000001ull, 1700000002ull, ctime, 8192ull, 0ull);
    return row;
}

std::vector<svipc_shm_info> shm(const std::string &text)
{
    std::istringstream in(text);
    return parse_proc_shm(in, "test/shm");
}

std::vector<svipc_sem_info> sem(const std::string &text)
{
    std::istringstream in(text);
    return parse_proc_sem(in, "test/sem");
}

std::vector<svipc_msg_info> msg(const std::string &text)
{
    std::istringstream in(text);
    return parse_proc_msg(in, "test/msg");
}

// The table is refused with EIO and a message that names it and `detail`.
void assert_shm_refused(const std::string &text, const std::string &detail)
{
    const Refusal refusal = refusal_of([&] { shm(text); });
    ck_assert_int_eq(refusal.code, EIO);
    ck_assert_msg(refusal.message.find("test/shm") != std::string::npos, "message: %s", refusal.message.c_str());
    ck_assert_msg(refusal.message.find(detail) != std::string::npos, "message: %s", refusal.message.c_str());
}

// The columns every table has; every row here is owned by uid 1000, gid
// 1001, created by uid 1002, gid 1003.
template <typename Info>
void assert_ownership(const Info &info, int key, int id, uint32_t mode)
{
    ck_assert_int_eq(info.key, key);
    ck_assert_int_eq(info.id, id);
    ck_assert_uint_eq(info.mode, mode);
    ck_assert_uint_eq(info.uid, 1000);
    ck_assert_uint_eq(info.gid, 1001);
    ck_assert_uint_eq(info.cuid, 1002);
    ck_assert_uint_eq(info.cgid, 1003);
}

void assert_shm_row(const svipc_shm_info &info, int key, int id, uint32_t mode, uint32_t flags, uint64_t size,
                    int64_t ctime_ns)
{
    assert_ownership(info, key, id, mode);
    ck_assert_uint_eq(info.flags, flags);
    ck_assert_uint_eq(info.size, size);
    ck_assert_int_eq(info.cpid, 4242);
    ck_assert_int_eq(info.lpid, 4243);
    ck_assert_uint_eq(info.nattch, 2);
    ck_assert_int_eq(info.atime_ns, 1700000001 * second);
    ck_assert_int_eq(info.dtime_ns, 1700000002 * second);
    ck_assert_int_eq(info.ctime_ns, ctime_ns);
}

} // namespace

START_TEST(shm_table_of_a_64_bit_kernel)
{
    const auto rows = shm(std::string(shm_header_64) + shm_row(true, -281843176, 0, 0644, 4096, 1795981656) +
                          shm_row(true, 2109594955, 32769, 01600, UINT64_C(4398046511104), 0));
    ck_assert_uint_eq(rows.size(), 2);
    assert_shm_row(rows[0], -281843176, 0, 0644, 0, 4096, 1795981656 * second);
    // 01000 is SHM_DEST: removed, destroyed at the last detach; not a permission bit.
    assert_shm_row(rows[1], 2109594955, 32769, 0600, SVIPC_SHM_INFO_REMOVED, UINT64_C(4398046511104), 0);
}
END_TEST

START_TEST(shm_table_of_a_32_bit_kernel)
{
    // Narrower size columns and header: found by name all the same.
    const auto rows = shm(std::string(shm_header_32) + shm_row(false, 0, 5, 03666, 4294967295ull, 1));
    ck_assert_uint_eq(rows.size(), 1);
    assert_shm_row(rows[0], 0, 5, 0666, SVIPC_SHM_INFO_REMOVED | SVIPC_SHM_INFO_LOCKED, 4294967295u, second);
}
END_TEST

START_TEST(header_only_and_blank_lines_give_no_rows)
{
    ck_assert_uint_eq(shm(shm_header_64).size(), 0);
    ck_assert_uint_eq(sem(std::string(sem_header) + "\n   \n").size(), 0);
    const auto rows = shm(std::string(shm_header_64) + "\n" + shm_row(true, 1, 2, 0600, 64, 3) + "\n\n");
    ck_assert_uint_eq(rows.size(), 1);
}
END_TEST

START_TEST(sem_table)
{
    const auto rows = sem(std::string(sem_header) +
                          "      1234          7   600          3  1000  1001  1002  1003 1700000001 1700000002\n"
                          "        -1          8  1666        250  1000  1001  1002  1003          0 1700000003\n");
    ck_assert_uint_eq(rows.size(), 2);
    assert_ownership(rows[0], 1234, 7, 0600);
    ck_assert_uint_eq(rows[0].nsems, 3);
    ck_assert_int_eq(rows[0].otime_ns, 1700000001 * second);
    ck_assert_int_eq(rows[0].ctime_ns, 1700000002 * second);
    assert_ownership(rows[1], -1, 8, 0666);
    ck_assert_uint_eq(rows[1].nsems, 250);
    ck_assert_int_eq(rows[1].otime_ns, 0);
}
END_TEST

START_TEST(msg_table_leaves_the_capacity_to_the_caller)
{
    const auto rows = msg(std::string(msg_header) +
                          "         0      65536   640        8192         16  4001  4002  1000  1001  1002  1003"
                          " 1700000001 1700000002 1700000003\n");
    ck_assert_uint_eq(rows.size(), 1);
    assert_ownership(rows[0], 0, 65536, 0640);
    ck_assert_uint_eq(rows[0].bytes, 8192);
    ck_assert_uint_eq(rows[0].messages, 16);
    ck_assert_int_eq(rows[0].lspid, 4001);
    ck_assert_int_eq(rows[0].lrpid, 4002);
    ck_assert_int_eq(rows[0].stime_ns, 1700000001 * second);
    ck_assert_int_eq(rows[0].rtime_ns, 1700000002 * second);
    ck_assert_int_eq(rows[0].ctime_ns, 1700000003 * second);
    ck_assert_uint_eq(rows[0].qbytes, 0);
}
END_TEST

START_TEST(extra_columns_of_newer_kernels_are_ignored)
{
    const auto rows = sem("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime   future\n"
                          "        10         11   600          1     0     0     0     0          0          5   999999\n");
    ck_assert_uint_eq(rows.size(), 1);
    ck_assert_int_eq(rows[0].id, 11);
    ck_assert_int_eq(rows[0].ctime_ns, 5 * second);
}
END_TEST

START_TEST(columns_are_found_by_name_not_position)
{
    const auto rows = sem("ctime otime cgid cuid gid uid nsems perms semid key\n"
                          "    5     4    3    2   1   0     9   600    11  10\n");
    ck_assert_uint_eq(rows.size(), 1);
    ck_assert_int_eq(rows[0].key, 10);
    ck_assert_int_eq(rows[0].id, 11);
    ck_assert_uint_eq(rows[0].nsems, 9);
    ck_assert_uint_eq(rows[0].gid, 1);
    ck_assert_int_eq(rows[0].otime_ns, 4 * second);
    ck_assert_int_eq(rows[0].ctime_ns, 5 * second);
}
END_TEST

START_TEST(empty_table_is_refused)
{
    assert_shm_refused("", "is empty");
}
END_TEST

START_TEST(missing_column_is_refused)
{
    // A header without "nattch" (and its rows one field short to match).
    const std::string header = "key shmid perms size cpid lpid uid gid cuid cgid atime dtime ctime\n";
    assert_shm_refused(header + "1 2 600 64 3 4 0 0 0 0 0 0 0\n", "no column \"nattch\"");
    const Refusal refusal = refusal_of([] {
        std::istringstream in("key semid perms nsems uid gid cuid cgid otime\n1 2 600 1 0 0 0 0 0\n");
        parse_proc_sem(in, "test/sem");
    });
    ck_assert_int_eq(refusal.code, EIO);
    ck_assert(refusal.message.find("no column \"ctime\"") != std::string::npos);
}
END_TEST

START_TEST(short_row_is_refused)
{
    const std::string row = shm_row(true, 1, 2, 0600, 64, 3);
    const std::string short_row = row.substr(0, row.rfind(' ')) + "\n"; // the last field cut off
    assert_shm_refused(std::string(shm_header_64) + short_row, "a row has 15 fields for 16 columns");
}
END_TEST

START_TEST(garbage_fields_are_refused)
{
    const std::string header = "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n";
    assert_shm_refused(header + "12x 2 600 64 3 4 1 0 0 0 0 0 0 0\n", "column key holds \"12x\"");
    assert_shm_refused(header + "1 2 600 sixty 3 4 1 0 0 0 0 0 0 0\n", "column size holds \"sixty\"");
    assert_shm_refused(header + "1 2 689 64 3 4 1 0 0 0 0 0 0 0\n", "column perms holds \"689\""); // octal
    assert_shm_refused(header + "1 2 600 99999999999999999999 3 4 1 0 0 0 0 0 0 0\n", "column size");
    assert_shm_refused("binary\x01\x02 garbage\n\xff\xfe rows\n", "no column \"shmid\"");
}
END_TEST

START_TEST(times_beyond_int64_nanoseconds_are_refused_at_the_edge)
{
    const std::string header = "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n";
    const auto rows = shm(header + "1 2 600 64 3 4 1 0 0 0 0 9223372036 -9223372036 0\n");
    ck_assert_uint_eq(rows.size(), 1);
    ck_assert_int_eq(rows[0].atime_ns, INT64_C(9223372036) * second);
    ck_assert_int_eq(rows[0].dtime_ns, INT64_C(-9223372036) * second);
    assert_shm_refused(header + "1 2 600 64 3 4 1 0 0 0 0 9223372037 0 0\n", "column atime holds 9223372037");
    assert_shm_refused(header + "1 2 600 64 3 4 1 0 0 0 0 0 -9223372037 0\n", "column dtime holds -9223372037");
}
END_TEST

START_TEST(numbers_outside_their_column_type_are_refused_not_wrapped)
{
    const std::string header = "key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n";
    const auto rows = shm(header + "-2147483648 2147483647 600 9223372036854775807 0 2147483647 0 4294967295 0 0 0 0 0 0\n");
    ck_assert_uint_eq(rows.size(), 1);
    ck_assert_int_eq(rows[0].key, INT32_MIN);
    ck_assert_int_eq(rows[0].id, INT32_MAX);
    ck_assert_uint_eq(rows[0].size, UINT64_C(9223372036854775807));
    ck_assert_uint_eq(rows[0].uid, UINT32_MAX);
    assert_shm_refused(header + "2147483648 2 600 64 3 4 1 0 0 0 0 0 0 0\n", "column key holds 2147483648");
    assert_shm_refused(header + "1 -2147483649 600 64 3 4 1 0 0 0 0 0 0 0\n", "column shmid holds -2147483649");
    assert_shm_refused(header + "1 2 600 64 3 4 1 4294967296 0 0 0 0 0 0\n", "column uid holds 4294967296");
    assert_shm_refused(header + "1 2 600 64 3 4 1 0 -1 0 0 0 0 0\n", "column gid holds -1");
    assert_shm_refused(header + "1 2 600 -64 3 4 1 0 0 0 0 0 0 0\n", "column size holds -64");
    assert_shm_refused(header + "1 2 600 64 3 4294967295 1 0 0 0 0 0 0 0\n", "column lpid holds 4294967295");
    assert_shm_refused(header + "1 2 600 64 3 4 -1 0 0 0 0 0 0 0\n", "column nattch holds -1");
}
END_TEST

const UnitSuite unit_suite = {"proc_table", {
    {"tables", shm_table_of_a_64_bit_kernel},
    {"tables", shm_table_of_a_32_bit_kernel},
    {"tables", header_only_and_blank_lines_give_no_rows},
    {"tables", sem_table},
    {"tables", msg_table_leaves_the_capacity_to_the_caller},
    {"tables", extra_columns_of_newer_kernels_are_ignored},
    {"tables", columns_are_found_by_name_not_position},
    {"malformed", empty_table_is_refused},
    {"malformed", missing_column_is_refused},
    {"malformed", short_row_is_refused},
    {"malformed", garbage_fields_are_refused},
    {"malformed", times_beyond_int64_nanoseconds_are_refused_at_the_edge},
    {"malformed", numbers_outside_their_column_type_are_refused_not_wrapped},
}};
