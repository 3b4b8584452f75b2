"""Define-by-run branches become the core's conditional parameters; enqueued
trials and user attributes go through the core."""
import csv
import math
from types import SimpleNamespace

import pytest

import hpt
from hpt import _frontend_cond
from hpt._study import TrialState

C, P, F = TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAILED


def rec(state=C, **params):
    return SimpleNamespace(params=params, state=state)


def test_the_rule_needs_a_finished_trial_without_the_parameter():
    space = {"c": hpt.Categorical(["a", "b", "z"]), "x": hpt.Float(0, 1),
             "n": hpt.Int(1, 5), "u": hpt.Int(0, 9)}
    # x only seen with c == "a": no condition until a trial with c != "a"
    # finished without x; a failed one is no evidence (it may have stopped early)
    rs = [rec(c="a", x=0.5), rec(c="a", x=0.1)]
    assert _frontend_cond.infer(rs, space) == {}
    assert _frontend_cond.infer(rs + [rec(F, c="b")], space) == {}
    assert _frontend_cond.infer(rs + [rec(P, c="b")], space) == {"x": {"c": ["a"]}}
    # two choices seen with x, in space order of the choices
    rs2 = rs + [rec(c="z", x=0.2), rec(c="b")]
    assert _frontend_cond.infer(rs2, space) == {"x": {"c": ["a", "z"]}}
    # ranges: u seen with n in 3..4; a trial with n = 2 without u closes the
    # low end, nothing above 4 was seen without it: the high end stays open
    rs3 = [rec(n=3, u=1), rec(n=4, u=2), rec(n=2), rec(n=1)]
    assert _frontend_cond.infer(rs3, space) == {"u": {"n": (3, None)}}
    assert _frontend_cond.infer(rs3 + [rec(n=5)], space) == {"u": {"n": (3, 4)}}
    # a parent that excludes nothing another does not is dropped: c took
    # "b" in the trials without u, but n alone already explains them
    rs4 = [rec(c="a", n=3, u=1), rec(c="a", n=4, u=2), rec(c="b", n=2), rec(c="b", n=1)]
    assert _frontend_cond.infer(rs4, space) == {"u": {"n": (3, None)}}
    # ... unless it alone excludes one of them; and a redundant range goes too
    rs5 = rs4 + [rec(c="b", n=4)]
    assert _frontend_cond.infer(rs5, space) == {"u": {"c": ["a"]}}
    rs6 = rs5 + [rec(c="a", n=1)]
    assert _frontend_cond.infer(rs6, space) == {"u": {"c": ["a"], "n": (3, None)}}


def test_only_parameters_suggested_before_can_be_parents():
    space = {"c": hpt.Categorical(["a", "b"]), "x": hpt.Float(0, 1)}
    after = [SimpleNamespace(params={"x": 0.5, "c": "a"}, state=C), rec(c="b")]
    assert _frontend_cond.infer(after, space) == {}
    # once x comes before c in one trial, c is no parent of x
    mixed = [rec(c="a", x=0.5), SimpleNamespace(params={"x": 0.2, "c": "a"}, state=C),
             rec(c="b")]
    assert _frontend_cond.infer(mixed, space) == {}


def branchy(trial):
    c = trial.suggest_categorical("classifier", ["SVC", "RF"])
    if c == "SVC":
        x = trial.suggest_float("svc_c", 1e-3, 1e3, log=True)
        return (math.log10(x) - 1) ** 2
    d = trial.suggest_int("rf_depth", 2, 32, log=True)
    return abs(d - 7) / 3 + 0.5


def layers(trial):
    n = trial.suggest_int("n_layers", 1, 4)
    total = 0.0
    for i in range(n):
        total += (trial.suggest_int("units%d" % i, 4, 64, log=True) - 16 * (i + 1)) ** 2
    return total / 1000 + abs(n - 3)


def test_branches_become_conditions_the_core_models_and_rebuilds_stop():
    s = hpt.create_study(seed=3)
    s.optimize(branchy, n_trials=12)
    assert s.conditions == {"svc_c": {"classifier": ["SVC"]},
                            "rf_depth": {"classifier": ["RF"]}}
    gens = s.generation
    s.optimize(branchy, n_trials=15)
    assert s.generation == gens
    # the core itself holds the conditions: its trials of a branch have no
    # value for the other branch's parameter
    core = s._core
    late = [core.trial(i).params for i in range(len(core))]
    assert late and all(("svc_c" in p) == (p["classifier"] == "SVC")
                        and ("rf_depth" in p) == (p["classifier"] == "RF") for p in late)
    # no value a trial ran came from anywhere but the core after the last rebuild
    assert not any(r.diverged for r in s._records if r.gen == s.generation)
    assert s.best_value < 0.05


def test_a_loop_over_layers_gives_range_conditions():
    s = hpt.create_study(seed=1, strategy="random")
    s.optimize(layers, n_trials=40)
    cond = s.conditions
    assert "n_layers" not in cond and "units0" not in cond
    assert cond["units1"] == {"n_layers": (2, None)}
    assert cond["units2"] == {"n_layers": (3, None)}
    assert cond["units3"] == {"n_layers": (4, None)}
    for t in s.trials:
        assert set(t.params) == {"n_layers"} | {"units%d" % i for i in range(t.params["n_layers"])}


def test_enqueued_trials_go_through_the_core_queue_without_a_rebuild():
    s = hpt.create_study(seed=2)
    s.optimize(branchy, n_trials=10)
    gens = s.generation
    s.enqueue_trial({"classifier": "SVC", "svc_c": 10.0})
    s.enqueue_trial({"classifier": "RF"})             # rf_depth: the strategy's choice
    s.optimize(branchy, n_trials=2)
    a, b = s.trials[-2:]
    assert a.params == {"classifier": "SVC", "svc_c": 10.0} and a.value == 0.0
    assert b.params["classifier"] == "RF" and 2 <= b.params["rf_depth"] <= 32
    assert s.generation == gens
    core = s._core
    assert core.trial(s._records[-2].core_id).params == a.params
    assert core.trial(s._records[-1].core_id).params == b.params
    assert all(not r.diverged for r in s._records[-2:])


def test_user_attributes_reach_the_core_journal_and_its_export(tmp_path):
    path = tmp_path / "study.hptj"
    s = hpt.create_study(storage=path, seed=4)
    s.set_user_attr("git", "abc123")
    s.set_user_attr("not a core key", 1)          # kept in the history only

    def obj(trial):
        trial.set_user_attr("epochs", 3)
        return branchy(trial)
    s.optimize(obj, n_trials=8)
    s.close()
    with _reopen(path) as core:
        assert core.attrs == {"git": "abc123"}
        assert all(core.trial(i).attrs == {"epochs": "3"} for i in range(len(core)))
        out = tmp_path / "core.csv"
        core.export_csv(out)
    rows = list(csv.DictReader(open(out)))
    assert rows and all(r["attr.epochs"] == "3" for r in rows)
    again = hpt.load_study(path)
    assert again.user_attrs == {"git": "abc123", "not a core key": 1}
    assert again.conditions == s.conditions
    assert all(t.user_attrs == {"epochs": 3} for t in again.trials)
    again.close()


def _reopen(path):
    from hpt import _journalfile
    head = _journalfile.read_header(path)
    return hpt.Study(head["space"], head["strategy"], head["direction"], head["seed"],
                     journal=path, resume="keep")


def test_a_resumed_conditional_study_keeps_its_conditions(tmp_path):
    path = tmp_path / "s.hptj"
    s = hpt.create_study(storage=path, seed=6)
    s.optimize(branchy, n_trials=12)
    cond, gens, n = s.conditions, s.generation, len(s.trials)
    s.close()
    r = hpt.load_study(path)
    assert r.conditions == cond and r.generation == gens and len(r.trials) == n
    r.optimize(branchy, n_trials=4)
    assert r.generation == gens
    r.close()


@pytest.mark.parametrize("strategy", ["random", "grid"])
def test_other_strategies_run_branches_too(strategy):
    opts = {"grid__points": 3} if strategy == "grid" else {}
    s = hpt.create_study(seed=0, strategy=strategy, **opts)
    s.optimize(branchy, n_trials=20)
    assert s.conditions.get("svc_c") == {"classifier": ["SVC"]}
    for t in s.trials:
        assert ("svc_c" in t.params) == (t.params["classifier"] == "SVC")
