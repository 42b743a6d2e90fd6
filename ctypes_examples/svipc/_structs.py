"""Every C struct of the public headers as a ctypes.Structure, field for field.

tests/python/test_abi.py checks each one's size and field offsets against
a C program built by meson, so a layout change in a header that is not
made here fails the suite. C_NAMES maps each class to its C name.
"""
import ctypes
from ctypes import c_int32, c_int64, c_uint16, c_int16, c_uint32, c_uint64, c_void_p
from typing import Any, Dict

from ._constants import SVIPC_SHM_INFO_REMOVED, SVIPC_SHM_INFO_LOCKED, SVIPC_ORPHAN_CHANNEL


class _InfoStruct(ctypes.Structure):
    """Base of the fixed-width info structs: dict and repr of their fields."""

    def to_dict(self) -> Dict[str, Any]:
        """The fields (without `reserved`) as a dict."""
        return {name: getattr(self, name) for name, *_ in self._fields_ if name != "reserved"}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()})"


class ShmInfo(_InfoStruct):
    """svipc_shm_info: what IPC_STAT says about a segment (times in ns since the epoch)."""
    _fields_ = [
        ("id", c_int32), ("key", c_int32), ("mode", c_uint32),
        ("uid", c_uint32), ("gid", c_uint32), ("cuid", c_uint32),
        ("cgid", c_uint32), ("cpid", c_int32), ("lpid", c_int32),
        ("flags", c_uint32), ("size", c_uint64), ("nattch", c_uint64),
        ("atime_ns", c_int64), ("dtime_ns", c_int64), ("ctime_ns", c_int64),
    ]

    @property
    def removed(self) -> bool:
        """IPC_RMID was done: the segment goes at its last detach."""
        return bool(self.flags & SVIPC_SHM_INFO_REMOVED)

    @property
    def locked(self) -> bool:
        """Locked in memory (SHM_LOCK)."""
        return bool(self.flags & SVIPC_SHM_INFO_LOCKED)


class SemOp(ctypes.Structure):
    """svipc_sem_op: delta < 0 is P, > 0 is V, 0 waits for zero."""
    _fields_ = [("index", c_uint16), ("delta", c_int16), ("flags", c_uint32)]


class SemInfo(_InfoStruct):
    """svipc_sem_info: what IPC_STAT says about a semaphore set (times in ns)."""
    _fields_ = [
        ("id", c_int32), ("key", c_int32), ("mode", c_uint32),
        ("uid", c_uint32), ("gid", c_uint32), ("cuid", c_uint32),
        ("cgid", c_uint32), ("nsems", c_uint32),
        ("otime_ns", c_int64), ("ctime_ns", c_int64),
    ]


class SemCall(ctypes.Structure):
    """svipc_sem_call: the arguments of one P or V, bound once (one pointer per call)."""
    _fields_ = [("sem", c_void_p), ("index", c_uint32), ("count", c_uint32), ("flags", c_uint32),
                ("reserved", c_uint32), ("timeout_ns", c_int64)]


class MsgInfo(_InfoStruct):
    """svipc_msg_info: what IPC_STAT says about a queue (times in ns)."""
    _fields_ = [
        ("id", c_int32), ("key", c_int32), ("mode", c_uint32),
        ("uid", c_uint32), ("gid", c_uint32), ("cuid", c_uint32),
        ("cgid", c_uint32), ("lspid", c_int32), ("lrpid", c_int32),
        ("reserved", c_uint32), ("messages", c_uint64), ("bytes", c_uint64),
        ("qbytes", c_uint64), ("stime_ns", c_int64), ("rtime_ns", c_int64),
        ("ctime_ns", c_int64),
    ]


class MsgCall(ctypes.Structure):
    """svipc_msg_call: the arguments of a send or receive, bound once (one pointer per call)."""
    _fields_ = [("msg", c_void_p), ("type", c_int64), ("buf", c_void_p), ("size", c_uint64),
                ("flags", c_uint32), ("reserved", c_uint32), ("timeout_ns", c_int64), ("ret_type", c_int64)]


class ChannelReadInfo(_InfoStruct):
    """svipc_channel_read_info: sequence, publish time (CLOCK_MONOTONIC ns), missed count, age."""
    _fields_ = [("sequence", c_uint64), ("publish_time_ns", c_int64),
                ("missed", c_uint64), ("age_ns", c_int64)]


class ChannelInfo(_InfoStruct):
    """svipc_channel_info: the header and kernel objects of a channel."""
    _fields_ = [
        ("key", c_int32), ("shm_id", c_int32), ("sem_id", c_int32),
        ("type", c_uint32), ("payload_size", c_uint64), ("buffer_num", c_uint32),
        ("layout_version", c_uint32), ("latest_sequence", c_uint64),
        ("latest_publish_time_ns", c_int64), ("sleepers", c_uint32),
        ("writer_pid", c_int32), ("segment_size", c_uint64),
        ("pinned_slots", c_uint32), ("attached", c_uint32),
        ("created_time_ns", c_int64), ("schema_hash", c_uint64),
    ]


LIMIT_FIELDS = ("shmmax", "shmall", "shmmin", "shmmni", "page_size", "semmsl", "semmns", "semopm", "semmni",
                "semvmx", "msgmni", "msgmax", "msgmnb")
USAGE_FIELDS = ("shm_segments", "shm_pages", "shm_resident_pages", "shm_swapped_pages", "sem_sets",
                "sem_semaphores", "msg_queues", "msg_messages", "msg_bytes")


class IpcLimits(ctypes.Structure):
    """svipc_ipc_limits (ipcs -l)."""
    _fields_ = [(name, c_uint64) for name in LIMIT_FIELDS]


class IpcUsage(ctypes.Structure):
    """svipc_ipc_usage (ipcs -u)."""
    _fields_ = [(name, c_uint64) for name in USAGE_FIELDS]


class OrphanStruct(ctypes.Structure):
    """svipc_orphan (admin.h)."""
    _fields_ = [
        ("kind", c_uint32), ("id", c_int32), ("key", c_int32), ("uid", c_uint32),
        ("cuid", c_uint32), ("pid", c_int32), ("flags", c_uint32),
        ("reserved", c_uint32), ("idle_ns", c_int64),
    ]

    @property
    def channel(self) -> bool:
        """The object belongs to a svipc channel."""
        return bool(self.flags & SVIPC_ORPHAN_CHANNEL)


C_NAMES = {
    ShmInfo: "svipc_shm_info", SemOp: "svipc_sem_op", SemInfo: "svipc_sem_info", SemCall: "svipc_sem_call",
    MsgInfo: "svipc_msg_info", MsgCall: "svipc_msg_call", ChannelReadInfo: "svipc_channel_read_info",
    ChannelInfo: "svipc_channel_info", IpcLimits: "svipc_ipc_limits", IpcUsage: "svipc_ipc_usage",
    OrphanStruct: "svipc_orphan",
}
