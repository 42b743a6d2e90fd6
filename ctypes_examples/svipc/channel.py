"""Latest-value channels and publish/subscribe topics (include/svipc/channel.h, doc/channel.md).

The per-call paths (publish, subscribe) pass one ready-made argument to a
function bound once (svipc_channel_bind_publish / svipc_channel_bind_read),
through the PyDLL view that keeps the GIL (they never wait), so a call
costs little more than the C call itself.
"""
import ctypes
import errno
import time
import weakref
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _aio, _schema
from ._closable import Closable, ClosedWhenCollected
from ._constants import (SVIPC_CHANNEL_ANY_AGE, SVIPC_CHANNEL_DEFAULT_BUFFERS, SVIPC_CHANNEL_NAME_MAX,
                         SVIPC_CHANNEL_SCHEMA_MAX, SVIPC_CHANNEL_SHARED_WRITER,
                         SVIPC_CHANNEL_SPIN, SVIPC_CHANNEL_STALE, SVIPC_CHANNEL_TYPE_ANY, SVIPC_CHANNEL_TYPE_BOOL,
                         SVIPC_CHANNEL_TYPE_BYTES, SVIPC_CHANNEL_TYPE_FLOAT64, SVIPC_CHANNEL_TYPE_INT64,
                         SVIPC_CHANNEL_TYPE_USER, SVIPC_CREATE, SVIPC_EXCLUSIVE, SVIPC_INTERRUPTIBLE,
                         SVIPC_KEY_PRIVATE, SVIPC_WAIT_FOREVER)
from ._lib import ChannelPtr, function, lib, raise_error, timeout_ns
from ._structs import ChannelInfo, ChannelReadInfo
from ._slot_array import SlotLease, slot_array_type
from .shm import _buffer_address

CHANNEL_SHARED_WRITER = SVIPC_CHANNEL_SHARED_WRITER
CHANNEL_SPIN = SVIPC_CHANNEL_SPIN
INTERRUPTIBLE = SVIPC_INTERRUPTIBLE
CHANNEL_TYPE_BYTES = SVIPC_CHANNEL_TYPE_BYTES
CHANNEL_TYPE_BOOL = SVIPC_CHANNEL_TYPE_BOOL
CHANNEL_TYPE_INT64 = SVIPC_CHANNEL_TYPE_INT64
CHANNEL_TYPE_FLOAT64 = SVIPC_CHANNEL_TYPE_FLOAT64
CHANNEL_TYPE_USER = SVIPC_CHANNEL_TYPE_USER
CHANNEL_TYPE_ANY = SVIPC_CHANNEL_TYPE_ANY
CHANNEL_DEFAULT_BUFFERS = SVIPC_CHANNEL_DEFAULT_BUFFERS
CHANNEL_STALE = SVIPC_CHANNEL_STALE
CHANNEL_ANY_AGE = SVIPC_CHANNEL_ANY_AGE

# publish may wait for the writer lock (shared writers), wait_* sleep.
_fast_publish = function("svipc_channel_publish", bare=True)
_fast_publish_exclusive = function("svipc_channel_publish", holds_gil=True, bare=True)  # lock taken with timeout 0
_fast_publish_bound = function("svipc_channel_publish_bound", bare=True)
_fast_publish_bound_exclusive = function("svipc_channel_publish_bound", holds_gil=True, bare=True)
_fast_read = function("svipc_channel_read", holds_gil=True, bare=True)
_fast_read_bound = function("svipc_channel_read_bound", holds_gil=True, bare=True)
_fast_wait_read = function("svipc_channel_wait_read", bare=True)
_fast_wait = function("svipc_channel_wait")
_fast_peek = function("svipc_channel_peek", holds_gil=True, bare=True)
_fast_peek_valid = function("svipc_channel_peek_valid", holds_gil=True)
_fast_acquire = function("svipc_channel_acquire", bare=True)  # may wait for a write, membarrier at the first
_fast_release = function("svipc_channel_release", holds_gil=True, bare=True)
_fast_loan = function("svipc_channel_loan", bare=True)  # may take the writer lock
_fast_commit = function("svipc_channel_commit", bare=True)  # may wake sleepers, release a shared lock
_fast_abandon = function("svipc_channel_abandon", bare=True)
_ENODATA = errno.ENODATA
_QUIET_WAIT_END = (-errno.ETIMEDOUT, -errno.EAGAIN)
_NO_VALUE_THIS_TIME = (CHANNEL_STALE, -_ENODATA, -errno.EAGAIN)



def channel_now_ns() -> int:
    """CLOCK_MONOTONIC now in ns: the clock of ChannelReadInfo.publish_time_ns."""
    return lib.svipc_channel_now_ns()


def remove_channel(name: Union[str, bytes]) -> None:
    """Remove the channel called name (segment and writer lock). FileNotFoundError if none."""
    lib.svipc_channel_remove_name(name.encode() if isinstance(name, str) else name)


def _wait_flags(spin: bool, interruptible: bool) -> int:
    return (CHANNEL_SPIN if spin else 0) | (SVIPC_INTERRUPTIBLE if interruptible else 0)


class Channel(ClosedWhenCollected):
    """A channel of fixed-size values: the C API one to one.

    Channel(name, type, payload_size, buffer_num=0, create=False, ...) opens
    (and with create=True creates) the channel; key=... instead of name uses
    a key directly. schema=... (numpy dtype text, doc/channel.md) is stored
    when creating and must equal the stored one when opening. publish(buffer)
    takes any bytes-like object of payload_size bytes; read(into) copies the
    newest value into a writable buffer and returns a ChannelReadInfo (or None
    before the first publish). name and schema: what the channel's header says.
    """

    def __init__(self, name: Optional[Union[str, bytes]] = None, type: int = CHANNEL_TYPE_BYTES,
                 payload_size: int = 0, buffer_num: int = 0, *, key: Optional[int] = None, create: bool = False,
                 exclusive: bool = False, shared_writer: bool = False, mode: int = 0o600,
                 schema: Optional[str] = None) -> None:
        flags = ((SVIPC_CREATE if create else 0) | (SVIPC_EXCLUSIVE if exclusive else 0)
                 | (CHANNEL_SHARED_WRITER if shared_writer else 0))
        handle = ChannelPtr()
        if name is not None:
            if key is not None:
                raise ValueError("give name or key, not both")
            encoded = name.encode() if isinstance(name, str) else name
            if schema is None:
                lib.svipc_channel_open(encoded, type, payload_size, buffer_num, flags, mode, ctypes.byref(handle))
            else:
                lib.svipc_channel_open_schema(encoded, type, schema.encode("ascii"), payload_size, buffer_num, flags,
                                               mode, ctypes.byref(handle))
        else:
            if schema is not None:
                raise ValueError("a schema needs a name (channels opened by key have the default schema)")
            lib.svipc_channel_open_key(SVIPC_KEY_PRIVATE if key is None else key, type, payload_size, buffer_num,
                                        flags, mode, ctypes.byref(handle))
        self._handle = handle
        self.payload_size = lib.svipc_channel_payload_size(handle)
        self._raw = ctypes.c_void_p(ctypes.cast(handle, ctypes.c_void_p).value)
        self._size = ctypes.c_uint64(self.payload_size)

    def _live(self) -> Any:
        if not self._handle:
            raise ValueError("channel is closed")
        return self._handle

    def publish(self, data: Any) -> int:
        """Publish bytes-like `data` (exactly payload_size bytes). Returns the sequence number."""
        pinned, address, length = _readable_address(data)
        if length != self.payload_size:
            raise ValueError(f"value has {length} bytes, the channel holds {self.payload_size}")
        sequence = ctypes.c_uint64()
        lib.svipc_channel_publish(self._live(), address, length, ctypes.byref(sequence))
        return sequence.value

    def read(self, into: Any, max_age: Optional[float] = None) -> Optional[ChannelReadInfo]:
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
            raise_error(-rc)
        info.stale = rc == CHANNEL_STALE
        return info

    def wait(self, after_sequence: int = 0, timeout: Optional[float] = None, *, spin: bool = False,
             interruptible: bool = False) -> bool:
        """Wait until a value newer than after_sequence exists: True, or False at the timeout."""
        rc = _fast_wait(self._raw if self._handle else self._live(), after_sequence, timeout_ns(timeout), _wait_flags(spin, interruptible))
        if rc in _QUIET_WAIT_END:
            return False
        if rc < 0:
            raise_error(-rc)
        return True

    def read_history(self, after_sequence: int = 0,
                     max_count: Optional[int] = None) -> Tuple[List[Tuple[bytes, ChannelReadInfo]], int]:
        """Values still in the ring newer than after_sequence, oldest first.
        Returns (list of (bytes, ChannelReadInfo), missed)."""
        info = self.stat()
        count = info.buffer_num if max_count is None else max_count
        buffer = ctypes.create_string_buffer(count * self.payload_size)
        infos = (ChannelReadInfo * count)()
        missed = ctypes.c_uint64()
        got = lib.svipc_channel_read_history(self._live(), after_sequence, buffer, len(buffer), infos, count,
                                              ctypes.byref(missed))
        size = self.payload_size
        return [(buffer.raw[i * size:(i + 1) * size], infos[i]) for i in range(got)], missed.value

    @property
    def name(self) -> str:
        """The channel's name as its header stores it ("" for a channel opened by key)."""
        buffer = ctypes.create_string_buffer(SVIPC_CHANNEL_NAME_MAX + 1)
        length = lib.svipc_channel_name(self._live(), buffer, len(buffer))
        return buffer.raw[:length].decode("utf-8", "surrogateescape")

    @property
    def schema(self) -> str:
        """The channel's schema: numpy dtype text (see svipc._schema.to_dtype)."""
        buffer = ctypes.create_string_buffer(SVIPC_CHANNEL_SCHEMA_MAX + 1)
        length = lib.svipc_channel_schema(self._live(), buffer, len(buffer))
        return buffer.raw[:length].decode("ascii")

    def latest(self) -> int:
        """Sequence number of the newest value (0: none yet)."""
        return lib.svipc_channel_latest(self._live())

    def set_spin(self, seconds: float) -> None:
        """How long wait() spins before sleeping on the futex."""
        lib.svipc_channel_set_spin(self._live(), int(seconds * 1e9))

    def stat(self) -> ChannelInfo:
        """The channel's header and kernel objects."""
        info = ChannelInfo()
        lib.svipc_channel_stat(self._live(), ctypes.byref(info))
        return info

    def remove(self) -> None:
        """Remove the channel (segment and writer lock); open handles keep working until closed."""
        lib.svipc_channel_remove(self._live())

    def close(self) -> None:
        """Release the writer lock if held and detach; never removes the channel."""
        if self._handle:
            self._handle = lib.svipc_channel_close(self._handle)
            # In place: whoever holds this object (a Publisher's publish) now passes NULL.
            self._raw.value = None



def _readable_address(data: Any) -> Tuple[Any, int, int]:
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


def _default_instance(default: Any) -> Any:
    """A ctypes class given as the default stands for its zero value."""
    if isinstance(default, type) and issubclass(default, (ctypes.Structure, ctypes.Union, ctypes.Array)):
        return default()
    return default


class _Codec:
    """How one Python type travels through a channel: its schema and type
    tag, the payload size, a reusable ctypes buffer, and how to get a value
    out. kind: "scalar" (bool, int, float), "bytes", "struct" (ctypes) or
    "numpy"."""

    def __init__(self, default: Any, *, numpy_scalars: bool = False) -> None:
        self.default = default
        self.numpy = None
        self.schema = _schema.of_value(default)
        self.type = _schema.type_tag(self.schema)
        if isinstance(default, bool):
            self.kind, self.buffer = "scalar", ctypes.c_bool()
            self.get = self._scalar
        elif isinstance(default, int):
            self.kind, self.buffer = "scalar", ctypes.c_int64()
            self.get = self._scalar
        elif isinstance(default, float):
            self.kind, self.buffer = "scalar", ctypes.c_double()
            self.get = self._scalar
        elif isinstance(default, (bytes, bytearray)):
            if len(default) == 0:
                raise ValueError("a bytes channel needs a non-empty default (it fixes the size)")
            self.kind, self.buffer = "bytes", ctypes.create_string_buffer(len(default))
            self.get = self._bytes
        elif isinstance(default, (ctypes.Structure, ctypes.Union, ctypes.Array)):
            self.kind, self.buffer = "struct", type(default)()
            self.get = self._struct
        else:  # numpy (of_value accepted it)
            import numpy
            self.numpy = numpy
            self.kind = "numpy"
            self.array = numpy.array(default, order="C")  # a copy; a scalar stays 0-d
            self.buffer = (ctypes.c_char * self.array.nbytes).from_buffer(self.array)
            # A value discovered from a schema of no shape reads as a numpy
            # scalar (np.int32, a structured np.void), not a 0-d array.
            self.get = self._numpy_scalar if numpy_scalars and self.array.shape == () else self._array
        self.size = ctypes.sizeof(self.buffer)
        self.address = ctypes.c_void_p(ctypes.addressof(self.buffer))

    @classmethod
    def from_schema(cls, schema: str, payload_size: int) -> "_Codec":
        """The codec of values a channel's schema describes: bool, int and
        float for those schemas, bytes for opaque and byte-string ones, else
        numpy values of the schema's dtype and shape."""
        if schema == _schema.BOOL:
            codec = cls(False)
        elif schema == _schema.INT64:
            codec = cls(0)
        elif schema == _schema.FLOAT64:
            codec = cls(0.0)
        elif _schema.bytes_size(schema):
            codec = cls(bytes(_schema.bytes_size(schema)))
            codec.schema = schema
        else:
            import numpy
            dtype, shape = _schema.to_dtype(schema)
            codec = cls(numpy.zeros(shape, dtype), numpy_scalars=True)
        if codec.size != payload_size:
            raise ValueError(f"schema {schema!r} describes {codec.size} bytes, the channel holds {payload_size}")
        return codec

    def _scalar(self) -> Any:
        return self.buffer.value

    def _bytes(self) -> bytes:
        return self.buffer.raw

    def _struct(self) -> Any:
        return type(self.buffer).from_buffer_copy(self.buffer)

    def _array(self) -> Any:
        return self.array.copy()

    def _numpy_scalar(self) -> Any:
        return self.array.copy()[()]


class Publisher(Closable):
    """Publish values of one type to the topic `name`, created if needed.

    Publisher(name, default_value, buffer_num=3): default_value fixes the
    type and size (bool, int -> int64, float -> double, bytes of a fixed
    length, a ctypes Structure instance or class, or a numpy array or scalar
    of fixed dtype and shape), and with them the schema the channel stores
    (schema attribute; doc/channel.md): a channel of another schema is
    refused (ValueError naming both). publish(value) never waits for subscribers. The first publish
    makes this process the topic's exclusive writer until close() (or its
    death); shared_writer=True lets several processes publish.
    """

    def __init__(self, name: str, default_value: Any, buffer_num: int = CHANNEL_DEFAULT_BUFFERS, *,
                 shared_writer: bool = False, mode: int = 0o600) -> None:
        self._codec = codec = _Codec(_default_instance(default_value))
        self.schema = codec.schema
        try:
            self.channel = Channel(name, codec.type, codec.size, buffer_num, create=True,
                                   shared_writer=shared_writer, mode=mode, schema=codec.schema)
        except OSError as e:
            # An opaque channel of this size (created without a schema, as
            # C's BYTES channels and the bridge's are) carries any type.
            if e.errno != errno.EINVAL:
                raise
            channel = Channel(name, CHANNEL_TYPE_ANY, codec.size, buffer_num, shared_writer=shared_writer)
            if channel.schema != _schema.opaque(codec.size):
                channel.close()
                raise
            self.channel = channel
        self.name = name
        self._raw = self.channel._raw
        self._size = ctypes.c_uint64(codec.size)
        self._scalar = codec.kind == "scalar"
        self._buffer = codec.buffer
        if self._scalar:
            lib.svipc_channel_bind_publish(self.channel._handle, codec.address, codec.size)
        # An exclusive writer never waits in publish (its lock is taken with
        # timeout 0), so its calls may keep the GIL; shared writers may wait.
        self._slot_arrays: Dict[int, Any] = {}  # slot address -> writable array over it (loan())
        self._publish = _fast_publish if shared_writer else _fast_publish_exclusive
        self._publish_bound = _fast_publish_bound if shared_writer else _fast_publish_bound_exclusive
        if self._scalar:
            self.publish = self._scalar_publisher()  # type: ignore[method-assign]

    def _scalar_publisher(self) -> Any:
        """publish() for a scalar topic as a closure over its one buffer, call and
        handle: no attribute lookups per call (its cost is close to a bare ctypes
        call's). close() clears the shared handle object in place, so the closure
        then passes NULL and raises."""
        buffer, call, raw, owner = self._buffer, self._publish_bound, self._raw, self

        def publish(value: Any) -> None:
            buffer.value = value
            rc = call(raw)
            if rc:
                owner._failed(rc)

        publish.__doc__ = Publisher.publish.__doc__
        return publish

    def publish(self, value: Any) -> None:
        """Publish one value (same type, and for bytes/arrays the same size, as the default)."""
        # A scalar topic's instances have their own publish() (see
        # _scalar_publisher); this is the general path.
        codec = self._codec
        publish = self._publish
        if self._scalar:
            self._buffer.value = value
            rc = self._publish_bound(self._raw)
        elif codec.kind == "bytes":
            if len(value) != codec.size:
                raise ValueError(f"value has {len(value)} bytes, topic {self.name!r} carries {codec.size}")
            rc = publish(self._raw, value if isinstance(value, bytes) else bytes(value), self._size, None)
        elif codec.numpy is not None:
            if value.shape != codec.array.shape or value.dtype != codec.array.dtype:
                raise ValueError(f"array {value.dtype}{value.shape} does not match the topic's "
                                 f"{codec.array.dtype}{codec.array.shape}")
            if value.flags.c_contiguous and not isinstance(value, codec.numpy.generic):
                rc = publish(self._raw, ctypes.c_void_p(value.__array_interface__["data"][0]), self._size, None)
            else:
                codec.array[...] = value
                rc = publish(self._raw, codec.address, self._size, None)
        else:
            if type(value) is not type(codec.buffer):
                raise TypeError(f"topic {self.name!r} carries {type(codec.buffer).__name__}")
            rc = publish(self._raw, ctypes.byref(value), self._size, None)
        if rc < 0:
            self._failed(rc)

    def _failed(self, rc: int) -> None:
        if not self.channel._handle:
            raise ValueError("publisher is closed")
        raise_error(-rc)

    def loan(self) -> "_LoanBlock":
        """Write the next value of a numpy topic in place, with no copy:

            with pub.loan() as frame:   # writable array over the slot
                camera.read_into(frame)

        The value is published when the block ends normally and dropped (never
        seen by subscribers) when it raises. The array must not be used after
        the block (it raises ValueError). BlockingIOError (ENOBUFS) when every
        slot the value could go to is pinned by subscribers (acquire()).
        """
        return _LoanBlock(self)

    def remove(self) -> None:
        """Remove the topic's channel (subscribers keep the old one until they reopen)."""
        self.channel.remove()

    def close(self) -> None:
        """Give up the writer lock and detach; never removes the topic."""
        self.channel.close()
        self._raw = self.channel._raw


# The blocks of loan() and acquire() are classes rather than
# @contextlib.contextmanager generators: a generator-based block costs about
# 0.4 us more per use, a fifth of a loan's or a pin's whole cost from Python
# (doc/benchmarks.md, "channel_zero_copy").
class _SlotBlock:
    """A with-block over one slot (a loan or a pin): the array it gives is
    valid until the block ends, then the slot is given back by _end()."""

    __slots__ = ("_owner", "_lease")

    def __init__(self, owner: Any) -> None:
        self._owner = owner
        self._lease: Optional[SlotLease] = None

    def _array(self, address: int, cache: Dict[int, Any], writable: bool, give_back: Any) -> Any:
        owner = self._owner
        lease = SlotLease(("loan" if writable else "pin") + " of topic " + repr(owner.name))
        try:
            array = _slot_view(owner._codec, owner.channel, address, cache, lease, writable)
        except BaseException:
            give_back(owner._raw)
            raise
        self._lease = lease
        return array

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool:
        lease = self._lease
        if lease is not None:
            self._lease = None
            lease.active = False
            self._end(exc_type is not None)
        return False

    def _end(self, failed: bool) -> None:
        raise NotImplementedError


class _LoanBlock(_SlotBlock):
    """with pub.loan() as frame: commit on a normal exit, abandon on an exception."""

    __slots__ = ()

    def __enter__(self) -> Any:
        publisher = self._owner
        codec = publisher._codec
        if codec.numpy is None:
            raise TypeError(f"loan() needs a numpy topic; topic {publisher.name!r} carries "
                            f"{type(codec.buffer).__name__} (use publish())")
        address = ctypes.c_void_p()
        rc = _fast_loan(publisher._raw, ctypes.byref(address))
        if rc < 0:
            publisher._failed(rc)
        return self._array(address.value, publisher._slot_arrays, True, _fast_abandon)

    def _end(self, failed: bool) -> None:
        publisher = self._owner
        rc = _fast_abandon(publisher._raw) if failed else _fast_commit(publisher._raw, None)
        if rc < 0:
            publisher._failed(rc)


class _PinBlock(_SlotBlock):
    """with sub.acquire() as frame: the pin is released when the block ends, however it ends."""

    __slots__ = ()

    def __enter__(self) -> Any:
        subscriber = self._owner
        if subscriber._codec is None and not subscriber._open():  # no default: the schema tells
            return None
        codec = subscriber._codec
        if codec.numpy is None:
            raise TypeError(f"acquire() needs a numpy topic; topic {subscriber.name!r} carries "
                            f"{type(codec.default).__name__} (use subscribe())")
        if subscriber._raw is None and not subscriber._open():
            return None
        rc = _fast_acquire(subscriber._raw, subscriber._age, subscriber._peek_ref, subscriber._info_ref)
        if rc == CHANNEL_STALE:
            _fast_release(subscriber._raw)
        if rc != 0:
            subscriber._failed(rc)
            return None
        return self._array(subscriber._peek_data.value, subscriber._pinned_arrays, False, _fast_release)

    def _end(self, failed: bool) -> None:
        rc = _fast_release(self._owner._raw)
        if rc < 0:
            raise_error(-rc)


def _slot_view(codec: "_Codec", channel: Channel, address: int, cache: Dict[int, Any], lease: SlotLease,
               writable: bool) -> Any:
    """A SlotArray over the slot at `address`, valid while `lease` is active.
    The plain array over each slot is made once and kept in `cache`."""
    base = cache.get(address)
    if base is None:
        holder = (ctypes.c_char * codec.size).from_address(address)
        holder.channel = channel  # the mapping lives as long as any array over it
        buffer = memoryview(holder) if writable else memoryview(holder).toreadonly()
        base = cache[address] = codec.numpy.frombuffer(buffer, dtype=codec.array.dtype).reshape(codec.array.shape)
    array = base.view(slot_array_type(codec.numpy))
    array._lease = lease
    return array


class Subscriber(Closable):
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

    Subscriber(name) with no default discovers the type from the channel's
    schema once the channel exists (until then subscribe() returns (None,
    False)): bool, int, float, bytes, or numpy values (a scalar or a
    structured np.void for a schema without a shape, else an array).
    Subscriber(name, MyStruct) with a ctypes class returns MyStruct values. A
    default's schema must equal the channel's (ValueError naming both).
    """

    def __init__(self, name: str, default_value: Any = None, *, max_age: Optional[float] = None) -> None:
        self._codec: Optional[_Codec] = None
        self._get: Any = None
        default_value = _default_instance(default_value)
        if default_value is not None:
            self._set_codec(_Codec(default_value))
        self.name = name
        self.default = default_value
        self.channel = None
        self._raw = None
        self._closed = False
        self.last_info = ChannelReadInfo()
        self._info_ref = ctypes.byref(self.last_info)
        self._age = ctypes.c_int64(CHANNEL_ANY_AGE if max_age is None else int(max_age * 1e9))
        self._peek_data = ctypes.c_void_p()
        self._peek_ref = ctypes.byref(self._peek_data)
        self._views = {}  # slot address -> read-only array over it (see view())
        self._pinned_arrays: Dict[int, Any] = {}  # slot address -> read-only array over it (acquire())
        self._view_holders = []  # weak references to the buffers under those arrays
        self._open()

    def _set_codec(self, codec: _Codec) -> None:
        self._codec = codec
        self._get = codec.get
        self._size = ctypes.c_uint64(codec.size)

    @property
    def schema(self) -> Optional[str]:
        """The topic's schema: the default's, or the channel's once discovered (None before)."""
        return None if self._codec is None else self._codec.schema

    def _open_channel(self) -> Channel:
        """Open the topic: with no default, whatever it holds; with one, a
        channel of the default's schema (any type tag: the schema is the
        check) or an opaque one of its size ("|V<n>": created without a
        schema, as C's BYTES channels and the bridge's are), whose bytes the
        default's type reads."""
        codec = self._codec
        if codec is None:
            return Channel(self.name, CHANNEL_TYPE_ANY, 0)
        channel = Channel(self.name, CHANNEL_TYPE_ANY, codec.size)
        stored = channel.schema
        if stored != codec.schema and stored != _schema.opaque(codec.size):
            channel.close()
            raise OSError(errno.EINVAL, f"channel {self.name!r} has schema {stored!r}, not {codec.schema!r}")
        return channel

    def _open(self) -> bool:
        if self._closed:
            raise ValueError("subscriber is closed")
        try:
            channel = self._open_channel()
        except (FileNotFoundError, TimeoutError):
            return False  # no publisher yet: the default until one appears
        if self._codec is None:
            try:
                self._set_codec(_Codec.from_schema(channel.schema, channel.payload_size))
            except BaseException:
                channel.close()
                raise
        self.channel = channel
        self._raw = self.channel._raw
        # subscribe() passes only the handle: the destination, age limit and
        # info are bound once (a ctypes call costs ~25 ns per argument).
        lib.svipc_channel_bind_read(self.channel._handle, self._codec.address, self._codec.size,
                                     self._age.value, self._info_ref)
        return True

    def subscribe(self, out: Any = None) -> Tuple[Any, bool]:
        """(newest value, True), or (default, False) if none, stale with max_age, or
        overwritten by the writer for the whole retry budget (-EAGAIN in C)."""
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

    def _failed(self, rc: int) -> Tuple[Any, bool]:
        # No value to give this time: none yet, too old, or a writer that kept
        # overwriting the newest slot for the whole retry budget (-EAGAIN,
        # doc/channel.md). The seed API answers each with (default, False);
        # anything else means the channel itself is broken.
        if rc in _NO_VALUE_THIS_TIME:
            return self.default, False
        raise_error(-rc)

    def wait_new(self, timeout: Optional[float] = None, *, spin: bool = False) -> Tuple[Any, bool]:
        """Block until a value newer than the last one returned arrives, then
        return (value, True); (default, False) at the timeout."""
        deadline = None if timeout is None else channel_now_ns() + int(timeout * 1e9)
        while self._raw is None and not self._open():
            if deadline is not None and channel_now_ns() >= deadline:
                return self.default, False
            import time
            time.sleep(0.001)  # no topic yet: poll for its creation
        left = SVIPC_WAIT_FOREVER if deadline is None else max(0, deadline - channel_now_ns())
        codec = self._codec
        rc = _fast_wait_read(self._raw, codec.address, self._size, ctypes.c_int64(left),
                             ctypes.c_uint32(_wait_flags(spin, False)), self._info_ref)
        if rc == 0:
            return codec.get(), True
        if rc in _QUIET_WAIT_END:
            return self.default, False
        raise_error(-rc)

    async def wait_new_async(self, timeout: Optional[float] = None) -> Tuple[Any, bool]:
        """wait_new() without blocking the event loop: (value, True) once a value
        newer than the last one returned exists, (default, False) at the
        timeout. A thread waits on a handle of its own, in short slices, so a
        cancelled await leaves nothing blocked."""
        last = self.last_info.sequence if self._raw is not None else 0

        def try_now() -> Tuple[bool, Any]:
            if self._raw is None and not self._open():
                return False, None
            return self.channel.latest() > last, None

        def wait_slice(state: List[Optional[Channel]], seconds: float) -> Tuple[bool, Any]:
            if state[0] is None:  # no topic yet: poll for its creation
                try:
                    state[0] = self._open_channel()
                except (FileNotFoundError, TimeoutError):
                    time.sleep(min(seconds, 0.001))
                    return False, None
            return state[0].wait(last, seconds), None

        def close_worker(state: List[Optional[Channel]]) -> None:
            if state[0] is not None:
                state[0].close()

        got, _ = await _aio.wait_in_thread(try_now, lambda: [None], wait_slice, close_worker, lambda _: None,
                                           timeout)
        if not got:
            return self.default, False
        value, ok = self.subscribe()
        return value, ok

    def history(self, after_sequence: int = 0) -> Tuple[List[Tuple[Any, int]], int]:
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

    def view(self) -> Tuple[Any, Optional[int]]:
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
        if self._codec is None and not self._open():  # no default: the schema tells
            return self.default, None
        codec = self._codec
        if codec.numpy is None:
            raise TypeError(f"view() needs a numpy topic; topic {self.name!r} carries "
                            f"{type(codec.default).__name__} (use subscribe())")
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

    def _slot_view(self, address: int) -> Any:
        codec = self._codec
        holder = (ctypes.c_char * codec.size).from_address(address)
        holder.channel = self.channel  # the mapping lives as long as any view of it
        self._view_holders.append(weakref.ref(holder))
        readonly = memoryview(holder).toreadonly()
        return codec.numpy.frombuffer(readonly, dtype=codec.array.dtype).reshape(codec.array.shape)

    def acquire(self) -> "_PinBlock":
        """Read the newest value of a numpy topic in place, with no copy and no
        validation afterwards: the publisher is kept off its slot until the
        block ends.

            with sub.acquire() as frame:   # read-only array, or None
                if frame is not None:
                    track(frame)

        None whenever subscribe() would return (default, False). last_info
        describes the value. The array must not be used after the block (it
        raises ValueError). Give the topic buffer_num >= pinning subscribers
        + 2, or the publisher's publish() fails while every other slot is
        pinned (doc/channel.md, "Loans and pins").
        """
        return _PinBlock(self)

    def still_valid(self, token: Optional[int]) -> bool:
        """True if the value view() returned with `token` was not overwritten
        since: everything read from that array up to now was consistent."""
        if token is None:
            return False
        if self._raw is None:
            raise ValueError("subscriber is closed")
        rc = _fast_peek_valid(self._raw, token)
        if rc < 0:
            raise_error(-rc)
        return rc == 1

    def close(self) -> None:
        """Detach (once the last view() array is gone); never removes the topic."""
        self._views.clear()
        if self.channel is not None and not any(ref() is not None for ref in self._view_holders):
            self.channel.close()  # else the last view's Channel reference closes it when it goes
        self._raw = None
        self.channel = None
        self._closed = True

