#!/usr/bin/env bash
# Installs ebb into a temporary prefix, then builds every C embedder of
# examples/ against the installed copy with pkg-config, once against the
# shared library and once against the static one, runs each and compares
# its output with examples/NAME.expected. Prints "N passed, N failed".
#
#   tests/lib/examples_test.sh BUILD-DIR
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
CC=${CC:-cc}
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

if make -s BUILD="$B" PREFIX="$prefix" install >"$tmp/install.log" 2>&1; then
    ok
else
    bad "make install"; tail -n 5 "$tmp/install.log"
    echo "$pass passed, $fail failed"; exit 1
fi
for f in bin/ebb include/wasm.h include/ebb.h include/ebb_export.h \
         lib/libebb.a lib/libebb.so lib/pkgconfig/ebb.pc; do
    [ -e "$prefix/$f" ] && ok || bad "installed $f"
done
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion ebb)" = 0.1.0 ] && ok || bad "pkg-config --modversion"
[ "$("$prefix/bin/ebb" run --invoke fac examples/fac.wat 5)" = 120 ] &&
    ok || bad "installed ebb runs"
# ebb compile writes a serialized module that ebb run loads; cut short, it
# is refused with a message.
"$prefix/bin/ebb" compile examples/fac.wat -o "$tmp/fac.ebbc" &&
    [ "$("$prefix/bin/ebb" run --invoke fac "$tmp/fac.ebbc" 20)" = \
      2432902008176640000 ] && ok || bad "ebb compile, then run"
head -c 100 "$tmp/fac.ebbc" >"$tmp/cut.ebbc"
"$prefix/bin/ebb" run --invoke fac "$tmp/cut.ebbc" 20 2>"$tmp/cut.err"
[ $? = 1 ] && grep -q 'truncated' "$tmp/cut.err" && ok ||
    bad "a cut serialized module is refused"

cflags=$(pkg-config --cflags ebb)
shared_libs="$(pkg-config --libs ebb) -Wl,-rpath,$prefix/lib"
# The static archive by its file name, so the shared one beside it is not
# picked; --static adds the libraries ebb itself needs.
static_libs=$(pkg-config --static --libs ebb | sed 's/-lebb\b/-l:libebb.a/')

examples="hello memory globals_tables traps multi_value wasi threads serialize"
for ex in $examples; do
    for kind in shared static; do
        bin=$tmp/$ex-$kind
        libs=$shared_libs
        [ $kind = static ] && libs=$static_libs
        if ! $CC -std=c11 -Wall -Wextra -Werror $cflags "examples/$ex.c" \
                -o "$bin" $libs -pthread >"$tmp/cc.log" 2>&1; then
            bad "$ex ($kind): build"; head -n 5 "$tmp/cc.log"
            continue
        fi
        needs=$(readelf -d "$bin" | grep -c 'NEEDED.*libebb\.so')
        if [ $kind = shared ]; then
            [ "$needs" = 1 ] && ok || bad "$ex ($kind): not linked to libebb.so"
        else
            [ "$needs" = 0 ] && ok || bad "$ex ($kind): linked to libebb.so"
        fi
        if (cd examples && "$bin") >"$tmp/out" 2>"$tmp/err" &&
           diff -u "examples/$ex.expected" "$tmp/out" >"$tmp/diff"; then
            ok
        else
            bad "$ex ($kind): output differs"
            head -n 12 "$tmp/diff" "$tmp/err"
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
