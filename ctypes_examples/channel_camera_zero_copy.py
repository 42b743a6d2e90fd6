#!/usr/bin/env python3
"""A camera publishing 6 MB frames at 30 Hz with no copy anywhere.

The camera writes each 1080x1920x3 frame straight into the channel's slot
(`with pub.loan() as frame:`). Two consumers read frames in place
(`with sub.acquire() as frame:`) and hold them for different times: a fast
tracker (~2 ms per frame) and a slow recorder (~80 ms, so it sees about every
third frame). While a consumer holds a frame the camera skips its slot, so
the frame cannot change under it: each consumer checks that the frame's stamp
is the same at the end of its hold as at the start. buffer_num is
consumers + 2, so the camera never finds every slot pinned.

Each consumer prints per-frame latency (capture start -> frame in hand) and
the addresses its frames lay at: only the channel's slots (at most
buffer_num distinct addresses, inside the shared segment), never a copy. The
recorder's latency is mostly the age of the newest frame when it comes back
for one (up to a frame period), not transport.

    python3 channel_camera_zero_copy.py [SECONDS]
(run it inside a private IPC namespace, e.g. through tests/ipcns_run.py)
"""
import multiprocessing
import sys
import time

import numpy as np

import svipc

TOPIC = "camera/frames"
SHAPE = (1080, 1920, 3)  # 6 220 800 bytes
FPS = 30
CONSUMERS = {"tracker": 0.002, "recorder": 0.080}  # name -> how long it holds a frame
BUFFERS = len(CONSUMERS) + 2


def stamp_of(frame):
    """The frame number the camera wrote into the first 8 pixels' blue bytes."""
    return int.from_bytes(frame[0, :8, 0].tobytes(), "little")


def camera(seconds, ready, done):
    with svipc.Publisher(TOPIC, np.zeros(SHAPE, dtype=np.uint8), buffer_num=BUFFERS) as pub:
        ready.wait(30)
        start = time.monotonic()
        frames = 0
        while time.monotonic() - start < seconds:
            with pub.loan() as frame:  # the slot itself: the sensor's DMA would land here
                frame[0, :8, 0] = np.frombuffer(np.uint64(frames + 1).tobytes(), dtype=np.uint8)
                frame[1:3, :, :] = frames & 0xff  # a little "image content"
            frames += 1
            time.sleep(max(0.0, start + frames / FPS - time.monotonic()))
        print(f"camera: {frames} frames of {np.prod(SHAPE) / 1e6:.1f} MB published by loan in {seconds:.1f} s")
    done.set()


def consumer(name, hold, ready, done, results):
    template = np.zeros(SHAPE, dtype=np.uint8)
    latencies, addresses, seen, changed = [], set(), 0, 0
    with svipc.Subscriber(TOPIC, template) as sub:
        ready.set()
        last = 0
        while not done.is_set():
            if sub.channel is None or not sub.channel.wait(last, 0.1):
                with sub.acquire():  # opens the topic once the camera made it
                    pass
                continue
            with sub.acquire() as frame:
                if frame is None:
                    continue
                in_hand = svipc.channel_now_ns()
                info = sub.last_info
                latencies.append((in_hand - info.publish_time_ns) / 1e3)
                addresses.add(frame.__array_interface__["data"][0])
                before = stamp_of(frame)
                time.sleep(hold)  # "tracking" / "recording" the frame in place
                changed += stamp_of(frame) != before
                seen += 1
                last = info.sequence
        segment = sub.channel.stat().segment_size
    latencies.sort()
    median = latencies[len(latencies) // 2] if latencies else float("nan")
    results.put((name, seen, median, latencies[-1] if latencies else float("nan"), len(addresses), changed, segment))


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    ctx = multiprocessing.get_context("fork")
    ready = [ctx.Event() for _ in CONSUMERS]
    done, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=consumer, args=(name, hold, event, done, results))
               for (name, hold), event in zip(CONSUMERS.items(), ready)]
    for worker in workers:
        worker.start()
    for event in ready:
        event.wait(30)
    all_ready = ctx.Event()
    all_ready.set()
    camera(seconds, all_ready, done)
    failures = 0
    for _ in workers:
        name, seen, median, worst, addresses, changed, segment = results.get(timeout=60)
        print(f"{name:>8}: {seen} frames held in place, latency median {median:.0f} us, worst {worst:.0f} us; "
              f"frames lay at {addresses} distinct slot addresses (<= {BUFFERS}: no copies); "
              f"{changed} frames changed while held")
        failures += changed != 0 or addresses > BUFFERS or seen == 0
    for worker in workers:
        worker.join(30)
        failures += worker.exitcode != 0
    svipc.remove_channel(TOPIC)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
