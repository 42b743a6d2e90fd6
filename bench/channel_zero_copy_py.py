#!/usr/bin/env python3
"""Large values without copies, from Python (run in a private IPC namespace,
see doc/benchmarks.md, "channel_zero_copy").

For numpy topics of 64 B, 64 KiB, 1 MiB and 8 MiB (uint8 arrays), in one run:
  memcpy     numpy.copyto of the same size (the baseline: one copy);
  copy+copy  Publisher.publish(array) and Subscriber.subscribe(out=array);
  loan+pin   `with pub.loan() as a:` (an 8-byte stamp written in place) and
             `with sub.acquire() as a:`.
One-way latency: publish (or loan) start -> value available to the
subscriber (subscribe or acquire returned), from the value's publish time;
the subscriber spins in Channel.wait in another process and the publisher
waits for its acknowledgement between values.
"""
import multiprocessing
import os
import time

import numpy as np

import svipc

CTX = multiprocessing.get_context("fork")
SIZES = [(64, "64 B", 400), (64 * 1024, "64 KiB", 400), (1024 * 1024, "1 MiB", 150), (8 * 1024 * 1024, "8 MiB", 40)]
TOPIC = "bench-zero-copy-py"


def subscriber(size, zero_copy, samples, ack, latencies, ready):
    template = np.zeros(size, dtype=np.uint8)
    out = np.ones(size, dtype=np.uint8)
    with svipc.Subscriber(TOPIC, template) as sub:
        ready.set()
        last = 0
        for i in range(samples + 1):
            while not sub.channel.wait(last, 1.0, spin=True):
                pass
            if zero_copy:
                with sub.acquire() as frame:
                    available = time.monotonic_ns()
                    assert frame is not None
            else:
                sub.subscribe(out=out)
                available = time.monotonic_ns()
            info = sub.last_info
            last = info.sequence
            if i > 0:
                latencies[i - 1] = available - info.publish_time_ns
            ack.value = last
    os._exit(0)


def wait_for_ack(ack, sequence, child):
    """Yield until the subscriber acknowledged `sequence`; stop if it died."""
    while ack.value < sequence:
        os.sched_yield()
        if not child.is_alive() and ack.value < sequence:
            raise SystemExit(f"the subscriber died (exit code {child.exitcode})")


def run(size, zero_copy, samples):
    template = np.zeros(size, dtype=np.uint8)
    value = np.full(size, 7, dtype=np.uint8)
    stamp = np.zeros(8, dtype=np.uint8)
    ack, ready = CTX.Value("q", 0, lock=False), CTX.Event()
    latencies = CTX.Array("q", samples, lock=False)
    with svipc.Publisher(TOPIC, template, buffer_num=3) as pub:
        def publish(counter):
            if zero_copy:
                with pub.loan() as slot:
                    stamp[0] = counter & 0xff
                    slot[:8] = stamp
            else:
                pub.publish(value)
            return pub.channel.latest()

        sequence = publish(1)
        child = CTX.Process(target=subscriber, args=(size, zero_copy, samples, ack, latencies, ready))
        child.start()
        ready.wait(30)
        wait_for_ack(ack, sequence, child)
        for i in range(samples):
            # Let the subscriber get back to spinning in wait; yield while
            # waiting for it, so that on a loaded machine it gets the CPU.
            time.sleep(0.00005)
            sequence = publish(i)
            wait_for_ack(ack, sequence, child)
        child.join(30)
        pub.remove()
    ordered = sorted(latencies[:samples])
    return ordered[len(ordered) // 2] / 1000, ordered[len(ordered) * 99 // 100] / 1000


def memcpy_us(size, reps):
    source, target = np.full(size, 3, dtype=np.uint8), np.zeros(size, dtype=np.uint8)
    times = []
    for _ in range(reps):
        start = time.monotonic_ns()
        np.copyto(target, source)
        times.append(time.monotonic_ns() - start)
    times.sort()
    return times[len(times) // 2] / 1000


def main():
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores shared: compare ratios within this run)")
    print(f"{'size':<7} {'memcpy us':>10} | {'copy+copy latency us med/p99':>29} | {'loan+pin latency us med/p99':>28} | copy/loan")
    loan_64 = None
    for size, name, samples in SIZES:
        baseline = memcpy_us(size, samples)
        copy_med, copy_p99 = run(size, False, samples)
        loan_med, loan_p99 = run(size, True, samples)
        loan_64 = loan_64 or loan_med
        print(f"{name:<7} {baseline:10.2f} | {copy_med:13.2f} / {copy_p99:13.2f} | {loan_med:12.2f} / {loan_p99:13.2f} |"
              f" {copy_med / loan_med:8.1f}x")
    print(f"loan+pin latency at 8 MiB / at 64 B: {loan_med / loan_64:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
