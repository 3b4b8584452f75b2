"""Hyperband budgets and promotions, HPT_WAIT, pruners, bayes."""
import time

import pytest

import hpt



SPACE = {"x": hpt.Float(-1.0, 1.0), "c": hpt.Categorical(["a", "b", None])}


def loss(params, budget):
    return (params["x"] - 0.2) ** 2 + (params["c"] is None) * 0.1 + 1.0 / (1.0 + budget)


def test_hyperband_budgets_and_promotions():
    study = hpt.Study(SPACE, "hyperband", seed=3, max_trials=60,
                      options={"hyperband.min_resource": 1, "hyperband.max_resource": 9,
                               "hyperband.eta": 3})
    budgets = {}
    while (t := study.ask()) is not None:
        assert 1 <= t.budget <= 9
        budgets[t.id] = t.budget
        if t.parent is not None:
            parent = study.trial(t.parent)
            assert parent.id < t.id and parent.budget < t.budget
            assert parent.params == t.params and parent.state is hpt.TrialState.COMPLETE
        for step in range(1, int(t.budget) + 1):
            t.report(step, loss(t.params, step))
        t.tell(loss(t.params, t.budget))
    trials = study.trials
    assert len(trials) == 60
    assert any(t.parent is not None for t in trials)
    assert {t.budget for t in trials} >= {1.0, 3.0}
    best = study.best_trial
    assert best.budget == max(t.budget for t in trials if t.state is hpt.TrialState.COMPLETE)
    assert len(best.reports) == int(best.budget)


def test_synchronous_hyperband_waits_and_optimize_copes():
    opts = {"hyperband.max_resource": 9, "hyperband.async": 0, "hyperband.iterations": 1}
    study = hpt.Study(SPACE, "hyperband", seed=1, options=opts)
    first_rung = []
    with pytest.raises(hpt.Wait):
        while True:
            first_rung.append(study.ask())
    assert len(first_rung) >= 2
    for t in first_rung:
        t.tell(loss(t.params, t.budget))
    assert study.ask() is not None     # the rung is complete: promotions come

    study2 = hpt.Study(SPACE, "hyperband", seed=1, options=opts)
    study2.optimize(lambda t: time.sleep(0.001) or loss(t.params, t.budget), n_jobs=2)
    trials = study2.trials
    assert trials and all(t.state is hpt.TrialState.COMPLETE for t in trials)
    assert study2.ask() is None        # one iteration, then done


def test_median_pruner_through_report_and_optimize():
    study = hpt.Study(SPACE, "random", seed=2, pruner="median",
                      options={"pruner.warmup_trials": 3})
    assert study.get_option("pruner.warmup_trials") == 3
    for _ in range(3):
        t = study.ask()
        for step in (1, 2, 3):
            assert t.report(step, 1.0) is False
        t.tell(1.0)
    bad = study.ask()
    assert bad.report(1, 50.0) is True
    bad.prune()
    assert study.trial(bad.id).state is hpt.TrialState.PRUNED

    def fn(trial):
        for step in (1, 2, 3):
            if trial.report(step, 100.0 + step):
                raise hpt.TrialPruned()
        return 100.0
    study.optimize(fn, n_trials=3)
    assert [t.state for t in study.trials[-3:]] == [hpt.TrialState.PRUNED] * 3


def test_bayes_loop_in_bounds_and_improving():
    space = {"x": hpt.Float(-2, 2), "y": hpt.Float(1e-3, 1, log=True), "k": hpt.Int(0, 4)}
    study = hpt.Study(space, "bayes", seed=4)
    for _ in range(30):
        t = study.ask()
        p = t.params
        assert -2 <= p["x"] <= 2 and 1e-3 <= p["y"] <= 1 and type(p["k"]) is int
        t.tell((p["x"] - 0.5) ** 2 + abs(p["k"] - 2))
    assert study.best_value < 0.5
