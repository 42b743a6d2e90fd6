#!/bin/sh
# Runs one libFuzzer target for $SVIPC_FUZZ_SECONDS (default 30) in a
# private IPC namespace (tests/ipcns_run.py, which also fails the run if a
# System V object is left behind), starting from its checked-in seed corpus:
#   run_fuzz_target.sh TARGET SEED_DIR WORK_DIR
# New inputs go to WORK_DIR/corpus (never into the seed directory), a
# crashing input to WORK_DIR/crash-*; libFuzzer exits non-zero on a finding.
set -eu
target=$1
seeds=$2
work=$3
seconds=${SVIPC_FUZZ_SECONDS:-30}
here=$(dirname "$0")
mkdir -p "$work/corpus"
# -close_fd_mask=3: the CLI target prints usage text; libFuzzer keeps its
# own stderr for reports. The outer timeout only guards against a hang of
# the fuzzer itself (-timeout catches a slow input). -error_exitcode=1:
# libFuzzer's default for a finding is 77, which meson counts as a skip, so a
# crash would not fail the run.
exec timeout --signal=KILL $((seconds + 300)) /usr/bin/python3 "$here/../ipcns_run.py" "$target" \
    -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -print_final_stats=1 -close_fd_mask=3 \
    -artifact_prefix="$work/" "$work/corpus" "$seeds"
