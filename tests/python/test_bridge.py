"""svipc bridge between two "hosts": each host is a process in its own private
IPC namespace (tests/bridge/bridge_host.py) on the shared loopback network.
Publisher + `bridge out` live in one, `bridge in` + subscriber in the other."""
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import time

import pytest

zmq = pytest.importorskip("zmq", reason="python3-zmq is needed for the raw-socket tests")

TOOL = os.environ.get("SVIPC_TOOL", "svipc")
HOST = pathlib.Path(__file__).resolve().parents[1] / "bridge" / "bridge_host.py"
SIZE = 4096


class Host:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(HOST), TOOL], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert json.loads(self.proc.stdout.readline())["ok"]

    def __call__(self, op, **args):
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        assert reply.pop("ok"), reply
        return reply

    def finish(self, names=()):
        self("remove", names=list(names))
        leftovers = self("leftovers")["leftovers"]
        self.proc.stdin.write(json.dumps({"op": "exit"}) + "\n")
        self.proc.stdin.close()
        assert self.proc.wait(20) == 0
        return leftovers


@pytest.fixture
def hosts():
    made = []

    def make():
        made.append(Host())
        return made[-1]
    yield make
    for h in made:
        if h.proc.poll() is None:
            h.proc.kill()
            h.proc.wait()


def stats_of(lines):
    """The last --stats line as a dict of numbers."""
    last = [line for line in lines if line.startswith("stats:")][-1]
    return {k: float(v) for k, v in re.findall(r"(\w+)=([-\d.]+)", last)}


def test_values_in_order_never_torn_newest_wins_and_late_subscriber(hosts):
    a, b = hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "cam/frame", "--bind", "0", "--republish", "0.5"])["endpoints"][0]
    b("bridge", name="in", args=["in", "--connect", ep, "--stats", "0.5"])
    b("collect", topic="cam/frame", size=SIZE)
    a("stream", topic="cam/frame", size=SIZE, period=0.001)
    time.sleep(1.5)
    last = a("stream_stop", topic="cam/frame")["last"]
    got = b("collected", topic="cam/frame", until=last)
    assert got["last"] == last, got  # the newest value arrives
    assert got["torn"] == 0 and got["backwards"] == 0 and got["repeated"] == 0, got
    assert got["count"] > last // 10, got  # the stream crossed, not just its last value (skips are allowed)
    b("collect_stop", topic="cam/frame")
    # A third host whose bridge connects after the last publish gets the current value at once.
    c = hosts()
    started = time.monotonic()
    c("bridge", name="in", args=["in", "--connect", ep])
    late = c("read", topic="cam/frame", default={"size": SIZE}, expect=last, timeout=3)
    assert late["found"], late
    assert time.monotonic() - started < 2.0
    stopped = b("stop", name="in")
    assert stopped["rc"] == 0, stopped
    s = stats_of(stopped["stdout"])
    assert s["in"] >= got["count"] and s["malformed"] == 0, s
    latencies = [stats_of([line]) for line in stopped["stdout"] if "latency_p50_us" in line]
    assert latencies and all(0 < x["latency_p50_us"] < 10e6 for x in latencies), stopped["stdout"]  # one clock here
    assert a("stop", name="out")["rc"] == 0
    assert c("stop", name="in")["rc"] == 0
    # the channels the in bridges wrote are still there, with the last value
    assert b("read", topic="cam/frame", default={"size": SIZE}, expect=last, timeout=1)["found"]
    assert a.finish() == []
    assert b.finish(["cam/frame"]) == []
    assert c.finish(["cam/frame"]) == []


def test_late_subscriber_gets_an_idle_topic_while_another_streams(hosts):
    # The out section's sends (a topic thread streaming) process the XPUB's
    # commands, which can hide a new subscription from the main loop; the
    # join must still be answered with every topic's current value at once,
    # here with the periodic republish off.
    a, b = hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "busy/stream", "idle/value", "--bind", "0", "--republish", "0"])
    ep = ep["endpoints"][0]
    a("publish", topic="idle/value", value=7)
    a("stream", topic="busy/stream", size=64, period=0.0002)
    time.sleep(0.3)
    for attempt in range(3):  # a fresh subscriber each time: each join must be answered
        started = time.monotonic()
        b("bridge", name="in", args=["in", "--connect", ep, "idle/value"])
        got = b("read", topic="idle/value", default=0, expect=7, timeout=2)
        assert got["found"], (attempt, got)
        assert time.monotonic() - started < 1.5, attempt
        assert b("stop", name="in")["rc"] == 0
        b("remove", names=["idle/value"])
    a("stream_stop", topic="busy/stream")
    assert a("stop", name="out")["rc"] == 0
    assert a.finish(["idle/value"]) == []
    assert b.finish() == []


def test_either_bridge_restarted_mid_stream_recovers(hosts):
    a, b = hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "arm/pose", "--bind", "0"])["endpoints"][0]
    port = ep.rsplit(":", 1)[1]
    b("bridge", name="in", args=["in", "--connect", ep])
    b("collect", topic="arm/pose", size=64)
    a("stream", topic="arm/pose", size=64, period=0.002)
    time.sleep(0.5)
    before = b("collected", topic="arm/pose")["last"]
    assert before > 0
    a("stop", name="out", sig="KILL")
    a("bridge", name="out", args=["out", "arm/pose", "--bind", port])
    time.sleep(0.8)
    after_out = b("collected", topic="arm/pose")["last"]
    assert after_out > before, (before, after_out)
    b("stop", name="in", sig="KILL")  # its writer lock goes with it (SEM_UNDO)
    b("bridge", name="in", args=["in", "--connect", ep])
    time.sleep(0.8)
    last = a("stream_stop", topic="arm/pose")["last"]
    got = b("collected", topic="arm/pose", until=last)
    assert got["last"] == last and got["last"] > after_out, got
    assert got["torn"] == 0 and got["backwards"] == 0, got
    b("collect_stop", topic="arm/pose")
    assert a("stop", name="out")["rc"] == 0 and b("stop", name="in")["rc"] == 0
    assert a.finish() == [] and b.finish(["arm/pose"]) == []


def test_several_topics_both_directions_in_one_process(hosts):
    a, b = hosts(), hosts()
    out_a = a("bridge", name="a", args=["out", "robot/speed", "robot/count", "robot/blob", "--bind", "0"])
    ep_a = out_a["endpoints"][0]
    in_b = b("bridge", name="b", args=["in", "--connect", ep_a, "--prefix", "a:", "out", "ctl/cmd", "--bind", "0"])
    ep_b = in_b["endpoints"][0]
    a("bridge", name="a_in", args=["in", "--connect", ep_b])
    time.sleep(0.3)
    a("publish", topic="robot/speed", value=1.25)
    a("publish", topic="robot/count", value=42)
    a("publish", topic="robot/blob", value={"counter": 7, "size": 96})
    b("publish", topic="ctl/cmd", value=-3)
    assert b("read", topic="a:robot/speed", default=0.0, expect=1.25)["found"]
    assert b("read", topic="a:robot/count", default=0, expect=42)["found"]
    assert b("read", topic="a:robot/blob", default={"size": 96}, expect=7)["found"]
    assert a("read", topic="ctl/cmd", default=0, expect=-3)["found"]
    for i in range(50):  # only the newest of a burst matters
        a("publish", topic="robot/count", value=100 + i)
    assert b("read", topic="a:robot/count", default=0, expect=149)["found"]
    for h, name in ((a, "a"), (a, "a_in"), (b, "b")):
        assert h("stop", name=name, sig="TERM")["rc"] == 0  # SIGTERM: the same clean exit as SIGINT
    assert a.finish(["robot/speed", "robot/count", "robot/blob", "ctl/cmd"]) == []
    assert b.finish(["a:robot/speed", "a:robot/count", "a:robot/blob", "ctl/cmd"]) == []


def header(topic=b"bad/t", payload_size=16, version=2, header_size=136, flags=0, type_=0, magic=b"SVBR",
           topic_length=None, sequence=1, stream=9, schema_hash=0):
    """A wire format 2 header (doc/bridge.md)."""
    h = bytearray(136)
    h[0:4] = magic
    h[4:6] = version.to_bytes(2, "little")
    h[6:8] = header_size.to_bytes(2, "little")
    h[8:12] = type_.to_bytes(4, "little")
    h[12:14] = (len(topic) if topic_length is None else topic_length).to_bytes(2, "little")
    h[14:16] = flags.to_bytes(2, "little")
    h[16:24] = payload_size.to_bytes(8, "little")
    h[24:32] = sequence.to_bytes(8, "little")
    h[32:40] = time.time_ns().to_bytes(8, "little")
    h[40:48] = stream.to_bytes(8, "little")
    h[48:48 + len(topic)] = topic[:80]
    h[128:136] = schema_hash.to_bytes(8, "little")
    return bytes(h)


def test_malformed_messages_are_counted_and_never_written(hosts):
    b = hosts()
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.LINGER, 0)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    b("bridge", name="in", args=["in", "--connect", f"tcp://127.0.0.1:{port}", "--max-size", "1024",
                                 "--stats", "60"])
    time.sleep(0.5)  # the subscription reaches the PUB
    good = header(payload_size=16, sequence=1) + bytes(range(16))
    pub.send(good)
    assert b("read", topic="bad/t", default={"size": 16}, timeout=3)["found"]
    before = b("channels")["channels"]
    assert len(before) == 1
    kinds = {
        "truncated": [b"SVB", header()[:130]],
        "oversized": [header(payload_size=2048) + bytes(2048), header(payload_size=16) + bytes(1025)],
        "bad_magic": [b"GET / HTTP/1.1\r\n" + bytes(200)],
        "unknown_version": [header(version=1) + bytes(16), header(version=3) + bytes(16)],
        "bad_header": [header(header_size=64) + bytes(16), header(flags=0x8) + bytes(16),
                       header(payload_size=0)],
        "size_mismatch": [header(payload_size=16, sequence=5) + bytes(15),
                          header(payload_size=16, sequence=6) + bytes(17)],
        "bad_topic": [header(topic=b"bad t") + bytes(16), header(topic=b"") + bytes(16),
                      header(topic=b"bad/\xc3\xa9") + bytes(16), header(topic=b"x" * 80, topic_length=81) + bytes(16),
                      header(topic=b"bad/t\x00junk", topic_length=5) + bytes(16)],
        "multipart": [[header(sequence=7), bytes(16)]],
    }
    for messages in kinds.values():
        for m in messages:
            if isinstance(m, list):
                pub.send_multipart(m)
            else:
                pub.send(m)
    time.sleep(0.5)
    assert b("alive", name="in")["alive"]
    assert b("channels")["channels"] == before  # nothing written, nothing created
    pub.send(header(payload_size=16, sequence=2) + bytes([2]) * 16)  # still working afterwards
    assert b("read", topic="bad/t", default={"size": 16}, expect=0x0202020202020202, timeout=3)["found"]
    stopped = b("stop", name="in")
    assert stopped["rc"] == 0, stopped
    s = stats_of(stopped["stdout"])
    for kind, messages in kinds.items():
        assert s[kind] == len(messages), (kind, s)
    assert s["malformed"] == sum(len(m) for m in kinds.values())
    assert s["in"] == 2
    logged = "\n".join(stopped["stderr"])
    for kind in kinds:
        assert logged.count(f"({kind})") == 1, logged  # once per kind
    pub.close()
    ctx.term()
    assert b.finish(["bad/t"]) == []


def test_mismatched_local_channel_is_refused_naming_both_shapes(hosts):
    a, b = hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "shape/x", "--bind", "0"])["endpoints"][0]
    b("publish", topic="shape/x", value=0.5)  # local: float64, 8 bytes
    before = b("channels")["channels"]
    b("bridge", name="in", args=["in", "--connect", ep, "--stats", "60"])
    time.sleep(0.3)
    a("publish", topic="shape/x", value={"counter": 1, "size": 32})  # network: bytes, 32 bytes
    time.sleep(0.8)
    stopped = b("stop", name="in")
    text = "\n".join(stopped["stderr"])
    assert "type float64, 8 bytes" in text and "type bytes, 32 bytes" in text, text
    assert stats_of(stopped["stdout"])["dropped"] >= 1
    assert b("channels")["channels"] == before
    assert a("stop", name="out")["rc"] == 0
    assert a.finish(["shape/x"]) == [] and b.finish(["shape/x"]) == []


def fnv1a64(data):
    """A schema's hash (svipc_channel_info.schema_hash, the wire's schema_hash)."""
    value = 14695981039346656037
    for byte in data:
        value = ((value ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return value


def description(text, topic=b"raw/v", payload_size=8, schema_hash=None, version=2, header_size=136):
    """A description message: the topic's schema text after a header flagged 0x2."""
    h = header(topic=topic, payload_size=payload_size, flags=0x2, version=version, header_size=header_size,
               schema_hash=fnv1a64(text) if schema_hash is None else schema_hash)
    return h[:header_size] + text


POSE = [["x", "<f8"], ["y", "<f8"], ["id", "<i4"]]


def test_schema_crosses_the_bridge_and_reaches_a_late_bridge(hosts):
    a, b = hosts(), hosts()
    # no periodic republish: a late bridge gets the description with the value its join brings
    ep = a("bridge", name="out", args=["out", "robot/pose", "--bind", "0", "--republish", "0"])["endpoints"][0]
    b("bridge", name="in", args=["in", "--connect", ep, "--stats", "60"])
    time.sleep(0.3)  # the subscription reaches the XPUB
    schema = a("publish_struct", topic="robot/pose", fields=POSE, value=[1.5, -2.0, 7])["schema"]
    got = b("discover", topic="robot/pose", expect=[1.5, -2.0, 7], timeout=3)
    assert got["found"], got
    assert got["schema"] == schema and got["fields"] == POSE, got  # a Subscriber on B discovers A's dtype
    a("publish_struct", topic="robot/pose", fields=POSE, value=[2.5, 3.0, 8])
    assert b("discover", topic="robot/pose", expect=[2.5, 3.0, 8], timeout=3)["found"]
    info_a, info_b = a("info", topic="robot/pose"), b("info", topic="robot/pose")
    assert info_a["rc"] == 0 and info_b["rc"] == 0, (info_a, info_b)
    assert info_b["info"]["schema"] == info_a["info"]["schema"] == schema, (info_a, info_b)
    assert info_b["info"]["schema_hash"] == info_a["info"]["schema_hash"] == f"{fnv1a64(schema.encode()):#018x}"
    # A bridge that connects after the last publish creates the channel with the schema too.
    c = hosts()
    c("bridge", name="in", args=["in", "--connect", ep])
    late = c("discover", topic="robot/pose", expect=[2.5, 3.0, 8], timeout=3)
    assert late["found"] and late["schema"] == schema and late["fields"] == POSE, late
    stopped = b("stop", name="in")
    assert stopped["rc"] == 0, stopped
    s = stats_of(stopped["stdout"])
    assert s["in"] >= 2 and s["malformed"] == 0 and s["dropped"] == 0, s
    assert a("stop", name="out")["rc"] == 0 and c("stop", name="in")["rc"] == 0
    assert a.finish(["robot/pose"]) == [] and b.finish(["robot/pose"]) == [] and c.finish(["robot/pose"]) == []


def test_local_channel_of_another_schema_is_refused_naming_both(hosts):
    a, b = hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "shape/pose", "--bind", "0"])["endpoints"][0]
    other = [["u", "<f8"], ["v", "<f8"], ["w", "<i4"]]  # the same size and type tag, another schema
    local = b("publish_struct", topic="shape/pose", fields=other, value=[0, 0, 0])["schema"]
    before = b("channels")["channels"]
    b("bridge", name="in", args=["in", "--connect", ep, "--stats", "60"])
    time.sleep(0.3)
    network = a("publish_struct", topic="shape/pose", fields=POSE, value=[1.5, -2.0, 7])["schema"]
    time.sleep(0.8)
    stopped = b("stop", name="in")
    text = "\n".join(stopped["stderr"])
    assert "refusing topic 'shape/pose'" in text, text
    assert f"{fnv1a64(local.encode()):016x}" in text and f"{fnv1a64(network.encode()):016x}" in text, text
    s = stats_of(stopped["stdout"])
    assert s["dropped"] >= 1 and s["in"] == 0, s
    assert b("channels")["channels"] == before  # nothing written
    assert b("discover", topic="shape/pose", timeout=1)["fields"] == other
    assert a("stop", name="out")["rc"] == 0
    assert a.finish(["shape/pose"]) == [] and b.finish(["shape/pose"]) == []


def test_values_wait_for_their_description_and_bad_descriptions_are_malformed(hosts):
    b = hosts()
    ctx = zmq.Context()
    xpub = ctx.socket(zmq.XPUB)  # a raw sender that sees what the in side asks for
    xpub.setsockopt(zmq.LINGER, 0)
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)
    port = xpub.bind_to_random_port("tcp://127.0.0.1")
    b("bridge", name="in", args=["in", "--connect", f"tcp://127.0.0.1:{port}", "--max-size", "1024",
                                 "--stats", "60"])
    assert xpub.poll(5000) and xpub.recv() == b"\x01"  # the in side subscribes to everything
    text = b"(2,)<f4"
    value = header(topic=b"raw/v", payload_size=8, sequence=1, schema_hash=fnv1a64(text)) + struct.pack("<2f", 1, 2)
    xpub.send(value)  # no description yet: held back, and the in side asks for a republish
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and xpub.poll(100):
        request = xpub.recv()
        if request.startswith(b"\x01svipc-bridge-describe/"):
            break
    else:
        pytest.fail("no republish request")
    assert b("channels")["channels"] == {}
    kinds = {
        "bad_description": [description(text, schema_hash=fnv1a64(b"<f8")),     # another text's hash
                            description(b"(2,)<f4 " * 256),                     # 2048 bytes: too long
                            description(b"(2,)<f\x01"),                          # not printable
                            description(b"(2,)<f4\x00"),                         # a NUL
                            description(b"", schema_hash=1)],                    # empty
        "unknown_version": [description(text, version=1, header_size=128)],     # on a format 1 header
        "bad_header": [description(text)[:14] + b"\x03\x00" + description(text)[16:]],  # a repeated description
    }
    for messages in kinds.values():
        for m in messages:
            xpub.send(m)
    time.sleep(0.5)
    assert b("channels")["channels"] == {}  # nothing created
    xpub.send(description(text))  # what a bridge out sends before the value
    xpub.send(value)
    got = b("discover", topic="raw/v", expect=[1.0, 2.0], timeout=3)
    assert got["found"] and got["schema"] == text.decode(), got
    stopped = b("stop", name="in")
    assert stopped["rc"] == 0, stopped
    s = stats_of(stopped["stdout"])
    for kind, messages in kinds.items():
        assert s[kind] == len(messages), (kind, s)
    assert s["undescribed"] >= 1 and s["in"] == 1, s
    assert "\n".join(stopped["stderr"]).count("(bad_description)") == 1, stopped["stderr"]
    xpub.close()
    ctx.term()
    assert b.finish(["raw/v"]) == []


def test_binding_beyond_loopback_needs_expose(hosts):
    r = subprocess.run([TOOL, "bridge", "out", "x", "--bind", "tcp://0.0.0.0:0"], capture_output=True, text=True)
    assert r.returncode == 2 and "--expose" in r.stderr


def test_curve_unauthenticated_clients_get_nothing(hosts, tmp_path):
    for name in ("server", "client", "stranger"):
        r = subprocess.run([TOOL, "bridge", "keygen", str(tmp_path / name)], capture_output=True, text=True)
        assert r.returncode == 0 and len(r.stdout.strip()) == 40, r
    assert (tmp_path / "server").stat().st_mode & 0o777 == 0o600
    a, b, c = hosts(), hosts(), hosts()
    ep = a("bridge", name="out", args=["out", "sec/v", "--bind", "0", "--republish", "0.2",
                                       "--curve-secret", str(tmp_path / "server"),
                                       "--curve-allow", str(tmp_path / "client.pub")])["endpoints"][0]
    server_pub = str(tmp_path / "server.pub")
    b("bridge", name="in", args=["in", "--connect", ep, "--curve-server-key", server_pub,
                                 "--curve-secret", str(tmp_path / "client")])
    c("bridge", name="in", args=["in", "--connect", ep, "--curve-server-key", server_pub,
                                 "--curve-secret", str(tmp_path / "stranger")])
    ctx = zmq.Context()
    plain = ctx.socket(zmq.SUB)
    plain.setsockopt(zmq.LINGER, 0)
    plain.setsockopt(zmq.SUBSCRIBE, b"")
    plain.connect(ep)
    time.sleep(0.3)
    a("publish", topic="sec/v", value=7)
    assert b("read", topic="sec/v", default=0, expect=7, timeout=3)["found"]
    time.sleep(0.5)  # several republish periods
    assert c("read", topic="sec/v", default=0, timeout=0.2)["found"] is False
    assert plain.poll(200) == 0  # a plain-text client gets nothing either
    plain.close()
    ctx.term()
    assert c("channels")["channels"] == {}
    assert a("stop", name="out")["rc"] == 0
    assert b("stop", name="in")["rc"] == 0 and c("stop", name="in")["rc"] == 0
    assert a.finish(["sec/v"]) == [] and b.finish(["sec/v"]) == [] and c.finish() == []
