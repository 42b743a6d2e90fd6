"""System V message queues (include/svipc/msg.h, doc/msg.md).

send() and receive() are the per-call paths: each takes a ready-made
svipc_msg_call block (with its receive buffer) from the queue's pool and
passes that one pointer. send() first tries without waiting, keeping the
GIL, and only when the queue is full waits with the GIL released. receive()
waits at once with the GIL released: a try first costs a failed msgrcv
whenever the queue is empty, which doubled the round-trip latency. A
blocking call passes SVIPC_INTERRUPTIBLE so a signal returns control to
Python, which runs its handlers and otherwise resumes with the time left.
"""
import ctypes
import errno
import threading
from typing import Any, List, Optional, Tuple, Union

from . import _aio
from ._closable import ClosedWhenCollected
from ._constants import (SVIPC_CREATE, SVIPC_EXCEPT, SVIPC_EXCLUSIVE, SVIPC_INTERRUPTIBLE, SVIPC_KEY_PRIVATE,
                         SVIPC_PEEK, SVIPC_TRUNCATE, SVIPC_WAIT_FOREVER)
from ._lib import EINTR, MsgPtr, address, function, lib, raise_error, resume_after_signal
from ._lib import timeout_ns as _timeout_ns
from ._structs import MsgCall, MsgInfo
from .keys import resolve_key

MSG_EXCEPT = SVIPC_EXCEPT
MSG_TRUNCATE = SVIPC_TRUNCATE
MSG_PEEK = SVIPC_PEEK

_send_now = function("svipc_msg_send_call", holds_gil=True, bare=True)  # the pooled blocks have timeout 0
_send_wait = function("svipc_msg_send_call", bare=True)
_receive_now = function("svipc_msg_receive_call", holds_gil=True, bare=True)
_receive_wait = function("svipc_msg_receive_call", bare=True)
EAGAIN = -errno.EAGAIN
ENOMSG = -errno.ENOMSG

Message = Tuple[bytes, int]
# One pooled call: (its byref, the block, the receive buffer).
_Call = Tuple[Any, MsgCall, Any]


def _msg_max_default() -> int:
    """kernel.msgmax of this IPC namespace: the longest message anyone can send."""
    try:
        with open("/proc/sys/kernel/msgmax") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 8192  # the kernel's default


class MessageQueue(ClosedWhenCollected):
    """A System V message queue.

    MessageQueue(key=..., create=True) creates or opens by key; name="..."
    or path=..., proj_id=... derive the key; no key means a new private
    queue. send(message, type) and receive(type) -> (bytes, type) block by
    default; timeout=seconds waits at most that long (TimeoutError),
    block=False tries once (send: BlockingIOError when the queue is full;
    receive: OSError with errno ENOMSG when no message matches).
    `await receive_async(type, timeout)` waits without blocking an event
    loop. Interoperates with any System V user of the same key (sysv_ipc, C
    msgsnd/msgrcv). close() (or leaving a with block) never removes the
    queue: remove() does. A queue object may be used by several threads.
    """

    def __init__(self, key: Optional[int] = None, *, name: Optional[str] = None, path: Optional[str] = None,
                 proj_id: int = 1, create: bool = False, exclusive: bool = False, mode: int = 0o600,
                 max_message_size: Optional[int] = None) -> None:
        resolved = resolve_key(key, name, path, proj_id)
        flags = ((SVIPC_CREATE if create or resolved == SVIPC_KEY_PRIVATE else 0)
                 | (SVIPC_EXCLUSIVE if exclusive else 0))
        handle = MsgPtr()
        lib.svipc_msg_open(resolved, flags, mode, ctypes.byref(handle))
        self._adopt(handle, max_message_size)

    @classmethod
    def open_id(cls, msqid: int, *, max_message_size: Optional[int] = None) -> "MessageQueue":
        """Open an existing queue by id (as ipcs -q lists it)."""
        self = cls.__new__(cls)
        handle = MsgPtr()
        lib.svipc_msg_open_id(msqid, ctypes.byref(handle))
        self._adopt(handle, max_message_size)
        return self

    def _adopt(self, handle: Any, max_message_size: Optional[int]) -> None:
        self._handle = handle
        self._raw = address(handle)
        #: The msqid (as ipcs -q lists it).
        self.id: int = lib.svipc_msg_id(handle)
        #: receive()'s default buffer size: kernel.msgmax unless given.
        self.max_message_size: int = _msg_max_default() if max_message_size is None else int(max_message_size)
        # Idle call blocks, for send and for receive (with its buffer). A
        # thread pops one for the length of a call (list pop/append are
        # atomic), so threads never share a block or a buffer.
        self._send_pool: List[_Call] = []
        self._receive_pool: List[_Call] = []
        self._all_calls: List[MsgCall] = []
        self._specialise()

    def _specialise(self) -> None:
        """send()/receive() as closures over the pools: no attribute lookups per
        call. They keep the object alive (MessageQueue.open_id(i).send(...) works;
        the garbage collector frees the cycle this makes); close() clears
        the pooled blocks' handle in place, so a closure kept after close()
        fails cleanly."""
        send_pool, receive_pool, owner = self._send_pool, self._receive_pool, self

        def send(message: Any, type: int = 1, *, timeout: Optional[float] = None, block: bool = True) -> None:
            if message.__class__ is bytes and timeout is None and block:
                try:
                    call = send_pool.pop()
                except IndexError:
                    call = owner._new_call(False)
                ref, c, _ = call
                c.size = len(message)
                c.type = type
                rc = _send_now(ref, message)
                send_pool.append(call)
                if rc == 0:
                    return
            owner._send_waiting(message, type, timeout, block)

        def receive(type: int = 0, *, timeout: Optional[float] = None, block: bool = True, exclude: bool = False,
                    truncate: bool = False, max_size: Optional[int] = None) -> Message:
            if timeout is None and block and max_size is None and not (exclude or truncate):
                try:
                    call = receive_pool.pop()
                except IndexError:
                    call = owner._new_call(True)
                ref, c, buf = call
                c.type = type
                n = _receive_wait(ref)
                if n >= 0:
                    # type > 0 (without exclude) took a message of exactly that type
                    message = buf[:n], type if type > 0 else c.ret_type
                    receive_pool.append(call)
                    return message
                return owner._receive_pooled_failed(call, n)
            return owner._receive_general(type, timeout, block, exclude, truncate, max_size)

        send.__doc__, receive.__doc__ = MessageQueue.send.__doc__, MessageQueue.receive.__doc__
        self.send = send  # type: ignore[method-assign]
        self.receive = receive  # type: ignore[method-assign]

    def _new_call(self, receiving: bool) -> _Call:
        raw = self._live()
        size = max(self.max_message_size, 1) if receiving else 0
        buf = ctypes.create_string_buffer(size) if receiving else None
        if receiving:  # a blocking receive, interruptible, GIL released
            block = MsgCall(raw, 0, ctypes.addressof(buf), size, SVIPC_INTERRUPTIBLE, 0, SVIPC_WAIT_FOREVER, 0)
        else:  # a try that keeps the GIL
            block = MsgCall(raw, 0, None, 0, 0, 0, 0, 0)
        self._all_calls.append(block)
        return ctypes.byref(block), block, buf

    def _live(self) -> int:
        if not self._handle:
            raise ValueError("MessageQueue is closed")
        return self._raw

    def send(self, message: Union[bytes, bytearray, memoryview, str], type: int = 1, *,
             timeout: Optional[float] = None, block: bool = True) -> None:
        """Queue `message` (bytes-like, or str as UTF-8) with type > 0.

        Waits while the queue is full: forever (timeout None), at most
        `timeout` seconds (TimeoutError), or not at all with block=False
        (BlockingIOError). OSError(EINVAL) for type <= 0; OSError(E2BIG)
        for a message above kernel.msgmax or the capacity.
        """
        # Each instance's own send() (see _specialise) is the fast path; this is the general one.
        self._send_waiting(message, type, timeout, block)

    def _send_waiting(self, message: Any, type: int, timeout: Optional[float], block: bool) -> None:
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
        ns = _timeout_ns(timeout) if block else 0
        c = MsgCall(self._live(), type, None, size, SVIPC_INTERRUPTIBLE, 0, ns, 0)
        send = _send_wait if ns != 0 else _send_now

        def attempt(left: int) -> int:
            c.timeout_ns = left
            return send(ctypes.byref(c), data)

        rc = attempt(ns)
        if rc == EINTR:
            rc = resume_after_signal(attempt, rc, ns)
        if rc < 0:
            raise_error(-rc)

    def receive(self, type: int = 0, *, timeout: Optional[float] = None, block: bool = True,
                exclude: bool = False, truncate: bool = False, max_size: Optional[int] = None) -> Message:
        """Take a message and return (bytes, type).

        type 0: the oldest; > 0: the oldest of that type (exclude=True: of
        any other type); < 0: the oldest of the lowest type <= abs(type).
        A message longer than max_size (default: max_message_size) raises
        OSError(E2BIG) and stays queued, unless truncate=True cuts it.
        Waits like send(); block=False raises OSError(ENOMSG) if nothing matches.
        """
        # Each instance's own receive() (see _specialise) is the fast path; this is the general one.
        return self._receive_general(type, timeout, block, exclude, truncate, max_size)

    def _receive_pooled_failed(self, call: _Call, n: int) -> Message:
        """After the pooled blocking receive gave n < 0: resume after a signal
        (its handlers run first), else raise."""
        ref, c, buf = call
        try:
            if n == EINTR:
                n = resume_after_signal(lambda left: _receive_wait(ref), n, SVIPC_WAIT_FOREVER)
            if n >= 0:
                return buf[:n], c.ret_type
        finally:
            self._receive_pool.append(call)
        self._live()  # a closed queue: ValueError, not the EINVAL of its cleared blocks
        raise_error(-n)

    def _receive_general(self, type: int, timeout: Optional[float], block: bool, exclude: bool, truncate: bool,
                         max_size: Optional[int]) -> Message:
        size = self.max_message_size if max_size is None else max_size
        buf = ctypes.create_string_buffer(max(size, 1))
        flags = SVIPC_INTERRUPTIBLE | (MSG_EXCEPT if exclude else 0) | (MSG_TRUNCATE if truncate else 0)
        ns = _timeout_ns(timeout) if block else 0
        c = MsgCall(self._live(), type, ctypes.addressof(buf), size, flags, 0, ns, 0)
        receive = _receive_wait if ns != 0 else _receive_now

        def attempt(left: int) -> int:
            c.timeout_ns = left
            return receive(ctypes.byref(c))

        n = attempt(ns)
        if n == EINTR:
            n = resume_after_signal(attempt, n, ns)
        if n < 0:
            raise_error(-n)
        return buf[:n], c.ret_type

    async def receive_async(self, type: int = 0, *, timeout: Optional[float] = None) -> Message:
        """receive(type) without blocking the event loop: (bytes, type), or
        TimeoutError at the timeout. Cancelling it never loses a message: one
        the waiting thread takes after the cancellation is sent back to the
        queue (at its tail, with its type)."""
        msqid, size = self.id, self.max_message_size

        def try_now() -> _aio.Outcome:
            try:
                return True, self.receive(type, block=False)
            except OSError as e:
                if e.errno == errno.ENOMSG:
                    return False, None
                raise

        def open_worker() -> "MessageQueue":
            return MessageQueue.open_id(msqid, max_message_size=size)

        def wait_slice(own: "MessageQueue", seconds: float) -> _aio.Outcome:
            try:
                return True, own.receive(type, timeout=seconds)
            except TimeoutError:
                return False, None

        got, message = await _aio.wait_in_thread(try_now, open_worker, wait_slice, lambda own: own.close(),
                                                 self._send_back, timeout)
        if not got:
            raise TimeoutError(errno.ETIMEDOUT, "no message before the timeout")
        return message

    def _send_back(self, message: Message) -> None:
        """Put back a message taken for a cancelled receive_async()."""
        data, mtype = message
        try:
            self.send(data, mtype, block=False)
        except BlockingIOError:  # refilled meanwhile: wait for room in a thread of its own
            msqid = self.id

            def send_when_room() -> None:
                with MessageQueue.open_id(msqid) as own:
                    own.send(data, mtype)

            threading.Thread(target=send_when_room, name="svipc-send-back", daemon=True).start()

    def peek(self, position: int = 0, *, max_size: Optional[int] = None) -> Message:
        """Copy the message at `position` (0 = oldest, any type) without removing
        it; returns (bytes, type). OSError(ENOMSG) if the queue is shorter;
        OSError(ENOSYS) on kernels without MSG_COPY."""
        size = self.max_message_size if max_size is None else max_size
        buf = ctypes.create_string_buffer(max(size, 1))
        c = MsgCall(self._live(), position, ctypes.addressof(buf), size, MSG_PEEK, 0, 0, 0)
        n = _receive_now(ctypes.byref(c))
        if n < 0:
            raise_error(-n)
        return buf[:n], c.ret_type

    def stat(self) -> MsgInfo:
        """IPC_STAT of the queue."""
        info = MsgInfo()
        lib.svipc_msg_stat(self._handle_checked(), ctypes.byref(info))
        return info

    @property
    def current_messages(self) -> int:
        """Messages in the queue now."""
        return self.stat().messages

    def set_capacity(self, qbytes: int) -> None:
        """IPC_SET msg_qbytes: the most bytes (and messages) the queue holds.
        Above kernel.msgmnb needs CAP_SYS_RESOURCE (PermissionError)."""
        lib.svipc_msg_set_capacity(self._handle_checked(), qbytes)

    def set_mode(self, mode: int) -> None:
        """Change the permission bits (IPC_SET)."""
        lib.svipc_msg_set_mode(self._handle_checked(), mode)

    def remove(self) -> None:
        """IPC_RMID: discards queued messages; blocked senders/receivers get EIDRM."""
        lib.svipc_msg_remove(self._handle_checked())

    def _handle_checked(self) -> Any:
        self._live()
        return self._handle

    def close(self) -> None:
        """Release the handle; never removes the queue. Idempotent."""
        if getattr(self, "_handle", None):
            for block in self._all_calls:
                block.msg = None  # a pooled block now fails with EINVAL
            self._handle = lib.svipc_msg_close(self._handle)
            self._raw = None

    def __repr__(self) -> str:
        return f"MessageQueue(id={self.id})"


def remove_msg_id(msqid: int) -> None:
    """IPC_RMID by id (as ipcrm -q does)."""
    lib.svipc_msg_remove_id(msqid)


def stat_msg_id(msqid: int) -> MsgInfo:
    """IPC_STAT by id."""
    info = MsgInfo()
    lib.svipc_msg_stat_id(msqid, ctypes.byref(info))
    return info
