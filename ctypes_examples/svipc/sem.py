"""System V semaphore sets (include/svipc/sem.h, doc/sem.md).

Blocking calls pass SVIPC_INTERRUPTIBLE so that a signal returns control to
Python, which runs its handlers (Ctrl-C raises KeyboardInterrupt right
there) and otherwise resumes the wait with the time left.

Semaphore.acquire()/release() are the per-call paths: each passes one
ready-made svipc_sem_call block, first as a non-blocking try that keeps the
GIL (a P that can take at once, a V: neither ever sleeps), and only when
the P would block as a waiting call that releases the GIL.
"""
import ctypes
import errno
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from . import _aio
from ._closable import ClosedWhenCollected
from ._constants import (SVIPC_CREATE, SVIPC_EXCLUSIVE, SVIPC_INTERRUPTIBLE, SVIPC_KEY_PRIVATE, SVIPC_NO_UNDO,
                         SVIPC_SEM_VALUE_MAX, SVIPC_WAIT_FOREVER)
from ._lib import EINTR, SemPtr, address, function, last_error_message, lib, raise_error, resume_after_signal
from ._lib import timeout_ns as _timeout_ns
from ._structs import SemCall, SemInfo, SemOp
from .keys import resolve_key

NO_UNDO = SVIPC_NO_UNDO
SEM_VALUE_MAX = SVIPC_SEM_VALUE_MAX

_p = function("svipc_sem_p")  # may wait: releases the GIL
_p_now = function("svipc_sem_p", holds_gil=True)  # timeout 0 only
_v = function("svipc_sem_v", holds_gil=True)  # V never waits
_ops = function("svipc_sem_ops")
_lock = function("svipc_sem_lock")
_unlock = function("svipc_sem_unlock", holds_gil=True)
_p_call_now = function("svipc_sem_p_call", holds_gil=True, bare=True)  # blocks with timeout 0 only
_p_call_wait = function("svipc_sem_p_call", bare=True)
_v_call = function("svipc_sem_v_call", holds_gil=True, bare=True)
EAGAIN = -errno.EAGAIN
ETIMEDOUT = -errno.ETIMEDOUT


def _wait(call: Callable[[int], int], timeout: Optional[float]) -> int:
    """Run call(timeout_ns) (an interruptible wait) to its end; returns 0, -EAGAIN
    or -ETIMEDOUT, raises OSError for other errors."""
    ns = _timeout_ns(timeout)
    rc = call(ns)
    if rc == EINTR:
        rc = resume_after_signal(call, rc, ns)
    if rc < 0 and rc != EAGAIN and rc != ETIMEDOUT:
        raise_error(-rc)
    return rc


def _raise_wait_end(rc: int) -> None:
    """-EAGAIN -> BlockingIOError, -ETIMEDOUT -> TimeoutError, with svipc's message
    (unless the deadline passed in Python after a signal: then the last message
    is about the interruption, not the timeout)."""
    message = last_error_message()
    if "interrupted" in message:
        message = "semaphore wait timed out (resumed after a signal)"
    raise OSError(-rc, message)


class _MemberCalls:
    """The bound svipc_sem_call blocks of one member: P by 1 now, P by 1
    waiting forever (interruptible), V by 1. close() of the set clears their
    handle, so a stale block fails with EINVAL instead of touching freed memory."""

    def __init__(self, raw: int, index: int) -> None:
        self.try_p = SemCall(raw, index, 1, 0, 0, 0)
        self.wait_p = SemCall(raw, index, 1, SVIPC_INTERRUPTIBLE, 0, SVIPC_WAIT_FOREVER)
        self.v = SemCall(raw, index, 1, 0, 0, 0)
        self.try_p_ref = ctypes.byref(self.try_p)
        self.wait_p_ref = ctypes.byref(self.wait_p)
        self.v_ref = ctypes.byref(self.v)

    def invalidate(self) -> None:
        """Clear the handle of every block (the set is being closed)."""
        self.try_p.sem = self.wait_p.sem = self.v.sem = None


class SemaphoreSet(ClosedWhenCollected):
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

    def __init__(self, key: Optional[int] = None, nsems: int = 1, *, name: Optional[str] = None,
                 path: Optional[str] = None, proj_id: int = 1, create: bool = False, exclusive: bool = False,
                 mode: int = 0o600, initial: Optional[Iterable[int]] = None, init_timeout: float = 10.0,
                 undo: bool = True) -> None:
        resolved = resolve_key(key, name, path, proj_id)
        flags = ((SVIPC_CREATE if create or resolved == SVIPC_KEY_PRIVATE else 0)
                 | (SVIPC_EXCLUSIVE if exclusive else 0) | (0 if undo else NO_UNDO))
        values = None
        if initial is not None:
            initial = list(initial)
            if len(initial) != nsems:
                raise ValueError(f"initial has {len(initial)} values for {nsems} semaphores")
            if any(not 0 <= v <= SEM_VALUE_MAX for v in initial):
                raise ValueError(f"initial values must be 0..{SEM_VALUE_MAX}")
            values = (ctypes.c_uint16 * nsems)(*initial)
        handle = SemPtr()
        lib.svipc_sem_open(resolved, nsems, flags, mode, values, _timeout_ns(init_timeout), ctypes.byref(handle))
        self._adopt(handle, undo)

    @classmethod
    def open_id(cls, semid: int, *, undo: bool = True) -> "SemaphoreSet":
        """Open an existing set by id (as ipcs lists it), without the initialisation handshake."""
        self = cls.__new__(cls)
        handle = SemPtr()
        lib.svipc_sem_open_id(semid, 0 if undo else NO_UNDO, ctypes.byref(handle))
        self._adopt(handle, undo)
        return self

    def _adopt(self, handle: Any, undo: bool) -> None:
        self._handle = handle
        self._raw = address(handle)
        self._undo = undo
        self._calls: Dict[int, _MemberCalls] = {}
        #: The semid (as ipcs -s lists it).
        self.id: int = lib.svipc_sem_id(handle)
        #: The number of semaphores in the set.
        self.nsems: int = lib.svipc_sem_nsems(handle)
        #: True if this object created (and initialised) the set.
        self.created: bool = bool(lib.svipc_sem_created(handle))

    def _live(self) -> Any:
        if not self._handle:
            raise ValueError("SemaphoreSet is closed")
        return self._handle

    def _live_raw(self) -> int:
        if not self._handle:
            raise ValueError("SemaphoreSet is closed")
        return self._raw

    def _member_calls(self, index: int) -> _MemberCalls:
        calls = self._calls.get(index)
        if calls is None:
            calls = self._calls[index] = _MemberCalls(self._live_raw(), index)
        return calls

    @staticmethod
    def _undo_flags(undo: Optional[bool]) -> int:
        return NO_UNDO if undo is False else 0

    # -- P / V ---------------------------------------------------------------

    def p(self, index: int = 0, count: int = 1, timeout: Optional[float] = None, *,
          undo: Optional[bool] = None) -> None:
        """Subtract count, waiting while the value is smaller. TimeoutError at the
        timeout; BlockingIOError for timeout=0 when it would block."""
        raw, flags = self._live_raw(), self._undo_flags(undo) | SVIPC_INTERRUPTIBLE
        rc = _wait(lambda ns: _p(raw, index, count, flags, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)

    def try_p(self, index: int = 0, count: int = 1, *, undo: Optional[bool] = None) -> bool:
        """P without waiting: True if taken, False if it would block."""
        rc = _p_now(self._live_raw(), index, count, self._undo_flags(undo), 0)
        if rc == EAGAIN:
            return False
        if rc < 0:
            raise_error(-rc)
        return True

    def v(self, index: int = 0, count: int = 1, *, undo: Optional[bool] = None) -> None:
        """Add count (never blocks); OSError(ERANGE) past SEM_VALUE_MAX."""
        rc = _v(self._live_raw(), index, count, self._undo_flags(undo))
        if rc < 0:
            raise_error(-rc)

    def ops(self, operations: Sequence[Tuple[int, ...]], timeout: Optional[float] = None, *,
            undo: Optional[bool] = None) -> None:
        """Apply [(index, delta[, flags]), ...] atomically: all or (while any would
        block) none. delta < 0 is P, > 0 is V, 0 waits for zero; flags may be NO_UNDO."""
        built = [SemOp(*op) for op in operations]
        array = (SemOp * len(built))(*built)
        raw, flags, count = self._live_raw(), self._undo_flags(undo) | SVIPC_INTERRUPTIBLE, len(built)
        rc = _wait(lambda ns: _ops(raw, array, count, flags, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)

    # -- mutex helper --------------------------------------------------------

    def lock(self, index: int = 0, timeout: Optional[float] = None) -> "SemLockGuard":
        """Lock member index as a mutex (value 1 = free); returns a guard whose
        with-block unlocks. TimeoutError/BlockingIOError if not acquired."""
        raw = self._live_raw()
        rc = _wait(lambda ns: _lock(raw, index, SVIPC_INTERRUPTIBLE, ns), timeout)
        if rc < 0:
            _raise_wait_end(rc)
        return SemLockGuard(self, index)

    def unlock(self, index: int = 0) -> None:
        """Unlock: V by 1 only from 0; PermissionError (EPERM) if not locked."""
        rc = _unlock(self._live_raw(), index, 0)
        if rc < 0:
            raise_error(-rc)

    # -- values and state ----------------------------------------------------

    def value(self, index: int = 0) -> int:
        """The value of member index (GETVAL)."""
        return lib.svipc_sem_value(self._live(), index)

    def set_value(self, index: int, value: int) -> None:
        """SETVAL. Clears every process's undo adjustment for the member."""
        lib.svipc_sem_set_value(self._live(), index, value)

    def values(self) -> List[int]:
        """Every member's value (GETALL)."""
        out = (ctypes.c_uint16 * self.nsems)()
        lib.svipc_sem_values(self._live(), out, self.nsems)
        return list(out)

    def set_values(self, values: Iterable[int]) -> None:
        """SETALL (one value per member). Clears every undo adjustment of the set."""
        values = list(values)
        lib.svipc_sem_set_values(self._live(), (ctypes.c_uint16 * len(values))(*values), len(values))

    def waiting(self, index: int = 0) -> int:
        """Processes blocked waiting for the value to increase (GETNCNT)."""
        return lib.svipc_sem_waiting(self._live(), index)

    def waiting_zero(self, index: int = 0) -> int:
        """Processes blocked waiting for the value to be zero (GETZCNT)."""
        return lib.svipc_sem_waiting_zero(self._live(), index)

    def last_pid(self, index: int = 0) -> int:
        """The pid of the last process that changed member index (GETPID)."""
        return lib.svipc_sem_last_pid(self._live(), index)

    def stat(self) -> SemInfo:
        """IPC_STAT of the set."""
        info = SemInfo()
        lib.svipc_sem_stat(self._live(), ctypes.byref(info))
        return info

    def set_mode(self, mode: int) -> None:
        """Change the permission bits (IPC_SET)."""
        lib.svipc_sem_set_mode(self._live(), mode)

    def set_owner(self, uid: int, gid: int) -> None:
        """Change the owner (IPC_SET)."""
        lib.svipc_sem_set_owner(self._live(), uid, gid)

    def remove(self) -> None:
        """IPC_RMID, at once: blocked waiters get OSError(EIDRM)."""
        lib.svipc_sem_remove(self._live())

    def close(self) -> None:
        """Release the handle; never removes the set or changes a value."""
        if getattr(self, "_handle", None):
            for calls in self._calls.values():
                calls.invalidate()
            self._handle = lib.svipc_sem_close(self._handle)
            self._raw = None

    def __len__(self) -> int:
        return self.nsems

    def __getitem__(self, index: int) -> "Semaphore":
        if not 0 <= index < self.nsems:
            raise IndexError(f"semaphore index {index} out of range 0..{self.nsems - 1}")
        return Semaphore._member(self, index)

    def __repr__(self) -> str:
        return f"SemaphoreSet(id={self.id}, nsems={self.nsems})"


class SemLockGuard:
    """Returned by lock(): `with s.lock(timeout=1):` unlocks at the end of the block."""

    def __init__(self, owner: SemaphoreSet, index: int) -> None:
        self._owner, self._index = owner, index
        #: True until unlock().
        self.locked = True

    def unlock(self) -> None:
        """Unlock once (later calls do nothing)."""
        if self.locked:
            self.locked = False
            self._owner.unlock(self._index)

    def __enter__(self) -> "SemLockGuard":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.unlock()


class Semaphore:
    """One System V semaphore, usable like multiprocessing.Semaphore/Lock.

    Semaphore(key=..., create=True, initial=1) creates or opens a set of one
    (initial 1 makes it a free lock); set[i] gives a member of a larger set.
    `with sem:` is acquire/release (P/V, with undo: a process killed inside
    the block gives its unit back). acquire(blocking, timeout) returns
    True/False like threading; `await acquire_async(timeout)` waits without
    blocking an event loop; p()/v()/try_p() and lock()/unlock() follow
    SemaphoreSet.
    """

    def __init__(self, key: Optional[int] = None, *, name: Optional[str] = None, path: Optional[str] = None,
                 proj_id: int = 1, create: bool = False, exclusive: bool = False, mode: int = 0o600,
                 initial: int = 1, init_timeout: float = 10.0, undo: bool = True) -> None:
        #: The set this semaphore belongs to.
        self.set = SemaphoreSet(key, 1, name=name, path=path, proj_id=proj_id, create=create, exclusive=exclusive,
                                mode=mode, initial=[initial], init_timeout=init_timeout, undo=undo)
        #: Its index in the set.
        self.index = 0
        self._owns_set = True
        self._prepare()

    @classmethod
    def _member(cls, semaphore_set: SemaphoreSet, index: int) -> "Semaphore":
        self = cls.__new__(cls)
        self.set, self.index, self._owns_set = semaphore_set, index, False
        self._prepare()
        return self

    def _prepare(self) -> None:
        calls = self.set._member_calls(self.index)
        self._calls = calls  # keeps the blocks alive as long as the refs below
        self._try_ref, self._wait_ref, self._v_ref = calls.try_p_ref, calls.wait_p_ref, calls.v_ref
        # acquire()/release() specialised as closures over their blocks: no
        # attribute lookups per call. SemaphoreSet.close() clears the blocks'
        # handle in place, so a closure kept after close() fails cleanly.
        # The closures keep the object alive (a chained Semaphore(...).acquire works);
        # the cycle this makes is freed by the garbage collector.
        try_ref, v_ref, owner = self._try_ref, self._v_ref, self

        def acquire(blocking: bool = True, timeout: Optional[float] = None) -> bool:
            if timeout is None and _p_call_now(try_ref) == 0:
                return True  # taken at once, without releasing the GIL
            return owner._acquire_waiting(blocking, timeout)

        def release(n: int = 1) -> None:
            if n == 1 and _v_call(v_ref) == 0:
                return
            owner._release(n)

        acquire.__doc__, release.__doc__ = Semaphore.acquire.__doc__, Semaphore.release.__doc__
        self.acquire = acquire  # type: ignore[method-assign]
        self.release = release  # type: ignore[method-assign]

    @property
    def id(self) -> int:
        """The set's semid."""
        return self.set.id

    @property
    def created(self) -> bool:
        """True if this object's set was created by it."""
        return self.set.created

    def acquire(self, blocking: bool = True, timeout: Optional[float] = None) -> bool:
        """P by 1. True once taken; False if non-blocking and busy, or at the timeout."""
        # Each instance's own acquire() (see _prepare) is the fast path; this is the general one.
        return self._acquire_waiting(blocking, timeout)

    def _acquire_waiting(self, blocking: bool, timeout: Optional[float]) -> bool:
        if not blocking:
            if timeout is not None:
                raise ValueError("can't specify a timeout for a non-blocking call")
            return self.set.try_p(self.index)
        raw, index = self.set._live_raw(), self.index
        if timeout is None:
            rc = _p_call_wait(self._wait_ref)
            if rc == EINTR:
                rc = resume_after_signal(lambda ns: _p(raw, index, 1, SVIPC_INTERRUPTIBLE, ns), rc,
                                         SVIPC_WAIT_FOREVER)
            if rc < 0:
                raise_error(-rc)
            return True
        rc = _wait(lambda ns: _p(raw, index, 1, SVIPC_INTERRUPTIBLE, ns), timeout)
        return rc == 0

    def release(self, n: int = 1) -> None:
        """V by n."""
        self._release(n)  # the general path; each instance's own release() (see _prepare) is the fast one

    def _release(self, n: int) -> None:
        self.set.v(self.index, n)

    async def acquire_async(self, timeout: Optional[float] = None) -> bool:
        """P by 1 without blocking the event loop: True once taken, False at the
        timeout. Cancelling it never leaves the unit taken: a unit the waiting
        thread obtains after the cancellation is given back."""
        semid, index, undo = self.set.id, self.index, self.set._undo

        def open_worker() -> SemaphoreSet:
            return SemaphoreSet.open_id(semid, undo=undo)

        def wait_slice(own: SemaphoreSet, seconds: float) -> _aio.Outcome:
            raw = own._live_raw()
            return _wait(lambda ns: _p(raw, index, 1, SVIPC_INTERRUPTIBLE, ns), seconds) == 0, None

        got, _ = await _aio.wait_in_thread(lambda: (self.acquire(False), None), open_worker, wait_slice,
                                           lambda own: own.close(), lambda _: self.release(), timeout)
        return got

    def p(self, count: int = 1, timeout: Optional[float] = None, *, undo: Optional[bool] = None) -> None:
        """SemaphoreSet.p() of this member."""
        self.set.p(self.index, count, timeout, undo=undo)

    def v(self, count: int = 1, *, undo: Optional[bool] = None) -> None:
        """SemaphoreSet.v() of this member."""
        self.set.v(self.index, count, undo=undo)

    def try_p(self, count: int = 1, *, undo: Optional[bool] = None) -> bool:
        """SemaphoreSet.try_p() of this member."""
        return self.set.try_p(self.index, count, undo=undo)

    def lock(self, timeout: Optional[float] = None) -> SemLockGuard:
        """SemaphoreSet.lock() of this member."""
        return self.set.lock(self.index, timeout)

    def unlock(self) -> None:
        """SemaphoreSet.unlock() of this member."""
        self.set.unlock(self.index)

    @property
    def value(self) -> int:
        """The current value (GETVAL); assigning sets it (SETVAL)."""
        return self.set.value(self.index)

    @value.setter
    def value(self, value: int) -> None:
        self.set.set_value(self.index, value)

    def waiting(self) -> int:
        """Processes waiting for the value to increase."""
        return self.set.waiting(self.index)

    def waiting_zero(self) -> int:
        """Processes waiting for the value to be zero."""
        return self.set.waiting_zero(self.index)

    def last_pid(self) -> int:
        """The pid of the last process that changed the value."""
        return self.set.last_pid(self.index)

    def remove(self) -> None:
        """Remove the whole set (IPC_RMID)."""
        self.set.remove()

    def close(self) -> None:
        """Close the set this object opened (a member view leaves its set open)."""
        if self._owns_set:
            self.set.close()

    def __enter__(self) -> "Semaphore":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Semaphore(id={self.set.id}, index={self.index})"


def remove_sem_id(semid: int) -> None:
    """IPC_RMID by id (as ipcrm -s does)."""
    lib.svipc_sem_remove_id(semid)


def stat_sem_id(semid: int) -> SemInfo:
    """IPC_STAT by id."""
    info = SemInfo()
    lib.svipc_sem_stat_id(semid, ctypes.byref(info))
    return info
