/* A channel's schema, as svipc(1) reads it: the one C parser of the schema
 * text the library stores in each channel (doc/channel.md, "Schemas"), and
 * the decoder and encoder of values by it. Pure functions of their inputs
 * (no I/O, no IPC), so the Check suite and the fuzz target drive them alone.
 *
 * The grammar is numpy's own spelling, so Python round-trips it with np.dtype:
 *   - a scalar type as numpy's dtype.str: |b1 bool; |i1 <i2 <i4 <i8; |u1 <u2
 *     <u4 <u8; <f4 <f8; |S<n> n bytes; |V<n> n opaque bytes. The byte-order
 *     character is < (little), > (big), | or = (not applicable / native, this
 *     tool assumes little-endian like the library); optional prefix shape
 *     "(d0,d1,...)" as in (3,)<f8 or (480, 640, 3)|u1;
 *   - or a structure as a JSON object in numpy's dict form: "names" and
 *     "formats" (scalar strings as above, or nested such objects), optional
 *     "offsets" (packed when absent) and "itemsize" (the end of the last field
 *     when absent); no other keys; at the top level optionally prefixed by a
 *     shape, "(4,){...}", for an array of structures.
 * Other numpy types (f2, c8, M8, U...) are refused: svipc(1) shows such a
 * channel's values as opaque bytes.
 * Text is bounded by SCHEMA_TEXT_MAX, which bounds everything else. */
#ifndef SVIPC_TOOL_SCHEMA_H
#define SVIPC_TOOL_SCHEMA_H

#include "textbuf.h"

#include <stddef.h>
#include <stdint.h>

#define SCHEMA_TEXT_MAX 2047u                     /* = SVIPC_CHANNEL_SCHEMA_MAX */
#define SCHEMA_MAX_NODES (SCHEMA_TEXT_MAX / 3 + 1) /* a type takes >= 3 characters ("|b1") */
#define SCHEMA_MAX_DIMS 32                        /* numpy's own limit for a subarray */
#define SCHEMA_MAX_DEPTH 16                       /* structures inside structures */
#define SCHEMA_SIZE_MAX (UINT64_C(1) << 48)       /* any size or offset; channels are far smaller */
#define SCHEMA_ERROR_MAX 256
/* Text output shows at most this many elements of an array ("..." after). */
#define SCHEMA_TEXT_ARRAY_MAX 32

enum schema_kind {
    SCHEMA_BOOL,   /* b1 */
    SCHEMA_INT,    /* i1 i2 i4 i8 */
    SCHEMA_UINT,   /* u1 u2 u4 u8 */
    SCHEMA_FLOAT,  /* f4 f8 */
    SCHEMA_STRING, /* S<n>: n bytes, NUL-padded (numpy strips trailing NULs) */
    SCHEMA_OPAQUE, /* V<n>: n bytes nobody described */
    SCHEMA_STRUCT, /* the fields of a structure */
};

/* One type: a scalar, an array of scalars, or a structure. */
struct schema_type {
    enum schema_kind kind;
    int big_endian;
    uint64_t element_size; /* bytes of one element (a structure's itemsize) */
    uint32_t ndim;         /* 0 for no shape */
    uint32_t first_dim;    /* shape = schema.dims[first_dim .. first_dim + ndim) */
    uint64_t count;        /* elements: the product of the shape, 1 without one */
    uint64_t size;         /* element_size * count */
    uint32_t first_field;  /* SCHEMA_STRUCT: schema.fields[first_field .. first_field + nfields) */
    uint32_t nfields;
};

struct schema_field {
    uint32_t name;   /* offset into schema.names */
    uint64_t offset; /* bytes from the start of the structure */
    uint32_t type;   /* index into schema.types */
};

/* A parsed schema: fixed arrays, no allocation, so it cannot leak. Large
 * (tens of kilobytes): allocate it, don't put it on a small stack. */
struct schema {
    struct schema_type types[SCHEMA_MAX_NODES];
    uint32_t ntypes;
    struct schema_field fields[SCHEMA_MAX_NODES];
    uint32_t nfields;
    uint64_t dims[SCHEMA_TEXT_MAX / 2 + 1]; /* a dimension takes >= 2 characters ("3,") */
    uint32_t ndims;
    char names[SCHEMA_TEXT_MAX + SCHEMA_MAX_NODES + 1]; /* each name NUL-terminated */
    uint32_t names_used;
    uint32_t root; /* the type of a whole value */
};

/* Parse the schema text (NUL-terminated). Returns 0, or -1 with a message
 * in error (error_size bytes, may be 0). */
int schema_parse(struct schema *s, const char *text, char *error, size_t error_size);

/* Bytes of one value. */
uint64_t schema_itemsize(const struct schema *s);
/* The root type, a field's type and name. */
const struct schema_type *schema_root(const struct schema *s);
const struct schema_type *schema_field_type(const struct schema *s, const struct schema_field *f);
const char *schema_field_name(const struct schema *s, const struct schema_field *f);

/* One value (schema_itemsize() bytes at data) as text: a scalar as itself,
 * an array as [a, b, ...] (at most SCHEMA_TEXT_ARRAY_MAX elements shown), a
 * structure as "name: value" lines, nested ones indented. Ends with '\n'. */
void schema_to_text(const struct schema *s, const void *data, struct textbuf *out);
/* One value as compact JSON, everything shown: numbers, true/false, byte
 * strings as JSON strings (bytes >= 0x80 as \u0080..\u00ff, trailing NULs
 * dropped), opaque bytes as a hex string, structures as objects, arrays as
 * nested arrays; NaN and infinities as Python's json writes them. */
void schema_to_json(const struct schema *s, const void *data, struct textbuf *out);

/* The value given as text into out (schema_itemsize() bytes, zeroed first,
 * padding stays zero): JSON as schema_to_json() writes it (every field of a
 * structure exactly once, arrays of exactly the shape), or for a scalar
 * also plain text: true/false/1/0, a decimal integer, a float as strtod
 * reads it (nan, inf), a byte string unquoted, opaque bytes in hex. Values
 * that do not fit the type are refused, never wrapped or truncated.
 * Returns 0, or -1 with a message in error (out then holds garbage). */
int schema_encode(const struct schema *s, const char *text, void *out, char *error, size_t error_size);

/* A short description for listings: the text itself for a scalar type,
 * "struct{x,y,stamp}" (names only, nested ones expanded) for a structure. */
void schema_summary(const struct schema *s, struct textbuf *out);
/* One line per field, "  NAME  FORMAT  offset N" (nested ones indented),
 * for `svipc topic info`. */
void schema_describe(const struct schema *s, struct textbuf *out);

#endif
