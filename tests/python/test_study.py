"""Study and Trial: every public method, options, errors with C messages."""
import gc
import math

import pytest

import hpt


@pytest.fixture
def space():
    return {"x": hpt.Float(-1.0, 1.0), "k": hpt.Int(0, 3),
            "c": hpt.Categorical(["a", "b"])}


def test_ask_tell_loop_and_best(space):
    study = hpt.Study(space, strategy="random", direction="minimize", seed=5, max_trials=20)
    assert study.strategy == "random" and study.direction == "minimize" and study.seed == 5
    ids = []
    while (t := study.ask()) is not None:
        assert isinstance(t, hpt.Trial) and t.state is hpt.TrialState.RUNNING
        assert t.budget == 0.0 and t.parent is None
        ids.append(t.id)
        study.tell(t, t.params["x"] ** 2 + t.params["k"])
    assert ids == list(range(20))
    assert len(study) == 20
    assert study.ask() is None   # stays done
    best = study.best_trial
    values = [t.value for t in study.trials]
    assert best.value == min(values) == study.best_value
    assert study.best_params == best.params
    assert best.state is hpt.TrialState.COMPLETE
    assert best.id == values.index(min(values))   # ties: earliest


def test_maximize(space):
    study = hpt.Study(space, "sobol", direction="maximize", seed=1)
    for _ in range(8):
        t = study.ask()
        t.tell(t.params["x"])
    assert study.best_value == max(t.value for t in study.trials)
    assert study.direction == "maximize"
    s2 = hpt.Study(space, direction=hpt.MAXIMIZE)
    assert s2.direction == "maximize"
    with pytest.raises(ValueError):
        hpt.Study(space, direction="up")
    with pytest.raises(ValueError):
        hpt.Study(space, seed=-1)


def test_failed_pruned_and_reports(space):
    study = hpt.Study(space, "random", seed=2)
    a, b, c, d = (study.ask() for _ in range(4))
    study.tell_failed(a, "out of memory")
    assert b.report(1, 0.5) is False
    assert study.report(b, 2, 0.25) is False
    b.prune()
    c.tell_failed()
    d.tell(1.5)
    fa, fb, fc, fd = study.trials
    assert fa.state is hpt.TrialState.FAILED and fa.fail_reason == "out of memory"
    assert fa.value is None
    assert fb.state is hpt.TrialState.PRUNED and fb.value == 0.25
    assert fb.reports == ((1.0, 0.5), (2.0, 0.25))
    assert fc.state is hpt.TrialState.FAILED and fc.fail_reason == ""
    assert fd.value == 1.5 and fd.fail_reason is None
    assert study.best_trial.id == d.id   # pruned trials do not count
    # Pruning a trial without reports fails it.
    e = study.ask()
    study.prune(e.id)
    assert study.trial(e.id).state is hpt.TrialState.FAILED


def test_tell_by_id_and_frozen_trial(space):
    study = hpt.Study(space, seed=0)
    t = study.ask()
    study.tell(t.id, 3.0)
    f = study.trial(t.id)
    assert isinstance(f, hpt.FrozenTrial) and f.params == t.params and f.value == 3.0
    with pytest.raises(Exception):
        f.value = 2.0   # frozen
    with pytest.raises(TypeError):
        study.tell("0", 1.0)
    with pytest.raises(TypeError):
        study.tell(True, 1.0)


def test_errors_carry_the_c_message(space):
    study = hpt.Study(space, seed=0)
    with pytest.raises(hpt.TrialStateError) as e:
        study.best_trial
    assert "hpt_study_best" in str(e.value)
    t = study.ask()
    with pytest.raises(hpt.UnknownTrial) as e:
        study.tell(7, 1.0)
    assert str(e.value) == "hpt_study_tell: no trial 7 (the study has 1)"
    assert e.value.status == hpt.CONSTANTS["HPT_E_TRIAL"] and e.value.message == str(e.value)
    with pytest.raises(hpt.InvalidArgument, match="hpt_study_tell"):
        study.tell(t, math.nan)
    with pytest.raises(hpt.InvalidArgument, match="hpt_study_report"):
        t.report(1, math.inf)
    study.tell(t, 1.0)
    with pytest.raises(hpt.TrialStateError, match="already finished"):
        study.tell(t, 1.0)
    with pytest.raises(hpt.TrialStateError):
        study.tell_failed(t, "x")
    with pytest.raises(hpt.TrialStateError):
        study.prune(t)
    with pytest.raises(hpt.TrialStateError):
        t.report(1, 1.0)
    with pytest.raises(hpt.StageError, match="options are fixed"):
        study.set_option("max_trials", 5)
    with pytest.raises(hpt.UnknownTrial):
        study.trial(-1)
    assert isinstance(hpt.UnknownTrial("m"), LookupError)


def test_unknown_strategy_and_option_names(space):
    with pytest.raises(hpt.UnknownName, match="unknown strategy 'simplex'"):
        hpt.Study(space, "simplex")
    with pytest.raises(hpt.UnknownName, match="hpt_study_set: unknown option 'nope'"):
        hpt.Study(space, nope=1)
    with pytest.raises(hpt.UnknownName, match="hpt_study_set_str"):
        hpt.Study(space, options={"nope": "x"})
    with pytest.raises(hpt.UnknownName, match="unknown pruner"):
        hpt.Study(space, pruner="not-a-pruner")
    with pytest.raises(hpt.InvalidArgument, match="max_trials"):
        hpt.Study(space, max_trials=2.5)
    with pytest.raises(TypeError):
        hpt.Study(space, max_trials=[1])


def test_options_by_keyword_dict_and_double_underscore(space):
    study = hpt.Study(space, "grid", max_trials=7, grid__points=3,
                      options={"grid.shuffle": True})
    assert study.get_option("max_trials") == 7
    assert study.get_option("grid.points") == 3
    assert study.get_option("grid.shuffle") == 1
    assert study.options == {"max_trials": 7, "grid.points": 3, "grid.shuffle": True}
    table = study.options()     # called: every option, from the library's table
    assert {k: table[k].value for k in ("max_trials", "grid.points", "grid.shuffle")} == \
        {"max_trials": 7, "grid.points": 3, "grid.shuffle": True}
    with pytest.raises(hpt.UnknownName):
        study.get_option("grid.nothing")
    # The grid is 3 x 4 x 2 = 24 points; max_trials stops it at 7.
    n = 0
    while (t := study.ask()) is not None:
        n += 1
        t.tell(0.0)
    assert n == 7


def test_grid_exhaustion_returns_none():
    study = hpt.Study({"k": hpt.Int(0, 2), "c": hpt.Categorical([True, False])}, "grid")
    seen = []
    while (t := study.ask()) is not None:
        seen.append((t.params["k"], t.params["c"]))
        t.tell(0.0)
    assert sorted(seen) == sorted((k, c) for k in range(3) for c in (True, False))


def test_wait_is_an_exception_not_an_error():
    assert issubclass(hpt.Wait, Exception) and not issubclass(hpt.Wait, hpt.Error)


def test_closed_study_and_context_manager(space):
    with hpt.Study(space) as study:
        study.ask()
        assert "trials=1" in repr(study)
    assert "closed" in repr(study)
    with pytest.raises(ValueError, match="closed"):
        study.ask()
    study.close()   # twice is fine
    s2 = hpt.Study(space)
    s2.ask()
    del s2
    gc.collect()


def test_strategies_list():
    names = hpt.strategies()
    assert {"grid", "random", "sobol"} <= set(names) and len(set(names)) == len(names)
    assert hpt.has_strategy("random") and not hpt.has_strategy("simplex")


def test_long_non_ascii_fail_reason_is_truncated_safely(space):
    study = hpt.Study(space)
    t = study.ask()
    t.tell_failed("é" * 300)
    reason = study.trial(t.id).fail_reason
    assert reason == "é" * 127   # 254 bytes: the library keeps 255, cut between characters


def test_defaults_are_bayes_and_a_seed_from_the_os(tmp_path):
    sp = {"x": hpt.Float(0, 1)}
    a, b = hpt.Study(sp), hpt.Study(sp)
    assert a.strategy == "bayes" and a.seed != b.seed
    assert a.ask().params != b.ask().params
    assert hpt.Study(sp, direction="max").direction == "maximize"
    path = tmp_path / "s.jnl"
    j = hpt.Study(sp, journal=path)
    seed = j.seed
    j.ask().tell(0.5)
    j.close()
    r = hpt.Study(sp, journal=path)          # seed=None resumes with the journal's seed
    assert r.seed == seed and len(r) == 1
    r.close()
