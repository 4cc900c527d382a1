#!/usr/bin/env bash
# `make bench`: times ebb beside native code, V8 and Wasmtime, and prints
# one Markdown table (docs/PERFORMANCE.md, "make bench", says what each
# column means).
#
#   bench/bench.sh [NAME...]
#
# NAME: a kernel (bench/kernels/NAME.c) or a sightglass program (its
# folder's name for benchmark.wasm, else the file's stem, e.g.
# shootout-fib2); default every one.
#
#   RUNS    runs of each engine per benchmark, interleaved: each round runs
#           every engine once, round after round; medians (default 5)
#   EBB     the ebb binary (default build/ebb)
#   BUILD   build folder; everything goes into $BUILD/bench (default build)
#   NODE    the node binary, Node 20 or later (default node)
#   EBB_BENCH  the sightglass programs (default ../shared/bench/sightglass)
#   KERNELS_ONLY=1 / SIGHTGLASS_ONLY=1  one half only
#
# Kernels are compiled here with gcc -O2 (native) and clang
# --target=wasm32-wasi -O2 with the Wasm features that clang 20 and later
# enable by default (WFEATURES below; Debian's clang 14 leaves them off, so
# memcpy would be a loop in Wasm instead of memory.copy); each times its own work and prints "time_ns N"
# on stderr, so start-up and compile time are left out for every engine.
# Sightglass programs are timed from bench.start to bench.end.
#
# Wasmtime is the one inside wizer (npm @bytecodealliance/wizer-linux-x64,
# installed into $BUILD/bench/npm): `wizer --allow-wasi -f _start` runs a
# WASI command's _start. For the sightglass programs wizer preloads
# bench/wizer_bench.wat as the module "bench", which reads the monotonic
# clock at start and end and writes the difference to stderr; it is taken
# out of stderr before the comparison with the expected file.
#
# Exit status 1 if any engine's output differs from the reference (native
# for kernels, the .expected files for sightglass) or any run fails.
set -u
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
EBB=${EBB:-build/ebb}
BUILD=${BUILD:-build}
NODE=${NODE:-node}
SG=${EBB_BENCH:-../shared/bench/sightglass}
OUT=$BUILD/bench
WIZER_PKG=@bytecodealliance/wizer-linux-x64

say() { echo "$*" >&2; }
die() { say "bench.sh: $*"; exit 2; }

case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer" ;; esac
[ -x "$EBB" ] || die "no ebb binary at $EBB (make, or set EBB)"
EBB=$(cd "$(dirname "$EBB")" && pwd)/$(basename "$EBB")
mkdir -p "$OUT/kernels" "$OUT/runs" "$OUT/npm"
OUT=$(cd "$OUT" && pwd)
NPM_DIR=$OUT/npm
WIZER=$NPM_DIR/node_modules/$WIZER_PKG/wizer

# ---- what to run -----------------------------------------------------------

all_kernels() {
    local f
    for f in bench/kernels/*.c; do basename "$f" .c; done
}

# "NAME PATH" for every sightglass program
all_programs() {
    local f stem
    for f in "$SG"/*/*.wasm; do
        [ -e "$f" ] || continue
        stem=$(basename "$f" .wasm)
        [ "$stem" = benchmark ] && stem=$(basename "$(dirname "$f")")
        echo "$stem $f"
    done
}

kernels=()
programs=()   # "NAME PATH"
want_k=1 want_s=1
[ "${KERNELS_ONLY:-0}" = 1 ] && want_s=0
[ "${SIGHTGLASS_ONLY:-0}" = 1 ] && want_k=0
if [ $# -eq 0 ]; then
    [ $want_k = 1 ] && mapfile -t kernels < <(all_kernels)
    [ $want_s = 1 ] && mapfile -t programs < <(all_programs)
else
    for name in "$@"; do
        if [ -f "bench/kernels/$name.c" ]; then
            [ $want_k = 1 ] && kernels+=("$name")
        elif line=$(all_programs | awk -v n="$name" '$1 == n' | grep .); then
            [ $want_s = 1 ] && programs+=("$line")
        else
            die "no kernel or sightglass program named $name"
        fi
    done
fi

# ---- tools -----------------------------------------------------------------

command -v "$NODE" >/dev/null || die "node not found (tests/deps.sh installs it)"
node_major=$("$NODE" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node 20 or later needed, found $("$NODE" --version)"

if [ ${#kernels[@]} -gt 0 ]; then
    command -v gcc >/dev/null || die "gcc not found"
    command -v clang >/dev/null || die "clang not found (tests/deps.sh)"
fi

# Wasmtime (in wizer) from npm, once, into $BUILD/bench/npm.
wizer_note=
if [ ! -x "$WIZER" ]; then
    say "installing $WIZER_PKG into $NPM_DIR"
    npm install --silent --no-save --prefix "$NPM_DIR" "$WIZER_PKG" >&2 ||
        wizer_note="npm install $WIZER_PKG failed"
fi
[ -x "$WIZER" ] || wizer_note=${wizer_note:-"no wizer binary"}
wizer_version=$("$NODE" -p "require('$NPM_DIR/node_modules/$WIZER_PKG/package.json').version" 2>/dev/null || echo "?")

if [ ${#programs[@]} -gt 0 ]; then
    command -v wat2wasm >/dev/null || die "wat2wasm not found (apt-get install wabt)"
    wat2wasm bench/wizer_bench.wat -o "$OUT/wizer_bench.wasm" ||
        die "wat2wasm bench/wizer_bench.wat failed"
fi

# ---- build the kernels -----------------------------------------------------

KFLAGS="-std=c11 -O2 -Wall -Wextra"
WFEATURES="-mbulk-memory -mnontrapping-fptoint -msign-ext -mmutable-globals"
for k in "${kernels[@]}"; do
    src=bench/kernels/$k.c
    gcc $KFLAGS -o "$OUT/kernels/$k" "$src" -lm ||
        die "gcc failed on $src"
    clang --target=wasm32-wasi $KFLAGS $WFEATURES -o "$OUT/kernels/$k.wasm" "$src" ||
        die "clang --target=wasm32-wasi failed on $src"
done

# ---- running ---------------------------------------------------------------

ENGINES="native ebb turbofan liftoff wasmtime"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each run appends its time (ms) to $OUT/runs/NAME.ENGINE.ms, or a problem
# to $OUT/runs/NAME.ENGINE.bad (first line shown in the table).
record_ms() { echo "$3" >>"$OUT/runs/$1.$2.ms"; }
record_bad() {
    case $3 in n/a*) ;; *) say "bench.sh: $1 under $2: $3" ;; esac
    [ -s "$OUT/runs/$1.$2.bad" ] || echo "$3" >"$OUT/runs/$1.$2.bad"
}

ns_to_ms() { awk -v n="$1" 'BEGIN { printf "%.3f\n", n / 1e6 }'; }

# run_kernel NAME ENGINE: one run; the first native run's stdout is the
# reference every other run must equal.
run_kernel() {
    local k=$1 e=$2 wasm=$OUT/kernels/$1.wasm rc
    case $e in
    native) "$OUT/kernels/$k" ;;
    ebb) "$EBB" run "$wasm" ;;
    turbofan) "$NODE" --no-warnings --no-liftoff --no-wasm-lazy-compilation bench/node_kernel.js "$wasm" ;;
    liftoff) "$NODE" --no-warnings --liftoff-only --no-wasm-lazy-compilation bench/node_kernel.js "$wasm" ;;
    wasmtime)
        [ -n "$wizer_note" ] && return 125
        "$WIZER" --allow-wasi -f _start -o /dev/null "$wasm" ;;
    esac </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 125 ] && { record_bad "$k" "$e" "n/a: $wizer_note"; return; }
    if [ $rc -ne 0 ]; then
        record_bad "$k" "$e" "FAILED (status $rc: $(grep -v '^time_ns ' "$tmp/err" | head -c 120 | tr '\n|' '  '))"
        return
    fi
    if [ "$e" = native ] && [ ! -e "$OUT/runs/$k.expected" ]; then
        cp "$tmp/out" "$OUT/runs/$k.expected"
    elif ! cmp -s "$tmp/out" "$OUT/runs/$k.expected"; then
        record_bad "$k" "$e" "MISMATCH (stdout differs from native)"
        cp "$tmp/out" "$OUT/runs/$k.$e.stdout"
        return
    fi
    local ns
    ns=$(awk '$1 == "time_ns" { print $2 }' "$tmp/err")
    [ -n "$ns" ] || { record_bad "$k" "$e" "FAILED (no time_ns line)"; return; }
    record_ms "$k" "$e" "$(ns_to_ms "$ns")"
}

# expected_file DIR STEM KIND: the expected output a sightglass program's
# run is compared with (as ebb bench and node_wasi.js choose it).
expected_file() {
    local f
    for f in "$1/$2.$3.expected" "$1/default.$3.expected"; do
        [ -f "$f" ] && { echo "$f"; return; }
    done
}

is_component() {
    [ "$(od -An -tx1 -j4 -N4 "$1" | tr -d ' ')" != 01000000 ]
}

# The start->end median (ms) of an `ebb bench` / node_wasi.js report.
report_ms() {
    awk '$1 == "start->end" { print $2 }' "$1"
}

# run_program NAME PATH ENGINE: one run of a sightglass program.
run_program() {
    local name=$1 prog=$2 e=$3 rc ms
    local dir base stem
    dir=$(cd "$(dirname "$prog")" && pwd)
    base=$(basename "$prog")
    stem=${base%.wasm}
    local node_flag=
    case $e in
    native) return ;;
    ebb)
        "$EBB" bench --runs 1 "$dir/$base" >"$tmp/rep" 2>&1 ;;
    turbofan | liftoff)
        [ $e = turbofan ] && node_flag=--no-liftoff || node_flag=--liftoff-only
        # compile every function before the run, as ebb and Wasmtime do
        node_flag="$node_flag --no-wasm-lazy-compilation"
        if is_component "$prog"; then
            # jco's runner runs the program in a child node that does not
            # get V8 flags: default tiering, so one column only.
            if [ $e = liftoff ]; then
                record_bad "$name" "$e" "n/a: component (jco child ignores V8 flags)"
                return
            fi
            ensure_jco || { record_bad "$name" "$e" "n/a: jco install failed"; return; }
            JCO_DIR=$OUT/jco "$NODE" --no-warnings bench/node_component.mjs \
                --runs 1 "$dir/$base" >"$tmp/rep" 2>&1
        else
            "$NODE" --no-warnings $node_flag bench/node_wasi.js --runs 1 \
                "$dir/$base" >"$tmp/rep" 2>&1
        fi ;;
    wasmtime)
        if is_component "$prog"; then
            record_bad "$name" "$e" "n/a: component (wizer runs core modules)"
            return
        fi
        [ -n "$wizer_note" ] && { record_bad "$name" "$e" "n/a: $wizer_note"; return; }
        (cd "$dir" && "$WIZER" --allow-wasi --dir . \
            --preload "bench=$OUT/wizer_bench.wasm" -f _start -o /dev/null \
            "$base" </dev/null >"$tmp/out" 2>"$tmp/err")
        rc=$?
        if [ $rc -ne 0 ]; then
            record_bad "$name" "$e" "FAILED (status $rc: $(grep -v '@@bench-ns' "$tmp/err" | head -c 120 | tr '\n|' '  '))"
            return
        fi
        local marks ns want
        marks=$(grep -o '@@bench-ns=[0-9]*@@' "$tmp/err" | wc -l)
        if [ "$marks" -ne 1 ]; then
            record_bad "$name" "$e" "FAILED (bench.end reported $marks times)"
            return
        fi
        ns=$(grep -o '@@bench-ns=[0-9]*@@' "$tmp/err" | tr -dc 0-9)
        sed 's/@@bench-ns=[0-9]*@@//' "$tmp/err" >"$tmp/err2"
        want=$(expected_file "$dir" "$stem" stdout)
        if [ -n "$want" ] && ! cmp -s "$tmp/out" "$want"; then
            record_bad "$name" "$e" "MISMATCH (stdout)"
            return
        fi
        want=$(expected_file "$dir" "$stem" stderr)
        if [ -n "$want" ] && ! cmp -s "$tmp/err2" "$want"; then
            record_bad "$name" "$e" "MISMATCH (stderr)"
            return
        fi
        record_ms "$name" "$e" "$(ns_to_ms "$ns")"
        return ;;
    esac
    rc=$?
    ms=$(report_ms "$tmp/rep")
    if [ $rc -ne 0 ] || [ -z "$ms" ]; then
        if grep -q MISMATCH "$tmp/rep"; then
            record_bad "$name" "$e" "MISMATCH (expected files)"
        else
            record_bad "$name" "$e" "FAILED ($(grep -m1 'output:\|rror' "$tmp/rep" | head -c 120 | tr '|' ' '))"
        fi
        return
    fi
    record_ms "$name" "$e" "$ms"
}

ensure_jco() {
    [ -x "$OUT/jco/node_modules/.bin/jco" ] && return 0
    say "installing @bytecodealliance/jco into $OUT/jco"
    npm install --silent --no-save --prefix "$OUT/jco" @bytecodealliance/jco >&2
}

rm -f "$OUT"/runs/*
for k in "${kernels[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
        say "kernel $k, round $r/$RUNS"
        for e in $ENGINES; do run_kernel "$k" "$e"; done
    done
done
for line in "${programs[@]}"; do
    name=${line%% *}
    prog=${line#* }
    for ((r = 1; r <= RUNS; r++)); do
        say "sightglass $name, round $r/$RUNS"
        for e in $ENGINES; do run_program "$name" "$prog" "$e"; done
    done
done

# ---- the table -------------------------------------------------------------

# median NAME ENGINE: the median of the recorded times, "" when none
median() {
    local f=$OUT/runs/$1.$2.ms
    [ -s "$f" ] || return 0
    sort -g "$f" | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fmt_ms() {
    [ -z "$1" ] && { echo "–"; return; }
    awk -v x="$1" 'BEGIN {
        if (x >= 100) printf "%.0f\n", x; else if (x >= 10) printf "%.1f\n", x;
        else if (x >= 1) printf "%.2f\n", x; else printf "%.3f\n", x }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) print "";
        else printf "%.4f\n", a / b }'
}

fmt_ratio() {
    [ -z "$1" ] && { echo "–"; return; }
    awk -v x="$1" 'BEGIN { if (x >= 10) printf "%.1f\n", x; else printf "%.2f\n", x }'
}

geomean() {   # reads ratios, one a line
    awk '$1 != "" { s += log($1); n++ } END {
        if (n) printf "%.2f (%d)\n", exp(s / n), n; else print "–" }'
}

# problems NAME: the output column for one row
problems() {
    local e f p=""
    for e in $ENGINES; do
        f=$OUT/runs/$1.$e.bad
        [ -s "$f" ] || continue
        case $(head -1 "$f") in
        n/a*) p="$p${p:+; }$e: $(head -1 "$f")" ;;
        *) p="$p${p:+; }**$e: $(head -1 "$f")**" ;;
        esac
    done
    echo "${p:-ok}"
}

table=$OUT/results.md
{
echo "| benchmark | native | ebb | V8 TurboFan | V8 Liftoff | Wasmtime | ebb × | TurboFan × | Liftoff × | Wasmtime × | output |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
declare -A geo
if [ ${#kernels[@]} -gt 0 ]; then
    echo "| **kernels** (ms; × = time / native) | | | | | | | | | | |"
    for k in "${kernels[@]}"; do
        base=$(median "$k" native)
        row="| $k | $(fmt_ms "$base")"
        rat=""
        for e in ebb turbofan liftoff wasmtime; do
            m=$(median "$k" "$e")
            row="$row | $(fmt_ms "$m")"
            x=$(ratio "$m" "$base")
            rat="$rat | $(fmt_ratio "$x")"
            geo[k.$e]+="$x"$'\n'
        done
        echo "$row$rat | $(problems "$k") |"
    done
    row="| geomean (n) | |  |  |  |  "
    for e in ebb turbofan liftoff wasmtime; do
        row="$row | $(printf '%s' "${geo[k.$e]}" | geomean)"
    done
    echo "$row | |"
fi
if [ ${#programs[@]} -gt 0 ]; then
    echo "| **sightglass** (ms start→end; × = time / Wasmtime) | | | | | | | | | | |"
    for line in "${programs[@]}"; do
        name=${line%% *}
        base=$(median "$name" wasmtime)
        row="| $name | "
        rat=""
        for e in ebb turbofan liftoff wasmtime; do
            m=$(median "$name" "$e")
            row="$row | $(fmt_ms "$m")"
            x=$(ratio "$m" "$base")
            [ $e = wasmtime ] && x=""
            rat="$rat | $(fmt_ratio "$x")"
            # noop and nestedloop measure nothing: not in the geomean
            case $name in noop | shootout-nestedloop) ;;
            *) geo[s.$e]+="$x"$'\n' ;; esac
        done
        echo "$row$rat | $(problems "$name") |"
    done
    row="| geomean (n) | |  |  |  |  "
    for e in ebb turbofan liftoff; do
        row="$row | $(printf '%s' "${geo[s.$e]:-}" | geomean)"
    done
    echo "$row | | |"
fi
echo
echo "Medians of $RUNS run(s) per engine, interleaved. Node $("$NODE" --version)" \
     "(TurboFan: --no-liftoff, Liftoff: --liftoff-only, both with" \
     "--no-wasm-lazy-compilation); Wasmtime: the one in" \
     "wizer $wizer_version (npm $WIZER_PKG); native: $(gcc -dumpfullversion) -O2;" \
     "wasm guests: clang $(clang -dumpversion) --target=wasm32-wasi -O2 $WFEATURES."
echo "Kernels time themselves (clock_gettime, monotonic) around their work;" \
     "sightglass times run from bench.start to bench.end (for Wasmtime," \
     "bench/wizer_bench.wat reads WASI's monotonic clock at both marks)."
echo "Geomeans (n = rows counted) leave out rows without both times, and" \
     "the sightglass programs noop and shootout-nestedloop, which measure nothing."
if printf '%s\n' "${programs[@]}" | grep -q '^cm-online-stats '; then
    echo "cm-online-stats is a component: Wasmtime (wizer) cannot run it, and" \
         "in Node it runs through jco (bench/node_component.mjs) whose child" \
         "process gets no V8 flags, so its TurboFan cell is V8's default" \
         "tiering (Liftoff, then TurboFan) and its Liftoff cell is empty."
fi
} >"$table"
cat "$table"
# any problem other than an empty (n/a) cell fails the run
status=0
if cat "$OUT"/runs/*.bad 2>/dev/null | grep -qv '^n/a'; then
    status=1
fi
[ $status -eq 0 ] || say "bench.sh: some outputs mismatched or runs failed (see the output column)"
exit $status
