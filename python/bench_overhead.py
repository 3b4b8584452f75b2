#!/usr/bin/python3
"""Framework overhead of the Python binding: median microseconds of one
ask + tell round trip in a 6-D space.

    PYTHONPATH=python /usr/bin/python3 python/bench_overhead.py [--n 20000]

Rows (each timed per round trip with perf_counter_ns, median over --n):
  random, binding      study.ask(); trial.params; study.tell(trial, v)
  random, binding/ask  study.ask() alone (params not read)
  random, raw ctypes   hpt_study_ask + hpt_trial_params + hpt_study_tell
                       called directly: the floor of any ctypes binding
  bayes @ 100 obs.     the binding round trip once 100 trials are told
                       (median of the next --bayes-k round trips); only
                       when the loaded libhpt has "bayes"
"""
import argparse
import ctypes
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hpt  # noqa: E402
from hpt import _lib  # noqa: E402

SPACE = {
    "lr": hpt.Float(1e-5, 1e-1, log=True),
    "momentum": hpt.Float(0.5, 0.999, scale="reverse_log"),
    "dropout": hpt.Float(0.0, 0.5),
    "layers": hpt.Int(1, 8),
    "width": hpt.Int(16, 1024, log=True),
    "act": hpt.Categorical(["relu", "tanh", "gelu"]),
}


def value(p):
    return (p["lr"] - 1e-3) ** 2 + p["dropout"] + p["layers"] * 0.01


def median_us(samples):
    return statistics.median(samples) / 1000.0


def bench_binding(n, read_params=True):
    study = hpt.Study(SPACE, strategy="random", seed=1)
    clock = time.perf_counter_ns
    out = []
    for i in range(n + n // 10):
        t0 = clock()
        t = study.ask()
        if read_params:
            t.params
        study.tell(t, 0.5)
        out.append(clock() - t0)
    return out[n // 10:]     # the first tenth warms up


def bench_ask_only(n):
    study = hpt.Study(SPACE, strategy="random", seed=1)
    clock = time.perf_counter_ns
    out = []
    for i in range(n + n // 10):
        t0 = clock()
        t = study.ask()
        out.append(clock() - t0)
        study.tell(t, 0.5)
    return out[n // 10:]


def bench_raw(n):
    study = hpt.Study(SPACE, strategy="random", seed=1)
    L, h = _lib.lib, study._h
    ask, params, tell = L.hpt_study_ask, L.hpt_trial_params, L.hpt_study_tell
    tid = ctypes.c_int64()
    ref = ctypes.byref(tid)
    buf = (ctypes.c_double * 6)()
    clock = time.perf_counter_ns
    out = []
    for i in range(n + n // 10):
        t0 = clock()
        ask(h, ref)
        params(h, tid, buf, 6)
        tell(h, tid, 0.5)
        out.append(clock() - t0)
    return out[n // 10:]


def bench_bayes(at, k):
    study = hpt.Study(SPACE, strategy="bayes", seed=1)
    t0 = time.perf_counter()
    for _ in range(at):
        t = study.ask()
        study.tell(t, value(t.params))
    warm = time.perf_counter() - t0
    clock = time.perf_counter_ns
    out = []
    for _ in range(k):
        t0 = clock()
        t = study.ask()
        p = t.params
        study.tell(t, value(p))
        out.append(clock() - t0)
    return out, warm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="round trips per row")
    ap.add_argument("--bayes-at", type=int, default=100, help="observations before timing")
    ap.add_argument("--bayes-k", type=int, default=10, help="bayes round trips timed")
    args = ap.parse_args()
    print("libhpt %s (%s), Python %s, 6-D space, n=%d" % (
        hpt.library_version(), hpt.library_path, sys.version.split()[0], args.n))
    print("%-28s %10s" % ("round trip", "median us"))
    print("%-28s %10.2f" % ("random, binding", median_us(bench_binding(args.n))))
    print("%-28s %10.2f" % ("random, binding, no params", median_us(bench_binding(args.n, False))))
    print("%-28s %10.2f" % ("random, binding, ask only", median_us(bench_ask_only(args.n))))
    print("%-28s %10.2f" % ("random, raw ctypes", median_us(bench_raw(args.n))))
    if hpt.has_strategy("bayes"):
        out, warm = bench_bayes(args.bayes_at, args.bayes_k)
        print("%-28s %10.2f   (first %d trials: %.2f s)" % (
            "bayes @ %d observations" % args.bayes_at, median_us(out), args.bayes_at, warm))
    else:
        print("%-28s %10s" % ("bayes @ %d observations" % args.bayes_at,
                              "n/a: no 'bayes' in this library"))


if __name__ == "__main__":
    main()
