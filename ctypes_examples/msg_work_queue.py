#!/usr/bin/env python3
"""A work queue on one System V message queue: a dispatcher and two workers.

The message type routes each message:
  type 1  word-count jobs, taken only by the "words" worker   (receive(1))
  type 2  checksum jobs,   taken only by the "digest" worker  (receive(2))
  type 3  results, taken by the dispatcher                    (receive(3))
An empty job is the signal to stop. Jobs and results are JSON.

The dispatcher waits for results with a timeout, so a crashed worker shows up
as a TimeoutError instead of a hang, and it removes the queue at the end (the
queue would otherwise outlive every process; closing a handle never removes it).

Run: python3 msg_work_queue.py   (inside a private IPC namespace for tests:
tests/ipcns_run.py python3 ctypes_examples/msg_work_queue.py)
"""
import hashlib
import json
import os
import sys

import svipc

WORDS, DIGEST, RESULT = 1, 2, 3
WORKERS = {WORDS: "words", DIGEST: "digest"}

TEXTS = [
    "the quick brown fox jumps over the lazy dog",
    "System V message queues route by type",
    "a dispatcher hands out work and collects results",
    "two workers each take only the jobs of their own type",
    "nothing is left behind once the queue is removed",
]


def do_job(kind, text):
    if kind == WORDS:
        return len(text.split())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def worker(queue_id, kind):
    """Runs in a child process: its own handle on the queue (handles do not cross fork)."""
    with svipc.MessageQueue.open_id(queue_id) as queue:
        while True:
            body, _ = queue.receive(kind)  # only this worker's type
            if not body:
                return 0                   # stop
            job = json.loads(body)
            result = {"id": job["id"], "worker": WORKERS[kind], "pid": os.getpid(),
                      "value": do_job(kind, job["text"])}
            queue.send(json.dumps(result).encode(), RESULT, timeout=10)


def main():
    queue = svipc.MessageQueue()  # IPC_PRIVATE: the workers reach it by id, known across fork
    pids = []
    try:
        for kind in WORKERS:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    code = worker(queue.id, kind)
                finally:
                    os._exit(code)
            pids.append(pid)

        jobs = [{"id": i, "kind": WORDS if i % 2 == 0 else DIGEST, "text": TEXTS[i % len(TEXTS)]}
                for i in range(12)]
        for job in jobs:
            queue.send(json.dumps(job).encode(), job["kind"], timeout=10)
        print(f"dispatcher {os.getpid()}: sent {len(jobs)} jobs on queue {queue.id}")

        results = {}
        while len(results) < len(jobs):
            body, _ = queue.receive(RESULT, timeout=10)
            result = json.loads(body)
            results[result["id"]] = result
        for job in jobs:
            result = results[job["id"]]
            assert result["worker"] == WORKERS[job["kind"]], (job, result)
            assert result["value"] == do_job(job["kind"], job["text"]), (job, result)
            print(f"job {job['id']:2} {WORKERS[job['kind']]:6} by pid {result['pid']}: {result['value']}")

        for kind in WORKERS:
            queue.send(b"", kind)  # stop each worker
        for pid in pids:
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0, f"worker {pid} failed"
        pids.clear()
        info = queue.stat()
        print(f"done: {info.messages} messages left, last sender {info.lspid}, last receiver {info.lrpid}")
        return 0
    finally:
        for pid in pids:  # only on failure: do not leave workers blocked forever
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        queue.remove()
        queue.close()


if __name__ == "__main__":
    sys.exit(main())
