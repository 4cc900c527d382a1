#!/usr/bin/env bash
# Components as WASI 0.2 commands under `ebb run`: the cm-online-stats
# benchmark (three nested components, a resource crossing them, WASI 0.2
# preopens, files and stdout) with its input and without, and the ways a
# component run must fail cleanly. Every run checks that no counted byte
# is left (EBB_CHECK_LIVE).  usage: component_test.sh EBB
set -u
EBB=${1:-build/ebb}
BENCH=${EBB_BENCH:-../shared/bench/sightglass}
PROG=$BENCH/cm-online-stats
passed=0
failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export EBB_CHECK_LIVE=1

# expect NAME STATUS STDOUT-FILE-OR-EMPTY STDERR-SUBSTRING -- COMMAND...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ $rc -eq "$want_rc" ] &&
        { [ -z "$want_out" ] || cmp -s "$want_out" "$TMP/out"; } &&
        { [ -z "$want_err" ] || grep -qF -- "$want_err" "$TMP/err"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "component: $name: exit $rc (want $want_rc)"
        sed 's/^/  out: /' "$TMP/out" | head -n 5
        sed 's/^/  err: /' "$TMP/err" | head -n 5
    fi
}

if [ ! -f "$PROG/cm-online-stats.wasm" ]; then
    echo "component: $PROG/cm-online-stats.wasm is missing"
    echo "0 passed, 1 failed"
    exit 1
fi

# Its folder as the guest's ".": exactly the expected output, exit 0.
expect "cm-online-stats" 0 "$PROG/cm-online-stats.stdout.expected" "" -- \
    "$EBB" run --dir "$PROG::." "$PROG/cm-online-stats.wasm"
# The same with arguments and environment passed along.
expect "with args and env" 0 "$PROG/cm-online-stats.stdout.expected" "" -- \
    "$EBB" run --env A=1 --dir "$PROG::." "$PROG/cm-online-stats.wasm" x y

# No default.input in the preopen: open-at answers no-entry, the program
# traps (unreachable), ebb reports it and exits 1.
mkdir "$TMP/empty"
: >"$TMP/empty.out"
expect "input missing" 1 "$TMP/empty.out" "trap: unreachable" -- \
    "$EBB" run --dir "$TMP/empty::." "$PROG/cm-online-stats.wasm"
# No preopen at all: get-directories is empty; the guest's own use of
# that traps cleanly.
expect "no preopen" 1 "$TMP/empty.out" "ebb: trap:" -- \
    "$EBB" run "$PROG/cm-online-stats.wasm"
# The input reached through a symlink that leaves the preopen: refused.
mkdir "$TMP/esc"
ln -s "$PROG/default.input" "$TMP/esc/default.input"
expect "symlink out of the sandbox" 1 "$TMP/empty.out" "trap: unreachable" \
    -- "$EBB" run --dir "$TMP/esc::." "$PROG/cm-online-stats.wasm"

# Errors, not crashes.
expect "--invoke" 1 "" "not components" -- \
    "$EBB" run --invoke run "$PROG/cm-online-stats.wasm"
head -c 200 "$PROG/cm-online-stats.wasm" >"$TMP/cut.wasm"
expect "truncated" 1 "" "component" -- "$EBB" run "$TMP/cut.wasm"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
