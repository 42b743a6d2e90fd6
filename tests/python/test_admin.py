"""How a svipc user sees objects removed under it by ipcrm (the administration
side of the library), in a private IPC namespace."""
import ctypes
import errno
import os
import subprocess
import time

import pytest
import sysv_ipc

import svipc
from svipc._lib import lib as svipc_lib
from ipc_helpers import *  # noqa: F401,F403  (helpers and the empty-namespace fixture)


def test_ipcrm_of_attached_segment_keeps_memory_until_detach():
    shm = svipc.SharedMemory(size=4096)
    shmid = shm.id
    attachment = shm.attach()
    attachment.view()[:5] = b"alive"
    subprocess.run(["ipcrm", "-m", str(shmid)], check=True)
    # Still mapped and shared: writes and reads work, stat says removed.
    attachment.view()[5:10] = b"-and-"
    assert bytes(attachment.view()[:10]) == b"alive-and-"
    assert shm.stat().removed
    assert svipc.list_shm()[0].removed and svipc.list_shm()[0].key == 0
    attachment.detach()
    with pytest.raises(OSError) as info:
        shm.stat()
    assert info.value.errno == errno.EIDRM
    with pytest.raises(OSError) as info:
        shm.attach()
    assert info.value.errno == errno.EIDRM
    with pytest.raises(OSError) as info:
        svipc.SharedMemory.open_id(shmid)
    assert info.value.errno == errno.EINVAL
    shm.close()


def _function(name, restype, argtypes):
    function = svipc_lib[name]  # a private function object: the shared table is not touched
    function.restype, function.argtypes = restype, argtypes
    return function


def test_ipcrm_sem_wakes_blocked_waiter_with_eidrm():
    sem_open = _function("svipc_sem_open", ctypes.c_int,
                         [ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                          ctypes.POINTER(ctypes.c_uint16), ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p)])
    sem_open_id = _function("svipc_sem_open_id", ctypes.c_int,
                            [ctypes.c_int32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p)])
    sem_p = _function("svipc_sem_p", ctypes.c_int,
                      [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_int64])
    sem_id = _function("svipc_sem_id", ctypes.c_int, [ctypes.c_void_p])
    sem_close = _function("svipc_sem_close", ctypes.c_void_p, [ctypes.c_void_p])
    handle = ctypes.c_void_p()
    assert sem_open(0, 1, 1, 0o600, None, -1, ctypes.byref(handle)) == 0
    semid = sem_id(handle)

    def waiter():
        own = ctypes.c_void_p()
        if sem_open_id(semid, 0, ctypes.byref(own)) != 0:
            return 90
        rc = sem_p(own, 0, 1, 0, -1)  # value 0: blocks until ipcrm
        return 0 if rc == -errno.EIDRM else 91

    pid = in_child(waiter)
    try:
        wait_until_sleeping(pid)
        assert int(subprocess.run(["ipcs", "-s", "-i", str(semid)], capture_output=True, text=True,
                                  check=True).stdout.count("\n")) > 0
        subprocess.run(["ipcrm", "-s", str(semid)], check=True)
        assert wait_child(pid) == 0
    finally:
        sem_close(handle)


def test_ipcrm_msg_wakes_blocked_receiver_with_eidrm():
    msg_open = _function("svipc_msg_open", ctypes.c_int,
                         [ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p)])
    msg_open_id = _function("svipc_msg_open_id", ctypes.c_int, [ctypes.c_int32, ctypes.POINTER(ctypes.c_void_p)])
    msg_receive = _function("svipc_msg_receive", ctypes.c_int64,
                            [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32,
                             ctypes.c_int64, ctypes.POINTER(ctypes.c_int64)])
    msg_id = _function("svipc_msg_id", ctypes.c_int, [ctypes.c_void_p])
    msg_close = _function("svipc_msg_close", ctypes.c_void_p, [ctypes.c_void_p])
    handle = ctypes.c_void_p()
    assert msg_open(0, 1, 0o600, ctypes.byref(handle)) == 0
    msqid = msg_id(handle)

    def receiver():
        own = ctypes.c_void_p()
        if msg_open_id(msqid, ctypes.byref(own)) != 0:
            return 90
        buf = ctypes.create_string_buffer(64)
        rc = msg_receive(own, 0, buf, 64, 0, -1, None)  # empty: blocks until ipcrm
        return 0 if rc == -errno.EIDRM else 91

    pid = in_child(receiver)
    try:
        wait_until_sleeping(pid)
        subprocess.run(["ipcrm", "-q", str(msqid)], check=True)
        assert wait_child(pid) == 0
    finally:
        msg_close(handle)


# -------------------------------------------------------------- rm, clean


