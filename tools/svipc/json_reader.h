/* A small JSON reader (a cursor over text, no tree): what the schema parser
 * needs to read a structured schema and a value given to `svipc topic pub`.
 * Every function bounds itself by the text's end; on a fault it records a
 * message naming the position and returns -1, and the reader stays failed.
 * Numbers are returned as their text (the caller knows the target type);
 * NaN, Infinity and -Infinity are read as numbers, as Python's json does. */
#ifndef SVIPC_TOOL_JSON_READER_H
#define SVIPC_TOOL_JSON_READER_H

#include <stddef.h>

#define JSON_READER_ERROR_MAX 200

struct json_reader {
    const char *start, *p, *end;
    char error[JSON_READER_ERROR_MAX];
};

/* Read text[0..len). */
void json_reader_init(struct json_reader *r, const char *text, size_t len);
/* The next character after white space, or -1 at the end. */
int json_peek(struct json_reader *r);
/* Consume c (after white space): 0, or -1 when something else is there. */
int json_expect(struct json_reader *r, char c);
/* Consume c if it is next: 1, else 0. */
int json_accept(struct json_reader *r, char c);
/* How a string's \u escapes become bytes: as UTF-8, or as one byte each
 * (U+0000..U+00FF; others are an error) for byte strings. */
enum json_string_mode { JSON_STRING_UTF8, JSON_STRING_BYTES };
/* A string into buf (capacity cap, NUL appended, may contain NULs in bytes
 * mode); *ret_len gets its length. Longer than cap - 1: error. */
int json_string(struct json_reader *r, enum json_string_mode mode, char *buf, size_t cap, size_t *ret_len);
/* A number's text: *ret_text points into the input, *ret_len its length. */
int json_number(struct json_reader *r, const char **ret_text, size_t *ret_len);
/* The literal word (true, false, null) if next: 1, else 0. */
int json_literal(struct json_reader *r, const char *word);
/* The value of a hex digit, -1 for another character. */
int json_hex_digit(char c);
/* Nothing but white space left: 0, else -1. */
int json_end(struct json_reader *r);
/* Record a fault (the first one wins) at the current position; returns -1. */
int json_fail(struct json_reader *r, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
