#!/usr/bin/python3
"""debian/libsvipcN.symbols lists exactly the symbols of svipc.map, each with
its version node and a Debian version that belongs to that node
(SVIPC_0.2 -> 0.2.x), so dpkg-gensymbols catches any ABI change the map
does not record.

    check_debian_symbols.py MAP_FILE SYMBOLS_FILE
"""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from check_symbols import map_nodes  # noqa: E402  (one parser of svipc.map)


def main():
    nodes = map_nodes(sys.argv[1])
    problems, listed = [], {}
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines()[1:]:
        m = re.match(r"^ (\S+)@(\S+) (\S+)$", line)
        if line.startswith(("*", "|", "#")) or not line.strip():
            continue
        if not m:
            problems.append(f"unparsed line: {line!r}")
            continue
        name, node, version = m.groups()
        if name == node:  # the version node itself
            continue
        listed[name] = node
        if not version.startswith(node.split("_", 1)[1] + "."):
            problems.append(f"{name}@{node}: version {version} is not a release of {node}")
    problems += [f"in svipc.map, not in the symbols file: {n}@{v}" for n, v in sorted(nodes.items())
                 if listed.get(n) != v]
    problems += [f"in the symbols file, not in svipc.map: {n}@{v}" for n, v in sorted(listed.items())
                 if n not in nodes]
    for p in problems:
        print(p)
    print(f"{len(nodes)} symbols of svipc.map, {len(listed)} in the symbols file")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
