#!/usr/bin/env bash
# Runs every test suite of ebb and ends with one line "N passed, N failed"
# totalling them all. Exit status is non-zero when anything failed.
#
#   EBB_TESTSUITE  the spec scripts (default ../shared/testsuite/wasm-2.0)
#   EBB_BUILD      the build folder (default build; variants go below it)
set -u
cd "$(dirname "$0")/.."
SUITE=${EBB_TESTSUITE:-../shared/testsuite/wasm-2.0}
JOBS=$(nproc 2>/dev/null || echo 2)
B=${EBB_BUILD:-build}
LOG=$B/test-logs
rm -rf "$LOG"
mkdir -p "$LOG"
total_pass=0
total_fail=0

# add NAME PASSED FAILED
add() {
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    printf '%-28s %6d passed, %d failed\n' "$1" "$2" "$3"
}

# Sums the per-file "N passed, N failed" lines of the given logs; a log
# without one (a crash) counts as one failure.
sum_logs() {
    local name=$1; shift
    local p=0 f=0 file line
    for file in "$@"; do
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$file" | tail -n 1)
        if [ -z "$line" ]; then
            echo "  $(basename "$file" .log): no summary line (crash?)"
            tail -n 5 "$file" | sed 's/^/    /'
            f=$((f + 1))
            continue
        fi
        set -- $line
        p=$((p + $1))
        f=$((f + $3))
        if [ "$3" -ne 0 ]; then
            grep -E ':[0-9]+: ' "$file" | head -n 5 | sed 's/^/  /'
        fi
    done
    add "$name" "$p" "$f"
}

# build NAME MAKE-ARGS...
build() {
    local name=$1; shift
    local log="$LOG/build-$(echo "$*" | tr ' /=' '---').log"
    if make -j"$JOBS" "$@" >"$log" 2>&1; then
        add "$name" 1 0
        return 0
    fi
    grep -E 'error|warning' "$log" | head -n 10 | sed 's/^/  /'
    add "$name" 0 1
    return 1
}

# spec EBB NAME [FLAG]: every script (SIMD ones included, and ebb's own in
# tests/interp), one ebb process
# each, in parallel; FLAG (one word) goes to `ebb wast`.
spec() {
    local ebb=$1 name=$2 flag=${3:-}
    local dir="$LOG/spec-$(echo "$ebb$flag" | tr '/' '-')"
    mkdir -p "$dir"
    ls "$SUITE"/*.wast tests/interp/*.wast |
        xargs -P "$JOBS" -n 1 sh -c \
            '"$0" wast $3 "$4" > "$1/$(basename "$4").log" 2>&1' \
            "$ebb" "$dir" _ "$flag"
    sum_logs "$name" "$dir"/*.log
}

# Memory safety under valgrind: no invalid access, no leak, no crash, for
# every script. (Assertion results are the other suites' job:
# valgrind emulates some float conversions with double rounding.) In the
# bounds-checked mode: with guard pages, an out-of-bounds access touches
# the guard on purpose, which valgrind reports as invalid.
valgrind_spec() {
    local ebb=$1 p=0 f=0 file rc
    for file in "$SUITE"/*.wast; do
        valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect \
            "$ebb" wast --bounds-checks "$file" >"$LOG/valgrind.log" 2>&1
        rc=$?
        if [ $rc -le 1 ]; then
            p=$((p + 1))
        else
            echo "  $(basename "$file"): valgrind exit $rc"
            grep '==' "$LOG/valgrind.log" | head -n 5 | sed 's/^/    /'
            f=$((f + 1))
        fi
    done
    add "valgrind, spec scripts" "$p" "$f"
}

# The SIMD guest (tests/wasi/simd_kernels.c), built without and with
# -msimd128: both builds pass their own checks under ebb and print the
# same lines.
simd_guest() {
    local ebb=$1 b=$2
    if ! make -s BUILD="$b" simd-guests >"$LOG/simd-guest-build.log" 2>&1; then
        head -n 5 "$LOG/simd-guest-build.log" | sed 's/^/  /'
        add "simd guest (build)" 0 1
        return
    fi
    "$ebb" run "$b/wasi/simd_kernels.wasm" >"$LOG/simd-scalar.log" 2>&1
    "$ebb" run "$b/wasi/simd128/simd_kernels.wasm" >"$LOG/simd-vector.log" 2>&1
    sum_logs "simd guest, scalar build" "$LOG/simd-scalar.log"
    sum_logs "simd guest, -msimd128" "$LOG/simd-vector.log"
    if cmp -s "$LOG/simd-scalar.log" "$LOG/simd-vector.log"; then
        add "simd guest, same output" 1 0
    else
        diff "$LOG/simd-scalar.log" "$LOG/simd-vector.log" | head -n 6 |
            sed 's/^/  /'
        add "simd guest, same output" 0 1
    fi
}

# The WASI guests (tests/wasi/*.c, compiled with clang for wasm32-wasi)
# under `ebb run`: every wasi_snapshot_preview1 function and its errors,
# and the hostile guest's escapes (tests/wasi/run.sh).
# wasi_suite EBB GUEST-BUILD NAME
wasi_suite() {
    local ebb=$1 b=$2 name=$3
    local log="$LOG/wasi-$(echo "$ebb" | tr '/' '-').log"
    if ! make -s BUILD="$b" wasi-guests >"$log" 2>&1; then
        head -n 5 "$log" | sed 's/^/  /'
        add "$name (build)" 0 1
        return
    fi
    tests/wasi/run.sh "$ebb" "$b/wasi" >"$log" 2>&1
    sum_logs "$name" "$log"
}

# Every sightglass program under `ebb bench --runs 1`, several at a time:
# its output must equal its expected files (richards has none: it must run
# to its end and exit 0). Components (binary version 0x0d) run the same
# way, as WASI 0.2 commands.
sightglass() {
    local ebb=$1 dir="$LOG/sightglass" prog heavy='gcc-loops|seqhash|ed25519'
    mkdir -p "$dir"
    # The longest three (about a minute of CPU each) start first, so the
    # two cores finish together.
    for prog in $(ls "$BENCH"/*/*.wasm | grep -E "$heavy") \
        $(ls "$BENCH"/*/*.wasm | grep -vE "$heavy"); do
        echo "$prog"
    done | EBB_CHECK_LIVE=1 xargs -P "$JOBS" -n 1 sh -c \
        '"$0" bench --runs 1 "$2" > "$1/$(basename "$(dirname "$2")")-$(basename "$2").log" 2>&1' \
        "$ebb" "$dir"
    sum_logs "sightglass (ebb bench)" "$dir"/*.log
}

# Components as WASI 0.2 commands under ebb run (tests/cli/component_test.sh).
components() {
    tests/cli/component_test.sh "$1" >"$LOG/components.log" 2>&1
    sum_logs "components (WASI 0.2)" "$LOG/components.log"
}

# The component linker's unit test once more under asan+ubsan, with a
# sparser bit-flip step (every 31st bit) to stay cheap.
cm_link_san() {
    build "build cm_link test (asan)" SAN=1 BUILD="$B/san" \
        "$B/san/tests/cm_link_test" || return
    CM_LINK_STEP=31 "$B/san/tests/cm_link_test" >"$LOG/cm-link-san.log" 2>&1
    sum_logs "cm linker, asan+ubsan" "$LOG/cm-link-san.log"
}

# The canonical ABI's unit test under asan+ubsan (it feeds the ABI
# random memory; well under a second).
cm_canon_san() {
    build "build cm_canon test (asan)" SAN=1 BUILD="$B/san" \
        "$B/san/tests/cm_canon_test" || return
    "$B/san/tests/cm_canon_test" >"$LOG/cm-canon-san.log" 2>&1
    sum_logs "canonical ABI under asan+ubsan" "$LOG/cm-canon-san.log"
}

unit() {
    local logs=() t
    for t in "$B"/tests/*_test; do
        [ -x "$t" ] || continue
        "$t" "$SUITE" >"$LOG/$(basename "$t").log" 2>&1
        logs+=("$LOG/$(basename "$t").log")
    done
    [ ${#logs[@]} -gt 0 ] && sum_logs "unit tests" "${logs[@]}"
}

# ebb's memory promise (docs/MEMORY.md): each program in tests/memory runs
# its cases in fresh processes of its own. memory_tests BUILD NAME [TESTS...]
BENCH=${EBB_BENCH:-../shared/bench/sightglass}
memory_tests() {
    local b=$1 name=$2 logs=() t; shift 2
    local only=("$@")
    for t in "$b"/tests/memory/*_test; do
        [ -x "$t" ] || continue
        if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $(basename "$t") "* ]]; then
            continue
        fi
        local log="$LOG/memory-$(echo "$b" | tr '/' '-')-$(basename "$t").log"
        "$t" "$BENCH" >"$log" 2>&1
        logs+=("$log")
    done
    if [ ${#only[@]} -eq 0 ]; then
        tests/memory/memstat_test.sh "$b/ebb" "$BENCH" >"$LOG/memstat.log" 2>&1
        logs+=("$LOG/memstat.log")
    fi
    [ ${#logs[@]} -gt 0 ] && sum_logs "$name" "${logs[@]}"
}

# valgrind on `ebb memstat` of a benchmark program: no error, and not one
# byte lost or still reachable at exit.
valgrind_memstat() {
    local ebb=$1 prog=$BENCH/noop/benchmark.wasm
    if valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
        --errors-for-leak-kinds=all "$ebb" memstat --cycles 2 "$prog" \
        >"$LOG/valgrind-memstat.log" 2>&1; then
        add "valgrind, ebb memstat" 1 0
    else
        grep '==' "$LOG/valgrind-memstat.log" | head -n 8 | sed 's/^/  /'
        tail -n 3 "$LOG/valgrind-memstat.log" | sed 's/^/  /'
        add "valgrind, ebb memstat" 0 1
    fi
}

# The library as embedders get it (mk/lib.mk): the exported symbols of
# libebb.so, and the examples built against an installed copy through
# pkg-config, shared and static.
library() {
    tests/lib/exports_test.sh "$1" >"$LOG/exports.log" 2>&1
    sum_logs "libebb.so exports" "$LOG/exports.log"
    tests/lib/examples_test.sh "$1" >"$LOG/examples.log" 2>&1
    sum_logs "examples (installed)" "$LOG/examples.log"
}

# The standard C API (include/wasm.h), tests/api: every test program with
# gcc, under valgrind and under ASan+UBSan; every wasm.h function defined in
# libebb.a and called by a test; the threads test under ThreadSanitizer.
# A run counts only with exit status 0 and a clean sanitizer log.
api_run() {
    local name=$1 log=$2; shift 2
    "$@" >"$log" 2>&1
    local rc=$?
    if [ $rc -ne 0 ] || grep -q 'Sanitizer\|ERROR SUMMARY: [1-9]' "$log"; then
        echo "  $name: exit $rc"
        grep -E 'Sanitizer|==[0-9]+==|:[0-9]+: ' "$log" | head -n 5 | sed 's/^/    /'
        echo "0 passed, 1 failed" >>"$log"
    fi
}

api_suite() {
    local b=$1 t logs=() vlogs=() slogs=()
    for t in "$b"/tests/api/*_test; do
        [ -x "$t" ] || continue
        local n=$(basename "$t")
        api_run "$n" "$LOG/api-$n.log" "$t"
        logs+=("$LOG/api-$n.log")
        api_run "$n (valgrind)" "$LOG/api-vg-$n.log" \
            env EBB_TEST_NO_SIGNALS=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all "$t"
        vlogs+=("$LOG/api-vg-$n.log")
    done
    [ ${#logs[@]} -gt 0 ] || { add "C API (tests/api)" 0 1; return; }
    sum_logs "C API (tests/api)" "${logs[@]}"
    sum_logs "C API, valgrind" "${vlogs[@]}"
    tests/api/check_symbols.sh "$b/libebb.a" >"$LOG/api-symbols.log" 2>&1
    sum_logs "wasm.h defined and called" "$LOG/api-symbols.log"
    if build "build api tests (asan)" SAN=1 BUILD="$b/san" api-tests; then
        for t in "$b"/san/tests/api/*_test; do
            local n=$(basename "$t")
            api_run "$n (asan)" "$LOG/api-san-$n.log" "$t"
            slogs+=("$LOG/api-san-$n.log")
        done
        sum_logs "C API, asan+ubsan" "${slogs[@]}"
    fi
    if build "build threads test (tsan)" SAN=thread BUILD="$b/tsan" \
        "$b/tsan/tests/api/api_threads_test"; then
        api_run "api_threads_test (tsan)" "$LOG/api-tsan.log" \
            env TSAN_OPTIONS=halt_on_error=1 "$b/tsan/tests/api/api_threads_test"
        sum_logs "wasm.h threads, tsan" "$LOG/api-tsan.log"
    fi
}

# Limits an embedder sets, from the command line (ebb run --fuel,
# --timeout); the library side is tests/api/limits_test.c.
cli_limits() {
    tests/limits/cli_test.sh "$1" >"$LOG/cli-limits.log" 2>&1
    sum_logs "run --fuel / --timeout" "$LOG/cli-limits.log"
}

# Hostile modules (tests/hostile: generated at test time, each must end in
# a clean error or result within bounded memory) and a differential smoke
# run against V8 (tests/diff/run.sh; run it by hand with a larger N).
robustness() {
    local b=$1
    mkdir -p "$b/tests"
    if ! ${CC:-gcc} -std=c11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE \
        -o "$b/tests/hostile_gen" tests/hostile/hostile_gen.c \
        >"$LOG/hostile-gen.log" 2>&1; then
        add "build hostile_gen" 0 1
        return
    fi
    tests/hostile/run.sh "$b/ebb" "$b/tests/hostile_gen" \
        >"$LOG/hostile.log" 2>&1
    sum_logs "hostile modules" "$LOG/hostile.log"
    HOSTILE_NO_RSS=1 tests/hostile/run.sh "$b/san/ebb" \
        "$b/tests/hostile_gen" >"$LOG/hostile-san.log" 2>&1
    sum_logs "hostile modules, asan+ubsan" "$LOG/hostile-san.log"
    rm -rf "$LOG/diff"
    EBB_BUILD="$b" tests/diff/run.sh 60 1 "$LOG/diff" >"$LOG/diff.log" 2>&1
    sum_logs "differential vs V8 (smoke)" "$LOG/diff.log"
}

# The libFuzzer targets (tests/fuzz): their regression inputs, then each
# target EBB_FUZZ_SECONDS (30) on its seed corpus, all four at once.
fuzz_suite() {
    EBB_BUILD="$1" tests/fuzz/fuzz.sh test >"$LOG/fuzz.log" 2>&1
    sum_logs "fuzz targets (libFuzzer)" "$LOG/fuzz.log"
}

if build "build (gcc)" BUILD="$B" all tests; then
    unit
    library "$B"
    tests/cli/cli_test.sh "$B/ebb" >"$LOG/cli.log" 2>&1
    sum_logs "command line" "$LOG/cli.log"
    cli_limits "$B/ebb"
    spec "$B/ebb" "spec (wasm-2.0)"
    spec "$B/ebb" "spec, bounds-checked" --bounds-checks
    valgrind_spec "$B/ebb"
    simd_guest "$B/ebb" "$B"
    wasi_suite "$B/ebb" "$B" "wasi guests"
    sightglass "$B/ebb"
    components "$B/ebb"
    memory_tests "$B" "memory (docs/MEMORY.md)"
    valgrind_memstat "$B/ebb"
fi
build "build (clang)" CC=clang BUILD="$B/clang" all
if build "build (asan+ubsan)" SAN=1 BUILD="$B/san" all; then
    spec "$B/san/ebb" "spec under asan+ubsan"
    wasi_suite "$B/san/ebb" "$B" "wasi guests under asan+ubsan"
    EBB_CHECK_LIVE=1 "$B/san/ebb" bench --runs 2 "$BENCH/noop/benchmark.wasm" \
        "$BENCH/shootout/shootout-ackermann.wasm" "$BENCH/bz2/benchmark.wasm" \
        "$BENCH/richards/benchmark.wasm" \
        "$BENCH/cm-online-stats/cm-online-stats.wasm" >"$LOG/bench-san.log" 2>&1
    sum_logs "ebb bench under asan+ubsan" "$LOG/bench-san.log"
    if build "build serialize test (asan)" SAN=1 BUILD="$B/san" \
        "$B/san/tests/serialize_test"; then
        "$B/san/tests/serialize_test" "$SUITE" >"$LOG/serialize-san.log" 2>&1
        sum_logs "serialize under asan+ubsan" "$LOG/serialize-san.log"
    fi
    cm_link_san
    cm_canon_san
    # RSS figures mean nothing under ASan (shadow memory, quarantine): only
    # the tests of counters and of allocation failures run there.
    build "build memory tests (asan)" SAN=1 BUILD="$B/san" \
        "$B/san/tests/memory/counters_test" \
        "$B/san/tests/memory/failalloc_test" \
        "$B/san/tests/memory/idle_test" &&
        memory_tests "$B/san" "memory under asan+ubsan" counters_test \
            failalloc_test idle_test
fi

api_suite "$B"
robustness "$B"
fuzz_suite "$B"

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
