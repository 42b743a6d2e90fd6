"""System V shared memory segments (include/svipc/shm.h, doc/shm.md, doc/attach-into.md)."""
import ctypes
import mmap
import sys
from typing import Any, Optional, Set, Tuple

from ._closable import Closable
from ._constants import (SVIPC_AUTO_REMOVE, SVIPC_CREATE, SVIPC_EXCLUSIVE, SVIPC_HUGETLB, SVIPC_KEEP_BUFFER,
                         SVIPC_KEY_PRIVATE, SVIPC_NORESERVE, SVIPC_PREFAULT, SVIPC_RDONLY, SVIPC_REMAP, SVIPC_RND,
                         SVIPC_SHM_INFO_LOCKED, SVIPC_SHM_INFO_REMOVED)
from ._lib import ShmPtr, lib, raise_error
from ._structs import ShmInfo
from .keys import resolve_key

CREATE = SVIPC_CREATE
EXCLUSIVE = SVIPC_EXCLUSIVE
HUGETLB = SVIPC_HUGETLB
NORESERVE = SVIPC_NORESERVE
AUTO_REMOVE = SVIPC_AUTO_REMOVE
RDONLY = SVIPC_RDONLY
RND = SVIPC_RND
REMAP = SVIPC_REMAP
PREFAULT = SVIPC_PREFAULT
KEEP_BUFFER = SVIPC_KEEP_BUFFER
SHM_INFO_REMOVED = SVIPC_SHM_INFO_REMOVED
SHM_INFO_LOCKED = SVIPC_SHM_INFO_LOCKED
#: The system's page size: attach_into() maps whole pages.
PAGE_SIZE: int = lib.svipc_page_size()


def _buffer_address(buffer: Any) -> Tuple[Any, int, int]:
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

    def __init__(self, shm: "SharedMemory", address: int, size: int, readonly: bool, host: Any = None,
                 offset: int = 0) -> None:
        self._shm = shm
        self.address = address
        self.size = size
        self.readonly = readonly
        self.offset = offset          # attach_into: where the segment starts in the host buffer
        self._host = host             # attach_into: pins the caller's buffer while attached
        self._memory = (ctypes.c_ubyte * size).from_address(address)

    @property
    def attached(self) -> bool:
        """True until detach()."""
        return self._memory is not None

    def _check_attached(self) -> None:
        if self._memory is None:
            raise ValueError("attachment is detached")

    def view(self) -> memoryview:
        """memoryview of the mapped bytes (read-only for a read-only attach)."""
        self._check_attached()
        view = memoryview(self._memory).cast("B")
        return view.toreadonly() if self.readonly else view

    def ndarray(self, dtype: Any, shape: Any = None, offset: int = 0) -> Any:
        """numpy array over the mapped memory (zero copy)."""
        import numpy
        dtype = numpy.dtype(dtype)
        count = -1 if shape is None else int(numpy.prod(shape))
        array = numpy.frombuffer(self.view(), dtype=dtype, count=count, offset=offset)
        return array if shape is None else array.reshape(shape)

    def _views_alive(self) -> bool:
        # Every memoryview/numpy view made from _memory keeps one reference to
        # it through a shared managed buffer; ours and getrefcount's make 2.
        return sys.getrefcount(self._memory) > 2

    def detach(self) -> None:
        """Unmap (attach_into: restore private memory with the last contents). Idempotent."""
        if self._memory is None:
            return
        if self._host is None and self._views_alive():
            raise BufferError("memoryviews or numpy arrays over this attachment still exist; "
                              "delete them before detaching (they would point at unmapped memory)")
        lib.svipc_shm_detach(self._shm._handle, self.address)
        self._memory = None
        self._host = None  # the caller's buffer may be released now
        self._shm._attachments.discard(self)

    def __enter__(self) -> "Attachment":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.detach()

    def __del__(self) -> None:
        try:
            if self._memory is not None and self._shm._handle and (self._host is not None or not self._views_alive()):
                self.detach()
        except Exception:
            pass


class SharedMemory(Closable):
    """A System V shared memory segment.

    SharedMemory(key=..., size=..., create=True) creates or opens by key;
    name="..." or path=..., proj_id=... derive the key; no key means a new
    private segment. close() (or leaving a with block) detaches what this
    object attached; the segment itself only goes away with remove().
    """

    def __init__(self, key: Optional[int] = None, size: int = 0, *, name: Optional[str] = None,
                 path: Optional[str] = None, proj_id: int = 1, create: bool = False, exclusive: bool = False,
                 mode: int = 0o600, hugetlb: bool = False, noreserve: bool = False,
                 auto_remove: bool = False) -> None:
        resolved = resolve_key(key, name, path, proj_id)
        flags = ((SVIPC_CREATE if create or resolved == SVIPC_KEY_PRIVATE else 0) | (SVIPC_EXCLUSIVE if exclusive else 0)
                 | (SVIPC_HUGETLB if hugetlb else 0) | (SVIPC_NORESERVE if noreserve else 0)
                 | (SVIPC_AUTO_REMOVE if auto_remove else 0))
        handle = ShmPtr()
        lib.svipc_shm_open(resolved, size, flags, mode, ctypes.byref(handle))
        self._adopt(handle)

    @classmethod
    def open_id(cls, shmid: int) -> "SharedMemory":
        """Open an existing segment by id (as ipcs lists it)."""
        self = cls.__new__(cls)
        handle = ShmPtr()
        lib.svipc_shm_open_id(shmid, ctypes.byref(handle))
        self._adopt(handle)
        return self

    def _adopt(self, handle: Any) -> None:
        self._handle = handle
        self._attachments: Set[Attachment] = set()
        self.id = lib.svipc_shm_id(handle)
        self.size = lib.svipc_shm_size(handle)

    def _live(self) -> Any:
        if not self._handle:
            raise ValueError("SharedMemory is closed")
        return self._handle

    def attach(self, address: Optional[int] = None, *, readonly: bool = False, rnd: bool = False,
               remap: bool = False, prefault: bool = False) -> Attachment:
        """Map the segment (anywhere, or at address). Returns an Attachment."""
        flags = ((SVIPC_RDONLY if readonly else 0) | (SVIPC_RND if rnd else 0) | (SVIPC_REMAP if remap else 0)
                 | (SVIPC_PREFAULT if prefault else 0))
        out = ctypes.c_void_p()
        lib.svipc_shm_attach(self._live(), address, flags, ctypes.byref(out))
        attachment = Attachment(self, out.value, self.size, readonly)
        self._attachments.add(attachment)
        return attachment

    def attach_into(self, buffer: Any, *, keep_buffer: bool = False, readonly: bool = False,
                    prefault: bool = False) -> Attachment:
        """Make the page-aligned part of `buffer` (numpy array, bytearray, mmap...) be the segment.

        The segment starts at the first page boundary inside the buffer
        (`attachment.offset` bytes in); the buffer needs size + PAGE_SIZE - 1
        bytes unless it is page-aligned (see aligned_array). keep_buffer
        copies the buffer's current bytes into the segment first. The buffer
        stays pinned while attached; detach restores it as private memory
        holding the segment's last contents.
        """
        pinned, address, length = _buffer_address(buffer)
        flags = ((SVIPC_KEEP_BUFFER if keep_buffer else 0) | (SVIPC_RDONLY if readonly else 0)
                 | (SVIPC_PREFAULT if prefault else 0))
        out = ctypes.c_void_p()
        lib.svipc_shm_attach_into(self._live(), address, length, flags, ctypes.byref(out))
        attachment = Attachment(self, out.value, self.size, readonly, host=pinned, offset=out.value - address)
        self._attachments.add(attachment)
        return attachment

    def stat(self) -> ShmInfo:
        """IPC_STAT of the segment."""
        info = ShmInfo()
        lib.svipc_shm_stat(self._live(), ctypes.byref(info))
        return info

    def remove(self) -> None:
        """IPC_RMID: destroyed at the last detach; the key is released at once."""
        lib.svipc_shm_remove(self._live())

    def set_mode(self, mode: int) -> None:
        """Change the permission bits (IPC_SET)."""
        lib.svipc_shm_set_mode(self._live(), mode)

    def set_owner(self, uid: int, gid: int) -> None:
        """Change the owner (IPC_SET)."""
        lib.svipc_shm_set_owner(self._live(), uid, gid)

    def close(self) -> None:
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
        self._handle = lib.svipc_shm_close(self._handle)

    def __del__(self) -> None:
        try:
            if getattr(self, "_handle", None) and not any(a._views_alive() for a in self._attachments
                                                          if a._host is None):
                self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"SharedMemory(id={self.id}, size={self.size})"


def remove_shm_id(shmid: int) -> None:
    """IPC_RMID by id (as ipcrm -m does)."""
    lib.svipc_shm_remove_id(shmid)


def stat_shm_id(shmid: int) -> ShmInfo:
    """IPC_STAT by id."""
    info = ShmInfo()
    lib.svipc_shm_stat_id(shmid, ctypes.byref(info))
    return info


def aligned_array(shape: Any, dtype: Any) -> Any:
    """A zeroed numpy array whose memory is its own page-aligned anonymous mmap.

    attach_into() on it maps the segment over the whole array (offset 0, no
    over-allocation needed) and nothing else shares those pages.
    """
    import numpy
    dtype = numpy.dtype(dtype)
    nbytes = int(numpy.prod(shape)) * dtype.itemsize
    region = mmap.mmap(-1, max(PAGE_SIZE, -(-nbytes // PAGE_SIZE) * PAGE_SIZE))
    return numpy.frombuffer(region, dtype=dtype, count=int(numpy.prod(shape))).reshape(shape)

