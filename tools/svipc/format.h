/* svipc(1)'s field formatting, shared by the table, stat and JSON output:
 * each writes into the caller's buffer (or returns a constant) and returns
 * the text. */
#ifndef SVIPC_TOOL_FORMAT_H
#define SVIPC_TOOL_FORMAT_H

#include <svipc/svipc.h>

#include <stddef.h>
#include <stdint.h>

/* A size_text() buffer of SIZE_TEXT_MAX holds any value: the 20 digits of
 * UINT64_MAX bytes, a unit, the NUL. */
#define SIZE_TEXT_MAX 24

/* The user's name, or the uid as a number when it has none. */
const char *user_name(uint32_t uid, char *buf, size_t size);
/* The group's name, or the gid as a number when it has none. */
const char *group_name(uint32_t gid, char *buf, size_t size);
/* "0x0000abcd", as ipcs prints keys. */
const char *key_text(int32_t key, char *buf, size_t size);
/* "rw-r-----", as lsipc's PERMS column; buf holds 10 bytes. */
const char *perms_text(uint32_t mode, char *buf);
/* 4096 -> "4K", 1536 -> "1.5K", 100 -> "100B". */
const char *size_text(uint64_t bytes, char *buf, size_t size);
/* "Nov 29 22:35" local time, "-" for never (0). */
const char *time_text(int64_t ns, char *buf, size_t size);
/* "42s", "17m", "5h", "3d": an idle time, coarsely. */
const char *duration_text(int64_t ns, char *buf, size_t size);
/* A name for text output: bytes outside printable ASCII (and backslash) as
 * \xNN, as doc/keys.md promises; a buffer of NAME_TEXT_MAX holds any
 * channel name. */
#define NAME_TEXT_MAX (4 * SVIPC_CHANNEL_NAME_MAX + 1)
const char *name_text(const char *name, char *buf, size_t size);
/* "12ms", "3.4s", then as duration_text(): the age of a value. */
const char *age_text(int64_t ns, char *buf, size_t size);
/* "NAME             value": one line of `svipc stat` and `svipc topic info`. */
void print_field(const char *name, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* "pid 123 gone", or that no user was ever recorded. */
const char *gone_text(const svipc_orphan *orphan, char *buf, size_t size);
/* A segment's STATUS: "dest", "locked", "dest,locked" or "". */
void shm_status(const svipc_shm_info *info, char *buf, size_t size);

#endif
