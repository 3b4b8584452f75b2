#!/bin/sh
# bench/hyperband_figures.sh -- the Hyperband figures of issue 4 on the real
# training task (bench/digits.h: the digits network, budget = epochs).
#
#   bench/hyperband_figures.sh          (or: make hb-figures)
#
# Environment: B (build directory, default build), PYTHON (default
# /usr/bin/python3), HB_SEEDS (default 5), HB_R (max epochs of the main
# comparison, default "27 81").
#
# Writes to $B/bench/:
#   hb_figures_r<R>.md / .csv   (a) random search with 40 full trainings (R
#                               epochs each) vs Hyperband (ASHA, eta 3) with
#                               the random and the model-guided ("bayes")
#                               sampler: epochs each needs to reach random
#                               search's best validation error, per seed and
#                               median; (b) follows from the same table
#   hb_resume.md                (c) epochs trained when promotions resume
#                               their parent's checkpoint / epochs of the
#                               same schedule retrained from scratch, for
#                               eta 3 (R 27) and eta 2 (R 32), ASHA and
#                               synchronous Hyperband
#   hb_curves_r<R>.csv          median (over seeds) best full-budget
#                               validation error vs epochs used, per method
#   hb_curves.png               the same curves (when matplotlib exists)
# Runs are sequential, one training at a time (about 3 minutes on 2 cores).
set -eu
B=${B:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
SEEDS=${HB_SEEDS:-5}
RS=${HB_R:-27 81}
OUT=$B/bench
BIN=$B/hpt-hb-figures
[ -x "$BIN" ] || make --no-print-directory "$BIN"
mkdir -p "$OUT"

for R in $RS; do
    echo "== (a), (b): random search vs Hyperband, max $R epochs, $SEEDS seeds" >&2
    "$BIN" --seeds "$SEEDS" --max-epochs "$R" --csv "$OUT/hb_figures_r$R.csv" |
        tee "$OUT/hb_figures_r$R.md"
done

echo "== (c): resumed vs retrained epochs" >&2
{
    echo "# Promotions resuming checkpoints vs retraining from scratch"
    echo
    for cfg in "3 27 1" "3 27 0" "2 32 1" "2 32 0"; do
        set -- $cfg
        echo "## eta $1, max $2 epochs, async $3"
        echo
        "$BIN" --seeds "$SEEDS" --max-epochs "$2" --eta "$1" --async "$3" --samplers bayes \
            --skip-random 1 | grep -E '^\| (seed|[0-9])|^\|---|resumed/scratch epochs'
        echo
    done
} | tee "$OUT/hb_resume.md"

# Curves: per method, the median over seeds of the best full-budget
# validation error reached with at most E epochs.
"$PYTHON" - "$OUT" $RS <<'PY'
import csv, math, statistics, sys
out, rs = sys.argv[1], sys.argv[2:]
curves = {}
for R in rs:
    runs = {}
    with open(f"{out}/hb_figures_r{R}.csv") as f:
        for row in csv.DictReader(f):
            runs.setdefault((row["method"], row["seed"]), []).append(
                (float(row["epochs_resumed"]), float(row["best_full"])))
    cap = max(e for pts in runs.values() for e, _ in pts)
    grid = sorted(set(int(round(math.exp(math.log(cap) * i / 60))) for i in range(61)))
    methods = sorted({m for m, _ in runs})
    table = {}
    for m in methods:
        seeds = [pts for (mm, _), pts in runs.items() if mm == m]
        col = []
        for g in grid:
            vals = []
            for pts in seeds:
                best = math.inf
                for e, v in pts:
                    if e <= g and not math.isnan(v):
                        best = min(best, v)
                vals.append(best)
            med = statistics.median(vals)
            col.append(med if math.isfinite(med) else float("nan"))
        table[m] = col
    with open(f"{out}/hb_curves_r{R}.csv", "w") as f:
        f.write("epochs," + ",".join(methods) + "\n")
        for i, g in enumerate(grid):
            f.write(f"{g}," + ",".join(
                "" if math.isnan(table[m][i]) else f"{table[m][i]:.4f}" for m in methods) + "\n")
    curves[R] = (grid, table)
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not available: no PNG", file=sys.stderr)
    sys.exit(0)
fig, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4.2), squeeze=False)
for ax, (R, (grid, table)) in zip(axes[0], curves.items()):
    for m, col in table.items():
        ax.step(grid, col, where="post", label=m)
    ax.set_xscale("log")
    ax.set_xlabel("epochs trained (all trials)")
    ax.set_ylabel("best validation error (full budget), median")
    ax.set_title(f"digits, max {R} epochs")
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
fig.savefig(f"{out}/hb_curves.png", dpi=110)
print(f"wrote {out}/hb_curves.png", file=sys.stderr)
PY
