"""Conditional parameters (when=), steps and the logit scale, as the library
does them, seen from hpt.Study."""
import csv
import itertools
import math

import pytest

import hpt

OPT = ["sgd", "adam"]


def conditional_space():
    """optimizer in {sgd, adam}; momentum only for sgd, nesterov only for
    sgd with momentum > 0.5 (nested); beta1, beta2 only for adam; units3
    only with at least 3 layers (a range condition); steps on lr and units3."""
    return {
        "optimizer": hpt.Categorical(OPT),
        "momentum": hpt.Float(0.0, 0.99, when={"optimizer": "sgd"}),
        "nesterov": hpt.Categorical([False, True], when={"momentum": (0.5, None)}),
        "beta1": hpt.Float(0.8, 0.999, scale="logit", when={"optimizer": ["adam"]}),
        "beta2": hpt.Float(0.9, 0.9999, scale="reverse_log", when={"optimizer": "adam"}),
        "layers": hpt.Int(1, 4),
        "units3": hpt.Int(16, 128, step=16, when={"layers": (3, None)}),
        "lr": hpt.Float(0.0, 1.0, step=0.25),
    }


def expected_active(p):
    act = {"optimizer", "layers", "lr"}
    if p["optimizer"] == "sgd":
        act.add("momentum")
        if p["momentum"] >= 0.5:
            act.add("nesterov")
    else:
        act |= {"beta1", "beta2"}
    if p["layers"] >= 3:
        act.add("units3")
    return act


def check_trial(space, params):
    assert set(params) == expected_active(params), params
    for name, v in params.items():
        d = space[name]
        if isinstance(d, hpt.Categorical):
            assert v in d.choices
        else:
            assert d.lo <= v <= d.hi, (name, v)
    assert params["lr"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    if "units3" in params:
        assert params["units3"] in range(16, 129, 16)


@pytest.mark.parametrize("strategy", ["random", "sobol", "bayes", "hyperband"])
def test_every_strategy_gives_exactly_the_active_parameters_in_range_and_on_step(strategy):
    space = conditional_space()
    opts = {"max_trials": 30}
    if strategy == "hyperband":
        opts.update(hyperband__min_resource=1, hyperband__max_resource=9)
    study = hpt.Study(space, strategy, seed=3, **opts)
    seen = set()
    while True:
        try:
            t = study.ask()
        except hpt.Wait:
            continue
        if t is None:
            break
        p = t.params
        check_trial(space, p)
        seen.add(p["optimizer"])
        # a pretend objective where the branch matters
        v = (p.get("momentum", 0.3) - 0.9) ** 2 + (p["lr"] - 0.5) ** 2 + 0.1 * p["layers"]
        study.tell(t, v)
    assert seen == set(OPT)
    for ft in study.trials:
        check_trial(space, ft.params)


def test_grid_visits_each_active_configuration_once_and_inactive_ones_never_multiply():
    space = {
        "optimizer": hpt.Categorical(OPT),
        "momentum": hpt.Float(0.0, 0.9, step=0.3, when={"optimizer": "sgd"}),   # 4 points
        "beta1": hpt.Categorical([0.9, 0.95], when={"optimizer": "adam"}),
        "layers": hpt.Int(1, 3),
        "units3": hpt.Int(8, 16, step=8, when={"layers": (3, 3)}),               # 2 points
    }
    study = hpt.Study(space, "grid", seed=0)
    seen = []
    while (t := study.ask()) is not None:
        seen.append(tuple(sorted(t.params.items())))
        study.tell(t, 0.0)
    # counted by hand: optimizer branch (sgd: 4, adam: 2) times layers
    # (1, 2: one each; 3: two units3 values)
    expected = set()
    for branch in [("sgd", m) for m in (0.0, 0.3, 0.6, 0.9)] + [("adam", b) for b in (0.9, 0.95)]:
        for layers, units in [(1, None), (2, None), (3, 8), (3, 16)]:
            p = {"optimizer": branch[0], "layers": layers}
            p["momentum" if branch[0] == "sgd" else "beta1"] = branch[1]
            if units is not None:
                p["units3"] = units
            expected.add(tuple(sorted(p.items())))
    assert len(seen) == len(set(seen)) == 24
    assert set(seen) == expected


def test_float_steps_come_from_the_library_exactly():
    study = hpt.Study({"f": hpt.Float(0.0, 1.0, step=0.1)}, "grid", seed=0)
    vals = []
    while (t := study.ask()) is not None:
        vals.append(t.params["f"])
        t.tell(0.0)
    # 0.1 * 3 is 0.30000000000000004 in binary; the library's points are
    # rounded to 15 significant digits, so the literal 0.3 comes back
    assert sorted(vals) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert 0.3 in vals and 0.1 * 3 not in vals


def test_logit_scale_puts_more_draws_near_the_ends():
    study = hpt.Study({"f": hpt.Float(0.01, 0.99, scale="logit")}, "random", seed=5)
    xs = []
    for _ in range(400):
        t = study.ask()
        xs.append(t.params["f"])
        t.tell(0.0)
    assert all(0.01 <= x <= 0.99 for x in xs)
    low = sum(x < 0.1 for x in xs) / len(xs)
    # uniform in logit: P(x < 0.1) = (logit .1 - logit .01) / (logit .99 - logit .01)
    lg = lambda p: math.log(p / (1 - p))   # noqa: E731
    want = (lg(0.1) - lg(0.01)) / (lg(0.99) - lg(0.01))
    assert abs(low - want) < 0.07 and low > 2 * 0.09 / 0.98
    assert repr(hpt.Float(0.01, 0.99, scale="logit")).count("logit") == 1
    for lo, hi in ((0.0, 0.5), (0.5, 1.0), (-1, 0.5)):
        with pytest.raises(hpt.InvalidArgument):
            hpt.Study({"f": hpt.Float(lo, hi, scale="logit")}, "random", seed=0)
    with pytest.raises(hpt.InvalidArgument):
        hpt.Float(0.1, 0.9, scale="logit", step=0.1)


def test_condition_errors_name_the_problem():
    base = {"optimizer": hpt.Categorical(OPT), "layers": hpt.Int(1, 4)}
    cases = [
        ({"m": hpt.Float(0, 1, when={"nope": "sgd"})}, hpt.UnknownName, "nope"),
        ({"m": hpt.Float(0, 1, when={"optimizer": "rmsprop"})}, hpt.UnknownName, "rmsprop"),
        ({"m": hpt.Float(0, 1, when={"m": (0, 1)})}, hpt.InvalidArgument, ""),
        ({"a": hpt.Float(0, 1, when={"b": (0, 1)}), "b": hpt.Float(0, 1, when={"a": (0, 1)})},
         hpt.InvalidArgument, "cycle"),
        ({"m": hpt.Float(0, 1, when={"layers": ["x"]})}, ValueError, "range"),
        ({"m": hpt.Float(0, 1, when={"layers": (1, 2, 3)})}, ValueError, "range"),
        ({"m": hpt.Float(0, 1, when={"layers": (7, None)})}, hpt.InvalidArgument, ""),
    ]
    for extra, exc, text in cases:
        with pytest.raises(exc) as ei:
            hpt.Study(dict(base, **extra), "random", seed=0)
        assert text in str(ei.value)
    with pytest.raises(TypeError):
        hpt.Float(0, 1, when=["optimizer"])


def test_a_parent_may_follow_its_child_and_tuples_can_be_choices():
    space = {
        "m": hpt.Float(0, 1, when={"shape": (1, 2)}),
        "shape": hpt.Categorical([(1, 2), (3, 4)]),
    }
    study = hpt.Study(space, "grid", seed=0, grid__points=2)
    got = []
    while (t := study.ask()) is not None:
        got.append(t.params)
        t.tell(0.0)
    assert {p["shape"] for p in got} == {(1, 2), (3, 4)}
    assert all(("m" in p) == (p["shape"] == (1, 2)) for p in got)


def test_enqueue_comes_first_in_order_and_missing_names_are_chosen_by_the_strategy():
    space = conditional_space()
    for strategy in ("random", "bayes"):
        study = hpt.Study(space, strategy, seed=1)
        for _ in range(6):
            t = study.ask()
            t.tell(t.params["lr"])
        study.enqueue({"optimizer": "sgd", "momentum": 0.9, "nesterov": True, "layers": 2,
                       "lr": 0.5})
        study.enqueue({"optimizer": "adam", "layers": 3})
        a = study.ask()
        assert a.params == {"optimizer": "sgd", "momentum": 0.9, "nesterov": True,
                            "layers": 2, "lr": 0.5}
        b = study.ask()
        assert b.params["optimizer"] == "adam" and b.params["layers"] == 3
        check_trial(space, b.params)     # beta1, beta2, units3, lr chosen, on step
        a.tell(0.0)
        b.tell(0.0)
    with pytest.raises(hpt.UnknownName):
        study.enqueue({"optimiser": "sgd"})
    with pytest.raises(hpt.InvalidArgument):
        study.enqueue({"optimizer": "adam", "momentum": 0.5})     # inactive there
    with pytest.raises(hpt.InvalidArgument):
        study.enqueue({"lr": 0.3})                                # off its step
    with pytest.raises(hpt.InvalidArgument):
        study.enqueue({"optimizer": "nadam"})
    with pytest.raises(hpt.InvalidArgument):
        study.enqueue({"layers": 2.5})


def test_attributes_survive_a_reopen_and_reach_both_csv_exports(tmp_path):
    space = conditional_space()
    path = tmp_path / "j.hptj"
    with hpt.Study(space, "random", seed=2, journal=path) as study:
        study.set_attr("git", "1a2b3c")
        t = study.ask()
        t.set_attr("host", "node 7")
        study.tell(t, 1.0)
        u = study.ask()
        study.set_trial_attr(u, "host", "node 8")
        study.set_trial_attr(u, "host", "node 9")       # replaces
        with pytest.raises(hpt.InvalidArgument):
            study.set_attr("bad key", "x")
        with pytest.raises(TypeError):
            t.set_attr("n", 3)
        with pytest.raises(hpt.UnknownTrial):
            study.set_trial_attr(99, "k", "v")
    with hpt.Study(space, "random", seed=2, journal=path) as again:
        assert again.attrs == {"git": "1a2b3c"}
        assert again.trial(0).attrs == {"host": "node 7"}
        assert again.trial_attrs(1) == {"host": "node 9"}
        inactive = [n for n in space if n not in again.trial(0).params]
        mine = tmp_path / "mine.csv"
        again.to_csv(mine)
        lib = tmp_path / "lib.csv"
        again.export_csv(lib)
    rows = list(csv.DictReader(open(mine)))
    assert [r["attr.host"] for r in rows] == ["node 7", "node 9"]
    assert all(rows[0]["params_" + n] == "" for n in inactive)
    lrows = list(csv.DictReader(open(lib)))
    assert [r["attr.host"] for r in lrows] == ["node 7", "node 9"]


def test_stepped_and_conditional_journals_read_back_with_their_space(tmp_path):
    from hpt import _journalfile
    path = tmp_path / "j.hptj"
    space = conditional_space()
    hpt.Study(space, "random", seed=2, journal=path).close()
    head = _journalfile.read_header(path)
    assert list(head["space"]) == list(space)
    assert (list(hpt._space.conditions(head["space"]))
            == list(hpt._space.conditions(space)))
    for name, d in space.items():
        if not isinstance(d, hpt.Categorical):    # (choices come back as labels)
            assert head["space"][name] == d, name
    # and a parent journal written from Python warm-starts a conditional study
    par = tmp_path / "parent.hptj"
    rows = [({"optimizer": 0.0, "momentum": 0.9, "nesterov": 1.0, "layers": 1.0, "lr": 0.25},
             0.5),
            ({"optimizer": 1.0, "beta1": 0.9, "beta2": 0.99, "layers": 3.0, "units3": 32.0,
              "lr": 1.0}, 2.0)]
    assert _journalfile.write_parent(par, space, "minimize", rows) == 2
    with hpt.Study(space, "bayes", seed=0) as child:
        info = child.warm_start(par, "identical")
        assert info["used"] == 2 and info["skipped"] == 0
        assert child.best_overall() == (None, 0.5)


def test_descriptors_with_conditions_compare_and_copy():
    import copy
    import pickle
    a = hpt.Float(0, 1, when={"optimizer": ["sgd"]})
    assert a == hpt.Float(0, 1, when={"optimizer": ["sgd"]})
    assert a != hpt.Float(0, 1, when={"optimizer": ["adam"]})
    assert a != hpt.Float(0, 1)
    a._sample(__import__("random").Random(0))     # builds its codec
    for b in (copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert b == a and b._contains(0.5) and not b._contains(2.0)
    assert list(itertools.islice(hpt._space.conditions(
        {"optimizer": hpt.Categorical(OPT), "m": a}), 5)) == [("m", "optimizer", ["sgd"], None)]
