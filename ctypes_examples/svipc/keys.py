"""System V keys from names and paths (include/svipc/key.h, doc/keys.md)."""
import ctypes
import os
from typing import Optional, Union

from ._constants import SVIPC_KEY_PRIVATE
from ._lib import lib

KEY_PRIVATE = SVIPC_KEY_PRIVATE


def key_from_name(name: Union[str, bytes]) -> int:
    """Stable key for a name (FNV-1a, identical to the C svipc_key_from_name)."""
    key = ctypes.c_int32()
    lib.svipc_key_from_name(name.encode() if isinstance(name, str) else name, ctypes.byref(key))
    return key.value


def key_from_path(path: Union[str, bytes, "os.PathLike[str]"], proj_id: int = 1) -> int:
    """ftok(path, proj_id); FileNotFoundError if path does not exist."""
    key = ctypes.c_int32()
    lib.svipc_key_from_path(os.fsencode(path), proj_id, ctypes.byref(key))
    return key.value


def resolve_key(key: Optional[int], name: Optional[str], path: Optional[str], proj_id: int) -> int:
    """The key of the (key | name | path, proj_id) arguments every opener takes."""
    given = sum(x is not None for x in (key, name, path))
    if given > 1:
        raise ValueError("give only one of key, name, path")
    if name is not None:
        return key_from_name(name)
    if path is not None:
        return key_from_path(path, proj_id)
    return KEY_PRIVATE if key is None else key
