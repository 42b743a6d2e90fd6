#!/bin/sh
# Install the build into a temporary root, then build and run a C program
# against the *installed* headers and svipc.pc only: proves a C user can link.
#   installed_consumer.sh BUILD_DIR SOURCE_DIR PYTHON [C_COMPILER [EXE_WRAPPER]]
set -eu
build=$1 src=$2 python=$3 compiler=${4:-cc} wrapper=${5:-}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >/dev/null
pc=$(find "$dest" -name svipc.pc | head -n 1)
[ -n "$pc" ] || { echo "svipc.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags svipc) libs=$(pkg-config --libs svipc)
echo "pkg-config: $cflags $libs"
$compiler -std=c99 -Wall -Wextra -Werror $cflags "$src/doc/examples/shm_hello.c" $libs -o "$dest/shm_hello"
libdir=$(dirname "$(find "$dest" -name 'libsvipc.so.0' | head -n 1)")
LD_LIBRARY_PATH="$libdir" "$python" "$src/tests/ipcns_run.py" $wrapper "$dest/shm_hello"
