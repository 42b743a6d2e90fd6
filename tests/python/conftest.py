"""The tests import svipc as users do: meson's test environment puts the built
package (build/ctypes_examples/svipc, with the library path recorded) on
PYTHONPATH."""
import os

import pytest


def pytest_sessionstart(session):
    # The Python tests must never run in the machine's shared IPC namespace:
    # tests/ipcns_run.py sets this after unshare().
    if os.environ.get("SVIPC_PRIVATE_IPCNS") != "1":
        raise SystemExit("run the Python tests through tests/ipcns_run.py (private IPC namespace)")


@pytest.fixture
def topic(request):
    """A unique topic name, removed afterwards whatever happened."""
    import svipc  # only tests that use the fixture need the package
    name = f"pytest-{request.node.name}-{os.getpid()}"
    yield name
    try:
        svipc.remove_channel(name)
    except OSError:
        pass
