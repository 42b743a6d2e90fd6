"""Shared memory through the ctypes wrapper, across real processes."""
import errno
import multiprocessing
import os

import numpy as np
import pytest

import svipc


@pytest.fixture
def segment():
    shm = svipc.SharedMemory(size=3 * svipc.PAGE_SIZE)
    yield shm
    try:
        shm.close()
    finally:
        try:
            svipc.remove_shm_id(shm.id)
        except OSError:
            pass


def test_errors_raise_oserror_subclass_with_errno_and_message():
    with pytest.raises(FileNotFoundError) as info:
        svipc.SharedMemory(key=0x5EED0042)
    assert info.value.errno == errno.ENOENT
    assert "svipc_shm_open: no segment with key 0x5eed0042" in str(info.value)
    with pytest.raises(OSError) as info:
        svipc.SharedMemory(size=0, create=True)
    assert info.value.errno == errno.EINVAL


def test_exclusive_create_of_existing_key_is_file_exists():
    with svipc.SharedMemory(key=0x5EED0043, size=100, create=True, exclusive=True) as shm:
        try:
            with pytest.raises(FileExistsError):
                svipc.SharedMemory(key=0x5EED0043, size=100, create=True, exclusive=True)
        finally:
            shm.remove()


def test_key_from_name_matches_documented_hash():
    def fnv1a(name):
        h = 2166136261
        for b in b"svipc:" + name.encode():
            h = ((h ^ b) * 16777619) & 0xFFFFFFFF
        return (h & 0x7FFFFFFF) or 1
    for name in ("camera/front", "a", "ünïcode", "x" * 300):
        assert svipc.key_from_name(name) == fnv1a(name)
    with pytest.raises(FileNotFoundError):
        svipc.key_from_path("/nonexistent/svipc")


def test_memoryview_and_numpy_view_share_memory(segment):
    a = segment.attach()
    b = segment.attach(readonly=True)
    a.view()[:5] = b"hello"
    assert bytes(b.view()[:5]) == b"hello"
    arr = a.ndarray(np.float32, (16,))
    arr[:] = np.arange(16)
    assert b.ndarray(np.float32, (16,))[15] == 15.0
    assert b.view().readonly
    with pytest.raises(BufferError):
        a.detach()      # arr still points into the mapping
    del arr
    a.detach()
    b.detach()
    assert segment.stat().nattch == 0


def test_stat_reports_mode_size_and_removal(segment):
    info = segment.stat()
    assert info.mode == 0o600 and info.size == 3 * svipc.PAGE_SIZE and info.cpid == os.getpid()
    segment.set_mode(0o640)
    assert segment.stat().mode == 0o640
    with segment.attach():
        segment.remove()
        assert segment.stat().removed
    with pytest.raises(OSError) as info:
        segment.stat()
    assert info.value.errno == errno.EIDRM


def _child_writes(shmid, queue):
    with svipc.SharedMemory.open_id(shmid) as shm:
        shm.attach().view()[:4] = b"kid!"
    queue.put(os.getpid())


def test_child_process_writes_parent_reads(segment):
    att = segment.attach()
    queue = multiprocessing.get_context("fork").Queue()
    proc = multiprocessing.get_context("fork").Process(target=_child_writes, args=(segment.id, queue))
    proc.start()
    proc.join(20)
    assert proc.exitcode == 0
    assert bytes(att.view()[:4]) == b"kid!"
    assert segment.stat().lpid == queue.get(timeout=5)
    att.detach()


def test_attach_into_unaligned_numpy_array_keeps_bytes_before_boundary(segment):
    host = np.full(segment.size + svipc.ATTACH_ALIGNMENT - 1 + 1, 7, dtype=np.uint8)[1:]  # unaligned start
    att = segment.attach_into(host)
    assert 0 < att.offset < svipc.ATTACH_ALIGNMENT or host.ctypes.data % svipc.ATTACH_ALIGNMENT == 0
    assert (host[:att.offset] == 7).all()          # before the boundary: untouched
    assert (host[att.offset:att.offset + segment.size] == 0).all()  # the segment
    host[att.offset] = 99
    with segment.attach(readonly=True) as other:
        assert other.view()[0] == 99
    att.detach()
    assert host[att.offset] == 99                   # restored copy, still valid
    host[att.offset] = 1                            # private again
    with segment.attach(readonly=True) as other:
        assert other.view()[0] == 99


def test_attach_into_too_small_buffer_is_einval_and_maps_nothing(segment):
    host = np.zeros(segment.size, dtype=np.uint8)
    if host.ctypes.data % svipc.ATTACH_ALIGNMENT == 0:
        host = np.zeros(segment.size + 1, dtype=np.uint8)[1:]
    with pytest.raises(OSError) as info:
        segment.attach_into(host)
    assert info.value.errno == errno.EINVAL
    assert "does not fit in buffer" in str(info.value)
    assert segment.stat().nattch == 0


def test_aligned_array_is_whole_segment_and_keep_buffer_shares_contents(segment):
    arr = svipc.aligned_array((3 * svipc.PAGE_SIZE // 4,), np.float32)
    arr[:] = np.arange(arr.size, dtype=np.float32)
    with segment.attach_into(arr, keep_buffer=True) as att:
        assert att.offset == 0
        with segment.attach(readonly=True) as other:
            assert (other.ndarray(np.float32) == np.arange(arr.size)).all()
    assert (arr == np.arange(arr.size)).all()


def test_close_detaches_everything_and_buffer_survives(segment):
    host = bytearray(segment.size + svipc.ATTACH_ALIGNMENT)
    att = segment.attach_into(host)
    host[att.offset:att.offset + 3] = b"abc"
    with pytest.raises(BufferError):
        host.extend(b"x")      # pinned while attached: cannot be reallocated
    segment.close()
    assert host[att.offset:att.offset + 3] == b"abc"
    host.extend(b"x")          # released
    assert svipc.stat_shm_id(segment.id).nattch == 0


def test_handle_used_in_forked_child_is_echild(segment):
    pid = os.fork()
    if pid == 0:
        try:
            segment.attach()
        except ChildProcessError:
            os._exit(0)
        except BaseException:
            os._exit(2)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
