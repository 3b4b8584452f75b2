#!/usr/bin/python3
"""compare.py -- several objectives and constraints: libhpt against Optuna 3.1.

Run by `make bench-mo`:

  /usr/bin/python3 bench/mo/compare.py --driver build/hpt-bench-mo \
      --out build/bench/mo [--seeds 10] [--budget 100] [--problems a,b]

For every problem of bench/mo/problems.h and seeds 1..seeds, BUDGET
evaluations each with
  hpt_bayes, hpt_random         libhpt (hpt-bench-mo run)
  optuna_nsga2                  NSGAIISampler (constraints_func when constrained)
  optuna_tpe                    TPESampler: multi-objective TPE with several
                                objectives, constraints_func when constrained
  optuna_random                 RandomSampler
all with their defaults. The metric of a run is the hypervolume of its
feasible front at the problem's reference (several objectives, higher is
better) or its feasible regret, best feasible value minus the best known
(lower is better; a run with nothing feasible counts as +inf). Both sides
are scored by the same code: Optuna's evaluations go through
`hpt-bench-mo score` (libhpt's hypervolume). Writes mo.json (every run) and
mo.md (medians and quartiles per problem and sampler).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

PROBLEMS = ["zdt1", "branincurrin", "dtlz2", "gardner", "spring"]


# ---- the problems (the same as bench/mo/problems.c; checked at start) ----

def zdt1(x):
    g = 1.0 + 9.0 * sum(x[1:6]) / 5.0
    return [x[0], g * (1.0 - math.sqrt(x[0] / g))], []


def branincurrin(x):
    u, v = 15.0 * x[0] - 5.0, 15.0 * x[1]
    b, c, t = 5.1 / (4.0 * math.pi ** 2), 5.0 / math.pi, 1.0 / (8.0 * math.pi)
    f1 = (v - b * u * u + c * u - 6.0) ** 2 + 10.0 * (1.0 - t) * math.cos(u) + 10.0
    a = x[0]
    num = 2300.0 * a ** 3 + 1900.0 * a * a + 2092.0 * a + 60.0
    den = 100.0 * a ** 3 + 500.0 * a * a + 4.0 * a + 20.0
    e = math.exp(-1.0 / (2.0 * x[1])) if x[1] > 0 else 0.0
    return [f1, (1.0 - e) * num / den], []


def dtlz2(x):
    g = sum((xi - 0.5) ** 2 for xi in x[2:6])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a)], []


def gardner(x):
    f = math.cos(2 * x[0]) * math.cos(x[1]) + math.sin(x[0])
    c = math.cos(x[0]) * math.cos(x[1]) - math.sin(x[0]) * math.sin(x[1]) - 0.5
    return [f], [c]


def spring(x):
    d, D, N = x
    f = (N + 2.0) * D * d * d
    g1 = 1.0 - D ** 3 * N / (71785.0 * d ** 4)
    g2 = (4.0 * D * D - d * D) / (12566.0 * (D * d ** 3 - d ** 4)) + 1.0 / (5108.0 * d * d) - 1.0
    g3 = 1.0 - 140.45 * d / (D * D * N)
    g4 = (D + d) / 1.5 - 1.0
    return [f], [g1, g2, g3, g4]


DEFS = {
    "zdt1": (zdt1, [(0, 1)] * 6, 2),
    "branincurrin": (branincurrin, [(0, 1)] * 2, 2),
    "dtlz2": (dtlz2, [(0, 1)] * 6, 3),
    "gardner": (gardner, [(0, 6)] * 2, 1),
    "spring": (spring, [(0.05, 2), (0.25, 1.3), (2, 15)], 1),
}


def check_definitions(driver):
    rng = random.Random(1)
    for name, (f, bounds, _) in DEFS.items():
        for _ in range(5):
            x = [lo + (hi - lo) * rng.random() for lo, hi in bounds]
            out = subprocess.run([driver, "eval", name] + ["%.17g" % v for v in x],
                                 capture_output=True, text=True, check=True).stdout.split()
            obj, con = f(x)
            mine = obj + con
            for a, b in zip(mine, map(float, out)):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                    sys.exit("compare.py: %s(%s): Python %r, C %r" % (name, x, mine, out))


# ---- the runs ----

def run_hpt(driver, strategy, problem, seed, budget):
    out = subprocess.run([driver, "run", strategy, problem, str(seed), str(budget)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run_optuna(driver, sampler_name, problem, seed, budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    f, bounds, n_obj = DEFS[problem]
    constrained = problem in ("gardner", "spring")
    cf = (lambda t: t.user_attrs["c"]) if constrained else None
    if sampler_name == "optuna_nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cf)
    elif sampler_name == "optuna_tpe":
        sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=cf)
    else:
        sampler = optuna.samplers.RandomSampler(seed=seed)
    rows = []

    def objective(trial):
        x = [trial.suggest_float("x%d" % j, lo, hi) for j, (lo, hi) in enumerate(bounds)]
        obj, con = f(x)
        trial.set_user_attr("c", con)
        rows.append(obj + con)
        return tuple(obj) if n_obj > 1 else obj[0]

    study = optuna.create_study(directions=["minimize"] * n_obj, sampler=sampler)
    t0 = time.monotonic()
    study.optimize(objective, n_trials=budget)
    secs = time.monotonic() - t0
    text = "".join(" ".join("%.17g" % v for v in r) + "\n" for r in rows)
    out = subprocess.run([driver, "score", problem], input=text, capture_output=True,
                         text=True, check=True).stdout
    res = json.loads(out)
    res.update({"problem": problem, "sampler": sampler_name, "seed": seed,
                "seconds": round(secs, 3)})
    return res


def one(args):
    driver, sampler, problem, seed, budget = args
    if sampler.startswith("hpt_"):
        return run_hpt(driver, sampler[4:], problem, seed, budget)
    return run_optuna(driver, sampler, problem, seed, budget)


# ---- the table ----

def quantile(v, q):
    v = sorted(v)
    pos = q * (len(v) - 1)
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    if math.isinf(v[lo]) or math.isinf(v[hi]):
        return v[hi] if q >= 0.5 else v[lo]
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def fmt(x):
    return "inf" if math.isinf(x) else "%.4g" % x


def table(results, samplers, problems, seeds, budget):
    lines = ["# bench-mo: %d evaluations, seeds 1..%d" % (budget, seeds), "",
             "Hypervolume of the feasible front (higher is better) for the problems with "
             "several objectives; feasible regret, best feasible value minus the best known "
             "(lower is better, inf = nothing feasible), for the constrained ones. "
             "Median [first quartile, third quartile] over the seeds; mean seconds per run.",
             "", "| problem | metric | " + " | ".join(samplers) + " | bayes vs best Optuna |",
             "|" + "---|" * (len(samplers) + 3)]
    for p in problems:
        hv = DEFS[p][2] > 1
        cells, med = [], {}
        for s in samplers:
            rs = [r for r in results if r["problem"] == p and r["sampler"] == s]
            if not rs:
                cells.append("")
                continue
            v = [r["metric"] if r["metric"] is not None else math.inf for r in rs]
            if hv:
                v = [-x for x in v]  # quantiles of "lower is better"
            m, q1, q3 = quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75)
            if hv:
                m, q1, q3 = -m, -q3, -q1
            med[s] = m
            secs = sum(r["seconds"] for r in rs) / len(rs)
            cells.append("%s [%s, %s] %.1fs" % (fmt(m), fmt(q1), fmt(q3), secs))
        opt = [s for s in med if s.startswith("optuna_")]
        verdict = ""
        if "hpt_bayes" in med and opt:
            best = max(opt, key=lambda s: med[s]) if hv else min(opt, key=lambda s: med[s])
            b, o = med["hpt_bayes"], med[best]
            better = b > o if hv else b < o
            verdict = "%s (best: %s %s)" % ("better" if better else "NOT better", best, fmt(o))
        lines.append("| %s | %s | %s | %s |" % (p, "HV" if hv else "regret", " | ".join(cells),
                                                 verdict))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--samplers",
                    default="hpt_bayes,hpt_random,optuna_nsga2,optuna_tpe,optuna_random")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    problems = a.problems.split(",")
    samplers = a.samplers.split(",")
    check_definitions(a.driver)
    os.makedirs(a.out, exist_ok=True)
    jobs = [(a.driver, s, p, seed, a.budget) for p in problems for s in samplers
            for seed in range(1, a.seeds + 1)]
    if a.jobs > 1:
        import multiprocessing
        with multiprocessing.Pool(a.jobs) as pool:
            results = pool.map(one, jobs)
    else:
        results = []
        for j in jobs:
            results.append(one(j))
            print(json.dumps(results[-1]), flush=True)
    with open(os.path.join(a.out, "mo.json"), "w") as f:
        json.dump(results, f, indent=1)
    md = table(results, samplers, problems, a.seeds, a.budget)
    with open(os.path.join(a.out, "mo.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
