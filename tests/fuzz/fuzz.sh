#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz/ (decode, wat, run, deserialize).
#
#   fuzz.sh run TARGET SECONDS   fuzz one target (make fuzz T=... S=...)
#   fuzz.sh test                 replay tests/fuzz/regress/<target>/* and
#                                fuzz each target EBB_FUZZ_SECONDS (30) on
#                                its corpus, all at once; ends "N passed,
#                                N failed"
#
# Builds with clang into $EBB_BUILD/fuzz (default build/fuzz); the seed
# corpora are written there from the spec scripts on first use. Crashes
# land in $EBB_BUILD/fuzz/crashes/<target>/.
set -u
cd "$(dirname "$0")/../.."
SUITE=${EBB_TESTSUITE:-../shared/testsuite/wasm-2.0}
FB=${EBB_BUILD:-build}/fuzz
TARGETS="decode wat run deserialize"

build() {
    make -s -j"$(nproc 2>/dev/null || echo 2)" SAN=fuzz CC=clang \
        BUILD="$FB" fuzz-targets >"$FB.build.log" 2>&1 ||
        { tail -n 20 "$FB.build.log"; return 1; }
}

corpus() {
    # Serialized seeds hold a fingerprint of the build: remade with it.
    [ "$FB/corpus/.done" -nt "$FB/fuzz/seeds" ] && return 0
    local t
    for t in $TARGETS; do mkdir -p "$FB/corpus/$t"; done
    ASAN_OPTIONS=detect_leaks=0 "$FB/fuzz/seeds" "$FB/corpus" "$SUITE"/*.wast \
        >/dev/null && touch "$FB/corpus/.done"
}

# fuzz TARGET SECONDS LOG: fuzzes and tells the CPU seconds it took.
fuzz() {
    local t=$1 s=$2 log=$3
    mkdir -p "$FB/crashes/$t"
    local start=$(date +%s)
    "$FB/fuzz/$t" -max_total_time="$s" -timeout=20 -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix="$FB/crashes/$t/" \
        "$FB/corpus/$t" >"$log" 2>&1
    local rc=$?
    echo "$t: exit $rc after $(( $(date +%s) - start )) s" >>"$log"
    return $rc
}

mkdir -p "$(dirname "$FB")"
case "${1:-}" in
run)
    [ -n "${2:-}" ] || { echo "usage: make fuzz T=target S=seconds"; exit 2; }
    build && corpus || exit 1
    mkdir -p "$FB/logs"
    fuzz "$2" "${3:-60}" "$FB/logs/$2.log"
    rc=$?
    grep -E 'stat::|exit|ERROR|SUMMARY' "$FB/logs/$2.log" | head -n 20
    exit $rc
    ;;
test)
    pass=0 fail=0
    if ! build || ! corpus; then echo "0 passed, 1 failed"; exit 1; fi
    mkdir -p "$FB/logs"
    for t in $TARGETS; do
        for f in tests/fuzz/regress/"$t"/*; do
            [ -f "$f" ] || continue
            if "$FB/fuzz/$t" "$f" >"$FB/logs/regress.log" 2>&1; then
                pass=$((pass + 1))
            else
                echo "$t: regression input $f fails"
                grep -E 'ERROR|SUMMARY' "$FB/logs/regress.log" | head -n 3
                fail=$((fail + 1))
            fi
        done
    done
    # All targets at once, each for its time budget.
    pids=() names=()
    for t in $TARGETS; do
        fuzz "$t" "${EBB_FUZZ_SECONDS:-30}" "$FB/logs/$t.log" &
        pids+=($!) names+=("$t")
    done
    for i in "${!pids[@]}"; do
        if wait "${pids[$i]}"; then
            pass=$((pass + 1))
        else
            echo "${names[$i]}: fuzzing found a crash (see $FB/logs/${names[$i]}.log)"
            grep -E 'ERROR|SUMMARY|Test unit written' \
                "$FB/logs/${names[$i]}.log" | head -n 4
            fail=$((fail + 1))
        fi
    done
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    ;;
*)
    echo "usage: fuzz.sh run TARGET SECONDS | fuzz.sh test"; exit 2 ;;
esac
