"""The await forms with real processes: they never block the event loop, and
cancelling them never loses a message, never leaves a unit taken and never
leaves a thread blocked."""
import asyncio
import os
import random
import threading
import time

import pytest

import svipc
from ipc_helpers import in_child, wait_child


def join(pid):
    assert wait_child(pid, 60) == 0


async def ticking(awaitable):
    """(result, ticks of a 5 ms ticker while awaiting): ticks > 0 proves the loop kept running."""
    ticks = 0
    done = False

    async def ticker():
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        return await awaitable, ticks
    finally:
        done = True
        await task


def no_waiter_threads_left(seconds=2.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(t.name == "svipc-await" for t in threading.enumerate()):
            return True
        time.sleep(0.01)
    return False


def test_semaphore_acquire_async_waits_for_another_process_without_blocking_the_loop():
    sem = svipc.Semaphore(initial=0, undo=False)
    try:
        def releaser():
            time.sleep(1.0)
            svipc.SemaphoreSet.open_id(sem.id, undo=False).v()
            return 0
        pid = in_child(releaser)
        got, ticks = asyncio.run(ticking(sem.acquire_async(timeout=10)))
        join(pid)
        assert got and ticks >= 5 and sem.value == 0
        assert asyncio.run(sem.acquire_async(timeout=0.1)) is False
        assert no_waiter_threads_left()
    finally:
        sem.remove()
        sem.close()


def test_cancelled_semaphore_acquires_never_keep_a_unit():
    sem = svipc.Semaphore(initial=0, undo=False)
    releases = 60
    try:
        def releaser():
            own = svipc.SemaphoreSet.open_id(sem.id, undo=False)
            rng = random.Random(1)
            for _ in range(releases):
                time.sleep(rng.uniform(0, 0.01))
                own.v()
            return 0

        async def main():
            acquired = 0
            rng = random.Random(2)
            pid = in_child(releaser)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG)[0] == 0:
                task = asyncio.create_task(sem.acquire_async())
                await asyncio.sleep(rng.uniform(0, 0.01))
                task.cancel()
                try:
                    acquired += await task
                except asyncio.CancelledError:
                    pass
            return acquired

        acquired = asyncio.run(main())
        assert no_waiter_threads_left()
        # Every unit given is either acquired by a completed await or still there.
        assert acquired + sem.value == releases
    finally:
        sem.remove()
        sem.close()


def test_message_receive_async_waits_and_times_out():
    q = svipc.MessageQueue()
    try:
        def sender():
            time.sleep(1.0)
            svipc.MessageQueue.open_id(q.id).send(b"late", 5)
            return 0
        pid = in_child(sender)
        message, ticks = asyncio.run(ticking(q.receive_async(timeout=10)))
        join(pid)
        assert message == (b"late", 5) and ticks >= 5
        with pytest.raises(TimeoutError):
            asyncio.run(q.receive_async(timeout=0.1))
        assert no_waiter_threads_left()
    finally:
        q.remove()
        q.close()


def test_cancelled_message_receives_never_lose_a_message():
    q = svipc.MessageQueue()
    count = 60
    try:
        def sender():
            own = svipc.MessageQueue.open_id(q.id)
            rng = random.Random(3)
            for i in range(count):
                time.sleep(rng.uniform(0, 0.01))
                own.send(b"m%d" % i, 1)
            return 0

        async def main():
            received = []
            rng = random.Random(4)
            pid = in_child(sender)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(received) < count:
                task = asyncio.create_task(q.receive_async())
                await asyncio.sleep(rng.uniform(0, 0.01))
                task.cancel()
                try:
                    received.append((await task)[0])
                except asyncio.CancelledError:
                    pass
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pid = 0
                    break
            if pid:
                join(pid)
            return received

        received = asyncio.run(main())
        assert no_waiter_threads_left()
        while True:  # what the cancelled awaits left (or sent back) is still queued
            try:
                received.append(q.receive(block=False)[0])
            except OSError:
                break
        assert sorted(received) == sorted(b"m%d" % i for i in range(count))
    finally:
        q.remove()
        q.close()


def test_subscriber_wait_new_async_sees_another_process_publish():
    sub = svipc.Subscriber("async/topic", 0.0)
    try:
        def publisher():
            time.sleep(1.0)
            with svipc.Publisher("async/topic", 0.0) as pub:
                pub.publish(2.5)
            return 0
        pid = in_child(publisher)
        (value, ok), ticks = asyncio.run(ticking(sub.wait_new_async(timeout=10)))
        join(pid)
        assert (value, ok) == (2.5, True) and ticks >= 5
        assert asyncio.run(sub.wait_new_async(timeout=0.1)) == (0.0, False)
        assert no_waiter_threads_left()
    finally:
        sub.close()
        svipc.remove_channel("async/topic")
