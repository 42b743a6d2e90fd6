#!/usr/bin/env python3
"""Several processes update shared data under a semaphore lock.

The hand-rolled alternative people write first is a "permission flag" in the
shared memory itself:

    while flag: pass      # wait until nobody holds it
    flag = 1              # ...another process can get here too: both "hold" it
    update(); flag = 0

Testing and setting the flag are two steps, so two processes can both see 0
and both enter; and a process killed while holding the flag leaves it set
forever. A System V semaphore fixes both: P (lock) tests and takes in one
kernel operation, and SEM_UNDO makes the kernel give the lock back when its
holder dies.

This example runs WORKERS processes that each add 1 to a counter in a shared
segment INCREMENTS times, first with the flag (it usually loses updates),
then with the semaphore (never), then kills a worker while it holds the lock
and shows the next one gets it anyway.

    /usr/bin/python3 ctypes_examples/sem_shared_counter.py
"""
import multiprocessing
import os
import signal
import time

import svipc

WORKERS = 4
INCREMENTS = 20000
FORK = multiprocessing.get_context("fork")


def flag_worker(shmid):
    with svipc.SharedMemory.open_id(shmid) as shm, shm.attach() as att:
        words = att.view().cast("q")            # [0] = counter, [1] = the flag
        for _ in range(INCREMENTS):
            while words[1]:
                pass
            words[1] = 1                        # not atomic with the test above
            value = words[0]
            os.sched_yield()                    # any preemption here shows the race
            words[0] = value + 1
            words[1] = 0
        words.release()


def semaphore_worker(semid, shmid):
    lock = svipc.SemaphoreSet.open_id(semid)    # handles do not cross fork: open our own
    with svipc.SharedMemory.open_id(shmid) as shm, shm.attach() as att:
        words = att.view().cast("q")
        for _ in range(INCREMENTS):
            with lock.lock(0):                  # P with SEM_UNDO; V at the end of the block
                value = words[0]
                os.sched_yield()
                words[0] = value + 1
        words.release()
    lock.close()


def die_holding_the_lock(semid, ready):
    lock = svipc.SemaphoreSet.open_id(semid)
    lock.lock(0)
    os.write(ready, b"x")
    time.sleep(60)                              # killed here, never unlocks


def run(target, args):
    procs = [FORK.Process(target=target, args=args) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0, f"worker exited with {p.exitcode}"


def read_counter(shm):
    with shm.attach() as att:
        words = att.view().cast("q")
        value = words[0]
        words[0] = words[1] = 0
        words.release()
    return value


def main():
    expected = WORKERS * INCREMENTS
    shm = svipc.SharedMemory(size=16)
    lock = svipc.SemaphoreSet(nsems=1, initial=[1])   # 1 = free
    try:
        run(flag_worker, (shm.id,))
        flagged = read_counter(shm)
        print(f"permission flag: {flagged} of {expected} increments "
              f"({expected - flagged} lost; can be 0 on an idle machine, the race is still there)")

        run(semaphore_worker, (lock.id, shm.id))
        locked = read_counter(shm)
        print(f"semaphore lock:  {locked} of {expected} increments")
        assert locked == expected

        read_end, write_end = os.pipe()
        victim = FORK.Process(target=die_holding_the_lock, args=(lock.id, write_end))
        victim.start()
        os.read(read_end, 1)
        os.kill(victim.pid, signal.SIGKILL)
        victim.join()
        start = time.monotonic()
        with lock.lock(0, timeout=2.0):
            print(f"holder pid {victim.pid} was killed with the lock held; the kernel's undo "
                  f"released it and we got it after {1000 * (time.monotonic() - start):.1f} ms")
        os.close(read_end)
        os.close(write_end)
    finally:
        lock.remove()
        lock.close()
        shm.remove()
        shm.close()


if __name__ == "__main__":
    main()
