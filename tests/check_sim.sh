#!/bin/sh
# check_sim.sh BUILD -- the simulator (bench/sim): Hartmann6 has its known
# minimum, a small random-search simulation reaches an easy target in every
# run with 1 and 4 workers, and a strategy this build lacks is reported
# "unavailable" instead of failing.
set -eu
b=${1:-build}
sim="$b/hpt-sim"
[ -x "$sim" ] || { echo "check_sim: $sim not built (make tests)"; exit 1; }
"$sim" --selftest
out=$("$sim" --csv --strategy random --strategy no-such-strategy --workers 1,4 --seeds 3 \
    --target 1.0 --max-trials 3000)
echo "$out" | grep -q '^random,1,3,3,' || { echo "check_sim: W=1 did not reach:"; echo "$out"; exit 1; }
echo "$out" | grep -q '^random,4,3,3,' || { echo "check_sim: W=4 did not reach:"; echo "$out"; exit 1; }
echo "$out" | grep -q '^no-such-strategy,1,unavailable' ||
    { echo "check_sim: unknown strategy not reported unavailable:"; echo "$out"; exit 1; }
echo "check_sim: ok"
