#!/usr/bin/env bash
# Runs the WASI test guests (tests/wasi/*.c, built by `make wasi-guests`)
# under `ebb run`, twice: with the kernel's path resolution (openat2) and
# with ebb's portable fallback (EBB_WASI_NO_OPENAT2=1). Each guest's own
# "N passed, N failed" is added to the checks made here: exit status,
# stdout against tests/wasi/NAME.expected (summary line left out; no file
# means no other output), empty stderr, and, for the hostile guest, that
# nothing outside its preopened directory changed or appeared.
# Every run has EBB_CHECK_LIVE=1: bytes left in ebb's memory counters fail.
#
#   usage: tests/wasi/run.sh EBB GUEST-DIR
set -u
EBB=$1
GUESTS=$2
SRC=$(cd "$(dirname "$0")" && pwd)
export EBB_CHECK_LIVE=1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
MODE=kernel

ok() { passed=$((passed + 1)); }
# bad MESSAGE: a failed check, reported as "file:line:" like the guests'.
bad() {
    failed=$((failed + 1))
    echo "tests/wasi/run.sh:${BASH_LINENO[0]}: [$MODE] $*"
}

# check_output NAME OUT-FILE ERR-FILE RC WANT-RC: the checks common to every
# guest; adds the guest's own summary.
check_output() {
    local name=$1 out=$2 err=$3 rc=$4 want=$5 line
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, want $want"; fi
    if [ -s "$err" ]; then
        bad "$name: stderr not empty"
        head -n 5 "$err" | sed 's/^/    /'
    else
        ok
    fi
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [ -n "$line" ]; then
        set -- $line
        passed=$((passed + $1))
        failed=$((failed + $3))
        grep -E ':[0-9]+: ' "$out" | head -n 20 | sed "s/^/  [$MODE] /"
    elif [ "$name" != proc_exit ]; then
        bad "$name: no summary line"
    fi
    local want_out=/dev/null
    [ -f "$SRC/$name.expected" ] && want_out=$SRC/$name.expected
    if grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$out" | cmp -s - "$want_out"; then
        ok
    else
        bad "$name: stdout differs from $(basename "$want_out")"
        grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$out" |
            diff "$want_out" - | head -n 5 | sed 's/^/    /'
    fi
}

# guest NAME WANT-RC STDIN-TEXT EBB-RUN-ARGS...: runs a guest in a fresh,
# empty directory preopened as "sandbox".
guest() {
    local name=$1 want=$2 input=$3
    shift 3
    local box=$TMP/box-$name
    rm -rf "$box"
    mkdir -p "$box"
    printf '%s' "$input" |
        "$EBB" run --dir "$box::sandbox" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ -n "${WASI_VERBOSE:-}" ] && echo "$name: $(tail -n1 "$TMP/out")"
    check_output "$name" "$TMP/out" "$TMP/err" $rc "$want"
}

# The state of everything outside the sandbox: names, types, sizes,
# modes, link counts, times, link targets and contents.
snapshot() {
    (cd "$1" && find . -path ./sandbox -prune -o \
        -printf '%p %y %s %m %n %T@ %C@ %l\n' | sort &&
        find canary -type f -exec sha256sum {} + | sort)
    ls -a /tmp | grep -c '^ebb-hostile'
}

# The hostile guest in a fresh tree; see the comment in hostile.c.
hostile() {
    local t=$TMP/h io=$TMP/io
    rm -rf "$t" "$io"
    mkdir -p "$t/canary/dir" "$t/sandbox/sub" "$t/sandbox/victim" "$io"
    echo "top secret" >"$t/canary/secret.txt"
    echo "inner" >"$t/canary/dir/inner.txt"
    printf 'inside' >"$t/sandbox/sub/file.txt"
    ln -s sub/file.txt "$t/sandbox/ok_link"
    ln -s "$t/canary/secret.txt" "$t/sandbox/abs_link"
    ln -s ../canary/secret.txt "$t/sandbox/rel_link"
    ln -s ../canary "$t/sandbox/dir_link"
    ln -s /etc "$t/sandbox/etc_link"
    ln -s ../../canary/secret.txt "$t/sandbox/sub/deep_link"
    ln -s sub/chain2 "$t/sandbox/chain1"
    ln -s ../../canary "$t/sandbox/sub/chain2"
    ln -s loop2 "$t/sandbox/loop1"
    ln -s loop1 "$t/sandbox/loop2"
    ln -s self "$t/sandbox/self"
    local before
    before=$(snapshot "$t")

    mkfifo "$io/in"
    "$EBB" run --dir "$t/sandbox::sandbox" "$GUESTS/hostile.wasm" \
        "$t/canary" <"$io/in" >"$io/out" 2>"$io/err" &
    local pid=$! w i
    exec {w}>"$io/in"
    # The guest says READY once it holds victim/ open (ASan is slow).
    for ((i = 0; i < 600; i++)); do
        grep -q READY "$io/out" 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    # Nothing the guest holds open by now (its preopen, victim/) may be
    # outside the sandbox.
    local held
    held=$(ls -l /proc/$pid/fd 2>/dev/null | sed -n 's/.* -> //p' |
        grep -E "^$t(/canary|/?$)|^/etc")
    if [ -z "$held" ]; then ok; else bad "hostile: holds open: $held"; fi
    rm -rf "$t/sandbox/victim"
    ln -s "$t/canary" "$t/sandbox/victim"
    echo GO >&$w
    exec {w}>&-
    wait $pid
    local rc=$?
    [ -n "${WASI_VERBOSE:-}" ] && echo "hostile: $(tail -n1 "$io/out")"
    check_output hostile "$io/out" "$io/err" $rc 0
    if [ "$(snapshot "$t")" == "$before" ]; then
        ok
    else
        bad "hostile: the tree outside the sandbox changed"
        diff <(echo "$before") <(snapshot "$t") | head -n 10 | sed 's/^/    /'
    fi
    if grep -q "top secret\|inner" "$io/out"; then
        bad "hostile: the guest read a file outside its sandbox"
    else
        ok
    fi
}

# WASI_ONLY=NAME runs one guest (for debugging).
only() { [ -z "${WASI_ONLY:-}" ] || [ "$WASI_ONLY" == "$1" ]; }

run_all() {
    only args_env && guest args_env 0 "" --env FOO=bar --env EMPTY= \
        --env EBB_WASI_INHERIT "$GUESTS/args_env.wasm" one "two words" ""
    only clock_misc && guest clock_misc 0 "" "$GUESTS/clock_misc.wasm"
    only fd_ops && guest fd_ops 0 $'stdin line\n' "$GUESTS/fd_ops.wasm"
    only path_ops && guest path_ops 0 "" "$GUESTS/path_ops.wasm"
    only poll && guest poll 0 "" "$GUESTS/poll.wasm"
    only proc_exit && guest proc_exit 42 "" "$GUESTS/proc_exit.wasm"
    only libc_io && guest libc_io 0 "" --env GREETING=hi \
        "$GUESTS/libc_io.wasm" arg1
    only hostile && hostile
}

# Every function of src/wasi/wasi_funcs.def is called by some guest.
coverage() {
    local def=$SRC/../../src/wasi/wasi_funcs.def f n=0
    for f in $(sed -n 's/^WASI_FN(\([a-z_0-9]*\),.*/\1/p' "$def"); do
        n=$((n + 1))
        if grep -qE "(__wasi|raw)_$f\(" "$SRC"/*.c; then
            ok
        else
            bad "no guest calls $f"
        fi
    done
    [ $n -ge 46 ] && ok || bad "wasi_funcs.def lists $n functions, want 46"
}

MODE=source
coverage
export EBB_WASI_INHERIT=inherited
MODE=kernel
run_all
MODE=fallback
export EBB_WASI_NO_OPENAT2=1
run_all

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
