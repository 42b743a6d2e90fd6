#!/bin/sh
# The chaos soak (tests/stress/chaos_soak.c) for SECONDS in the reliability
# build (clang 14, ASan + UBSan), in a private IPC namespace; prints its
# figures and exits non-zero unless every required one holds:
#   tools/run-chaos.sh SECONDS          (CI: 60; on demand: 3600)
# $SVIPC_CHAOS_SEED repeats a run's chaos; $SVIPC_RELIABILITY_BUILD picks the
# build directory (default build-reliability). doc/reliability.md has the
# figures of the last long run.
set -eu
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 SECONDS" >&2; exit 2; }
build=${SVIPC_RELIABILITY_BUILD:-build-reliability}
tools/setup-reliability-build.sh "$build"
SVIPC_CHAOS_SECONDS=$1 meson test -C "$build" --suite chaos --logbase testlog-chaos --verbose
