#!/usr/bin/env python3
"""Channel benchmark from Python (run in a private IPC namespace, see doc/benchmarks.md).

Two processes, a publisher flat out and a subscriber polling for DURATION
seconds, with a 64-byte value made of 8 copies of a counter (so a torn read
is visible): new values seen per second, one-way latency (publish -> seen,
CLOCK_MONOTONIC), torn reads, for
  svipc        Publisher/Subscriber over a channel,
  naive        multiprocessing.Array (with its lock) + a sequence flag Value,
  sysv_ipc     sysv_ipc.SharedMemory guarded by a sysv_ipc.Semaphore.
Plus the per-call cost of subscribe() beside a bare ctypes call copying 64 B.
"""
import ctypes
import multiprocessing
import os
import statistics
import struct
import sys
import time
import timeit

import svipc

DURATION = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
SIZE = 64
CTX = multiprocessing.get_context("fork")
PACK = struct.Struct("<8Q")
ZERO_WORD = bytes(8)
now = time.monotonic_ns


def summary(name, seen, secs, latencies, torn, reads):
    latencies.sort()
    med = latencies[len(latencies) // 2] / 1000 if latencies else float("nan")
    p99 = latencies[len(latencies) * 99 // 100] / 1000 if latencies else float("nan")
    rate = seen / secs
    print(f"  {name:<10} new values seen {rate / 1e3:9.1f} k/s   latency median {med:7.2f} us  p99 {p99:8.2f} us"
          f"   torn {torn} of {reads} reads")
    return rate, med, p99


# Every new value is checked for tearing (in numpy batches of TORN_BATCH);
# one in 2**LATENCY_SHIFT new values is timed for latency, in every scenario
# alike, so that the clock read and the list append do not dominate the
# per-value cost being measured.
TORN_BATCH = 4096
LATENCY_SHIFT = 3
LATENCY_MASK = (1 << LATENCY_SHIFT) - 1


def count_torn(values):
    """How many of the 64-byte values are not 8 equal words (then empties the list).
    One numpy pass over a batch instead of a Python comparison per value
    keeps the check off the polling loop's per-value cost."""
    if not values:
        return 0
    import numpy
    words = numpy.frombuffer(b"".join(values), dtype=numpy.uint64).reshape(-1, 8)
    values.clear()
    return int((words != words[:, :1]).any(axis=1).sum())


# ---- svipc ---------------------------------------------------------------
def svipc_writer(stop, published):
    with svipc.Publisher("bench-py", bytes(SIZE)) as pub:
        n = 0
        publish = pub.publish
        pack = PACK.pack
        while not stop.value:
            n += 1
            publish(pack(n, n, n, n, n, n, n, n))
        published.value = n


def run_svipc():
    sub = svipc.Subscriber("bench-py", bytes(SIZE))
    stop = CTX.Value("b", 0, lock=False)
    published = CTX.Value("q", 0, lock=False)
    child = CTX.Process(target=svipc_writer, args=(stop, published))
    child.start()
    while not sub.subscribe()[1]:
        pass
    info = sub.last_info
    subscribe = sub.subscribe
    last, prev, repeats, torn, lat, kept = 0, None, 0, 0, [], []
    append, keep = lat.append, kept.append
    clock = now  # time.monotonic_ns: CLOCK_MONOTONIC, the clock of publish_time_ns
    start = now()
    end = start + int(DURATION * 1e9)
    t = start
    while t < end:
        value, ok = subscribe()
        seq = info.sequence
        if seq != last:
            keep(value)
            last, prev = seq, value
            if len(kept) & LATENCY_MASK == 0:
                t = clock()
                append(t - info.publish_time_ns)
                if len(kept) == TORN_BATCH:
                    torn += count_torn(kept)
        else:
            repeats += 1
            if value != prev:
                torn += 1  # same sequence, other bytes: an inconsistent read
            if repeats & 1023 == 0:
                t = now()
    seen = (len(lat) << LATENCY_SHIFT) + len(kept)
    torn += count_torn(kept)
    reads = seen + repeats
    secs = (now() - start) / 1e9
    stop.value = 1
    child.join()
    sub.close()
    svipc.remove_channel("bench-py")
    print(f"  svipc      publisher flat out: {published.value / secs / 1e6:.2f} M publishes/s "
          f"(over the whole run, start-up included)")
    return summary("svipc", seen, secs, lat, torn, reads)


# ---- naive: multiprocessing.Array + flag ------------------------------------
def naive_writer(arr, flag, stamp, stop):
    n = 0
    while not stop.value:
        n += 1
        with arr.get_lock():
            arr[:] = PACK.pack(n, n, n, n, n, n, n, n)
            stamp.value = now()
            flag.value = n


def run_naive():
    arr = CTX.Array("B", SIZE)
    flag = CTX.Value("Q", 0, lock=False)
    stamp = CTX.Value("q", 0, lock=False)
    stop = CTX.Value("b", 0, lock=False)
    child = CTX.Process(target=naive_writer, args=(arr, flag, stamp, stop))
    child.start()
    while flag.value == 0:
        pass
    last, seen, torn, reads, lat, kept = 0, 0, 0, 0, [], []
    start = now()
    end = start + int(DURATION * 1e9)
    t = start
    while t < end:
        reads += 1
        n = flag.value
        if n != last:
            with arr.get_lock():
                data = bytes(arr[:])
                published = stamp.value
            seen += 1
            kept.append(data)
            last = n
            if seen & LATENCY_MASK == 0:
                t = now()
                lat.append(t - published)
                if len(kept) >= TORN_BATCH:
                    torn += count_torn(kept)
        elif reads & 1023 == 0:
            t = now()
    torn += count_torn(kept)
    secs = (now() - start) / 1e9
    stop.value = 1
    child.join()
    return summary("naive", seen, secs, lat, torn, reads)


# ---- sysv_ipc: SharedMemory + Semaphore -----------------------------------
def sysv_writer(key, stop):
    import sysv_ipc
    shm = sysv_ipc.SharedMemory(key)
    sem = sysv_ipc.Semaphore(key)
    n = 0
    while not stop.value:
        n += 1
        sem.acquire()
        shm.write(PACK.pack(n, n, n, n, n, n, n, n) + struct.pack("<q", now()))
        sem.release()


def run_sysv():
    try:
        import sysv_ipc
    except ImportError:
        print("  sysv_ipc   (not installed)")
        return None
    key = 0x5EEDC0DE
    shm = sysv_ipc.SharedMemory(key, sysv_ipc.IPC_CREX, size=SIZE + 8)
    sem = sysv_ipc.Semaphore(key, sysv_ipc.IPC_CREX, initial_value=1)
    stop = CTX.Value("b", 0, lock=False)
    child = CTX.Process(target=sysv_writer, args=(key, stop))
    child.start()
    last, seen, torn, reads, lat, kept = 0, 0, 0, 0, [], []
    start = now()
    end = start + int(DURATION * 1e9)
    t = start
    while t < end:
        reads += 1
        sem.acquire()
        data = shm.read(SIZE + 8)
        sem.release()
        head = data[:8]
        if head != last and head != ZERO_WORD:
            seen += 1
            kept.append(data[:SIZE])
            last = head
            if seen & LATENCY_MASK == 0:
                t = now()
                lat.append(t - struct.unpack_from("<q", data, SIZE)[0])
                if len(kept) >= TORN_BATCH:
                    torn += count_torn(kept)
        elif reads & 255 == 0:
            t = now()
    torn += count_torn(kept)
    secs = (now() - start) / 1e9
    stop.value = 1
    child.join()
    shm.detach()
    shm.remove()
    sem.remove()
    return summary("sysv_ipc", seen, secs, lat, torn, reads)


def per_call():
    """Per-call costs in thread CPU time (time.thread_time): the figures do not
    count the time other processes on a loaded machine take from this one."""
    number = 300000
    with svipc.Publisher("bench-call", bytes(SIZE)) as pub, svipc.Subscriber("bench-call", bytes(SIZE)) as sub:
        payload = bytes(range(SIZE))
        pub.publish(payload)
        sub_ns = min(timeit.repeat(sub.subscribe, number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        pub_ns = min(timeit.repeat(lambda: pub.publish(payload), number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        ipub = svipc.Publisher("bench-int", 0)
        isub = svipc.Subscriber("bench-int", 0)
        ipub.publish(1)
        isub_ns = min(timeit.repeat(isub.subscribe, number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        ipub_ns = min(timeit.repeat(lambda: ipub.publish(5), number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        ipub.close()
        isub.close()
        svipc.remove_channel("bench-int")
        dst = ctypes.create_string_buffer(SIZE)
        src = ctypes.create_string_buffer(SIZE)
        memmove = ctypes.memmove
        bare_ns = min(timeit.repeat(lambda: memmove(dst, src, SIZE), number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        fpub = svipc.Publisher("bench-float", 0.0)
        fpub_ns = min(timeit.repeat(lambda: fpub.publish(1.5), number=number, repeat=5, timer=time.thread_time)) / number * 1e9
        fpub.close()
        svipc.remove_channel("bench-float")
        # The baseline: a bare ctypes call of a one-argument C function that
        # stores a double, the default way (CDLL) and holding the GIL (PyDLL).
        store_path = os.environ["SVIPC_BENCH_STORE_DOUBLE"]
        stores = {}
        for kind in (ctypes.CDLL, ctypes.PyDLL):
            store = kind(store_path).bench_store_double
            store.argtypes, store.restype = [ctypes.c_double], None
            stores[kind.__name__] = min(timeit.repeat(lambda: store(1.5), number=number, repeat=5, timer=time.thread_time)) / number * 1e9
    svipc.remove_channel("bench-call")
    print("== per call (one process) ==")
    print(f"  publish() of a float               {fpub_ns:7.1f} ns  (bare ctypes store_double(1.5): CDLL "
          f"{stores['CDLL']:6.1f} ns, ratio {fpub_ns / stores['CDLL']:.2f}x; PyDLL {stores['PyDLL']:6.1f} ns, "
          f"ratio {fpub_ns / stores['PyDLL']:.2f}x)")
    print(f"  subscribe() of a 64 B bytes value  {sub_ns:7.1f} ns  (bare ctypes memmove of 64 B {bare_ns:6.1f} ns,"
          f" ratio {sub_ns / bare_ns:.2f}x)")
    print(f"  publish() of a 64 B bytes value    {pub_ns:7.1f} ns")
    print(f"  subscribe() / publish() of an int  {isub_ns:7.1f} ns / {ipub_ns:.1f} ns")


def main():
    with open("/proc/loadavg") as f:
        load = f.read().strip()
    print(f"svipc channel benchmark (Python {sys.version.split()[0]}), {os.cpu_count()} CPUs, load average {load}")
    per_call()
    print(f"== two processes, publisher flat out, subscriber polling, {DURATION:.1f} s each ==")
    ours = run_svipc()
    naive = run_naive()
    sysv = run_sysv()
    for name, peer in (("naive", naive), ("sysv_ipc", sysv)):
        if peer:
            print(f"  svipc vs {name:<9}: {ours[0] / peer[0]:6.1f}x the new values seen, "
                  f"median latency {ours[1] / peer[1]:.3f}x, p99 {ours[2] / peer[2]:.3f}x")


if __name__ == "__main__":
    main()
