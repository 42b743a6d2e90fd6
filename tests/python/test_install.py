"""`meson install` into a temporary prefix, then `import svipc` from there in a
fresh interpreter with a clean environment (no SVIPC_LIBRARY, no
PYTHONPATH): the installed package finds the installed library through the
path recorded at build time, and a message makes a round trip."""
import os
import pathlib
import subprocess

SOURCE = os.environ["SVIPC_SOURCE_ROOT"]
ROUND_TRIP = """
import sys
sys.path.insert(0, sys.argv[1])  # the prefix's site-packages, as a system Python has it on its path
import svipc
assert svipc.library_path.startswith(sys.argv[2]), svipc.library_path
q = svipc.MessageQueue()
q.send(b"installed", 7)
print(q.receive(), svipc.__version__, svipc.__file__)
q.remove()
"""


def test_installed_package_imports_in_a_clean_environment(tmp_path):
    prefix = tmp_path / "prefix"
    build = tmp_path / "build"
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path)}
    subprocess.run(["meson", "setup", str(build), SOURCE, f"--prefix={prefix}", "-Dtests=false",
                    "-Dbuildtype=plain", "-Dwerror=false"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["meson", "install", "-C", str(build)], check=True, env=env, stdout=subprocess.DEVNULL)
    packages = [p.parent for p in prefix.rglob("svipc/__init__.py")]
    assert len(packages) == 1, packages
    site = packages[0].parent
    assert site.relative_to(prefix).parts[:2] == ("lib", "python3") and site.name == "dist-packages"
    assert (packages[0] / "py.typed").exists()
    result = subprocess.run(["/usr/bin/python3", "-I", "-c", ROUND_TRIP, str(site), str(prefix)],
                            capture_output=True, text=True, env={}, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(b'installed', 7) 0.1.0 " + str(site))
