#!/bin/bash
# The Debian packages, built and used as a Debian user gets them, without
# installing anything into this machine's system paths:
#   1. dpkg-buildpackage -us -uc -b on a copy of this tree (so its artefacts,
#      which dpkg-buildpackage writes to the parent directory, stay in OUT);
#   2. lintian on the source package and the binary packages: no errors
#      (warnings are listed in OUT/lintian.log);
#   3. dpkg -x of the four packages into a throwaway root, then smoke tests
#      from that root: a C program built with the unpacked svipc.pc, the
#      unpacked svipc --version and svipc ls, the Python package imported from
#      the root (and only from there) doing a round trip, the man pages.
# The package build skips the test suites (DEB_BUILD_OPTIONS=nocheck): the
# other stages of tools/run-tests.sh have just run them on the same sources.
# Each check adds one line to OUT/meson-logs/testlog.json in meson's format,
# so tools/testlog-summary.py counts them with the suites.
#   tools/run-deb-tests.sh [OUT]        (default: build-deb)
set -u
cd "$(dirname "$0")/.."
src=$PWD
out=$(realpath -m "${1:-build-deb}")
python=/usr/bin/python3
rm -rf "$out"
mkdir -p "$out/meson-logs"
log=$out/meson-logs/testlog.json
: >"$log"
status=0
version=$(sed -n '1s/^svipc (\([^)]*\)).*/\1/p' debian/changelog)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
root=$out/root
libdir=$root/usr/lib/$multiarch
packages="libsvipc0 libsvipc-dev python3-svipc svipc-tools"

# check NAME COMMAND...: run it, its output to OUT/NAME.log, record the result.
check() {
    local name=$1 result=OK start end seconds
    shift
    start=$(date +%s.%N)
    "$@" >"$out/$name.log" 2>&1 || result=FAIL
    end=$(date +%s.%N)
    seconds=$(awk "BEGIN { printf \"%.2f\", $end - $start }")
    printf '{"name": "deb_%s", "result": "%s", "duration": %s}\n' "$name" "$result" "$seconds" >>"$log"
    printf '%-16s %-4s %8s s\n' "deb_$name" "$result" "$seconds"
    if [ $result = FAIL ]; then
        status=1
        tail -n 30 "$out/$name.log" | sed 's/^/    /'
    fi
}

build() {
    local copy=$out/src/svipc-$version
    mkdir -p "$copy"
    # the tracked and new files of this tree, not its build directories
    git ls-files -z --cached --others --exclude-standard | tar -C "$src" --null -T - -cf - | tar -C "$copy" -xf -
    # the source package first, from the clean copy (lintian checks it too)
    (cd "$out/src" && dpkg-source -b "svipc-$version") || return 1
    (cd "$copy" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) || return 1
    for p in $packages; do
        ls "$out/src/${p}_${version}_"*.deb || { echo "no package $p"; return 1; }
    done
}

run_lintian() {
    # errors fail; a warning is either fixed or overridden in debian/*lintian-overrides with its reason
    lintian --fail-on error --display-info "$out/src/svipc_$version.dsc" "$out"/src/svipc_"${version}"_*.changes
}

unpack() {
    for p in $packages; do
        dpkg -x "$out"/src/"${p}_${version}"_*.deb "$root" || return 1
    done
    find "$root" -type f -o -type l | sed "s|^$root||" | sort
    # apt refuses a package with a file that an installed package owns (Debian's
    # manpages owns svipc(7), so the overview is libsvipc(7)): none may be owned
    local owned
    owned=$(find "$root" \( -type f -o -type l \) -printf '/%P\n' | xargs -r dpkg -S 2>/dev/null |
        grep -Ev "^(libsvipc0|libsvipc-dev|python3-svipc|svipc-tools)(:[a-z0-9]+)?: ")
    if [ -n "$owned" ]; then
        echo "files owned by installed packages:"
        echo "$owned"
        return 1
    fi
}

c_consumer() {
    local pc_dir=$libdir/pkgconfig
    local cflags libs
    cflags=$(PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_LIBDIR=$pc_dir PKG_CONFIG_SYSROOT_DIR=$root \
        pkg-config --cflags svipc) || return 1
    libs=$(PKG_CONFIG_PATH=$pc_dir PKG_CONFIG_LIBDIR=$pc_dir PKG_CONFIG_SYSROOT_DIR=$root \
        pkg-config --libs svipc) || return 1
    echo "pkg-config: $cflags $libs"
    case "$cflags $libs" in *"$root"*) ;; *) echo "pkg-config did not point into $root"; return 1 ;; esac
    cc -std=c99 -Wall -Wextra -Werror $cflags doc/examples/shm_hello.c $libs -o "$out/shm_hello" || return 1
    LD_LIBRARY_PATH=$libdir "$python" tests/ipcns_run.py "$out/shm_hello" || return 1
    # and the shared library it ran with was the unpacked one
    LD_LIBRARY_PATH=$libdir ldd "$out/shm_hello" | grep "libsvipc.so.0 => $libdir/"
}

tool() {
    local said
    said=$(LD_LIBRARY_PATH=$libdir "$root/usr/bin/svipc" --version) || return 1
    echo "$said"
    [ "$said" = "svipc $version (library $version)" ] || return 1
    LD_LIBRARY_PATH=$libdir "$python" tests/ipcns_run.py "$root/usr/bin/svipc" ls
}

python_package() {
    # -I: no user site, no PYTHONPATH, no current directory: only the unpacked root
    LD_LIBRARY_PATH=$libdir "$python" tests/ipcns_run.py env -u SVIPC_LIBRARY "$python" -I -c '
import sys
sys.path.insert(0, sys.argv[1])
import svipc
assert svipc.__file__.startswith(sys.argv[1]), svipc.__file__
assert svipc.__version__ == sys.argv[2], svipc.__version__
q = svipc.MessageQueue(name="deb-smoke", create=True, exclusive=True)
try:
    q.send(b"round trip", type=3)
    data, mtype = q.receive(type=0, timeout=1.0)
    assert (data, mtype) == (b"round trip", 3), (data, mtype)
finally:
    q.remove()
    q.close()
maps = open("/proc/self/maps").read()
assert sys.argv[3] + "/libsvipc.so.0" in maps, "libsvipc not loaded from the unpacked root"
print("svipc", svipc.__version__, "from", svipc.__file__, "round trip ok")
' "$root/usr/lib/python3/dist-packages" "$version" "$libdir"
}

man_pages() {
    local mandir=$root/usr/share/man page rendered warnings=0
    for page in "$mandir"/man1/svipc.1.gz "$mandir"/man7/libsvipc.7.gz "$mandir"/man3/*.3*; do
        # a link renders through man's lookup in the unpacked tree, a page with -l
        if [ -L "$page" ]; then
            rendered=$(MANWIDTH=80 man --warnings -M "$mandir" 3 "$(basename "$page" .3.gz)" 2>&1 >/dev/null)
        else
            rendered=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
        fi
        if [ -n "$rendered" ]; then
            echo "$page: $rendered"
            warnings=1
        fi
    done
    # every exported function has a page (or a link to its family's page) in the package
    for page in $(sed -n 's/^ *\(svipc_[a-z0-9_]*\);.*/\1/p' capi/svipc.map); do
        man -M "$mandir" -w 3 "$page" >/dev/null || { echo "no page for $page"; warnings=1; }
    done
    MANWIDTH=80 man -M "$mandir" 3 svipc_shm_attach_into | grep -q "svipc_shm_attach_into" || return 1
    MANWIDTH=80 man -M "$mandir" 3 svipc_shm_attach_into | sed -n '/^ERRORS/,/^EXAMPLE/p'
    echo "$(ls "$mandir"/man3 | wc -l) section-3 files"
    return $warnings
}

started=$(date +%s)
check build build
check lintian run_lintian
check unpack unpack
check c_consumer c_consumer
check tool tool
check python python_package
check man man_pages
echo "deb stage: $(($(date +%s) - started)) s"
exit $status
