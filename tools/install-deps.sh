#!/bin/sh
# Installs everything svipc needs to build, test and benchmark, from Debian's
# archive only (Debian 12). Run as root, or with sudo available.
set -eu
packages="meson ninja-build gcc g++ pkg-config check python3 python3-numpy python3-pytest python3-sysv-ipc valgrind util-linux binutils"
# the Debian packages (debian/, tools/run-deb-tests.sh) and the man page checks
packages="$packages build-essential debhelper dh-python dpkg-dev fakeroot lintian man-db groff-base"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "installed: $packages"
