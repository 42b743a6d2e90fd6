#!/bin/sh
# An ARM python3 + numpy + sysv_ipc that runs under qemu-user, for the Python
# tests of a cross build, without touching the machine's own python3:
#   tools/install-cross-python.sh arm64|armhf DIR BUILD_DIR
# Debian 12 cannot install python3:ARCH or python3-numpy:ARCH next to the
# amd64 ones (python3 is Multi-Arch: allowed, python3-numpy not multi-arch:
# apt would remove the host's python3, numpy and meson). So the packages are
# fetched with `apt-get download` and unpacked into DIR/root with dpkg -x.
# pytest is pure Python: the host's copy is used.
# Writes two wrappers that run the ARM programs under qemu-user:
#   DIR/python3  the interpreter. qemu's -0 makes it its own sys.executable,
#                so tests that start `sys.executable` start it again through
#                qemu (no binfmt_misc needed). The caller's PYTHONPATH (the
#                built svipc package, from meson's test environment) comes first.
#   DIR/svipc    BUILD_DIR/tools/svipc, for test_cli.py.
set -eu
arch=${1:?usage: tools/install-cross-python.sh arm64|armhf DIR BUILD_DIR}
dir=${2:?DIR}
build=${3:?BUILD_DIR}
case $arch in
    arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64-static ;;
    armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm-static ;;
    *) echo "unsupported ARCH '$arch' (arm64 or armhf)" >&2; exit 2 ;;
esac
packages="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib python3-numpy python3-sysv-ipc
          libffi8 libexpat1 zlib1g libbz2-1.0 liblzma5 libuuid1 libcrypt1 libblas3 liblapack3 libgfortran5"
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
build=$(cd "$build" && pwd)
rm -rf "$dir/root"
(
    cd "$dir/debs"
    rm -f ./*.deb
    for p in $packages; do
        apt-get download -qq "$p:$arch" 2>/dev/null
    done
)
for deb in "$dir"/debs/*.deb; do
    dpkg -x "$deb" "$dir/root"
done
root=$dir/root
lib=$root/usr/lib/$triplet
cat > "$dir/python3" <<WRAPPER
#!/bin/sh
exec $qemu -0 "\$0" -E PYTHONHOME=$root/usr \\
    -E PYTHONPATH=\${PYTHONPATH:+\$PYTHONPATH:}$root/usr/lib/python3/dist-packages:/usr/lib/python3/dist-packages \\
    -E LD_LIBRARY_PATH=$lib:$root/lib/$triplet:$lib/blas:$lib/lapack \\
    $root/usr/bin/python3.11 "\$@"
WRAPPER
cat > "$dir/svipc" <<WRAPPER
#!/bin/sh
exec $qemu $build/tools/svipc "\$@"
WRAPPER
chmod +x "$dir/python3" "$dir/svipc"
"$dir/python3" -c 'import ctypes, numpy, pytest, sysv_ipc, platform; print("target python:", platform.machine(), "numpy", numpy.__version__)'
