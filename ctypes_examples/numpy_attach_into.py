#!/usr/bin/env python3
"""Share a numpy array between two processes with attach-into, done right.

Process A fills a float32 array and shares it: attach_into(keep_buffer=True)
maps a System V segment over the array's page-aligned memory, so the array
*is* the segment. Process B (a separate Python process) attaches the same
segment into its own, deliberately unaligned array and sees A's data; it
writes a reply. Both detach, and both arrays remain valid, ordinary memory.

    /usr/bin/python3 ctypes_examples/numpy_attach_into.py
"""
import os
import subprocess
import sys

import numpy as np

import svipc

N = 4096  # float32 values: 16 KiB, four pages


def process_b(name):
    shm = svipc.SharedMemory(name=name)          # open the existing segment by name
    # An ordinary numpy array, not page-aligned: over-allocate SHMLBA (a page
    # on x86-64 and arm64, 16 KiB on 32-bit ARM) minus a byte.
    storage = np.zeros(shm.size + svipc.ATTACH_ALIGNMENT - 1 + 8, dtype=np.uint8)
    host = storage[8:]                            # data pointer off page alignment
    att = shm.attach_into(host)
    data = host[att.offset:att.offset + shm.size].view(np.float32)
    print(f"[B pid {os.getpid()}] attached into its own array at offset {att.offset}: "
          f"data[:4]={data[:4]}, sum={data.sum():.1f}")
    data[0] = -1.0                                # reply through the shared memory
    att.detach()
    shm.close()
    data[1] = 123.0                               # still valid: private memory again
    print(f"[B] detached; array still usable: data[:2]={data[:2]}")


def process_a():
    name = f"numpy-demo-{os.getpid()}"
    array = svipc.aligned_array((N,), np.float32)  # page-aligned, its own pages
    array[:] = np.arange(N, dtype=np.float32) * 0.5
    with svipc.SharedMemory(name=name, size=array.nbytes, create=True, exclusive=True) as shm:
        try:
            att = shm.attach_into(array, keep_buffer=True)
            print(f"[A pid {os.getpid()}] shared a {array.dtype}[{N}] array as segment {shm.id} "
                  f"(key {svipc.key_from_name(name):#x}, offset {att.offset}); sum={array.sum():.1f}")
            subprocess.run([sys.executable, __file__, "--reader", name], check=True)
            print(f"[A] after B: array[0]={array[0]} (B's reply, seen without copying)")
            att.detach()
        finally:
            shm.remove()
    array[2] = 42.0                               # the array outlives the segment
    print(f"[A] detached and removed; array still valid: array[:3]={array[:3]}")
    if array[0] != -1.0:
        raise SystemExit("B's write was not seen")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--reader":
        process_b(sys.argv[2])
    else:
        process_a()
