#!/usr/bin/env python3
"""Symbol hygiene: libsvipc.so exports exactly the functions of svipc.map,
all prefixed svipc_, and every one is declared in a public header.

    check_symbols.py LIBRARY MAP_FILE HEADER_DIR [HEADER_DIR...]
"""
import pathlib
import re
import subprocess
import sys


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] != "A":  # 'A' is the version node itself
            names.add(parts[2].split("@")[0])
    return names


def map_nodes(map_file):
    """{symbol: version node} of the version script (SVIPC_0.1 { global: ...; })."""
    text = re.sub(r"/\*.*?\*/", "", pathlib.Path(map_file).read_text(), flags=re.S)
    nodes = {}
    for node, body in re.findall(r"(SVIPC_[\d.]+)\s*\{(.*?)\}", text, flags=re.S):
        for name in re.findall(r"^\s*(svipc_\w+)\s*;", body, flags=re.M):
            nodes[name] = node
    return nodes


def mapped(map_file):
    return set(map_nodes(map_file))


def declared(header_dirs):
    names = set()
    for header in (h for d in header_dirs for h in pathlib.Path(d).glob("*.h*")):
        names |= set(re.findall(r"SVIPC_API\s+[^;(]*?\b(svipc_\w+)\s*\(", header.read_text()))
    return names


def main():
    library, map_file, header_dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    exports, in_map, in_headers = exported(library), mapped(map_file), declared(header_dirs)
    problems = []
    problems += [f"exported without the svipc_ prefix: {n}" for n in sorted(exports) if not n.startswith("svipc_")]
    problems += [f"exported but not in svipc.map: {n}" for n in sorted(exports - in_map)]
    problems += [f"in svipc.map but not exported: {n}" for n in sorted(in_map - exports)]
    problems += [f"exported but declared in no public header: {n}" for n in sorted(exports - in_headers)]
    problems += [f"declared SVIPC_API but not exported: {n}" for n in sorted(in_headers - exports)]
    for p in problems:
        print(p)
    print(f"{len(exports)} exported symbols checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
