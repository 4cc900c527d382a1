#!/usr/bin/env bash
# The ebb command's contract: results on stdout, errors on stderr with a
# message, exit 0 / 1 (failure) / 2 (usage).  usage: cli_test.sh EBB
set -u
EBB=${1:-build/ebb}
DIR=$(dirname "$0")
passed=0
failed=0
OUT=$(mktemp)
ERR=$(mktemp)
trap 'rm -f "$OUT" "$ERR"' EXIT

# expect NAME STATUS STDOUT-SUBSTRING STDERR-SUBSTRING -- COMMAND...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    "$@" >"$OUT" 2>"$ERR"
    local rc=$?
    if [ $rc -eq "$want_rc" ] &&
        { [ -z "$want_out" ] || grep -qF -- "$want_out" "$OUT"; } &&
        { [ -z "$want_err" ] || grep -qF -- "$want_err" "$ERR"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "cli: $name: exit $rc (want $want_rc)"
        sed 's/^/  out: /' "$OUT" | head -n 3
        sed 's/^/  err: /' "$ERR" | head -n 3
    fi
}

expect "example" 0 "2432902008176640000" "" -- \
    "$EBB" run --invoke fac examples/fac.wat 20
expect "example loop" 0 "2432902008176640000" "" -- \
    "$EBB" run --invoke fac_loop examples/fac.wat 20
expect "multi-value" 0 "2.5" "" -- \
    "$EBB" run --invoke mix "$DIR/trap.wat" 7 1.5 2.5
expect "trap" 1 "" "unreachable" -- "$EBB" run --invoke boom "$DIR/trap.wat"
expect "divide by zero" 1 "" "integer divide by zero" -- \
    "$EBB" run --invoke div "$DIR/trap.wat" 1 0
# Deep recursion must trap, not overflow the native stack, however small.
expect "exhaustion" 1 "" "call stack exhausted" -- \
    sh -c 'ulimit -s 256; exec "$0" run --invoke down "$1" 0' "$EBB" "$DIR/trap.wat"
expect "bad argument" 1 "" "not a valid i32" -- \
    "$EBB" run --invoke div "$DIR/trap.wat" x 1
expect "argument count" 1 "" "argument" -- \
    "$EBB" run --invoke div "$DIR/trap.wat" 1
expect "missing export" 1 "" "no exported function" -- \
    "$EBB" run --invoke nope "$DIR/trap.wat"
expect "v128 result" 0 "0x0000000c000000090000000600000003" "" -- \
    "$EBB" run --invoke scale "$DIR/simd.wat" 3
expect "v128 arguments" 0 "0x00000004000000030000000200000002" "" -- \
    "$EBB" run --invoke add "$DIR/simd.wat" \
    0x00000004000000030000000200000001 0x1
expect "bad v128" 1 "" "not a valid v128" -- \
    "$EBB" run --invoke add "$DIR/simd.wat" 0xzz 1
expect "v128 control flow" 0 "22 passed, 0 failed" "" -- \
    "$EBB" wast "$DIR/simd_control.wast"
# A component shares the magic number: `validate` decodes and compiles it
# as a component (`run` runs it: component_test.sh); cut short, it is
# refused with the component layer's reason.
CM=../shared/bench/sightglass/cm-online-stats/cm-online-stats.wasm
expect "component valid" 0 "" "" -- "$EBB" validate "$CM"
head -c 4000 "$CM" >"$OUT.cut.wasm"
expect "component cut" 1 "" "invalid component: component:" -- \
    "$EBB" validate "$OUT.cut.wasm"
rm -f "$OUT.cut.wasm"
expect "missing file" 1 "" "cannot open" -- "$EBB" run "$DIR/no-such-file.wasm"
# WASI commands: arguments, environment, exit status, preopens, imports.
expect "wasi args" 2 "y z" "" -- \
    "$EBB" run --env A=1 -- "$DIR/wasi_args.wat" x "y z"
expect "wasi env" 0 "A=1" "" -- "$EBB" run --env A=1 "$DIR/wasi_args.wat"
# Options after FILE belong to the guest.
expect "wasi guest options" 2 "--env" "" -- \
    "$EBB" run "$DIR/wasi_args.wat" --env X
expect "wasi env=" 0 "B=2" "" -- "$EBB" run --env=B=2 "$DIR/wasi_args.wat"
expect "wasi env from host" 0 "EBB_CLI_TEST=host" "" -- \
    env EBB_CLI_TEST=host "$EBB" run --env EBB_CLI_TEST "$DIR/wasi_args.wat"
expect "wasi no env" 0 "" "" -- \
    sh -c '"$0" run "$1" | grep -c = | grep -qx 0' "$EBB" "$DIR/wasi_args.wat"
WORK=$(mktemp -d)
trap 'rm -f "$OUT" "$ERR"; rm -rf "$WORK"' EXIT
echo "file body" >"$WORK/in.txt"
expect "wasi preopen name" 76 "data" "" -- \
    "$EBB" run --dir "$WORK::data" "$DIR/wasi_cat.wat"
expect "wasi preopen read" 76 "file body" "" -- \
    "$EBB" run --dir="$WORK::data" "$DIR/wasi_cat.wat"
expect "wasi preopen portable" 76 "file body" "" -- \
    env EBB_WASI_NO_OPENAT2=1 "$EBB" run --dir "$WORK::data" "$DIR/wasi_cat.wat"
expect "wasi missing dir" 1 "" "cannot open directory" -- \
    "$EBB" run --dir "$WORK/none" "$DIR/wasi_cat.wat"
expect "dir without value" 2 "" "usage" -- "$EBB" run --dir
expect "unknown import" 1 "" "unknown import: bench::lap" -- \
    "$EBB" run "$DIR/bench_import.wat"
expect "run bench markers" 0 "complete" "" -- \
    "$EBB" run ../shared/bench/sightglass/noop/benchmark.wasm
expect "wasi import type" 1 "" \
    "incompatible import type: wasi_snapshot_preview1::fd_write" -- \
    "$EBB" run "$DIR/wasi_badtype.wat"
# A module with a name section (func 0 "inner" traps, func 1 "outer" calls
# it): the backtrace names both.
printf '\0asm\1\0\0\0\1\4\1\140\0\0\3\3\2\0\0\7\7\1\3run\0\1\n\n\2\3\0\0\13\4\0\20\0\13\0\26\4name\1\17\2\0\5inner\1\5outer' \
    >"$WORK/named.wasm"
expect "backtrace inner" 1 "" "0: inner (func 0)" -- \
    "$EBB" run --invoke run "$WORK/named.wasm"
expect "backtrace outer" 1 "" "1: outer (func 1)" -- \
    "$EBB" run --invoke run "$WORK/named.wasm"
# The README's first command: a WASI example in the text format.
expect "hello example" 0 "Hello from ebb, a WebAssembly runtime!" "" -- \
    "$EBB" run examples/hello_wasi.wat
expect "hello example args" 0 "two words" "" -- \
    "$EBB" run examples/hello_wasi.wat one "two words"
expect "hello example exact" 0 "" "" -- sh -c \
    '[ "$("$0" run "$1" a b)" = "$(printf "%s\na\nb" "$2")" ]' \
    "$EBB" examples/hello_wasi.wat "Hello from ebb, a WebAssembly runtime!"
# ebb bench: options, and a program without bench imports fails clearly.
expect "bench usage" 2 "" "usage" -- "$EBB" bench
expect "bench bad runs" 2 "" "usage" -- "$EBB" bench --runs 0 x.wasm
expect "bench missing file" 1 "0 passed, 1 failed" "cannot open" -- \
    "$EBB" bench "$DIR/no-such-file.wasm"
expect "bench no marks" 1 "" "bench.start called 0 times" -- \
    "$EBB" bench examples/hello_wasi.wat
# A sightglass program with its expected output, then with a wrong one.
NOOP=../shared/bench/sightglass/noop
mkdir -p "$WORK/bench"
cp "$NOOP/benchmark.wasm" "$NOOP/benchmark.stdout.expected" "$WORK/bench/"
expect "bench match" 0 "matches the expected files" "" -- \
    "$EBB" bench --runs 2 "$WORK/bench/benchmark.wasm"
expect "bench table" 0 "start->end" "" -- \
    "$EBB" bench "$WORK/bench/benchmark.wasm"
echo '(module (import "bench" "start" (func)) (import "bench" "end" (func))
  (func (export "_start") (call 0) unreachable))' >"$WORK/bench/trap.wat"
expect "bench trap" 1 "did not run to its end" "trap: unreachable" -- \
    "$EBB" bench "$WORK/bench/trap.wat"
echo "something else" >"$WORK/bench/benchmark.stdout.expected"
expect "bench mismatch" 1 "MISMATCH" "stdout differs" -- \
    "$EBB" bench "$WORK/bench/benchmark.wasm"
expect "validate ok" 0 "" "" -- "$EBB" validate examples/fac.wat
expect "validate garbage" 1 "" "magic header not detected" -- \
    "$EBB" validate "$DIR/garbage.bin"
expect "validate text error" 1 "" "" -- "$EBB" validate "$DIR/cli_test.sh"
expect "no command" 2 "" "usage" -- "$EBB"
expect "unknown command" 2 "" "usage" -- "$EBB" frobnicate
expect "run without file" 2 "" "usage" -- "$EBB" run
expect "unknown option" 2 "" "usage" -- "$EBB" run --bogus x.wasm
expect "validate usage" 2 "" "usage" -- "$EBB" validate
expect "wast usage" 2 "" "usage" -- "$EBB" wast

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
