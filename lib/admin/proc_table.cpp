#include "admin/proc_table.hpp"

#include "common/error.hpp"
#include "common/kernel_info.hpp"
#include "common/mode.hpp"
#include "common/time_units.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <sstream>

namespace svipc::admin {

namespace {

// One row of a /proc/sysvipc table, by column name (the header line names
// the columns; new kernels append columns, so positions are not relied on).
class ProcRow {
public:
    ProcRow(const std::string &path, const std::vector<std::string> &names, const std::vector<std::string> &values)
        : path_(path), names_(names), values_(values)
    {
    }

    int64_t number(const char *column, int base = 10) const
    {
        const std::string &text = field(column);
        char *end = nullptr;
        errno = 0;
        long long value = std::strtoll(text.c_str(), &end, base);
        if (errno != 0 || end == text.c_str() || *end != '\0')
            fail(EIO, path_ + ": column " + column + " holds \"" + text + "\", not a number");
        return value;
    }

    // Columns narrower than int64 are refused, not wrapped, when the text
    // holds a number outside their type (a uid of 4294967296 is not 0).
    uint32_t u32(const char *column) const { return static_cast<uint32_t>(in_range(column, 0, UINT32_MAX)); }
    int32_t i32(const char *column) const { return static_cast<int32_t>(in_range(column, INT32_MIN, INT32_MAX)); }
    uint64_t u64(const char *column) const { return static_cast<uint64_t>(in_range(column, 0, INT64_MAX)); }

    // A time in seconds, as the API's nanoseconds: refused (not wrapped)
    // when the product would not fit in int64.
    int64_t time_ns(const char *column) const
    {
        const int64_t seconds = number(column);
        constexpr int64_t limit = INT64_MAX / ns_per_second;
        if (seconds > limit || seconds < -limit)
            fail(EIO, path_ + ": column " + column + " holds " + std::to_string(seconds) + ", out of range for a time");
        return seconds_to_ns(seconds);
    }

private:
    int64_t in_range(const char *column, int64_t low, int64_t high) const
    {
        const int64_t value = number(column);
        if (value < low || value > high)
            fail(EIO, path_ + ": column " + column + " holds " + std::to_string(value) + ", out of range [" +
                          std::to_string(low) + ", " + std::to_string(high) + "]");
        return value;
    }

    const std::string &field(const char *column) const
    {
        for (size_t i = 0; i < names_.size(); i++)
            if (names_[i] == column)
                return values_[i];
        fail(EIO, path_ + " has no column \"" + column + "\"");
    }

    const std::string &path_;
    const std::vector<std::string> &names_;
    const std::vector<std::string> &values_;
};

std::vector<std::string> split_words(const std::string &line)
{
    std::istringstream stream(line);
    std::vector<std::string> words;
    std::string word;
    while (stream >> word)
        words.push_back(word);
    return words;
}

// Calls row_fn(ProcRow) for each object of the table.
template <typename RowFn>
void read_proc_table(std::istream &in, const std::string &path, RowFn &&row_fn)
{
    std::string line;
    if (!std::getline(in, line))
        fail(EIO, path + " is empty (no header line)");
    const std::vector<std::string> names = split_words(line);
    while (std::getline(in, line)) {
        const std::vector<std::string> values = split_words(line);
        if (values.empty())
            continue;
        if (values.size() < names.size())
            fail(EIO, path + ": a row has " + std::to_string(values.size()) + " fields for " +
                          std::to_string(names.size()) + " columns");
        row_fn(ProcRow(path, names, values));
    }
}

// The columns every table has, from the object's ipc_perm: id (named per
// table), key, permission bits and the four owner ids.
template <typename Info>
void read_ownership(const ProcRow &row, const char *id_column, Info &info)
{
    info.id = row.i32(id_column);
    info.key = row.i32("key");
    info.mode = static_cast<uint32_t>(row.number("perms", 8)) & permission_mask;
    info.uid = row.u32("uid");
    info.gid = row.u32("gid");
    info.cuid = row.u32("cuid");
    info.cgid = row.u32("cgid");
}

} // namespace

std::vector<svipc_shm_info> parse_proc_shm(std::istream &in, const std::string &label)
{
    std::vector<svipc_shm_info> out;
    read_proc_table(in, label, [&](const ProcRow &row) {
        svipc_shm_info info{};
        read_ownership(row, "shmid", info);
        info.flags = shm_status_flags(static_cast<uint32_t>(row.number("perms", 8)));
        info.cpid = row.i32("cpid");
        info.lpid = row.i32("lpid");
        info.size = row.u64("size");
        info.nattch = row.u64("nattch");
        info.atime_ns = row.time_ns("atime");
        info.dtime_ns = row.time_ns("dtime");
        info.ctime_ns = row.time_ns("ctime");
        out.push_back(info);
    });
    return out;
}

std::vector<svipc_sem_info> parse_proc_sem(std::istream &in, const std::string &label)
{
    std::vector<svipc_sem_info> out;
    read_proc_table(in, label, [&](const ProcRow &row) {
        svipc_sem_info info{};
        read_ownership(row, "semid", info);
        info.nsems = row.u32("nsems");
        info.otime_ns = row.time_ns("otime");
        info.ctime_ns = row.time_ns("ctime");
        out.push_back(info);
    });
    return out;
}

std::vector<svipc_msg_info> parse_proc_msg(std::istream &in, const std::string &label)
{
    std::vector<svipc_msg_info> out;
    read_proc_table(in, label, [&](const ProcRow &row) {
        svipc_msg_info info{};
        read_ownership(row, "msqid", info);
        info.lspid = row.i32("lspid");
        info.lrpid = row.i32("lrpid");
        info.bytes = row.u64("cbytes");
        info.messages = row.u64("qnum");
        info.stime_ns = row.time_ns("stime");
        info.rtime_ns = row.time_ns("rtime");
        info.ctime_ns = row.time_ns("ctime");
        out.push_back(info);
    });
    return out;
}

} // namespace svipc::admin
