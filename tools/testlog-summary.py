#!/usr/bin/env python3
"""Print 'N passed, N failed, N skipped' from meson testlog.json files.

Meson writes one JSON object per test per line. Missing files count as one
failure each (the stage did not run).
"""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            with open(path) as f:
                lines = [json.loads(line) for line in f if line.strip()]
        except OSError:
            print(f"missing test log: {path}", file=sys.stderr)
            failed += 1
            continue
        for entry in lines:
            result = entry.get("result")
            if result in PASSED:
                passed += 1
            elif result in SKIPPED:
                skipped += 1
            else:
                failed += 1
                print(f"failed: {entry.get('name')} ({result}) in {path}", file=sys.stderr)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
