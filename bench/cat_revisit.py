#!/usr/bin/python3
"""cat_revisit.py -- does a strategy revisit categorical choices? (issue 18)

    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python /usr/bin/python3 bench/cat_revisit.py \
        --lib build/libhpt_bench.so --functions cat_narrow,optimizer --seeds 20 --budget 100

Runs bayes (through the Python binding, the same library hpt-bench links)
and, when Optuna is installed, Optuna's default TPE on the bench functions
that have categorical parameters, and counts per seed how the evaluations
split between choices: how many of the last half ran the combination of
choices of the incumbent at the half-way point ("kept"), how many ran the
combination of the optimum ("best"), and the regret at the end. A strategy
that never revisits shows kept = last half, best = 0 and a final regret
equal to the gap between the kept combination and the best one.
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hptb  # noqa: E402


def space_of(fn):
    import hpt
    sp = {}
    for name, typ, log, lo, hi, choices in fn.params:
        if typ == hptb.FLOAT:
            sp[name] = hpt.Float(lo, hi, log=log)
        elif typ == hptb.INT:
            sp[name] = hpt.Int(int(lo), int(hi), log=log)
        else:
            sp[name] = hpt.Categorical(choices)
    return sp


def point(fn, params):
    x = []
    for name, typ, log, lo, hi, choices in fn.params:
        v = params[name]
        x.append(float(choices.index(v)) if typ == hptb.CATEGORICAL else float(v))
    return x


def run_bayes(fn, seed, budget):
    import hpt
    st = hpt.Study(space_of(fn), strategy="bayes", seed=seed, max_trials=budget)
    xs, ys = [], []
    while len(xs) < budget:
        t = st.ask()
        if t is None:
            break
        x = point(fn, t.params)
        y = fn.eval(x)
        st.tell(t, y)
        xs.append(x)
        ys.append(y)
    return xs, ys


def run_tpe(fn, seed, budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    xs, ys = [], []

    def obj(trial):
        x = []
        for name, typ, log, lo, hi, choices in fn.params:
            if typ == hptb.FLOAT:
                x.append(trial.suggest_float(name, lo, hi, log=log))
            elif typ == hptb.INT:
                x.append(float(trial.suggest_int(name, int(lo), int(hi), log=log)))
            else:
                x.append(float(choices.index(trial.suggest_categorical(name, choices))))
        y = fn.eval(x)
        xs.append(x)
        ys.append(y)
        return y
    study.optimize(obj, n_trials=budget)
    return xs, ys


def argmin(L, fn):
    import ctypes
    f = L.c.hptb_function_argmin
    f.restype, f.argtypes = ctypes.c_int32, [ctypes.c_int32, ctypes.POINTER(ctypes.c_double)]
    x = (ctypes.c_double * len(fn.params))()
    f(L.c.hptb_function_find(fn.name.encode()), x)
    return list(x)


def summary(fn, xs, ys):
    cat = [j for j, p in enumerate(fn.params) if p[1] == hptb.CATEGORICAL]
    key = lambda x: tuple(int(x[j]) for j in cat)  # noqa: E731
    best = key(fn.argmin)
    half = len(xs) // 2
    inc = min(range(half), key=lambda i: ys[i])
    kept = key(xs[inc])
    tail = [key(x) for x in xs[half:]]
    return (sum(k == kept for k in tail), sum(k == best for k in tail), len(tail),
            min(ys) - fn.optimum, kept == best)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default="build/libhpt_bench.so")
    ap.add_argument("--functions", default="cat_narrow,optimizer,optimizer_irrel,mixed")
    ap.add_argument("--strategies", default="bayes,optuna_tpe")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budget", type=int, default=100)
    a = ap.parse_args()
    L = hptb.Lib(a.lib)
    runners = {"bayes": run_bayes, "optuna_tpe": run_tpe}
    print("| function | strategy | kept half-way incumbent's choices (of last half) | "
          "ran the best choices (of last half) | seeds holding the best choices at "
          "half-way | median regret |")
    print("|---|---|---|---|---|---|")
    for f in a.functions.split(","):
        fn = L.function(f)
        fn.name = f
        fn.argmin = argmin(L, fn)
        for s in a.strategies.split(","):
            if s == "optuna_tpe":
                try:
                    import optuna  # noqa: F401
                except ImportError:
                    continue
            rows = [summary(fn, *runners[s](fn, seed, a.budget)) for seed in range(a.seeds)]
            print("| %s | %s | %.0f%% | %.0f%% | %d/%d | %.3g |" % (
                f, s, 100.0 * sum(r[0] for r in rows) / sum(r[2] for r in rows),
                100.0 * sum(r[1] for r in rows) / sum(r[2] for r in rows),
                sum(r[4] for r in rows), len(rows), statistics.median(r[3] for r in rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
