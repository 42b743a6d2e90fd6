"""Message queues from Python: svipc.MessageQueue (ctypes) against
sysv_ipc.MessageQueue (Debian's python3-sysv-ipc, a C extension on the same
kernel queues) and multiprocessing.Queue (pipe + pickling + feeder thread),
for 64 B and 4 KiB messages.

  throughput  a child process sends N messages, the parent receives them
  round trip  the parent sends a request, a child echoes it back

Each figure is the best of ROUNDS, methods interleaved round by round.
Run through tests/ipcns_run.py (a private IPC namespace).
"""
import multiprocessing
import os
import sys
import time

import sysv_ipc

import svipc

ROUNDS = 7
MESSAGES = 30000
ROUND_TRIPS = 5000


def _fork(body):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            body()
            code = 0
        finally:
            os._exit(code)
    return pid


def _join(pid):
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("benchmark child failed")


# Each method: throughput(size) -> msgs/s and round_trip(size) -> seconds per trip.

def svipc_throughput(size):
    q = svipc.MessageQueue()
    payload = b"x" * size

    def produce():
        with svipc.MessageQueue.open_id(q.id) as mine:
            send = mine.send
            for _ in range(MESSAGES):
                send(payload, 1)

    try:
        start = time.perf_counter()
        pid = _fork(produce)
        receive = q.receive
        for _ in range(MESSAGES):
            receive()
        elapsed = time.perf_counter() - start
        _join(pid)
        return MESSAGES / elapsed
    finally:
        q.remove()
        q.close()


def svipc_round_trip(size):
    q = svipc.MessageQueue()
    payload = b"y" * size

    def echo():
        with svipc.MessageQueue.open_id(q.id) as mine:
            for _ in range(ROUND_TRIPS):
                data, _ = mine.receive(1)
                mine.send(data, 2)

    try:
        pid = _fork(echo)
        start = time.perf_counter()
        for _ in range(ROUND_TRIPS):
            q.send(payload, 1)
            q.receive(2)
        elapsed = time.perf_counter() - start
        _join(pid)
        return elapsed / ROUND_TRIPS
    finally:
        q.remove()
        q.close()


def sysv_throughput(size):
    q = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX, max_message_size=size)
    payload = b"x" * size

    def produce():
        send = q.send
        for _ in range(MESSAGES):
            send(payload, True, 1)

    try:
        start = time.perf_counter()
        pid = _fork(produce)
        receive = q.receive
        for _ in range(MESSAGES):
            receive()
        elapsed = time.perf_counter() - start
        _join(pid)
        return MESSAGES / elapsed
    finally:
        q.remove()


def sysv_round_trip(size):
    q = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX, max_message_size=size)
    payload = b"y" * size

    def echo():
        for _ in range(ROUND_TRIPS):
            data, _ = q.receive(True, 1)
            q.send(data, True, 2)

    try:
        pid = _fork(echo)
        start = time.perf_counter()
        for _ in range(ROUND_TRIPS):
            q.send(payload, True, 1)
            q.receive(True, 2)
        elapsed = time.perf_counter() - start
        _join(pid)
        return elapsed / ROUND_TRIPS
    finally:
        q.remove()


_mp = multiprocessing.get_context("fork")


def _mp_produce(q, payload, count):
    for _ in range(count):
        q.put(payload)
    q.close()
    q.join_thread()


def _mp_echo(requests, replies, count):
    for _ in range(count):
        replies.put(requests.get())
    replies.close()
    replies.join_thread()


def mp_throughput(size):
    q = _mp.Queue()
    start = time.perf_counter()
    child = _mp.Process(target=_mp_produce, args=(q, b"x" * size, MESSAGES))
    child.start()
    get = q.get
    for _ in range(MESSAGES):
        get()
    elapsed = time.perf_counter() - start
    child.join()
    return MESSAGES / elapsed


def mp_round_trip(size):
    requests, replies = _mp.Queue(), _mp.Queue()
    child = _mp.Process(target=_mp_echo, args=(requests, replies, ROUND_TRIPS))
    child.start()
    payload = b"y" * size
    start = time.perf_counter()
    for _ in range(ROUND_TRIPS):
        requests.put(payload)
        replies.get()
    elapsed = time.perf_counter() - start
    child.join()
    return elapsed / ROUND_TRIPS


METHODS = [
    ("svipc.MessageQueue", svipc_throughput, svipc_round_trip),
    ("sysv_ipc.MessageQueue", sysv_throughput, sysv_round_trip),
    ("multiprocessing.Queue", mp_throughput, mp_round_trip),
]


def per_call(size, pairs=20000, rounds=9):
    """ns per send+receive pair in one process, in thread CPU time (what other
    processes take from this one on a loaded machine is not counted): svipc,
    sysv_ipc, and libc msgsnd/msgrcv called through ctypes (PyDLL, ready-made
    arguments, a memmove into the {type, data} block): what the ctypes calls
    alone cost, the floor a ctypes wrapper works against."""
    import ctypes
    ours = svipc.MessageQueue()
    peer = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX, max_message_size=ours.max_message_size)
    floor_queue = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
    libc = ctypes.PyDLL(None)
    msgsnd, msgrcv = libc.msgsnd, libc.msgrcv
    msgrcv.restype = ctypes.c_ssize_t
    block = ctypes.create_string_buffer(8 + 8192)
    ctypes.c_long.from_buffer(block).value = 1
    payload = b"z" * size
    ident, sized, capacity, zero = floor_queue.id, ctypes.c_size_t(size), ctypes.c_size_t(8192), ctypes.c_long(0)

    def svipc_pairs():
        send, receive = ours.send, ours.receive
        for _ in range(pairs):
            send(payload, 1)
            receive()

    def sysv_pairs():
        send, receive = peer.send, peer.receive
        for _ in range(pairs):
            send(payload, True, 1)
            receive()

    def floor_pairs():
        for _ in range(pairs):
            ctypes.memmove(ctypes.addressof(block) + 8, payload, size)  # msgsnd takes {long type; data}
            msgsnd(ident, block, sized, 0)
            n = msgrcv(ident, block, capacity, zero, 0)
            block[8:8 + n]

    candidates = {"svipc.MessageQueue": svipc_pairs, "sysv_ipc.MessageQueue": sysv_pairs,
                  "libc msgsnd/msgrcv via ctypes": floor_pairs}
    best = {name: float("inf") for name in candidates}
    try:
        for _ in range(rounds):
            for name, run in candidates.items():
                start = time.thread_time()
                run()
                best[name] = min(best[name], time.thread_time() - start)
    finally:
        ours.remove()
        ours.close()
        peer.remove()
        floor_queue.remove()
    return {name: seconds / pairs * 1e9 for name, seconds in best.items()}


def main():
    print("One process, 9 interleaved rounds, send+receive pairs in thread CPU time:")
    for size in (64, 4096):
        costs = per_call(size)
        ours = costs["svipc.MessageQueue"]
        print(f"  {size:4}-byte: " + "; ".join(f"{name} {ns:7.1f} ns (svipc {ns / ours:.2f}x its speed)"
                                            for name, ns in costs.items()))
    print()
    print(f"Python message passing between two processes, best of {ROUNDS} rounds "
          f"({MESSAGES} messages for throughput, {ROUND_TRIPS} round trips)")
    for size in (64, 4096):
        rates = {name: 0.0 for name, _, _ in METHODS}
        trips = {name: float("inf") for name, _, _ in METHODS}
        for _ in range(ROUNDS):
            for name, throughput, round_trip in METHODS:
                rates[name] = max(rates[name], throughput(size))
                trips[name] = min(trips[name], round_trip(size))
        ours_rate, ours_trip = rates["svipc.MessageQueue"], trips["svipc.MessageQueue"]
        print(f"\n{size}-byte messages:")
        print(f"  {'':24} {'msgs/s':>10} {'svipc speedup':>14}   {'round trip':>11} {'svipc speedup':>14}")
        for name, _, _ in METHODS:
            print(f"  {name:24} {rates[name]:10.0f} {ours_rate / rates[name]:13.2f}x   "
                  f"{trips[name] * 1e6:8.2f} us {trips[name] / ours_trip:13.2f}x")
    print("\n(svipc speedup: how many times faster svipc is than that row; < 1 means slower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
