#!/usr/bin/env python3
"""Layering of lib/: every include in lib/ and capi/ must be allowed by the
table in lib/README.md (which folder may include which), so a lower layer
that includes a higher one, or one object kind that includes another outside
a documented seam, fails the build's tests.

    check_layering.py SOURCE_ROOT

Checked per file: quoted includes, and angle includes whose first path
component is a lib/ folder. An include must be lib-relative ("folder/x.hpp")
naming the file's own folder or one the table lists for it; capi/ may also
include its own files by bare name (guard.hpp). Every lib/ folder with
sources must have a row in the table.
"""
import pathlib
import re
import sys

SOURCE_SUFFIXES = {".c", ".cc", ".cpp", ".h", ".hpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
TABLE_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|([^|]*)\|\s*$", re.M)


def read_table(readme):
    """{folder: set of folders it may include} from lib/README.md."""
    table = {}
    for folder, allowed in TABLE_ROW.findall(readme.read_text()):
        table[folder] = set(re.findall(r"`(\w+)`", allowed))
    return table


def violations(root, table):
    lib = root / "lib"
    lib_folders = {d.name for d in lib.iterdir() if d.is_dir()}
    found = []
    for folder in sorted(lib_folders - table.keys()):
        found.append(f"lib/{folder}/ has no row in lib/README.md's include table")
    checked = [(lib / name, name) for name in sorted(lib_folders & table.keys())]
    checked.append((root / "capi", "capi"))
    for directory, folder in checked:
        allowed = table.get(folder, set()) | {folder}
        for path in sorted(directory.rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES:
                continue
            text = path.read_text(errors="replace")
            for match in INCLUDE.finditer(text):
                quote, target = match.groups()
                line = text.count("\n", 0, match.start()) + 1
                where = f"{path.relative_to(root)}:{line}"
                first = target.split("/")[0]
                if quote == "<" and first not in lib_folders and first != "capi":
                    continue  # system or public (<svipc/...>) header
                if "/" not in target:
                    if folder == "capi" and quote == '"' and (directory / target).is_file():
                        continue  # capi's own guard.hpp
                    if (root / "capi" / target).is_file():
                        found.append(f"{where}: {target} is capi's (nothing in lib/ includes capi/)")
                    else:
                        found.append(f'{where}: "{target}" is not lib-relative (write "{folder}/{target}")')
                elif first == "capi" or first == "..":
                    found.append(f"{where}: {target} reaches outside lib/ (nothing in lib/ includes capi/)")
                elif first not in lib_folders:
                    found.append(f"{where}: {target} names no lib/ folder")
                elif first not in allowed:
                    found.append(f"{where}: {folder}/ may not include {target} "
                                 f"(allowed: {', '.join(sorted(allowed))}; see lib/README.md)")
    return found


def main():
    root = pathlib.Path(sys.argv[1])
    table = read_table(root / "lib" / "README.md")
    if not table:
        print("lib/README.md has no include table", file=sys.stderr)
        return 1
    found = violations(root, table)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"{len(found)} layering violation(s)", file=sys.stderr)
        return 1
    print(f"layering ok: {', '.join(f'{k} -> {sorted(v)}' for k, v in table.items())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
