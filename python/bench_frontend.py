#!/usr/bin/python3
"""Python overhead of the Optuna-style front end and of HptSampler inside
Optuna, next to Optuna's own samplers: median microseconds of one
ask + 6 suggest_* + tell round trip in a 6-D space.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=python /usr/bin/python3 python/bench_frontend.py

Rows (perf_counter_ns per round trip, median):
  hpt.create_study, random     the front end's own cost (the strategy's is ~1 us)
  hpt.Study, random            the ask/tell binding over the same space, for reference
  hpt.create_study, bayes @ N  the round trip once N trials are told
  optuna + HptSampler(random)  Optuna's study with libhpt proposing
  optuna + HptSampler(bayes) @ N
  optuna RandomSampler         Optuna's framework floor
  optuna TPESampler @ N        Optuna's default sampler
Optuna rows are skipped when optuna is not installed.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hpt  # noqa: E402


def objective(t):
    lr = t.suggest_float("lr", 1e-5, 1e-1, log=True)
    t.suggest_float("momentum", 0.5, 0.999)
    d = t.suggest_float("dropout", 0.0, 0.5)
    layers = t.suggest_int("layers", 1, 8)
    t.suggest_int("width", 16, 1024, log=True)
    t.suggest_categorical("act", ["relu", "tanh", "gelu"])
    return (lr - 1e-3) ** 2 + d + layers * 0.01


SPACE = {"lr": hpt.Float(1e-5, 1e-1, log=True), "momentum": hpt.Float(0.5, 0.999),
         "dropout": hpt.Float(0.0, 0.5), "layers": hpt.Int(1, 8),
         "width": hpt.Int(16, 1024, log=True), "act": hpt.Categorical(["relu", "tanh", "gelu"])}


def timed(ask, tell, warm, n):
    """Median us of the n round trips after `warm` untimed ones."""
    clock = time.perf_counter_ns
    out = []
    for i in range(warm + n):
        t0 = clock()
        t = ask()
        v = objective(t)
        tell(t, v)
        if i >= warm:
            out.append(clock() - t0)
    return statistics.median(out) / 1000.0


def row(name, us, note=""):
    print("%-36s %12.1f %s" % (name, us, note))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="round trips per cheap row")
    ap.add_argument("--at", type=int, default=100, help="trials told before a model row")
    ap.add_argument("--k", type=int, default=10, help="model round trips timed")
    a = ap.parse_args()
    print("libhpt %s, Python %s, 6-D space" % (hpt.library_version(), sys.version.split()[0]))
    print("%-36s %12s" % ("round trip (ask + 6 suggest + tell)", "median us"))

    s = hpt.create_study(strategy="random", seed=1, pruner=None)
    row("hpt.create_study, random", timed(s.ask, s.tell, a.n // 10, a.n))

    st = hpt.Study(SPACE, "random", seed=1)

    class P:        # the binding's trial seen through the same objective
        def __init__(self, t):
            self.t, self.p = t, t.params

        def suggest_float(self, n, *_a, **_k):
            return self.p[n]
        suggest_int = suggest_categorical = suggest_float
    row("hpt.Study (ask/tell binding), random",
        timed(lambda: P(st.ask()), lambda t, v: st.tell(t.t, v), a.n // 10, a.n))

    s = hpt.create_study(strategy="bayes", seed=1, pruner=None)
    row("hpt.create_study, bayes @ %d" % a.at, timed(s.ask, s.tell, a.at, a.k))

    try:
        import optuna
        from hpt.integration.optuna import HptSampler
    except ImportError:
        print("optuna not installed: Optuna rows skipped")
        return
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print("optuna %s" % optuna.__version__)

    def ot(sampler, warm, n):
        o = optuna.create_study(sampler=sampler)
        return timed(o.ask, o.tell, warm, n)
    row("optuna + HptSampler(random)", ot(HptSampler(seed=1, strategy="random"),
                                          a.n // 20, a.n // 4))
    row("optuna + HptSampler(bayes) @ %d" % a.at, ot(HptSampler(seed=1), a.at, a.k))
    row("optuna RandomSampler", ot(optuna.samplers.RandomSampler(seed=1), a.n // 20, a.n // 4))
    row("optuna TPESampler @ %d" % a.at, ot(optuna.samplers.TPESampler(seed=1), a.at, a.k))


if __name__ == "__main__":
    main()
