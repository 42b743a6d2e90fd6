/* A channel's schema: parser, decoder, encoder; see schema.h. */
#include "schema.h"

#include "json.h"
#include "json_reader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A structure has at most this many fields: each takes >= 8 characters of
 * the text ("a", and "|b1", with separators). */
#define SCHEMA_MAX_STRUCT_FIELDS 256

static void set_error(char *error, size_t error_size, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void set_error(char *error, size_t error_size, const char *format, ...)
{
    if (!error || error_size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* ---- parsing ------------------------------------------------------------- */

struct parser {
    struct schema *s;
    struct json_reader r;
    char message[SCHEMA_ERROR_MAX]; /* the first fault, "" while none */
};

static int parse_fail(struct parser *p, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int parse_fail(struct parser *p, const char *format, ...)
{
    if (p->message[0])
        return -1;
    va_list args;
    va_start(args, format);
    vsnprintf(p->message, sizeof p->message, format, args);
    va_end(args);
    return -1;
}

/* The reader's fault as the parser's. */
static int reader_fail(struct parser *p)
{
    return parse_fail(p, "%s", p->r.error[0] ? p->r.error : "bad JSON");
}

static int new_type(struct parser *p, uint32_t *ret)
{
    if (p->s->ntypes >= SCHEMA_MAX_NODES)
        return parse_fail(p, "too many types");
    *ret = p->s->ntypes++;
    memset(&p->s->types[*ret], 0, sizeof p->s->types[*ret]);
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits at *q (before end) into *ret, at most SCHEMA_SIZE_MAX. */
static int parse_size(struct parser *p, const char **q, const char *end, const char *what, uint64_t *ret)
{
    if (*q >= end || !is_digit(**q))
        return parse_fail(p, "%s: expected a number", what);
    uint64_t v = 0;
    while (*q < end && is_digit(**q)) {
        v = v * 10 + (uint64_t)(**q - '0');
        if (v > SCHEMA_SIZE_MAX)
            return parse_fail(p, "%s: number too large", what);
        (*q)++;
    }
    *ret = v;
    return 0;
}

/* An optional shape "(d0,d1,...)" at *q: dims[0 .. *ndim), their product in *count. */
static int parse_shape(struct parser *p, const char **q, const char *end, const char *what,
                       uint64_t dims[SCHEMA_MAX_DIMS], uint32_t *ndim, uint64_t *count)
{
    *ndim = 0;
    *count = 1;
    if (*q >= end || **q != '(')
        return 0;
    (*q)++;
    for (;;) {
        while (*q < end && **q == ' ')
            (*q)++;
        if (*q < end && **q == ')') {
            (*q)++;
            return 0;
        }
        uint64_t d;
        if (parse_size(p, q, end, what, &d) != 0)
            return -1;
        if (d == 0)
            return parse_fail(p, "%s: a dimension of 0", what);
        if (*ndim == SCHEMA_MAX_DIMS)
            return parse_fail(p, "%s: more than %d dimensions", what, SCHEMA_MAX_DIMS);
        dims[(*ndim)++] = d;
        *count *= d;
        if (*count > SCHEMA_SIZE_MAX)
            return parse_fail(p, "%s: too many elements", what);
        while (*q < end && **q == ' ')
            (*q)++;
        if (*q < end && **q == ',')
            (*q)++;
        else if (*q >= end || **q != ')')
            return parse_fail(p, "%s: bad shape (expected \"(d0,d1,...)\")", what);
    }
}

/* Give type t the shape dims[0 .. ndim) (t's size is one element's so far). */
static int set_shape(struct parser *p, uint32_t t, const uint64_t *dims, uint32_t ndim, uint64_t count)
{
    struct schema *s = p->s;
    struct schema_type *type = &s->types[t];
    if (type->element_size > SCHEMA_SIZE_MAX / count)
        return parse_fail(p, "an array too large");
    if (s->ndims + ndim > sizeof s->dims / sizeof s->dims[0])
        return parse_fail(p, "too many dimensions");
    type->ndim = ndim;
    type->first_dim = s->ndims;
    memcpy(&s->dims[s->ndims], dims, ndim * sizeof dims[0]);
    s->ndims += ndim;
    type->count = count;
    type->size = type->element_size * count;
    return 0;
}

/* A scalar type string with its optional shape: "(3,)<f8", "|S16", "<i8". */
static int parse_scalar(struct parser *p, const char *text, size_t len, uint32_t *ret)
{
    const char *q = text, *end = text + len;
    char what[64];
    snprintf(what, sizeof what, "'%.*s'", len > 40 ? 40 : (int)len, text);
    uint64_t dims[SCHEMA_MAX_DIMS];
    uint32_t ndim;
    uint64_t count;
    if (parse_shape(p, &q, end, what, dims, &ndim, &count) != 0)
        return -1;
    int big_endian = 0;
    if (q < end && (*q == '<' || *q == '>' || *q == '|' || *q == '='))
        big_endian = *q++ == '>';
    if (q >= end)
        return parse_fail(p, "%s: expected a type (b, i, u, f, S, V)", what);
    char kind_char = *q++;
    if (!strchr("biufSV", kind_char))
        return parse_fail(p, "%s: unknown type '%c' (b, i, u, f, S, V)", what, kind_char);
    uint64_t size;
    if (parse_size(p, &q, end, what, &size) != 0)
        return -1;
    if (q != end)
        return parse_fail(p, "%s: unexpected text after the type", what);
    enum schema_kind kind;
    switch (kind_char) {
    case 'b':
        kind = SCHEMA_BOOL;
        if (size != 1)
            return parse_fail(p, "%s: a bool is b1", what);
        break;
    case 'i':
    case 'u':
        kind = kind_char == 'i' ? SCHEMA_INT : SCHEMA_UINT;
        if (size != 1 && size != 2 && size != 4 && size != 8)
            return parse_fail(p, "%s: integers are 1, 2, 4 or 8 bytes", what);
        break;
    case 'f':
        kind = SCHEMA_FLOAT;
        if (size != 4 && size != 8)
            return parse_fail(p, "%s: floats are f4 or f8 (half and long double are not supported)", what);
        break;
    case 'S':
    case 'V':
        kind = kind_char == 'S' ? SCHEMA_STRING : SCHEMA_OPAQUE;
        if (size == 0)
            return parse_fail(p, "%s: a size of 0", what);
        break;
    default:
        return parse_fail(p, "%s: unknown type '%c' (b, i, u, f, S, V)", what, kind_char);
    }
    uint32_t t = 0;
    if (new_type(p, &t) != 0)
        return -1;
    struct schema_type *type = &p->s->types[t];
    type->kind = kind;
    type->big_endian = big_endian && size > 1;
    type->element_size = type->size = size;
    type->count = 1;
    if (set_shape(p, t, dims, ndim, count) != 0)
        return -1;
    *ret = t;
    return 0;
}

/* A non-negative JSON integer. */
static int parse_json_size(struct parser *p, const char *what, uint64_t *ret)
{
    const char *text;
    size_t len;
    if (json_number(&p->r, &text, &len) != 0)
        return reader_fail(p);
    const char *q = text;
    if (parse_size(p, &q, text + len, what, ret) != 0)
        return -1;
    if (q != text + len)
        return parse_fail(p, "%s: expected a whole number >= 0", what);
    return 0;
}

static int parse_struct(struct parser *p, int depth, uint32_t *ret);

/* The object in numpy's dict form, from its '{'. */
static int parse_struct(struct parser *p, int depth, uint32_t *ret)
{
    struct schema *s = p->s;
    if (depth > SCHEMA_MAX_DEPTH)
        return parse_fail(p, "structures nested more than %d deep", SCHEMA_MAX_DEPTH);
    uint32_t names[SCHEMA_MAX_STRUCT_FIELDS], types[SCHEMA_MAX_STRUCT_FIELDS];
    uint64_t offsets[SCHEMA_MAX_STRUCT_FIELDS], itemsize = 0;
    uint32_t nnames = 0, ntypes = 0, noffsets = 0;
    int have_names = 0, have_formats = 0, have_offsets = 0, have_itemsize = 0;
    if (json_expect(&p->r, '{') != 0)
        return reader_fail(p);
    if (!json_accept(&p->r, '}')) {
        do {
            char key[16];
            size_t len;
            if (json_peek(&p->r) != '"')
                return parse_fail(p, "expected a key in a structure");
            if (json_string(&p->r, JSON_STRING_UTF8, key, sizeof key, &len) != 0 || json_expect(&p->r, ':') != 0)
                return parse_fail(p, "a structure takes the keys names, formats, offsets, itemsize (%s)",
                                  p->r.error);
            int *have = strcmp(key, "names") == 0     ? &have_names
                        : strcmp(key, "formats") == 0 ? &have_formats
                        : strcmp(key, "offsets") == 0 ? &have_offsets
                        : strcmp(key, "itemsize") == 0 ? &have_itemsize
                                                       : NULL;
            if (!have)
                return parse_fail(p, "unknown key \"%s\" (a structure takes names, formats, offsets, itemsize)", key);
            if (*have)
                return parse_fail(p, "\"%s\" given twice", key);
            *have = 1;
            if (have == &have_itemsize) {
                if (parse_json_size(p, "itemsize", &itemsize) != 0)
                    return -1;
                continue;
            }
            if (json_expect(&p->r, '[') != 0)
                return reader_fail(p);
            if (json_accept(&p->r, ']'))
                continue;
            do {
                if (have == &have_names) {
                    if (nnames == SCHEMA_MAX_STRUCT_FIELDS)
                        return parse_fail(p, "more than %d fields", SCHEMA_MAX_STRUCT_FIELDS);
                    char *name = s->names + s->names_used;
                    size_t room = sizeof s->names - s->names_used;
                    if (json_peek(&p->r) != '"')
                        return parse_fail(p, "names: expected a string");
                    if (json_string(&p->r, JSON_STRING_UTF8, name, room, &len) != 0)
                        return reader_fail(p);
                    if (len == 0)
                        return parse_fail(p, "a field without a name");
                    for (size_t i = 0; i < len; i++)
                        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
                            return parse_fail(p, "a field name with a control character");
                    for (uint32_t i = 0; i < nnames; i++)
                        if (strcmp(s->names + names[i], name) == 0)
                            return parse_fail(p, "field name \"%s\" given twice", name);
                    names[nnames++] = s->names_used;
                    s->names_used += (uint32_t)len + 1;
                } else if (have == &have_formats) {
                    if (ntypes == SCHEMA_MAX_STRUCT_FIELDS)
                        return parse_fail(p, "more than %d fields", SCHEMA_MAX_STRUCT_FIELDS);
                    int c = json_peek(&p->r);
                    if (c == '{') {
                        if (parse_struct(p, depth + 1, &types[ntypes]) != 0)
                            return -1;
                    } else if (c == '"') {
                        char format[SCHEMA_TEXT_MAX + 1];
                        if (json_string(&p->r, JSON_STRING_UTF8, format, sizeof format, &len) != 0)
                            return reader_fail(p);
                        if (parse_scalar(p, format, len, &types[ntypes]) != 0)
                            return -1;
                    } else {
                        return parse_fail(p, "formats: expected a type string or a structure");
                    }
                    ntypes++;
                } else {
                    if (noffsets == SCHEMA_MAX_STRUCT_FIELDS)
                        return parse_fail(p, "more than %d fields", SCHEMA_MAX_STRUCT_FIELDS);
                    if (parse_json_size(p, "offsets", &offsets[noffsets]) != 0)
                        return -1;
                    noffsets++;
                }
            } while (json_accept(&p->r, ','));
            if (json_expect(&p->r, ']') != 0)
                return reader_fail(p);
        } while (json_accept(&p->r, ','));
        if (json_expect(&p->r, '}') != 0)
            return reader_fail(p);
    }
    if (!have_names || !have_formats)
        return parse_fail(p, "a structure needs \"names\" and \"formats\"");
    if (nnames != ntypes)
        return parse_fail(p, "%u names but %u formats", nnames, ntypes);
    if (nnames == 0)
        return parse_fail(p, "a structure without fields");
    if (have_offsets && noffsets != nnames)
        return parse_fail(p, "%u names but %u offsets", nnames, noffsets);
    uint64_t end = 0;
    for (uint32_t i = 0; i < nnames; i++) {
        if (!have_offsets)
            offsets[i] = end; /* packed, as numpy does without offsets */
        uint64_t size = s->types[types[i]].size;
        if (offsets[i] > SCHEMA_SIZE_MAX - size)
            return parse_fail(p, "field \"%s\": offset too large", s->names + names[i]);
        if (offsets[i] + size > end)
            end = offsets[i] + size;
    }
    if (!have_itemsize)
        itemsize = end;
    for (uint32_t i = 0; i < nnames; i++)
        if (offsets[i] + s->types[types[i]].size > itemsize)
            return parse_fail(p, "field \"%s\" (offset %llu, %llu bytes) ends past itemsize %llu",
                              s->names + names[i], (unsigned long long)offsets[i],
                              (unsigned long long)s->types[types[i]].size, (unsigned long long)itemsize);
    /* numpy accepts overlapping plain fields, but a value of such a schema
     * has no single encoding (writing one field changes another), so this
     * tool refuses them and shows the channel as opaque bytes. */
    for (uint32_t i = 0; i < nnames; i++)
        for (uint32_t j = i + 1; j < nnames; j++)
            if (offsets[i] < offsets[j] + s->types[types[j]].size &&
                offsets[j] < offsets[i] + s->types[types[i]].size)
                return parse_fail(p, "fields \"%s\" and \"%s\" overlap", s->names + names[i],
                                  s->names + names[j]);
    if (s->nfields + nnames > SCHEMA_MAX_NODES)
        return parse_fail(p, "too many fields");
    uint32_t t = 0;
    if (new_type(p, &t) != 0)
        return -1;
    struct schema_type *type = &s->types[t];
    type->kind = SCHEMA_STRUCT;
    type->element_size = type->size = itemsize;
    type->count = 1;
    type->first_field = s->nfields;
    type->nfields = nnames;
    for (uint32_t i = 0; i < nnames; i++)
        s->fields[s->nfields++] = (struct schema_field){names[i], offsets[i], types[i]};
    *ret = t;
    return 0;
}

int schema_parse(struct schema *s, const char *text, char *error, size_t error_size)
{
    struct parser p;
    memset(s, 0, sizeof *s);
    p.s = s;
    p.message[0] = '\0';
    size_t len = strnlen(text, SCHEMA_TEXT_MAX + 1);
    if (len > SCHEMA_TEXT_MAX) {
        set_error(error, error_size, "schema longer than %u characters", SCHEMA_TEXT_MAX);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if (text[i] < 0x20 || text[i] > 0x7e) {
            set_error(error, error_size, "schema character %zu (0x%02x) is not printable ASCII", i + 1,
                      (unsigned char)text[i]);
            return -1;
        }
    /* A structure, or an array of structures: a shape, then the object. */
    const char *q = text;
    uint64_t dims[SCHEMA_MAX_DIMS];
    uint32_t ndim = 0;
    uint64_t count = 1;
    int rc = parse_shape(&p, &q, text + len, "the shape", dims, &ndim, &count);
    json_reader_init(&p.r, q, len - (size_t)(q - text));
    if (rc == 0 && json_peek(&p.r) == '{') {
        rc = parse_struct(&p, 1, &s->root);
        if (rc == 0 && json_end(&p.r) != 0)
            rc = reader_fail(&p);
        if (rc == 0)
            rc = set_shape(&p, s->root, dims, ndim, count);
    } else if (len == 0) {
        rc = parse_fail(&p, "empty schema");
    } else {
        p.message[0] = '\0';
        rc = parse_scalar(&p, text, len, &s->root);
    }
    if (rc != 0) {
        set_error(error, error_size, "bad schema: %s", p.message[0] ? p.message : "unknown fault");
        return -1;
    }
    return 0;
}

uint64_t schema_itemsize(const struct schema *s)
{
    return s->types[s->root].size;
}

const struct schema_type *schema_root(const struct schema *s)
{
    return &s->types[s->root];
}

const struct schema_type *schema_field_type(const struct schema *s, const struct schema_field *f)
{
    return &s->types[f->type];
}

const char *schema_field_name(const struct schema *s, const struct schema_field *f)
{
    return s->names + f->name;
}

/* ---- decoding ------------------------------------------------------------ */

static uint64_t load(const unsigned char *at, uint64_t size, int big_endian)
{
    uint64_t v = 0;
    for (uint64_t i = 0; i < size; i++)
        v |= (uint64_t)at[big_endian ? size - 1 - i : i] << (8 * i);
    return v;
}

static void store(unsigned char *at, uint64_t size, int big_endian, uint64_t v)
{
    for (uint64_t i = 0; i < size; i++)
        at[big_endian ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static double load_float(const unsigned char *at, uint64_t size, int big_endian)
{
    uint64_t bits = load(at, size, big_endian);
    if (size == 4) {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof f);
        return f;
    }
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* The shortest text that reads back as the same float (or double). */
static void put_float(struct textbuf *out, double v, int single, int json)
{
    if (isnan(v)) {
        textbuf_puts(out, json ? "NaN" : "nan");
        return;
    }
    if (isinf(v)) {
        textbuf_puts(out, v < 0 ? (json ? "-Infinity" : "-inf") : (json ? "Infinity" : "inf"));
        return;
    }
    /* The fewest significant digits that read back, then Python's repr
     * layout: positional for exponents -4..15, scientific beyond. */
    char buf[48];
    int digits = 1;
    for (; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)v : back == v)
            break;
    }
    int exponent = atoi(strchr(buf, 'e') + 1);
    if (exponent >= -4 && exponent < 16)
        snprintf(buf, sizeof buf, "%.*f", digits - 1 - exponent > 0 ? digits - 1 - exponent : 0, v);
    textbuf_puts(out, buf);
    if (!strpbrk(buf, ".e"))
        textbuf_puts(out, ".0"); /* a float looks like one */
}

struct decoder {
    const struct schema *s;
    struct textbuf *out;
    int json;
    uint64_t shown; /* text: array elements shown so far in this array */
};

static void put_struct(struct decoder *d, const struct schema_type *type, const unsigned char *at, int indent);

static void put_element(struct decoder *d, const struct schema_type *type, const unsigned char *at)
{
    static const char hex[] = "0123456789abcdef";
    switch (type->kind) {
    case SCHEMA_BOOL:
        textbuf_puts(d->out, at[0] ? "true" : "false");
        break;
    case SCHEMA_INT: {
        uint64_t u = load(at, type->element_size, type->big_endian);
        unsigned bits = (unsigned)(8 * type->element_size);
        int64_t v = bits < 64 && (u >> (bits - 1)) ? (int64_t)(u - (UINT64_C(1) << bits)) : (int64_t)u;
        textbuf_printf(d->out, "%lld", (long long)v);
        break;
    }
    case SCHEMA_UINT:
        textbuf_printf(d->out, "%llu", (unsigned long long)load(at, type->element_size, type->big_endian));
        break;
    case SCHEMA_FLOAT:
        put_float(d->out, load_float(at, type->element_size, type->big_endian), type->element_size == 4, d->json);
        break;
    case SCHEMA_STRING: {
        uint64_t n = type->element_size;
        while (n > 0 && at[n - 1] == '\0')
            n--;
        json_quote(d->out, (const char *)at, n, 0);
        break;
    }
    case SCHEMA_OPAQUE: {
        uint64_t n = type->element_size;
        int cut = !d->json && n > 64;
        textbuf_puts(d->out, d->json ? "\"" : "0x");
        for (uint64_t i = 0; i < (cut ? 64 : n); i++) {
            textbuf_putc(d->out, hex[at[i] >> 4]);
            textbuf_putc(d->out, hex[at[i] & 15]);
        }
        if (cut)
            textbuf_printf(d->out, "... (%llu bytes)", (unsigned long long)n);
        if (d->json)
            textbuf_putc(d->out, '"');
        break;
    }
    case SCHEMA_STRUCT:
        put_struct(d, type, at, -1);
        break;
    }
}

static void put_array(struct decoder *d, const struct schema_type *type, const unsigned char *at, uint32_t dim)
{
    uint64_t n = d->s->dims[type->first_dim + dim];
    uint64_t stride = type->element_size;
    for (uint32_t i = dim + 1; i < type->ndim; i++)
        stride *= d->s->dims[type->first_dim + i];
    textbuf_putc(d->out, '[');
    for (uint64_t i = 0; i < n; i++) {
        if (i)
            textbuf_puts(d->out, d->json ? "," : ", ");
        if (!d->json && d->shown >= SCHEMA_TEXT_ARRAY_MAX) {
            textbuf_puts(d->out, "...");
            break;
        }
        if (dim + 1 < type->ndim) {
            put_array(d, type, at + i * stride, dim + 1);
        } else {
            put_element(d, type, at + i * stride);
            d->shown++;
        }
    }
    textbuf_putc(d->out, ']');
}

static void put_value(struct decoder *d, const struct schema_type *type, const unsigned char *at)
{
    if (type->ndim > 0) {
        d->shown = 0;
        put_array(d, type, at, 0);
    } else {
        put_element(d, type, at);
    }
}

/* A structure: JSON object, or text lines at indent (-1: inline, as JSON). */
static void put_struct(struct decoder *d, const struct schema_type *type, const unsigned char *at, int indent)
{
    int inline_form = d->json || indent < 0;
    if (inline_form)
        textbuf_putc(d->out, '{');
    for (uint32_t i = 0; i < type->nfields; i++) {
        const struct schema_field *f = &d->s->fields[type->first_field + i];
        const struct schema_type *ft = &d->s->types[f->type];
        const char *name = d->s->names + f->name;
        if (inline_form) {
            if (i)
                textbuf_putc(d->out, ',');
            json_quote(d->out, name, strlen(name), 1);
            textbuf_putc(d->out, ':');
            put_value(d, ft, at + f->offset);
            continue;
        }
        textbuf_printf(d->out, "%*s%s:", indent, "", name);
        if (ft->kind == SCHEMA_STRUCT && ft->ndim == 0) {
            textbuf_putc(d->out, '\n');
            put_struct(d, ft, at + f->offset, indent + 2);
        } else {
            textbuf_putc(d->out, ' ');
            put_value(d, ft, at + f->offset);
            textbuf_putc(d->out, '\n');
        }
    }
    if (inline_form)
        textbuf_putc(d->out, '}');
}

void schema_to_text(const struct schema *s, const void *data, struct textbuf *out)
{
    struct decoder d = {s, out, 0, 0};
    const struct schema_type *root = schema_root(s);
    if (root->kind == SCHEMA_STRUCT && root->ndim == 0) {
        put_struct(&d, root, data, 0);
    } else {
        put_value(&d, root, data);
        textbuf_putc(out, '\n');
    }
}

void schema_to_json(const struct schema *s, const void *data, struct textbuf *out)
{
    struct decoder d = {s, out, 1, 0};
    put_value(&d, schema_root(s), data);
}

/* ---- encoding ------------------------------------------------------------ */

struct encoder {
    const struct schema *s;
    struct json_reader r;
    char path[256]; /* the field being encoded, "pose.x" */
    char message[SCHEMA_ERROR_MAX];
};

static int encode_fail(struct encoder *e, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int encode_fail(struct encoder *e, const char *format, ...)
{
    if (e->message[0])
        return -1;
    char what[SCHEMA_ERROR_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    if (e->path[0])
        snprintf(e->message, sizeof e->message, "field %.100s: %.140s", e->path, what);
    else
        snprintf(e->message, sizeof e->message, "%s", what);
    return -1;
}

static int encode_reader_fail(struct encoder *e)
{
    return encode_fail(e, "%s", e->r.error[0] ? e->r.error : "bad JSON");
}

/* The type's name as numpy spells it, for messages. */
static void shape_text(const struct schema *s, const struct schema_type *type, struct textbuf *out)
{
    if (type->ndim == 0)
        return;
    textbuf_putc(out, '(');
    for (uint32_t i = 0; i < type->ndim; i++)
        textbuf_printf(out, i ? ", %llu" : "%llu", (unsigned long long)s->dims[type->first_dim + i]);
    textbuf_puts(out, type->ndim == 1 ? ",)" : ")");
}

static void type_text(const struct schema *s, const struct schema_type *type, struct textbuf *out)
{
    shape_text(s, type, out);
    static const char kinds[] = "biufSV";
    if (type->kind == SCHEMA_STRUCT) {
        textbuf_printf(out, "struct of %llu bytes", (unsigned long long)type->element_size);
        return;
    }
    char order = type->element_size == 1 || type->kind == SCHEMA_STRING || type->kind == SCHEMA_OPAQUE ? '|'
                 : type->big_endian                                                                  ? '>'
                                                                                                     : '<';
    textbuf_printf(out, "%c%c%llu", order, kinds[type->kind], (unsigned long long)type->element_size);
}

/* A JSON integer's text into the range of the type. */
static int encode_integer(struct encoder *e, const struct schema_type *type, const char *text, size_t len,
                          unsigned char *at)
{
    char copy[32];
    int digits = len > 0;
    for (size_t i = (len > 0 && text[0] == '-'); i < len; i++)
        digits &= is_digit(text[i]);
    if (!digits || len == (size_t)(text[0] == '-'))
        return encode_fail(e, "'%.*s' is not an integer", len > 40 ? 40 : (int)len, text);
    unsigned bits = (unsigned)(8 * type->element_size);
    if (len >= sizeof copy)
        return encode_fail(e, "%.*s... is out of range", 20, text);
    memcpy(copy, text, len);
    copy[len] = '\0';
    errno = 0;
    uint64_t u;
    if (type->kind == SCHEMA_INT) {
        long long v = strtoll(copy, NULL, 10);
        long long max = bits == 64 ? INT64_MAX : (long long)((UINT64_C(1) << (bits - 1)) - 1);
        long long min = -max - 1;
        if (errno == ERANGE || v < min || v > max)
            return encode_fail(e, "%s is out of range for a %u-bit signed integer (%lld to %lld)", copy, bits, min,
                               max);
        u = (uint64_t)v;
    } else {
        unsigned long long max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
        if (copy[0] == '-' && strspn(copy + 1, "0") != len - 1)
            return encode_fail(e, "%s is negative, the type is unsigned (0 to %llu)", copy, max);
        unsigned long long v = copy[0] == '-' ? 0 : strtoull(copy, NULL, 10);
        if (errno == ERANGE || v > max)
            return encode_fail(e, "%s is out of range for a %u-bit unsigned integer (0 to %llu)", copy, bits, max);
        u = v;
    }
    store(at, type->element_size, type->big_endian, u);
    return 0;
}

static void store_float(const struct schema_type *type, unsigned char *at, double v)
{
    if (type->element_size == 4) {
        float f = (float)v;
        uint32_t b32;
        memcpy(&b32, &f, sizeof b32);
        store(at, 4, type->big_endian, b32);
    } else {
        uint64_t b64;
        memcpy(&b64, &v, sizeof b64);
        store(at, 8, type->big_endian, b64);
    }
}

/* A float's text (JSON number, NaN, Infinity, or strtod's forms when plain). */
static int encode_float(struct encoder *e, const struct schema_type *type, const char *text, size_t len,
                        unsigned char *at)
{
    char copy[64];
    if (len >= sizeof copy)
        return encode_fail(e, "'%.*s...' is too long for a number", 20, text);
    memcpy(copy, text, len);
    copy[len] = '\0';
    double v;
    if (strcmp(copy, "NaN") == 0) {
        v = NAN;
    } else if (strcmp(copy, "Infinity") == 0) {
        v = INFINITY;
    } else if (strcmp(copy, "-Infinity") == 0) {
        v = -INFINITY;
    } else {
        char *end;
        errno = 0;
        v = strtod(copy, &end);
        if (end == copy || *end)
            return encode_fail(e, "'%s' is not a number", copy);
        if (errno == ERANGE && isinf(v))
            return encode_fail(e, "%s is out of range for a float", copy);
    }
    /* Doubles from 2^128 - 2^103 up round to infinity as floats; below,
     * to at most FLT_MAX (its shortest text, 3.4028235e+38, is above it). */
    if (type->element_size == 4 && isfinite(v) && fabs(v) >= 0x1.ffffffp+127)
        return encode_fail(e, "%s is out of range for a 32-bit float", copy);
    store_float(type, at, v);
    return 0;
}

/* Exactly element_size bytes in hex, "0x" optional. */
static int encode_hex(struct encoder *e, const struct schema_type *type, const char *text, size_t len,
                      unsigned char *at)
{
    if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text += 2;
        len -= 2;
    }
    if (len != 2 * type->element_size)
        return encode_fail(e, "opaque bytes take exactly %llu hex digits, not %zu",
                           (unsigned long long)(2 * type->element_size), len);
    for (size_t i = 0; i < len; i += 2) {
        int hi = json_hex_digit(text[i]), lo = json_hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0)
            return encode_fail(e, "'%c%c' is not a hex byte", text[i], text[i + 1]);
        at[i / 2] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}

/* A JSON string (bytes mode) into a fresh buffer of at most max bytes. */
static char *read_bytes_string(struct encoder *e, uint64_t max, size_t *ret_len)
{
    /* The string cannot be longer than what is left of the text. */
    size_t left = (size_t)(e->r.end - e->r.p);
    size_t cap = (max < left ? (size_t)max : left) + 1;
    char *buf = malloc(cap);
    if (!buf) {
        encode_fail(e, "out of memory");
        return NULL;
    }
    if (json_string(&e->r, JSON_STRING_BYTES, buf, cap, ret_len) != 0) {
        free(buf);
        encode_reader_fail(e);
        return NULL;
    }
    return buf;
}

static int encode_value(struct encoder *e, const struct schema_type *type, unsigned char *at, int depth);

static int encode_element(struct encoder *e, const struct schema_type *type, unsigned char *at, int depth)
{
    const char *text;
    size_t len;
    switch (type->kind) {
    case SCHEMA_BOOL:
        if (json_literal(&e->r, "true"))
            at[0] = 1;
        else if (json_literal(&e->r, "false"))
            at[0] = 0;
        else if (json_peek(&e->r) == '0' || json_peek(&e->r) == '1') {
            if (json_number(&e->r, &text, &len) != 0)
                return encode_reader_fail(e);
            if (len != 1)
                return encode_fail(e, "expected true or false");
            at[0] = (unsigned char)(text[0] - '0');
        } else
            return encode_fail(e, "expected true or false");
        return 0;
    case SCHEMA_INT:
    case SCHEMA_UINT:
        if (json_number(&e->r, &text, &len) != 0)
            return encode_fail(e, "expected an integer");
        return encode_integer(e, type, text, len, at);
    case SCHEMA_FLOAT:
        if (json_number(&e->r, &text, &len) != 0)
            return encode_fail(e, "expected a number");
        return encode_float(e, type, text, len, at);
    case SCHEMA_STRING:
    case SCHEMA_OPAQUE: {
        if (json_peek(&e->r) != '"')
            return encode_fail(e, type->kind == SCHEMA_STRING ? "expected a string" : "expected a hex string");
        uint64_t max = type->kind == SCHEMA_STRING ? type->element_size : 2 * type->element_size + 2;
        char *bytes = read_bytes_string(e, max, &len);
        if (!bytes)
            return -1;
        int rc = 0;
        if (type->kind == SCHEMA_OPAQUE)
            rc = encode_hex(e, type, bytes, len, at);
        else if (len > type->element_size)
            rc = encode_fail(e, "%zu bytes do not fit |S%llu", len, (unsigned long long)type->element_size);
        else
            memcpy(at, bytes, len);
        free(bytes);
        return rc;
    }
    case SCHEMA_STRUCT: {
        unsigned char seen[SCHEMA_MAX_STRUCT_FIELDS] = {0};
        if (json_peek(&e->r) != '{')
            return encode_fail(e, "expected an object with the fields");
        e->r.p++;
        if (!json_accept(&e->r, '}')) {
            do {
                char name[SCHEMA_TEXT_MAX + 1];
                if (json_peek(&e->r) != '"')
                    return encode_fail(e, "expected a field name");
                if (json_string(&e->r, JSON_STRING_UTF8, name, sizeof name, &len) != 0 ||
                    json_expect(&e->r, ':') != 0)
                    return encode_reader_fail(e);
                const struct schema_field *field = NULL;
                uint32_t index = 0;
                for (uint32_t i = 0; i < type->nfields && !field; i++)
                    if (strcmp(e->s->names + e->s->fields[type->first_field + i].name, name) == 0) {
                        field = &e->s->fields[type->first_field + i];
                        index = i;
                    }
                if (!field)
                    return encode_fail(e, "no field \"%.64s\"", name);
                if (seen[index])
                    return encode_fail(e, "field \"%.64s\" given twice", name);
                seen[index] = 1;
                size_t path_len = strlen(e->path);
                snprintf(e->path + path_len, sizeof e->path - path_len, "%s%s", path_len ? "." : "", name);
                if (encode_value(e, &e->s->types[field->type], at + field->offset, depth + 1) != 0)
                    return -1;
                e->path[path_len] = '\0';
            } while (json_accept(&e->r, ','));
            if (json_expect(&e->r, '}') != 0)
                return encode_reader_fail(e);
        }
        for (uint32_t i = 0; i < type->nfields; i++)
            if (!seen[i])
                return encode_fail(e, "field \"%s\" is missing",
                                   e->s->names + e->s->fields[type->first_field + i].name);
        return 0;
    }
    }
    return encode_fail(e, "unknown type");
}

static int encode_array(struct encoder *e, const struct schema_type *type, unsigned char *at, uint32_t dim,
                        int depth)
{
    uint64_t n = e->s->dims[type->first_dim + dim];
    uint64_t stride = type->element_size;
    for (uint32_t i = dim + 1; i < type->ndim; i++)
        stride *= e->s->dims[type->first_dim + i];
    if (json_peek(&e->r) != '[')
        return encode_fail(e, "expected an array of %llu", (unsigned long long)n);
    e->r.p++;
    for (uint64_t i = 0; i < n; i++) {
        if (i && !json_accept(&e->r, ','))
            return encode_fail(e, "expected %llu elements, found %llu", (unsigned long long)n,
                               (unsigned long long)i);
        if (i == 0 && json_peek(&e->r) == ']')
            return encode_fail(e, "expected %llu elements, found 0", (unsigned long long)n);
        int rc = dim + 1 < type->ndim ? encode_array(e, type, at + i * stride, dim + 1, depth)
                                      : encode_element(e, type, at + i * stride, depth);
        if (rc != 0)
            return -1;
    }
    if (json_peek(&e->r) == ',')
        return encode_fail(e, "more than %llu elements", (unsigned long long)n);
    if (json_expect(&e->r, ']') != 0)
        return encode_reader_fail(e);
    return 0;
}

static int encode_value(struct encoder *e, const struct schema_type *type, unsigned char *at, int depth)
{
    if (depth > SCHEMA_MAX_DEPTH + 1)
        return encode_fail(e, "nested too deeply");
    return type->ndim > 0 ? encode_array(e, type, at, 0, depth) : encode_element(e, type, at, depth);
}

/* A scalar root as plain text (no JSON quoting). */
static int encode_plain(struct encoder *e, const struct schema_type *type, const char *text, unsigned char *at)
{
    size_t len = strlen(text);
    switch (type->kind) {
    case SCHEMA_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "1"))
            at[0] = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "0"))
            at[0] = 0;
        else
            return encode_fail(e, "'%.40s' is not a bool (true, false, 1, 0)", text);
        return 0;
    case SCHEMA_INT:
    case SCHEMA_UINT:
        return encode_integer(e, type, text, len, at);
    case SCHEMA_FLOAT:
        return encode_float(e, type, text, len, at);
    case SCHEMA_STRING:
        if (len > type->element_size)
            return encode_fail(e, "%zu bytes do not fit |S%llu", len, (unsigned long long)type->element_size);
        memcpy(at, text, len);
        return 0;
    case SCHEMA_OPAQUE:
        return encode_hex(e, type, text, len, at);
    case SCHEMA_STRUCT:
        break;
    }
    return encode_fail(e, "a structure is given as a JSON object");
}

int schema_encode(const struct schema *s, const char *text, void *out, char *error, size_t error_size)
{
    const struct schema_type *root = schema_root(s);
    struct encoder e;
    e.s = s;
    e.path[0] = e.message[0] = '\0';
    memset(out, 0, root->size);
    json_reader_init(&e.r, text, strlen(text));
    if (encode_value(&e, root, out, 0) == 0 && (json_end(&e.r) == 0 || encode_reader_fail(&e) == 0))
        return 0;
    /* A scalar may also be plain text, unless it was meant as JSON: a
     * quoted string, or an array or object where no string is expected. */
    char first = text[strspn(text, " \t\r\n")];
    int meant_json = first == '"' || ((first == '{' || first == '[') && root->kind != SCHEMA_STRING);
    if (root->ndim == 0 && root->kind != SCHEMA_STRUCT && !meant_json) {
        e.message[0] = e.path[0] = '\0';
        memset(out, 0, root->size);
        if (encode_plain(&e, root, text, out) == 0)
            return 0;
    }
    struct textbuf name = {0};
    schema_summary(s, &name);
    set_error(error, error_size, "value for %s: %s", name.failed ? "the schema" : textbuf_text(&name), e.message);
    textbuf_free(&name);
    return -1;
}

/* ---- descriptions -------------------------------------------------------- */

static void summary_of(const struct schema *s, const struct schema_type *type, int nested, struct textbuf *out)
{
    if (type->kind != SCHEMA_STRUCT) {
        type_text(s, type, out);
        return;
    }
    shape_text(s, type, out); /* "(4,)struct{x,y}" */
    textbuf_puts(out, nested ? "{" : "struct{");
    for (uint32_t i = 0; i < type->nfields; i++) {
        const struct schema_field *f = &s->fields[type->first_field + i];
        if (i)
            textbuf_putc(out, ',');
        textbuf_puts(out, s->names + f->name);
        if (s->types[f->type].kind == SCHEMA_STRUCT)
            summary_of(s, &s->types[f->type], 1, out);
    }
    textbuf_putc(out, '}');
}

void schema_summary(const struct schema *s, struct textbuf *out)
{
    summary_of(s, schema_root(s), 0, out);
}

static void describe_fields(const struct schema *s, const struct schema_type *type, int indent, struct textbuf *out)
{
    for (uint32_t i = 0; i < type->nfields; i++) {
        const struct schema_field *f = &s->fields[type->first_field + i];
        const struct schema_type *ft = &s->types[f->type];
        int width = 20 - indent > 1 ? 20 - indent : 1;
        textbuf_printf(out, "%*s%-*s ", indent, "", width, s->names + f->name);
        type_text(s, ft, out);
        textbuf_printf(out, "  offset %llu\n", (unsigned long long)f->offset);
        if (ft->kind == SCHEMA_STRUCT)
            describe_fields(s, ft, indent + 2, out);
    }
}

void schema_describe(const struct schema *s, struct textbuf *out)
{
    const struct schema_type *root = schema_root(s);
    if (root->kind != SCHEMA_STRUCT) {
        textbuf_puts(out, "  ");
        type_text(s, root, out);
        textbuf_printf(out, "  (%llu bytes)\n", (unsigned long long)root->size);
        return;
    }
    textbuf_puts(out, "  ");
    shape_text(s, root, out);
    textbuf_printf(out, "%s of %llu bytes:\n", root->ndim ? " structures" : "structure",
                   (unsigned long long)root->element_size);
    describe_fields(s, root, 4, out);
}
