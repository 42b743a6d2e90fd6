#!/usr/bin/env python3
"""A semaphore as a counter of free slots: a bounded queue between processes.

A ring of SLOTS fixed-size slots lives in a shared segment. One semaphore
set holds three counters:
    FREE    slots a producer may fill     (starts at SLOTS)
    FILLED  slots a consumer may empty    (starts at 0)
    MUTEX   guards the ring's head/tail indexes (starts at 1)
A producer does P(FREE), writes a slot, V(FILLED); the consumer does
P(FILLED), reads a slot, V(FREE). P blocks while the counter is 0, so
producers wait when the ring is full and the consumer when it is empty:
no polling, no busy flag.

FREE and FILLED are taken in one process and given back in another, so
they are used with undo=False: SEM_UNDO would hand a dead producer's P back
as if the slot had never been taken (and the kernel caps one process's undo
total at 32767). MUTEX is a lock held by one process at a time, so it keeps
SEM_UNDO: a worker killed inside the critical section releases it.

    /usr/bin/python3 ctypes_examples/sem_free_slots.py
"""
import multiprocessing
import struct

import svipc

SLOTS = 4
PRODUCERS = 3
ITEMS_EACH = 500
FREE, FILLED, MUTEX = 0, 1, 2
HEADER = struct.Struct("qq")         # head (next slot to fill), tail (next slot to empty)
SLOT = struct.Struct("qq")           # producer number, item number
FORK = multiprocessing.get_context("fork")


def slot_offset(index):
    return HEADER.size + index * SLOT.size


def producer(number, semid, shmid):
    sems = svipc.SemaphoreSet.open_id(semid)
    with svipc.SharedMemory.open_id(shmid) as shm, shm.attach() as att:
        ring = att.view()
        for item in range(ITEMS_EACH):
            sems.p(FREE, undo=False)                 # wait for a free slot
            with sems.lock(MUTEX):
                head, tail = HEADER.unpack_from(ring, 0)
                SLOT.pack_into(ring, slot_offset(head % SLOTS), number, item)
                HEADER.pack_into(ring, 0, head + 1, tail)
            sems.v(FILLED, undo=False)               # one more slot to consume
        ring.release()
    sems.close()


def main():
    sems = svipc.SemaphoreSet(nsems=3, initial=[SLOTS, 0, 1])
    shm = svipc.SharedMemory(size=HEADER.size + SLOTS * SLOT.size)
    try:
        procs = [FORK.Process(target=producer, args=(n, sems.id, shm.id)) for n in range(PRODUCERS)]
        for p in procs:
            p.start()
        received = {n: [] for n in range(PRODUCERS)}
        most_filled = 0
        with shm.attach() as att:
            ring = att.view()
            for _ in range(PRODUCERS * ITEMS_EACH):
                sems.p(FILLED, timeout=30, undo=False)   # wait for an item
                with sems.lock(MUTEX):
                    head, tail = HEADER.unpack_from(ring, 0)
                    most_filled = max(most_filled, head - tail)
                    number, item = SLOT.unpack_from(ring, slot_offset(tail % SLOTS))
                    HEADER.pack_into(ring, 0, head, tail + 1)
                sems.v(FREE, undo=False)                 # the slot is free again
                received[number].append(item)
            ring.release()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
        for number, items in received.items():
            assert items == list(range(ITEMS_EACH)), f"producer {number}: items lost, repeated or reordered"
        assert most_filled <= SLOTS
        assert sems.values() == [SLOTS, 0, 1]
        print(f"{PRODUCERS} producers passed {PRODUCERS * ITEMS_EACH} items through {SLOTS} slots; "
              f"at most {most_filled} slots were ever full, every item arrived once and in order; "
              f"counters back to free={SLOTS} filled=0")
    finally:
        sems.remove()
        sems.close()
        shm.remove()
        shm.close()


if __name__ == "__main__":
    main()
