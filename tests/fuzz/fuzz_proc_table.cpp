// libFuzzer target: the /proc/sysvipc table parser (lib/admin/proc_table.cpp)
// on arbitrary text. The first byte picks the table (shm, sem, msg), the
// rest is the file. A malformed table must give svipc::Error (EIO), never a
// crash, an overflow or another exception.
#include "admin/proc_table.hpp"
#include "common/error.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const unsigned table = data[0] % 3;
    std::istringstream in(std::string(reinterpret_cast<const char *>(data + 1), size - 1));
    try {
        size_t rows;
        if (table == 0)
            rows = svipc::admin::parse_proc_shm(in, "fuzz/shm").size();
        else if (table == 1)
            rows = svipc::admin::parse_proc_sem(in, "fuzz/sem").size();
        else
            rows = svipc::admin::parse_proc_msg(in, "fuzz/msg").size();
        // Every record comes from a non-empty line after the header.
        if (rows > size)
            std::abort();
    } catch (const svipc::Error &e) {
        if (e.code() != EIO)
            std::abort(); // the parser's only documented failure
    }
    return 0;
}
