"""Message queues through the ctypes wrapper: modes, errors, signals, real
processes, and interoperability with Debian's python3-sysv-ipc on one key."""
import errno
import os
import signal
import time

import numpy as np
import pytest
import sysv_ipc

import svipc
from ipc_helpers import wait_child

KEY = 0x5EED0500
# How long a forked child of these tests may take (ipc_helpers' default is 10 s).
CHILD_SECONDS = 20.0


@pytest.fixture
def queue():
    q = svipc.MessageQueue()
    yield q
    try:
        q.remove()
    except OSError:
        pass
    q.close()


def run_child(body):
    """Fork; the child runs body() and exits 0 on success, 1 on an exception."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        finally:
            os._exit(code)
    return pid




def test_errors_raise_oserror_subclasses_with_message():
    with pytest.raises(FileNotFoundError) as info:
        svipc.MessageQueue(key=KEY)
    assert info.value.errno == errno.ENOENT
    assert f"svipc_msg_open: no queue with key {KEY:#010x}" in str(info.value)
    with svipc.MessageQueue(key=KEY, create=True, exclusive=True) as q:
        try:
            with pytest.raises(FileExistsError):
                svipc.MessageQueue(key=KEY, create=True, exclusive=True)
        finally:
            q.remove()


def test_every_receive_mode(queue):
    for type_, text in [(5, b"a5"), (2, b"b2"), (9, b"c9"), (2, b"d2"), (7, b"e7")]:
        queue.send(text, type_)
    assert queue.peek(2) == (b"c9", 9)
    assert queue.receive(2) == (b"b2", 2)                # exactly 2
    assert queue.receive(5, exclude=True) == (b"c9", 9)  # anything but 5
    assert queue.receive(-6) == (b"d2", 2)               # lowest type <= 6
    assert queue.receive(-6) == (b"a5", 5)
    assert queue.receive() == (b"e7", 7)                 # oldest
    assert queue.current_messages == 0


def test_buffers_strings_and_empty_messages(queue):
    array = np.arange(100, dtype=np.float64)
    queue.send(array, 1)
    queue.send(memoryview(b"view"), 2)
    queue.send("käse", 3)
    queue.send(b"", 4)
    data, type_ = queue.receive()
    assert type_ == 1 and np.array_equal(np.frombuffer(data, dtype=np.float64), array)
    assert queue.receive() == (b"view", 2)
    assert queue.receive() == ("käse".encode(), 3)
    assert queue.receive() == (b"", 4)


def test_long_message_stays_queued_unless_truncated(queue):
    queue.send(b"0123456789", 1)
    with pytest.raises(OSError) as info:
        queue.receive(max_size=4)
    assert info.value.errno == errno.E2BIG
    assert "stays queued" in str(info.value)
    assert queue.current_messages == 1
    assert queue.receive(max_size=4, truncate=True) == (b"0123", 1)
    assert queue.current_messages == 0


def test_try_once_full_and_empty(queue):
    with pytest.raises(OSError) as info:
        queue.receive(block=False)
    assert info.value.errno == errno.ENOMSG
    queue.set_capacity(10)
    assert queue.stat().qbytes == 10
    queue.send(b"x" * 10, 1, block=False)
    with pytest.raises(BlockingIOError):
        queue.send(b"y", 1, block=False)
    with pytest.raises(OSError) as info:
        queue.send(b"z" * 11, 1)  # can never fit: no eternal wait
    assert info.value.errno == errno.E2BIG


def test_bad_type_is_einval(queue):
    for bad in (0, -1):
        with pytest.raises(OSError) as info:
            queue.send(b"x", bad)
        assert info.value.errno == errno.EINVAL
    with pytest.raises(OSError) as info:
        queue.receive(0, exclude=True)
    assert info.value.errno == errno.EINVAL


@pytest.mark.parametrize("timeout", [0.001, 0.05, 0.2])
def test_timeouts_never_early_and_not_much_late(queue, timeout):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        queue.receive(timeout=timeout)
    elapsed = time.monotonic() - start
    assert timeout <= elapsed < timeout + 0.3


def test_signal_handler_exception_ends_a_blocking_receive(queue):
    class Interrupted(Exception):
        pass

    def handler(signum, frame):
        raise Interrupted()

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        start = time.monotonic()
        with pytest.raises(Interrupted):
            queue.receive()
        assert time.monotonic() - start < 2.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_quiet_signal_handler_resumes_the_wait(queue):
    seen = []
    previous = signal.signal(signal.SIGALRM, lambda s, f: seen.append(s))
    qid = queue.id

    def send_later():
        with svipc.MessageQueue.open_id(qid) as q:
            time.sleep(0.2)
            q.send(b"late", 6)

    try:
        pid = run_child(send_later)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        assert queue.receive(6, timeout=10) == (b"late", 6)
        assert seen == [signal.SIGALRM]
        assert wait_child(pid, CHILD_SECONDS) == 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_removal_wakes_a_blocked_receiver_in_another_process(queue):
    qid = queue.id

    def wait_for_removal():
        with svipc.MessageQueue.open_id(qid) as q:
            try:
                q.receive()
            except OSError as e:
                if e.errno == errno.EIDRM:
                    return
            raise AssertionError("expected EIDRM")

    pid = run_child(wait_for_removal)
    time.sleep(0.1)
    queue.remove()
    assert wait_child(pid, CHILD_SECONDS) == 0


def test_handle_used_in_forked_child_is_echild(queue):
    def use_parent_handle():
        with pytest.raises(ChildProcessError):
            queue.send(b"x", 1)

    assert wait_child(run_child(use_parent_handle), CHILD_SECONDS) == 0


def test_producer_and_consumer_processes(queue):
    qid, count = queue.id, 2000

    def produce():
        with svipc.MessageQueue.open_id(qid) as q:
            for i in range(count):
                q.send(i.to_bytes(4, "little") * (1 + i % 50), 1 + i % 3)
            q.send(b"", 99)

    pid = run_child(produce)
    last = {1: -1, 2: -1, 3: -1}
    received = 0
    while True:
        data, type_ = queue.receive(timeout=20)
        if type_ == 99:
            break
        i = int.from_bytes(data[:4], "little")
        assert data == i.to_bytes(4, "little") * (1 + i % 50) and type_ == 1 + i % 3
        assert i > last[type_]
        last[type_] = i
        received += 1
    assert received == count
    assert wait_child(pid, CHILD_SECONDS) == 0


def test_interoperates_with_sysv_ipc_on_the_same_key():
    theirs = sysv_ipc.MessageQueue(KEY + 1, sysv_ipc.IPC_CREX, mode=0o600)
    try:
        with svipc.MessageQueue(key=KEY + 1) as ours:
            assert ours.id == theirs.id
            theirs.send(b"from sysv_ipc", type=4)
            assert ours.receive() == (b"from sysv_ipc", 4)
            ours.send(b"low", 2)
            ours.send(b"from svipc", 7)
            assert theirs.current_messages == 2
            assert theirs.receive(type=7) == (b"from svipc", 7)
            assert theirs.receive(type=-5) == (b"low", 2)
            info = ours.stat()
            assert (info.lspid, info.lrpid) == (theirs.last_send_pid, theirs.last_receive_pid)
            assert info.lspid == os.getpid()
            # qemu-user reports msg_lrpid 0 to 64-bit guests (doc/platforms.md); sysv_ipc's raw value proves it.
            lrpid_unreported = theirs.last_receive_pid == 0
            assert lrpid_unreported or info.lrpid == os.getpid()
            assert info.qbytes == theirs.max_size
            ours.set_capacity(4096)
            assert theirs.max_size == 4096
            with pytest.raises(sysv_ipc.BusyError):
                theirs.receive(block=False)
            ours.remove()
            with pytest.raises(OSError) as info:  # sysv_ipc passes msgsnd's EINVAL through
                theirs.send(b"gone")
            assert info.value.errno == errno.EINVAL
            if lrpid_unreported:
                pytest.skip("SVIPC-SKIPPED test_msg lrpid: msgctl(IPC_STAT) reports msg_lrpid 0 after a receive "
                            "(qemu-user's msqid_ds translation)")
    finally:
        try:
            theirs.remove()
        except sysv_ipc.ExistentialError:
            pass
