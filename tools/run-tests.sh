#!/bin/bash
# Builds and runs every svipc test:
#   1. build/       the normal build: Check suites, ABI tests, Python tests and examples
#   2. build-asan/  AddressSanitizer + UBSan: the same, Python with the sanitizer runtimes preloaded
#   3. build/ again under valgrind (`--setup valgrind`): the Check suites
#   4. build-reliability/ (clang 14, ASan + UBSan): the chaos soak for 60 s and
#      each libFuzzer target for 30 s (doc/reliability.md)
#   5. build-deb/   the Debian packages built, linted, unpacked and smoke-tested (tools/run-deb-tests.sh)
#   6. build-arm64/, build-armhf/: cross builds whose whole suites run under qemu-user
#      (tools/run-cross-tests.sh, doc/platforms.md), each timed; on amd64 hosts only
# Every suite enters its own private IPC namespace. Exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
python=/usr/bin/python3
status=0

stage() {
    local name=$1
    shift
    echo "=== $name: $*"
    "$@" || status=1
}

stage build tools/setup-build.sh build
stage build meson compile -C build
stage build meson test -C build --print-errorlogs
stage asan tools/setup-build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dpython_tests=true
stage asan meson compile -C build-asan
stage asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs
stage valgrind meson test -C build --setup valgrind --suite check --print-errorlogs
stage reliability tools/run-chaos.sh 60
stage reliability tools/run-fuzz.sh 30

stage deb tools/run-deb-tests.sh build-deb
# The ARM stages emulate ARM on a PC; on an ARM board the stages above are
# already the native ARM test (doc/platforms.md).
cross_logs=""
if [ "$(dpkg --print-architecture)" = amd64 ]; then
    for arch in arm64 armhf; do
        start=$(date +%s)
        stage cross tools/run-cross-tests.sh "$arch"
        echo "=== cross $arch took $(( $(date +%s) - start )) s"
        cross_logs="$cross_logs build-$arch/meson-logs/testlog.json"
    done
fi

"$python" tools/testlog-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json \
    build/meson-logs/testlog-valgrind.json \
    build-reliability/meson-logs/testlog-chaos.json build-reliability/meson-logs/testlog-fuzz.json \
    build-deb/meson-logs/testlog.json $cross_logs || status=1
exit $status
