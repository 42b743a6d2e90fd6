/* A growing text buffer; see textbuf.h. */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void textbuf_free(struct textbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void textbuf_clear(struct textbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Room for n more bytes and the NUL; 0, or -1 (failed set). */
static int reserve(struct textbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n < b->cap - b->len && b->data)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void textbuf_add(struct textbuf *b, const char *bytes, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void textbuf_puts(struct textbuf *b, const char *text)
{
    textbuf_add(b, text, strlen(text));
}

void textbuf_putc(struct textbuf *b, char c)
{
    textbuf_add(b, &c, 1);
}

void textbuf_printf(struct textbuf *b, const char *format, ...)
{
    char small[128];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        textbuf_add(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    va_start(args, format);
    vsnprintf(b->data + b->len, (size_t)n + 1, format, args);
    va_end(args);
    b->len += (size_t)n;
}

const char *textbuf_text(const struct textbuf *b)
{
    return b->data ? b->data : "";
}
