#!/bin/sh
# Runs every libFuzzer target (tests/fuzz/) for SECONDS each, or only the
# named ones, in the reliability build (clang 14, ASan + UBSan), each in a
# private IPC namespace, starting from the checked-in seed corpora:
#   tools/run-fuzz.sh SECONDS [proc_table|cli_args|channel_layout|channel_open|bridge_wire|schema ...]
# CI runs 30 s per target (tools/run-tests.sh); doc/reliability.md has the
# long runs. Prints executions per target; exits non-zero on any finding
# (the crashing input is left in BUILD/tests/fuzz/TARGET/). BUILD is
# $SVIPC_RELIABILITY_BUILD, default build-reliability.
set -eu
cd "$(dirname "$0")/.."
build=${SVIPC_RELIABILITY_BUILD:-build-reliability}
[ $# -ge 1 ] || { echo "usage: $0 SECONDS [TARGET...]" >&2; exit 2; }
seconds=$1
shift
tools/setup-reliability-build.sh "$build"
tests=""
for target in "$@"; do
    tests="$tests fuzz_$target"
done
status=0
# shellcheck disable=SC2086 # one word per test name
SVIPC_FUZZ_SECONDS=$seconds meson test -C "$build" --suite fuzz --logbase testlog-fuzz \
    --print-errorlogs $tests || status=1
/usr/bin/python3 tools/fuzz-summary.py "$build/meson-logs/testlog-fuzz.json" || status=1
exit $status
