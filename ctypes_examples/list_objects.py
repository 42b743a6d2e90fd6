#!/usr/bin/env python3
"""List every System V IPC object of this IPC namespace from Python, like ipcs.

svipc.list_shm(), list_sem() and list_msg() return dataclasses; find_orphans()
names the objects whose users are all gone; limits() and usage() are what
ipcs -l and ipcs -u print. This example makes one object of each kind (and
one orphan, left by a child process), prints the tables, then removes what
it made.

    python3 list_objects.py        (run it in a private namespace: unshare --ipc)
"""
import datetime
import os
import pwd

import svipc


def when(ns):
    return datetime.datetime.fromtimestamp(ns / 1e9).strftime("%H:%M:%S") if ns else "-"


def owner(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def show():
    print(f"{'KIND':4} {'KEY':10} {'ID':>6} {'OWNER':8} {'PERMS':>5}  DETAILS")
    for s in svipc.list_shm():
        print(f"shm  0x{s.key & 0xffffffff:08x} {s.id:6} {owner(s.uid):8} {s.mode:5o}  "
              f"{s.size} bytes, {s.nattch} attached, creator pid {s.cpid}{' (removed)' if s.removed else ''}")
    for s in svipc.list_sem():
        print(f"sem  0x{s.key & 0xffffffff:08x} {s.id:6} {owner(s.uid):8} {s.mode:5o}  "
              f"{s.nsems} semaphores, last op {when(s.otime_ns)}")
    for q in svipc.list_msg():
        print(f"msg  0x{q.key & 0xffffffff:08x} {q.id:6} {owner(q.uid):8} {q.mode:5o}  "
              f"{q.messages} messages, {q.bytes} of {q.qbytes} bytes, last sender {q.lspid}")


def main():
    made = []
    shm = svipc.SharedMemory(size=10000)
    made.append(shm)
    sem = svipc.SemaphoreSet(nsems=3) if hasattr(svipc, "SemaphoreSet") else None
    queue = svipc.MessageQueue() if hasattr(svipc, "MessageQueue") else None

    # An orphan: a segment whose creator exits without removing it.
    pid = os.fork()
    if pid == 0:
        child = svipc.SharedMemory(size=4096)
        os._exit(0 if child.id >= 0 else 1)
    os.waitpid(pid, 0)

    show()
    limits, usage = svipc.limits(), svipc.usage()
    print(f"\n{usage.shm_segments} of at most {limits.shmmni} segments, "
          f"{usage.sem_sets} of {limits.semmni} semaphore sets, {usage.msg_queues} of {limits.msgmni} queues")

    # Sets and queues record no creator: one nobody has used yet (like our
    # fresh queue) is judged by its idle time alone, hence the threshold.
    orphans = svipc.find_orphans(min_idle=60)
    for o in orphans:
        print(f"orphan: {o.kind} {o.id} (pid {o.pid} is gone)")
    assert [(o.kind, o.pid) for o in orphans] == [("shm", pid)], orphans

    for o in orphans:
        svipc.remove_shm_id(o.id)
    shm.remove()
    shm.close()
    for obj in (sem, queue):
        if obj is not None:
            obj.remove()
            obj.close()


if __name__ == "__main__":
    main()
