"""Channel schemas: the numpy dtype text a channel stores (doc/channel.md, "Names and schemas").

A schema is numpy's own spelling of the element type, so it round-trips
through np.dtype:
  - a scalar type string as dtype.str ("|b1", "<i8", "<f8", "|S16", ...),
    optionally prefixed by a shape: "(3,)<f8", "(480,640,3)|u1";
  - a structured type as a JSON object in numpy's dict form,
    {"names":[...],"formats":[...],"offsets":[...],"itemsize":N}, each
    format a scalar/shape string or such an object; a structured array of a
    shape is that shape prefix followed by the object ("(4,){...}");
  - "|V<n>": n opaque bytes (what C's BYTES and application tags store).

This module derives a schema from a Python value (bool, int, float, bytes,
a ctypes Structure/Union/Array, a numpy array or scalar) and turns one back
into a dtype. ctypes types are described without numpy; everything else
that needs a dtype imports numpy when it is used.
"""
import ctypes
import json
import re
import sys
from typing import Any, Tuple

from ._constants import (SVIPC_CHANNEL_TYPE_BOOL, SVIPC_CHANNEL_TYPE_BYTES, SVIPC_CHANNEL_TYPE_FLOAT64,
                         SVIPC_CHANNEL_TYPE_INT64, SVIPC_CHANNEL_TYPE_USER)

_NATIVE = "<" if sys.byteorder == "little" else ">"
BOOL = "|b1"
INT64 = _NATIVE + "i8"
FLOAT64 = _NATIVE + "f8"
_SHAPE = re.compile(r"^\((\d+(?:,\d+)*,?)?\)")
_OPAQUE = re.compile(r"^\|V(\d+)$")
_BYTE_STRING = re.compile(r"^\|S(\d+)$")


def opaque(size: int) -> str:
    """The schema of `size` opaque bytes (C's BYTES channels, Python bytes)."""
    return f"|V{size}"


def bytes_size(schema: str) -> int:
    """n for "|V<n>" or "|S<n>" (values read back as Python bytes), else 0."""
    match = _OPAQUE.match(schema) or _BYTE_STRING.match(schema)
    return int(match.group(1)) if match else 0


def type_tag(schema: str) -> int:
    """The element type tag a channel of this schema is created with: the C
    tags for bool, int64, float64 and opaque bytes, SVIPC_CHANNEL_TYPE_USER
    for everything else (the schema tells those apart)."""
    if schema == BOOL:
        return SVIPC_CHANNEL_TYPE_BOOL
    if schema == INT64:
        return SVIPC_CHANNEL_TYPE_INT64
    if schema == FLOAT64:
        return SVIPC_CHANNEL_TYPE_FLOAT64
    if _OPAQUE.match(schema):
        return SVIPC_CHANNEL_TYPE_BYTES
    return SVIPC_CHANNEL_TYPE_USER


def _shape_prefix(shape: Tuple[int, ...]) -> str:
    if not shape:
        return ""
    return "(" + ",".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


# ---- ctypes types, without numpy ------------------------------------------

_SIGNED = {ctypes.c_byte, ctypes.c_short, ctypes.c_int, ctypes.c_long, ctypes.c_longlong,
           ctypes.c_int8, ctypes.c_int16, ctypes.c_int32, ctypes.c_int64}
_UNSIGNED = {ctypes.c_ubyte, ctypes.c_ushort, ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulonglong,
             ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64}


def _scalar_format(kind: str, size: int) -> str:
    return ("|" if size == 1 else _NATIVE) + kind + str(size)


def _ctypes_format(ctype: Any) -> Any:
    """A ctypes type as a dict-form format: a string, or a nested object."""
    if issubclass(ctype, (ctypes.Structure, ctypes.Union)):
        return _ctypes_struct(ctype)
    if issubclass(ctype, ctypes.Array):
        shape = []
        while issubclass(ctype, ctypes.Array):
            shape.append(ctype._length_)
            ctype = ctype._type_
        inner = _ctypes_format(ctype)
        if isinstance(inner, dict):
            raise TypeError("arrays of structures inside a structure have no schema text; use a numpy dtype")
        return _shape_prefix(tuple(shape)) + inner
    size = ctypes.sizeof(ctype)
    if ctype is ctypes.c_bool:
        return BOOL
    if ctype is ctypes.c_char:
        return "|S1"
    if ctype in (ctypes.c_float, ctypes.c_double):
        return _scalar_format("f", size)
    # Subclasses of a simple type (c_int64 is c_long on LP64) keep its code.
    for base in ctype.__mro__:
        if base in _SIGNED:
            return _scalar_format("i", size)
        if base in _UNSIGNED:
            return _scalar_format("u", size)
    raise TypeError(f"{ctype.__name__} has no numpy equivalent (pointers and wide chars cannot be shared)")


def _ctypes_struct(cls: Any) -> dict:
    names, formats, offsets = [], [], []
    for field in cls._fields_:
        if len(field) > 2:
            raise TypeError(f"bit field {cls.__name__}.{field[0]} has no numpy equivalent")
        name, ctype = field
        names.append(name)
        formats.append(_ctypes_format(ctype))
        offsets.append(getattr(cls, name).offset)
    return {"names": names, "formats": formats, "offsets": offsets, "itemsize": ctypes.sizeof(cls)}


def of_ctypes(cls: Any) -> str:
    """The schema of a ctypes Structure, Union or Array type."""
    fmt = _ctypes_format(cls)
    return _dumps(fmt) if isinstance(fmt, dict) else fmt


# ---- numpy dtypes ----------------------------------------------------------

def _dtype_format(dtype: Any) -> Any:
    if dtype.subdtype is not None:
        base, shape = dtype.subdtype
        inner = _dtype_format(base)
        if isinstance(inner, dict):
            raise TypeError("subarrays of structures inside a structure have no schema text")
        return _shape_prefix(shape) + inner
    if dtype.names is not None:
        fields = [(name, dtype.fields[name]) for name in dtype.names]
        return {"names": list(dtype.names), "formats": [_dtype_format(f[0]) for _, f in fields],
                "offsets": [f[1] for _, f in fields], "itemsize": dtype.itemsize}
    if dtype.hasobject:
        raise TypeError("numpy arrays of Python objects cannot be shared")
    return dtype.str


def of_dtype(dtype: Any, shape: Tuple[int, ...] = ()) -> str:
    """The schema of values of numpy `dtype` and `shape`."""
    fmt = _dtype_format(dtype)
    return _shape_prefix(tuple(shape)) + (_dumps(fmt) if isinstance(fmt, dict) else fmt)


def _from_format(fmt: Any, numpy: Any) -> Any:
    if isinstance(fmt, dict):
        if set(fmt) - {"names", "formats", "offsets", "itemsize"}:
            raise ValueError(f"unknown keys in a structured schema: {sorted(set(fmt))}")
        spec = dict(fmt)
        spec["formats"] = [_from_format(f, numpy) for f in fmt.get("formats", [])]
        return numpy.dtype(spec)
    if not isinstance(fmt, str):
        raise ValueError(f"a schema format is a string or an object, not {fmt!r}")
    return numpy.dtype(fmt)


def to_dtype(schema: str) -> Tuple[Any, Tuple[int, ...]]:
    """(numpy dtype, shape) of a schema; ValueError if it is not one."""
    import numpy
    shape: Tuple[int, ...] = ()
    match = _SHAPE.match(schema)
    rest = schema
    if match and match.group(0) != schema:
        shape = tuple(int(d) for d in (match.group(1) or "").split(",") if d)
        rest = schema[match.end():]
    try:
        fmt = json.loads(rest) if rest.startswith("{") else rest
        return _from_format(fmt, numpy), shape
    except (TypeError, ValueError, KeyError) as e:
        raise ValueError(f"schema {schema!r} is not a numpy dtype: {e}") from None


def of_value(value: Any) -> str:
    """The schema derived from a default value (see the module comment)."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT64
    if isinstance(value, float):
        return FLOAT64
    if isinstance(value, (bytes, bytearray)):
        return opaque(len(value))
    if isinstance(value, (ctypes.Structure, ctypes.Union, ctypes.Array)):
        return of_ctypes(type(value))
    if type(value).__module__ == "numpy" and hasattr(value, "dtype"):
        return of_dtype(value.dtype, getattr(value, "shape", ()))
    raise TypeError(f"channels carry bool, int, float, bytes, ctypes structs or numpy arrays, "
                    f"not {type(value).__name__}")
