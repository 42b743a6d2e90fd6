#!/bin/sh
# Installs everything svipc needs to build, test and benchmark, from Debian's
# archive only (Debian 12). Run as root, or with sudo available.
set -eu
packages="meson ninja-build gcc g++ pkg-config check python3 python3-numpy python3-pytest python3-sysv-ipc valgrind util-linux binutils clang-14 libclang-rt-14-dev"
packages="$packages libzmq3-dev python3-zmq"  # svipc bridge (ZeroMQ); python3-zmq: raw sockets in its tests
# the Debian packages (debian/, tools/run-deb-tests.sh) and the man page checks
packages="$packages build-essential debhelper dh-python dpkg-dev fakeroot lintian man-db groff-base"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# A foreign architecture (tools/install-cross-deps.sh) can leave one index
# failing on a mirror caught mid-sync; the install below fails loudly if that
# mattered, so only warn here.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq || echo "warning: apt-get update reported errors; installing from the indexes it has" >&2
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $packages >/dev/null
echo "installed: $packages"
