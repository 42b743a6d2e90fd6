/* svipc(1)'s JSON writer: indented output on stdout, shaped like lsipc
 * --json. Open the top object with json_open(j, NULL, '{') on a zeroed
 * struct json, add members (key NULL inside an array), close what you
 * opened; the outermost close ends the line. */
#ifndef SVIPC_TOOL_JSON_H
#define SVIPC_TOOL_JSON_H

#include "textbuf.h"

#include <stddef.h>
#include <stdint.h>

struct json {
    int depth;
    int need_comma;
};

/* Open an object ('{') or array ('[') as member `key`. */
void json_open(struct json *j, const char *key, char bracket);
/* Close it with '}' or ']'. */
void json_close(struct json *j, char bracket);
/* A string member, null when value is NULL. */
void json_str(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, int64_t value);
void json_uint(struct json *j, const char *key, uint64_t value);
/* A finite number with six decimals (seconds, rates). */
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, int value);
void json_null(struct json *j, const char *key);
/* bytes[0..n) as a JSON string into out: \" \\ and controls escaped; bytes
 * >= 0x80 kept as UTF-8 (utf8 set) or written \u0080..\u00ff, one byte each
 * (byte strings, which json_reader.h reads back in JSON_STRING_BYTES mode). */
void json_quote(struct textbuf *out, const char *bytes, size_t n, int utf8);
/* ISO 8601 local time like lsipc --time-format=iso, null for "never" (0). */
void json_time(struct json *j, const char *key, int64_t ns);

#endif
