/* libFuzzer target: svipc(1)'s schema parser, decoder and encoder
 * (tools/svipc/schema.c) on arbitrary input. The input is split at its
 * first NUL: before it a schema text, after it value bytes (repeated to the
 * schema's itemsize) that are also tried as a value's text. Whatever parses
 * must decode any bytes to text and JSON, and the JSON must encode back to
 * bytes that decode to the same JSON; a text value is encoded or refused
 * with a message. */
#include "schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Values larger than this are not decoded (the schema still parses). */
#define FUZZ_VALUE_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct schema schema;
    const uint8_t *nul = memchr(data, 0, size);
    size_t text_len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(text_len + 1);
    if (!text)
        return 0;
    memcpy(text, data, text_len);
    text[text_len] = '\0';
    const uint8_t *rest = nul ? nul + 1 : data + size;
    size_t rest_len = (size_t)(data + size - rest);

    char error[SCHEMA_ERROR_MAX];
    if (schema_parse(&schema, text, error, sizeof error) != 0) {
        if (error[0] == '\0')
            abort();
        free(text);
        return 0;
    }
    uint64_t itemsize = schema_itemsize(&schema);
    if (itemsize == 0 || itemsize > SCHEMA_SIZE_MAX)
        abort();
    if (itemsize <= FUZZ_VALUE_MAX) {
        unsigned char *value = malloc(itemsize), *back = malloc(itemsize);
        char *value_text = malloc(rest_len + 1);
        struct textbuf json = {0}, again = {0};
        if (!value || !back || !value_text)
            abort();
        for (uint64_t i = 0; i < itemsize; i++)
            value[i] = rest_len ? rest[i % rest_len] : 0;
        schema_to_text(&schema, value, &again);
        schema_to_json(&schema, value, &json);
        if (json.failed || again.failed)
            abort();
        if (schema_encode(&schema, textbuf_text(&json), back, error, sizeof error) != 0)
            abort(); /* what we print, we read */
        textbuf_clear(&again);
        schema_to_json(&schema, back, &again);
        if (strcmp(textbuf_text(&again), textbuf_text(&json)) != 0)
            abort();
        memcpy(value_text, rest, rest_len);
        value_text[rest_len] = '\0';
        if (schema_encode(&schema, value_text, back, error, sizeof error) != 0 && error[0] == '\0')
            abort();
        textbuf_free(&json);
        textbuf_free(&again);
        free(value);
        free(back);
        free(value_text);
    }
    free(text);
    return 0;
}
