#!/usr/bin/env bash
# `ebb memstat`'s contract: the table of steps and cycles, JSON, the SVG
# plot, clear errors, and ebb's counters back to 0 after every drop.
#   usage: memstat_test.sh EBB [BENCH_DIR]
set -u
EBB=${1:-build/ebb}
BENCH=${2:-../shared/bench/sightglass}
passed=0
failed=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# check NAME CONDITION-COMMAND...
check() {
    local name=$1; shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "memstat: $name"
        head -n 5 "$T/out" "$T/err" 2>/dev/null | sed 's/^/  /'
    fi
}

cat >"$T/g.wat" <<'WAT'
(module
  (memory (export "memory") 4)
  (func (export "_start") (i32.store (i32.const 70000) (i32.const 1)))
  (func (export "two") (result i32) (i32.const 2))
  (func (export "boom") unreachable))
WAT
cat >"$T/imp.wat" <<'WAT'
(module (import "env" "f" (func)) (func (export "_start") call 0))
WAT

"$EBB" memstat --cycles 12 --svg "$T/p.svg" "$T/g.wat" >"$T/out" 2>"$T/err"
rc=$?
check "exit 0" [ $rc -eq 0 ]
for step in start engine module instance run drop; do
    check "step $step in the table" grep -q " $step" "$T/out"
done
check "RssAnon row" grep -q '^RssAnon KiB' "$T/out"
check "linear memory counted" grep -qE '^  linear +0 +0 +0 +262144 +262144 +0$' "$T/out"
check "one memory alive, then none" grep -qE '^  memories +0 +0 +0 +1 +1 +0$' "$T/out"
check "ebb live bytes 0 at start and drop" grep -qE '^ebb live bytes +0 .* 0$' "$T/out"
check "12 cycles" grep -q '^12 cycles' "$T/out"
check "counters 0 after every drop" grep -q 'ebb bytes after every drop: 0' "$T/out"
check "growth line" grep -q 'RssAnon after cycle 12 minus after cycle 10' "$T/out"
check "svg written" grep -q '^<svg ' "$T/p.svg"
check "svg has three lines" [ "$(grep -c '<polyline' "$T/p.svg")" -eq 3 ]
check "svg has a legend" grep -q 'RssAnon (resident anonymous memory)' "$T/p.svg"
check "svg is closed" grep -q '^</svg>$' "$T/p.svg"

"$EBB" memstat --json --cycles 2 --serial --invoke two "$T/g.wat" >"$T/out" 2>"$T/err"
check "json exit 0" [ $? -eq 0 ]
check "json serial" grep -q '"compilation": "serial"' "$T/out"
check "json steps" [ "$(grep -c '"step": ' "$T/out")" -eq 6 ]
check "json cycles" grep -q '"cycle": 2, ' "$T/out"
if command -v python3 >/dev/null; then
    check "json parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"
fi

"$EBB" memstat --cycles 0 --invoke boom "$T/g.wat" >"$T/out" 2>"$T/err"
check "a trap is reported, memory still measured" grep -q 'trap: unreachable' "$T/out"
"$EBB" memstat --cycles 0 "$T/imp.wat" >"$T/out" 2>"$T/err"
check "unknown import: exit 1" [ $? -eq 1 ]
check "unknown import named" grep -q 'env::f' "$T/err"
check "steps reached still shown" grep -qE '^  modules +0 +0 +1 +- +- +0$' "$T/out"
"$EBB" memstat --cycles x "$T/g.wat" >"$T/out" 2>"$T/err"
check "bad option: exit 2" [ $? -eq 2 ]
"$EBB" memstat "$T/none.wasm" >"$T/out" 2>"$T/err"
check "missing file: exit 1" [ $? -eq 1 ]

# A benchmark program with WASI and bench.start/bench.end.
if [ -f "$BENCH/noop/benchmark.wasm" ]; then
    "$EBB" memstat --cycles 3 "$BENCH/noop/benchmark.wasm" >"$T/out" 2>"$T/err"
    check "benchmark program runs" [ $? -eq 0 ]
    check "benchmark: counters 0 after every drop" \
        grep -q 'ebb bytes after every drop: 0' "$T/out"
    check "benchmark: no trap" bash -c "! grep -q 'ended with' '$T/out'"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
