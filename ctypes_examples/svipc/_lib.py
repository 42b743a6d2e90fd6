"""The one loader of libsvipc.so and the signature of every exported function.

Library lookup, first that loads: $SVIPC_LIBRARY (then nothing else), the
path meson recorded when it built and installed this package (_paths.py),
build/capi/ of the source checkout this package sits in, then the system's
libsvipc.so.0. A library of another major version is refused.

`lib.svipc_*` are the checked functions: exact argtypes, GIL released
during the call, and a negative result raised as OSError. `function()` makes
the unchecked variants the per-call paths use: with or without argtypes, and
through a PyDLL view that keeps the GIL for calls that never block.
"""
import ctypes
import ctypes.util
import errno
import os
import pathlib
import time
from ctypes import c_char_p, c_int, c_int32, c_int64, c_uint32, c_uint64, c_void_p, POINTER
from typing import Any, Callable, Dict, Iterator, List, NoReturn, Optional, Tuple

from . import _constants as C
from ._structs import (ChannelInfo, ChannelReadInfo, IpcLimits, IpcUsage, MsgCall, MsgInfo, OrphanStruct, SemCall,
                       SemInfo, SemOp, ShmInfo)

try:
    from . import _paths  # written by meson: the library this copy of the package was built for
    _RECORDED: Optional[str] = _paths.LIBRARY
except ImportError:  # running from the source tree (ctypes_examples/svipc)
    _RECORDED = None


def _candidates() -> Iterator[str]:
    env = os.environ.get("SVIPC_LIBRARY")
    if env:
        yield env
        return  # an explicit choice must not silently fall back to another build
    if _RECORDED:
        yield _RECORDED
    checkout = pathlib.Path(__file__).resolve().parent.parent.parent
    built = checkout / "build" / "capi" / "libsvipc.so"
    if built.exists():
        yield str(built)
    found = ctypes.util.find_library("svipc")
    if found:
        yield found
    yield f"libsvipc.so.{C.SVIPC_VERSION_MAJOR}"


def _load() -> ctypes.CDLL:
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("cannot load libsvipc (set SVIPC_LIBRARY to its path): " + "; ".join(errors))


lib = _load()
#: The path of the libsvipc this package loaded.
library_path: str = lib._name


def _check_version() -> Tuple[int, str]:
    """(svipc_version(), svipc_version_string()); ImportError for another major version."""
    lib.svipc_version.restype = c_uint32
    lib.svipc_version_string.restype = c_char_p
    number = lib.svipc_version()
    major = number // 10000
    if major != C.SVIPC_VERSION_MAJOR:
        raise ImportError(f"{library_path} is libsvipc {lib.svipc_version_string().decode()} (major {major}); "
                          f"this svipc package needs major {C.SVIPC_VERSION_MAJOR}: set SVIPC_LIBRARY to a "
                          f"matching library")
    return number, lib.svipc_version_string().decode()


version, version_string = _check_version()


# The same library as a PyDLL: its calls keep the GIL instead of releasing
# and retaking it (~20 ns of a ~60 ns call). Only for calls that never
# block: a blocked call holding the GIL would stop every Python thread.
_lib_holding_gil = ctypes.PyDLL(library_path)


def _handle_type(name: str) -> Any:
    """A distinct pointer type per opaque handle, so ctypes rejects the wrong handle."""
    return POINTER(type(name, (ctypes.Structure,), {}))


ShmPtr = _handle_type("svipc_shm")
SemPtr = _handle_type("svipc_sem")
MsgPtr = _handle_type("svipc_msg")
ChannelPtr = _handle_type("svipc_channel")

CHECKED, PLAIN = True, False
# name: (restype, argtypes, checked). CHECKED functions return -errno on
# failure; PLAIN ones return a value (or a handle) that is never an error.
# test_abi.py checks that this table and capi/svipc.map name the same
# functions and that each has the header's number of parameters.
SIGNATURES: Dict[str, Tuple[Any, List[Any], bool]] = {
    # error.h, version.h, key.h
    "svipc_strerror": (c_char_p, [c_int], PLAIN),
    "svipc_last_error_message": (c_char_p, [], PLAIN),
    "svipc_version": (c_uint32, [], PLAIN),
    "svipc_version_string": (c_char_p, [], PLAIN),
    "svipc_key_from_path": (c_int, [c_char_p, c_int32, POINTER(c_int32)], CHECKED),
    "svipc_key_from_name": (c_int, [c_char_p, POINTER(c_int32)], CHECKED),
    # shm.h
    "svipc_page_size": (c_uint64, [], PLAIN),
    "svipc_shm_attach_alignment": (c_uint64, [], PLAIN),
    "svipc_shm_open": (c_int, [c_int32, c_uint64, c_uint32, c_uint32, POINTER(ShmPtr)], CHECKED),
    "svipc_shm_open_id": (c_int, [c_int32, POINTER(ShmPtr)], CHECKED),
    "svipc_shm_close": (ShmPtr, [ShmPtr], PLAIN),
    "svipc_shm_id": (c_int, [ShmPtr], CHECKED),
    "svipc_shm_size": (c_uint64, [ShmPtr], PLAIN),
    "svipc_shm_attach": (c_int, [ShmPtr, c_void_p, c_uint32, POINTER(c_void_p)], CHECKED),
    "svipc_shm_attach_into": (c_int, [ShmPtr, c_void_p, c_uint64, c_uint32, POINTER(c_void_p)], CHECKED),
    "svipc_shm_detach": (c_int, [ShmPtr, c_void_p], CHECKED),
    "svipc_shm_remove": (c_int, [ShmPtr], CHECKED),
    "svipc_shm_remove_id": (c_int, [c_int32], CHECKED),
    "svipc_shm_stat": (c_int, [ShmPtr, POINTER(ShmInfo)], CHECKED),
    "svipc_shm_stat_id": (c_int, [c_int32, POINTER(ShmInfo)], CHECKED),
    "svipc_shm_set_mode": (c_int, [ShmPtr, c_uint32], CHECKED),
    "svipc_shm_set_owner": (c_int, [ShmPtr, c_uint32, c_uint32], CHECKED),
    # sem.h
    "svipc_sem_open": (c_int, [c_int32, c_uint32, c_uint32, c_uint32, POINTER(ctypes.c_uint16), c_int64,
                               POINTER(SemPtr)], CHECKED),
    "svipc_sem_open_id": (c_int, [c_int32, c_uint32, POINTER(SemPtr)], CHECKED),
    "svipc_sem_close": (SemPtr, [SemPtr], PLAIN),
    "svipc_sem_id": (c_int, [SemPtr], CHECKED),
    "svipc_sem_nsems": (c_int, [SemPtr], CHECKED),
    "svipc_sem_created": (c_int, [SemPtr], CHECKED),
    "svipc_sem_p": (c_int, [SemPtr, c_uint32, c_uint32, c_uint32, c_int64], CHECKED),
    "svipc_sem_v": (c_int, [SemPtr, c_uint32, c_uint32, c_uint32], CHECKED),
    "svipc_sem_p_call": (c_int, [POINTER(SemCall)], CHECKED),
    "svipc_sem_v_call": (c_int, [POINTER(SemCall)], CHECKED),
    "svipc_sem_ops": (c_int, [SemPtr, POINTER(SemOp), c_uint32, c_uint32, c_int64], CHECKED),
    "svipc_sem_lock": (c_int, [SemPtr, c_uint32, c_uint32, c_int64], CHECKED),
    "svipc_sem_unlock": (c_int, [SemPtr, c_uint32, c_uint32], CHECKED),
    "svipc_sem_value": (c_int, [SemPtr, c_uint32], CHECKED),
    "svipc_sem_set_value": (c_int, [SemPtr, c_uint32, c_uint32], CHECKED),
    "svipc_sem_values": (c_int, [SemPtr, POINTER(ctypes.c_uint16), c_uint32], CHECKED),
    "svipc_sem_set_values": (c_int, [SemPtr, POINTER(ctypes.c_uint16), c_uint32], CHECKED),
    "svipc_sem_waiting": (c_int, [SemPtr, c_uint32], CHECKED),
    "svipc_sem_waiting_zero": (c_int, [SemPtr, c_uint32], CHECKED),
    "svipc_sem_last_pid": (c_int, [SemPtr, c_uint32], CHECKED),
    "svipc_sem_stat": (c_int, [SemPtr, POINTER(SemInfo)], CHECKED),
    "svipc_sem_stat_id": (c_int, [c_int32, POINTER(SemInfo)], CHECKED),
    "svipc_sem_set_mode": (c_int, [SemPtr, c_uint32], CHECKED),
    "svipc_sem_set_owner": (c_int, [SemPtr, c_uint32, c_uint32], CHECKED),
    "svipc_sem_remove": (c_int, [SemPtr], CHECKED),
    "svipc_sem_remove_id": (c_int, [c_int32], CHECKED),
    # msg.h
    "svipc_msg_open": (c_int, [c_int32, c_uint32, c_uint32, POINTER(MsgPtr)], CHECKED),
    "svipc_msg_open_id": (c_int, [c_int32, POINTER(MsgPtr)], CHECKED),
    "svipc_msg_close": (MsgPtr, [MsgPtr], PLAIN),
    "svipc_msg_id": (c_int, [MsgPtr], CHECKED),
    "svipc_msg_send": (c_int, [MsgPtr, c_int64, c_void_p, c_uint64, c_uint32, c_int64], CHECKED),
    "svipc_msg_receive": (c_int64, [MsgPtr, c_int64, c_void_p, c_uint64, c_uint32, c_int64, POINTER(c_int64)],
                          CHECKED),
    "svipc_msg_send_call": (c_int, [POINTER(MsgCall), c_void_p], CHECKED),
    "svipc_msg_receive_call": (c_int64, [POINTER(MsgCall)], CHECKED),
    "svipc_msg_stat": (c_int, [MsgPtr, POINTER(MsgInfo)], CHECKED),
    "svipc_msg_stat_id": (c_int, [c_int32, POINTER(MsgInfo)], CHECKED),
    "svipc_msg_set_capacity": (c_int, [MsgPtr, c_uint64], CHECKED),
    "svipc_msg_set_mode": (c_int, [MsgPtr, c_uint32], CHECKED),
    "svipc_msg_remove": (c_int, [MsgPtr], CHECKED),
    "svipc_msg_remove_id": (c_int, [c_int32], CHECKED),
    # channel.h
    "svipc_channel_open": (c_int, [c_char_p, c_uint32, c_uint64, c_uint32, c_uint32, c_uint32, POINTER(ChannelPtr)],
                           CHECKED),
    "svipc_channel_open_key": (c_int, [c_int32, c_uint32, c_uint64, c_uint32, c_uint32, c_uint32,
                                       POINTER(ChannelPtr)], CHECKED),
    "svipc_channel_open_schema": (c_int, [c_char_p, c_uint32, c_char_p, c_uint64, c_uint32, c_uint32, c_uint32,
                                          POINTER(ChannelPtr)], CHECKED),
    "svipc_channel_name": (c_int, [ChannelPtr, c_char_p, c_uint64], CHECKED),
    "svipc_channel_schema": (c_int, [ChannelPtr, c_char_p, c_uint64], CHECKED),
    "svipc_channel_close": (ChannelPtr, [ChannelPtr], PLAIN),
    "svipc_channel_remove": (c_int, [ChannelPtr], CHECKED),
    "svipc_channel_remove_name": (c_int, [c_char_p], CHECKED),
    "svipc_channel_publish": (c_int, [ChannelPtr, c_void_p, c_uint64, POINTER(c_uint64)], CHECKED),
    "svipc_channel_bind_publish": (c_int, [ChannelPtr, c_void_p, c_uint64], CHECKED),
    "svipc_channel_publish_bound": (c_int, [ChannelPtr], CHECKED),
    "svipc_channel_read": (c_int, [ChannelPtr, c_void_p, c_uint64, c_int64, POINTER(ChannelReadInfo)], CHECKED),
    "svipc_channel_bind_read": (c_int, [ChannelPtr, c_void_p, c_uint64, c_int64, POINTER(ChannelReadInfo)],
                                CHECKED),
    "svipc_channel_read_bound": (c_int, [ChannelPtr], CHECKED),
    "svipc_channel_wait": (c_int, [ChannelPtr, c_uint64, c_int64, c_uint32], CHECKED),
    "svipc_channel_wait_read": (c_int, [ChannelPtr, c_void_p, c_uint64, c_int64, c_uint32,
                                        POINTER(ChannelReadInfo)], CHECKED),
    "svipc_channel_read_history": (c_int, [ChannelPtr, c_uint64, c_void_p, c_uint64, POINTER(ChannelReadInfo),
                                           c_uint32, POINTER(c_uint64)], CHECKED),
    "svipc_channel_peek": (c_int, [ChannelPtr, c_int64, POINTER(c_void_p), POINTER(ChannelReadInfo)], CHECKED),
    "svipc_channel_peek_valid": (c_int, [ChannelPtr, c_uint64], CHECKED),
    "svipc_channel_loan": (c_int, [ChannelPtr, POINTER(c_void_p)], CHECKED),
    "svipc_channel_commit": (c_int, [ChannelPtr, POINTER(c_uint64)], CHECKED),
    "svipc_channel_abandon": (c_int, [ChannelPtr], CHECKED),
    "svipc_channel_acquire": (c_int, [ChannelPtr, c_int64, POINTER(c_void_p), POINTER(ChannelReadInfo)], CHECKED),
    "svipc_channel_release": (c_int, [ChannelPtr], CHECKED),
    "svipc_channel_set_spin": (c_int, [ChannelPtr, c_int64], CHECKED),
    "svipc_channel_payload_size": (c_uint64, [ChannelPtr], PLAIN),
    "svipc_channel_latest": (c_uint64, [ChannelPtr], PLAIN),
    "svipc_channel_stat": (c_int, [ChannelPtr, POINTER(ChannelInfo)], CHECKED),
    "svipc_channel_now_ns": (c_int64, [], PLAIN),
    # admin.h
    "svipc_list_shm": (c_int, [POINTER(ShmInfo), c_uint32, c_uint32], CHECKED),
    "svipc_list_sem": (c_int, [POINTER(SemInfo), c_uint32, c_uint32], CHECKED),
    "svipc_list_msg": (c_int, [POINTER(MsgInfo), c_uint32, c_uint32], CHECKED),
    "svipc_limits": (c_int, [POINTER(IpcLimits)], CHECKED),
    "svipc_usage": (c_int, [POINTER(IpcUsage)], CHECKED),
    "svipc_admin_channel_stat": (c_int, [c_int32, POINTER(ChannelInfo)], CHECKED),
    "svipc_admin_channel_describe": (c_int, [c_int32, c_char_p, c_uint64, c_char_p, c_uint64], CHECKED),
    "svipc_find_orphans": (c_int, [POINTER(OrphanStruct), c_uint32, c_int64, c_uint32], CHECKED),
}


def last_error_message() -> str:
    """The calling thread's message about its last failed svipc call."""
    return lib.svipc_last_error_message().decode("utf-8", "replace")


def raise_error(code: int) -> NoReturn:
    """Raise OSError(code) (FileNotFoundError, TimeoutError... by errno) with svipc's message."""
    raise OSError(code, last_error_message() or os.strerror(code))


def _errcheck(result: int, func: Any, args: Any) -> int:
    if result < 0:
        raise_error(-result)
    return result


for _name, (_restype, _argtypes, _checked) in SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype, _function.argtypes = _restype, _argtypes
    if _checked:
        _function.errcheck = _errcheck


def function(name: str, *, holds_gil: bool = False, bare: bool = False) -> Any:
    """A private, unchecked function object for `name` (the per-call paths test
    the result themselves instead of raising and catching).

    holds_gil: call through the PyDLL view (only for calls that never block).
    bare: no argtypes, for callers that pass ready-made ctypes objects, so no
    per-call conversion runs (handles go as c_void_p)."""
    restype, argtypes, _ = SIGNATURES[name]
    library = _lib_holding_gil if holds_gil else lib
    new = library._FuncPtr((name, library))
    new.restype = restype
    if not bare:
        # Handles travel as plain addresses (c_void_p) on these paths.
        new.argtypes = [c_void_p if t in (ShmPtr, SemPtr, MsgPtr, ChannelPtr) else t for t in argtypes]
    return new


def strerror(code: int) -> str:
    """Description of an svipc/errno code (either sign)."""
    return lib.svipc_strerror(code).decode()


_check_signals = ctypes.pythonapi.PyErr_CheckSignals
_check_signals.restype = c_int
_check_signals.argtypes = []
EINTR = -errno.EINTR


def resume_after_signal(call: Callable[[int], int], rc: int, timeout_ns: int) -> int:
    """After call(timeout_ns) returned -EINTR (a SVIPC_INTERRUPTIBLE wait hit by a
    signal): run Python's signal handlers (they may raise, e.g. KeyboardInterrupt),
    then call again with the time left on the original deadline, as PEP 475 does
    for the standard library. Returns the first result that is not -EINTR, or
    -ETIMEDOUT when the deadline passes between two tries."""
    deadline = time.monotonic_ns() + timeout_ns if timeout_ns > 0 else None
    while rc == EINTR:
        _check_signals()
        if deadline is not None:
            timeout_ns = deadline - time.monotonic_ns()
            if timeout_ns <= 0:
                return -errno.ETIMEDOUT
        rc = call(timeout_ns)
    return rc


def timeout_ns(timeout: Optional[float]) -> int:
    """Seconds (float) or None (block) -> the C API's timeout_ns."""
    if timeout is None:
        return C.SVIPC_WAIT_FOREVER
    if timeout < 0:
        raise ValueError("timeout must be >= 0 or None")
    return int(timeout * 1_000_000_000)


def address(handle: Any) -> Optional[int]:
    """The address of a handle (what the unchecked c_void_p paths take)."""
    return ctypes.cast(handle, c_void_p).value
