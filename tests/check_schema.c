/* svipc(1)'s schema parser, decoder and encoder (tools/svipc/schema.c): the
 * contract's grammar (numpy dtype.str and dict form) is accepted with the
 * right sizes, offsets and shapes; everything else is refused with a
 * message; every type's values round-trip through text and JSON; values
 * that do not fit are refused; and mutated schemas and arbitrary value
 * bytes never make it misbehave (the sanitizer and valgrind stages watch).
 * Pure functions: no IPC object is touched. */
#include "harness.h"
#include "schema.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POSE "{\"names\":[\"x\",\"y\",\"stamp\"],\"formats\":[\"<f8\",\"<f8\",\"<i8\"],\"offsets\":[0,8,16],\"itemsize\":24}"

static struct schema *parse_ok(const char *text)
{
    struct schema *s = malloc(sizeof *s);
    char error[SCHEMA_ERROR_MAX] = "";
    ck_assert_msg(schema_parse(s, text, error, sizeof error) == 0, "%s: %s", text, error);
    return s;
}

static void parse_fails(const char *text, const char *expect)
{
    struct schema *s = malloc(sizeof *s);
    char error[SCHEMA_ERROR_MAX] = "";
    ck_assert_msg(schema_parse(s, text, error, sizeof error) == -1, "accepted: %s", text);
    ck_assert_msg(strstr(error, expect) != NULL, "%s: '%s' lacks '%s'", text, error, expect);
    free(s);
}

/* Encode text, then decode it as JSON and as text. */
static void encode_ok(const struct schema *s, const char *value, unsigned char *out, const char *json,
                      const char *text)
{
    char error[SCHEMA_ERROR_MAX] = "";
    ck_assert_msg(schema_encode(s, value, out, error, sizeof error) == 0, "%s: %s", value, error);
    struct textbuf b = {0};
    schema_to_json(s, out, &b);
    ck_assert_str_eq(textbuf_text(&b), json);
    if (text) {
        textbuf_clear(&b);
        schema_to_text(s, out, &b);
        ck_assert_str_eq(textbuf_text(&b), text);
    }
    textbuf_free(&b);
}

static void encode_fails(const struct schema *s, const char *value, const char *expect)
{
    unsigned char *out = malloc(schema_itemsize(s));
    char error[SCHEMA_ERROR_MAX] = "";
    ck_assert_msg(schema_encode(s, value, out, error, sizeof error) == -1, "accepted: %s", value);
    ck_assert_msg(strstr(error, expect) != NULL, "%s: '%s' lacks '%s'", value, error, expect);
    free(out);
}

START_TEST(scalar_types_have_numpy_sizes)
{
    static const struct { const char *text; enum schema_kind kind; uint64_t size; } cases[] = {
        {"|b1", SCHEMA_BOOL, 1},   {"|i1", SCHEMA_INT, 1},     {"<i2", SCHEMA_INT, 2},    {"<i4", SCHEMA_INT, 4},
        {"<i8", SCHEMA_INT, 8},    {"|u1", SCHEMA_UINT, 1},    {"<u2", SCHEMA_UINT, 2},   {"<u4", SCHEMA_UINT, 4},
        {"<u8", SCHEMA_UINT, 8},   {"<f4", SCHEMA_FLOAT, 4},   {"<f8", SCHEMA_FLOAT, 8},  {"|S16", SCHEMA_STRING, 16},
        {"|V24", SCHEMA_OPAQUE, 24}, {">i4", SCHEMA_INT, 4},   {"f8", SCHEMA_FLOAT, 8},   {"=u2", SCHEMA_UINT, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct schema *s = parse_ok(cases[i].text);
        ck_assert_int_eq(schema_root(s)->kind, cases[i].kind);
        ck_assert_uint_eq(schema_itemsize(s), cases[i].size);
        ck_assert_uint_eq(schema_root(s)->ndim, 0);
        ck_assert_int_eq(schema_root(s)->big_endian, cases[i].text[0] == '>');
        free(s);
    }
}
END_TEST

START_TEST(shapes_multiply_the_element)
{
    struct schema *s = parse_ok("(480, 640, 3)|u1");
    const struct schema_type *t = schema_root(s);
    ck_assert_uint_eq(t->ndim, 3);
    ck_assert_uint_eq(s->dims[t->first_dim], 480);
    ck_assert_uint_eq(s->dims[t->first_dim + 2], 3);
    ck_assert_uint_eq(t->count, 480 * 640 * 3);
    ck_assert_uint_eq(schema_itemsize(s), 480 * 640 * 3);
    free(s);
    s = parse_ok("(3,)<f8");
    ck_assert_uint_eq(schema_itemsize(s), 24);
    free(s);
}
END_TEST

START_TEST(structures_give_fields_offsets_and_formats)
{
    struct schema *s = parse_ok(POSE);
    const struct schema_type *t = schema_root(s);
    ck_assert_int_eq(t->kind, SCHEMA_STRUCT);
    ck_assert_uint_eq(t->nfields, 3);
    ck_assert_uint_eq(schema_itemsize(s), 24);
    const struct schema_field *stamp = &s->fields[t->first_field + 2];
    ck_assert_str_eq(schema_field_name(s, stamp), "stamp");
    ck_assert_uint_eq(stamp->offset, 16);
    ck_assert_int_eq(schema_field_type(s, stamp)->kind, SCHEMA_INT);
    free(s);
    /* Python's json.dumps spacing, nested structures, shaped fields, packed
     * offsets and itemsize when absent, padding when given. */
    s = parse_ok("{\"names\": [\"id\", \"pose\", \"cov\"], \"formats\": [\"<u4\", "
                 "{\"names\": [\"x\", \"y\"], \"formats\": [\"<f4\", \"<f4\"]}, \"(2, 2)<f8\"], "
                 "\"offsets\": [0, 8, 16], \"itemsize\": 56}");
    t = schema_root(s);
    ck_assert_uint_eq(schema_itemsize(s), 56);
    const struct schema_field *pose = &s->fields[t->first_field + 1];
    ck_assert_int_eq(schema_field_type(s, pose)->kind, SCHEMA_STRUCT);
    ck_assert_uint_eq(schema_field_type(s, pose)->size, 8);
    ck_assert_uint_eq(s->fields[schema_field_type(s, pose)->first_field + 1].offset, 4);
    ck_assert_uint_eq(schema_field_type(s, &s->fields[t->first_field + 2])->count, 4);
    struct textbuf b = {0};
    schema_summary(s, &b);
    ck_assert_str_eq(textbuf_text(&b), "struct{id,pose{x,y},cov}");
    free(s);
    /* An array of structures: a shape before the object (Python's form for a
     * structured numpy array). */
    s = parse_ok("(2,){\"names\":[\"x\",\"y\"],\"formats\":[\"<f4\",\"|u1\"]}");
    ck_assert_uint_eq(schema_itemsize(s), 10);
    ck_assert_uint_eq(schema_root(s)->element_size, 5);
    textbuf_clear(&b);
    schema_summary(s, &b);
    ck_assert_str_eq(textbuf_text(&b), "(2,)struct{x,y}");
    free(s);
    s = parse_ok("{\"names\": [\"id\", \"pose\", \"cov\"], \"formats\": [\"<u4\", "
                 "{\"names\": [\"x\", \"y\"], \"formats\": [\"<f4\", \"<f4\"]}, \"(2, 2)<f8\"], "
                 "\"offsets\": [0, 8, 16], \"itemsize\": 56}");
    textbuf_clear(&b);
    schema_describe(s, &b);
    ck_assert_ptr_nonnull(strstr(textbuf_text(&b), "(2, 2)<f8  offset 16"));
    textbuf_free(&b);
    free(s);
}
END_TEST

START_TEST(bad_schemas_are_refused_with_a_reason)
{
    parse_fails("", "empty");
    parse_fails("<f2", "f4 or f8");
    parse_fails("<c16", "unknown type");
    parse_fails("(2,)[1]", "unknown type");
    parse_fails("<i3", "1, 2, 4 or 8");
    parse_fails("|b2", "b1");
    parse_fails("<q8", "unknown type");
    parse_fails("|S0", "size of 0");
    parse_fails("<f8 ", "unexpected text");
    parse_fails("(0,)<f8", "dimension of 0");
    parse_fails("(3<f8", "bad shape");
    parse_fails("(99999999,99999999,99999999)<f8", "too");
    parse_fails("<f8\t", "printable");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\"],\"extra\":1}", "unknown key");
    parse_fails("{\"names\":[\"x\",\"x\"],\"formats\":[\"<f8\",\"<f8\"]}", "twice");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\",\"<f8\"]}", "1 names but 2 formats");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\"],\"offsets\":[4],\"itemsize\":8}", "ends past itemsize");
    /* The fuzzer's finding: overlapping fields have no single encoding. */
    parse_fails("{\"names\":[\"x\",\"y\"],\"formats\":[\"<f8\",\"<f8\"],\"offsets\":[5,8],\"itemsize\":24}",
                "\"x\" and \"y\" overlap");
    parse_fails("{\"names\":[],\"formats\":[]}", "without fields");
    parse_fails("{\"names\":[\"x\"]}", "needs");
    parse_fails("{\"names\":[\"\"],\"formats\":[\"<f8\"]}", "without a name");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\"]} x", "unexpected text");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\"]", "expected");
    parse_fails("{\"names\":[\"x\"],\"formats\":[\"<f8\"],\"offsets\":[-1]}", "offsets");
    /* Deeper than SCHEMA_MAX_DEPTH. */
    char deep[SCHEMA_TEXT_MAX + 1] = "";
    for (int i = 0; i < SCHEMA_MAX_DEPTH + 1; i++)
        strcat(deep, "{\"names\":[\"a\"],\"formats\":[");
    strcat(deep, "\"<f8\"");
    for (int i = 0; i < SCHEMA_MAX_DEPTH + 1; i++)
        strcat(deep, "]}");
    parse_fails(deep, "nested");
    char long_text[SCHEMA_TEXT_MAX + 2];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    parse_fails(long_text, "longer than");
}
END_TEST

START_TEST(every_type_round_trips)
{
    unsigned char out[64];
    static const struct { const char *schema, *value, *json, *text; } cases[] = {
        {"|b1", "true", "true", "true\n"},
        {"|b1", "0", "false", "false\n"},
        {"|i1", "-128", "-128", NULL},
        {"<i2", "32767", "32767", NULL},
        {"<i4", "-2147483648", "-2147483648", NULL},
        {"<i8", "-9223372036854775808", "-9223372036854775808", NULL},
        {"|u1", "255", "255", NULL},
        {"<u2", "65535", "65535", NULL},
        {"<u4", "4294967295", "4294967295", NULL},
        {"<u8", "18446744073709551615", "18446744073709551615", NULL},
        {"<f4", "0.1", "0.1", NULL},
        {"<f4", "3.4028234663852886e38", "3.4028235e+38", NULL}, /* FLT_MAX, whose shortest text is above it */
        {"<f8", "0.1", "0.1", "0.1\n"},
        {"<f8", "-2500", "-2500.0", NULL},
        {"<f8", "1e300", "1e+300", NULL},
        {"<f8", "-0.0", "-0.0", NULL},
        {"<f8", "nan", "NaN", "nan\n"},
        {"<f8", "-Infinity", "-Infinity", "-inf\n"},
        {"|S8", "hello", "\"hello\"", "\"hello\"\n"},
        {"|S8", "\"a\\u00ff\\n\"", "\"a\\u00ff\\u000a\"", NULL},
        {"|V4", "0a0B0c0d", "\"0a0b0c0d\"", "0x0a0b0c0d\n"},
        {"|V2", "\"0x0102\"", "\"0102\"", NULL},
        {"(2,2)<i4", "[[1, 2], [3, -4]]", "[[1,2],[3,-4]]", "[[1, 2], [3, -4]]\n"},
        {"(2,)|S3", "[\"ab\", \"c\"]", "[\"ab\",\"c\"]", NULL},
        {">i4", "258", "258", NULL},
        {"(2,){\"names\":[\"a\"],\"formats\":[\"<i2\"]}", "[{\"a\": 1}, {\"a\": -2}]", "[{\"a\":1},{\"a\":-2}]",
         "[{\"a\":1}, {\"a\":-2}]\n"},
        {POSE, "{\"stamp\": 7, \"y\": 2, \"x\": 1.5}", "{\"x\":1.5,\"y\":2.0,\"stamp\":7}", "x: 1.5\ny: 2.0\nstamp: 7\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct schema *s = parse_ok(cases[i].schema);
        ck_assert_uint_le(schema_itemsize(s), sizeof out);
        encode_ok(s, cases[i].value, out, cases[i].json, cases[i].text);
        /* What JSON output says encodes to the same bytes. */
        unsigned char again[64];
        encode_ok(s, cases[i].json, again, cases[i].json, NULL);
        if (strcmp(cases[i].json, "NaN") != 0)
            ck_assert_int_eq(memcmp(out, again, schema_itemsize(s)), 0);
        free(s);
    }
    /* Big-endian bytes are what the text says. */
    struct schema *s = parse_ok(">u2");
    encode_ok(s, "258", out, "258", NULL);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 2);
    free(s);
}
END_TEST

START_TEST(values_that_do_not_fit_are_refused)
{
    struct schema *s = parse_ok("|u1");
    encode_fails(s, "256", "out of range");
    encode_fails(s, "-1", "negative");
    encode_fails(s, "1.5", "not an integer");
    encode_fails(s, "", "not an integer");
    free(s);
    s = parse_ok("<i8");
    encode_fails(s, "9223372036854775808", "out of range");
    encode_fails(s, "0x10", "not an integer");
    free(s);
    s = parse_ok("<f4");
    encode_fails(s, "1e39", "out of range");
    encode_fails(s, "abc", "not a number");
    free(s);
    s = parse_ok("|b1");
    encode_fails(s, "maybe", "not a bool");
    encode_fails(s, "2", "not a bool");
    free(s);
    s = parse_ok("|S3");
    encode_fails(s, "abcd", "do not fit");
    encode_fails(s, "\"abcd\"", "longer than");
    free(s);
    s = parse_ok("|V2");
    encode_fails(s, "010", "hex digits");
    encode_fails(s, "zz00", "hex byte");
    free(s);
    s = parse_ok("(3,)<i8");
    encode_fails(s, "[1, 2]", "expected 3 elements, found 2");
    encode_fails(s, "[1, 2, 3, 4]", "more than 3");
    encode_fails(s, "[]", "found 0");
    encode_fails(s, "1", "expected an array");
    free(s);
    s = parse_ok("{\"names\":[\"p\",\"q\"],\"formats\":[{\"names\":[\"a\"],\"formats\":[\"|i1\"]},\"<f8\"]}");
    encode_fails(s, "{\"p\": {\"a\": 200}, \"q\": 1}", "field p.a: 200 is out of range");
    encode_fails(s, "{\"p\": {\"a\": 1}}", "\"q\" is missing");
    encode_fails(s, "{\"p\": {\"a\": 1}, \"q\": 1, \"r\": 2}", "no field \"r\"");
    encode_fails(s, "{\"p\": {\"a\": 1}, \"q\": 1, \"q\": 2}", "twice");
    encode_fails(s, "{\"p\": {\"a\": 1}, \"q\": 1} extra", "unexpected text");
    encode_fails(s, "[1, 2]", "expected an object");
    free(s);
}
END_TEST

START_TEST(text_shows_long_arrays_in_part)
{
    struct schema *s = parse_ok("(100,)|u1");
    unsigned char value[100] = {0};
    struct textbuf b = {0};
    schema_to_text(s, value, &b);
    ck_assert_ptr_nonnull(strstr(textbuf_text(&b), ", ...]"));
    textbuf_clear(&b);
    schema_to_json(s, value, &b);
    ck_assert_uint_eq(b.len, 2 + 100 + 99); /* every element */
    textbuf_free(&b);
    free(s);
}
END_TEST

/* Mutations of valid schemas: parsed or refused, never more; whatever
 * parses decodes any bytes, and its JSON encodes back to the same JSON. */
START_TEST(mutated_schemas_and_any_bytes_are_safe)
{
    static const char *const seeds[] = {
        POSE, "(3,)<f8", "|S5", "{\"names\":[\"a\",\"b\"],\"formats\":[{\"names\":[\"c\"],\"formats\":[\"|b1\"]},\"<u2\"]}",
        ">i8", "|V3",
    };
    static const char alphabet[] = "{}[]\",:0123456789<>|=biufSV() xnamesformatsoffsetsitemsize";
    struct schema *s = malloc(sizeof *s);
    struct textbuf json = {0}, again = {0};
    srand(15);
    unsigned parsed = 0;
    for (int round = 0; round < 20000; round++) {
        char text[SCHEMA_TEXT_MAX + 1];
        snprintf(text, sizeof text, "%s", seeds[rand() % (int)(sizeof seeds / sizeof seeds[0])]);
        size_t len = strlen(text);
        for (int edits = 1 + rand() % 3; edits > 0 && len > 0; edits--) {
            size_t at = (size_t)rand() % len;
            if (rand() % 3 == 0)
                memmove(text + at, text + at + 1, len-- - at); /* delete */
            else
                text[at] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        }
        char error[SCHEMA_ERROR_MAX];
        if (schema_parse(s, text, error, sizeof error) != 0) {
            ck_assert_uint_gt(strlen(error), 0);
            continue;
        }
        parsed++;
        uint64_t size = schema_itemsize(s);
        ck_assert_uint_gt(size, 0);
        if (size > 4096)
            continue;
        unsigned char *value = malloc(size), *back = malloc(size);
        for (uint64_t i = 0; i < size; i++)
            value[i] = (unsigned char)rand();
        textbuf_clear(&json);
        schema_to_json(s, value, &json);
        textbuf_clear(&again);
        schema_to_text(s, value, &again);
        ck_assert_msg(schema_encode(s, textbuf_text(&json), back, error, sizeof error) == 0, "%s: %s: %s", text,
                      textbuf_text(&json), error);
        textbuf_clear(&again);
        schema_to_json(s, back, &again);
        ck_assert_str_eq(textbuf_text(&again), textbuf_text(&json));
        free(value);
        free(back);
    }
    ck_assert_uint_gt(parsed, 100);
    textbuf_free(&json);
    textbuf_free(&again);
    free(s);
}
END_TEST

HARNESS_SUITE("schema")
{
    HARNESS_CASE("parse", 0, scalar_types_have_numpy_sizes, shapes_multiply_the_element,
                 structures_give_fields_offsets_and_formats, bad_schemas_are_refused_with_a_reason);
    HARNESS_CASE("values", 0, every_type_round_trips, values_that_do_not_fit_are_refused,
                 text_shows_long_arrays_in_part);
    HARNESS_CASE("hostile", 0, mutated_schemas_and_any_bytes_are_safe);
}
