#!/usr/bin/python3
"""make bench-sklearn: the scikit-learn tuning protocol (16 rounds of 8
parallel suggestions on each model/dataset/metric test case), libhpt against
random search and Optuna's samplers, side by side on this machine.

    python3 bench/sklearn/run.py [--quick] [--repeats 5] [--jobs 1]
        [--methods a,b] [--models a,b] [--datasets a,b] [--metrics a,b]
        [--out build/bench/sklearn] [--pool]

Results are appended to OUT/runs.jsonl as each run ends (a rerun skips the
runs already there, so an interrupted benchmark continues; runs of another
lib/ tree stop it, unless --pool says to mix them), then OUT/score.md
(tables) and OUT/score.png (mean score per round) are written.

Score (the protocol's): per test case, best_opt is the lowest cross-validation
loss any method found and clip the median loss of all random-search
evaluations; a run's normalized loss after round r is (best so far − best_opt)
/ (clip − best_opt), clipped to [−1, 1]; a method's score is 100 × (1 − the
mean normalized loss over test cases and runs). 100 = every run found the best
known configuration, 0 = no better than a random configuration's median.
Intervals: 95% bootstrap over the runs of each test case (2000 resamples);
differences between two methods are bootstrapped pairwise (same seeds).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import optimizers  # noqa: E402
import problems  # noqa: E402

RANDOM = "hpt-random"  # the protocol's random-search baseline


def run_one(task):
    """One optimizer on one test case with one seed: the losses of every
    evaluation, in suggestion order, with the round each belongs to."""
    case, method, seed, rounds, batch = task
    prob = problems.Problem(*case)
    opt = optimizers.make(method, prob.space, seed, rounds * batch)
    cv, test, t_opt = [], [], 0.0
    for _ in range(rounds):
        t0 = time.process_time()
        sugg = opt.suggest(batch)
        t_opt += time.process_time() - t0
        res = []
        for handle, params in sugg:
            a, b = prob.evaluate(params)
            cv.append(a)
            test.append(b)
            res.append((handle, a))
        t0 = time.process_time()
        opt.observe(res)
        t_opt += time.process_time() - t0
        while len(cv) % batch:  # an optimizer that stopped early: pad with its worst
            cv.append(math.inf)
            test.append(math.inf)
    return {"case": list(case), "method": method, "seed": seed, "rounds": rounds,
            "batch": batch, "cv": cv, "test": test, "optimizer_seconds": t_opt}


def _key(r):
    return (tuple(r["case"]), r["method"], r["seed"], r["rounds"], r["batch"])


def load(path):
    if not path.exists():
        return []
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip()]


def best_so_far(cv, batch, rounds):
    out, b = [], math.inf
    for r in range(rounds):
        for v in cv[r * batch:(r + 1) * batch]:
            b = min(b, v)
        out.append(b)
    return out


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def normalize(runs):
    """{case: {method: [[normalized loss per round] per seed, ordered by seed]}}"""
    by_case = {}
    for r in runs:
        by_case.setdefault(tuple(r["case"]), []).append(r)
    out = {}
    for case, rs in by_case.items():
        finite = [v for r in rs for v in r["cv"] if math.isfinite(v)]
        rand = [v for r in rs if r["method"] == RANDOM for v in r["cv"]]
        if not finite or not rand:
            continue
        best = min(finite)
        clip = median([v if math.isfinite(v) else max(finite) for v in rand])
        span = clip - best
        out[case] = {}
        for r in sorted(rs, key=lambda r: r["seed"]):
            curve = best_so_far(r["cv"], r["batch"], r["rounds"])
            if span <= 1e-12 * max(1.0, abs(best)):
                norm = [0.0 for _ in curve]  # every configuration equally good
            else:
                norm = [max(-1.0, min(1.0, (c - best) / span)) if math.isfinite(c) else 1.0
                        for c in curve]
            out[case].setdefault(r["method"], []).append(norm)
    return out


def score(norm, method, rnd=-1, cases=None):
    vals = [sum(s[rnd] for s in norm[c][method]) / len(norm[c][method])
            for c in (cases or norm) if method in norm[c]]
    return 100.0 * (1.0 - sum(vals) / len(vals)) if vals else math.nan


def bootstrap(norm, methods, n=2000, seed=0):
    """95% intervals of each method's final score, and of the difference of
    each pair: resample the runs of each test case (same indices for every
    method, so paired by seed)."""
    rng = random.Random(seed)
    cases = [c for c in norm if all(m in norm[c] for m in methods)]
    draws = {m: [] for m in methods}
    for _ in range(n):
        idx = {c: [rng.randrange(len(norm[c][methods[0]])) for _ in norm[c][methods[0]]]
               for c in cases}
        for m in methods:
            tot = 0.0
            for c in cases:
                runs = norm[c][m]
                tot += sum(runs[i % len(runs)][-1] for i in idx[c]) / len(idx[c])
            draws[m].append(100.0 * (1.0 - tot / len(cases)))
    return draws


def interval(v):
    s = sorted(v)
    return s[int(0.025 * len(s))], s[min(len(s) - 1, int(0.975 * len(s)))]


def report(runs, out, methods):
    norm = normalize(runs)
    methods = [m for m in methods if any(m in norm[c] for c in norm)]
    # Compare on the test cases every method has run, with as many runs each.
    full = {}
    for c, by in norm.items():
        if all(m in by for m in methods):
            k = min(len(by[m]) for m in methods)
            full[c] = {m: by[m][:k] for m in methods}
    dropped = len(norm) - len(full)
    norm = full
    if not norm or not methods:
        return None
    draws = bootstrap(norm, methods)
    lines = ["| method | mean score | 95% interval | optimizer CPU s / run |", "|---|---|---|---|"]
    final = {}
    for m in methods:
        lo, hi = interval(draws[m])
        final[m] = score(norm, m)
        cpu = [r["optimizer_seconds"] for r in runs if r["method"] == m]
        lines.append(f"| {m} | {final[m]:.2f} | [{lo:.2f}, {hi:.2f}] | "
                     f"{sum(cpu) / len(cpu):.2f} |")
    lines += ["", "Differences (row − column), 95% paired bootstrap intervals:", ""]
    lines.append("| | " + " | ".join(methods) + " |")
    lines.append("|---" * (len(methods) + 1) + "|")
    for a in methods:
        row = [a]
        for b in methods:
            if a == b:
                row.append("")
                continue
            d = [x - y for x, y in zip(draws[a], draws[b])]
            lo, hi = interval(d)
            row.append(f"{final[a] - final[b]:+.2f} [{lo:+.2f}, {hi:+.2f}]")
        lines.append("| " + " | ".join(row) + " |")
    # Per model/dataset pair (metrics averaged), the protocol's score.
    pairs = sorted({(c[0], c[1]) for c in norm})
    lines += ["", "Per model and dataset (both metrics):", ""]
    lines.append("| model | dataset | " + " | ".join(methods) + " |")
    lines.append("|---|---" + "|---" * len(methods) + "|")
    for p in pairs:
        cs = [c for c in norm if (c[0], c[1]) == p]
        lines.append(f"| {p[0]} | {p[1]} | " +
                     " | ".join(f"{score(norm, m, cases=cs):.1f}" for m in methods) + " |")
    n_runs = {m: sum(len(norm[c].get(m, [])) for c in norm) for m in methods}
    lines += ["", f"{len(norm)} test cases; runs per method: " +
              ", ".join(f"{m} {n_runs[m]}" for m in methods) +
              (f" ({dropped} test cases left out: not every method has run them)"
               if dropped else "")]
    made = sorted({(r.get("lib") or "unrecorded", r.get("commit") or "unrecorded",
                    r.get("cpu") or "unrecorded") for r in runs})
    lines.append("Made by: " + "; ".join(f"lib/ tree {t} (commit {c}) on {u}" for t, c, u in made))
    text = "\n".join(lines) + "\n"
    (out / "score.md").write_text(text)
    plot(norm, methods, out / "score.png")
    return text


def plot(norm, methods, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        return
    rounds = len(next(iter(next(iter(norm.values())).values()))[0])
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    for m in methods:
        ax.plot(range(1, rounds + 1), [score(norm, m, r) for r in range(rounds)], label=m)
    ax.set_xlabel("round (8 parallel suggestions each)")
    ax.set_ylabel("mean normalized score")
    ax.set_title("scikit-learn tuning protocol")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=110, bbox_inches="tight")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 3 cheap test cases, 2 rounds of 4, 1 repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=16)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--methods", default=",".join(optimizers.METHODS))
    ap.add_argument("--models", default=",".join(problems.MODELS))
    ap.add_argument("--datasets", default=",".join(problems.DATASETS))
    ap.add_argument("--metrics", default=None)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--out", default="build/bench/sklearn")
    ap.add_argument("--pool", action="store_true",
                    help="add to an OUT whose runs another libhpt made")
    a = ap.parse_args(argv)
    if a.quick:
        a.repeats, a.rounds, a.batch = 1, 2, 4
        a.models, a.datasets, a.metrics = "kNN,DT,linear", "iris,diabetes", "acc,mse"
    out = Path(a.out)
    db = out / ("runs-quick.jsonl" if a.quick else "runs.jsonl")
    if a.quick and db.exists():
        db.unlink()
    runs = load(db)
    lib = provenance()["lib"]
    other = sorted({r.get("lib") or "unrecorded" for r in runs} - {lib})
    if other and not a.pool:
        sys.exit(f"bench-sklearn: {db} holds runs of another libhpt (lib/ tree {', '.join(other)}; "
                 f"this one is {lib or 'unknown'}): use another --out, or --pool to mix them")
    methods = []
    for m in a.methods.split(","):
        why = optimizers.available(m)
        if why:
            print(f"bench-sklearn: {m} skipped: {why}", file=sys.stderr)
        else:
            methods.append(m)
    if RANDOM not in methods:
        sys.exit("bench-sklearn: the random-search baseline (hpt-random) is needed")
    cases = problems.cases(a.models.split(","), a.datasets.split(","),
                           a.metrics.split(",") if a.metrics else None)
    out.mkdir(parents=True, exist_ok=True)
    done = {_key(r) for r in runs}
    tasks = [(c, m, s, a.rounds, a.batch) for s in range(a.first_seed, a.first_seed + a.repeats)
             for c in cases for m in methods
             if (tuple(c), m, s, a.rounds, a.batch) not in done]
    print(f"bench-sklearn: {len(cases)} test cases x {len(methods)} methods x {a.repeats} "
          f"repeats, {a.rounds} rounds of {a.batch}: {len(tasks)} runs to do "
          f"({len(runs)} done) -> {db}", file=sys.stderr)
    t0 = time.time()
    if a.jobs > 1:
        import multiprocessing
        with multiprocessing.Pool(a.jobs) as pool:
            it = pool.imap_unordered(run_one, tasks)
            _collect(it, db, runs, len(tasks), t0)
    else:
        _collect(map(run_one, tasks), db, runs, len(tasks), t0)
    keep = [r for r in runs if r["rounds"] == a.rounds and r["batch"] == a.batch
            and tuple(r["case"]) in set(map(tuple, cases)) and r["method"] in methods]
    text = report(keep, out, methods)
    if text:
        print(text)
    return 0


def provenance():
    """What produced a run, recorded with it. The whole protocol takes about
    13 core-hours, so it is gathered over several sessions, and runs may
    only be pooled when they share the library: "lib" is the git tree of
    lib/ (equal across commits that leave lib/ alone), "commit" the
    checkout's, "cpu" the processor's model. Fields git cannot give are
    empty; lib/ with uncommitted edits is marked "+changes"."""
    def git(*args):
        try:
            return subprocess.run(["git", "-C", str(HERE), *args], capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    lib = git("rev-parse", "--short", "HEAD:lib")
    if lib and git("status", "--porcelain", "--", "../../lib"):
        lib += "+changes"
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"lib": lib, "commit": git("rev-parse", "--short", "HEAD"), "cpu": cpu}


def _collect(it, db, runs, n, t0):
    prov = provenance()
    with db.open("a") as f:
        for k, r in enumerate(it, 1):
            r.update(prov)
            runs.append(r)
            f.write(json.dumps(r) + "\n")
            f.flush()
            if k % 10 == 0 or k == n:
                print(f"bench-sklearn: {k}/{n} runs, {time.time() - t0:.0f} s",
                      file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
