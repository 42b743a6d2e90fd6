#!/bin/sh
# meson setup that also works on an existing build directory:
#   tools/setup-build.sh DIR [meson options...]
set -eu
dir=$1
shift
if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
else
    meson setup "$dir" "$@" >/dev/null
fi
