#!/usr/bin/python3
"""One version everywhere: the meson project version agrees with the library's
file name, soname and run-time svipc_version_string(), debian/changelog, the
Debian package of the soname and its symbols file, svipc(1), and the Python
package's __version__.

    check_version.py SOURCE_ROOT VERSION SOVERSION LIBRARY PYTHON_PATH

PYTHON_PATH: where the build put the Python package (ctypes_examples/ of the
build directory).
"""
import ctypes
import os
import pathlib
import re
import subprocess
import sys


def main():
    root, version, soversion, library, python_path = (pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3],
                                                      sys.argv[4], sys.argv[5])
    problems = []

    def expect(what, found, wanted):
        if found != wanted:
            problems.append(f"{what}: {found!r}, expected {wanted!r}")
        else:
            print(f"{what}: {found}")

    real = pathlib.Path(library).resolve().name
    expect("library file", real, f"libsvipc.so.{version}")
    dynamic = subprocess.run(["readelf", "-d", library], check=True, capture_output=True, text=True).stdout
    soname = re.search(r"\(SONAME\).*\[(.*)\]", dynamic)
    expect("soname", soname and soname.group(1), f"libsvipc.so.{soversion}")
    if int(version.split(".")[0]) > 0:  # from 1.0 on, the soname follows the major version
        expect("soname version", soversion, version.split(".")[0])
    lib = ctypes.CDLL(library)
    lib.svipc_version_string.restype = ctypes.c_char_p
    expect("svipc_version_string()", lib.svipc_version_string().decode(), version)

    changelog = (root / "debian/changelog").read_text()
    top = re.match(r"svipc \(([^)]+)\)", changelog)
    expect("debian/changelog", top and re.sub(r"-[^-]+$", "", top.group(1)), version)
    control = (root / "debian/control").read_text()
    expect("debian/control runtime package", f"libsvipc{soversion}" in re.findall(r"^Package: (\S+)", control,
                                                                                  flags=re.M), True)
    symbols = (root / f"debian/libsvipc{soversion}.symbols").read_text().splitlines()[0]
    expect("symbols file soname", symbols.split()[:2], [f"libsvipc.so.{soversion}", f"libsvipc{soversion}"])
    page = (root / "doc/svipc.1").read_text()
    th = re.search(r'^\.TH .*"svipc ([^"]+)"', page, flags=re.M)
    expect("svipc(1) .TH", th and th.group(1), version)

    # the Python package as this build made it, loading this library
    env = dict(os.environ, SVIPC_LIBRARY=library, PYTHONPATH=python_path)
    py = subprocess.run(["/usr/bin/python3", "-c", "import svipc; print(svipc.__version__)"], env=env,
                        capture_output=True, text=True)
    expect("Python svipc.__version__", py.stdout.strip() or py.stderr.strip().splitlines()[-1:], version)

    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
