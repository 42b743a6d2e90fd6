#!/usr/bin/env python3
"""Print one line per libFuzzer test from a meson test log (testlog-fuzz.json):
result, executions, seconds, executions per second and final corpus size, read
from libFuzzer's -print_final_stats output and its last status line."""
import json
import re
import sys


def main(path):
    with open(path) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    failed = 0
    for entry in entries:
        output = entry.get("stdout") or ""
        output += entry.get("stderr") or ""
        units = re.findall(r"stat::number_of_executed_units: (\d+)", output)
        corpus = re.findall(r"corp: (\d+)/", output)
        seconds = entry.get("duration", 0.0)
        executions = int(units[-1]) if units else 0
        rate = executions / seconds if seconds else 0.0
        print(f"{entry['name']}: {entry['result']}, {executions} executions in {seconds:.0f} s "
              f"({rate:.0f}/s), corpus {corpus[-1] if corpus else '?'} inputs")
        failed += entry["result"] != "OK"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
