// Parsing the kernel's /proc/sysvipc/{shm,sem,msg} tables into the public
// info records. Separate from the listing so it can be fed any text: the
// tables come from the kernel, but a parser that trusts its input is one
// format change away from a crash (tests/fuzz/fuzz_proc_table.cpp feeds it
// arbitrary bytes).
#pragma once

#include <svipc/admin.h>

#include <istream>
#include <string>
#include <vector>

namespace svipc::admin {

// One record per row of `in`; `label` (the file's path) names the table in
// messages. Columns are found by the header line's names, so new kernels'
// extra columns are ignored. EIO for a missing header or column, a short
// row, or a field that is not a number in range.
std::vector<svipc_shm_info> parse_proc_shm(std::istream &in, const std::string &label);
std::vector<svipc_sem_info> parse_proc_sem(std::istream &in, const std::string &label);

// The table has no capacity column: qbytes is left 0 for the caller.
std::vector<svipc_msg_info> parse_proc_msg(std::istream &in, const std::string &label);

} // namespace svipc::admin
