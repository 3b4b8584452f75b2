#!/usr/bin/python3
"""compare.py -- the conditional benchmark "net" (netfn.h): libhpt's
strategies (build/hpt-bench-cond) against Optuna 3.1's TPE with
multivariate=True, group=True (and default TPE for reference), same
function (libhpt_netfn.so through ctypes), same budget, seeds 0..K-1.

The Optuna objective is define-by-run and mirrors hpt's space exactly:
the same ranges and scales (beta2 drawn uniform in logit units, as hpt's
HPT_SCALE_LOGIT; batch with step 16), the same conditions (momentum and
schedule only for sgd, warmup only with the cosine schedule, beta1 and
beta2 only for adam, rho only for rmsprop, units3 only with 3 or 4 layers).

  /usr/bin/python3 bench/cond/compare.py --bench build/hpt-bench-cond \
      --netfn build/libhpt_netfn.so --seeds 10 --budget 100 --out build/bench/cond

Writes OUT.json (every run's best-so-far curve) and OUT.md (medians and
quartiles of the regret loss - 0.08 at 25, 50 and 100 evaluations, the
share of runs that ended in adam's branch, median seconds per ask).
"""
import argparse
import ctypes
import json
import math
import os
import subprocess
import sys
import time

OPTIMUM = 0.08
NET_DIM = 11
CHECKS = [25, 50, 100]
OPTS = ["sgd", "adam", "rmsprop"]


def optuna_runs(netfn_path, sampler_name, seeds, budget):
    import optuna
    import warnings
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    lib = ctypes.CDLL(netfn_path)
    lib.netfn_loss.restype = ctypes.c_double
    lib.netfn_loss.argtypes = [ctypes.POINTER(ctypes.c_double)]
    lo2, hi2 = math.log(0.9 / 0.1), math.log(0.9999 / 0.0001)

    def objective(trial):
        x = [math.nan] * NET_DIM
        opt = trial.suggest_categorical("optimizer", OPTS)
        x[0] = OPTS.index(opt)
        x[1] = trial.suggest_float("lr", 1e-5, 1.0, log=True)
        if opt == "sgd":
            x[2] = trial.suggest_float("momentum", 0.0, 0.99)
            sched = trial.suggest_categorical("schedule", ["constant", "cosine"])
            x[3] = ["constant", "cosine"].index(sched)
            if sched == "cosine":
                x[4] = trial.suggest_float("warmup", 0.0, 0.3)
        elif opt == "adam":
            x[5] = trial.suggest_float("beta1", 0.5, 0.999)
            t = trial.suggest_float("beta2_logit", lo2, hi2)
            x[6] = 1.0 / (1.0 + math.exp(-t))
        else:
            x[7] = trial.suggest_float("rho", 0.5, 0.999)
        x[8] = trial.suggest_int("layers", 1, 4)
        if x[8] >= 3:
            x[9] = trial.suggest_int("units3", 16, 512, log=True)
        x[10] = trial.suggest_int("batch", 16, 256, step=16)
        trial.set_user_attr("opt", opt)
        return lib.netfn_loss((ctypes.c_double * NET_DIM)(*x))

    runs = []
    for seed in range(seeds):
        if sampler_name == "optuna_tpe_group":
            sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        study = optuna.create_study(sampler=sampler)
        best, curve, asks, t_prev = math.inf, [], [], time.perf_counter()
        for _ in range(budget):
            study.optimize(objective, n_trials=1)
            t = study.trials[-1]
            best = min(best, t.value)
            curve.append(best)
        elapsed = time.perf_counter() - t_prev
        runs.append({"strategy": sampler_name, "seed": seed, "best_so_far": curve,
                     "ask_seconds": [elapsed / budget] * budget,
                     "best_branch": study.best_trial.user_attrs["opt"]})
    return runs


def quartiles(v):
    v = sorted(v)
    def q(p):
        k = (len(v) - 1) * p
        f = math.floor(k)
        c = min(f + 1, len(v) - 1)
        return v[f] + (v[c] - v[f]) * (k - f)
    return q(0.25), q(0.5), q(0.75)


def table(runs, budget):
    names = []
    for r in runs:
        if r["strategy"] not in names:
            names.append(r["strategy"])
    checks = [c for c in CHECKS if c <= budget]
    head = "| method | " + " | ".join(f"regret @{c}: median [q1, q3]" for c in checks) + \
        " | runs ending near adam's optimum (< 0.005) | s / ask |"
    lines = [head, "|" + "---|" * (len(checks) + 3)]
    for n in names:
        rs = [r for r in runs if r["strategy"] == n]
        cells = []
        for c in checks:
            q1, m, q3 = quartiles([r["best_so_far"][c - 1] - OPTIMUM for r in rs])
            cells.append(f"{m:.4f} [{q1:.4f}, {q3:.4f}]")
        near = sum(r["best_so_far"][-1] - OPTIMUM < 0.005 for r in rs)
        ask = quartiles([sum(r["ask_seconds"]) / len(r["ask_seconds"]) for r in rs])[1]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {near}/{len(rs)} | {ask:.4f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--netfn", required=True)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--strategies", default="bayes,random")
    ap.add_argument("--samplers", default="optuna_tpe_group,optuna_tpe")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    out = subprocess.run([a.bench, "--strategies", a.strategies, "--seeds", str(a.seeds),
                          "--budget", str(a.budget)], check=True, capture_output=True,
                         text=True).stdout
    runs = [json.loads(line) for line in out.splitlines() if line.strip()]
    try:
        import optuna  # noqa: F401
        for s in a.samplers.split(","):
            if s:
                runs += optuna_runs(os.path.abspath(a.netfn), s, a.seeds, a.budget)
    except ImportError:
        print("compare.py: optuna is not installed; libhpt side only", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out + ".json", "w") as f:
        json.dump({"schema": 1, "runs": runs}, f)
    md = table(runs, a.budget)
    with open(a.out + ".md", "w") as f:
        f.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
