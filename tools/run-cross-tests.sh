#!/bin/bash
# Cross-builds svipc for a 64-bit or 32-bit ARM target and runs its tests
# under qemu-user, which meson uses as the exe wrapper (tools/cross/*.ini):
#   tools/run-cross-tests.sh arm64|armhf
# Installs what it needs first (tools/install-cross-deps.sh, and the target's
# python3 + numpy unpacked into build-ARCH-python/ by
# tools/install-cross-python.sh). Builds in build-ARCH/ and runs the Check
# suites (each enters its own private IPC namespace, as natively), the ABI
# tests, the installed-consumer test, and the Python tests and examples.
# qemu-user runs ARM code with the host's (x86) memory ordering, so a pass
# here says nothing about ordering: doc/channel.md argues that part.
# What qemu-user cannot do is skipped visibly (SVIPC-SKIPPED lines, listed at
# the end; doc/platforms.md says why). Ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
arch=${1:-}
case $arch in
    arm64) cross=tools/cross/aarch64-linux-gnu.ini ;;
    armhf) cross=tools/cross/arm-linux-gnueabihf.ini ;;
    *) echo "usage: tools/run-cross-tests.sh arm64|armhf" >&2; exit 2 ;;
esac
python=/usr/bin/python3
dir=build-$arch
pydir=build-$arch-python
status=0

stage() {
    echo "=== $arch: $*"
    "$@" || status=1
}

tools/install-cross-deps.sh "$arch" || exit 1
mkdir -p "$dir"
if tools/install-cross-python.sh "$arch" "$pydir" "$dir"; then
    python_option=-Dcross_python_dir=$PWD/$pydir
else
    echo "warning: no $arch python3; the Python tests will be one visible SKIP" >&2
    python_option=-Dcross_python_dir=
fi
stage tools/setup-build.sh "$dir" --cross-file "$cross" "$python_option"
stage meson compile -C "$dir"
# Emulation is several times slower than native, and this machine is shared:
# scale both meson's and Check's per-test timeouts.
stage env CK_TIMEOUT_MULTIPLIER=3 meson test -C "$dir" --print-errorlogs --timeout-multiplier 3

echo "--- $arch: skipped under qemu-user (see doc/platforms.md)"
grep -ho 'SVIPC-SKIPPED.*' "$dir/meson-logs/testlog.txt" 2>/dev/null | sort -u
echo "--- $arch totals"
"$python" tools/testlog-summary.py "$dir/meson-logs/testlog.json" || status=1
exit $status
