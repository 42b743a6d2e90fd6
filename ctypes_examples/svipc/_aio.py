"""The await forms of the waits: a non-blocking try on the event loop's
thread, then a worker thread that waits in short timed slices.

The worker checks a cancel flag between slices, so a cancelled await leaves
no thread blocked for longer than one slice. Whatever the worker obtained
after its awaiter was cancelled (a semaphore unit, a message) is handed to
`undo` (given back, sent back), so cancelling never loses it. The worker
uses handles of its own, so closing an object during a wait never pulls a
handle from under a blocked call.
"""
import asyncio
import threading
import time
from typing import Any, Callable, Optional, Tuple

#: Longest single blocking call of a worker: the most a cancelled wait's thread lingers.
SLICE_SECONDS = 0.05

Outcome = Tuple[bool, Any]


async def wait_in_thread(try_now: Callable[[], Outcome], open_worker: Callable[[], Any],
                         wait_slice: Callable[[Any, float], Outcome], close_worker: Callable[[Any], None],
                         undo: Callable[[Any], None], timeout: Optional[float]) -> Outcome:
    """(True, value) once obtained, (False, None) at the timeout.

    try_now(): the non-blocking attempt, run on the loop's thread.
    open_worker() -> state: the worker's own handles, made in the worker thread.
    wait_slice(state, seconds): one attempt blocking at most seconds.
    close_worker(state): releases them. undo(value): gives back a value
    obtained for an awaiter that was cancelled."""
    if timeout is not None and timeout < 0:
        raise ValueError("timeout must be >= 0 or None")
    outcome = try_now()
    if outcome[0] or timeout == 0:
        return outcome
    loop = asyncio.get_running_loop()
    future: "asyncio.Future[Any]" = loop.create_future()
    cancel = threading.Event()
    deadline = None if timeout is None else time.monotonic() + timeout

    def deliver(result: Any) -> None:  # on the loop's thread
        if future.cancelled():
            if isinstance(result, tuple) and result[0]:
                undo(result[1])
        elif isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)

    def worker() -> None:
        result: Any = None
        try:
            state = open_worker()
            try:
                while not cancel.is_set():
                    left = SLICE_SECONDS if deadline is None else min(SLICE_SECONDS, deadline - time.monotonic())
                    if left <= 0:
                        result = (False, None)
                        break
                    got = wait_slice(state, left)
                    if got[0]:
                        result = got
                        break
            finally:
                close_worker(state)
        except BaseException as e:  # handed to the awaiter
            result = e
        if result is None:
            return  # cancelled before anything was obtained
        try:
            loop.call_soon_threadsafe(deliver, result)
        except RuntimeError:  # the loop is closed: nobody will take it
            if isinstance(result, tuple) and result[0]:
                undo(result[1])

    threading.Thread(target=worker, name="svipc-await", daemon=True).start()
    try:
        result = await future
    except asyncio.CancelledError:
        cancel.set()
        if not future.done():
            future.cancel()  # deliver() then undoes what the worker still obtains
        elif not future.cancelled() and future.exception() is None and future.result()[0]:
            undo(future.result()[1])  # obtained, but the awaiter was cancelled before it resumed
        raise
    return result
