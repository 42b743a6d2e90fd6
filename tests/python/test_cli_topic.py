"""`svipc topic list|info|echo|hz|pub` with real processes, in a private IPC namespace.

Channels are created and published from C (topic_publisher.c, the public C API);
the tool runs as a separate process; values are checked against numpy's own
encoding of the schema, so the tool's decoder and encoder are not judged by
themselves.
"""
import ctypes
import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

import svipc

from ipc_helpers import *  # noqa: F401,F403  (run, TOOL, the empty-namespace fixture)

PUBLISHER = os.environ.get("SVIPC_TOPIC_PUBLISHER")
PUBLISHER_WRAPPER = ([os.environ["SVIPC_TOPIC_PUBLISHER_WRAPPER"]]
                     if os.environ.get("SVIPC_TOPIC_PUBLISHER_WRAPPER") else [])
POSE = '{"names":["x","y","stamp"],"formats":["<f8","<f8","<i8"],"offsets":[0,8,16],"itemsize":24}'


def schema_dtype(schema):
    return np.dtype(json.loads(schema)) if schema.startswith("{") else np.dtype(schema)


def c_publish(name, schema, value=None, rate=0, count=1, wait=True):
    """Create channel `name` with `schema` from C and publish `value` (bytes, zeros by default)."""
    size = schema_dtype(schema).itemsize
    data = bytes(size) if value is None else value
    assert len(data) == size
    command = PUBLISHER_WRAPPER + [PUBLISHER, name, schema, str(size), data.hex()]
    if rate:
        command += [str(rate), str(count)]
    process = subprocess.Popen(command)
    if wait:
        assert process.wait(timeout=60) == 0
    return process


def raw_value(name):
    """The channel's newest value as bytes, read through the library, not the tool."""
    channel = svipc.Channel(name, svipc.CHANNEL_TYPE_ANY, 0)
    try:
        buffer = bytearray(channel.payload_size)
        info = channel.read(buffer)
        return bytes(buffer), (info.sequence if info else 0)
    finally:
        channel.close()


@pytest.fixture
def channel_name(topic):
    """conftest's unique topic name, removed afterwards."""
    return topic


def topic_list():
    return {t["name"]: t for t in json.loads(run("topic", "list", "--json").stdout)["topics"]}


# ------------------------------------------------------------- list and info


def test_struct_channel_from_c_is_listed_described_and_echoed(channel_name):
    pose = np.array((1.5, -2.25, 42), dtype=schema_dtype(POSE))
    c_publish(channel_name, POSE, pose.tobytes())

    listed = topic_list()[channel_name]
    assert listed["schema"] == POSE and listed["payload_size"] == 24 and listed["buffer_num"] == 64
    assert listed["latest_sequence"] == 1 and listed["attached"] == 0 and listed["age"] >= 0
    table = run("topic", "list").stdout
    assert any(line.split()[:2] == [channel_name, "struct{x,y,stamp}"] for line in table.splitlines())

    info = json.loads(run("topic", "info", channel_name, "--json").stdout)["topics"][0]
    assert info["name"] == channel_name and info["writer_pid"] == 0
    assert info["key"] == f"0x{svipc.key_from_name(channel_name):08x}"
    assert abs(info["created_time_ns"] / 1e9 - time.time()) < 60
    text = run("topic", "info", channel_name).stdout
    assert "stamp" in text and "<i8  offset 16" in text and "schema hash" in text

    once = run("topic", "echo", channel_name, "--once").stdout
    assert once == "x: 1.5\ny: -2.25\nstamp: 42\n---\n"
    line = json.loads(run("topic", "echo", channel_name, "--once", "--json").stdout)
    assert line["value"] == {"x": 1.5, "y": -2.25, "stamp": 42} and line["sequence"] == 1

    # A Python Subscriber with no default reads the same structured value.
    subscriber = svipc.Subscriber(channel_name)
    try:
        value, ok = subscriber.subscribe()
        assert ok and (float(value["x"]), float(value["y"]), int(value["stamp"])) == (1.5, -2.25, 42)
    finally:
        subscriber.close()

    # ls --channels names the channel too.
    segments = json.loads(run("ls", "--json", "--channels", "-m").stdout)["sharedmemory"]
    assert [s["channel"]["name"] for s in segments] == [channel_name]
    assert f"channel {channel_name}" in run("ls", "--channels", "-m").stdout


def test_names_outside_printable_ascii_are_escaped_in_text_and_exact_in_json():
    name = "cli/caf\u00e9\nline"
    c_publish(name, "|b1")
    try:
        assert topic_list()[name]["schema"] == "|b1"
        assert "cli/caf\\xc3\\xa9\\x0aline" in run("topic", "list").stdout
        assert run("topic", "info", name).stdout.startswith("name             cli/caf\\xc3\\xa9\\x0aline\n")
        assert json.loads(run("topic", "info", name, "--json").stdout)["topics"][0]["name"] == name
    finally:
        svipc.remove_channel(name)


def test_info_of_a_missing_channel_fails(channel_name):
    result = run("topic", "info", channel_name, check_rc=1)
    assert "no channel named" in result.stderr


def test_list_counts_attached_processes_as_readers_come_and_go(channel_name):
    c_publish(channel_name, "<f8")
    assert topic_list()[channel_name]["attached"] == 0
    readers = [subprocess.Popen([TOOL, "topic", "echo", channel_name, "--json"], stdout=subprocess.PIPE, text=True)
               for _ in range(3)]
    try:
        for reader in readers:
            json.loads(reader.stdout.readline())  # attached and printing
        assert topic_list()[channel_name]["attached"] == 3
        for gone, reader in enumerate(readers, 1):
            reader.kill()
            reader.wait(timeout=10)
            assert topic_list()[channel_name]["attached"] == 3 - gone
    finally:
        for reader in readers:
            reader.kill()
            reader.wait()
            reader.stdout.close()


# ---------------------------------------------------------------------- echo


def test_echo_once_returns_the_current_value_at_once(channel_name):
    c_publish(channel_name, "<i8", np.int64(-7).tobytes())
    start = time.monotonic()
    assert run("topic", "echo", channel_name, "--once").stdout == "-7\n---\n"
    assert time.monotonic() - start < 2.0


def test_echo_sleeps_until_a_new_value_then_prints_it(channel_name):
    c_publish(channel_name, "<f8", np.float64(1.0).tobytes())
    echo = subprocess.Popen([TOOL, "topic", "echo", channel_name, "--json", "--count", "2"], stdout=subprocess.PIPE,
                            text=True)
    try:
        first = json.loads(echo.stdout.readline())
        assert (first["value"], first["sequence"]) == (1.0, 1)
        wait_until_sleeping(echo.pid)

        def switches():
            with open(f"/proc/{echo.pid}/status") as f:
                return [int(line.split()[1]) for line in f if "ctxt_switches" in line]
        # Asleep in the channel's futex: no wake-ups while nothing is published (no polling).
        before = switches()
        time.sleep(0.5)
        assert switches() == before
        run("topic", "pub", channel_name, "2.5")
        second = json.loads(echo.stdout.readline())
        assert (second["value"], second["sequence"], second["missed"]) == (2.5, 2, 0)
        assert echo.wait(timeout=10) == 0
    finally:
        echo.kill()
        echo.wait()
        echo.stdout.close()


# ------------------------------------------------------------------------ hz


@pytest.mark.parametrize("rate", [100, 1000])
def test_hz_agrees_with_a_paced_publisher(channel_name, rate):
    """hz measures from the publisher's own sequence numbers and publish times: over a
    window holding the whole run (2.5 s), a publisher on absolute deadlines is measured at
    its nominal rate even on a loaded machine (a late wake-up at either end shifts the
    span by that lateness only)."""
    c_publish(channel_name, "<f8")  # create it, so hz can open it
    published = int(rate * 2.5)
    hz = subprocess.Popen([TOOL, "topic", "hz", channel_name, "--window", "100000", "--count", "4", "--json"],
                          stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)
        c_publish(channel_name, "<f8", rate=rate, count=published)
        out, _ = hz.communicate(timeout=30)
        assert hz.returncode == 0
        reports = [json.loads(line) for line in out.splitlines()]
        assert len(reports) == 4
        last = reports[-1]
        assert abs(last["rate_hz"] - rate) <= 0.05 * rate, reports
        # Values the ring overwrote before hz copied them (a descheduled reader)
        # are missing from the window, never from the rate.
        assert last["window"] >= 0.5 * published and last["window"] + last["lost"] <= published
        assert last["intervals"] > 0 and last["min_s"] <= 1 / rate <= last["max_s"]
        assert abs(last["mean_s"] - 1 / rate) <= 0.05 / rate
        text = run("topic", "hz", channel_name, "--count", "1").stdout
        assert text == "no new values\n"
    finally:
        hz.kill()
        hz.wait()
        hz.stdout.close()


# ---------------------------------------------------- Python-made schemas


class Sample(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("gain", ctypes.c_float), ("corners", ctypes.c_double * 2 * 2),
                ("ok", ctypes.c_bool)]


def python_values():
    sample = Sample(7, 0.5, ((1, 2), (3, 4)), True)
    points = np.zeros(2, dtype=[("x", "<f4"), ("label", "S3")])
    points[1] = (2.5, b"ab")
    return [
        (True, True),
        (-5, -5),
        (0.25, 0.25),
        (b"raw\x01", "72617701"),  # bytes: opaque, shown in hex
        (np.array([1.5, -2.0, 3.0]), [1.5, -2.0, 3.0]),
        (sample, {"id": 7, "gain": 0.5, "corners": [[1.0, 2.0], [3.0, 4.0]], "ok": True}),
        (points, [{"x": 0.0, "label": ""}, {"x": 2.5, "label": "ab"}]),
    ]


@pytest.mark.parametrize("default,expected", python_values(),
                         ids=["bool", "int", "float", "bytes", "ndarray", "ctypes", "structured"])
def test_echo_decodes_what_python_publishes(channel_name, default, expected):
    """Whatever schema the Python package derives, the tool parses and decodes."""
    publisher = svipc.Publisher(channel_name, default)
    try:
        publisher.publish(default)
        line = json.loads(run("topic", "echo", channel_name, "--once", "--json").stdout)
        assert line["value"] == expected, publisher.schema
        assert topic_list()[channel_name]["schema"] == publisher.schema
    finally:
        publisher.close()


# ----------------------------------------------------------------------- pub


PUB_CASES = [
    ("|b1", "true", np.array(True)),
    ("|b1", "0", np.array(False)),
    ("|i1", "-128", np.array(-128, "|i1")),
    ("<i2", "-30000", np.array(-30000, "<i2")),
    ("<i4", "2147483647", np.array(2147483647, "<i4")),
    ("<i8", "-9223372036854775808", np.array(-9223372036854775808, "<i8")),
    ("|u1", "255", np.array(255, "|u1")),
    ("<u2", "65535", np.array(65535, "<u2")),
    ("<u4", "4294967295", np.array(4294967295, "<u4")),
    ("<u8", "18446744073709551615", np.array(18446744073709551615, "<u8")),
    ("<f4", "0.1", np.array(0.1, "<f4")),
    ("<f8", "-1e-300", np.array(-1e-300, "<f8")),
    ("<f8", "nan", np.array(np.nan, "<f8")),
    ("|S8", "hello", np.array(b"hello", "|S8")),
    ("|V4", "0a0b0c0d", np.frombuffer(bytes.fromhex("0a0b0c0d"), "|V4")[0]),
    (">i4", "258", np.array(258, ">i4")),
    ("(2,3)<f8", "[[1, 2, 3], [4, 5, 6.5]]", np.array([[1, 2, 3], [4, 5, 6.5]], "<f8")),
    (POSE, '{"x": 1, "y": 2.5, "stamp": -3}', np.array((1, 2.5, -3), schema_dtype(POSE))),
    ('{"names": ["id", "pose", "ok"], "formats": ["<u4", {"names": ["x", "y"], "formats": ["<f4", "<f4"]}, "|b1"],'
     ' "offsets": [0, 4, 12], "itemsize": 16}',
     '{"id": 9, "pose": {"x": 0.5, "y": -1}, "ok": true}', None),
]


@pytest.mark.parametrize("schema,text,expected", PUB_CASES, ids=[f"{c[0][:20]}={c[1][:12]}" for c in PUB_CASES])
def test_pub_round_trips_every_type(channel_name, schema, text, expected):
    dtype = schema_dtype(schema)
    c_publish(channel_name, schema)
    run("topic", "pub", channel_name, "--", text)
    data, sequence = raw_value(channel_name)
    assert sequence == 2
    if expected is None:
        # Not np.array(value, dtype): it leaves a structure's padding bytes
        # (13..15 here) uninitialised, and the tool writes zeros there.
        expected = np.zeros((), dtype)
        expected[()] = (9, (0.5, -1), True)
    assert data == expected.tobytes() or (dtype.kind == "f" and np.isnan(np.frombuffer(data, dtype)[0]))
    # What echo --json prints, pub reads back to the same bytes.
    printed = json.loads(run("topic", "echo", channel_name, "--once", "--json").stdout)["value"]
    run("topic", "pub", channel_name, "--", json.dumps(printed))
    again, sequence = raw_value(channel_name)
    assert sequence == 3 and (again == data or dtype.kind == "f")


@pytest.mark.parametrize("schema,text,message", [
    ("<i4", "1.5", "not an integer"),
    ("|u1", "256", "out of range"),
    ("<f8", "abc", "not a number"),
    ("|b1", "maybe", "not a bool"),
    ("|S3", "abcd", "do not fit"),
    ("(3,)<f8", "[1, 2]", "expected 3 elements"),
    (POSE, '{"x": 1, "y": 2}', '"stamp" is missing'),
    (POSE, '{"x": 1, "y": 2, "stamp": 3, "z": 4}', 'no field "z"'),
])
def test_pub_refuses_text_that_does_not_fit_and_publishes_nothing(channel_name, schema, text, message):
    c_publish(channel_name, schema)
    result = run("topic", "pub", channel_name, "--", text, check_rc=2)
    assert message in result.stderr and result.stdout == ""
    assert raw_value(channel_name)[1] == 1
    assert topic_list()[channel_name]["latest_sequence"] == 1


def test_pub_at_a_rate_publishes_count_values(channel_name):
    c_publish(channel_name, "<i8")
    start = time.monotonic()
    run("topic", "pub", channel_name, "5", "--rate", "50", "--count", "25")
    assert 0.4 <= time.monotonic() - start < 5
    assert raw_value(channel_name) == (np.int64(5).tobytes(), 26)


# ------------------------------------------------------------ help and usage


@pytest.mark.parametrize("command", ["list", "info", "echo", "hz", "pub"])
def test_each_topic_command_has_its_own_help(command):
    out = run("topic", command, "--help").stdout
    assert out.startswith(f"Usage: svipc topic {command}")
    assert "topic list|info|echo|hz|pub" in run("--help").stdout
    assert "Commands:" in run("topic", "--help").stdout


@pytest.mark.parametrize("args", [
    ["topic"], ["topic", "frobnicate"], ["topic", "list", "extra"], ["topic", "info"], ["topic", "echo"],
    ["topic", "echo", "a", "b"], ["topic", "pub", "a"], ["topic", "hz", "a", "--window", "0"],
    ["topic", "pub", "a", "1", "--rate", "-1"], ["topic", "echo", "a", "--count", "0"], ["topic", "list", "--once"],
    ["topic", "pub", "a", "1", "--json"],
])
def test_bad_topic_arguments_exit_2(args):
    result = run(*args, check_rc=2)
    assert result.stdout == "" and "--help" in result.stderr


def test_commands_on_a_missing_channel_fail_with_1(channel_name):
    for command in (["echo", channel_name, "--once"], ["hz", channel_name, "--count", "1"],
                    ["pub", channel_name, "1"]):
        assert "no such channel" in run("topic", *command, check_rc=1).stderr


def test_list_and_info_say_when_a_channel_has_a_layout_this_svipc_cannot_read(channel_name):
    """A channel of another layout version (an older or newer svipc): listed with its
    version and no schema, and `info` refuses it by name instead of guessing."""
    import sysv_ipc

    c_publish(channel_name, "<f8")
    channel = svipc.Channel(channel_name, svipc.CHANNEL_TYPE_ANY, 0)
    info = channel.stat()
    channel.close()
    segment = sysv_ipc.attach(info.shm_id)
    version_offset = 8  # Header::layout_version (lib/channel/layout.hpp): init_state, magic, version
    original = segment.read(4, offset=version_offset)
    assert int.from_bytes(original, "little") == info.layout_version
    try:
        segment.write((info.layout_version - 1).to_bytes(4, "little"), offset=version_offset)
        topics = json.loads(run("topic", "list", "--json").stdout)["topics"]
        listed = [t for t in topics if t["id"] == info.shm_id]
        assert len(listed) == 1, topics
        assert listed[0]["layout_version"] == info.layout_version - 1 and listed[0]["schema"] is None
        table = run("topic", "list").stdout
        assert f"? (layout {info.layout_version - 1})" in table, table
        result = run("topic", "info", channel_name, check_rc=1)
        assert "cannot read it" in result.stderr, result.stderr
    finally:
        segment.write(original, offset=version_offset)
        segment.detach()
