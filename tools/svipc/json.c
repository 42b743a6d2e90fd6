/* svipc(1)'s JSON writer; see json.h. */
#include "json.h"

#include "args.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void json_indent(struct json *j)
{
    for (int i = 0; i < j->depth; i++)
        fputs("   ", stdout);
}

void json_quote(struct textbuf *out, const char *bytes, size_t n, int utf8)
{
    textbuf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '"' || c == '\\') {
            textbuf_putc(out, '\\');
            textbuf_putc(out, (char)c);
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
            textbuf_printf(out, "\\u%04x", c);
        } else {
            textbuf_putc(out, (char)c);
        }
    }
    textbuf_putc(out, '"');
}

static void json_string_value(const char *text)
{
    struct textbuf quoted = {0};
    json_quote(&quoted, text, strlen(text), 1);
    fputs(textbuf_text(&quoted), stdout);
    textbuf_free(&quoted);
}

static void json_key(struct json *j, const char *key)
{
    if (j->need_comma)
        putchar(',');
    putchar('\n');
    json_indent(j);
    if (key) {
        json_string_value(key);
        fputs(": ", stdout);
    }
    j->need_comma = 1;
}

void json_open(struct json *j, const char *key, char bracket)
{
    if (j->depth == 0 && !key && !j->need_comma) {
        putchar(bracket);
    } else {
        json_key(j, key);
        putchar(bracket);
    }
    j->depth++;
    j->need_comma = 0;
}

void json_close(struct json *j, char bracket)
{
    j->depth--;
    if (j->need_comma) {
        putchar('\n');
        json_indent(j);
    }
    putchar(bracket);
    j->need_comma = 1;
    if (j->depth == 0)
        putchar('\n');
}

void json_str(struct json *j, const char *key, const char *value)
{
    json_key(j, key);
    if (value)
        json_string_value(value);
    else
        fputs("null", stdout);
}

void json_int(struct json *j, const char *key, int64_t value)
{
    json_key(j, key);
    printf("%" PRId64, value);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
    json_key(j, key);
    printf("%" PRIu64, value);
}

void json_double(struct json *j, const char *key, double value)
{
    json_key(j, key);
    printf("%.6f", value);
}

void json_bool(struct json *j, const char *key, int value)
{
    json_key(j, key);
    fputs(value ? "true" : "false", stdout);
}

void json_null(struct json *j, const char *key)
{
    json_key(j, key);
    fputs("null", stdout);
}

void json_time(struct json *j, const char *key, int64_t ns)
{
    if (ns == 0) {
        json_null(j, key);
        return;
    }
    char buf[64];
    time_t seconds = (time_t)(ns / NS_PER_SECOND);
    struct tm tm;
    localtime_r(&seconds, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
    json_str(j, key, buf);
}
