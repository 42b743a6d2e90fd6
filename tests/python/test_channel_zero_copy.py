"""Loaned publishes and pinned reads from Python: Publisher.loan() and
Subscriber.acquire() context managers over numpy topics, across processes."""
import errno
import multiprocessing
import os
import time

import numpy as np
import pytest

import svipc

CTX = multiprocessing.get_context("fork")


def test_loan_commits_on_exit_and_abandons_on_exception(topic):
    template = np.zeros((4, 6), dtype=np.int32)
    with svipc.Publisher(topic, template) as pub, svipc.Subscriber(topic, template) as sub:
        with pub.loan() as slot:
            assert slot.shape == (4, 6) and slot.dtype == np.int32 and slot.flags.writeable
            assert pub.channel.latest() == 0  # nothing visible before the block ends
            slot[...] = np.arange(24, dtype=np.int32).reshape(4, 6)
            address = slot.__array_interface__["data"][0]
        assert pub.channel.latest() == 1
        value, ok = sub.subscribe()
        assert ok and (value == np.arange(24).reshape(4, 6)).all()
        with pytest.raises(ValueError, match="after its `with` block"):
            slot[0, 0] = 5  # the slot was published: writing it now would change a visible value
        with pytest.raises(ValueError):
            slot.sum()

        with pytest.raises(ZeroDivisionError):
            with pub.loan() as slot:
                slot[...] = 77
                1 / 0
        assert pub.channel.latest() == 1  # abandoned: never visible
        value, ok = sub.subscribe()
        assert ok and sub.last_info.sequence == 1 and (value == np.arange(24).reshape(4, 6)).all()
        pub.publish(template + 3)
        assert pub.channel.latest() == 2
        with pub.loan() as slot:  # the loan is over: another one works
            slot.fill(9)
            assert slot.__array_interface__["data"][0] % 64 == 0
        assert pub.channel.latest() == 3 and (sub.subscribe()[0] == 9).all()
        assert address  # the loans wrote in place: the arrays were over the slots themselves
    with pytest.raises(TypeError):
        with svipc.Publisher(topic + "-int", 0).loan():
            pass
    svipc.remove_channel(topic + "-int")


def test_acquire_pins_the_value_and_the_array_is_dead_after_the_block(topic):
    template = np.zeros(1000, dtype=np.float64)
    with svipc.Subscriber(topic, template) as sub:
        with sub.acquire() as frame:
            assert frame is None  # no topic yet
        with svipc.Publisher(topic, template, buffer_num=3) as pub:
            with sub.acquire() as frame:
                assert frame is None  # nothing published
            pub.publish(template + 1)
            with sub.acquire() as frame:
                assert not frame.flags.writeable and sub.last_info.sequence == 1
                with pytest.raises(ValueError):
                    frame[0] = 3
                assert pub.channel.stat().pinned_slots == 1
                for i in range(10):  # buffer_num >= pinners + 2: publishes go around the pin
                    pub.publish(template + 2 + i)
                assert float(frame.sum()) == 1000.0 and (frame[:10] == 1).all()  # never changed
                part = frame[100:200]
                total = np.add.reduce(frame)
            assert total == 1000.0  # results computed inside stay valid
            assert pub.channel.stat().pinned_slots == 0
            for use in (lambda: frame[0], lambda: frame.sum(), lambda: np.mean(frame), lambda: part[0],
                        lambda: repr(frame), lambda: frame.tobytes(), lambda: list(frame), lambda: frame + 1):
                with pytest.raises(ValueError, match="after its `with` block"):
                    use()
            with pytest.raises(TypeError):
                with svipc.Subscriber(topic + "-x", 0.0).acquire():
                    pass


def test_every_slot_pinned_makes_publish_fail_with_enobufs(topic):
    template = np.zeros(16, dtype=np.uint8)
    with svipc.Publisher(topic, template, buffer_num=2) as pub, svipc.Subscriber(topic, template) as sub:
        pub.publish(template + 1)
        with sub.acquire() as frame:
            pub.publish(template + 2)  # the one other slot
            with pytest.raises(OSError) as info:
                pub.publish(template + 3)
            assert info.value.errno == errno.ENOBUFS
            with pytest.raises(OSError):
                with pub.loan():
                    pass
            assert (frame == 1).all()
        pub.publish(template + 3)


def _loan_flat_out(name, shape, stop, published):
    with svipc.Publisher(name, np.zeros(shape, dtype=np.uint8), buffer_num=3) as pub:
        counter = 0
        while not stop.is_set():
            counter += 1
            with pub.loan() as slot:
                flat = slot.reshape(-1)
                flat.fill(counter & 0xff)
                flat[:8] = np.frombuffer(np.uint64(counter).tobytes(), dtype=np.uint8)
            published.value = counter
    os._exit(0)


def test_pinned_frames_never_change_while_another_process_loans_flat_out(topic):
    shape = (1024, 1024)  # 1 MiB
    stop, published = CTX.Event(), CTX.Value("q", 0)
    with svipc.Subscriber(topic, np.zeros(shape, dtype=np.uint8)) as sub:
        child = CTX.Process(target=_loan_flat_out, args=(topic, shape, stop, published))
        child.start()
        try:
            deadline = time.monotonic() + 30
            while published.value < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            during = 0
            for i in range(40):
                with sub.acquire() as frame:
                    flat = frame.reshape(-1)
                    counter = int(np.frombuffer(flat[:8].tobytes(), dtype=np.uint64)[0])
                    assert (flat[8:] == (counter & 0xff)).all()
                    before = published.value
                    time.sleep((i % 5) * 0.001)
                    assert int(np.frombuffer(flat[:8].tobytes(), dtype=np.uint64)[0]) == counter
                    assert (flat[8:] == (counter & 0xff)).all()
                    during += published.value - before
            assert during > 0  # the writer really published while frames were pinned
        finally:
            stop.set()
            child.join(30)
    assert child.exitcode == 0
