#!/usr/bin/env python3
"""A robot's camera host feeds its controller host through `svipc bridge`.

The camera host publishes detections on a svipc topic, exactly as it would
for a local reader; `svipc bridge out` carries the topic over ZeroMQ. On the
controller host `svipc bridge in` writes it into a local channel, and the
controller reads it with an ordinary svipc.Subscriber: neither side's code
knows about the network (no zmq import here; the bridges are processes).

On two machines (keys: doc/bridge.md, "Security"):
    camera$     python3 bridge_camera.py camera --bind tcp://0.0.0.0:5555 --expose
    controller$ python3 bridge_camera.py controller --connect tcp://camera-host:5555

On one machine (the default, and what the test suite runs): the camera host is
a child process in an IPC namespace of its own when it may make one, so the
two "hosts" share no System V object, only the loopback network.
    python3 bridge_camera.py [STEPS]
"""
import argparse
import ctypes
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import svipc

TOPIC = "camera/detection"
PREFIX = "camera-host/"  # the controller's local name: PREFIX + TOPIC
FPS = 30


class Detection(ctypes.Structure):
    _fields_ = [("frame", ctypes.c_int64), ("x", ctypes.c_double), ("y", ctypes.c_double),
                ("captured_ns", ctypes.c_int64)]  # CLOCK_REALTIME: comparable across synchronised hosts


def svipc_tool():
    built = pathlib.Path(__file__).resolve().parents[1] / "build" / "tools" / "svipc"
    return os.environ.get("SVIPC_TOOL") or (str(built) if built.exists() else shutil.which("svipc") or "svipc")


def start_bridge(*args):
    """Start `svipc bridge ARGS`; return it and the endpoint it bound (if any) once it is ready."""
    bridge = subprocess.Popen([svipc_tool(), "bridge", *args], stdout=subprocess.PIPE, text=True)
    bound = None
    for line in bridge.stdout:
        if " bound " in line:
            bound = line.split()[2]
        if line.startswith("ready"):
            return bridge, bound
    raise RuntimeError(f"svipc bridge {' '.join(args)} exited with {bridge.wait()}")


def stop_bridge(bridge):
    bridge.send_signal(signal.SIGINT)  # clean exit: local channels stay as they were
    if bridge.wait(10) != 0:
        raise RuntimeError(f"svipc bridge exited with {bridge.returncode}")


def camera(endpoint_args, seconds=None, ready=None):
    bridge, bound = start_bridge("out", TOPIC, *endpoint_args)
    if ready is not None:
        os.write(ready, (bound or "").encode() + b"\n")
    try:
        with svipc.Publisher(TOPIC, Detection()) as topic:
            frame, start = 0, time.monotonic()
            while seconds is None or time.monotonic() - start < seconds:
                frame += 1
                topic.publish(Detection(frame, 100.0 + frame % 50, 200.0 - frame % 30, time.time_ns()))
                time.sleep(1.0 / FPS)
            topic.remove()
    finally:
        stop_bridge(bridge)


def controller(endpoint_args, steps, step_seconds=0.25):
    bridge, _ = start_bridge("in", *endpoint_args, "--prefix", PREFIX)
    try:
        with svipc.Subscriber(PREFIX + TOPIC, Detection()) as detections:
            detection, ok = detections.wait_new(timeout=10.0)
            if not ok:
                raise RuntimeError("no detection from the camera host within 10 s")
            for step in range(1, steps + 1):
                detection, ok = detections.subscribe()  # the newest, however slow this loop is
                age_ms = (time.time_ns() - detection.captured_ns) / 1e6
                print(f"step {step}: acting on frame {detection.frame} at ({detection.x:.0f}, {detection.y:.0f}),"
                      f" {age_ms:.1f} ms old")
                time.sleep(step_seconds)  # the control step itself
            return detection.frame
    finally:
        stop_bridge(bridge)
        # The bridge leaves the channel it created; this demo cleans up after itself.
        with svipc.Publisher(PREFIX + TOPIC, Detection()) as local:
            local.remove()


def enter_own_ipc_namespace():
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(0x08000000) == 0  # CLONE_NEWIPC; needs root (or a user namespace)


def demo(steps):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the camera host
        os.close(read_end)
        code = 1
        try:
            separate = enter_own_ipc_namespace()
            print(f"camera host: {'its own' if separate else 'the same'} IPC namespace", flush=True)
            camera(["--bind", "0"], seconds=steps * 0.25 + 3, ready=write_end)
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        endpoint = ready.readline().strip()
    last = controller(["--connect", endpoint], steps)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the camera host failed")
    print(f"controller: {steps} steps, always on the newest frame (last {last}); no queue built up")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("role", nargs="?", default="demo", help="camera, controller, demo or a step count")
    parser.add_argument("--bind")
    parser.add_argument("--connect")
    parser.add_argument("--expose", action="store_true")
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    endpoint = ["--bind", args.bind] if args.bind else ["--connect", args.connect] if args.connect else []
    endpoint += ["--expose"] if args.expose else []
    if args.role == "camera":
        camera(endpoint or ["--bind", "5555"])
    elif args.role == "controller":
        controller(endpoint or ["--connect", "tcp://127.0.0.1:5555"], args.steps)
    else:
        demo(int(args.role) if args.role.isdigit() else args.steps)


if __name__ == "__main__":
    sys.exit(main())
