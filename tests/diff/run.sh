#!/usr/bin/env bash
# Differential execution against V8: tests/diff/run.sh N [FIRST_SEED [OUT]]
# runs N generated modules (seeds FIRST_SEED...) in ebb and in Node and
# prints "N passed, N failed"; disagreements are kept under OUT
# (default: a fresh temporary folder). DIFF_JOBS=J splits the seeds over J
# processes. EBB_BUILD names the build folder holding libebb.a.
set -e
cd "$(dirname "$0")/../.."
n=${1:-50}
first=${2:-1}
out=${3:-$(mktemp -d -t ebb-diff.XXXXXX)}
jobs=${DIFF_JOBS:-1}
b=${EBB_BUILD:-build}
mkdir -p "$out"
driver="$b/tests/diff_driver"
mkdir -p "$b/tests"
make -s BUILD="$b" "$b/libebb.a" >/dev/null
${CC:-gcc} -std=c11 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE -Iinclude \
    -o "$driver.$$" tests/diff/diff_driver.c "$b/libebb.a" -pthread -lm
mv -f "$driver.$$" "$driver" # a run still going keeps the file it started
driver=$(cd "$(dirname "$driver")" && pwd)/$(basename "$driver")
per=$(( (n + jobs - 1) / jobs ))
pids=()
for ((j = 0; j < jobs; j++)); do
    s=$(( first + j * per ))
    c=$(( n - j * per < per ? n - j * per : per ))
    [ "$c" -gt 0 ] || break
    node tests/diff/run.js "$driver" "$s" "$c" "$out" >"$out/log.$j" 2>&1 &
    pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
cat "$out"/log.* | grep -v -E '^[0-9]+ passed, [0-9]+ failed$' || true
cat "$out"/log.* | awk '/^[0-9]+ passed, [0-9]+ failed$/ {p += $1; f += $3}
    END {print p " passed, " f " failed"}'
[ "$rc" -eq 0 ]
