/* svipc(1)'s JSON writer: indented output on stdout, shaped like lsipc
 * --json. Open the top object with json_open(j, NULL, '{') on a zeroed
 * struct json, add members (key NULL inside an array), close what you
 * opened; the outermost close ends the line. */
#ifndef SVIPC_TOOL_JSON_H
#define SVIPC_TOOL_JSON_H

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
void json_bool(struct json *j, const char *key, int value);
void json_null(struct json *j, const char *key);
/* ISO 8601 local time like lsipc --time-format=iso, null for "never" (0). */
void json_time(struct json *j, const char *key, int64_t ns);

#endif
