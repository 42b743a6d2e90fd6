/* svipc(1)'s field formatting; see format.h. */
#include "format.h"

#include "args.h"

#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

const char *user_name(uint32_t uid, char *buf, size_t size)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        return pw->pw_name;
    snprintf(buf, size, "%" PRIu32, uid);
    return buf;
}

const char *group_name(uint32_t gid, char *buf, size_t size)
{
    struct group *gr = getgrgid(gid);
    if (gr)
        return gr->gr_name;
    snprintf(buf, size, "%" PRIu32, gid);
    return buf;
}

const char *key_text(int32_t key, char *buf, size_t size)
{
    snprintf(buf, size, "0x%08" PRIx32, (uint32_t)key);
    return buf;
}

const char *perms_text(uint32_t mode, char *buf)
{
    static const char letters[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        buf[i] = (mode & (0400u >> i)) ? letters[i] : '-';
    buf[9] = '\0';
    return buf;
}

const char *size_text(uint64_t bytes, char *buf, size_t size)
{
    static const char units[] = "BKMGTPE";
    int unit = 0;
    uint64_t scale = 1;
    while (unit < 6 && bytes >= scale * 1024) {
        scale *= 1024;
        unit++;
    }
    if (unit == 0 || bytes % scale == 0)
        snprintf(buf, size, "%" PRIu64 "%c", bytes / scale, units[unit]);
    else
        snprintf(buf, size, "%.1f%c", (double)bytes / (double)scale, units[unit]);
    return buf;
}

const char *time_text(int64_t ns, char *buf, size_t size)
{
    if (ns == 0)
        return "-";
    time_t seconds = (time_t)(ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, size, "%b %d %H:%M", &tm);
    return buf;
}

const char *duration_text(int64_t ns, char *buf, size_t size)
{
    int64_t s = ns / NS_PER_SECOND;
    if (s < 120)
        snprintf(buf, size, "%" PRId64 "s", s);
    else if (s < 2 * 3600)
        snprintf(buf, size, "%" PRId64 "m", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, size, "%" PRId64 "h", s / 3600);
    else
        snprintf(buf, size, "%" PRId64 "d", s / 86400);
    return buf;
}

void shm_status(const svipc_shm_info *info, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", (info->flags & SVIPC_SHM_INFO_REMOVED) ? "dest" : "",
             (info->flags & SVIPC_SHM_INFO_REMOVED) && (info->flags & SVIPC_SHM_INFO_LOCKED) ? "," : "",
             (info->flags & SVIPC_SHM_INFO_LOCKED) ? "locked" : "");
}

const char *gone_text(const svipc_orphan *orphan, char *buf, size_t size)
{
    if (orphan->pid > 0)
        snprintf(buf, size, "pid %" PRId32 " gone", orphan->pid);
    else
        snprintf(buf, size, "no user recorded");
    return buf;
}

void print_field(const char *name, const char *format, ...)
{
    va_list args;
    printf("%-16s ", name);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
}

const char *age_text(int64_t ns, char *buf, size_t size)
{
    if (ns < NS_PER_SECOND)
        snprintf(buf, size, "%" PRId64 "ms", (ns > 0 ? ns : 0) / 1000000);
    else if (ns < 120 * NS_PER_SECOND)
        snprintf(buf, size, "%.1fs", (double)ns / 1e9);
    else
        duration_text(ns, buf, size);
    return buf;
}

const char *name_text(const char *name, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 5 <= size; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            buf[n++] = (char)*p;
        else
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", *p);
    }
    buf[n < size ? n : size - 1] = '\0';
    return buf;
}
