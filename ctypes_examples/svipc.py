"""svipc: System V IPC from Python through ctypes (no compiler needed).

Loads libsvipc.so and wraps it in context-managed classes. Every failure
raises OSError with the C library's errno (so FileNotFoundError,
FileExistsError, PermissionError, TimeoutError, BlockingIOError,
InterruptedError... as Python maps them) and svipc's detail message.

Library lookup order: $SVIPC_LIBRARY, a libsvipc.so* next to this module,
../build/capi/ of a source checkout, then the system's libsvipc.so.0.
"""
import ctypes
import ctypes.util
import mmap
import os
import pathlib
import sys

# ---------------------------------------------------------------- loading


def _candidates():
    env = os.environ.get("SVIPC_LIBRARY")
    if env:
        yield env
        return  # an explicit choice must not silently fall back to another build
    here = pathlib.Path(__file__).resolve().parent
    yield from (str(p) for p in sorted(here.glob("libsvipc.so*")))
    yield str(here.parent / "build" / "capi" / "libsvipc.so")
    found = ctypes.util.find_library("svipc")
    if found:
        yield found
    yield "libsvipc.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise OSError("cannot load libsvipc (set SVIPC_LIBRARY to its path): " + "; ".join(errors))


_lib = _load()

# ------------------------------------------------------ signatures, errors

_lib.svipc_last_error_message.restype = ctypes.c_char_p
_lib.svipc_last_error_message.argtypes = []
_lib.svipc_strerror.restype = ctypes.c_char_p
_lib.svipc_strerror.argtypes = [ctypes.c_int]


def _raise(code):
    message = _lib.svipc_last_error_message().decode("utf-8", "replace")
    # OSError(errno, text) becomes FileNotFoundError, TimeoutError... by errno.
    raise OSError(code, message or os.strerror(code))


def _errcheck(result, func, args):
    if result < 0:
        _raise(-result)
    return result


def _declare(name, restype, argtypes, errcheck=True):
    """Give an exported function its exact signature; never the default c_int restype."""
    function = getattr(_lib, name)
    function.restype = restype
    function.argtypes = argtypes
    if errcheck:
        function.errcheck = _errcheck
    return function


def _handle_type(name):
    """A distinct pointer type per opaque handle, so ctypes rejects the wrong handle."""
    return ctypes.POINTER(type(name, (ctypes.Structure,), {}))


def strerror(code):
    """Description of an svipc/errno code (either sign)."""
    return _lib.svipc_strerror(code).decode()


_declare("svipc_version", ctypes.c_uint32, [], errcheck=False)
_declare("svipc_version_string", ctypes.c_char_p, [], errcheck=False)
_declare("svipc_page_size", ctypes.c_uint64, [], errcheck=False)
_declare("svipc_shm_attach_alignment", ctypes.c_uint64, [], errcheck=False)
_declare("svipc_key_from_path", ctypes.c_int, [ctypes.c_char_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int32)])
_declare("svipc_key_from_name", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int32)])

version = _lib.svipc_version()
version_string = _lib.svipc_version_string().decode()
PAGE_SIZE = _lib.svipc_page_size()
# SHMLBA: where attach_into places a segment. PAGE_SIZE on x86-64 and arm64, 16 KiB on 32-bit ARM.
ATTACH_ALIGNMENT = _lib.svipc_shm_attach_alignment()

KEY_PRIVATE = 0
WAIT_FOREVER = -1


def key_from_name(name):
    """Stable key for a name (FNV-1a, identical to the C svipc_key_from_name)."""
    key = ctypes.c_int32()
    _lib.svipc_key_from_name(name.encode() if isinstance(name, str) else name, ctypes.byref(key))
    return key.value


def key_from_path(path, proj_id=1):
    """ftok(path, proj_id); FileNotFoundError if path does not exist."""
    key = ctypes.c_int32()
    _lib.svipc_key_from_path(os.fsencode(path), proj_id, ctypes.byref(key))
    return key.value


def _resolve_key(key, name, path, proj_id):
    given = sum(x is not None for x in (key, name, path))
    if given > 1:
        raise ValueError("give only one of key, name, path")
    if name is not None:
        return key_from_name(name)
    if path is not None:
        return key_from_path(path, proj_id)
    return KEY_PRIVATE if key is None else key


def _timeout_ns(timeout):
    """Seconds (float) or None (block) -> the C API's timeout_ns."""
    if timeout is None:
        return WAIT_FOREVER
    if timeout < 0:
        raise ValueError("timeout must be >= 0 or None")
    return int(timeout * 1_000_000_000)


# ---------------------------------------------------------- shared memory

CREATE = 0x1
EXCLUSIVE = 0x2
HUGETLB = 0x4
NORESERVE = 0x8
AUTO_REMOVE = 0x10
RDONLY = 0x100
RND = 0x200
REMAP = 0x400
PREFAULT = 0x800
KEEP_BUFFER = 0x1000
SHM_INFO_REMOVED = 0x1
SHM_INFO_LOCKED = 0x2


class _Closable:
    """`with obj:` closes obj at the end of the block."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _ClosedWhenCollected(_Closable):
    """Also closes, as a fallback, when garbage-collected (close() must be idempotent)."""

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


class _InfoStruct(ctypes.Structure):
    """Base of the fixed-width info structs: dict and repr of their fields."""

    def to_dict(self):
        return {name: getattr(self, name) for name, _ in self._fields_ if name != "reserved"}

    def __repr__(self):
        return f"{type(self).__name__}({self.to_dict()})"


class ShmInfo(_InfoStruct):
    """svipc_shm_info: what IPC_STAT says about a segment (times in ns)."""
    _fields_ = [
        ("id", ctypes.c_int32), ("key", ctypes.c_int32), ("mode", ctypes.c_uint32),
        ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32), ("cuid", ctypes.c_uint32),
        ("cgid", ctypes.c_uint32), ("cpid", ctypes.c_int32), ("lpid", ctypes.c_int32),
        ("flags", ctypes.c_uint32), ("size", ctypes.c_uint64), ("nattch", ctypes.c_uint64),
        ("atime_ns", ctypes.c_int64), ("dtime_ns", ctypes.c_int64), ("ctime_ns", ctypes.c_int64),
    ]

    @property
    def removed(self):
        return bool(self.flags & SHM_INFO_REMOVED)



_ShmPtr = _handle_type("svipc_shm")
_VoidPP = ctypes.POINTER(ctypes.c_void_p)
_declare("svipc_shm_open", ctypes.c_int,
         [ctypes.c_int32, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(_ShmPtr)])
_declare("svipc_shm_open_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(_ShmPtr)])
_declare("svipc_shm_close", _ShmPtr, [_ShmPtr], errcheck=False)
_declare("svipc_shm_id", ctypes.c_int, [_ShmPtr])
_declare("svipc_shm_size", ctypes.c_uint64, [_ShmPtr], errcheck=False)
_declare("svipc_shm_attach", ctypes.c_int, [_ShmPtr, ctypes.c_void_p, ctypes.c_uint32, _VoidPP])
_declare("svipc_shm_attach_into", ctypes.c_int,
         [_ShmPtr, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, _VoidPP])
_declare("svipc_shm_detach", ctypes.c_int, [_ShmPtr, ctypes.c_void_p])
_declare("svipc_shm_remove", ctypes.c_int, [_ShmPtr])
_declare("svipc_shm_remove_id", ctypes.c_int, [ctypes.c_int32])
_declare("svipc_shm_stat", ctypes.c_int, [_ShmPtr, ctypes.POINTER(ShmInfo)])
_declare("svipc_shm_stat_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(ShmInfo)])
_declare("svipc_shm_set_mode", ctypes.c_int, [_ShmPtr, ctypes.c_uint32])
_declare("svipc_shm_set_owner", ctypes.c_int, [_ShmPtr, ctypes.c_uint32, ctypes.c_uint32])


def _buffer_address(buffer):
    """(ctypes object pinning the buffer, address, length) of a writable buffer.

    The ctypes object holds a buffer export on `buffer`: while it lives, a
    bytearray cannot be resized and the owner (e.g. a numpy array) cannot be
    freed, which is exactly what an attach_into needs.
    """
    view = memoryview(buffer)
    if view.readonly:
        raise ValueError("attach_into needs a writable buffer")
    if not view.c_contiguous:
        raise ValueError("attach_into needs a C-contiguous buffer")
    length = view.nbytes
    view.release()
    if length == 0:
        raise ValueError("attach_into needs a non-empty buffer")
    pinned = (ctypes.c_char * length).from_buffer(buffer)
    return pinned, ctypes.addressof(pinned), length


class Attachment:
    """One mapping of a segment into this process (from attach or attach_into).

    `view()` gives a memoryview and `ndarray(dtype, shape)` a numpy array over
    the mapped memory, without copying. For a plain attach those views die
    with the mapping: detach() refuses (BufferError) while any of them is
    alive. For attach_into the host buffer stays valid after detach (it holds
    the segment's last contents), so the views stay valid too.
    """

    def __init__(self, shm, address, size, readonly, host=None, offset=0):
        self._shm = shm
        self.address = address
        self.size = size
        self.readonly = readonly
        self.offset = offset          # attach_into: where the segment starts in the host buffer
        self._host = host             # attach_into: pins the caller's buffer while attached
        self._memory = (ctypes.c_ubyte * size).from_address(address)

    @property
    def attached(self):
        return self._memory is not None

    def _check_attached(self):
        if self._memory is None:
            raise ValueError("attachment is detached")

    def view(self):
        """memoryview of the mapped bytes (read-only for a read-only attach)."""
        self._check_attached()
        view = memoryview(self._memory).cast("B")
        return view.toreadonly() if self.readonly else view

    def ndarray(self, dtype, shape=None, offset=0):
        """numpy array over the mapped memory (zero copy)."""
        import numpy
        dtype = numpy.dtype(dtype)
        count = -1 if shape is None else int(numpy.prod(shape))
        array = numpy.frombuffer(self.view(), dtype=dtype, count=count, offset=offset)
        return array if shape is None else array.reshape(shape)

    def _views_alive(self):
        # Every memoryview/numpy view made from _memory keeps one reference to
        # it through a shared managed buffer; ours and getrefcount's make 2.
        return sys.getrefcount(self._memory) > 2

    def detach(self):
        """Unmap (attach_into: restore private memory with the last contents). Idempotent."""
        if self._memory is None:
            return
        if self._host is None and self._views_alive():
            raise BufferError("memoryviews or numpy arrays over this attachment still exist; "
                              "delete them before detaching (they would point at unmapped memory)")
        _lib.svipc_shm_detach(self._shm._handle, self.address)
        self._memory = None
        self._host = None  # the caller's buffer may be released now
        self._shm._attachments.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()

    def __del__(self):
        try:
            if self._memory is not None and self._shm._handle and (self._host is not None or not self._views_alive()):
                self.detach()
        except Exception:
            pass


class SharedMemory(_Closable):
    """A System V shared memory segment.

    SharedMemory(key=..., size=..., create=True) creates or opens by key;
    name="..." or path=..., proj_id=... derive the key; no key means a new
    private segment. close() (or leaving a with block) detaches what this
    object attached; the segment itself only goes away with remove().
    """

    def __init__(self, key=None, size=0, *, name=None, path=None, proj_id=1, create=False,
                 exclusive=False, mode=0o600, hugetlb=False, noreserve=False, auto_remove=False):
        resolved = _resolve_key(key, name, path, proj_id)
        flags = ((CREATE if create or resolved == KEY_PRIVATE else 0) | (EXCLUSIVE if exclusive else 0)
                 | (HUGETLB if hugetlb else 0) | (NORESERVE if noreserve else 0)
                 | (AUTO_REMOVE if auto_remove else 0))
        handle = _ShmPtr()
        _lib.svipc_shm_open(resolved, size, flags, mode, ctypes.byref(handle))
        self._adopt(handle)

    @classmethod
    def open_id(cls, shmid):
        """Open an existing segment by id (as ipcs lists it)."""
        self = cls.__new__(cls)
        handle = _ShmPtr()
        _lib.svipc_shm_open_id(shmid, ctypes.byref(handle))
        self._adopt(handle)
        return self

    def _adopt(self, handle):
        self._handle = handle
        self._attachments = set()
        self.id = _lib.svipc_shm_id(handle)
        self.size = _lib.svipc_shm_size(handle)

    def _live(self):
        if not self._handle:
            raise ValueError("SharedMemory is closed")
        return self._handle

    def attach(self, address=None, *, readonly=False, rnd=False, remap=False, prefault=False):
        """Map the segment (anywhere, or at address). Returns an Attachment."""
        flags = ((RDONLY if readonly else 0) | (RND if rnd else 0) | (REMAP if remap else 0)
                 | (PREFAULT if prefault else 0))
        out = ctypes.c_void_p()
        _lib.svipc_shm_attach(self._live(), address, flags, ctypes.byref(out))
        attachment = Attachment(self, out.value, self.size, readonly)
        self._attachments.add(attachment)
        return attachment

    def attach_into(self, buffer, *, keep_buffer=False, readonly=False, prefault=False):
        """Make the ATTACH_ALIGNMENT-aligned part of `buffer` (numpy array, bytearray, mmap...) be the segment.

        The segment starts at the first ATTACH_ALIGNMENT (SHMLBA) boundary
        inside the buffer (`attachment.offset` bytes in); the buffer needs the
        size rounded up to pages + ATTACH_ALIGNMENT - 1 bytes unless it is
        aligned (see aligned_array). keep_buffer
        copies the buffer's current bytes into the segment first. The buffer
        stays pinned while attached; detach restores it as private memory
        holding the segment's last contents.
        """
        pinned, address, length = _buffer_address(buffer)
        flags = ((KEEP_BUFFER if keep_buffer else 0) | (RDONLY if readonly else 0)
                 | (PREFAULT if prefault else 0))
        out = ctypes.c_void_p()
        _lib.svipc_shm_attach_into(self._live(), address, length, flags, ctypes.byref(out))
        attachment = Attachment(self, out.value, self.size, readonly, host=pinned, offset=out.value - address)
        self._attachments.add(attachment)
        return attachment

    def stat(self):
        info = ShmInfo()
        _lib.svipc_shm_stat(self._live(), ctypes.byref(info))
        return info

    def remove(self):
        """IPC_RMID: destroyed at the last detach; the key is released at once."""
        _lib.svipc_shm_remove(self._live())

    def set_mode(self, mode):
        _lib.svipc_shm_set_mode(self._live(), mode)

    def set_owner(self, uid, gid):
        _lib.svipc_shm_set_owner(self._live(), uid, gid)

    def close(self):
        """Detach everything attached through this object; never removes the segment."""
        if not self._handle:
            return
        blocked = []
        for attachment in list(self._attachments):
            try:
                attachment.detach()
            except BufferError:
                blocked.append(attachment)
        if blocked:
            raise BufferError(f"{len(blocked)} attachment(s) still have live memoryviews/numpy arrays; "
                              "delete them, then close() again")
        self._handle = _lib.svipc_shm_close(self._handle)

    def __del__(self):
        try:
            if getattr(self, "_handle", None) and not any(a._views_alive() for a in self._attachments
                                                          if a._host is None):
                self.close()
        except Exception:
            pass

    def __repr__(self):
        return f"SharedMemory(id={self.id}, size={self.size})"


def remove_shm_id(shmid):
    """IPC_RMID by id (as ipcrm -m does)."""
    _lib.svipc_shm_remove_id(shmid)


def stat_shm_id(shmid):
    info = ShmInfo()
    _lib.svipc_shm_stat_id(shmid, ctypes.byref(info))
    return info


def aligned_array(shape, dtype):
    """A zeroed numpy array on its own anonymous mmap, starting at an ATTACH_ALIGNMENT boundary.

    attach_into() on it maps the segment over the whole array (offset 0, no
    over-allocation needed) and nothing else shares those pages. mmap only
    aligns to pages, so where SHMLBA is larger (32-bit ARM) the region has
    ATTACH_ALIGNMENT - PAGE_SIZE bytes of slack to start the array in.
    """
    import numpy
    dtype = numpy.dtype(dtype)
    nbytes = int(numpy.prod(shape)) * dtype.itemsize
    pages = max(PAGE_SIZE, -(-nbytes // PAGE_SIZE) * PAGE_SIZE)
    region = mmap.mmap(-1, pages + ATTACH_ALIGNMENT - PAGE_SIZE)
    offset = -ctypes.addressof(ctypes.c_char.from_buffer(region)) % ATTACH_ALIGNMENT
    return numpy.frombuffer(region, dtype=dtype, count=int(numpy.prod(shape)), offset=offset).reshape(shape)


# ---- channels ----
# Latest-value channels and publish/subscribe topics (include/svipc/channel.h,
# doc/channel.md). The per-call paths (publish, subscribe) use private
# function pointers without argtypes or errcheck and pre-built ctypes
# arguments, so a call costs little more than the C call itself.

import errno as _errno  # noqa: E402  (appended block: kept with the code it serves)
import weakref  # noqa: E402

CHANNEL_SHARED_WRITER = 0x01000000
CHANNEL_SPIN = 0x02000000
INTERRUPTIBLE = 0x00020000
CHANNEL_TYPE_BYTES = 0
CHANNEL_TYPE_BOOL = 1
CHANNEL_TYPE_INT64 = 2
CHANNEL_TYPE_FLOAT64 = 3
CHANNEL_TYPE_USER = 0x10000
CHANNEL_TYPE_ANY = 0xFFFFFFFF
CHANNEL_DEFAULT_BUFFERS = 3
CHANNEL_STALE = 1
CHANNEL_ANY_AGE = -1


class ChannelReadInfo(_InfoStruct):
    """svipc_channel_read_info: sequence, publish time (CLOCK_MONOTONIC ns), missed count, age."""
    _fields_ = [("sequence", ctypes.c_uint64), ("publish_time_ns", ctypes.c_int64),
                ("missed", ctypes.c_uint64), ("age_ns", ctypes.c_int64)]


class ChannelInfo(_InfoStruct):
    """svipc_channel_info: the header and kernel objects of a channel."""
    _fields_ = [
        ("key", ctypes.c_int32), ("shm_id", ctypes.c_int32), ("sem_id", ctypes.c_int32),
        ("type", ctypes.c_uint32), ("payload_size", ctypes.c_uint64), ("buffer_num", ctypes.c_uint32),
        ("layout_version", ctypes.c_uint32), ("latest_sequence", ctypes.c_uint64),
        ("latest_publish_time_ns", ctypes.c_int64), ("sleepers", ctypes.c_uint32),
        ("writer_pid", ctypes.c_int32), ("segment_size", ctypes.c_uint64),
    ]


_ChannelPtr = _handle_type("svipc_channel")
_ReadInfoPtr = ctypes.POINTER(ChannelReadInfo)
_declare("svipc_channel_open", ctypes.c_int,
         [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
          ctypes.POINTER(_ChannelPtr)])
_declare("svipc_channel_open_key", ctypes.c_int,
         [ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
          ctypes.POINTER(_ChannelPtr)])
_declare("svipc_channel_close", _ChannelPtr, [_ChannelPtr], errcheck=False)
_declare("svipc_channel_remove", ctypes.c_int, [_ChannelPtr])
_declare("svipc_channel_remove_name", ctypes.c_int, [ctypes.c_char_p])
_declare("svipc_channel_publish", ctypes.c_int,
         [_ChannelPtr, ctypes.c_void_p, ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64)])
_declare("svipc_channel_read", ctypes.c_int,
         [_ChannelPtr, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, _ReadInfoPtr])
_declare("svipc_channel_bind_read", ctypes.c_int,
         [_ChannelPtr, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, _ReadInfoPtr])
_declare("svipc_channel_read_bound", ctypes.c_int, [_ChannelPtr])
_declare("svipc_channel_wait", ctypes.c_int, [_ChannelPtr, ctypes.c_uint64, ctypes.c_int64, ctypes.c_uint32])
_declare("svipc_channel_wait_read", ctypes.c_int,
         [_ChannelPtr, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, ctypes.c_uint32, _ReadInfoPtr])
_declare("svipc_channel_read_history", ctypes.c_int,
         [_ChannelPtr, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64, _ReadInfoPtr, ctypes.c_uint32,
          ctypes.POINTER(ctypes.c_uint64)])
_declare("svipc_channel_peek", ctypes.c_int,
         [_ChannelPtr, ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p), _ReadInfoPtr])
_declare("svipc_channel_peek_valid", ctypes.c_int, [_ChannelPtr, ctypes.c_uint64])
_declare("svipc_channel_set_spin", ctypes.c_int, [_ChannelPtr, ctypes.c_int64])
_declare("svipc_channel_payload_size", ctypes.c_uint64, [_ChannelPtr], errcheck=False)
_declare("svipc_channel_latest", ctypes.c_uint64, [_ChannelPtr], errcheck=False)
_declare("svipc_channel_stat", ctypes.c_int, [_ChannelPtr, ctypes.POINTER(ChannelInfo)])
_declare("svipc_channel_now_ns", ctypes.c_int64, [], errcheck=False)


# The same library once more, as a PyDLL: its calls keep the GIL instead of
# releasing and retaking it (~20 ns of a ~100 ns call). Only for functions
# that never block: a blocked call holding the GIL would stop every thread.
_lib_holding_gil = ctypes.PyDLL(_lib._name)


def _fast(name, restype=ctypes.c_int, never_blocks=False):
    """A second function object for `name` with no argtypes and no errcheck:
    callers pass ready-made ctypes objects, so no per-call conversion runs."""
    library = _lib_holding_gil if never_blocks else _lib
    function = library._FuncPtr((name, library))
    function.restype = restype
    return function


# publish may wait for the writer lock (shared writers), wait_* sleep.
_fast_publish = _fast("svipc_channel_publish")
_fast_publish_exclusive = _fast("svipc_channel_publish", never_blocks=True)  # its lock is taken with timeout 0
_fast_read = _fast("svipc_channel_read", never_blocks=True)
_fast_read_bound = _fast("svipc_channel_read_bound", never_blocks=True)
_fast_wait_read = _fast("svipc_channel_wait_read")
_fast_wait = _fast("svipc_channel_wait")
_fast_wait.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int64, ctypes.c_uint32]
_fast_peek = _fast("svipc_channel_peek", never_blocks=True)
_fast_peek_valid = _fast("svipc_channel_peek_valid", never_blocks=True)
_fast_peek_valid.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
_ENODATA = _errno.ENODATA
_QUIET_WAIT_END = (-_errno.ETIMEDOUT, -_errno.EAGAIN)


def channel_now_ns():
    """CLOCK_MONOTONIC now in ns: the clock of ChannelReadInfo.publish_time_ns."""
    return _lib.svipc_channel_now_ns()


def remove_channel(name):
    """Remove the channel called name (segment and writer lock). FileNotFoundError if none."""
    _lib.svipc_channel_remove_name(name.encode() if isinstance(name, str) else name)


def _wait_flags(spin, interruptible):
    return (CHANNEL_SPIN if spin else 0) | (INTERRUPTIBLE if interruptible else 0)


class Channel(_ClosedWhenCollected):
    """A channel of fixed-size values: the C API one to one.

    Channel(name, type, payload_size, buffer_num=0, create=False, ...) opens
    (and with create=True creates) the channel; key=... instead of name uses
    a key directly. publish(buffer) takes any bytes-like object of
    payload_size bytes; read(into) copies the newest value into a writable
    buffer and returns a ChannelReadInfo (or None before the first publish).
    """

    def __init__(self, name=None, type=CHANNEL_TYPE_BYTES, payload_size=0, buffer_num=0, *, key=None,
                 create=False, exclusive=False, shared_writer=False, mode=0o600):
        flags = ((CREATE if create else 0) | (EXCLUSIVE if exclusive else 0)
                 | (CHANNEL_SHARED_WRITER if shared_writer else 0))
        handle = _ChannelPtr()
        if name is not None:
            if key is not None:
                raise ValueError("give name or key, not both")
            _lib.svipc_channel_open(name.encode() if isinstance(name, str) else name, type, payload_size,
                                    buffer_num, flags, mode, ctypes.byref(handle))
        else:
            _lib.svipc_channel_open_key(KEY_PRIVATE if key is None else key, type, payload_size, buffer_num,
                                        flags, mode, ctypes.byref(handle))
        self._handle = handle
        self.name = name
        self.payload_size = _lib.svipc_channel_payload_size(handle)
        self._raw = ctypes.c_void_p(ctypes.cast(handle, ctypes.c_void_p).value)
        self._size = ctypes.c_uint64(self.payload_size)

    def _live(self):
        if not self._handle:
            raise ValueError("channel is closed")
        return self._handle

    def publish(self, data):
        """Publish bytes-like `data` (exactly payload_size bytes). Returns the sequence number."""
        pinned, address, length = _readable_address(data)
        if length != self.payload_size:
            raise ValueError(f"value has {length} bytes, the channel holds {self.payload_size}")
        sequence = ctypes.c_uint64()
        _lib.svipc_channel_publish(self._live(), address, length, ctypes.byref(sequence))
        return sequence.value

    def read(self, into, max_age=None):
        """Copy the newest value into `into`; ChannelReadInfo, or None if nothing was published.
        With max_age (seconds), info.stale tells whether the value is older."""
        pinned, address, length = _buffer_address(into)
        info = ChannelReadInfo()
        age = CHANNEL_ANY_AGE if max_age is None else int(max_age * 1e9)
        rc = _fast_read(self._live(), ctypes.c_void_p(address),
                        ctypes.c_uint64(length), ctypes.c_int64(age), ctypes.byref(info))
        if rc == -_ENODATA:
            return None
        if rc < 0:
            _raise(-rc)
        info.stale = rc == CHANNEL_STALE
        return info

    def wait(self, after_sequence=0, timeout=None, *, spin=False, interruptible=False):
        """Wait until a value newer than after_sequence exists: True, or False at the timeout."""
        rc = _fast_wait(self._raw if self._handle else self._live(), after_sequence, _timeout_ns(timeout), _wait_flags(spin, interruptible))
        if rc in _QUIET_WAIT_END:
            return False
        if rc < 0:
            _raise(-rc)
        return True

    def read_history(self, after_sequence=0, max_count=None):
        """Values still in the ring newer than after_sequence, oldest first.
        Returns (list of (bytes, ChannelReadInfo), missed)."""
        info = self.stat()
        count = info.buffer_num if max_count is None else max_count
        buffer = ctypes.create_string_buffer(count * self.payload_size)
        infos = (ChannelReadInfo * count)()
        missed = ctypes.c_uint64()
        got = _lib.svipc_channel_read_history(self._live(), after_sequence, buffer, len(buffer), infos, count,
                                              ctypes.byref(missed))
        size = self.payload_size
        return [(buffer.raw[i * size:(i + 1) * size], infos[i]) for i in range(got)], missed.value

    def latest(self):
        """Sequence number of the newest value (0: none yet)."""
        return _lib.svipc_channel_latest(self._live())

    def set_spin(self, seconds):
        """How long wait() spins before sleeping on the futex."""
        _lib.svipc_channel_set_spin(self._live(), int(seconds * 1e9))

    def stat(self):
        info = ChannelInfo()
        _lib.svipc_channel_stat(self._live(), ctypes.byref(info))
        return info

    def remove(self):
        """Remove the channel (segment and writer lock); open handles keep working until closed."""
        _lib.svipc_channel_remove(self._live())

    def close(self):
        """Release the writer lock if held and detach; never removes the channel."""
        if self._handle:
            self._handle = _lib.svipc_channel_close(self._handle)
            self._raw = ctypes.c_void_p()



def _readable_address(data):
    """(pin, address, length) of any C-contiguous bytes-like object, read-only ones included."""
    if isinstance(data, bytes):
        return data, ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value, len(data)
    view = memoryview(data)
    if not view.c_contiguous:
        raise ValueError("value must be C-contiguous")
    if view.readonly:
        copy = bytes(view)
        return copy, ctypes.cast(ctypes.c_char_p(copy), ctypes.c_void_p).value, len(copy)
    length = view.nbytes
    view.release()
    pinned = (ctypes.c_char * length).from_buffer(data)
    return pinned, ctypes.addressof(pinned), length


class _Codec:
    """How one Python type travels through a channel: the C type tag, the
    payload size, a reusable ctypes buffer, and how to get a value out."""

    def __init__(self, default):
        self.default = default
        self.numpy = None
        if isinstance(default, bool):
            self.type, self.buffer = CHANNEL_TYPE_BOOL, ctypes.c_bool()
            self.get = self._scalar
        elif isinstance(default, int):
            self.type, self.buffer = CHANNEL_TYPE_INT64, ctypes.c_int64()
            self.get = self._scalar
        elif isinstance(default, float):
            self.type, self.buffer = CHANNEL_TYPE_FLOAT64, ctypes.c_double()
            self.get = self._scalar
        elif isinstance(default, (bytes, bytearray)):
            if len(default) == 0:
                raise ValueError("a bytes channel needs a non-empty default (it fixes the size)")
            self.type, self.buffer = CHANNEL_TYPE_BYTES, ctypes.create_string_buffer(len(default))
            self.get = self._bytes
        elif isinstance(default, (ctypes.Structure, ctypes.Union, ctypes.Array)):
            cls = type(default)
            self.type = _user_tag(cls.__name__ + repr(getattr(cls, "_fields_", cls)) + str(ctypes.sizeof(cls)))
            self.buffer = cls()
            self.get = self._struct
        elif type(default).__module__ == "numpy" and hasattr(default, "dtype"):
            import numpy
            if default.dtype.hasobject:
                raise TypeError("numpy arrays of Python objects cannot be shared")
            self.numpy = numpy
            self.array = numpy.ascontiguousarray(default).copy()
            self.type = _user_tag("ndarray" + self.array.dtype.str + repr(self.array.dtype.descr) +
                                  repr(self.array.shape))
            self.buffer = (ctypes.c_char * self.array.nbytes).from_buffer(self.array)
            self.get = self._array
        else:
            raise TypeError(f"channels carry bool, int, float, bytes, ctypes structs or numpy arrays, "
                            f"not {type(default).__name__}")
        self.size = ctypes.sizeof(self.buffer)
        self.address = ctypes.c_void_p(ctypes.addressof(self.buffer))

    def _scalar(self):
        return self.buffer.value

    def _bytes(self):
        return self.buffer.raw

    def _struct(self):
        return type(self.buffer).from_buffer_copy(self.buffer)

    def _array(self):
        return self.array.copy()


def _user_tag(description):
    import zlib
    return CHANNEL_TYPE_USER + (zlib.crc32(description.encode()) & 0x7FFFFFFF)


class Publisher(_Closable):
    """Publish values of one type to the topic `name`, created if needed.

    Publisher(name, default_value, buffer_num=3): default_value fixes the
    type and size (bool, int -> int64, float -> double, bytes of a fixed
    length, a ctypes Structure instance, or a numpy array of fixed dtype and
    shape). publish(value) never waits for subscribers. The first publish
    makes this process the topic's exclusive writer until close() (or its
    death); shared_writer=True lets several processes publish.
    """

    def __init__(self, name, default_value, buffer_num=CHANNEL_DEFAULT_BUFFERS, *, shared_writer=False,
                 mode=0o600):
        self._codec = codec = _Codec(default_value)
        self.channel = Channel(name, codec.type, codec.size, buffer_num, create=True, shared_writer=shared_writer,
                               mode=mode)
        self.name = name
        self._raw = self.channel._raw
        self._size = ctypes.c_uint64(codec.size)
        self._scalar = codec.get == codec._scalar
        # An exclusive writer never waits in publish (its lock is taken with
        # timeout 0), so its calls may keep the GIL; shared writers may wait.
        self._publish = _fast_publish if shared_writer else _fast_publish_exclusive

    def publish(self, value):
        """Publish one value (same type, and for bytes/arrays the same size, as the default)."""
        codec = self._codec
        publish = self._publish
        if self._scalar:
            codec.buffer.value = value
            rc = publish(self._raw, codec.address, self._size, None)
        elif codec.type == CHANNEL_TYPE_BYTES:
            if len(value) != codec.size:
                raise ValueError(f"value has {len(value)} bytes, topic {self.name!r} carries {codec.size}")
            rc = publish(self._raw, value if isinstance(value, bytes) else bytes(value), self._size, None)
        elif codec.numpy is not None:
            if value.shape != codec.array.shape or value.dtype != codec.array.dtype:
                raise ValueError(f"array {value.dtype}{value.shape} does not match the topic's "
                                 f"{codec.array.dtype}{codec.array.shape}")
            if value.flags.c_contiguous:
                rc = publish(self._raw, ctypes.c_void_p(value.__array_interface__["data"][0]), self._size, None)
            else:
                codec.array[...] = value
                rc = publish(self._raw, codec.address, self._size, None)
        else:
            if type(value) is not type(codec.buffer):
                raise TypeError(f"topic {self.name!r} carries {type(codec.buffer).__name__}")
            rc = publish(self._raw, ctypes.byref(value), self._size, None)
        if rc < 0:
            if not self.channel._handle:
                raise ValueError("publisher is closed")
            _raise(-rc)

    def remove(self):
        """Remove the topic's channel (subscribers keep the old one until they reopen)."""
        self.channel.remove()

    def close(self):
        self.channel.close()
        self._raw = self.channel._raw


class Subscriber(_Closable):
    """Read the newest value of topic `name`.

    subscribe() -> (value, ok): the newest complete value and True, or
    (default_value, False) before anything was published (or before the
    topic exists: the subscriber may start first), or when the newest value
    is older than max_age seconds. subscribe(out=array) copies a numpy value
    straight into a caller's array; view() gives a read-only numpy view of it
    in shared memory with no copy, checked after use with still_valid(token)
    (doc/channel.md, "Peeking"). wait_new(timeout) blocks for a value
    newer than the last one returned. last_info holds the sequence number,
    publish time and missed count of the last value returned.
    """

    def __init__(self, name, default_value, *, max_age=None):
        self._codec = _Codec(default_value)
        self._get = self._codec.get
        self.name = name
        self.default = default_value
        self.channel = None
        self._raw = None
        self._closed = False
        self.last_info = ChannelReadInfo()
        self._info_ref = ctypes.byref(self.last_info)
        self._age = ctypes.c_int64(CHANNEL_ANY_AGE if max_age is None else int(max_age * 1e9))
        self._size = ctypes.c_uint64(self._codec.size)
        self._peek_data = ctypes.c_void_p()
        self._peek_ref = ctypes.byref(self._peek_data)
        self._views = {}  # slot address -> read-only array over it (see view())
        self._view_holders = []  # weak references to the buffers under those arrays
        self._open()

    def _open(self):
        if self._closed:
            raise ValueError("subscriber is closed")
        try:
            self.channel = Channel(self.name, self._codec.type, self._codec.size)
        except (FileNotFoundError, TimeoutError):
            return False  # no publisher yet: the default until one appears
        self._raw = self.channel._raw
        # subscribe() passes only the handle: the destination, age limit and
        # info are bound once (a ctypes call costs ~25 ns per argument).
        _lib.svipc_channel_bind_read(self.channel._handle, self._codec.address, self._codec.size,
                                     self._age.value, self._info_ref)
        return True

    def subscribe(self, out=None):
        """(newest value, True), or (default, False) if none (or stale with max_age)."""
        if out is None:
            # Hot path first: one ctypes call with one ready-made argument.
            rc = _fast_read_bound(self._raw)
            if rc == 0:
                return self._get(), True
            if self._raw is None:
                if not self._open():
                    return self.default, False
                return self.subscribe()
            return self._failed(rc)
        if self._raw is None and not self._open():
            return self.default, False
        codec = self._codec
        if out.shape != codec.array.shape or out.dtype != codec.array.dtype or not out.flags.c_contiguous:
            raise ValueError("out must be a C-contiguous array of the topic's dtype and shape")
        rc = _fast_read(self._raw, ctypes.c_void_p(out.__array_interface__["data"][0]), self._size, self._age,
                        self._info_ref)
        return (out, True) if rc == 0 else self._failed(rc)

    def _failed(self, rc):
        if rc == CHANNEL_STALE or rc == -_ENODATA:
            return self.default, False
        _raise(-rc)

    def wait_new(self, timeout=None, *, spin=False):
        """Block until a value newer than the last one returned arrives, then
        return (value, True); (default, False) at the timeout."""
        deadline = None if timeout is None else channel_now_ns() + int(timeout * 1e9)
        while self._raw is None and not self._open():
            if deadline is not None and channel_now_ns() >= deadline:
                return self.default, False
            import time
            time.sleep(0.001)  # no topic yet: poll for its creation
        left = WAIT_FOREVER if deadline is None else max(0, deadline - channel_now_ns())
        codec = self._codec
        rc = _fast_wait_read(self._raw, codec.address, self._size, ctypes.c_int64(left),
                             ctypes.c_uint32(_wait_flags(spin, False)), self._info_ref)
        if rc == 0:
            return codec.get(), True
        if rc in _QUIET_WAIT_END:
            return self.default, False
        _raise(-rc)

    def history(self, after_sequence=0):
        """Values still in the ring newer than after_sequence, oldest first:
        (list of (value, sequence), missed)."""
        if self._raw is None and not self._open():
            return [], 0
        raw, missed = self.channel.read_history(after_sequence)
        values = []
        for data, info in raw:
            ctypes.memmove(self._codec.address.value, data, self._codec.size)
            values.append((self._codec.get(), info.sequence))
        return values, missed

    def view(self):
        """Zero-copy read of a numpy topic: (array, token), where array is a
        read-only view of the newest value where it lies in shared memory;
        (default, None) whenever subscribe() would return (default, False).

        Nothing is copied, so the publisher may overwrite the array's bytes
        once it starts the buffer_num-th publish after this value. Use the
        array (compute from it, copy what you keep), then call
        still_valid(token): only True *after* the use proves that what was
        read was one complete value; on False discard the result and view()
        again. Each slot of the ring has one view array, reused by later
        calls. Views stay mapped after close() until the last one is gone.
        """
        codec = self._codec
        if codec.numpy is None:
            raise TypeError(f"view() needs a numpy topic; topic {self.name!r} carries "
                            f"{type(self.default).__name__} (use subscribe())")
        if self._raw is None and not self._open():
            return self.default, None
        rc = _fast_peek(self._raw, self._age, self._peek_ref, self._info_ref)
        if rc != 0:
            return self._failed(rc)[0], None
        address = self._peek_data.value
        array = self._views.get(address)
        if array is None:
            array = self._views[address] = self._slot_view(address)
        return array, self.last_info.sequence

    def _slot_view(self, address):
        codec = self._codec
        holder = (ctypes.c_char * codec.size).from_address(address)
        holder.channel = self.channel  # the mapping lives as long as any view of it
        self._view_holders.append(weakref.ref(holder))
        readonly = memoryview(holder).toreadonly()
        return codec.numpy.frombuffer(readonly, dtype=codec.array.dtype).reshape(codec.array.shape)

    def still_valid(self, token):
        """True if the value view() returned with `token` was not overwritten
        since: everything read from that array up to now was consistent."""
        if token is None:
            return False
        if self._raw is None:
            raise ValueError("subscriber is closed")
        rc = _fast_peek_valid(self._raw, token)
        if rc < 0:
            _raise(-rc)
        return rc == 1

    def close(self):
        self._views.clear()
        if self.channel is not None and not any(ref() is not None for ref in self._view_holders):
            self.channel.close()  # else the last view's Channel reference closes it when it goes
        self._raw = None
        self.channel = None
        self._closed = True


# ---- semaphores ----
# System V semaphore sets (include/svipc/sem.h, doc/sem.md). P/V/lock go
# through unchecked function objects with fixed argtypes (no errcheck, no
# exception context): a blocking call passes SVIPC_INTERRUPTIBLE so that a
# signal returns control to Python, which runs its handlers (Ctrl-C raises
# KeyboardInterrupt right there) and otherwise resumes the wait with the
# time left, as PEP 475 does for the standard library.

import errno as _sem_errno  # noqa: E402  (appended block: kept with the code it serves)
import time as _sem_time  # noqa: E402

NO_UNDO = 0x00010000
SEM_VALUE_MAX = 32767
_SEM_INTERRUPTIBLE = 0x00020000  # SVIPC_INTERRUPTIBLE (include/svipc/common.h)


class SemInfo(_InfoStruct):
    """svipc_sem_info: what IPC_STAT says about a semaphore set (times in ns)."""
    _fields_ = [
        ("id", ctypes.c_int32), ("key", ctypes.c_int32), ("mode", ctypes.c_uint32),
        ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32), ("cuid", ctypes.c_uint32),
        ("cgid", ctypes.c_uint32), ("nsems", ctypes.c_uint32),
        ("otime_ns", ctypes.c_int64), ("ctime_ns", ctypes.c_int64),
    ]



class SemOp(ctypes.Structure):
    """svipc_sem_op: delta < 0 is P, > 0 is V, 0 waits for zero."""
    _fields_ = [("index", ctypes.c_uint16), ("delta", ctypes.c_int16), ("flags", ctypes.c_uint32)]


_SemPtr = _handle_type("svipc_sem")
_U16P = ctypes.POINTER(ctypes.c_uint16)
_declare("svipc_sem_open", ctypes.c_int,
         [ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, _U16P, ctypes.c_int64,
          ctypes.POINTER(_SemPtr)])
_declare("svipc_sem_open_id", ctypes.c_int, [ctypes.c_int32, ctypes.c_uint32, ctypes.POINTER(_SemPtr)])
_declare("svipc_sem_close", _SemPtr, [_SemPtr], errcheck=False)
_declare("svipc_sem_id", ctypes.c_int, [_SemPtr])
_declare("svipc_sem_nsems", ctypes.c_int, [_SemPtr])
_declare("svipc_sem_created", ctypes.c_int, [_SemPtr])
_declare("svipc_sem_p", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
_declare("svipc_sem_v", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_sem_ops", ctypes.c_int,
         [_SemPtr, ctypes.POINTER(SemOp), ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
_declare("svipc_sem_lock", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
_declare("svipc_sem_unlock", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_sem_value", ctypes.c_int, [_SemPtr, ctypes.c_uint32])
_declare("svipc_sem_set_value", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_sem_values", ctypes.c_int, [_SemPtr, _U16P, ctypes.c_uint32])
_declare("svipc_sem_set_values", ctypes.c_int, [_SemPtr, _U16P, ctypes.c_uint32])
_declare("svipc_sem_waiting", ctypes.c_int, [_SemPtr, ctypes.c_uint32])
_declare("svipc_sem_waiting_zero", ctypes.c_int, [_SemPtr, ctypes.c_uint32])
_declare("svipc_sem_last_pid", ctypes.c_int, [_SemPtr, ctypes.c_uint32])
_declare("svipc_sem_stat", ctypes.c_int, [_SemPtr, ctypes.POINTER(SemInfo)])
_declare("svipc_sem_stat_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(SemInfo)])
_declare("svipc_sem_set_mode", ctypes.c_int, [_SemPtr, ctypes.c_uint32])
_declare("svipc_sem_set_owner", ctypes.c_int, [_SemPtr, ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_sem_remove", ctypes.c_int, [_SemPtr])
_declare("svipc_sem_remove_id", ctypes.c_int, [ctypes.c_int32])


def _sem_unchecked(name, argtypes):
    """A second function object for `name`: same signature, no errcheck, so
    the hot paths test the result themselves without raising and catching."""
    function = _lib._FuncPtr((name, _lib))
    function.restype = ctypes.c_int
    function.argtypes = argtypes
    return function


_sem_p = _sem_unchecked("svipc_sem_p",
                        [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
_sem_v = _sem_unchecked("svipc_sem_v", [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32])
_sem_lock = _sem_unchecked("svipc_sem_lock", [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
_sem_unlock = _sem_unchecked("svipc_sem_unlock", [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32])
_sem_ops = _sem_unchecked("svipc_sem_ops",
                          [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
# Bare function objects (no argtypes): Semaphore.acquire/release pass
# ready-made ctypes arguments, so no per-call conversion runs.
_sem_p_bare = _lib._FuncPtr(("svipc_sem_p", _lib))
_sem_p_bare.restype = ctypes.c_int
_sem_v_bare = _lib._FuncPtr(("svipc_sem_v", _lib))
_sem_v_bare.restype = ctypes.c_int
_C_ONE = ctypes.c_uint32(1)
_C_NO_FLAGS = ctypes.c_uint32(0)
_C_INTERRUPTIBLE = ctypes.c_uint32(_SEM_INTERRUPTIBLE)
_C_FOREVER = ctypes.c_int64(WAIT_FOREVER)
_check_signals = ctypes.pythonapi.PyErr_CheckSignals
_check_signals.restype = ctypes.c_int
_check_signals.argtypes = []
_EINTR = -_sem_errno.EINTR
_EAGAIN = -_sem_errno.EAGAIN
_ETIMEDOUT = -_sem_errno.ETIMEDOUT


def _sem_blocking(call, timeout):
    """Run call(flags, timeout_ns) -> rc until it ends other than by a signal.

    After -EINTR, Python's signal handlers run (PyErr_CheckSignals raises
    KeyboardInterrupt for Ctrl-C); if none raises, the call resumes with the
    time left on the original deadline. Returns rc (>= 0, or -EAGAIN /
    -ETIMEDOUT for the caller to report); raises OSError for other errors.
    """
    timeout_ns = _timeout_ns(timeout)
    deadline = None if timeout_ns <= 0 else _sem_time.monotonic_ns() + timeout_ns
    while True:
        rc = call(_SEM_INTERRUPTIBLE, timeout_ns)
        if rc != _EINTR:
            if rc < 0 and rc != _EAGAIN and rc != _ETIMEDOUT:
                _raise(-rc)
            return rc
        _check_signals()
        if deadline is not None:
            timeout_ns = deadline - _sem_time.monotonic_ns()
            if timeout_ns <= 0:
                return _ETIMEDOUT


def _raise_wait_end(rc):
    """-EAGAIN -> BlockingIOError, -ETIMEDOUT -> TimeoutError, with svipc's message
    (unless the deadline passed in Python after a signal: then the last message
    is about the interruption, not the timeout)."""
    message = _lib.svipc_last_error_message().decode("utf-8", "replace")
    if "interrupted" in message:
        message = "semaphore wait timed out (resumed after a signal)"
    raise OSError(-rc, message or os.strerror(-rc))


class SemaphoreSet(_ClosedWhenCollected):
    """A System V semaphore set: nsems semaphores, each 0..SEM_VALUE_MAX.

    SemaphoreSet(key=..., nsems=..., create=True, initial=[...]) creates or
    opens by key (name=... or path=..., proj_id=... derive the key; no key
    makes a private set). Exactly one creator sets `initial`; other openers
    wait up to init_timeout seconds for that (see doc/sem.md). `created`
    tells whether this object created it.

    P/V use SEM_UNDO (a process that dies gives back what it took) unless
    undo=False here or per call; use undo=False for counters that one
    process decrements and another increments. Timeouts are seconds (None
    blocks, 0 tries once). Failures raise OSError subclasses: TimeoutError,
    BlockingIOError (would block), FileNotFoundError, FileExistsError,
    PermissionError, and OSError with errno EIDRM when the set is removed.
    close() never removes the set; remove() does.
    """

    def __init__(self, key=None, nsems=1, *, name=None, path=None, proj_id=1, create=False, exclusive=False,
                 mode=0o600, initial=None, init_timeout=10.0, undo=True):
        resolved = _resolve_key(key, name, path, proj_id)
        flags = ((CREATE if create or resolved == KEY_PRIVATE else 0) | (EXCLUSIVE if exclusive else 0)
                 | (0 if undo else NO_UNDO))
        values = None
        if initial is not None:
            initial = list(initial)
            if len(initial) != nsems:
                raise ValueError(f"initial has {len(initial)} values for {nsems} semaphores")
            if any(not 0 <= v <= SEM_VALUE_MAX for v in initial):
                raise ValueError(f"initial values must be 0..{SEM_VALUE_MAX}")
            values = (ctypes.c_uint16 * nsems)(*initial)
        handle = _SemPtr()
        _lib.svipc_sem_open(resolved, nsems, flags, mode, values, _timeout_ns(init_timeout), ctypes.byref(handle))
        self._adopt(handle)

    @classmethod
    def open_id(cls, semid, *, undo=True):
        """Open an existing set by id (as ipcs lists it), without the initialisation handshake."""
        self = cls.__new__(cls)
        handle = _SemPtr()
        _lib.svipc_sem_open_id(semid, 0 if undo else NO_UNDO, ctypes.byref(handle))
        self._adopt(handle)
        return self

    def _adopt(self, handle):
        self._handle = handle
        self._raw = ctypes.cast(handle, ctypes.c_void_p).value
        self.id = _lib.svipc_sem_id(handle)
        self.nsems = _lib.svipc_sem_nsems(handle)
        self.created = bool(_lib.svipc_sem_created(handle))

    def _live(self):
        if not self._handle:
            raise ValueError("SemaphoreSet is closed")
        return self._handle

    def _live_raw(self):
        if not self._handle:
            raise ValueError("SemaphoreSet is closed")
        return self._raw

    @staticmethod
    def _undo_flags(undo):
        return NO_UNDO if undo is False else 0

    # -- P / V ---------------------------------------------------------------

    def p(self, index=0, count=1, timeout=None, *, undo=None):
        """Subtract count, waiting while the value is smaller. TimeoutError at the
        timeout; BlockingIOError for timeout=0 when it would block."""
        raw, extra = self._live_raw(), self._undo_flags(undo)
        rc = _sem_blocking(lambda flags, ns: _sem_p(raw, index, count, flags | extra, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)

    def try_p(self, index=0, count=1, *, undo=None):
        """P without waiting: True if taken, False if it would block."""
        rc = _sem_p(self._live_raw(), index, count, self._undo_flags(undo), 0)
        if rc == _EAGAIN:
            return False
        if rc < 0:
            _raise(-rc)
        return True

    def v(self, index=0, count=1, *, undo=None):
        """Add count (never blocks); OSError(ERANGE) past SEM_VALUE_MAX."""
        rc = _sem_v(self._live_raw(), index, count, self._undo_flags(undo))
        if rc < 0:
            _raise(-rc)

    def ops(self, operations, timeout=None, *, undo=None):
        """Apply [(index, delta[, flags]), ...] atomically: all or (while any would
        block) none. delta < 0 is P, > 0 is V, 0 waits for zero; flags may be NO_UNDO."""
        built = [SemOp(*op) for op in operations]
        array = (SemOp * len(built))(*built)
        raw, extra, count = self._live_raw(), self._undo_flags(undo), len(built)
        rc = _sem_blocking(lambda flags, ns: _sem_ops(raw, array, count, flags | extra, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)

    # -- mutex helper --------------------------------------------------------

    def lock(self, index=0, timeout=None):
        """Lock member index as a mutex (value 1 = free); returns a guard whose
        with-block unlocks. TimeoutError/BlockingIOError if not acquired."""
        raw = self._live_raw()
        rc = _sem_blocking(lambda flags, ns: _sem_lock(raw, index, flags, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)
        return _SemLockGuard(self, index)

    def unlock(self, index=0):
        """Unlock: V by 1 only from 0; PermissionError (EPERM) if not locked."""
        rc = _sem_unlock(self._live_raw(), index, 0)
        if rc < 0:
            _raise(-rc)

    # -- values and state ----------------------------------------------------

    def value(self, index=0):
        return _lib.svipc_sem_value(self._live(), index)

    def set_value(self, index, value):
        """SETVAL. Clears every process's undo adjustment for the member."""
        _lib.svipc_sem_set_value(self._live(), index, value)

    def values(self):
        out = (ctypes.c_uint16 * self.nsems)()
        _lib.svipc_sem_values(self._live(), out, self.nsems)
        return list(out)

    def set_values(self, values):
        """SETALL (one value per member). Clears every undo adjustment of the set."""
        values = list(values)
        _lib.svipc_sem_set_values(self._live(), (ctypes.c_uint16 * len(values))(*values), len(values))

    def waiting(self, index=0):
        """Processes blocked waiting for the value to increase (GETNCNT)."""
        return _lib.svipc_sem_waiting(self._live(), index)

    def waiting_zero(self, index=0):
        """Processes blocked waiting for the value to be zero (GETZCNT)."""
        return _lib.svipc_sem_waiting_zero(self._live(), index)

    def last_pid(self, index=0):
        return _lib.svipc_sem_last_pid(self._live(), index)

    def stat(self):
        info = SemInfo()
        _lib.svipc_sem_stat(self._live(), ctypes.byref(info))
        return info

    def set_mode(self, mode):
        _lib.svipc_sem_set_mode(self._live(), mode)

    def set_owner(self, uid, gid):
        _lib.svipc_sem_set_owner(self._live(), uid, gid)

    def remove(self):
        """IPC_RMID, at once: blocked waiters get OSError(EIDRM)."""
        _lib.svipc_sem_remove(self._live())

    def close(self):
        """Release the handle; never removes the set or changes a value."""
        if self._handle:
            self._handle = _lib.svipc_sem_close(self._handle)
            self._raw = None

    def __len__(self):
        return self.nsems

    def __getitem__(self, index):
        if not 0 <= index < self.nsems:
            raise IndexError(f"semaphore index {index} out of range 0..{self.nsems - 1}")
        return Semaphore._member(self, index)

    def __repr__(self):
        return f"SemaphoreSet(id={self.id}, nsems={self.nsems})"


class _SemLockGuard:
    """Returned by lock(): `with s.lock(timeout=1):` unlocks at the end of the block."""

    def __init__(self, owner, index):
        self._owner, self._index, self.locked = owner, index, True

    def unlock(self):
        if self.locked:
            self.locked = False
            self._owner.unlock(self._index)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unlock()


class Semaphore:
    """One System V semaphore, usable like multiprocessing.Semaphore/Lock.

    Semaphore(key=..., create=True, initial=1) creates or opens a set of one
    (initial 1 makes it a free lock); set[i] gives a member of a larger set.
    `with sem:` is acquire/release (P/V, with undo: a process killed inside
    the block gives its unit back). acquire(blocking, timeout) returns
    True/False like threading; p()/v()/try_p() and lock()/unlock() follow
    SemaphoreSet.
    """

    def __init__(self, key=None, *, name=None, path=None, proj_id=1, create=False, exclusive=False, mode=0o600,
                 initial=1, init_timeout=10.0, undo=True):
        self.set = SemaphoreSet(key, 1, name=name, path=path, proj_id=proj_id, create=create, exclusive=exclusive,
                                mode=mode, initial=[initial], init_timeout=init_timeout, undo=undo)
        self.index = 0
        self._owns_set = True
        self._prepare()

    @classmethod
    def _member(cls, semaphore_set, index):
        self = cls.__new__(cls)
        self.set, self.index, self._owns_set = semaphore_set, index, False
        self._prepare()
        return self

    def _prepare(self):
        # Pre-built arguments for the hot path (blocking P by 1, V by 1).
        raw, index = ctypes.c_void_p(self.set._raw), ctypes.c_uint32(self.index)
        self._p_args = (raw, index, _C_ONE, _C_INTERRUPTIBLE, _C_FOREVER)
        self._v_args = (raw, index, _C_ONE, _C_NO_FLAGS)

    @property
    def id(self):
        return self.set.id

    @property
    def created(self):
        return self.set.created

    def acquire(self, blocking=True, timeout=None):
        """P by 1. True once taken; False if non-blocking and busy, or at the timeout."""
        if not blocking:
            if timeout is not None:
                raise ValueError("can't specify a timeout for a non-blocking call")
            return self.set.try_p(self.index)
        if timeout is None and self.set._handle:
            rc = _sem_p_bare(*self._p_args)
            if rc == 0:
                return True
            if rc != _EINTR:
                _raise(-rc)
            _check_signals()  # a handler that does not raise: resume below
        raw, index = self.set._live_raw(), self.index
        rc = _sem_blocking(lambda flags, ns: _sem_p(raw, index, 1, flags, ns), timeout)
        if rc == _ETIMEDOUT or rc == _EAGAIN:
            return False
        return True

    def release(self, n=1):
        """V by n."""
        rc = (_sem_v_bare(*self._v_args) if n == 1 and self.set._handle
              else _sem_v(self.set._live_raw(), self.index, n, 0))
        if rc < 0:
            _raise(-rc)

    def p(self, count=1, timeout=None, *, undo=None):
        self.set.p(self.index, count, timeout, undo=undo)

    def v(self, count=1, *, undo=None):
        self.set.v(self.index, count, undo=undo)

    def try_p(self, count=1, *, undo=None):
        return self.set.try_p(self.index, count, undo=undo)

    def lock(self, timeout=None):
        return self.set.lock(self.index, timeout)

    def unlock(self):
        self.set.unlock(self.index)

    @property
    def value(self):
        return self.set.value(self.index)

    @value.setter
    def value(self, value):
        self.set.set_value(self.index, value)

    def waiting(self):
        return self.set.waiting(self.index)

    def waiting_zero(self):
        return self.set.waiting_zero(self.index)

    def last_pid(self):
        return self.set.last_pid(self.index)

    def remove(self):
        self.set.remove()

    def close(self):
        """Close the set this object opened (a member view leaves its set open)."""
        if self._owns_set:
            self.set.close()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        return f"Semaphore(id={self.set.id}, index={self.index})"


def remove_sem_id(semid):
    """IPC_RMID by id (as ipcrm -s does)."""
    _lib.svipc_sem_remove_id(semid)


def stat_sem_id(semid):
    info = SemInfo()
    _lib.svipc_sem_stat_id(semid, ctypes.byref(info))
    return info


# ---- message queues ----
# System V message queues (include/svipc/msg.h, doc/msg.md). Send/receive go
# through unchecked function objects (no errcheck) on the hot path; a blocking
# call passes SVIPC_INTERRUPTIBLE so a signal returns control to Python, which
# runs its handlers (Ctrl-C raises KeyboardInterrupt) and otherwise resumes
# the wait with the time left, as PEP 475 does for the standard library.

import threading as _msg_threading  # noqa: E402  (appended block: kept with the code it serves)
import time as _msg_time  # noqa: E402
import errno as _msg_errno  # noqa: E402

MSG_EXCEPT = 0x00100000     # SVIPC_EXCEPT
MSG_TRUNCATE = 0x00200000   # SVIPC_TRUNCATE
MSG_PEEK = 0x00400000       # SVIPC_PEEK
_MSG_INTERRUPTIBLE = 0x00020000  # SVIPC_INTERRUPTIBLE (include/svipc/common.h)


class MsgInfo(_InfoStruct):
    """svipc_msg_info: what IPC_STAT says about a queue (times in ns)."""
    _fields_ = [
        ("id", ctypes.c_int32), ("key", ctypes.c_int32), ("mode", ctypes.c_uint32),
        ("uid", ctypes.c_uint32), ("gid", ctypes.c_uint32), ("cuid", ctypes.c_uint32),
        ("cgid", ctypes.c_uint32), ("lspid", ctypes.c_int32), ("lrpid", ctypes.c_int32),
        ("reserved", ctypes.c_uint32), ("messages", ctypes.c_uint64), ("bytes", ctypes.c_uint64),
        ("qbytes", ctypes.c_uint64), ("stime_ns", ctypes.c_int64), ("rtime_ns", ctypes.c_int64),
        ("ctime_ns", ctypes.c_int64),
    ]



_MsgPtr = _handle_type("svipc_msg")
_declare("svipc_msg_open", ctypes.c_int, [ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(_MsgPtr)])
_declare("svipc_msg_open_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(_MsgPtr)])
_declare("svipc_msg_close", _MsgPtr, [_MsgPtr], errcheck=False)
_declare("svipc_msg_id", ctypes.c_int, [_MsgPtr])
_declare("svipc_msg_send", ctypes.c_int,
         [_MsgPtr, ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int64])
_declare("svipc_msg_receive", ctypes.c_int64,
         [_MsgPtr, ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_int64,
          ctypes.POINTER(ctypes.c_int64)])
_declare("svipc_msg_stat", ctypes.c_int, [_MsgPtr, ctypes.POINTER(MsgInfo)])
_declare("svipc_msg_stat_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(MsgInfo)])
_declare("svipc_msg_set_capacity", ctypes.c_int, [_MsgPtr, ctypes.c_uint64])
_declare("svipc_msg_set_mode", ctypes.c_int, [_MsgPtr, ctypes.c_uint32])
_declare("svipc_msg_remove", ctypes.c_int, [_MsgPtr])
_declare("svipc_msg_remove_id", ctypes.c_int, [ctypes.c_int32])


def _msg_unchecked(name, restype, argtypes):
    """A second function object for `name` with no errcheck, for the hot paths."""
    function = _lib._FuncPtr((name, _lib))
    function.restype = restype
    function.argtypes = argtypes
    return function


_msg_send = _msg_unchecked("svipc_msg_send", ctypes.c_int,
                           [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32,
                            ctypes.c_int64])
_msg_receive = _msg_unchecked("svipc_msg_receive", ctypes.c_int64,
                              [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32,
                               ctypes.c_int64, ctypes.c_void_p])
_msg_check_signals = ctypes.pythonapi.PyErr_CheckSignals
_msg_check_signals.restype = ctypes.c_int
_msg_check_signals.argtypes = []


def _msg_max_default():
    """kernel.msgmax of this IPC namespace: the longest message anyone can send."""
    try:
        with open("/proc/sys/kernel/msgmax") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 8192  # the kernel's default


def _msg_resume(call, rc, timeout_ns):
    """After call(timeout_ns) returned -EINTR: run Python's signal handlers (they
    may raise, e.g. KeyboardInterrupt), then resume with the time left on the
    original deadline until the call ends other than by a signal. Returns rc."""
    deadline = _msg_time.monotonic_ns() + timeout_ns if timeout_ns > 0 else None
    while rc == -_msg_errno.EINTR:
        _msg_check_signals()
        if deadline is not None:
            timeout_ns = deadline - _msg_time.monotonic_ns()
            if timeout_ns <= 0:
                raise TimeoutError(_msg_errno.ETIMEDOUT, "message queue wait timed out (resumed after a signal)")
        rc = call(timeout_ns)
    return rc


class MessageQueue(_ClosedWhenCollected):
    """A System V message queue.

    MessageQueue(key=..., create=True) creates or opens by key; name="..."
    or path=..., proj_id=... derive the key; no key means a new private
    queue. send(message, type) and receive(type) -> (bytes, type) block by
    default; timeout=seconds waits at most that long (TimeoutError),
    block=False tries once (send: BlockingIOError when the queue is full;
    receive: OSError with errno ENOMSG when no message matches). Interoperates
    with any System V user of the same key (sysv_ipc, C msgsnd/msgrcv).
    close() (or leaving a with block) never removes the queue: remove() does.
    """

    def __init__(self, key=None, *, name=None, path=None, proj_id=1, create=False, exclusive=False,
                 mode=0o600, max_message_size=None):
        resolved = _resolve_key(key, name, path, proj_id)
        flags = (CREATE if create or resolved == KEY_PRIVATE else 0) | (EXCLUSIVE if exclusive else 0)
        handle = _MsgPtr()
        _lib.svipc_msg_open(resolved, flags, mode, ctypes.byref(handle))
        self._adopt(handle, max_message_size)

    @classmethod
    def open_id(cls, msqid, *, max_message_size=None):
        """Open an existing queue by id (as ipcs -q lists it)."""
        self = cls.__new__(cls)
        handle = _MsgPtr()
        _lib.svipc_msg_open_id(msqid, ctypes.byref(handle))
        self._adopt(handle, max_message_size)
        return self

    def _adopt(self, handle, max_message_size):
        self._handle = handle
        self._address = ctypes.cast(handle, ctypes.c_void_p).value
        self.id = _lib.svipc_msg_id(handle)
        #: receive()'s default buffer size: kernel.msgmax unless given.
        self.max_message_size = _msg_max_default() if max_message_size is None else int(max_message_size)
        self._local = _msg_threading.local()  # per-thread receive buffers (ctypes releases the GIL)

    def _live(self):
        if not self._handle:
            raise ValueError("MessageQueue is closed")
        return self._address

    def _buffers(self, size):
        local = self._local
        buf = getattr(local, "buf", None)
        if buf is None or len(buf) < size:
            local.buf = buf = ctypes.create_string_buffer(max(size, 1))
            local.type = ctypes.c_int64()
            local.type_ref = ctypes.byref(local.type)
        return buf, local.type, local.type_ref

    def send(self, message, type=1, *, timeout=None, block=True):
        """Queue `message` (bytes-like, or str as UTF-8) with type > 0.

        Waits while the queue is full: forever (timeout None), at most
        `timeout` seconds (TimeoutError), or not at all with block=False
        (BlockingIOError). ValueError-like OSError(EINVAL) for type <= 0;
        OSError(E2BIG) for a message above kernel.msgmax or the capacity.
        """
        handle = self._live()
        if isinstance(message, str):
            message = message.encode("utf-8")
        if isinstance(message, bytes):
            data, size = message, len(message)
        else:
            view = memoryview(message)
            size = view.nbytes
            data = ((ctypes.c_char * size).from_buffer(message) if not view.readonly and view.c_contiguous
                    else bytes(view))
            view.release()
        timeout_ns = _timeout_ns(timeout) if block else 0
        rc = _msg_send(handle, type, data, size, _MSG_INTERRUPTIBLE, timeout_ns)
        if rc < 0:
            rc = _msg_resume(lambda t: _msg_send(handle, type, data, size, _MSG_INTERRUPTIBLE, t), rc, timeout_ns)
            if rc < 0:
                _raise(-rc)

    def receive(self, type=0, *, timeout=None, block=True, exclude=False, truncate=False, max_size=None):
        """Take a message and return (bytes, type).

        type 0: the oldest; > 0: the oldest of that type (exclude=True: of
        any other type); < 0: the oldest of the lowest type <= abs(type).
        A message longer than max_size (default: max_message_size) raises
        OSError(E2BIG) and stays queued, unless truncate=True cuts it.
        Waits like send(); block=False raises OSError(ENOMSG) if nothing matches.
        """
        handle = self._live()
        size = self.max_message_size if max_size is None else max_size
        buf, mtype, mtype_ref = self._buffers(size)
        flags = _MSG_INTERRUPTIBLE | (MSG_EXCEPT if exclude else 0) | (MSG_TRUNCATE if truncate else 0)
        timeout_ns = _timeout_ns(timeout) if block else 0
        n = _msg_receive(handle, type, buf, size, flags, timeout_ns, mtype_ref)
        if n < 0:
            n = _msg_resume(lambda t: _msg_receive(handle, type, buf, size, flags, t, mtype_ref), n, timeout_ns)
            if n < 0:
                _raise(-n)
        return ctypes.string_at(buf, n), mtype.value

    def peek(self, position=0, *, max_size=None):
        """Copy the message at `position` (0 = oldest, any type) without removing
        it; returns (bytes, type). OSError(ENOMSG) if the queue is shorter;
        OSError(ENOSYS) on kernels without MSG_COPY."""
        handle = self._live()
        size = self.max_message_size if max_size is None else max_size
        buf, mtype, mtype_ref = self._buffers(size)
        n = _msg_receive(handle, position, buf, size, MSG_PEEK, 0, mtype_ref)
        if n < 0:
            _raise(-n)
        return ctypes.string_at(buf, n), mtype.value

    def stat(self):
        info = MsgInfo()
        _lib.svipc_msg_stat(self._handle_checked(), ctypes.byref(info))
        return info

    @property
    def current_messages(self):
        return self.stat().messages

    def set_capacity(self, qbytes):
        """IPC_SET msg_qbytes: the most bytes (and messages) the queue holds.
        Above kernel.msgmnb needs CAP_SYS_RESOURCE (PermissionError)."""
        _lib.svipc_msg_set_capacity(self._handle_checked(), qbytes)

    def set_mode(self, mode):
        _lib.svipc_msg_set_mode(self._handle_checked(), mode)

    def remove(self):
        """IPC_RMID: discards queued messages; blocked senders/receivers get EIDRM."""
        _lib.svipc_msg_remove(self._handle_checked())

    def _handle_checked(self):
        self._live()
        return self._handle

    def close(self):
        """Release the handle; never removes the queue. Idempotent."""
        if getattr(self, "_handle", None):
            self._handle = _lib.svipc_msg_close(self._handle)

    def __repr__(self):
        return f"MessageQueue(id={self.id})"


def remove_msg_id(msqid):
    """IPC_RMID by id (as ipcrm -q does)."""
    _lib.svipc_msg_remove_id(msqid)


def stat_msg_id(msqid):
    info = MsgInfo()
    _lib.svipc_msg_stat_id(msqid, ctypes.byref(info))
    return info


# ---- administration ----
# Listing every System V object of the namespace (ipcs/lsipc), limits and
# usage (ipcs -l / -u), orphans and channel recognition (include/svipc/admin.h,
# doc/admin.md). Results are plain dataclasses, detached from ctypes.

import dataclasses as _dataclasses  # noqa: E402  (appended block: kept with the code it serves)

LIST_SYSCALLS = 0x10000000
LIST_PROC_ONLY = 0x20000000
KIND_SHM = 1
KIND_SEM = 2
KIND_MSG = 3
ORPHAN_CHANNEL = 0x1
ORPHAN_CHANNEL_LOCK = 0x2



class _OrphanStruct(ctypes.Structure):
    """svipc_orphan (admin.h)."""
    _fields_ = [
        ("kind", ctypes.c_uint32), ("id", ctypes.c_int32), ("key", ctypes.c_int32), ("uid", ctypes.c_uint32),
        ("cuid", ctypes.c_uint32), ("pid", ctypes.c_int32), ("flags", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32), ("idle_ns", ctypes.c_int64),
    ]


_LIMIT_FIELDS = ("shmmax", "shmall", "shmmin", "shmmni", "page_size", "semmsl", "semmns", "semopm", "semmni",
                 "semvmx", "msgmni", "msgmax", "msgmnb")
_USAGE_FIELDS = ("shm_segments", "shm_pages", "shm_resident_pages", "shm_swapped_pages", "sem_sets",
                 "sem_semaphores", "msg_queues", "msg_messages", "msg_bytes")


class _LimitsStruct(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in _LIMIT_FIELDS]


class _UsageStruct(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in _USAGE_FIELDS]


_declare("svipc_list_shm", ctypes.c_int, [ctypes.POINTER(ShmInfo), ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_list_sem", ctypes.c_int, [ctypes.POINTER(SemInfo), ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_list_msg", ctypes.c_int, [ctypes.POINTER(MsgInfo), ctypes.c_uint32, ctypes.c_uint32])
_declare("svipc_limits", ctypes.c_int, [ctypes.POINTER(_LimitsStruct)])
_declare("svipc_usage", ctypes.c_int, [ctypes.POINTER(_UsageStruct)])
_declare("svipc_admin_channel_stat", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(ChannelInfo)])
_declare("svipc_find_orphans", ctypes.c_int,
         [ctypes.POINTER(_OrphanStruct), ctypes.c_uint32, ctypes.c_int64, ctypes.c_uint32])


def _plain_data(name, fields, doc, **members):
    """A frozen dataclass with these int fields: results detached from ctypes."""
    cls = _dataclasses.make_dataclass(name, [(f, int) for f in fields if f != "reserved"], frozen=True,
                                      namespace=members)
    cls.__doc__ = doc
    return cls


def _field_names(struct):
    return [name for name, _ in struct._fields_]


ShmObject = _plain_data("ShmObject", _field_names(ShmInfo),
                        "A shared memory segment as ipcs -m sees it (times in ns since the epoch, 0 = never).",
                        removed=property(lambda self: bool(self.flags & SHM_INFO_REMOVED)))
SemObject = _plain_data("SemObject", _field_names(SemInfo), "A semaphore set as ipcs -s sees it.")
MsgObject = _plain_data("MsgObject", _field_names(MsgInfo), "A message queue as ipcs -q sees it.")


@_dataclasses.dataclass(frozen=True)
class Orphan:
    """An object whose users are all gone (see find_orphans)."""
    kind: str          # "shm", "sem" or "msg"
    id: int
    key: int
    uid: int
    cuid: int
    pid: int           # the dead creator (shm) or last user (sem, msg); 0 = none recorded
    flags: int         # ORPHAN_CHANNEL, ORPHAN_CHANNEL_LOCK
    idle_ns: int

    @property
    def channel(self):
        return bool(self.flags & ORPHAN_CHANNEL)


Limits = _plain_data("Limits", _LIMIT_FIELDS,
                     "ipcs -l: shmmax (bytes), shmall (pages), shmmin, shmmni, page_size, semmsl, semmns, semopm, "
                     "semmni, semvmx, msgmni, msgmax, msgmnb.")
Usage = _plain_data("Usage", _USAGE_FIELDS, "ipcs -u: what is allocated now.")


_KIND_NAMES = {KIND_SHM: "shm", KIND_SEM: "sem", KIND_MSG: "msg"}


def _from_struct(cls, struct, **extra):
    names = {f.name for f in _dataclasses.fields(cls)}
    values = {name: getattr(struct, name) for name, _ in struct._fields_ if name in names}
    values.update(extra)
    return cls(**values)


def _source_flags(source):
    if source is None:
        return 0
    try:
        return {"proc": LIST_PROC_ONLY, "syscalls": LIST_SYSCALLS}[source]
    except KeyError:
        raise ValueError("source must be None, 'proc' or 'syscalls'") from None


def _fill(function, struct, *args):
    """Call a count-returning list function with a growing array until everything fits."""
    capacity = 0
    while True:
        array = (struct * capacity)()
        count = function(array, capacity, *args)
        if count <= capacity:
            return array[:count]
        capacity = count + 16  # objects may appear between the two calls


def list_shm(source=None):
    """Every shared memory segment (ipcs -m), as ShmObject dataclasses.
    source: None (/proc/sysvipc, else syscalls), 'proc' or 'syscalls'."""
    return [_from_struct(ShmObject, s) for s in _fill(_lib.svipc_list_shm, ShmInfo, _source_flags(source))]


def list_sem(source=None):
    """Every semaphore set (ipcs -s), as SemObject dataclasses."""
    return [_from_struct(SemObject, s) for s in _fill(_lib.svipc_list_sem, SemInfo, _source_flags(source))]


def list_msg(source=None):
    """Every message queue (ipcs -q), as MsgObject dataclasses."""
    return [_from_struct(MsgObject, s)
            for s in _fill(_lib.svipc_list_msg, MsgInfo, _source_flags(source))]


def find_orphans(min_idle=0.0, source=None):
    """Objects whose users are all gone; sets and queues must also be idle for min_idle seconds.
    Returns Orphan dataclasses (kind 'shm', 'sem' or 'msg')."""
    if min_idle < 0:
        raise ValueError("min_idle must be >= 0")
    found = _fill(lambda array, capacity, *args: _lib.svipc_find_orphans(array, capacity, *args),
                  _OrphanStruct, int(min_idle * 1_000_000_000), _source_flags(source))
    return [_from_struct(Orphan, s, kind=_KIND_NAMES.get(s.kind, str(s.kind))) for s in found]


def limits():
    """The kernel's System V IPC limits in this namespace (ipcs -l)."""
    out = _LimitsStruct()
    _lib.svipc_limits(ctypes.byref(out))
    return _from_struct(Limits, out)


def usage():
    """What is allocated now (ipcs -u)."""
    out = _UsageStruct()
    _lib.svipc_usage(ctypes.byref(out))
    return _from_struct(Usage, out)


def channel_info_of_segment(shmid):
    """The channel header of segment shmid (a ChannelInfo), or None if it is not a svipc channel.
    Attaches the segment read-only for a moment."""
    out = ChannelInfo()
    try:
        _lib.svipc_admin_channel_stat(shmid, ctypes.byref(out))
    except OSError as e:
        if e.errno == _errno.EPROTO:
            return None
        raise
    return out
