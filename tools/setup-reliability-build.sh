#!/bin/sh
# The build the reliability runs use (tools/run-chaos.sh, tools/run-fuzz.sh):
# clang 14 for libFuzzer, AddressSanitizer + UBSan, the library instrumented
# for coverage (-fsanitize=fuzzer-no-link). libsvipc.so links with
# -Wl,--no-undefined, so the sanitizer runtimes are the shared ones
# (-shared-libsan), found through an rpath to clang's runtime directory.
# werror is off here only: clang warns about things gcc does not (the C++20
# [[unlikely]] attributes lib/channel/channel.cpp uses as an extension in C++17).
# Usage: tools/setup-reliability-build.sh [DIR]   (default build-reliability)
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build-reliability}
runtime_dir=$(clang-14 -print-runtime-dir)
link_args="['-shared-libsan', '-Wl,-rpath,$runtime_dir']"
CC=clang-14 CXX=clang++-14 tools/setup-build.sh "$dir" -Dreliability_runs=true -Dpython_tests=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
    -Dc_args=-fsanitize=fuzzer-no-link -Dcpp_args=-fsanitize=fuzzer-no-link \
    -Dc_link_args="$link_args" -Dcpp_link_args="$link_args"
meson compile -C "$dir" >/dev/null
