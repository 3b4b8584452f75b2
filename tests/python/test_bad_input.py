"""Bad input never aborts the process and never reaches C wrapped or cut
short: each case of /work/shared/repro/reliability/py_*.py (copy, id wrap,
int wrap, objective returning 10**400) and NUL bytes raise an hpt.Error
subclass with a clear message, or fail the trial with a warning."""
import copy
import math
import pickle
import subprocess
import sys
import warnings

import pytest

import hpt


def test_copy_of_a_study_is_refused_and_both_stay_usable():
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    for f in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(hpt.NotCopyable):
            f(s)
    assert isinstance(hpt.NotCopyable("x"), (hpt.Error, TypeError))
    s.tell(s.ask(), 1.0)
    assert len(s) == 1


def test_the_copy_reproducer_no_longer_aborts(env_with_lib):
    code = ("import copy, hpt\n"
            "s = hpt.Study({'x': hpt.Float(0, 1)}, 'random')\n"
            "try:\n    c = copy.copy(s)\nexcept hpt.NotCopyable as e:\n    print('refused')\n"
            "print(len(s))\ndel s\n")
    r = subprocess.run([sys.executable, "-c", code], env=env_with_lib, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["refused", "0"]


@pytest.mark.parametrize("bad", [2 ** 64, 2 ** 63, -1, -2 ** 64])
def test_trial_ids_outside_int64_do_not_wrap_onto_another_trial(bad):
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    s.ask()
    for call in (lambda: s.tell(bad, 123.0), lambda: s.tell_failed(bad),
                 lambda: s.prune(bad), lambda: s.report(bad, 1, 1.0),
                 lambda: s.trial(bad)):
        with pytest.raises(hpt.UnknownTrial):
            call()
    assert s.trial(0).state == hpt.TrialState.RUNNING


@pytest.mark.parametrize("lo,hi", [(-2 ** 64, -2 ** 64 + 3), (0, 2 ** 63), (-2 ** 63 - 1, 0)])
def test_int_bounds_beyond_int64_are_refused(lo, hi):
    with pytest.raises(hpt.InvalidArgument, match="64-bit"):
        hpt.Int(lo, hi)


def test_int_bounds_at_the_int64_limits_are_kept():
    d = hpt.Int(-2 ** 63, 2 ** 63 - 1)
    assert (d.lo, d.hi) == (-2 ** 63, 2 ** 63 - 1)


def test_float_bounds_and_values_too_large_for_a_double():
    with pytest.raises(hpt.InvalidArgument, match="too large"):
        hpt.Float(0, 10 ** 400)
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    t = s.ask()
    with pytest.raises(hpt.InvalidArgument):
        s.tell(t, 10 ** 400)
    with pytest.raises(hpt.InvalidArgument):
        s.report(t, 1, -10 ** 400)
    assert t.state == hpt.TrialState.RUNNING


@pytest.mark.parametrize("value", [10 ** 400, -10 ** 400, 10 ** 5000, math.inf, math.nan,
                                   "abc", None], ids=["1e400", "-1e400", "1e5000", "inf", "nan", "str", "None"])
def test_objective_returning_a_non_double_fails_the_trial_with_a_warning(value):
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s.optimize(lambda t: value, n_trials=2)
    assert [t.state for t in s.trials] == [hpt.TrialState.FAILED] * 2
    assert any(issubclass(x.category, RuntimeWarning) for x in w)
    assert "objective returned" in s.trials[0].fail_reason
    assert len(s.trials[0].fail_reason) < 120


@pytest.mark.parametrize("space", [
    {"a\0b": hpt.Float(0, 1)},
    {"c": hpt.Categorical(["x\0y", "z"])},
])
def test_nul_bytes_in_names_and_choices_are_refused(space):
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        hpt.Study(space, "random")


def test_nul_bytes_in_strategy_options_and_paths_are_refused(tmp_path):
    sp = {"x": hpt.Float(0, 1)}
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        hpt.Study(sp, "random\0bayes")
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        hpt.Study(sp, "random", journal=str(tmp_path / "a\0b"))
    s = hpt.Study(sp, "random")
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        s.set_option("pruner", "median\0x")
    with pytest.raises(hpt.InvalidArgument, match="NUL"):
        s.set_option("max_trials\0", 3)


def test_a_nul_in_a_fail_reason_is_kept_visible_not_cut():
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random")
    s.tell_failed(s.ask(), "before\0after")
    assert s.trials[0].fail_reason == "before\\x00after"


def test_top_k_with_a_huge_k_gives_every_complete_trial():
    s = hpt.Study({"x": hpt.Float(0, 1)}, "random", seed=1)
    for v in (3.0, 1.0, 2.0):
        s.tell(s.ask(), v)
    assert [t.value for t in s.top_k(2 ** 64)] == [1.0, 2.0, 3.0]
