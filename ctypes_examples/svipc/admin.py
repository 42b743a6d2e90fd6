"""Administration: every System V object of the namespace (ipcs/lsipc), limits
and usage (ipcs -l / -u), orphans and channel recognition
(include/svipc/admin.h, doc/admin.md). Results are plain frozen dataclasses,
detached from ctypes.
"""
import ctypes
import dataclasses
import errno
from typing import Any, List, Optional, Sequence, Tuple

from ._constants import (SVIPC_CHANNEL_NAME_MAX, SVIPC_CHANNEL_SCHEMA_MAX, SVIPC_KIND_MSG, SVIPC_KIND_SEM,
                         SVIPC_KIND_SHM, SVIPC_LIST_PROC_ONLY, SVIPC_LIST_SYSCALLS, SVIPC_ORPHAN_CHANNEL, SVIPC_ORPHAN_CHANNEL_LOCK, SVIPC_SHM_INFO_REMOVED)
from ._lib import lib
from ._structs import (LIMIT_FIELDS, USAGE_FIELDS, ChannelInfo, IpcLimits, IpcUsage, MsgInfo, OrphanStruct, SemInfo,
                       ShmInfo)

LIST_SYSCALLS = SVIPC_LIST_SYSCALLS
LIST_PROC_ONLY = SVIPC_LIST_PROC_ONLY
KIND_SHM = SVIPC_KIND_SHM
KIND_SEM = SVIPC_KIND_SEM
KIND_MSG = SVIPC_KIND_MSG
ORPHAN_CHANNEL = SVIPC_ORPHAN_CHANNEL
ORPHAN_CHANNEL_LOCK = SVIPC_ORPHAN_CHANNEL_LOCK


def _plain_data(name: str, fields: Sequence[str], doc: str, **members: Any) -> Any:
    """A frozen dataclass with these int fields: results detached from ctypes."""
    cls = dataclasses.make_dataclass(name, [(f, int) for f in fields if f != "reserved"], frozen=True,
                                      namespace=members)
    cls.__doc__ = doc
    return cls


def _field_names(struct: Any) -> List[str]:
    return [name for name, _ in struct._fields_]


ShmObject = _plain_data("ShmObject", _field_names(ShmInfo),
                        "A shared memory segment as ipcs -m sees it (times in ns since the epoch, 0 = never).",
                        removed=property(lambda self: bool(self.flags & SVIPC_SHM_INFO_REMOVED)))
SemObject = _plain_data("SemObject", _field_names(SemInfo), "A semaphore set as ipcs -s sees it.")
MsgObject = _plain_data("MsgObject", _field_names(MsgInfo), "A message queue as ipcs -q sees it.")


@dataclasses.dataclass(frozen=True)
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
    def channel(self) -> bool:
        """The object belongs to a svipc channel."""
        return bool(self.flags & ORPHAN_CHANNEL)


Limits = _plain_data("Limits", LIMIT_FIELDS,
                     "ipcs -l: shmmax (bytes), shmall (pages), shmmin, shmmni, page_size, semmsl, semmns, semopm, "
                     "semmni, semvmx, msgmni, msgmax, msgmnb.")
Usage = _plain_data("Usage", USAGE_FIELDS, "ipcs -u: what is allocated now.")


_KIND_NAMES = {KIND_SHM: "shm", KIND_SEM: "sem", KIND_MSG: "msg"}


def _from_struct(cls: Any, struct: Any, **extra: Any) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    values = {name: getattr(struct, name) for name, _ in struct._fields_ if name in names}
    values.update(extra)
    return cls(**values)


def _source_flags(source: Optional[str]) -> int:
    if source is None:
        return 0
    try:
        return {"proc": LIST_PROC_ONLY, "syscalls": LIST_SYSCALLS}[source]
    except KeyError:
        raise ValueError("source must be None, 'proc' or 'syscalls'") from None


def _fill(function: Any, struct: Any, *args: Any) -> List[Any]:
    """Call a count-returning list function with a growing array until everything fits."""
    capacity = 0
    while True:
        array = (struct * capacity)()
        count = function(array, capacity, *args)
        if count <= capacity:
            return array[:count]
        capacity = count + 16  # objects may appear between the two calls


def list_shm(source: Optional[str] = None) -> List[Any]:
    """Every shared memory segment (ipcs -m), as ShmObject dataclasses.
    source: None (/proc/sysvipc, else syscalls), 'proc' or 'syscalls'."""
    return [_from_struct(ShmObject, s) for s in _fill(lib.svipc_list_shm, ShmInfo, _source_flags(source))]


def list_sem(source: Optional[str] = None) -> List[Any]:
    """Every semaphore set (ipcs -s), as SemObject dataclasses."""
    return [_from_struct(SemObject, s) for s in _fill(lib.svipc_list_sem, SemInfo, _source_flags(source))]


def list_msg(source: Optional[str] = None) -> List[Any]:
    """Every message queue (ipcs -q), as MsgObject dataclasses."""
    return [_from_struct(MsgObject, s)
            for s in _fill(lib.svipc_list_msg, MsgInfo, _source_flags(source))]


def find_orphans(min_idle: float = 0.0, source: Optional[str] = None) -> List["Orphan"]:
    """Objects whose users are all gone; sets and queues must also be idle for min_idle seconds.
    Returns Orphan dataclasses (kind 'shm', 'sem' or 'msg')."""
    if min_idle < 0:
        raise ValueError("min_idle must be >= 0")
    found = _fill(lambda array, capacity, *args: lib.svipc_find_orphans(array, capacity, *args),
                  OrphanStruct, int(min_idle * 1_000_000_000), _source_flags(source))
    return [_from_struct(Orphan, s, kind=_KIND_NAMES.get(s.kind, str(s.kind))) for s in found]


def limits() -> Any:
    """The kernel's System V IPC limits in this namespace (ipcs -l)."""
    out = IpcLimits()
    lib.svipc_limits(ctypes.byref(out))
    return _from_struct(Limits, out)


def usage() -> Any:
    """What is allocated now (ipcs -u)."""
    out = IpcUsage()
    lib.svipc_usage(ctypes.byref(out))
    return _from_struct(Usage, out)


def channel_description_of_segment(shmid: int) -> Optional[Tuple[str, str]]:
    """(name, schema) of the channel in segment shmid ("" name for a channel made by key), or None
    if it is not a channel this library accepts (another layout version, a corrupt header).
    Attaches the segment read-only for a moment."""
    name = ctypes.create_string_buffer(SVIPC_CHANNEL_NAME_MAX + 1)
    schema = ctypes.create_string_buffer(SVIPC_CHANNEL_SCHEMA_MAX + 1)
    try:
        lib.svipc_admin_channel_describe(shmid, name, len(name), schema, len(schema))
    except OSError as e:
        if e.errno == errno.EPROTO:
            return None
        raise
    return name.value.decode("utf-8", "surrogateescape"), schema.value.decode("ascii")


def channel_info_of_segment(shmid: int) -> Optional[ChannelInfo]:
    """The channel header of segment shmid (a ChannelInfo), or None if it is not a svipc channel.
    Attaches the segment read-only for a moment."""
    out = ChannelInfo()
    try:
        lib.svipc_admin_channel_stat(shmid, ctypes.byref(out))
    except OSError as e:
        if e.errno == errno.EPROTO:
            return None
        raise
    return out
