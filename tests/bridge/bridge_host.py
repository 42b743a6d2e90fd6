#!/usr/bin/env python3
"""One "host" for the bridge tests: a process in its own IPC namespace that
runs publishers, subscribers and `svipc bridge` processes on command.

The test (tests/python/test_bridge.py) starts one per host and talks JSON
lines over stdin/stdout: {"op": ..., ...} -> {"ok": true, ...} or
{"ok": false, "error": ...}. Payloads of the checksummed topics are one
8-byte little-endian counter repeated to fill the value, so a torn value
(words from two publishes) is detected by comparing every word.

    bridge_host.py SVIPC_TOOL
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))                          # tests/ipcns_run.py

import ipcns_run  # noqa: E402

TOOL = sys.argv[1] if len(sys.argv) > 1 else "svipc"


def payload(counter, size):
    return counter.to_bytes(8, "little") * (size // 8)


def counter_of(data):
    """The value's counter, or -1 when its words disagree (torn)."""
    first = data[:8]
    return int.from_bytes(first, "little") if data == first * (len(data) // 8) else -1


class Bridge:
    def __init__(self, args):
        self.proc = subprocess.Popen([TOOL, "bridge", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.lines = []
        self.err = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))
            if line.startswith("ready"):
                self.ready.set()

    def endpoints(self):
        return [line.split()[2] for line in self.lines if line.startswith(("out bound", "in bound"))]


class Worker:
    """A daemon thread running self._run until self.stop is set."""

    def start(self):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()


class Stream(Worker):
    """A publisher thread: counters 1, 2, ... every `period` seconds."""

    def __init__(self, topic, size, period):
        import svipc
        self.pub = svipc.Publisher(topic, payload(0, size))
        self.size, self.period = size, period
        self.last = 0
        self.start()

    def _run(self):
        while not self.stop.is_set():
            self.last += 1
            self.pub.publish(payload(self.last, self.size))
            time.sleep(self.period)


class Collector(Worker):
    """A subscriber thread: every value it sees, checked for tearing and order."""

    def __init__(self, topic, size):
        import svipc
        self.sub = svipc.Subscriber(topic, payload(0, size))
        self.count = self.torn = self.backwards = self.repeated = 0
        self.last = 0
        self.start()

    def _run(self):
        while not self.stop.is_set():
            value, ok = self.sub.wait_new(timeout=0.05)
            if not ok:
                continue
            c = counter_of(value)
            self.count += 1
            if c < 0:
                self.torn += 1
            elif c < self.last:
                self.backwards += 1
            elif c == self.last:
                self.repeated += 1
            else:
                self.last = c


class Host:
    def __init__(self):
        self.bridges, self.streams, self.collectors, self.publishers = {}, {}, {}, {}

    def op_bridge(self, name, args, wait=True):
        b = self.bridges[name] = Bridge(args)
        if wait and not b.ready.wait(10):
            b.proc.kill()
            b.proc.wait()
            return {"ok": False, "error": "bridge not ready", "stderr": b.err, "stdout": b.lines,
                    "rc": b.proc.returncode}
        return {"endpoints": b.endpoints(), "rc": b.proc.poll(), "stderr": b.err}

    def op_stop(self, name, sig="INT"):
        b = self.bridges.pop(name)
        b.proc.send_signal(getattr(signal, "SIG" + sig))
        rc = b.proc.wait(10)
        time.sleep(0.05)  # let the reader threads take the last lines
        return {"rc": rc, "stdout": b.lines, "stderr": b.err}

    def op_alive(self, name):
        b = self.bridges[name]
        return {"alive": b.proc.poll() is None, "stdout": b.lines, "stderr": b.err}

    def op_stream(self, topic, size, period):
        self.streams[topic] = Stream(topic, size, period)
        return {}

    def op_stream_stop(self, topic):
        s = self.streams.pop(topic)
        s.stop.set()
        s.thread.join()
        last = s.last
        s.pub.remove()
        s.pub.close()
        return {"last": last}

    def op_collect(self, topic, size):
        self.collectors[topic] = Collector(topic, size)
        return {}

    def op_collected(self, topic, until=None, timeout=5.0):
        c = self.collectors[topic]
        deadline = time.monotonic() + timeout
        while until is not None and c.last < until and time.monotonic() < deadline:
            time.sleep(0.01)
        return {"count": c.count, "torn": c.torn, "backwards": c.backwards, "repeated": c.repeated, "last": c.last}

    def op_collect_stop(self, topic):
        c = self.collectors.pop(topic)
        c.stop.set()
        c.thread.join()
        c.sub.close()
        return {}

    def op_publish(self, topic, value):
        """Publish one Python value (float, int or a counter payload {"counter": n, "size": s})."""
        import svipc
        if isinstance(value, dict):
            value = payload(value["counter"], value["size"])
        if topic not in self.publishers:
            self.publishers[topic] = svipc.Publisher(topic, value)
        self.publishers[topic].publish(value)
        return {}

    def op_publish_struct(self, topic, fields, value):
        """Publish one numpy structured value: fields [[name, format], ...], value [field values]."""
        import numpy as np
        import svipc
        item = np.zeros((), np.dtype([tuple(f) for f in fields]))
        for (name, _), v in zip(fields, value):
            item[name] = v
        if topic not in self.publishers:
            self.publishers[topic] = svipc.Publisher(topic, item)
        self.publishers[topic].publish(item)
        return {"schema": self.publishers[topic].schema}

    def op_discover(self, topic, timeout=5.0, expect=None):
        """A Subscriber without a default: the dtype the channel's schema gives,
        and the value (as a list of field values) once it equals `expect`."""
        import svipc
        with svipc.Subscriber(topic) as sub:
            deadline = time.monotonic() + timeout
            while True:
                raw, ok = sub.subscribe()
                value = list(raw.tolist()) if ok else None
                if ok and (expect is None or value == expect):
                    return {"found": True, "value": value, "schema": sub.schema,
                            "fields": [[n, raw.dtype.fields[n][0].str] for n in raw.dtype.names or ()]}
                if time.monotonic() > deadline:
                    return {"found": False, "value": value, "schema": sub.schema}
                time.sleep(0.005)

    def op_info(self, topic):
        """The topic's entry in `svipc topic info NAME --json`."""
        r = subprocess.run([TOOL, "topic", "info", topic, "--json"], capture_output=True, text=True)
        return {"rc": r.returncode, "info": json.loads(r.stdout)["topics"][0] if r.returncode == 0 else None,
                "stderr": r.stderr}

    def op_read(self, topic, default, timeout=5.0, expect=None):
        """Poll the topic until it holds `expect` (or any value) or the timeout."""
        import svipc
        if isinstance(default, dict):
            default = payload(0, default["size"])
        with svipc.Subscriber(topic, default) as sub:
            deadline = time.monotonic() + timeout
            started = time.monotonic()
            while True:
                value, ok = sub.subscribe()
                if isinstance(value, bytes):
                    value = counter_of(value)
                if ok and (expect is None or value == expect):
                    return {"value": value, "found": True, "seconds": time.monotonic() - started}
                if time.monotonic() > deadline:
                    return {"value": value if ok else None, "found": False}
                time.sleep(0.005)

    def op_channels(self):
        """{key: latest_sequence} of every channel in this namespace."""
        out = subprocess.run([TOOL, "ls", "--shm", "--channels", "--json"], capture_output=True, text=True,
                             check=True).stdout
        return {"channels": {s["key"]: s["channel"]["latest_sequence"]
                             for s in json.loads(out)["sharedmemory"] if s.get("channel")}}

    def op_remove(self, names):
        for topic in list(self.publishers):
            self.publishers.pop(topic).close()
        for name in names:
            subprocess.run([TOOL, "rm", "--name", name], capture_output=True)
        return {}

    def op_leftovers(self):
        return {"leftovers": ipcns_run.leftover_objects()}

    def shutdown(self):
        for b in self.bridges.values():
            b.proc.kill()
            b.proc.wait()
        for topic in list(self.collectors):
            self.op_collect_stop(topic)
        for topic in list(self.streams):
            self.op_stream_stop(topic)
        for p in self.publishers.values():
            p.close()


def main():
    ipcns_run.enter_private_ipc_namespace()
    host = Host()
    print(json.dumps({"ok": True, "pid": os.getpid()}), flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.pop("op")
            if op == "exit":
                break
            try:
                reply = getattr(host, "op_" + op)(**request)
                reply.setdefault("ok", True)
            except Exception as e:  # report, keep serving: the test decides
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
            print(json.dumps(reply), flush=True)
    finally:
        host.shutdown()


if __name__ == "__main__":
    main()
