#!/usr/bin/env bash
# Runs every sightglass program under `ebb bench` and under Node's WASI
# (bench/node_wasi.js) and prints a Markdown table of their start->end
# times (medians, ms, wall clock and CPU) and the ratios ebb / Node.
#
#   bench/compare.sh [--runs N] [PROGRAM.wasm...]
#
#   EBB    the ebb binary (default build/ebb)
#   NODE   the node binary (default node; Node 20 or later)
#   EBB_BENCH  the programs' folder (default ../shared/bench/sightglass)
#   LOGS   a folder to keep each run's full output in (optional)
#   JCO_DIR  a folder with jco installed (npm); made in a temporary
#          folder when a component needs it and this is unset
# Components (binary version 0x0d) run in Node through jco's transpiler and
# WASI 0.2 shim (bench/node_component.mjs).
set -u
cd "$(dirname "$0")/.."
EBB=${EBB:-build/ebb}
NODE=${NODE:-node}
DIR=${EBB_BENCH:-../shared/bench/sightglass}
RUNS=3
if [ "${1:-}" = --runs ]; then
    RUNS=$2
    shift 2
fi
if [ $# -eq 0 ]; then
    set -- "$DIR"/*/*.wasm
fi

# median ROW FILE: the median column of a table row ("start->end" or
# "(cpu)") of one program's output; "-" when absent.
median() {
    awk -v row="$1" '$1 == row { print $2; found = 1 } END { if (!found) print "-" }' "$2"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 == 0) print "-";
        else printf "%.2f\n", a / b }'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| program | ebb (ms) | Node (ms) | ebb / Node | ebb CPU (ms) | Node CPU (ms) | CPU ebb / Node | output |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for prog in "$@"; do
    "$EBB" bench --runs "$RUNS" "$prog" >"$tmp/ebb" 2>&1
    rc_ebb=$?
    if [ "$(od -An -tx1 -j4 -N4 "$prog" | tr -d ' ')" != 01000000 ]; then
        if [ -z "${JCO_DIR:-}" ]; then
            JCO_DIR=$tmp/jco
            npm install --silent --prefix "$JCO_DIR" @bytecodealliance/jco >&2
        fi
        JCO_DIR=$JCO_DIR "$NODE" --no-warnings bench/node_component.mjs \
            --runs "$RUNS" "$prog" >"$tmp/node" 2>&1
    else
        "$NODE" --no-warnings bench/node_wasi.js --runs "$RUNS" "$prog" \
            >"$tmp/node" 2>&1
    fi
    rc_node=$?
    ew=$(median start-\>end "$tmp/ebb")
    nw=$(median start-\>end "$tmp/node")
    ec=$(median "(cpu)" "$tmp/ebb")
    nc=$(median "(cpu)" "$tmp/node")
    out="ebb $([ $rc_ebb -eq 0 ] && echo ok || echo FAILED), node $([ $rc_node -eq 0 ] && echo ok || echo FAILED)"
    if [ -n "${LOGS:-}" ]; then
        mkdir -p "$LOGS"
        name=$(echo "${prog#$DIR/}" | tr / -)
        cp "$tmp/ebb" "$LOGS/$name.ebb"
        cp "$tmp/node" "$LOGS/$name.node"
    fi
    echo "| ${prog#$DIR/} | $ew | $nw | $(ratio "$ew" "$nw") | $ec | $nc | $(ratio "$ec" "$nc") | $out |"
done
