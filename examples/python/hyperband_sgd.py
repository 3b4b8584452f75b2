#!/usr/bin/python3
"""Hyperband with intermediate reports: an SGD classifier on the digits data.

    PYTHONPATH=python /usr/bin/python3 examples/python/hyperband_sgd.py --budget 27

Each trial trains for trial.budget epochs (Hyperband's resource). A promoted
trial names its parent (trial.parent): it resumes from the parent's
checkpoint and trains only the extra epochs. After every epoch it reports
the validation error; when report() says stop, the trial is pruned. When
the loaded libhpt has no "hyperband" strategy, the example says so and runs
"sobol" with every trial at the full budget (and the median pruner when the
library has one). Needs Debian's python3-sklearn.
"""
import argparse
import copy
import sys
import threading
import time
import warnings

import numpy as np

import hpt

try:
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
except ImportError:
    sys.exit("this example needs scikit-learn: apt-get install python3-sklearn")


def make_study(args, space):
    if hpt.has_strategy("hyperband"):
        return hpt.Study(space, strategy="hyperband", direction="minimize", seed=args.seed,
                         options={"hyperband.min_resource": 1,
                                  "hyperband.max_resource": args.budget,
                                  "hyperband.eta": args.eta})
    print("notice: libhpt (%s) has no strategy 'hyperband'; using 'sobol' with %d epochs "
          "per trial instead" % (hpt.library_version(), args.budget))
    try:
        return hpt.Study(space, strategy="sobol", seed=args.seed, pruner="median")
    except hpt.UnknownName:
        return hpt.Study(space, strategy="sobol", seed=args.seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=27, help="max epochs per trial (default 27)")
    ap.add_argument("--eta", type=float, default=3, help="Hyperband's reduction factor")
    ap.add_argument("--trials", type=int, default=60, help="max trials (default 60)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel trials (threads)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    X, y = load_digits(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xva = scaler.transform(Xtr), scaler.transform(Xva)
    classes = np.unique(y)

    space = {
        "alpha": hpt.Float(1e-7, 1e-1, log=True),
        "eta0": hpt.Float(1e-4, 1.0, log=True),
        "loss": hpt.Categorical(["hinge", "log_loss", "modified_huber"]),
        "learning_rate": hpt.Categorical(["constant", "invscaling", "adaptive"]),
    }
    checkpoints = {}             # trial id -> (model, epochs trained)
    lock = threading.Lock()
    epochs_run = [0]

    def objective(trial):
        p = trial.params
        epochs = int(round(trial.budget)) or args.budget
        with lock:
            start = checkpoints.get(trial.parent) if trial.parent is not None else None
        if start is not None:
            model, done = copy.deepcopy(start[0]), start[1]
        else:
            model, done = SGDClassifier(random_state=trial.id, **p), 0
        error = 1.0
        for epoch in range(done + 1, epochs + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.partial_fit(Xtr, ytr, classes=classes)
            with lock:
                epochs_run[0] += 1
            error = 1.0 - model.score(Xva, yva)
            if trial.report(epoch, error):
                raise hpt.TrialPruned()
        with lock:
            checkpoints[trial.id] = (model, epochs)
        return error

    study = make_study(args, space)
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=args.trials, n_jobs=args.jobs)
    dt = time.perf_counter() - t0

    trials = study.trials
    states = {s.name.lower(): sum(t.state is s for t in trials) for s in hpt.TrialState}
    resumed = sum(t.parent is not None for t in trials)
    best = study.best_trial
    print("strategy %s: %d trials (%s), %d resumed from a parent, %d epochs in %.1f s"
          % (study.strategy, len(trials), ", ".join("%d %s" % (n, s) for s, n in states.items()
                                                    if n), resumed, epochs_run[0], dt))
    print("best trial %d (budget %g): %s" % (best.id, best.budget, best.params))
    print("best validation error %.4f" % best.value)


if __name__ == "__main__":
    main()
