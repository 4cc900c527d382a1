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
expect "missing file" 1 "" "cannot open" -- "$EBB" run "$DIR/no-such-file.wasm"
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
