"""Optuna's tutorial objectives run unchanged under hpt.create_study and
under optuna.create_study(sampler=HptSampler()) (Debian's Optuna 3.1).

The two objectives are copied as the Optuna tutorial writes them ("Pythonic
search space" with `if classifier_name == "SVC":`, and the pruning one of
"Efficient optimization algorithms"); only the study lines differ, and
cross_val_score's n_jobs=-1 is 1 here, to keep the suite off the shared
machine's other cores."""
import math

import pytest

optuna = pytest.importorskip("optuna")
sklearn = pytest.importorskip("sklearn")
import sklearn.datasets  # noqa: E402
import sklearn.ensemble  # noqa: E402
import sklearn.linear_model  # noqa: E402
import sklearn.model_selection  # noqa: E402
import sklearn.svm  # noqa: E402

import hpt  # noqa: E402
from hpt.integration.optuna import HptSampler  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)


# ---- the tutorial objectives, unchanged --------------------------------------

def objective(trial):
    iris = sklearn.datasets.load_iris()
    x, y = iris.data, iris.target

    classifier_name = trial.suggest_categorical("classifier", ["SVC", "RandomForest"])
    if classifier_name == "SVC":
        svc_c = trial.suggest_float("svc_c", 1e-10, 1e10, log=True)
        classifier_obj = sklearn.svm.SVC(C=svc_c, gamma="auto")
    else:
        rf_max_depth = trial.suggest_int("rf_max_depth", 2, 32, log=True)
        classifier_obj = sklearn.ensemble.RandomForestClassifier(
            max_depth=rf_max_depth, n_estimators=10
        )

    score = sklearn.model_selection.cross_val_score(classifier_obj, x, y, n_jobs=1, cv=3)
    accuracy = score.mean()
    return accuracy


def pruning_objective(trial):
    iris = sklearn.datasets.load_iris()
    classes = list(set(iris.target))
    train_x, valid_x, train_y, valid_y = sklearn.model_selection.train_test_split(
        iris.data, iris.target, test_size=0.25, random_state=0
    )

    alpha = trial.suggest_float("alpha", 1e-5, 1e-1, log=True)
    clf = sklearn.linear_model.SGDClassifier(alpha=alpha)

    for step in range(100):
        clf.partial_fit(train_x, train_y, classes=classes)

        # Report intermediate objective value.
        intermediate_value = 1.0 - clf.score(valid_x, valid_y)
        trial.report(intermediate_value, step)

        # Handle pruning based on the intermediate value.
        if trial.should_prune():
            raise optuna.TrialPruned()

    return 1.0 - clf.score(valid_x, valid_y)


# ---- under hpt.create_study ----------------------------------------------------

def test_conditional_tutorial_objective_under_hpt_create_study():
    study = hpt.create_study(direction="maximize", seed=0)
    study.optimize(objective, n_trials=12)
    assert all(t.state == hpt.TrialState.COMPLETE for t in study.trials)
    assert study.best_value > 0.9
    branches = {t.params["classifier"] for t in study.trials}
    assert branches == {"SVC", "RandomForest"}
    assert set(study.space) == {"classifier", "svc_c", "rf_max_depth"}
    for t in study.trials:
        assert ("svc_c" in t.params) == (t.params["classifier"] == "SVC")


def test_pruning_tutorial_objective_under_hpt_create_study():
    study = hpt.create_study(seed=0)          # the median pruner, as Optuna's default
    study.optimize(pruning_objective, n_trials=14)
    states = [t.state for t in study.trials]
    assert hpt.TrialState.PRUNED in states, states
    assert states.count(hpt.TrialState.COMPLETE) >= 5
    assert study.best_value < 0.2


# ---- HptSampler inside Optuna ---------------------------------------------------

def test_conditional_tutorial_objective_with_hpt_sampler():
    sampler = HptSampler(seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=12)
    assert len(study.trials) == 12
    assert study.best_value > 0.9
    # "classifier" is in every trial: libhpt proposes it (relative space);
    # the branch parameters come from the independent sampler.
    space = sampler.infer_relative_search_space(study, study.trials[-1])
    assert list(space) == ["classifier"]
    assert sampler.rebuilds >= 1


def test_pruning_tutorial_objective_with_hpt_sampler():
    study = optuna.create_study(sampler=HptSampler(seed=0),
                                pruner=optuna.pruners.MedianPruner())
    study.optimize(pruning_objective, n_trials=14)
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.PRUNED in states
    assert study.best_value < 0.2


def quad(trial):
    x = trial.suggest_float("x", -3, 3)
    k = trial.suggest_int("k", 0, 4)
    return (x - 1.0) ** 2 + (k - 2) ** 2


def test_hpt_sampler_models_the_shared_space_better_than_random():
    def median_best(make):
        vals = []
        for seed in range(5):
            st = optuna.create_study(sampler=make(seed))
            st.optimize(quad, n_trials=25)
            vals.append(st.best_value)
        return sorted(vals)[2]
    hptv = median_best(lambda s: HptSampler(seed=s))
    randv = median_best(lambda s: optuna.samplers.RandomSampler(seed=s))
    assert hptv < randv / 10, (hptv, randv)


def test_hpt_sampler_is_deterministic_and_keeps_optuna_types():
    def run():
        st = optuna.create_study(sampler=HptSampler(seed=3))
        st.optimize(lambda t: quad(t) + t.suggest_float("s", 0.0, 1.0, step=0.25)
                    + (t.suggest_categorical("c", [None, 1.5, "a"]) is None), n_trials=8)
        return st
    a, b = run(), run()
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    for t in a.trials:
        assert type(t.params["k"]) is int and t.params["s"] in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert t.params["c"] in (None, 1.5, "a")


def test_hpt_sampler_maximizes_and_accepts_a_strategy():
    st = optuna.create_study(direction="maximize", sampler=HptSampler(seed=1))
    st.optimize(lambda t: -quad(t), n_trials=20)
    assert st.best_value > -0.1
    st = optuna.create_study(sampler=HptSampler(seed=1, strategy="sobol"))
    st.optimize(quad, n_trials=8)
    assert len(st.trials) == 8 and math.isfinite(st.best_value)


def test_hpt_sampler_with_two_objectives_tells_the_core_every_value():
    sampler = HptSampler(seed=3)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)

    def obj(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        g = 1 + 9 * y
        return x, g * (1 - math.sqrt(x / g))
    study.optimize(obj, n_trials=20)
    core = sampler._core
    assert core is not None and core.directions == ["minimize", "minimize"]
    by_core = {tuple(t.params.values()): t.values for t in core.trials
               if t.state == hpt.TrialState.COMPLETE}
    told = [t for t in study.trials if (t.params["x"], t.params["y"]) in by_core]
    assert len(told) >= 10       # the later trials came from the core, with both values
    assert all(by_core[(t.params["x"], t.params["y"])] == t.values for t in told)
