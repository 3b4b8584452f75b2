#!/bin/sh
# check_bench.sh BUILD_DIR -- smoke run of the benchmark programs with tiny
# budgets: hpt-bench (table and JSON validated against the schema), the
# scaling bench, hpt-train-digits (resume = uninterrupted), the demo, and the
# ctypes ABI of libhpt_bench.so. A few seconds.
set -eu
b=${1:-build}
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/hpt-check-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check_bench: $*" >&2; exit 1; }

for p in hpt-bench hpt-bench-scaling hpt-train-digits hpt-demo-digits; do
    [ -x "$b/$p" ] || fail "$b/$p is missing (make bench)"
done

# 1. Harness: every function, the base strategies, 12 evaluations, 2 seeds.
"$b/hpt-bench" --strategies grid,random,sobol --budget 12 --seeds 2 \
    --json "$tmp/b.json" > "$tmp/b.md" || fail "hpt-bench failed"
grep -q '^| branin | random |' "$tmp/b.md" || fail "no table row for branin/random"
[ "$(grep -c '^| ' "$tmp/b.md")" -eq 40 ] || fail "table should have a header and 13 x 3 rows"
"$b/hpt-bench" --strategies no_such_strategy --budget 2 --seeds 1 2>/dev/null &&
    fail "an unknown strategy must be refused"
"$b/hpt-bench" --functions no_such_function 2>/dev/null &&
    fail "an unknown function must be refused"

# The JSON schema (json is in Python's standard library).
"$py" - "$tmp/b.json" <<'EOF' || fail "hpt-bench JSON does not follow the schema"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"schema", "machine", "runs"}, d.keys()
assert d["schema"] == 1
assert isinstance(d["machine"], dict) and "cpu" in d["machine"]
assert len(d["runs"]) == 13 * 3 * 2
for r in d["runs"]:
    assert set(r) == {"function", "strategy", "seed", "evaluations", "best_so_far",
                      "ask_seconds"}, r.keys()
    n = r["evaluations"]
    assert isinstance(n, int) and 1 <= n <= 12
    assert len(r["best_so_far"]) == n and len(r["ask_seconds"]) == n
    assert all(t >= 0 for t in r["ask_seconds"])
    b = [x for x in r["best_so_far"] if x is not None]
    # (the noisy function's incumbent is chosen on noisy values, and its
    # exact value may go up)
    if r["function"] != "hartmann6_noisy":
        assert all(x >= y for x, y in zip(b, b[1:])), "best-so-far must not increase"
    if r["function"] != "branin_fail":
        assert len(b) == n
EOF

# 2. Scaling bench: with a cheap strategy; an unknown one is refused clearly.
"$b/hpt-bench-scaling" --strategy random --obs 10,20 --dims 2,3 --asks 2 \
    > "$tmp/s.md" || fail "hpt-bench-scaling failed"
grep -q '^| 3 | 20 |' "$tmp/s.md" || fail "scaling table misses dim 3 / 20 observations"
if "$b/hpt-bench-scaling" --strategy no_such_strategy 2> "$tmp/s.err"; then
    fail "scaling bench accepted an unknown strategy"
fi
grep -q "no strategy" "$tmp/s.err" || fail "scaling bench: unclear message for unknown strategy"

# 3. Training CLI: 2 + 1 epochs through a checkpoint = 3 epochs at once.
t="$b/hpt-train-digits --lr 0.1 --hidden 16 --batch 32 --activation tanh --seed 5"
$t --epochs 3 > "$tmp/full.txt" || fail "hpt-train-digits failed"
$t --epochs 2 --save "$tmp/ck" > /dev/null || fail "hpt-train-digits --save failed"
$t --epochs 3 --load "$tmp/ck" > "$tmp/resumed.txt" || fail "hpt-train-digits --load failed"
[ "$(tail -1 "$tmp/full.txt")" = "$(tail -1 "$tmp/resumed.txt")" ] ||
    fail "resumed training differs from uninterrupted training"
grep -q '^epoch 3 val_loss=' "$tmp/resumed.txt" || fail "no per-epoch line"
[ "$(grep -c '^epoch' "$tmp/resumed.txt")" -eq 1 ] || fail "resume retrained old epochs"

# 4. Demo, a few trials.
"$b/hpt-demo-digits" --max-trials 4 --max-epochs 3 --seconds 30 --json "$tmp/d.json" \
    > "$tmp/d.txt" || fail "hpt-demo-digits failed"
grep -q 'held-out test accuracy' "$tmp/d.txt" || fail "demo printed no test accuracy"

# 5. The ctypes ABI (not under sanitizers: Python cannot load an ASan library).
if [ -z "${HPT_SANITIZED:-}" ]; then
    "$py" - "$b/libhpt_bench.so" <<'EOF' || fail "libhpt_bench.so ctypes check failed"
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.hptb_function_name.restype = ctypes.c_char_p
lib.hptb_function_optimum.restype = ctypes.c_double
n = lib.hptb_function_count()
assert n == 13
for i in range(n):
    d = lib.hptb_function_dim(i)
    x = (ctypes.c_double * d)()
    out = ctypes.c_double()
    assert lib.hptb_function_argmin(i, x) == 0
    assert lib.hptb_function_eval(i, x, ctypes.byref(out)) == 0
    assert abs(out.value - lib.hptb_function_optimum(i)) < 1e-9, lib.hptb_function_name(i)
EOF
fi
# 6. The Optuna side, tiny (only when Optuna is installed; not under sanitizers).
if [ -z "${HPT_SANITIZED:-}" ] && "$py" -c 'import optuna, numpy' 2>/dev/null; then
    "$b/hpt-bench" --functions branin,mixed,branin_fail --strategies random --budget 6 \
        --seeds 1 --json "$tmp/h.json" > /dev/null || fail "hpt-bench failed"
    "$py" bench/optuna_compare.py --lib "$b/libhpt_bench.so" --out "$tmp/cmp" \
        --hpt-json "$tmp/h.json" --budget 6 --seeds 1 --functions branin,mixed,branin_fail \
        --samplers optuna_tpe,optuna_cmaes --hpt-digits "$b/hpt-bench-digits" \
        --hpt-digits-strategies random --digits-seeds 1 --digits-epochs 30 \
        > "$tmp/cmp.txt" 2>&1 || { cat "$tmp/cmp.txt" >&2; fail "optuna_compare.py failed"; }
    grep -q '^| mixed | optuna_tpe |' "$tmp/cmp/compare.md" || fail "no Optuna row in compare.md"
    grep -q '^| optuna_tpe_hyperband |' "$tmp/cmp/compare.md" || fail "no digits row for Optuna"
    "$py" - "$tmp/cmp/optuna.json" <<'EOF' || fail "Optuna JSON does not follow the schema"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1 and isinstance(d["machine"], dict)
assert len(d["runs"]) == 3 * 2
for r in d["runs"]:
    assert set(r) == {"function", "strategy", "seed", "evaluations", "best_so_far",
                      "ask_seconds"}
    assert r["evaluations"] == 6 == len(r["best_so_far"]) == len(r["ask_seconds"])
EOF
fi
echo "check_bench: ok"
