"""Every Python snippet of README.md and doc/python.md runs (in a child
process, in this private IPC namespace, after `import svipc` as the first
snippet of a document does), then whatever it left is removed."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import svipc

SOURCE = pathlib.Path(os.environ["SVIPC_SOURCE_ROOT"])
DOCUMENTS = ["README.md", "doc/python.md"]


def snippets():
    for document in DOCUMENTS:
        text = (SOURCE / document).read_text()
        for number, code in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.S)):
            yield pytest.param(code, id=f"{document}#{number}")


def remove_everything():
    for shm in svipc.list_shm():
        svipc.remove_shm_id(shm.id)
    for sem in svipc.list_sem():
        svipc.remove_sem_id(sem.id)
    for msg in svipc.list_msg():
        svipc.remove_msg_id(msg.id)


@pytest.mark.parametrize("code", snippets())
def test_snippet_runs(code, tmp_path):
    try:
        result = subprocess.run([sys.executable, "-c", "import svipc\n" + code], capture_output=True, text=True, cwd=tmp_path,
                                timeout=60)
        assert result.returncode == 0, result.stderr
    finally:
        remove_everything()
