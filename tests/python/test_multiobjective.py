"""Several objectives, black-box constraints and trial times from
hpt.Study (the library's hpt_study_set_objectives / _constraints, pareto,
hypervolume, hpt_trial_times)."""
import csv
import math
import time

import pytest

import hpt

SPACE = {"x": hpt.Float(0.0, 1.0), "y": hpt.Float(0.0, 1.0)}


def told(study, values, constraints=None):
    """Ask one trial per entry and tell it the given values."""
    ids = []
    for k, v in enumerate(values):
        t = study.ask()
        study.tell(t, v, None if constraints is None else constraints[k])
        ids.append(t.id)
    return ids


def test_front_and_hypervolume_of_hand_made_values():
    s = hpt.Study(SPACE, "random", seed=0, directions=["minimize", "maximize"])
    # (1, 1) dominates (2, 0.5); (2, 3) and (3, 3) tie on the second: (2, 3)
    # dominates (3, 3); (1, 1) and (2, 3) trade off; a duplicate of (1, 1)
    told(s, [(1, 1), (2, 0.5), (2, 3), (3, 3), [1, 1]])
    front = s.best_trials
    assert [t.id for t in front] == [0, 2, 4]
    assert [t.values for t in front] == [[1, 1], [2, 3], [1, 1]]
    assert all(t.feasible for t in front)
    # reference (4, 0): boxes [1,4]x[0,1] and [2,4]x[1,3] -> 3 + 4 = 7
    assert s.hypervolume([4, 0]) == pytest.approx(7.0)
    assert s.hypervolume([0, 5]) == 0.0           # nothing dominates it
    with pytest.raises(hpt.SeveralObjectives):
        s.best_value
    with pytest.raises(hpt.InvalidArgument):
        s.tell(s.ask(), 1.0)                       # one value for two objectives
    with pytest.raises(hpt.InvalidArgument):
        s.hypervolume([4])
    with pytest.raises(hpt.InvalidArgument):
        s.tell(s.ask(), (1.0, math.nan))


def test_constraints_keep_infeasible_trials_off_the_front_and_out_of_best():
    s = hpt.Study(SPACE, "random", seed=0, constraints=2)
    told(s, [0.1, 0.5, 0.9], constraints=[(1.0, -1.0), (0.0, -2.0), (-1.0, -1.0)])
    assert [t.feasible for t in s.trials] == [False, True, True]
    assert s.best_trial.id == 1 and s.best_value == 0.5
    assert [t.id for t in s.best_trials] == [1]
    assert s.trial(0).constraints == (1.0, -1.0)
    for bad in ([0.0], [0.0, math.nan], [0.0, 1.0, 2.0]):
        with pytest.raises(hpt.InvalidArgument):
            s.tell(s.ask(), 0.3, bad)
    with pytest.raises(ValueError):
        hpt.Study(SPACE, "random", seed=0, constraints=17)
    with pytest.raises(ValueError):
        hpt.Study(SPACE, "random", seed=0, constraints_func=lambda t: [0.0])


@pytest.mark.parametrize("strategy", ["random", "bayes"])
def test_optimize_takes_tuples_and_a_constraints_func_and_a_journal_keeps_all(tmp_path,
                                                                              strategy):
    path = tmp_path / "mo.hptj"
    seen = []

    def cons(ft):
        seen.append(ft.values)
        return [ft.params["x"] - 0.8]

    def zdt1ish(t):
        x, y = t.params["x"], t.params["y"]
        g = 1 + 9 * y
        return x, g * (1 - math.sqrt(x / g))

    before = time.time()
    with hpt.Study(SPACE, strategy, seed=3, directions=["min", "min"], constraints=1,
                   constraints_func=cons, journal=path, max_trials=20) as s:
        s.optimize(zdt1ish)
        front = [(t.id, tuple(t.values)) for t in s.best_trials]
        hv = s.hypervolume([1.0, 11.0])
        trials = s.trials
    after = time.time()
    assert len(trials) == 20 and all(t.state == hpt.TrialState.COMPLETE for t in trials)
    assert seen == [t.values for t in trials]       # called with the objective's values
    assert all(t.feasible == (t.params["x"] <= 0.8) for t in trials)
    assert front and all(trials[i].feasible for i, _ in front)
    for t in trials:
        assert before - 1 <= t.asked_at <= t.finished_at <= after + 1
        assert t.duration.total_seconds() == pytest.approx(t.finished_at - t.asked_at, abs=1e-5)
    # reopened without saying the shape: the journal's
    with hpt.Study(SPACE, strategy, seed=3, journal=path) as again:
        assert again.directions == ["minimize", "minimize"] and again.n_constraints == 1
        assert [(t.id, tuple(t.values)) for t in again.best_trials] == front
        assert again.hypervolume([1.0, 11.0]) == hv
        assert [(t.asked_at, t.finished_at) for t in again.trials] == \
            [(t.asked_at, t.finished_at) for t in trials]
        again.to_csv(tmp_path / "mo.csv")
    rows = list(csv.DictReader(open(tmp_path / "mo.csv")))
    assert [float(r["value_1"]) for r in rows] == [t.values[1] for t in trials]
    assert [r["feasible"] for r in rows] == [str(t.feasible) for t in trials]
    assert all(float(r["duration"]) >= 0 for r in rows)


@pytest.mark.parametrize("record, says", [
    ("constraints 17", "count 17 is not in 0 .. 16"),
    ("constraints -0", "no count"),
    ("objectives 2 minimize sideways", "direction 2"),
])
def test_a_bad_shape_record_is_refused_as_the_library_refuses_it(tmp_path, record, says):
    """The reader of a journal's shape is the library's (test_journal.c
    test_shape_records_every_path: reopen, load and warm start): the same
    reason, and the file untouched. Before, "constraints -0" was read as 0
    here and "constraints x" made the reader give up silently."""
    from hpt import _journalfile
    path = tmp_path / "shape.hptj"
    with hpt.Study(SPACE, "random", seed=3, directions=["min", "max"], constraints=1,
                   journal=path) as s:
        told(s, [(0.0, 1.0)], [[0.5]])
    lines = path.read_bytes().splitlines(keepends=True)
    kind = record.split()[0]
    k = next(i for i, ln in enumerate(lines) if ln.startswith(kind.encode() + b" "))
    lines[k] = _journalfile._line(record, k + 1)
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()
    with pytest.raises(hpt.CorruptJournal, match="line %d: malformed \"%s\" record: %s"
                       % (k + 1, kind, says)):
        hpt.Study(SPACE, "random", seed=3, journal=path)
    assert path.read_bytes() == before


def test_one_objective_turned_around_is_not_reopened_the_wrong_way(tmp_path):
    """A journal made to minimize whose single objective was then set to
    maximize (hpt_study_set_objectives with one direction): reopening it
    without saying the direction must not report "minimize" while the
    library maximizes (it did, after the shape reader moved to the
    library's parser); it is refused as a mismatch, as before."""
    import ctypes
    from hpt import _lib
    path = tmp_path / "flip.hptj"
    with hpt.Study(SPACE, "random", seed=3, journal=path) as s:
        arr = (ctypes.c_int32 * 1)(_lib.MAXIMIZE)
        _lib.check(_lib.lib.hpt_study_set_objectives(s._h, arr, 1))
        t = s.ask()
        t.tell(1.0)
    with pytest.raises(hpt.JournalMismatch):
        hpt.Study(SPACE, "random", seed=3, journal=path)


def test_a_running_trial_has_an_ask_time_and_no_end():
    s = hpt.Study(SPACE, "random", seed=0)
    t0 = time.time()
    t = s.ask()
    assert t0 - 1 <= t.asked_at <= time.time() + 1
    assert t.finished_at is None and t.duration is None
    assert s.trial(t.id).datetime_complete is None
    t.tell(1.0)
    assert t.finished_at >= t.asked_at
    assert s.trial(t.id).datetime_start.timestamp() == pytest.approx(t.asked_at)


def test_objective_returning_a_non_finite_member_fails_the_trial():
    s = hpt.Study(SPACE, "random", seed=0, directions=["minimize", "maximize"])
    with pytest.warns(RuntimeWarning):
        s.optimize(lambda t: (1.0, math.inf), n_trials=1)
    assert s.trials[0].state == hpt.TrialState.FAILED


def two_objectives(trial):
    kind = trial.suggest_categorical("kind", ["small", "large"])
    x = trial.suggest_float("x", 0.0, 1.0)
    if kind == "large":
        x += trial.suggest_float("extra", 0.0, 0.5)
    return x, (1.0 - x) ** 2 + (0.3 if kind == "large" else 0.0)


def test_define_by_run_with_directions_rebuilds_and_resumes_with_every_objective(tmp_path):
    path = tmp_path / "dbr.hptj"
    s = hpt.create_study(directions=["minimize", "minimize"], storage=path, seed=5)
    assert s.directions == ["minimize", "minimize"] and s.pruner == "none"
    s.optimize(two_objectives, n_trials=25)
    assert s.generation >= 1            # the space grew: a rebuilt core, warm-started
    assert s._core.directions == ["minimize", "minimize"]
    done = [t for t in s.trials if t.state == hpt.TrialState.COMPLETE]
    assert len(done) == 25 and all(len(t.values) == 2 for t in done)
    assert all(t.asked_at <= t.finished_at and t.feasible for t in done)
    # the front, checked by brute force on the told values
    front = {t.number for t in done
             if not any(all(a <= b for a, b in zip(o.values, t.values)) and o.values != t.values
                        for o in done)}
    assert {t.number for t in s.best_trials} == front
    with pytest.raises(hpt.SeveralObjectives):
        s.best_trial
    df = s.trials_dataframe()
    assert list(df["values_1"]) == [t.values[1] for t in s.trials]
    with pytest.raises(ValueError):
        s.tell(s.ask(), 1.0)                # one value for two objectives
    s.close()
    again = hpt.load_study(path)
    assert again.directions == ["minimize", "minimize"]
    assert {t.number for t in again.best_trials} == front
    again.close()
    with pytest.raises(ValueError):
        hpt.create_study(directions=["minimize", "maximize"], pruner="asha")


def test_define_by_run_constraints_func_as_optuna_and_through_the_core(tmp_path):
    path = tmp_path / "c.hptj"

    def cons(ft):
        return [ft.params["x"] - 0.5]           # feasible: x <= 0.5

    def obj(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        return (x - 0.8) ** 2                   # the unconstrained best is infeasible
    s = hpt.create_study(storage=path, seed=1, constraints_func=cons)
    s.optimize(obj, n_trials=25)
    for t in s.trials:
        assert t.system_attrs["constraints"] == [t.params["x"] - 0.5]
    feasible = [t for t in s.trials if t.params["x"] <= 0.5]
    assert feasible and s.best_trial.number == min(feasible, key=lambda t: t.value).number
    assert s.best_params["x"] <= 0.5 and all(t.params["x"] <= 0.5 for t in s.best_trials)
    core = s._core
    assert core.n_constraints == 1
    mine = [core.trial(r.core_id) for r in s._records if r.gen == s.generation
            and r.core_id is not None]
    assert mine and all(ft.constraints == (ft.params["x"] - 0.5,) for ft in mine)
    best = s.best_trial.number
    s.close()
    again = hpt.load_study(path, constraints_func=cons)
    assert again.best_trial.number == best
    again.optimize(obj, n_trials=2)
    again.close()
    bad = hpt.create_study(seed=0, constraints_func=lambda ft: [math.nan])
    bad.optimize(obj, n_trials=1)
    assert bad.trials[0].state == hpt.TrialState.FAILED
    assert "constraints_func" in bad.trials[0].fail_reason
