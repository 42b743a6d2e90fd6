#!/bin/sh
# Installs what tools/run-cross-tests.sh needs to build svipc for ARCH and run
# its tests under qemu-user, from Debian's archive only (Debian 12):
#   tools/install-cross-deps.sh arm64|armhf
# The cross compiler (crossbuild-essential-ARCH), the target's Check (Debian 12 calls libcheck-dev "check")
# (multiarch: dpkg --add-architecture ARCH), and qemu-user-static, which meson
# uses as the exe wrapper. binfmt_misc is not needed: meson runs every test
# binary through the wrapper explicitly. Python 3 and numpy for ARCH are
# installed too when available, for the Python tests under qemu.
set -eu
arch=${1:?usage: tools/install-cross-deps.sh arm64|armhf}
case $arch in
    arm64|armhf) ;;
    *) echo "unsupported ARCH '$arch' (arm64 or armhf)" >&2; exit 2 ;;
esac
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
packages="crossbuild-essential-$arch check:$arch libstdc++6:$arch qemu-user-static meson ninja-build pkg-config util-linux"
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    $sudo dpkg --add-architecture "$arch"
fi
# A mirror caught mid-sync can fail one index (seen for bookworm-security's
# armhf Packages.xz); the install below still fails loudly if that mattered.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq ||
    echo "warning: apt-get update reported errors; installing from the indexes it has" >&2
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $packages >/dev/null
echo "installed: $packages"
