"""The Python package against the C side: the export list, the headers'
constants and struct layouts (printed by abi_probe, built by meson)."""
import ctypes
import os
import pathlib
import re
import subprocess

import svipc
from svipc import _constants, _lib, _structs

SOURCE = pathlib.Path(os.environ["SVIPC_SOURCE_ROOT"])
PROBE = os.environ["SVIPC_ABI_PROBE"]
# A cross build's probe is a target program: it runs through qemu-user.
PROBE_WRAPPER = [os.environ["SVIPC_ABI_PROBE_WRAPPER"]] if os.environ.get("SVIPC_ABI_PROBE_WRAPPER") else []


def probe():
    out = subprocess.run(PROBE_WRAPPER + [PROBE], capture_output=True, text=True, check=True).stdout
    constants, strings, sizes, fields = {}, {}, {}, {}
    for line in out.splitlines():
        kind, *rest = line.split(" ")
        if kind == "constant":
            constants[rest[0]] = int(rest[1])
        elif kind == "string":
            strings[rest[0]] = " ".join(rest[1:])
        elif kind == "struct":
            sizes[rest[0]] = int(rest[1])
        elif kind == "field":
            fields.setdefault(rest[0], []).append((rest[1], int(rest[2])))
    return constants, strings, sizes, fields


def exported_symbols():
    text = (SOURCE / "capi" / "svipc.map").read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(re.findall(r"^\s*(svipc_\w+);", text, flags=re.M))


def header_parameter_counts():
    counts = {}
    for header in [*(SOURCE / "include" / "svipc").glob("*.h"), SOURCE / "include" / "svipc" / "version.h.in"]:
        text = re.sub(r"/\*.*?\*/", "", header.read_text(), flags=re.S)
        for name, params in re.findall(r"SVIPC_API[^;(]*?\b(svipc_\w+)\s*\(([^)]*)\)\s*;", text, flags=re.S):
            params = params.strip()
            counts[name] = 0 if params in ("", "void") else params.count(",") + 1
    return counts


def test_every_exported_function_has_exactly_one_signature_and_no_other():
    assert set(_lib.SIGNATURES) == exported_symbols()


def test_each_signature_has_the_headers_parameter_count():
    counts = header_parameter_counts()
    assert set(counts) == set(_lib.SIGNATURES)
    wrong = {name: (len(argtypes), counts[name]) for name, (_, argtypes, _) in _lib.SIGNATURES.items()
             if len(argtypes) != counts[name]}
    assert wrong == {}


def test_every_constant_equals_the_headers_value():
    constants, strings, _, _ = probe()
    ours = {name: value for name, value in vars(_constants).items() if name.startswith("SVIPC_")}
    assert set(ours) == set(constants) | set(strings)
    assert {name: ours[name] for name in constants} == constants
    assert ours["SVIPC_VERSION_STRING"] == strings["SVIPC_VERSION_STRING"] == svipc.__version__


def test_every_struct_has_the_c_size_and_field_offsets():
    _, _, sizes, fields = probe()
    assert set(_structs.C_NAMES.values()) == set(sizes)
    for cls, c_name in _structs.C_NAMES.items():
        assert ctypes.sizeof(cls) == sizes[c_name], c_name
        ours = [(name, getattr(cls, name).offset) for name, *_ in cls._fields_]
        assert ours == fields[c_name], c_name


def test_version_and_library_path():
    assert svipc.version == _constants.SVIPC_VERSION_NUMBER
    assert svipc.version_string == svipc.__version__
    assert os.path.samefile(svipc.library_path, os.environ["SVIPC_LIBRARY"])


def test_a_library_of_another_major_version_is_refused(tmp_path):
    if PROBE_WRAPPER:
        import pytest
        pytest.skip("SVIPC-SKIPPED major-version refusal: the stand-in library is built by the build machine's cc, "
                    "which a cross build's python3 cannot load (the check is pure Python, run natively)")
    # A stand-in library whose svipc_version() says major 99.
    source = tmp_path / "fake.c"
    source.write_text("unsigned svipc_version(void) { return 990000; }\n"
                      "const char *svipc_version_string(void) { return \"99.0.0\"; }\n")
    fake = tmp_path / "libsvipc.so"
    if subprocess.run(["cc", "-shared", "-fPIC", "-o", str(fake), str(source)]).returncode != 0:
        import pytest
        pytest.skip("no C compiler")
    code = "import svipc"
    result = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                            env={**os.environ, "SVIPC_LIBRARY": str(fake), "LD_PRELOAD": ""})
    assert result.returncode != 0
    assert "needs major 0" in result.stderr and "99.0.0" in result.stderr
