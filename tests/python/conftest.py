"""Make ctypes_examples/svipc.py importable; the library comes from $SVIPC_LIBRARY (set by meson)."""
import os
import pathlib
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "ctypes_examples"
sys.path.insert(0, str(EXAMPLES))


def pytest_sessionstart(session):
    # The Python tests must never run in the machine's shared IPC namespace:
    # tests/ipcns_run.py sets this after unshare().
    if os.environ.get("SVIPC_PRIVATE_IPCNS") != "1":
        raise SystemExit("run the Python tests through tests/ipcns_run.py (private IPC namespace)")
