#!/usr/bin/env bash
# Installs what `make test` needs and a fresh Debian machine may lack.
set -e
need=()
for tool in gcc:gcc clang:clang make:make valgrind:valgrind \
            pkg-config:pkgconf readelf:binutils node:nodejs \
            wasm-opt:binaryen; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
# The WASI test guests are C compiled with clang for wasm32-wasi: that
# takes the wasm linker, wasi-libc and the wasm32 builtins library.
wasi_cc_works() {
    local t
    t=$(mktemp -d) || return 1
    printf '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n' >"$t/h.c"
    clang --target=wasm32-wasi -O2 -o "$t/h.wasm" "$t/h.c" >/dev/null 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}
wasi_cc_works || need+=(clang lld wasi-libc libclang-rt-14-dev-wasm32)
# The fuzz targets (tests/fuzz) link clang's libFuzzer runtime.
fuzzer_works() {
    local t
    t=$(mktemp -d) || return 1
    printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n){(void)d;(void)n;return 0;}\n' >"$t/f.c"
    clang -fsanitize=fuzzer -o "$t/f" "$t/f.c" >/dev/null 2>&1
    local rc=$?
    rm -rf "$t"
    return $rc
}
fuzzer_works || need+=(clang libclang-rt-14-dev)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
