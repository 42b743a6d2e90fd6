/* A small JSON reader; see json_reader.h. */
#include "json_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void json_reader_init(struct json_reader *r, const char *text, size_t len)
{
    r->start = r->p = text;
    r->end = text + len;
    r->error[0] = '\0';
}

int json_fail(struct json_reader *r, const char *format, ...)
{
    if (r->error[0])
        return -1;
    char what[JSON_READER_ERROR_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    snprintf(r->error, sizeof r->error, "%.160s at character %zu", what, (size_t)(r->p - r->start) + 1);
    return -1;
}

static void skip_space(struct json_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

int json_peek(struct json_reader *r)
{
    skip_space(r);
    return r->p < r->end ? (unsigned char)*r->p : -1;
}

int json_accept(struct json_reader *r, char c)
{
    if (json_peek(r) != (unsigned char)c)
        return 0;
    r->p++;
    return 1;
}

int json_expect(struct json_reader *r, char c)
{
    if (json_accept(r, c))
        return 0;
    if (r->p >= r->end)
        return json_fail(r, "expected '%c', found the end", c);
    return json_fail(r, "expected '%c'", c);
}

int json_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int json_string(struct json_reader *r, enum json_string_mode mode, char *buf, size_t cap, size_t *ret_len)
{
    if (json_expect(r, '"') != 0)
        return -1;
    size_t n = 0;
    for (;;) {
        if (r->p >= r->end)
            return json_fail(r, "unterminated string");
        unsigned char c = (unsigned char)*r->p++;
        if (c == '"')
            break;
        if (c < 0x20)
            return json_fail(r, "control character in a string");
        unsigned char out[4];
        size_t out_len = 1;
        out[0] = c;
        if (c == '\\') {
            if (r->p >= r->end)
                return json_fail(r, "unterminated string");
            char e = *r->p++;
            switch (e) {
            case '"': case '\\': case '/': out[0] = (unsigned char)e; break;
            case 'b': out[0] = '\b'; break;
            case 'f': out[0] = '\f'; break;
            case 'n': out[0] = '\n'; break;
            case 'r': out[0] = '\r'; break;
            case 't': out[0] = '\t'; break;
            case 'u': {
                unsigned code = 0;
                for (int i = 0; i < 4; i++) {
                    int d = r->p < r->end ? json_hex_digit(*r->p) : -1;
                    if (d < 0)
                        return json_fail(r, "bad \\u escape");
                    code = code * 16 + (unsigned)d;
                    r->p++;
                }
                if (mode == JSON_STRING_BYTES) {
                    if (code > 0xff)
                        return json_fail(r, "\\u%04x is not a byte (byte strings take \\u0000 to \\u00ff)", code);
                    out[0] = (unsigned char)code;
                } else if (code >= 0xd800 && code <= 0xdfff) {
                    return json_fail(r, "surrogate \\u escapes are not supported");
                } else if (code < 0x80) {
                    out[0] = (unsigned char)code;
                } else if (code < 0x800) {
                    out[0] = (unsigned char)(0xc0 | (code >> 6));
                    out[1] = (unsigned char)(0x80 | (code & 0x3f));
                    out_len = 2;
                } else {
                    out[0] = (unsigned char)(0xe0 | (code >> 12));
                    out[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3f));
                    out[2] = (unsigned char)(0x80 | (code & 0x3f));
                    out_len = 3;
                }
                break;
            }
            default:
                return json_fail(r, "bad escape '\\%c'", e);
            }
        }
        if (n + out_len >= cap)
            return json_fail(r, "string longer than %zu bytes", cap ? cap - 1 : 0);
        memcpy(buf + n, out, out_len);
        n += out_len;
    }
    buf[n] = '\0';
    *ret_len = n;
    return 0;
}

static int is_digit(const struct json_reader *r)
{
    return r->p < r->end && *r->p >= '0' && *r->p <= '9';
}

static int match_word(struct json_reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return 0;
    const char *after = r->p + n;
    if (after < r->end && ((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
                           (*after >= '0' && *after <= '9') || *after == '_'))
        return 0;
    r->p = after;
    return 1;
}

int json_number(struct json_reader *r, const char **ret_text, size_t *ret_len)
{
    skip_space(r);
    const char *begin = r->p;
    if (match_word(r, "NaN") || match_word(r, "Infinity") || match_word(r, "-Infinity")) {
        *ret_text = begin;
        *ret_len = (size_t)(r->p - begin);
        return 0;
    }
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (!is_digit(r))
        return json_fail(r, "expected a number");
    if (*r->p == '0')
        r->p++;
    else
        while (is_digit(r))
            r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!is_digit(r))
            return json_fail(r, "expected digits after '.'");
        while (is_digit(r))
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (!is_digit(r))
            return json_fail(r, "expected digits in the exponent");
        while (is_digit(r))
            r->p++;
    }
    *ret_text = begin;
    *ret_len = (size_t)(r->p - begin);
    return 0;
}

int json_literal(struct json_reader *r, const char *word)
{
    skip_space(r);
    return match_word(r, word);
}

int json_end(struct json_reader *r)
{
    if (json_peek(r) != -1)
        return json_fail(r, "unexpected text after the value");
    return 0;
}
