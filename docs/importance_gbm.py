"""Parameter importance of a gradient-boosting task three ways, on the same
trials: libhpt's 1/lengthscale (hpt_study_importance_lengthscale), libhpt's Sobol
indices (hpt_study_importance_sobol) and Optuna's fANOVA (a random forest's
variance decomposition), when Optuna is installed.

    HPT_LIBRARY=build/libhpt.so PYTHONPATH=python /usr/bin/python3 docs/importance_gbm.py

Task: scikit-learn's GradientBoostingClassifier on the breast-cancer data,
3-fold cross-validated error, 40 trials of strategy "bayes"."""
import sys
import warnings

import hpt

SPACE = {"n_estimators": hpt.Int(10, 300, log=True),
         "learning_rate": hpt.Float(1e-3, 1.0, log=True),
         "max_depth": hpt.Int(1, 8),
         "subsample": hpt.Float(0.5, 1.0)}


def main(n_trials=40, seed=0):
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import cross_val_score
    X, y = load_breast_cancer(return_X_y=True)
    study = hpt.Study(SPACE, strategy="bayes", seed=seed, max_trials=n_trials)

    def objective(t):
        clf = GradientBoostingClassifier(random_state=0, **t.params)
        return 1.0 - cross_val_score(clf, X, y, cv=3).mean()

    study.optimize(objective)
    ls = study.importance_lengthscale()
    import hpt.visualization as vis
    sob = vis.importance(vis.load(study))
    rows = {k: [ls[k], sob[k][0], sob[k][1]] for k in SPACE}
    head = ["1/lengthscale", "Sobol first", "Sobol total"]
    try:
        import optuna
        from optuna.distributions import FloatDistribution, IntDistribution
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        dist = {"n_estimators": IntDistribution(10, 300, log=True),
                "learning_rate": FloatDistribution(1e-3, 1.0, log=True),
                "max_depth": IntDistribution(1, 8),
                "subsample": FloatDistribution(0.5, 1.0)}
        o = optuna.create_study()
        for t in study.trials:
            if t.value is not None:
                o.add_trial(optuna.trial.create_trial(params=t.params, distributions=dist,
                                                      value=t.value))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fa = optuna.importance.get_param_importances(
                o, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))
        for k in SPACE:
            rows[k].append(fa[k])
        head.append("Optuna fANOVA")
    except ImportError:
        pass
    print("%d trials, best CV error %.4f" % (len(study), study.best_value))
    print("%-14s" % "parameter" + "".join("%15s" % h for h in head))
    for k, v in rows.items():
        print("%-14s" % k + "".join("%15.3f" % x for x in v))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
