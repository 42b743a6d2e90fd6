"""The svipc command-line tool against util-linux ipcs/ipcrm, in a private IPC namespace.

Objects are made with sysv_ipc or libc (not svipc) where the point is what the
kernel holds; the svipc C API is reached through ctypes where the point is how
a svipc user sees an object removed under it by ipcrm.
"""
import ctypes
import errno
import json
import os
import pwd
import select
import shutil
import subprocess
import tempfile
import time

import pytest
import sysv_ipc

import svipc

from ipc_helpers import *  # noqa: F401,F403  (helpers and the empty-namespace fixture)


# ---------------------------------------------------------------- listing


def test_ls_json_agrees_with_ipcs_on_every_kind():
    shm_a = Segment(KEY, 4096, 0o640)
    shm_b = Segment(size=123457)
    sem_id = libc.semget(KEY, 5, IPC_CREAT | IPC_EXCL | 0o660)
    sem_b = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, mode=0o604)
    queue = sysv_ipc.MessageQueue(KEY, sysv_ipc.IPC_CREX, mode=0o620)
    queue.send(b"hello", type=1)
    queue.send(b"svipc!", type=2)
    shm_a.attach()
    shm_b.attach()
    shm_b.attach()
    try:
        data = ls_json()
        me = pwd.getpwuid(os.geteuid()).pw_name

        ours = {o["id"]: o for o in data["sharedmemory"]}
        ipcs = parse_ipcs("-m")
        assert sorted(ours) == sorted(int(r["shmid"]) for r in ipcs) == sorted([shm_a.id, shm_b.id])
        for row in ipcs:
            o = ours[int(row["shmid"])]
            assert o["key"] == row["key"]
            assert o["owner"] == row["owner"] == me
            assert o["perms"] == perms_string(row["perms"])
            assert o["size"] == int(row["bytes"])
            assert o["nattch"] == int(row["nattch"])
        assert ours[shm_a.id]["nattch"] == 1 and ours[shm_b.id]["nattch"] == 2
        assert ours[shm_a.id]["key"] == f"0x{KEY:08x}"

        ours = {o["id"]: o for o in data["semaphores"]}
        ipcs = parse_ipcs("-s")
        assert sorted(ours) == sorted(int(r["semid"]) for r in ipcs) == sorted([sem_id, sem_b.id])
        for row in ipcs:
            o = ours[int(row["semid"])]
            assert (o["key"], o["owner"], o["perms"], o["nsems"]) == (
                row["key"], row["owner"], perms_string(row["perms"]), int(row["nsems"]))
        assert ours[sem_id]["nsems"] == 5

        ours = {o["id"]: o for o in data["messages"]}
        ipcs = parse_ipcs("-q")
        assert sorted(ours) == sorted(int(r["msqid"]) for r in ipcs) == [queue.id]
        for row in ipcs:
            o = ours[int(row["msqid"])]
            assert (o["key"], o["owner"], o["perms"], o["usedbytes"], o["msgs"]) == (
                row["key"], row["owner"], perms_string(row["perms"]), int(row["used-bytes"]), int(row["messages"]))
        assert ours[queue.id]["msgs"] == 2 and ours[queue.id]["usedbytes"] == 11
        assert ours[queue.id]["lspid"] == os.getpid()

        # The library's listing says the same as the tool (both paths).
        for source in (None, "proc", "syscalls"):
            listed = {s.id: s for s in svipc.list_shm(source)}
            assert {i: (s.size, s.nattch, s.mode) for i, s in listed.items()} == {
                shm_a.id: (4096, 1, 0o640), shm_b.id: (123457, 2, 0o600)}
            assert [s.nsems for s in svipc.list_sem(source)] == [5, 1]
            assert [(q.messages, q.bytes) for q in svipc.list_msg(source)] == [(2, 11)]
    finally:
        shm_a.remove()
        shm_b.remove()
        libc.semctl(sem_id, 0, IPC_RMID)
        sem_b.remove()
        queue.remove()


def test_ls_kind_filters_and_text_table():
    shm = Segment(size=8192)
    queue = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
    try:
        assert list(ls_json("--shm")) == ["sharedmemory"]
        assert list(ls_json("--msg", "--sem")) == ["semaphores", "messages"]
        assert [o["id"] for o in ls_json("--mine", "-m")["sharedmemory"]] == [shm.id]
        table = run("ls").stdout
        assert "Shared memory segments" in table and "Message queues" in table
        assert any(line.split()[1] == str(shm.id) and "8K" in line for line in table.splitlines()
                   if line.startswith("0x"))
    finally:
        shm.remove()
        queue.remove()


def test_stat_by_id_key_and_name():
    shm = Segment(KEY, 5000, 0o640)
    try:
        text = run("stat", "--shm", str(shm.id)).stdout
        assert "5000 bytes" in text and "rw-r-----" in text
        data = json.loads(run("stat", "--key", hex(KEY), "--json").stdout)
        assert [o["id"] for o in data["sharedmemory"]] == [shm.id]
        assert data["sharedmemory"][0]["channel"] is None
        missing = run("stat", "--shm", str(shm.id + 1), check_rc=1)
        assert f"no segment with id {shm.id + 1}" in missing.stderr
        missing = run("stat", "--name", "no/such/name", check_rc=1)
        assert "no object with key" in missing.stderr and "no/such/name" in missing.stderr
    finally:
        shm.remove()


def test_channel_is_recognised_and_rm_by_name_removes_its_lock():
    name = "svipc-cli-test/channel"
    with svipc.Channel(name, svipc.CHANNEL_TYPE_FLOAT64, 8, create=True) as channel:
        channel.publish(ctypes.c_double(1.5))
        info = channel.stat()
        data = ls_json("--channels")
        seg = next(o for o in data["sharedmemory"] if o["id"] == info.shm_id)
        assert seg["channel"]["lock_semid"] == info.sem_id
        assert seg["channel"]["latest_sequence"] == 1
        assert seg["channel"]["payload_size"] == 8
        lock = next(o for o in data["semaphores"] if o["id"] == info.sem_id)
        assert lock["channel_lock_of"] == info.shm_id
        assert svipc.channel_info_of_segment(info.shm_id).sem_id == info.sem_id
        assert "svipc channel" in run("stat", "--name", name).stdout
    run("rm", "--name", name)
    assert sysvipc_objects() == []


# ------------------------------------------------------- ipcrm under svipc


def test_rm_removes_by_id_and_reports_missing_and_ambiguous_ids():
    shm = Segment()
    sem = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX)
    queue = sysv_ipc.MessageQueue(KEY, sysv_ipc.IPC_CREX)
    # A fresh namespace numbers each kind from 0: a bare id may be ambiguous.
    if shm.id == sem.id:
        result = run("rm", str(shm.id), check_rc=2)
        assert "say which with --shm, --sem or --msg" in result.stderr
    run("rm", "--shm", str(shm.id))
    run("rm", "--sem", str(sem.id))
    run("rm", "--key", hex(KEY), "--msg")
    assert sysvipc_objects() == []
    result = run("rm", "--shm", str(shm.id), check_rc=1)
    assert f"no segment with id {shm.id}" in result.stderr


def tool_for_everyone(directory):
    """The command line (a list) of a copy of the tool and its library that any
    user can run: the checkout may sit in a 0700 folder (root's home, a mktemp -d
    folder) that uid 65534 cannot enter. A cross build's tool runs through qemu-user."""
    os.chmod(directory, 0o755)
    tool = os.path.join(directory, "svipc")
    shutil.copy(os.environ.get("SVIPC_TOOL_BINARY") or TOOL, tool)
    shutil.copy(svipc.library_path, os.path.join(directory, "libsvipc.so.0"))
    for name in os.listdir(directory):
        os.chmod(os.path.join(directory, name), 0o755)
    wrapper = os.environ.get("SVIPC_TOOL_EXE_WRAPPER")
    return [shutil.which(wrapper), tool] if wrapper else [tool]


def test_rm_without_permission_says_so():
    if os.geteuid() != 0:
        pytest.skip("needs root to make an object owned by someone else")
    shm = Segment()
    directory = tempfile.mkdtemp(prefix="svipc-tool-")
    command = tool_for_everyone(directory)
    try:
        def as_nobody():
            os.setgid(65534)
            os.setuid(65534)
            os.execve(command[0], command + ["rm", "--shm", str(shm.id)],
                      {**os.environ, "LD_LIBRARY_PATH": directory})
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.dup2(write_end, 2)
            try:
                as_nobody()
            finally:
                os._exit(98)
        os.close(write_end)
        assert wait_child(pid) == 1
        ready, _, _ = select.select([read_end], [], [], 5)
        message = os.read(read_end, 4096).decode() if ready else ""
        os.close(read_end)
        assert "permission denied" in message
    finally:
        shm.remove()
        shutil.rmtree(directory)


def make_orphans():
    """A child creates one object of each kind, uses them, and exits."""
    def creator():
        shm = Segment()
        sem = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX)
        sem.release()
        queue = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
        queue.send(b"left behind")
        with open(f"/tmp/svipc-cli-orphans-{os.getpid()}", "w") as f:
            json.dump({"shm": shm.id, "sem": sem.id, "msg": queue.id}, f)
        return 0

    pid = in_child(creator)
    assert wait_child(pid) == 0
    path = f"/tmp/svipc-cli-orphans-{pid}"
    with open(path) as f:
        ids = json.load(f)
    os.unlink(path)
    return pid, {(kind, ident) for kind, ident in ids.items()}


def test_clean_orphans_dry_run_lists_exactly_the_orphans_then_removes_only_them():
    live_shm = Segment()
    live_sem = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX)
    live_sem.release()  # the kernel now records this (live) process on it
    live_queue = sysv_ipc.MessageQueue(None, sysv_ipc.IPC_CREX)
    live_queue.send(b"still here")
    dead_pid, orphans = make_orphans()
    try:
        before = sysvipc_objects()
        dry = json.loads(run("clean", "--orphans", "--dry-run", "--idle", "0", "--json").stdout)
        assert dry["dry_run"] is True
        assert {(o["type"], o["id"]) for o in dry["orphans"]} == orphans
        assert all(o["pid"] == dead_pid and o["removed"] is False for o in dry["orphans"])
        # Nothing removed (recognising channels may attach segments briefly,
        # which updates their times and last pid, so compare identities).
        assert [line.split()[:3] for line in sysvipc_objects()] == [line.split()[:3] for line in before]
        text = run("clean", "--orphans", "--dry-run", "--idle", "0").stdout.splitlines()
        assert sorted((line.split()[2], int(line.split()[3])) for line in text) == sorted(orphans)
        assert all(line.startswith("would remove") and f"pid {dead_pid} gone" in line for line in text)
        # ls --orphans and the library agree.
        listed = ls_json("--orphans", "--idle", "0")
        assert {("shm", o["id"]) for o in listed["sharedmemory"]} | {("sem", o["id"]) for o in listed["semaphores"]} \
            | {("msg", o["id"]) for o in listed["messages"]} == orphans
        assert {(o.kind, o.id) for o in svipc.find_orphans()} == orphans
        # The default idle threshold (an hour) spares the just-used set and queue.
        assert {(o["type"], o["id"]) for o in json.loads(
            run("clean", "--orphans", "--dry-run", "--json").stdout)["orphans"]} == {
            o for o in orphans if o[0] == "shm"}

        done = json.loads(run("clean", "--orphans", "--idle", "0", "--json").stdout)
        assert {(o["type"], o["id"]) for o in done["orphans"]} == orphans
        assert all(o["removed"] for o in done["orphans"])
        assert [o["id"] for o in ls_json("-m")["sharedmemory"]] == [live_shm.id]
        assert [o["id"] for o in ls_json("-s")["semaphores"]] == [live_sem.id]
        assert [o["id"] for o in ls_json("-q")["messages"]] == [live_queue.id]
        assert json.loads(run("clean", "--orphans", "--idle", "0", "--json").stdout)["orphans"] == []
    finally:
        live_shm.remove()
        live_sem.remove()
        live_queue.remove()


# ----------------------------------------------------------- limits, args


def test_limits_json_matches_ipcs_l_and_library():
    data = json.loads(run("limits", "--json").stdout)
    out = subprocess.run(["ipcs", "-l"], capture_output=True, text=True, check=True).stdout
    fields = dict(line.rsplit(" = ", 1) for line in out.splitlines() if " = " in line)
    assert data["limits"]["shmmni"] == int(fields["max number of segments"])
    assert data["limits"]["semmni"] == int(fields["max number of arrays"])
    assert data["limits"]["semmsl"] == int(fields["max semaphores per array"])
    assert data["limits"]["semopm"] == int(fields["max ops per semop call"])
    assert data["limits"]["semvmx"] == int(fields["semaphore max value"])
    assert data["limits"]["msgmni"] == int(fields["max queues system wide"])
    assert data["limits"]["msgmax"] == int(fields["max size of message (bytes)"])
    assert data["limits"]["msgmnb"] == int(fields["default max size of queue (bytes)"])
    assert data["limits"] == svipc.limits().__dict__
    assert set(data["usage"]) == set(svipc.usage().__dict__)
    assert "Shared memory" in run("limits").stdout


@pytest.mark.parametrize("args", [
    [], ["frobnicate"], ["ls", "--bogus"], ["ls", "--idle"], ["ls", "--idle", "-3"], ["ls", "extra"],
    ["ls", "--dry-run"], ["stat"], ["stat", "abc"], ["stat", "1", "2"], ["rm"], ["rm", "--key", "0"],
    ["rm", "--key", "zz"], ["rm", "1", "--key", "5"], ["clean"], ["clean", "--orphans", "x"], ["limits", "--shm"],
])
def test_bad_arguments_print_usage_and_exit_2(args):
    result = run(*args, check_rc=2)
    assert result.stdout == ""
    assert "svipc --help" in result.stderr


def test_help_and_version():
    assert "Usage: svipc COMMAND" in run("--help").stdout
    assert run("ls", "--help").stdout == run("--help").stdout
    assert run("--version").stdout.startswith(f"svipc {svipc.version_string}")
