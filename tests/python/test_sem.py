"""Semaphores through the ctypes wrapper, across real processes."""
import contextlib
import errno
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import svipc

CTX = multiprocessing.get_context("fork")
KEY = 0x5E3A0F00


@pytest.fixture
def sem_set():
    s = svipc.SemaphoreSet(nsems=2, initial=[1, 0])
    yield s
    try:
        s.remove()
    except (OSError, ValueError):
        pass
    s.close()


def _wait_for_waiters(s, index, count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while s.waiting(index) < count:
        assert time.monotonic() < deadline, "the other process never blocked"
        time.sleep(0.001)


def test_private_set_has_initial_values_and_reports_creation(sem_set):
    assert sem_set.created
    assert sem_set.nsems == len(sem_set) == 2
    assert sem_set.values() == [1, 0]
    info = sem_set.stat()
    assert info.nsems == 2 and info.mode == 0o600 and info.otime_ns > 0
    assert svipc.stat_sem_id(sem_set.id).to_dict() == info.to_dict()


def test_ctypes_structs_match_the_c_layout():
    import ctypes
    assert ctypes.sizeof(svipc.SemInfo) == 48 and ctypes.sizeof(svipc.SemOp) == 8


def test_second_opener_by_key_sees_first_initialisation():
    with svipc.SemaphoreSet(KEY, 1, create=True, initial=[4]) as a:
        try:
            with svipc.SemaphoreSet(KEY, 1, create=True, initial=[9]) as b:
                assert not b.created and b.id == a.id and b.value(0) == 4
            with contextlib.closing(svipc.Semaphore(key=KEY)) as c:  # `with c:` alone would P/V
                assert c.value == 4
        finally:
            a.remove()


def test_errors_raise_oserror_subclasses_with_errno_and_message(sem_set):
    with pytest.raises(FileNotFoundError) as info:
        svipc.SemaphoreSet(KEY + 1)
    assert "svipc_sem_open: no semaphore set with key 0x5e3a0f01" in str(info.value)
    with svipc.SemaphoreSet(KEY + 2, create=True, exclusive=True) as s:
        try:
            with pytest.raises(FileExistsError):
                svipc.SemaphoreSet(KEY + 2, create=True, exclusive=True)
        finally:
            s.remove()
    with pytest.raises(OSError) as info:
        sem_set.p(5)
    assert info.value.errno == errno.EINVAL and "index 5 is out of range" in str(info.value)
    with pytest.raises(OSError) as info:
        sem_set.v(0, svipc.SEM_VALUE_MAX)
    assert info.value.errno == errno.ERANGE
    with pytest.raises(PermissionError):  # EPERM: unlock of a free mutex
        sem_set.unlock(0)
    with pytest.raises(ValueError):
        svipc.SemaphoreSet(nsems=2, initial=[1])
    with pytest.raises(IndexError):
        sem_set[2]


def test_try_p_is_false_and_timeout_is_timeout_error_never_early(sem_set):
    assert sem_set.try_p(1) is False
    with pytest.raises(BlockingIOError):
        sem_set.p(1, timeout=0)
    start = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        sem_set.p(1, timeout=0.2)
    elapsed = time.monotonic() - start
    assert 0.2 <= elapsed < 1.7
    assert "timed out after 200 ms" in str(info.value)
    assert sem_set.try_p(0) is True and sem_set.value(0) == 0


def test_semaphore_acquire_release_like_threading():
    with contextlib.closing(svipc.Semaphore(initial=2)) as sem:
        try:
            assert sem.acquire() and sem.acquire(timeout=0.01)
            assert sem.acquire(blocking=False) is False
            assert sem.acquire(timeout=0.05) is False
            with pytest.raises(ValueError):
                sem.acquire(blocking=False, timeout=1)
            sem.release(2)
            with sem:
                assert sem.value == 1
            assert sem.value == 2
        finally:
            sem.remove()


def test_lock_guard_unlocks_at_end_of_block(sem_set):
    with sem_set.lock(0, timeout=1) as guard:
        assert guard.locked and sem_set.value(0) == 0
        with pytest.raises(BlockingIOError):
            sem_set.lock(0, timeout=0)
    assert sem_set.value(0) == 1
    mutex = sem_set[0]
    with mutex.lock():
        assert mutex.value == 0
    assert mutex.value == 1


def test_ops_are_all_or_nothing(sem_set):
    with pytest.raises(BlockingIOError):
        sem_set.ops([(0, -1), (1, -1)], timeout=0)
    assert sem_set.values() == [1, 0]
    sem_set.v(1)
    sem_set.ops([(0, -1), (1, -1)])
    assert sem_set.values() == [0, 0]
    sem_set.ops([(1, 0)], timeout=0)  # wait-for-zero on a zero passes at once


def _hold_then_wait(semid, undo, ready):
    s = svipc.SemaphoreSet.open_id(semid)
    s.p(0, undo=undo)
    os.write(ready, b"x")
    time.sleep(60)


@pytest.mark.parametrize("undo", [True, False])
def test_killed_holder_gives_lock_back_only_with_undo(sem_set, undo):
    read_end, write_end = os.pipe()
    proc = CTX.Process(target=_hold_then_wait, args=(sem_set.id, undo, write_end))
    proc.start()
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)
    os.close(write_end)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(10)
    assert proc.exitcode == -signal.SIGKILL
    if undo:
        assert sem_set[0].acquire(timeout=1.0)
    else:
        assert sem_set.value(0) == 0
        assert sem_set[0].acquire(timeout=0.2) is False


def _expect_eidrm(semid, result):
    s = svipc.SemaphoreSet.open_id(semid)
    try:
        s.p(1)
    except OSError as e:
        result.put((e.errno, str(e)))
    else:
        result.put(None)


def test_removal_wakes_waiter_with_eidrm(sem_set):
    result = CTX.Queue()
    proc = CTX.Process(target=_expect_eidrm, args=(sem_set.id, result))
    proc.start()
    _wait_for_waiters(sem_set, 1)
    sem_set.remove()
    code, message = result.get(timeout=10)
    proc.join(10)
    assert code == errno.EIDRM and "was removed" in message


CHILD = textwrap.dedent("""
    import sys
    import svipc
    s = svipc.SemaphoreSet.open_id(int(sys.argv[1]))
    try:
        s.p(1)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(0)
    sys.exit(1)
""")


def test_ctrl_c_during_blocking_wait_raises_keyboard_interrupt(sem_set):
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(sem_set.id)], stdout=subprocess.PIPE,
                             text=True)
    try:
        _wait_for_waiters(sem_set, 1)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=10)
    finally:
        child.kill()
    assert child.returncode == 0 and out.strip() == "KeyboardInterrupt"


def test_signal_handler_neither_ends_nor_shortens_a_timed_wait(sem_set):
    seen = []
    previous = signal.signal(signal.SIGALRM, lambda signo, frame: seen.append(signo))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            sem_set.p(1, timeout=0.5)
        elapsed = time.monotonic() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(seen) >= 3
    assert 0.5 <= elapsed < 2.0


def test_exception_from_signal_handler_ends_the_wait(sem_set):
    class Stop(Exception):
        pass

    def stop(signo, frame):
        raise Stop()

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(Stop):
            sem_set.p(1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _locked_increments(semid, shmid, count):
    s = svipc.SemaphoreSet.open_id(semid)
    with svipc.SharedMemory.open_id(shmid) as shm, shm.attach() as att:
        counter = att.ndarray("i8", (1,))
        for _ in range(count):
            with s.lock(0):
                value = int(counter[0])
                counter[0] = value + 1
        del counter


def test_lock_gives_mutual_exclusion_across_processes(sem_set):
    with svipc.SharedMemory(size=8) as shm:
        try:
            procs = [CTX.Process(target=_locked_increments, args=(sem_set.id, shm.id, 2000)) for _ in range(4)]
            for p in procs:
                p.start()
            for p in procs:
                p.join(120)
                assert p.exitcode == 0
            with shm.attach() as att:
                counter = att.ndarray("i8", (1,))
                assert int(counter[0]) == 8000
                del counter
        finally:
            shm.remove()


def test_handle_used_in_forked_child_is_echild(sem_set):
    pid = os.fork()
    if pid == 0:
        try:
            sem_set.v(0)
        except ChildProcessError:
            os._exit(0)
        except BaseException:
            os._exit(2)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sem_set.value(0) == 1


def test_interop_with_sysv_ipc_both_ways():
    sysv_ipc = pytest.importorskip("sysv_ipc")
    with contextlib.closing(svipc.Semaphore(KEY + 3, create=True, initial=1)) as ours:
        try:
            theirs = sysv_ipc.Semaphore(KEY + 3)
            theirs.acquire(0)
            assert ours.value == 0 and ours.acquire(blocking=False) is False
            theirs.release()
            assert ours.acquire(timeout=1) and theirs.value == 0
            ours.release()
        finally:
            ours.remove()
    theirs = sysv_ipc.Semaphore(KEY + 4, sysv_ipc.IPC_CREX, initial_value=2)
    try:
        theirs.acquire()
        theirs.release()  # a semop has run: sem_otime is set, so open by key succeeds
        with contextlib.closing(svipc.Semaphore(KEY + 4, init_timeout=0)) as ours:
            assert not ours.created and ours.value == 2
            with ours:
                assert theirs.value == 1
    finally:
        theirs.remove()
