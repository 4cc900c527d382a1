#!/usr/bin/env bash
# The shared library exports exactly the public API: every function that
# include/wasm.h and include/ebb.h declare with EBB_API, and nothing else;
# its soname is versioned. Prints "N passed, N failed".
#
#   tests/lib/exports_test.sh BUILD-DIR
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
    if "${@:2}"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $1"
    fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

so=$(ls "$B"/libebb.so.*.*.* 2>/dev/null | head -n 1)
check "versioned library exists" test -n "$so" -a -f "$so"
soname=$(readelf -d "$B/libebb.so" 2>/dev/null |
         sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
check "soname is libebb.so.<major> (got '$soname')" \
    test "$soname" = "libebb.so.${so##*libebb.so.}" -o \
         "$soname" = "libebb.so.$(echo "${so##*libebb.so.}" | cut -d. -f1)"
check "libebb.so -> $soname link" test -e "$B/$soname" -a -L "$B/libebb.so"

# Declared: each EBB_API declaration after preprocessing (macros such as
# WASM_DECLARE_VEC expand to many); the name is the identifier before the
# first parenthesis that follows the visibility attribute.
gcc -E -P -Iinclude include/wasm.h include/ebb.h | tr '\n' ' ' |
    sed 's/;/;\n/g' | grep 'visibility("default")' |
    sed -E 's/.*visibility\("default"\)\)\)[^(]*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*) *\(.*/\1/' |
    sort -u >"$tmp/declared"
nm -D --defined-only "$B/libebb.so" | awk '{print $3}' | sed 's/@.*//' |
    sort -u >"$tmp/exported"
ndecl=$(wc -l <"$tmp/declared")
nexp=$(wc -l <"$tmp/exported")
check "declarations found ($ndecl)" test "$ndecl" -gt 250

foreign=$(grep -vE '^(wasm|ebb)_' "$tmp/exported")
check "only wasm_* and ebb_* exported (others: $(echo $foreign | head -c 300))" \
    test -z "$foreign"
undeclared=$(comm -13 "$tmp/declared" "$tmp/exported")
check "nothing exported beyond the headers ($(echo $undeclared | head -c 300))" \
    test -z "$undeclared"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
check "every declared function exported ($(echo $missing | head -c 300))" \
    test -z "$missing"
# Internal layers must stay hidden: a few names that exist in libebb.a.
for sym in rt_module_new decode_module compile_function interp_call \
           mem_alloc api_alloc; do
    check "$sym hidden" \
        test -z "$(nm -D --defined-only "$B/libebb.so" | awk '{print $3}' |
                   grep -x "$sym")"
done
# Every ebb.h function is called by its API test.
uncalled=
for f in $(grep '^ebb_' "$tmp/declared"); do
    grep -q "\b$f *(" tests/api/ebb_api_test.c || uncalled="$uncalled $f"
done
necalled=$(grep -c '^ebb_' "$tmp/declared")
check "every ebb.h function called by tests/api/ebb_api_test.c ($uncalled)" \
    test -z "$uncalled"
echo "exported $nexp, declared $ndecl; ebb.h functions: $necalled, all tested"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
