#!/usr/bin/env bash
# Hostile modules: tests/hostile/run.sh EBB GEN
# Each case (see hostile_gen.c) is generated at test time and run with
# `EBB run --invoke f`, with the default native stack and with a 256 KiB
# one. It must end in the expected result or clean error (exit 0 or 1,
# never a signal) within its bound on max RSS. GEN is hostile_gen, built.
# HOSTILE_NO_RSS=1 skips the RSS bounds (for sanitizer builds).
ebb=$1
gen=$2
dir=$(mktemp -d -t ebb-hostile.XXXXXX)
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0

# case, expected ("ok RESULT" or "error MESSAGE"), max RSS in MiB
cases=(
    "nest-block|ok 7|64"
    "nest-loop|ok 7|64"
    "nest-if|ok 7|64"
    "nest-br|ok 7|64"
    "locals-1m|error too many locals|64"
    "locals-1m-groups|error too many locals|64"
    "locals-4g|error too many locals|64"
    "count-types|error malformed functype|64"
    "count-imports|error unexpected end|64"
    "count-funcs|error unexpected end|64"
    "count-exports|error unexpected end|64"
    "count-code|error unexpected end|64"
    "count-data|error unexpected end|64"
    "data-1g-declared|error length out of bounds|64"
    "data-1g-memory|ok 370083841|64"
    "data-4g-memory|ok 370083841|64"
    "data-16m|ok 370083841|160"
    "imports-10k|ok 0|64"
    "imports-10k-unknown|error unknown import|64"
    "calls-100k|error call stack exhausted|128"
    "recursion|error call stack exhausted|64"
    "operands-1m|error call stack exhausted|160"
    "br-table-1m|ok 5|256"
    "table-10m|ok 10000000|160"
    "wat-nest-block|error nesting too deep|128"
    "wat-nest-add|error nesting too deep|128"
)

check() { # name stack-label expected rss-limit
    local name=$1 label=$2 want=$3 limit=$4
    local status rss out
    read -r _ status _ rss <"$dir/$name.$label.meas"
    out=$(cat "$dir/$name.$label.out")
    local why=
    if ! grep -q '^exit [01] ' "$dir/$name.$label.meas"; then
        why="ended with: $(cat "$dir/$name.$label.meas")"
    elif [ "${want%% *}" = ok ] && { [ "$status" != 0 ] || [ "$out" != "${want#ok }" ]; }; then
        why="wanted result ${want#ok }, got exit $status: $out $(head -c 200 "$dir/$name.$label.err")"
    elif [ "${want%% *}" = error ] && { [ "$status" != 1 ] ||
            ! grep -qF "${want#error }" "$dir/$name.$label.err"; }; then
        why="wanted error '${want#error }', got exit $status: $(head -c 200 "$dir/$name.$label.err")"
    elif [ -z "${HOSTILE_NO_RSS:-}" ] && [ "$rss" -gt $((limit * 1024)) ]; then
        why="max RSS $rss KiB above $limit MiB"
    fi
    if [ -z "$why" ]; then
        pass=$((pass + 1))
        echo "ok   $name ($label stack): ${want}, max RSS $((rss / 1024)) MiB"
    else
        fail=$((fail + 1))
        echo "FAIL $name ($label stack): $why"
    fi
}

for c in "${cases[@]}"; do
    IFS='|' read -r name want limit <<<"$c"
    ext=wasm
    [ "${name#wat-}" = "$name" ] || ext=wat
    if ! "$gen" "$name" "$dir/$name.wasm"; then
        fail=$((fail + 1))
        echo "FAIL $name: cannot generate"
        continue
    fi
    "$gen" exec "$ebb" run --invoke f "$dir/$name.wasm" \
        >"$dir/$name.default.all" 2>"$dir/$name.default.err"
    (ulimit -s 256; "$gen" exec "$ebb" run --invoke f "$dir/$name.wasm" \
        >"$dir/$name.small.all" 2>"$dir/$name.small.err")
    for label in default small; do
        # The last line is hostile_gen's measure, the rest ebb's output.
        tail -n 1 "$dir/$name.$label.all" >"$dir/$name.$label.meas"
        head -n -1 "$dir/$name.$label.all" >"$dir/$name.$label.out"
        check "$name" "$label" "$want" "$limit"
    done
    rm -f "$dir/$name".*
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
