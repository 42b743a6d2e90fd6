#!/usr/bin/env python3
"""Publish/subscribe with bool, int and float topics across three processes.

  "controller" publishes robot/armed (bool) and robot/step (int)
  "sensor"     publishes robot/temperature (float)
  "monitor"    subscribes to all three and prints what it sees; before the
               first publish each subscribe() gives the default and False.

    python3 channel_pubsub_types.py
(run it inside a private IPC namespace, e.g. through tests/ipcns_run.py)
"""
import multiprocessing
import sys
import time

import svipc

TOPICS = ("robot/armed", "robot/step", "robot/temperature")
STEPS = 20


def controller(go):
    go.wait()
    with svipc.Publisher("robot/armed", False) as armed, svipc.Publisher("robot/step", 0) as step:
        for i in range(1, STEPS + 1):
            armed.publish(i % 2 == 0)
            step.publish(i)
            time.sleep(0.01)


def sensor(go):
    go.wait()
    with svipc.Publisher("robot/temperature", 0.0) as temperature:
        for i in range(1, STEPS + 1):
            temperature.publish(20.0 + i * 0.5)
            time.sleep(0.01)


def monitor(go, report):
    with svipc.Subscriber("robot/armed", False) as armed, svipc.Subscriber("robot/step", -1) as step, \
            svipc.Subscriber("robot/temperature", float("nan")) as temperature:
        before = (armed.subscribe(), step.subscribe(), temperature.subscribe())
        print(f"before any publish: armed={before[0]} step={before[1]} temperature={before[2]}")
        go.set()
        value, ok = step.wait_new(timeout=10)
        while ok and value < STEPS:
            value, ok = step.wait_new(timeout=10)
            a, t = armed.subscribe(), temperature.subscribe()
            print(f"step={value:3d}  armed={a[0]!s:5}  temperature={t[0]:6.2f} (ok={t[1]})")
        time.sleep(0.05)
        report.put((before[1][1], step.subscribe(), armed.subscribe(), temperature.subscribe()))


def main():
    ctx = multiprocessing.get_context("fork")
    go, report = ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=controller, args=(go,)), ctx.Process(target=sensor, args=(go,)),
                 ctx.Process(target=monitor, args=(go, report))]
    for p in processes:
        p.start()
    ok_before, step, armed, temperature = report.get(timeout=60)
    for p in processes:
        p.join(30)
    for topic in TOPICS:
        svipc.remove_channel(topic)
    print(f"final: step={step} armed={armed} temperature={temperature}")
    good = (not ok_before and step == (STEPS, True) and armed == (True, True)
            and temperature == (20.0 + STEPS * 0.5, True) and all(p.exitcode == 0 for p in processes))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
