#!/usr/bin/env python3
"""Run a command in a fresh IPC namespace; fail if it leaves System V objects.

Used by meson for the Python tests and examples:
    ipcns_run.py PROGRAM [ARGS...]
"""
import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWIPC = 0x08000000


def enter_private_ipc_namespace():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWIPC) == 0:
        return
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWIPC) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "unshare: " + os.strerror(err))
    for path, text in (("/proc/self/setgroups", "deny"),
                       ("/proc/self/uid_map", f"0 {uid} 1\n"),
                       ("/proc/self/gid_map", f"0 {gid} 1\n")):
        try:
            with open(path, "w") as f:
                f.write(text)
        except OSError:
            if path != "/proc/self/setgroups":
                raise


def leftover_objects():
    lines = []
    for table in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{table}") as f:
            lines += [f"{table}: {line.rstrip()}" for line in f.readlines()[1:]]
    return lines


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        enter_private_ipc_namespace()
    except OSError as e:
        print(f"cannot enter a private IPC namespace: {e}", file=sys.stderr)
        return 99
    os.environ["SVIPC_PRIVATE_IPCNS"] = "1"
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    leftovers = leftover_objects()
    for line in leftovers:
        print("left behind:", line, file=sys.stderr)
    if leftovers and rc == 0:
        rc = 1
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
