#!/usr/bin/python3
"""optuna_compare.py -- libhpt side by side with Optuna (Debian python3-optuna).

Run by `make bench-compare` (after `make bench-run` wrote build/bench/hpt.json):

  /usr/bin/python3 bench/optuna_compare.py --lib build/libhpt_bench.so \
      --budget 100 --seeds 10 --out build/bench \
      --hpt-digits build/hpt-bench-digits --digits-seeds 5 --digits-epochs 2000

1. Test functions: Optuna's TPE (default and multivariate), random search
   and CMA-ES run on the same C functions (through libhpt_bench.so, ctypes),
   the same seeds (0 .. seeds-1), budgets and noise keys as hpt-bench, and
   write the same JSON schema (build/bench/optuna.json). Strategy names are
   prefixed "optuna_". The time of study.ask() plus the suggest_* calls is
   the ask latency (Optuna samples lazily, inside suggest_*).
2. Real task (digits network, bench/digits.h): Optuna TPE + HyperbandPruner
   (min 1, max 27 epochs, reduction factor 3) and plain TPE, against libhpt's
   strategies run by hpt-bench-digits, with the same epoch budget (epochs
   trained over all trials), the same space and the same network seeds
   (seed * 1000003 + trial number).
3. Writes build/bench/compare.md (tables), regret.png (regret curves with
   IQR bands per function) and digits.png (best validation error against
   epochs trained).

Without optuna it says so and writes nothing; without matplotlib it writes
the tables but no plots.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hptb  # noqa: E402

SAMPLERS = ["optuna_tpe", "optuna_tpe_mv", "optuna_random", "optuna_cmaes"]
CHECKS = [10, 25, 50, 100]
# The digits space, as in bench/demo_digits.c.
MAX_EPOCHS = 27
ACTS = ["relu", "tanh", "sigmoid"]

_lib = None


def lib(path=None):
    global _lib
    if _lib is None:
        _lib = hptb.Lib(path)
    return _lib


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import optuna
    return {"os": platform.platform(), "arch": platform.machine(), "cpu": cpu,
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "optuna": optuna.__version__,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def quiet_optuna():
    import warnings
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def make_sampler(kind, seed):
    import optuna
    s = optuna.samplers
    if kind == "optuna_tpe":
        return s.TPESampler(seed=seed)
    if kind == "optuna_tpe_mv":
        return s.TPESampler(seed=seed, multivariate=True, warn_independent_sampling=False)
    if kind == "optuna_random":
        return s.RandomSampler(seed=seed)
    if kind == "optuna_cmaes":
        # Categorical parameters fall back to the (seeded) random sampler.
        return s.CmaEsSampler(seed=seed, warn_independent_sampling=False,
                              independent_sampler=s.RandomSampler(seed=seed))
    raise ValueError(kind)


def suggest(trial, params):
    x = []
    for name, typ, log, lo, hi, choices in params:
        if typ == hptb.FLOAT:
            x.append(trial.suggest_float(name, lo, hi, log=log))
        elif typ == hptb.INT:
            x.append(trial.suggest_int(name, int(lo), int(hi), log=log))
        else:
            x.append(choices.index(trial.suggest_categorical(name, choices)))
    return x


def run_function(task):
    """One (function, sampler, seed) run; the hpt-bench JSON run record."""
    libpath, fname, kind, seed, budget = task
    import optuna
    from optuna.trial import TrialState
    quiet_optuna()
    fn = lib(libpath).function(fname)
    study = optuna.create_study(direction="minimize", sampler=make_sampler(kind, seed))
    best_obs, best_true = math.inf, None
    bsf, asks = [], []
    for i in range(budget):
        t0 = time.perf_counter()
        trial = study.ask()
        x = suggest(trial, fn.params)
        dt = time.perf_counter() - t0
        y = fn.eval_noisy(x, seed * hptb.NOISE_KEY_STRIDE + i)
        if y is None:
            study.tell(trial, state=TrialState.FAIL)
        else:
            study.tell(trial, y)
            if y < best_obs:
                best_obs, best_true = y, fn.eval(x)
        bsf.append(best_true)
        asks.append(dt)
    return {"function": fname, "strategy": kind, "seed": seed, "evaluations": len(bsf),
            "best_so_far": bsf, "ask_seconds": asks}


def run_tasks(fn, tasks, jobs, label):
    out = []
    tty = sys.stderr.isatty()
    if jobs > 1:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(jobs) as pool:
            for k, r in enumerate(pool.imap(fn, tasks)):
                out.append(r)
                if tty:
                    print("\r%s %d/%d\033[K" % (label, k + 1, len(tasks)), end="",
                          file=sys.stderr)
    else:
        for k, t in enumerate(tasks):
            out.append(fn(t))
            if tty:
                print("\r%s %d/%d\033[K" % (label, k + 1, len(tasks)), end="", file=sys.stderr)
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    return out


# ---- the real task -------------------------------------------------------------

def run_digits_optuna(task):
    libpath, data, kind, seed, total_epochs = task
    import optuna
    from optuna.trial import TrialState
    quiet_optuna()
    digits = hptb.Digits(lib(libpath), data)
    pruner = (optuna.pruners.HyperbandPruner(min_resource=1, max_resource=MAX_EPOCHS,
                                             reduction_factor=3)
              if kind == "optuna_tpe_hyperband" else optuna.pruners.NopPruner())
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
    done, best, t_start = 0, math.inf, time.perf_counter()
    rec = {"best_so_far": [], "ask_seconds": [], "epochs": [], "seconds": []}
    while done < total_epochs:
        t0 = time.perf_counter()
        trial = study.ask()
        lr = trial.suggest_float("lr", 1e-4, 3.0, log=True)
        # libhpt's reverse-log momentum in [0, 0.99]: 1 - momentum log-uniform.
        mom = 1.0 - trial.suggest_float("one_minus_momentum", 0.01, 1.0, log=True)
        wd = trial.suggest_float("weight_decay", 1e-6, 1e-1, log=True)
        hidden = trial.suggest_int("hidden", 8, 256, log=True)
        batch = trial.suggest_int("batch", 8, 256, log=True)
        act = trial.suggest_categorical("activation", ACTS)
        ask_s = time.perf_counter() - t0
        net = digits.net(hidden, act, seed * 1000003 + trial.number)
        state, err = TrialState.COMPLETE, None
        for epoch in range(1, MAX_EPOCHS + 1):
            if not net.train(lr, mom, wd, batch):
                state = TrialState.FAIL
                break
            done += 1
            err = net.error()
            trial.report(err, epoch)
            if trial.should_prune():
                state = TrialState.PRUNED
                break
        if state == TrialState.COMPLETE:
            study.tell(trial, err)
            best = min(best, err)
        else:
            study.tell(trial, state=state)
        rec["best_so_far"].append(best if math.isfinite(best) else None)
        rec["ask_seconds"].append(ask_s)
        rec["epochs"].append(done)
        rec["seconds"].append(time.perf_counter() - t_start)
    digits.close()
    return dict({"function": "digits", "strategy": kind, "seed": seed,
                 "evaluations": len(rec["epochs"])}, **rec)


def run_digits_hpt(prog, data, strategies, seeds, total_epochs):
    runs = []
    for strat in strategies:
        for seed in seeds:
            with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
                cmd = [prog, "--strategy", strat, "--seed", str(seed), "--total-epochs",
                       str(total_epochs), "--seconds", "1e9", "--quiet", "--json", tmp.name]
                if data:
                    cmd += ["--data", data]
                p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
                if p.returncode == 2 and "no strategy" in p.stderr:
                    print("optuna_compare: libhpt has no strategy %r: skipped on digits"
                          % strat, file=sys.stderr)
                    break
                if p.returncode != 0:
                    raise RuntimeError("%s failed: %s" % (" ".join(cmd), p.stderr))
                runs += json.load(open(tmp.name))["runs"]
    return runs


# ---- statistics, tables, plots --------------------------------------------------

def quantiles(v):
    import numpy as np
    a = np.array([math.inf if x is None else x for x in v], dtype=float)
    if np.all(np.isinf(a)):
        return (math.inf,) * 3
    # numpy's linear method, as hpt-bench; inf (no value yet) sorts last.
    return tuple(float(np.percentile(a, q)) if np.isfinite(np.percentile(a, q)) else math.inf
                 for q in (25, 50, 75))


def regret_at(run, k, fstar):
    b = run["best_so_far"]
    if not b:
        return None
    v = b[min(k, len(b)) - 1]
    return None if v is None else v - fstar


def fmt(q):
    return "%.3g [%.3g, %.3g]" % (q[1], q[0], q[2])


def group(runs):
    g = {}
    for r in runs:
        g.setdefault((r["function"], r["strategy"]), []).append(r)
    return g


def function_table(runs, fstars, budget, out):
    checks = [c for c in CHECKS if c <= budget] or [budget]
    if checks[-1] != budget:
        checks.append(budget)
    g = group(runs)
    funcs = list(dict.fromkeys(r["function"] for r in runs))
    strats = list(dict.fromkeys(r["strategy"] for r in runs))
    out.append("| function | strategy | " + " | ".join("regret@%d" % c for c in checks)
               + " | ask median (µs) |")
    out.append("|---|---|" + "---|" * len(checks) + "---|")
    ranks = {s: [] for s in strats}
    for f in funcs:
        finals = {}
        for s in strats:
            rs = g.get((f, s))
            if not rs:
                continue
            cells = [fmt(quantiles([regret_at(r, c, fstars[f]) for r in rs])) for c in checks]
            finals[s] = quantiles([regret_at(r, budget, fstars[f]) for r in rs])[1]
            import numpy as np
            ask = float(np.median([t for r in rs for t in r["ask_seconds"]]))
            out.append("| %s | %s | %s | %.1f |" % (f, s, " | ".join(cells), 1e6 * ask))
        order = sorted(finals, key=lambda s: finals[s])
        for s in finals:
            # Average rank with ties shared.
            tied = [t for t in order if finals[t] == finals[s]]
            first = order.index(tied[0]) + 1
            ranks[s].append(first + (len(tied) - 1) / 2)
    out.append("")
    out.append("Mean rank of the median final regret over the functions (1 = best):")
    out.append("")
    out.append("| strategy | mean rank | functions |")
    out.append("|---|---|---|")
    for s in sorted(strats, key=lambda s: sum(ranks[s]) / max(1, len(ranks[s]))):
        if ranks[s]:
            out.append("| %s | %.2f | %d |" % (s, sum(ranks[s]) / len(ranks[s]), len(ranks[s])))


def pivot_table(runs, fstars, budget, out):
    """Functions x strategies: median final regret, and the median ask time."""
    import numpy as np
    g = group(runs)
    funcs = list(dict.fromkeys(r["function"] for r in runs))
    strats = list(dict.fromkeys(r["strategy"] for r in runs))
    out.append("| function | " + " | ".join(strats) + " |")
    out.append("|---|" + "---|" * len(strats))
    for f in funcs:
        meds = {s: quantiles([regret_at(r, budget, fstars[f]) for r in g[(f, s)]])[1]
                for s in strats if (f, s) in g}
        best = min(meds.values())
        cells = []
        for s in strats:
            if s not in meds:
                cells.append("")
            else:
                c = "%.3g" % meds[s]
                cells.append("**%s**" % c if meds[s] == best else c)
        out.append("| %s | %s |" % (f, " | ".join(cells)))
    asks = []
    for s in strats:
        t = [x for (f, s2), rs in g.items() if s2 == s for r in rs for x in r["ask_seconds"]]
        asks.append("%.3g" % (1e6 * float(np.median(t))) if t else "")
    out.append("| *ask median (µs)* | %s |" % " | ".join(asks))


def digits_table(runs, total_epochs, out):
    g = group(runs)
    marks = [total_epochs // 4, total_epochs // 2, total_epochs]
    out.append("| strategy | " + " | ".join("best val error @%d epochs" % m for m in marks)
               + " | trials (median) |")
    out.append("|---|" + "---|" * len(marks) + "---|")
    for (_, s), rs in g.items():
        cells = []
        for m in marks:
            vals = []
            for r in rs:
                v = None
                for e, b in zip(r["epochs"], r["best_so_far"]):
                    if e <= m:
                        v = b
                vals.append(v)
            cells.append(fmt(quantiles(vals)))
        import numpy as np
        out.append("| %s | %s | %d |" % (s, " | ".join(cells),
                                         int(np.median([r["evaluations"] for r in rs]))))


def curves(rs, n, fstar):
    import numpy as np
    m = np.full((len(rs), n), np.nan)
    for i, r in enumerate(rs):
        last = np.nan
        for k in range(n):
            if k < len(r["best_so_far"]) and r["best_so_far"][k] is not None:
                last = r["best_so_far"][k] - fstar
            m[i, k] = last
    return m


def plot_functions(runs, fstars, budget, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    g = group(runs)
    funcs = list(dict.fromkeys(r["function"] for r in runs))
    strats = list(dict.fromkeys(r["strategy"] for r in runs))
    cols = 4
    rows = (len(funcs) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
    xs = np.arange(1, budget + 1)
    for ax, f in zip(axes.flat, funcs):
        for s in strats:
            rs = g.get((f, s))
            if not rs:
                continue
            m = np.maximum(curves(rs, budget, fstars[f]), 1e-9)
            with np.errstate(all="ignore"):
                q1, med, q3 = (np.nanpercentile(m, q, axis=0) for q in (25, 50, 75))
            line, = ax.plot(xs, med, label=s, lw=1.4)
            ax.fill_between(xs, q1, q3, color=line.get_color(), alpha=0.15, lw=0)
        ax.set_yscale("log")
        ax.set_title(f, fontsize=10)
        ax.set_xlabel("evaluations", fontsize=8)
        ax.set_ylabel("regret (median, IQR)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(funcs):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 7), fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_digits(runs, total_epochs, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=(7, 4.5))
    grid = np.arange(1, total_epochs + 1)
    for (_, s), rs in group(runs).items():
        m = np.full((len(rs), len(grid)), np.nan)
        for i, r in enumerate(rs):
            e = np.array(r["epochs"], dtype=float)
            b = np.array([np.nan if v is None else v for v in r["best_so_far"]])
            idx = np.searchsorted(e, grid, side="right") - 1
            m[i] = np.where(idx >= 0, b[np.maximum(idx, 0)], np.nan)
        with np.errstate(all="ignore"):
            q1, med, q3 = (np.nanpercentile(m, q, axis=0) for q in (25, 50, 75))
        line, = ax.plot(grid, med, label=s, lw=1.5)
        ax.fill_between(grid, q1, q3, color=line.get_color(), alpha=0.15, lw=0)
    ax.set_xlabel("epochs trained (all trials)")
    ax.set_ylabel("best validation error (median, IQR)")
    ax.set_title("digits network: best validation error vs epochs")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default="build/libhpt_bench.so")
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--hpt-json", help="hpt-bench JSON (default OUT/hpt.json)")
    ap.add_argument("--budget", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--functions", default="all")
    ap.add_argument("--samplers", default=",".join(SAMPLERS))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--hpt-digits", default="build/hpt-bench-digits")
    ap.add_argument("--hpt-digits-strategies", default="hyperband,bayes,random")
    ap.add_argument("--digits-seeds", type=int, default=5)
    ap.add_argument("--digits-epochs", type=int, default=2000)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "data", "digits.csv.gz"))
    ap.add_argument("--skip-functions", action="store_true")
    ap.add_argument("--skip-digits", action="store_true")
    a = ap.parse_args()

    try:
        import optuna  # noqa: F401
    except ImportError:
        print("optuna_compare: Optuna is not installed (Debian: apt-get install "
              "python3-optuna, or scripts/install-deps --optional): comparison skipped")
        return 0
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("optuna_compare: numpy is missing (python3-numpy): comparison skipped")
        return 0
    try:
        import matplotlib  # noqa: F401
        have_mpl = True
    except ImportError:
        have_mpl = False
        print("optuna_compare: matplotlib is missing (python3-matplotlib): no plots")
    samplers = [s for s in a.samplers.split(",") if s]
    if "optuna_cmaes" in samplers:
        try:
            import cmaes  # noqa: F401
        except ImportError:
            print("optuna_compare: python3-cmaes is missing: CMA-ES skipped")
            samplers.remove("optuna_cmaes")

    os.makedirs(a.out, exist_ok=True)
    L = lib(a.lib)
    report = ["# libhpt vs Optuna", "",
              "Machine: %s, %d CPUs (%s); Optuna %s." % (
                  platform.platform(), os.cpu_count(), machine()["cpu"], optuna.__version__),
              ""]

    if not a.skip_functions:
        funcs = L.functions() if a.functions == "all" else a.functions.split(",")
        tasks = [(L.path, f, s, seed, a.budget) for f in funcs for s in samplers
                 for seed in range(a.seeds)]
        t0 = time.time()
        runs = run_tasks(run_function, tasks, a.jobs, "optuna")
        with open(os.path.join(a.out, "optuna.json"), "w") as f:
            json.dump({"schema": 1, "machine": machine(), "runs": runs}, f)
        print("optuna_compare: %d Optuna runs in %.0f s" % (len(runs), time.time() - t0),
              file=sys.stderr)
        hpt_json = a.hpt_json or os.path.join(a.out, "hpt.json")
        hpt_runs = []
        if os.path.exists(hpt_json):
            hpt_runs = [r for r in json.load(open(hpt_json))["runs"] if r["function"] in funcs]
        else:
            print("optuna_compare: %s missing (make bench-run): Optuna only" % hpt_json,
                  file=sys.stderr)
        allruns = hpt_runs + runs
        fstars = {f: L.function(f).optimum for f in funcs}
        report += ["## Test functions", "",
                   "Best-so-far regret, median [25%%, 75%%] over %d seeds, %d evaluations; "
                   "ask latency median in µs." % (a.seeds, a.budget), ""]
        report += ["Median regret after %d evaluations (best in bold):" % a.budget, ""]
        pivot_table(allruns, fstars, a.budget, report)
        report += ["", "In detail:", ""]
        function_table(allruns, fstars, a.budget, report)
        report.append("")
        if have_mpl:
            plot_functions(allruns, fstars, a.budget, os.path.join(a.out, "regret.png"))
            report += ["![regret curves](regret.png)", ""]

    if not a.skip_digits:
        seeds = list(range(a.digits_seeds))
        t0 = time.time()
        druns = run_digits_hpt(a.hpt_digits, a.data, a.hpt_digits_strategies.split(","),
                               seeds, a.digits_epochs)
        tasks = [(L.path, a.data, k, seed, a.digits_epochs)
                 for k in ("optuna_tpe_hyperband", "optuna_tpe") for seed in seeds]
        oruns = run_tasks(run_digits_optuna, tasks, a.jobs, "digits")
        with open(os.path.join(a.out, "digits.json"), "w") as f:
            json.dump({"schema": 1, "machine": machine(), "runs": druns + oruns}, f)
        print("optuna_compare: digits runs in %.0f s" % (time.time() - t0), file=sys.stderr)
        report += ["## Real task: digits network", "",
                   "Best validation error (fraction of 1000 images) after a number of epochs "
                   "trained over all trials, median [25%%, 75%%] over %d seeds; max %d "
                   "epochs per trial." % (len(seeds), MAX_EPOCHS), ""]
        digits_table(druns + oruns, a.digits_epochs, report)
        report.append("")
        if have_mpl:
            plot_digits(druns + oruns, a.digits_epochs, os.path.join(a.out, "digits.png"))
            report += ["![digits](digits.png)", ""]

    path = os.path.join(a.out, "compare.md")
    with open(path, "w") as f:
        f.write("\n".join(report))
    print("\n".join(report))
    print("optuna_compare: wrote %s" % path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
