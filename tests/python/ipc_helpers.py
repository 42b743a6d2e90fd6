"""Helpers shared by test_cli.py and test_admin.py: objects made with libc,
ipcs parsing, children, and the fixture that keeps the namespace empty."""
import ctypes
import errno
import json
import os
import shutil
import subprocess
import time

import pytest
import sysv_ipc

import svipc

TOOL = os.environ.get("SVIPC_TOOL") or shutil.which("svipc")
KEY = 0x5EED0700
CHILD_TIMEOUT = 10.0

libc = ctypes.CDLL(None, use_errno=True)
libc.semget.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.msgget.argtypes = [ctypes.c_int, ctypes.c_int]
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmat.restype = ctypes.c_void_p
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
IPC_CREAT, IPC_EXCL, IPC_RMID, IPC_PRIVATE = 0o1000, 0o2000, 0, 0


class Segment:
    """A segment made with libc (sysv_ipc attaches its segments on creation, which
    would hide what nattch the tests set up)."""

    def __init__(self, key=IPC_PRIVATE, size=4096, mode=0o600):
        self.id = libc.shmget(key, size, IPC_CREAT | IPC_EXCL | mode)
        assert self.id >= 0, os.strerror(ctypes.get_errno())
        self.addresses = []

    def attach(self):
        address = libc.shmat(self.id, None, 0)
        assert address not in (None, ctypes.c_void_p(-1).value)
        self.addresses.append(address)

    def remove(self):
        for address in self.addresses:
            libc.shmdt(address)
        self.addresses = []
        assert libc.shmctl(self.id, IPC_RMID, None) == 0


def run(*args, check_rc=0):
    result = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60)
    if check_rc is not None:
        assert result.returncode == check_rc, (args, result.returncode, result.stdout, result.stderr)
    return result


def ls_json(*args):
    return json.loads(run("ls", "--json", *args).stdout)


def sysvipc_objects():
    lines = []
    for table in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{table}") as f:
            lines += [f"{table}: {line.strip()}" for line in f.readlines()[1:]]
    return lines


def remove_everything():
    """The namespace is this test run's own (ipcns_run.py): clear it between tests."""
    for table, rm in (("shm", "-m"), ("sem", "-s"), ("msg", "-q")):
        with open(f"/proc/sysvipc/{table}") as f:
            for line in f.readlines()[1:]:
                subprocess.run(["ipcrm", rm, line.split()[1]], capture_output=True)


@pytest.fixture(autouse=True)
def empty_namespace():
    assert os.environ.get("SVIPC_PRIVATE_IPCNS") == "1"
    assert TOOL and os.access(TOOL, os.X_OK), "set SVIPC_TOOL to the built svipc program"
    assert sysvipc_objects() == []
    yield
    leftovers = sysvipc_objects()
    remove_everything()
    assert leftovers == [], "test left objects behind"


def parse_ipcs(flag):
    """Rows of `ipcs -m|-s|-q` as dicts keyed by its column headers."""
    out = subprocess.run(["ipcs", flag], capture_output=True, text=True, check=True).stdout
    rows, header = [], None
    for line in out.splitlines():
        words = line.split()
        if not words or line.startswith("------"):
            continue
        if words[0] == "key":
            header = words
            continue
        rows.append(dict(zip(header, words)))
    return rows


def perms_string(octal_text):
    mode = int(octal_text, 8)
    return "".join(c if mode & (0o400 >> i) else "-" for i, c in enumerate("rwxrwxrwx"))


def wait_until_sleeping(pid, seconds=CHILD_TIMEOUT):
    """Until the process sleeps (state S) on three checks in a row: blocked in the kernel."""
    deadline, streak = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        streak = streak + 1 if state == "S" else 0
        if streak >= 3:
            return
        time.sleep(0.02)
    raise AssertionError(f"pid {pid} never blocked")


def wait_child(pid, seconds=CHILD_TIMEOUT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError(f"child {pid} did not finish in {seconds}s")


def in_child(body):
    """Fork; the child runs body() and exits with its int result (99 on exception)."""
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = body()
        finally:
            os._exit(code)
    return pid


