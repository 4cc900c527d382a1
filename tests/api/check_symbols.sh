#!/usr/bin/env bash
# Mechanical checks of include/wasm.h against the library and the tests:
#   1. every function wasm.h declares is defined in libebb.a (nm);
#   2. every function it declares or defines inline is called by at least
#      one API test (tests/api/*_test.c).
# Usage: check_symbols.sh LIBEBB.A    Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
LIB=${1:-build/libebb.a}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The header after the preprocessor, with every {...} block (inline
# bodies, struct and enum bodies) removed innermost first; then each
# declaration is one ;-separated piece. Non-static, non-typedef pieces
# are the library's functions; static ones the inline conveniences.
$CC -E -P -Iinclude include/wasm.h >"$tmp/pp.h" || exit 1
perl -0777 -ne '
    1 while s/\{[^{}]*\}/;/g;
    for (split /;/) {
        next if /\btypedef\b/ || !/\b(wasm_\w+)\s*\(/;
        my $name = $1;
        print((/\bstatic\b/ ? "inline " : "extern ") . "$name\n");
    }' "$tmp/pp.h" | sort -u >"$tmp/decls"
awk '$1 == "extern" {print $2}' "$tmp/decls" >"$tmp/declared"
awk '{print $2}' "$tmp/decls" | sort -u >"$tmp/all"
nm -g --defined-only "$LIB" 2>/dev/null | awk '$2 == "T" {print $3}' |
    sort -u >"$tmp/defined"

pass=0 fail=0
ndecl=$(wc -l <"$tmp/declared")
missing=$(comm -23 "$tmp/declared" "$tmp/defined")
nmissing=$(printf '%s' "$missing" | grep -c . || true)
echo "wasm.h functions defined in $(basename "$LIB"): $((ndecl - nmissing)) / $ndecl"
for f in $missing; do echo "  not defined: $f"; done
if [ "$ndecl" -gt 150 ] && [ "$nmissing" -eq 0 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
fi

# A function counts as called when its name is followed by "(" in a test.
cat tests/api/*_test.c >"$tmp/tests.c"
uncalled=()
while read -r f; do
    grep -q "\\b$f *(" "$tmp/tests.c" || uncalled+=("$f")
done <"$tmp/all"
nall=$(wc -l <"$tmp/all")
echo "wasm.h functions called by the API tests: $((nall - ${#uncalled[@]})) / $nall"
for f in "${uncalled[@]}"; do echo "  never called: $f"; done
if [ ${#uncalled[@]} -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
