#!/usr/bin/env python3
"""The robot case: a camera publishes detections at 30 Hz, a motor needs about
a second per motion and must always act on the newest detection.

An "image" process publishes each detection twice: on a svipc topic (the
newest value wins) and on a multiprocessing.Queue (every value is kept). A
"motor" process does MOTIONS motions; before each one it takes a detection
from both. The output shows the topic's detection is always fresh (age below
one frame period) while the queue's falls further behind with every motion.

    python3 channel_robot.py [MOTIONS] [SECONDS_PER_MOTION]
(run it inside a private IPC namespace, e.g. through tests/ipcns_run.py)
"""
import ctypes
import multiprocessing
import sys
import time

import svipc

TOPIC = "robot/detections"
FPS = 30


class Detection(ctypes.Structure):
    _fields_ = [("frame", ctypes.c_int64), ("x", ctypes.c_double), ("y", ctypes.c_double),
                ("captured_ns", ctypes.c_int64)]


def image_process(queue, stop):
    with svipc.Publisher(TOPIC, Detection()) as topic:
        frame = 0
        next_frame = time.monotonic()
        while not stop.is_set():
            frame += 1
            detection = Detection(frame, 100.0 + frame % 50, 200.0 - frame % 30, time.monotonic_ns())
            topic.publish(detection)
            queue.put((detection.frame, detection.captured_ns))
            next_frame += 1.0 / FPS
            time.sleep(max(0.0, next_frame - time.monotonic()))


def motor_process(queue, motions, seconds, results):
    with svipc.Subscriber(TOPIC, Detection()) as topic:
        while not topic.subscribe()[1]:
            time.sleep(0.001)  # wait for the camera's first frame
        for motion in range(1, motions + 1):
            newest, ok = topic.subscribe()
            now = time.monotonic_ns()
            queued_frame, queued_ns = queue.get()
            results.put((motion, newest.frame, (now - newest.captured_ns) / 1e6, queued_frame,
                         (now - queued_ns) / 1e6))
            time.sleep(seconds)  # the motion itself


def main():
    motions = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    ctx = multiprocessing.get_context("fork")
    queue, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    # Create the topic first so the motor never waits on a missing one.
    with svipc.Publisher(TOPIC, Detection()) as owner:
        owner.close()
        image = ctx.Process(target=image_process, args=(queue, stop))
        motor = ctx.Process(target=motor_process, args=(queue, motions, seconds, results))
        image.start()
        motor.start()
        print(f"camera at {FPS} Hz, {seconds:.1f} s per motion")
        print("motion | topic: frame  age ms | queue: frame  age ms")
        worst_topic_age = 0.0
        last_queue_age = 0.0
        for _ in range(motions):
            motion, frame, age, qframe, qage = results.get(timeout=60)
            worst_topic_age = max(worst_topic_age, age)
            last_queue_age = qage
            print(f"{motion:6d} | {frame:12d} {age:7.1f} | {qframe:12d} {qage:7.1f}")
        motor.join(30)
        stop.set()
        image.join(30)
    svipc.remove_channel(TOPIC)
    print(f"topic: the motor always acted on a detection at most {worst_topic_age:.1f} ms old")
    print(f"queue: by the last motion it acted on one {last_queue_age / 1000:.1f} s old, and the backlog keeps growing")
    if motor.exitcode != 0 or image.exitcode != 0 or worst_topic_age > 1000.0 / FPS + 200:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
