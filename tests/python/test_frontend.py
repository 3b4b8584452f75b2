"""The Optuna-style front end: hpt.create_study / load_study, define-by-run
trials, pruning, results, storage and resume."""
import copy
import logging
import math
import os

import pytest

import hpt


def branchy(trial):
    """A conditional objective: each branch has its own parameters."""
    c = trial.suggest_categorical("classifier", ["SVC", "RF"])
    if c == "SVC":
        x = trial.suggest_float("svc_c", 1e-3, 1e3, log=True)
        return (math.log10(x) - 1) ** 2
    d = trial.suggest_int("rf_depth", 2, 32, log=True)
    return abs(d - 7) / 3 + 0.5


def quad(trial):
    x = trial.suggest_float("x", -3, 3)
    k = trial.suggest_int("k", 0, 4)
    return (x - 1.0) ** 2 + (k - 2) ** 2


def test_defaults_bayes_minimize_and_a_seed_drawn_from_the_os():
    a, b = hpt.create_study(), hpt.create_study()
    assert a.strategy == "bayes" and a.direction == "minimize"
    assert a.seed != b.seed and 0 <= a.seed < 2 ** 64
    a.optimize(quad, n_trials=4)
    b.optimize(quad, n_trials=4)
    assert a.trials[0].params != b.trials[0].params


@pytest.mark.parametrize("alias,name", [("min", "minimize"), ("max", "maximize"),
                                        ("MAXIMIZE", "maximize"), ("minimize", "minimize")])
def test_direction_aliases(alias, name):
    assert hpt.create_study(direction=alias, seed=1).direction == name
    assert hpt.create_study(directions=[alias], seed=1).direction == name


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        hpt.create_study(direction="up")
    with pytest.raises(ValueError, match="objective"):
        hpt.create_study(directions=[])
    with pytest.raises(ValueError, match="at most"):
        hpt.create_study(directions=["min"] * 9)
    with pytest.raises(hpt.UnknownName):
        hpt.create_study(strategy="nope")
    with pytest.raises(TypeError, match="HptSampler"):
        hpt.create_study(sampler=object())
    with pytest.raises(ValueError):
        hpt.create_study(resume="later")


def test_same_seed_same_trials_and_the_model_beats_random_search():
    a = hpt.create_study(seed=7)
    b = hpt.create_study(seed=7)
    a.optimize(quad, n_trials=25)
    b.optimize(quad, n_trials=25)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    regrets = {}
    for strategy in ("bayes", "random"):
        vals = []
        for seed in range(5):
            s = hpt.create_study(strategy=strategy, seed=seed)
            s.optimize(quad, n_trials=25)
            vals.append(s.best_value)
        regrets[strategy] = sorted(vals)[2]          # the median over 5 seeds
    assert regrets["bayes"] < regrets["random"] / 10, regrets


def test_a_growing_space_rebuilds_warm_started_and_the_model_uses_all_trials():
    s = hpt.create_study(seed=3)
    s.optimize(branchy, n_trials=30)
    assert set(s.space) == {"classifier", "svc_c", "rf_depth"}
    assert s.generation >= 1
    # Each trial holds the parameters of its own branch only.
    for t in s.trials:
        want = {"classifier", "svc_c"} if t.params["classifier"] == "SVC" else \
            {"classifier", "rf_depth"}
        assert set(t.params) == want == set(t.distributions)
    # Once the space is known the core proposes: late trials home in.
    assert s.best_value < 0.05, s.best_value
    assert s.best_params["classifier"] == "SVC"
    gens = s.generation
    s.optimize(branchy, n_trials=5)
    assert s.generation == gens          # a space that stops growing stops rebuilding


def test_suggest_api_values_and_types():
    s = hpt.create_study(seed=5, strategy="random")
    t = s.ask()
    x = t.suggest_float("x", 0.1, 10, log=True)
    q = t.suggest_float("q", 0.0, 1.0, step=0.25)
    n = t.suggest_int("n", 1, 9, step=2)
    c = t.suggest_categorical("c", [None, 3, "a"])
    assert isinstance(x, float) and 0.1 <= x <= 10
    assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert type(n) is int and n in (1, 3, 5, 7, 9)
    assert c in (None, 3, "a")
    assert t.suggest_float("x", 0.1, 10, log=True) == x      # same name, same value
    with pytest.raises(ValueError):
        t.suggest_float("x", 0.0, 1.0)                       # other distribution
    with pytest.raises(ValueError):
        t.suggest_float("l", 0.1, 1.0, log=True, step=0.1)
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        t.suggest_float("a\0b", 0, 1)
    s.tell(t, 1.0)
    with pytest.raises(hpt.TrialStateError):
        t.suggest_int("late", 0, 1)
    with pytest.raises(hpt.TrialStateError):
        s.tell(t, 2.0)


def test_stepped_parameters_are_a_lattice_the_grid_counts_exactly():
    s = hpt.create_study(strategy="grid", seed=0)

    def f(trial):
        return trial.suggest_float("a", 0.0, 0.3, step=0.1) + trial.suggest_int("b", 0, 4, step=2)
    s.optimize(f, n_trials=40)
    grid_trials = [t for t in s.trials if t.system_attrs == {}][1:]
    seen = {(t.params["a"], t.params["b"]) for t in s.trials}
    assert seen <= {(a, b) for a in (0.0, 0.1, 0.2, 0.3) for b in (0, 2, 4)}
    assert s.done_reason == "exhausted"
    # After the first (random) trial, the rebuilt grid runs its 4 x 3 points once.
    assert len(grid_trials) == 12
    assert len({(t.params["a"], t.params["b"]) for t in grid_trials}) == 12


def test_pruning_with_report_and_should_prune():
    def obj(trial):
        x = trial.suggest_float("x", 0, 1)
        for step in range(10):
            trial.report(x + 1.0 / (step + 1), step)
            if trial.should_prune():
                raise hpt.TrialPruned()
        return x
    s = hpt.create_study(seed=2, strategy="random", pruner="median")
    s.optimize(obj, n_trials=30)
    states = [t.state for t in s.trials]
    assert hpt.TrialState.PRUNED in states and hpt.TrialState.COMPLETE in states
    p = next(t for t in s.trials if t.state == hpt.TrialState.PRUNED)
    assert p.value == p.reports[-1][1] and p.intermediate_values
    none = hpt.create_study(seed=2, strategy="random", pruner=None)
    none.optimize(obj, n_trials=15)
    assert all(t.state == hpt.TrialState.COMPLETE for t in none.trials)


def test_results_best_dataframe_and_attributes():
    pd = pytest.importorskip("pandas")
    s = hpt.create_study(direction="max", seed=4)
    s.set_user_attr("dataset", "toy")

    def obj(trial):
        trial.set_user_attr("twice", 2)
        return -quad(trial)
    s.optimize(obj, n_trials=8)
    vals = [t.value for t in s.trials]
    assert s.best_value == max(vals)
    assert s.best_trial.number == vals.index(max(vals))
    assert s.best_params == s.trials[s.best_trial.number].params
    assert [t.number for t in s.best_trials] == [s.best_trial.number]
    assert s.user_attrs == {"dataset": "toy"}
    df = s.trials_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 8
    for col in ("number", "value", "datetime_start", "datetime_complete", "duration",
                "params_x", "params_k", "user_attrs_twice", "state"):
        assert col in df.columns, col
    assert (df["duration"] >= pd.Timedelta(0)).all()
    assert list(df["state"]) == ["COMPLETE"] * 8


def test_ask_batch_and_tell_by_number():
    s = hpt.create_study(seed=1)
    s.optimize(quad, n_trials=3)
    batch = s.ask(4)
    assert [t.number for t in batch] == [3, 4, 5, 6]
    for t in batch:
        s.tell(t.number, quad(t))
    s.tell(s.ask(), state=hpt.TrialState.FAILED)
    assert [t.state for t in s.trials][-1] == hpt.TrialState.FAILED
    assert s.ask(0) == []
    with pytest.raises(hpt.UnknownTrial):
        s.tell(99, 1.0)


def test_enqueue_trial_comes_first_and_informs_the_model():
    s = hpt.create_study(seed=1)
    s.enqueue_trial({"x": 1.0, "k": 2}, user_attrs={"why": "known good"})
    s.optimize(quad, n_trials=2)
    t0 = s.trials[0]
    assert t0.params == {"x": 1.0, "k": 2} and t0.value == 0.0
    assert t0.user_attrs == {"why": "known good"}
    assert t0.system_attrs["fixed_params"] == {"x": 1.0, "k": 2}


def test_non_finite_results_and_exceptions():
    s = hpt.create_study(seed=1)
    with pytest.warns(RuntimeWarning):
        s.optimize(lambda t: t.suggest_float("x", 0, 1) and 10 ** 400, n_trials=1)
    assert s.trials[0].state == hpt.TrialState.FAILED

    def boom(t):
        t.suggest_float("x", 0, 1)
        raise KeyError("no")
    s.optimize(boom, n_trials=2, catch=(KeyError,))
    assert [t.state for t in s.trials[1:]] == [hpt.TrialState.FAILED] * 2
    with pytest.raises(KeyError):
        s.optimize(boom, n_trials=5)
    assert len(s.trials) == 4 and s.trials[3].fail_reason.startswith("KeyError")


def test_retry_failed_reasks_the_failed_configuration():
    calls = []

    def flaky(t):
        x = t.suggest_float("x", 0, 1)
        calls.append(x)
        if len(calls) <= 2:
            raise RuntimeError("transient")
        return x
    s = hpt.create_study(seed=1)
    s.optimize(flaky, n_trials=3, catch=RuntimeError, retry_failed=2)
    assert calls[0] == calls[1] == calls[2]          # the same configuration, re-asked
    assert [t.state for t in s.trials] == [hpt.TrialState.FAILED, hpt.TrialState.FAILED,
                                           hpt.TrialState.COMPLETE]
    assert s.trials[2].system_attrs["retry"] == 2


def test_callbacks_timeout_threads_and_logging(caplog):
    seen = []
    s = hpt.create_study(seed=1)
    with caplog.at_level(logging.INFO, logger="hpt"):
        s.optimize(quad, n_trials=12, n_jobs=3, callbacks=[lambda st, ft: seen.append(ft.number)],
                   show_progress_bar=False)
    assert sorted(seen) == list(range(12))
    assert len([r for r in caplog.records if "finished with value" in r.getMessage()]) == 12
    s.optimize(quad, timeout=0.0)
    assert len(s.trials) == 12


def test_copy_refused_and_close():
    with hpt.create_study(seed=1) as s:
        with pytest.raises(hpt.NotCopyable):
            copy.copy(s)
    with pytest.raises(ValueError, match="closed"):
        s.ask()


def test_storage_load_resume_and_more_trials(tmp_path):
    path = tmp_path / "s.jnl"
    s = hpt.create_study(storage=path, seed=11)
    s.set_user_attr("who", "me")
    s.optimize(branchy, n_trials=12)
    before = [(t.params, t.value) for t in s.trials]
    s.close()
    with pytest.raises(FileExistsError):
        hpt.create_study(storage=path)
    r = hpt.create_study(storage=path, load_if_exists=True)
    assert r.seed == 11 and r.user_attrs == {"who": "me"}
    assert [(t.params, t.value) for t in r.trials] == before
    r.optimize(branchy, n_trials=6)                    # k more on a resumed study
    assert len(r.trials) == 18
    ref = hpt.create_study(seed=11)                    # never interrupted
    ref.optimize(branchy, n_trials=18)
    assert [t.params for t in ref.trials] == [t.params for t in r.trials]
    r.close()


def test_a_crash_leaves_no_trial_running(tmp_path, env_with_lib):
    import subprocess
    import sys
    path = tmp_path / "c.jnl"
    code = ("import hpt, os, sys\n"
            "s = hpt.create_study(storage=sys.argv[1], seed=5)\n"
            "def f(t):\n"
            "    x = t.suggest_float('x', 0, 1)\n"
            "    if t.number == 4: os._exit(3)\n"
            "    return x\n"
            "s.optimize(f, n_trials=10)\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], env=env_with_lib,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    s = hpt.load_study(path)
    # A load only reads (it cannot tell a dead writer's trial from a live
    # one's without the writer's lock): the study's first change settles it.
    states = [t.state for t in s.trials]
    assert states == [hpt.TrialState.COMPLETE] * 4 + [hpt.TrialState.RUNNING]
    lost = s.trials[4].params
    s.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert s.trials[4].state == hpt.TrialState.FAILED
    assert "interrupted" in s.trials[4].fail_reason
    assert s.trials[5].params == lost                   # resume="rerun": re-run first
    assert s.trials[5].system_attrs["rerun_of"] == 4
    s.close()
    f = hpt.load_study(path, resume="fail")
    assert all(t.state != hpt.TrialState.RUNNING for t in f.trials)
    f.close()


def test_reopening_storage_replaces_the_stale_object(tmp_path):
    path = tmp_path / "n.jnl"
    s1 = hpt.create_study(storage=path, seed=2)
    s1.optimize(quad, n_trials=3)
    s2 = hpt.create_study(storage=path, load_if_exists=True)   # the cell run again
    assert len(s2.trials) == 3
    s2.optimize(quad, n_trials=1)       # its first change takes the storage over
    with pytest.raises(ValueError, match="closed"):
        s1.ask()
    assert len(s2.trials) == 4
    s2.close()


def test_load_study_reads_the_space_from_a_plain_journal(tmp_path):
    path = tmp_path / "plain.jnl"
    space = {"x": hpt.Float(-3, 3), "k": hpt.Int(0, 4)}
    st = hpt.Study(space, "bayes", seed=8, journal=path)
    for _ in range(6):
        t = st.ask()
        t.tell((t.params["x"] - 1) ** 2 + (t.params["k"] - 2) ** 2)
    best = st.best_value
    st.close()
    s = hpt.load_study(path)
    assert s.strategy == "bayes" and s.seed == 8 and set(s.space) == {"x", "k"}
    assert len(s.trials) == 6 and s.best_value == best
    s.optimize(quad, n_trials=4)
    assert len(s.trials) == 10 and s.generation == 0   # same space: the same core goes on
    s.close()
    with pytest.raises(FileNotFoundError):
        hpt.load_study(tmp_path / "none.jnl")


def test_parallel_workers_still_bring_a_grown_space_into_the_model():
    s = hpt.create_study(seed=4)
    s.optimize(branchy, n_trials=40, n_jobs=3)
    assert len(s.trials) == 40
    assert all(t.state == hpt.TrialState.COMPLETE for t in s.trials)
    assert s.generation >= 1 and set(s._core_space) == set(s.space)
    late = [t for t in s.trials[-10:] if t.params["classifier"] == "SVC"]
    assert s.best_value < 0.5
    assert late, "the model should favour the better branch late on"
