/* A growing text buffer: what the schema decoder writes into, so it stays a
 * pure function of its input (tests and the fuzz target read the text back)
 * and the caller decides where the text goes. */
#ifndef SVIPC_TOOL_TEXTBUF_H
#define SVIPC_TOOL_TEXTBUF_H

#include <stddef.h>

struct textbuf {
    char *data;  /* NUL-terminated once anything was added; NULL before */
    size_t len;  /* bytes, NUL excluded */
    size_t cap;
    int failed;  /* an allocation failed: the text is incomplete */
};

/* Zero-initialised is empty; free releases the memory (and empties). */
void textbuf_free(struct textbuf *b);
/* Empty it, keeping the memory. */
void textbuf_clear(struct textbuf *b);
void textbuf_add(struct textbuf *b, const char *bytes, size_t n);
void textbuf_puts(struct textbuf *b, const char *text);
void textbuf_putc(struct textbuf *b, char c);
void textbuf_printf(struct textbuf *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The text ("" when empty). */
const char *textbuf_text(const struct textbuf *b);

#endif
