#!/usr/bin/env bash
# ebb run --fuel and --timeout: an endless loop ends with the right trap,
# a run within its fuel completes, bad values are usage errors.
#   usage: cli_test.sh EBB        Ends with "N passed, N failed".
set -u
EBB=${1:-build/ebb}
WAT=$(dirname "$0")/spin.wat
passed=0
failed=0
ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

# expect NAME STATUS STDOUT STDERR-SUBSTRING -- COMMAND...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4
    shift 5
    local out rc
    out=$("$@" 2>"$ERR")
    rc=$?
    if [ $rc -eq "$want_rc" ] && [ "$out" = "$want_out" ] &&
        { [ -z "$want_err" ] || grep -qF -- "$want_err" "$ERR"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "limits: $name: exit $rc (want $want_rc), out '$out'"
        sed 's/^/  err: /' "$ERR" | head -n 3
    fi
}

# count(n) costs n + 1 units: one at entry, one per iteration.
expect "fuel enough" 0 999 "" -- "$EBB" run --fuel 1000 --invoke count "$WAT" 999
expect "fuel short" 1 "" "trap: all fuel consumed" -- \
    "$EBB" run --fuel 1000 --invoke count "$WAT" 1000
expect "fuel, endless loop" 1 "" "trap: all fuel consumed" -- \
    "$EBB" run --fuel 100000 --invoke spin "$WAT"
expect "bad fuel" 2 "" "bad --fuel" -- "$EBB" run --fuel lots --invoke spin "$WAT"

start=$(date +%s%N)
expect "timeout, endless loop" 1 "" "trap: interrupt" -- \
    "$EBB" run --timeout 200ms --invoke spin "$WAT"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$ms" -ge 200 ] && [ "$ms" -lt 5000 ]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "limits: --timeout 200ms took ${ms} ms"
fi
expect "timeout not reached" 0 5 "" -- "$EBB" run --timeout 1m --invoke count "$WAT" 5
expect "bad timeout" 2 "" "bad --timeout" -- "$EBB" run --timeout soon --invoke spin "$WAT"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
