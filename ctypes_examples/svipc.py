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
_declare("svipc_key_from_path", ctypes.c_int, [ctypes.c_char_p, ctypes.c_int32, ctypes.POINTER(ctypes.c_int32)])
_declare("svipc_key_from_name", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int32)])

version = _lib.svipc_version()
version_string = _lib.svipc_version_string().decode()
PAGE_SIZE = _lib.svipc_page_size()

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


class ShmInfo(ctypes.Structure):
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

    def to_dict(self):
        return {name: getattr(self, name) for name, _ in self._fields_}

    def __repr__(self):
        return f"ShmInfo({self.to_dict()})"


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


class SharedMemory:
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
        """Make the page-aligned part of `buffer` (numpy array, bytearray, mmap...) be the segment.

        The segment starts at the first page boundary inside the buffer
        (`attachment.offset` bytes in); the buffer needs size + PAGE_SIZE - 1
        bytes unless it is page-aligned (see aligned_array). keep_buffer
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

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
    """A zeroed numpy array whose memory is its own page-aligned anonymous mmap.

    attach_into() on it maps the segment over the whole array (offset 0, no
    over-allocation needed) and nothing else shares those pages.
    """
    import numpy
    dtype = numpy.dtype(dtype)
    nbytes = int(numpy.prod(shape)) * dtype.itemsize
    region = mmap.mmap(-1, max(PAGE_SIZE, -(-nbytes // PAGE_SIZE) * PAGE_SIZE))
    return numpy.frombuffer(region, dtype=dtype, count=int(numpy.prod(shape))).reshape(shape)
