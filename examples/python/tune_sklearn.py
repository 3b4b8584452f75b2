#!/usr/bin/python3
"""Tune a scikit-learn SVM on the bundled digits data with libhpt.

    PYTHONPATH=python /usr/bin/python3 examples/python/tune_sklearn.py --trials 40

Bayesian optimization ("bayes") maximizes 3-fold cross-validated accuracy
over C, gamma (log scales), the kernel and the feature scaler (categorical
choices that are Python classes, handed back as such). When the loaded
libhpt has no "bayes" strategy, the example says so and uses "sobol".
Needs Debian's python3-sklearn.
"""
import argparse
import sys
import time

import hpt

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    from sklearn.svm import SVC
except ImportError:
    sys.exit("this example needs scikit-learn: apt-get install python3-sklearn")


def pick_strategy(wanted, fallback="sobol"):
    if hpt.has_strategy(wanted):
        return wanted
    print("notice: libhpt (%s) has no strategy %r; using %r instead"
          % (hpt.library_version(), wanted, fallback))
    return fallback


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=40, help="number of trials (default 40)")
    ap.add_argument("--strategy", default="bayes", help="strategy (default bayes)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel trials (threads)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", help="write the trials to this CSV file")
    ap.add_argument("--plot", help="save the best-so-far curve to this image")
    args = ap.parse_args()

    X, y = load_digits(return_X_y=True)
    space = {
        "C": hpt.Float(1e-2, 1e3, log=True),
        "gamma": hpt.Float(1e-5, 1e-1, log=True),
        "kernel": hpt.Categorical(["rbf", "poly"]),
        "scaler": hpt.Categorical([None, StandardScaler, MinMaxScaler]),
    }

    def accuracy(trial):
        p = trial.params
        svc = SVC(C=p["C"], gamma=p["gamma"], kernel=p["kernel"])
        model = make_pipeline(p["scaler"](), svc) if p["scaler"] else svc
        return cross_val_score(model, X, y, cv=3).mean()

    strategy = pick_strategy(args.strategy)
    study = hpt.Study(space, strategy=strategy, direction="maximize", seed=args.seed)
    t0 = time.perf_counter()
    study.optimize(accuracy, n_trials=args.trials, n_jobs=args.jobs)
    dt = time.perf_counter() - t0

    best = study.best_trial
    params = dict(best.params)
    if params["scaler"] is not None:
        params["scaler"] = params["scaler"].__name__
    print("strategy %s: %d trials in %.1f s" % (strategy, len(study), dt))
    print("best trial %d: %s" % (best.id, params))
    if args.csv:
        study.to_csv(args.csv)
        print("trials written to %s" % args.csv)
    if args.plot:
        try:
            study.plot_history(args.plot)
            print("history plotted to %s" % args.plot)
        except ImportError:
            print("notice: matplotlib is missing; no plot")
    print("best accuracy %.4f" % best.value)


if __name__ == "__main__":
    main()
