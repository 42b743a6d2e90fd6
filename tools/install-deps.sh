#!/bin/sh
# Installs everything svipc needs to build, test and benchmark, from Debian's
# archive only (Debian 12). Run as root, or with sudo available.
set -eu
packages="meson ninja-build gcc g++ pkg-config check python3 python3-numpy python3-pytest python3-sysv-ipc valgrind util-linux binutils"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# A mirror caught mid-sync fails `update` for one index (here: a foreign
# architecture's); the install below still fails if a package is missing.
$sudo apt-get update -qq || echo "install-deps: apt-get update reported errors; installing from the package lists there are" >&2
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "installed: $packages"
