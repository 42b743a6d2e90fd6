"""Channels and pub/sub topics through the ctypes wrapper, across real processes."""
import ctypes
import errno
import multiprocessing
import os
import time

import numpy as np
import pytest

import svipc

CTX = multiprocessing.get_context("fork")


class Point(ctypes.Structure):
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double), ("tag", ctypes.c_int32), ("pad", ctypes.c_int32)]


def _publish_in_child(name, default, values, ready):
    with svipc.Publisher(name, default) as pub:
        for value in values:
            pub.publish(value)
        ready.set()
        time.sleep(0.2)  # keep the writer alive while the parent reads
    os._exit(0)


@pytest.mark.parametrize("default, values", [
    (False, [True, False, True]),
    (0, [1, -2, 2**62]),
    (0.0, [1.5, -0.25, 3.0e300]),
    (b"\0" * 16, [b"a" * 16, b"b" * 16, bytes(range(16))]),
])
def test_values_cross_processes_with_default_before_first_publish(topic, default, values):
    sub = svipc.Subscriber(topic, default)
    assert sub.subscribe() == (default, False)  # the topic does not exist yet
    ready = CTX.Event()
    child = CTX.Process(target=_publish_in_child, args=(topic, default, values, ready))
    child.start()
    assert ready.wait(30)
    value, ok = sub.subscribe()
    assert ok and value == values[-1] and type(value) is type(values[-1])
    assert sub.last_info.sequence == len(values)
    child.join(30)
    assert child.exitcode == 0
    sub.close()


def _publish_arrays(name, count, ready):
    template = np.zeros((3, 5), dtype=np.float32)
    with svipc.Publisher(name, template) as pub:
        for i in range(count):
            pub.publish(np.full((3, 5), i, dtype=np.float32))
        ready.set()
        time.sleep(0.2)
    os._exit(0)


def test_numpy_array_into_callers_array_and_as_copy(topic):
    template = np.zeros((3, 5), dtype=np.float32)
    ready = CTX.Event()
    child = CTX.Process(target=_publish_arrays, args=(topic, 10, ready))
    child.start()
    assert ready.wait(30)
    with svipc.Subscriber(topic, template) as sub:
        out = np.empty_like(template)
        result, ok = sub.subscribe(out=out)
        assert ok and result is out and (out == 9).all()
        copy, ok = sub.subscribe()
        assert ok and copy is not out and copy.dtype == np.float32 and copy.shape == (3, 5) and (copy == 9).all()
        with pytest.raises(ValueError):
            sub.subscribe(out=np.empty((5, 3), np.float32))
    child.join(30)
    assert child.exitcode == 0
    with pytest.raises(OSError) as info:  # another shape is another type
        svipc.Subscriber(topic, np.zeros((5, 3), np.float32)).subscribe()
    assert info.value.errno == errno.EINVAL


def test_view_of_numpy_topic_is_read_only_zero_copy_and_valid_until_overwritten(topic):
    template = np.zeros((4, 6), dtype=np.int32)
    with svipc.Subscriber(topic, template) as sub:
        array, token = sub.view()  # no topic yet
        assert array is template and token is None and not sub.still_valid(token)
        with svipc.Publisher(topic, template, buffer_num=3) as pub:
            array, token = sub.view()  # topic, but nothing published
            assert array is template and token is None
            first = np.arange(24, dtype=np.int32).reshape(4, 6)
            pub.publish(first)
            view, token = sub.view()
            assert token == 1 and sub.last_info.sequence == 1
            assert view.dtype == np.int32 and view.shape == (4, 6) and (view == first).all()
            assert sub.still_valid(token)
            assert not view.flags.writeable
            with pytest.raises(ValueError):
                view[0, 0] = 1
            with pytest.raises(ValueError):
                view.setflags(write=True)
            for i in (1, 2):  # buffer_num - 1 newer values leave its slot alone
                pub.publish(first + 100 * i)
            assert (view == first).all() and sub.still_valid(token)
            pub.publish(first + 300)  # the buffer_num-th reuses the slot
            assert not sub.still_valid(token)
            assert (view == first + 300).all()  # same memory: nothing was copied
            newest, token = sub.view()
            assert token == 4 and newest is view and sub.still_valid(token)
        kept = view
    assert (kept == first + 300).all()  # still mapped after close while a view is alive
    with pytest.raises(TypeError):
        svipc.Subscriber(topic + "-int", 0).view()  # only numpy topics have views


def test_view_sees_array_published_by_another_process(topic):
    template = np.zeros((3, 5), dtype=np.float32)
    ready = CTX.Event()
    child = CTX.Process(target=_publish_arrays, args=(topic, 10, ready))
    child.start()
    assert ready.wait(30)
    with svipc.Subscriber(topic, template) as sub:
        view, token = sub.view()
        assert token == 10 and (view == 9).all() and sub.still_valid(token)
    child.join(30)
    assert child.exitcode == 0


def test_ctypes_struct_round_trip(topic):
    with svipc.Publisher(topic, Point()) as pub, svipc.Subscriber(topic, Point()) as sub:
        pub.publish(Point(1.5, -2.5, 7, 0))
        value, ok = sub.subscribe()
        assert ok and (value.x, value.y, value.tag) == (1.5, -2.5, 7)
        with pytest.raises(TypeError):
            pub.publish(3)


def test_type_or_size_mismatch_is_reported(topic):
    with svipc.Publisher(topic, 0):
        with pytest.raises(OSError) as info:
            svipc.Subscriber(topic, 0.0)
        assert info.value.errno == errno.EINVAL and "has schema '<i8', not '<f8'" in str(info.value)
        with pytest.raises(OSError):
            svipc.Publisher(topic, b"12345678")


def test_stale_value_gives_default_with_max_age(topic):
    with svipc.Publisher(topic, 0) as pub, svipc.Subscriber(topic, -1, max_age=0.02) as sub:
        pub.publish(4)
        assert sub.subscribe() == (4, True)
        time.sleep(0.05)
        assert sub.subscribe() == (-1, False)


@pytest.mark.parametrize("code", [errno.EAGAIN, errno.ENODATA])
def test_subscribe_gives_default_when_the_read_gives_up(topic, code, monkeypatch):
    # -EAGAIN: a writer overtook the read for the whole retry budget. The
    # seed API has no exception for that: (default, False), as for "nothing yet".
    with svipc.Publisher(topic, 0) as pub, svipc.Subscriber(topic, -1) as sub:
        pub.publish(4)
        assert sub.subscribe() == (4, True)
        monkeypatch.setattr(svipc.channel, "_fast_read_bound", lambda raw: -code)
        assert sub.subscribe() == (-1, False)
        monkeypatch.setattr(svipc.channel, "_fast_read_bound", lambda raw: -errno.EPROTO)
        with pytest.raises(OSError) as raised:
            sub.subscribe()
        assert raised.value.errno == errno.EPROTO


def test_each_subscriber_reads_into_its_own_bound_buffer(topic):
    # subscribe() reads through a destination bound once per handle
    # (svipc_channel_bind_read): two subscribers, and a subscribe(out=...)
    # in between, must not see each other's buffers or infos.
    with svipc.Publisher(topic, b"\0" * 24) as pub, \
            svipc.Subscriber(topic, b"\0" * 24) as first, svipc.Subscriber(topic, b"\0" * 24) as second:
        pub.publish(b"a" * 24)
        assert first.subscribe() == (b"a" * 24, True)
        pub.publish(b"b" * 24)
        assert second.subscribe() == (b"b" * 24, True)
        assert first.last_info.sequence == 1 and second.last_info.sequence == 2
        assert first.subscribe() == (b"b" * 24, True)
        assert first.last_info.missed == 0 and first.last_info.sequence == 2
        pub.publish(b"c" * 24)
        pub.publish(b"d" * 24)
        assert second.subscribe() == (b"d" * 24, True)
        assert second.last_info.missed == 1  # "c" was never returned to it


def _publish_after(name, delay):
    time.sleep(delay)
    with svipc.Publisher(name, 0) as pub:
        pub.publish(123)
    os._exit(0)


def test_wait_new_wakes_on_publish_in_other_process_and_times_out(topic):
    sub = svipc.Subscriber(topic, 0)
    child = CTX.Process(target=_publish_after, args=(topic, 0.1))
    child.start()
    start = time.monotonic()
    assert sub.wait_new(20) == (123, True)
    assert time.monotonic() - start < 15
    child.join(30)
    assert child.exitcode == 0
    start = time.monotonic()
    assert sub.wait_new(0.05) == (0, False)  # nothing newer than 123
    assert time.monotonic() - start >= 0.05
    sub.close()


def test_history_and_missed_count(topic):
    with svipc.Publisher(topic, 0, buffer_num=4) as pub, svipc.Subscriber(topic, 0) as sub:
        for i in range(1, 11):
            pub.publish(i * 10)
        values, missed = sub.history(after_sequence=2)
        assert values == [(70, 7), (80, 8), (90, 9), (100, 10)]
        assert missed == 4
        sub.subscribe()
        for i in range(3):
            pub.publish(i)
        sub.subscribe()
        assert sub.last_info.missed == 2


def test_second_exclusive_publisher_is_busy_shared_writers_are_not(topic):
    with svipc.Publisher(topic, 0) as first:
        first.publish(1)
        second = svipc.Publisher(topic, 0)
        with pytest.raises(OSError) as info:
            second.publish(2)
        assert info.value.errno == errno.EBUSY and f"pid {os.getpid()}" in str(info.value)
        second.close()
    with svipc.Publisher(topic, 0, shared_writer=True) as a, svipc.Publisher(topic, 0, shared_writer=True) as b:
        a.publish(1)
        b.publish(2)
        assert svipc.Subscriber(topic, 0).subscribe() == (2, True)


def _torn_writer(name, size):
    with svipc.Channel(name, svipc.CHANNEL_TYPE_BYTES, size) as ch:
        counter = 0
        while True:
            counter += 1
            word = counter.to_bytes(8, "little")
            ch.publish(word * (size // 8))


def test_channel_reads_across_processes_are_never_torn_or_backwards(topic):
    size = 64
    with svipc.Channel(topic, svipc.CHANNEL_TYPE_BYTES, size, create=True) as ch:
        child = CTX.Process(target=_torn_writer, args=(topic, size))
        child.start()
        try:
            assert ch.wait(0, 30)
            buffer = bytearray(size)
            last = 0
            seen = set()
            reads = 0
            deadline = time.monotonic() + 20
            # At least 20000 reads, and long enough to see the writer make
            # progress even when a loaded machine deschedules it.
            while (reads < 20000 or len(seen) < 100) and time.monotonic() < deadline:
                reads += 1
                info = ch.read(buffer)
                words = set(bytes(buffer[i:i + 8]) for i in range(0, size, 8))
                assert len(words) == 1  # not torn
                assert info.sequence >= last
                last = info.sequence
                seen.add(info.sequence)
            assert len(seen) >= 100  # the writer really ran concurrently
        finally:
            child.kill()
            child.join(30)


def test_closed_objects_raise_and_remove_leaves_nothing(topic):
    pub = svipc.Publisher(topic, 0)
    pub.publish(1)
    pub.close()
    with pytest.raises(ValueError):
        pub.publish(2)
    sub = svipc.Subscriber(topic, 0)
    sub.close()
    with pytest.raises(ValueError):
        sub.subscribe()
    svipc.remove_channel(topic)
    with pytest.raises(FileNotFoundError):
        svipc.remove_channel(topic)
