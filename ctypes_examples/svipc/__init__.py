"""svipc: System V IPC from Python through ctypes (no compiler needed).

Shared memory (SharedMemory, attach_into), semaphores (Semaphore,
SemaphoreSet), message queues (MessageQueue), latest-value channels
(Channel, Publisher, Subscriber) and administration (list_*, find_orphans,
limits, usage) over libsvipc.so. Every failure raises OSError with the C
library's errno (FileNotFoundError, FileExistsError, PermissionError,
TimeoutError, BlockingIOError...) and svipc's detail message. Reference:
doc/python.md.
"""
from ._constants import SVIPC_VERSION_STRING as __version__
from ._constants import SVIPC_WAIT_FOREVER as WAIT_FOREVER
from ._lib import library_path, strerror, version, version_string
from ._structs import ChannelInfo, ChannelReadInfo, MsgInfo, SemInfo, SemOp, ShmInfo
from .admin import (KIND_MSG, KIND_SEM, KIND_SHM, LIST_PROC_ONLY, LIST_SYSCALLS, ORPHAN_CHANNEL, ORPHAN_CHANNEL_LOCK,
                    Limits, MsgObject, Orphan, SemObject, ShmObject, Usage, channel_description_of_segment,
                    channel_info_of_segment, find_orphans, limits, list_msg, list_sem, list_shm, usage)
from .channel import (CHANNEL_ANY_AGE, CHANNEL_DEFAULT_BUFFERS, CHANNEL_SHARED_WRITER, CHANNEL_SPIN, CHANNEL_STALE,
                      CHANNEL_TYPE_ANY, CHANNEL_TYPE_BOOL, CHANNEL_TYPE_BYTES, CHANNEL_TYPE_FLOAT64,
                      CHANNEL_TYPE_INT64, CHANNEL_TYPE_USER, INTERRUPTIBLE, Channel, Publisher, Subscriber,
                      channel_now_ns, remove_channel)
from .keys import KEY_PRIVATE, key_from_name, key_from_path
from .msg import MSG_EXCEPT, MSG_PEEK, MSG_TRUNCATE, MessageQueue, remove_msg_id, stat_msg_id
from .sem import NO_UNDO, SEM_VALUE_MAX, Semaphore, SemaphoreSet, SemLockGuard, remove_sem_id, stat_sem_id
from .shm import (ATTACH_ALIGNMENT, AUTO_REMOVE, CREATE, EXCLUSIVE, HUGETLB, KEEP_BUFFER, NORESERVE, PAGE_SIZE, PREFAULT,
                  RDONLY, REMAP, RND, SHM_INFO_LOCKED, SHM_INFO_REMOVED, Attachment, SharedMemory, aligned_array, remove_shm_id,
                  stat_shm_id)

__all__ = [
    "__version__", "library_path", "version", "version_string", "strerror", "WAIT_FOREVER",
    # keys
    "KEY_PRIVATE", "key_from_name", "key_from_path",
    # shared memory
    "SharedMemory", "Attachment", "ShmInfo", "aligned_array", "remove_shm_id", "stat_shm_id", "PAGE_SIZE",
    "ATTACH_ALIGNMENT", "CREATE", "EXCLUSIVE", "HUGETLB", "NORESERVE", "AUTO_REMOVE", "RDONLY", "RND", "REMAP", "PREFAULT",
    "KEEP_BUFFER", "SHM_INFO_REMOVED", "SHM_INFO_LOCKED",
    # semaphores
    "Semaphore", "SemaphoreSet", "SemLockGuard", "SemInfo", "SemOp", "remove_sem_id", "stat_sem_id", "NO_UNDO",
    "SEM_VALUE_MAX",
    # message queues
    "MessageQueue", "MsgInfo", "remove_msg_id", "stat_msg_id", "MSG_EXCEPT", "MSG_TRUNCATE", "MSG_PEEK",
    # channels
    "Channel", "Publisher", "Subscriber", "ChannelInfo", "ChannelReadInfo", "channel_now_ns", "remove_channel",
    "CHANNEL_SHARED_WRITER", "CHANNEL_SPIN", "INTERRUPTIBLE", "CHANNEL_TYPE_BYTES", "CHANNEL_TYPE_BOOL",
    "CHANNEL_TYPE_INT64", "CHANNEL_TYPE_FLOAT64", "CHANNEL_TYPE_USER", "CHANNEL_TYPE_ANY", "CHANNEL_DEFAULT_BUFFERS",
    "CHANNEL_STALE", "CHANNEL_ANY_AGE",
    # administration
    "list_shm", "list_sem", "list_msg", "find_orphans", "limits", "usage", "channel_description_of_segment", "channel_info_of_segment",
    "ShmObject", "SemObject", "MsgObject", "Orphan", "Limits", "Usage", "LIST_SYSCALLS", "LIST_PROC_ONLY",
    "KIND_SHM", "KIND_SEM", "KIND_MSG", "ORPHAN_CHANNEL", "ORPHAN_CHANNEL_LOCK",
]
