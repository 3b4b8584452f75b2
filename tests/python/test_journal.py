"""Durable studies, resume, warm start, completion and the C-side results."""
import csv

import pytest

import hpt
from hpt import _lib


SPACE = {"x": hpt.Float(-1.0, 1.0), "k": hpt.Int(0, 4), "c": hpt.Categorical(["a", None])}


def f(p):
    return (p["x"] - 0.3) ** 2 + 0.1 * p["k"] + (p["c"] is None) * 0.05


def test_journal_resume_gives_the_same_study(tmp_path):
    path = tmp_path / "study.jnl"
    opts = dict(max_trials=12)
    s1 = hpt.Study(SPACE, "sobol", seed=9, journal=path, **opts)
    assert s1.journal_info()["note"] == "created" and s1.journal == str(path)
    asked = [s1.ask() for _ in range(5)]
    asked[0].report(1, 0.5)
    for t in asked[:3]:
        t.tell(f(t.params))
    asked[3].tell_failed("oom")   # asked[4] stays running: the "crash"
    before = s1.trials
    lost = asked[4].params
    s1.close()

    s2 = hpt.Study(SPACE, "sobol", seed=9, journal=path, **opts)   # same script again
    info = s2.journal_info()
    assert info["note"].startswith("resumed") and info["dropped_bytes"] == 0
    assert s2.trials == before
    running = s2.running_trials()
    assert [t.id for t in running] == [4] and running[0].params == lost
    running[0].tell(f(running[0].params))
    rest = []
    while (t := s2.ask()) is not None:
        rest.append(t.params)
        t.tell(f(t.params))
    assert s2.done_reason == "max_trials"

    ref = hpt.Study(SPACE, "sobol", seed=9, **opts)   # never interrupted
    for _ in range(5):
        ref.ask()
    assert [ref.ask().params for _ in range(7)] == rest
    s2.close()


def test_journal_refusals(tmp_path):
    path = tmp_path / "study.jnl"
    s1 = hpt.Study(SPACE, "random", seed=1, journal=path)
    s1.ask().tell(1.0)
    s1.close()
    with pytest.raises(hpt.JournalMismatch) as e:
        hpt.Study(SPACE, "random", seed=2, journal=path)
    assert "seed" in str(e.value)
    lines = path.read_bytes().split(b"\n")
    lines[2] = b"garbage " + lines[2]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(hpt.CorruptJournal, match="line"):
        hpt.Study(SPACE, "random", seed=1, journal=path)
    with pytest.raises(hpt.TrialStateError):
        hpt.Study(SPACE).journal_info()


def test_reopening_a_journal_this_process_holds_adds_a_writer(tmp_path):
    """A re-run notebook cell: the new object opens the journal beside the
    old one (they cooperate, no JournalLocked), and both keep working."""
    path = tmp_path / "study.jnl"
    s1 = hpt.Study(SPACE, "random", seed=1, journal=path)
    s1.ask().tell(1.0)
    s2 = hpt.Study(SPACE, "random", seed=1, journal=str(tmp_path / "." / "study.jnl"))
    assert len(s2) == 1 and s2.trial(0).value == 1.0
    t = s1.ask()                     # the old object is still a writer
    s2.ask().tell(2.0)
    assert (t.id, len(s2)) == (1, 3)
    s1.tell(t, 3.0)
    s1.close()                       # closing the old object leaves s2 alone
    s2.heartbeat()
    assert [x.value for x in s2.trials] == [1.0, 3.0, 2.0]
    s2.close()
    with hpt.Study(SPACE, "random", seed=1, journal=path) as s3:
        assert len(s3) == 3


def test_an_exclusive_reopen_in_this_process_closes_the_other_objects(tmp_path):
    """Exclusivity cannot be shared: a re-run cell with exclusive=True
    closes this process's previous objects instead of failing with
    JournalLocked, and a re-run without it closes a previous exclusive one."""
    path = tmp_path / "study.jnl"
    s1 = hpt.Study(SPACE, "random", seed=1, journal=path)
    s2 = hpt.Study(SPACE, "random", seed=1, journal=path)
    s3 = hpt.Study(SPACE, "random", seed=1, journal=path, exclusive=True)
    for old in (s1, s2):
        with pytest.raises(ValueError, match="closed"):
            old.ask()
    assert s3.get_option("journal.exclusive") == 1.0
    s3.ask().tell(1.0)
    s4 = hpt.Study(SPACE, "random", seed=1, journal=path)
    with pytest.raises(ValueError, match="closed"):
        s3.ask()
    assert len(s4) == 1 and s4.get_option("journal.exclusive") == 0.0
    s5 = hpt.Study(SPACE, "random", seed=1, journal=path, exclusive=True)
    s5.close()
    with pytest.raises(ValueError, match="closed"):
        s4.ask()
    with pytest.raises(ValueError, match="journal"):
        hpt.Study(SPACE, "random", seed=1, exclusive=True)


def test_another_process_holding_the_journal_still_gives_journal_locked(tmp_path,
                                                                          env_with_lib):
    """Several writers are the default; one that asked for exclusivity
    ("journal.exclusive") keeps the others out."""
    import subprocess
    import sys
    path = tmp_path / "study.jnl"
    code = ("import hpt, sys\n"
            "s = hpt.Study({'x': hpt.Float(0, 1)}, 'random', seed=1, journal=sys.argv[1])\n"
            "s.set_option('journal.exclusive', True)\n"
            "print('open', flush=True)\nsys.stdin.read()\n")
    p = subprocess.Popen([sys.executable, "-c", code, str(path)], env=env_with_lib,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "open"
        with pytest.raises(hpt.JournalLocked):
            hpt.Study(SPACE, "random", seed=1, journal=path)
    finally:
        p.stdin.close()
        p.wait(timeout=60)


def test_torn_last_record_is_dropped(tmp_path):
    path = tmp_path / "study.jnl"
    with hpt.Study(SPACE, "random", seed=1, journal=path) as s:
        s.ask().tell(1.0)
    with open(path, "ab") as fh:
        fh.write(b"tell 0 12 0.5")        # no checksum, no newline
    with hpt.Study(SPACE, "random", seed=1, journal=path) as s:
        assert s.journal_info()["dropped_bytes"] == len(b"tell 0 12 0.5")
        assert len(s) == 1


def test_export_csv_by_the_library(tmp_path):
    s = hpt.Study(SPACE, "random", seed=3)
    for i in range(4):
        t = s.ask()
        t.tell(f(t.params)) if i != 2 else t.tell_failed("boom")
    out = s.export_csv(tmp_path / "c.csv")
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and rows[2]["state"] == "failed" and rows[2]["fail_reason"] == "boom"
    assert [float(r["x"]) for r in rows] == [t.params["x"] for t in s.trials]


def test_completion_criteria_and_done_reason():
    s = hpt.Study(SPACE, "random", seed=4, target_value=0.2)
    assert s.done_reason == ""
    n = 0
    while (t := s.ask()) is not None:
        t.tell(f(t.params))
        n += 1
        assert n < 10000
    assert s.done_reason == "target_value" and s.best_value <= 0.2
    g = hpt.Study({"k": hpt.Int(0, 2)}, "grid")
    while (t := g.ask()) is not None:
        t.tell(0.0)
    assert g.done_reason == "exhausted"
    p = hpt.Study(SPACE, "random", seed=4, patience=3)
    for t in iter(p.ask, None):
        t.tell(5.0)                # never improves after the first
    assert p.done_reason == "patience" and len(p) == 4


def test_top_k():
    s = hpt.Study(SPACE, "random", seed=5, direction="maximize")
    for _ in range(10):
        t = s.ask()
        t.tell(f(t.params))
    top = s.top_k(3)
    assert [t.value for t in top] == sorted((t.value for t in s.trials), reverse=True)[:3]
    assert top[0] == s.best_trial and s.top_k(0) == [] and len(s.top_k(50)) == 10


def test_warm_start_and_importance(tmp_path):
    parent = tmp_path / "parent.jnl"
    with hpt.Study(SPACE, "random", seed=6, journal=parent) as p:
        for _ in range(12):
            t = p.ask()
            t.tell(f(t.params))
        best_parent = p.best_value
    space2 = dict(SPACE, y=hpt.Float(0.0, 1.0))     # a new parameter
    child = hpt.Study(space2, "bayes", seed=6)
    with pytest.raises(hpt.UnknownName):
        child.warm_start(parent, "identical")       # y needs a default
    info = child.warm_start(parent, "identical", defaults={"y": 0.5})
    assert info["used"] == 12 and info["skipped"] == 0 and "parent" in info["summary"]
    assert child.best_overall() == (None, best_parent)
    for _ in range(3):
        t = child.ask()
        t.tell(f(t.params) + 1.0)                   # worse than the parent's
    assert child.best_overall() == (None, best_parent)
    with pytest.raises(ValueError):
        child.warm_start(parent, "sideways")


def test_importance():
    with pytest.raises(hpt.TrialStateError):
        hpt.Study(SPACE, "random").importance()
    s = hpt.Study(SPACE, "bayes", seed=7)
    for _ in range(12):
        t = s.ask()
        t.tell(f(t.params))
    imp = s.importance()
    assert list(imp) == list(SPACE) and abs(sum(imp.values()) - 1.0) < 1e-9
    assert all(v >= 0 for v in imp.values())
    ls = s.importance_lengthscale()                 # the GP's own view
    assert list(ls) == list(SPACE) and abs(sum(ls.values()) - 1.0) < 1e-9
    with pytest.raises(hpt.NoModel):
        hpt.Study(SPACE, "random").importance_lengthscale()


def _crashed_journal(path):
    s = hpt.Study(SPACE, "sobol", seed=4, journal=path, max_trials=6)
    done = s.ask()
    done.tell(0.5)
    left = [s.ask(), s.ask()]            # never told: the process "dies"
    params = [t.params for t in left]
    s.close()
    return params


def test_resume_rerun_hands_out_the_interrupted_trials_first(tmp_path):
    path = tmp_path / "j.jnl"
    params = _crashed_journal(path)
    s = hpt.Study(SPACE, "sobol", seed=4, journal=path, max_trials=6)
    again = [s.ask(), s.ask()]
    assert [t.id for t in again] == [1, 2] and [t.params for t in again] == params
    for t in again:
        t.tell(1.0)
    n = 0
    while (t := s.ask()) is not None:
        t.tell(2.0)
        n += 1
    assert n == 3                          # the interrupted two did not eat max_trials
    assert all(t.state != hpt.TrialState.RUNNING for t in s.trials)
    s.close()


def test_resume_fail_and_keep(tmp_path):
    path = tmp_path / "j.jnl"
    _crashed_journal(path)
    s = hpt.Study(SPACE, "sobol", seed=4, journal=path, max_trials=6, resume="fail")
    states = [t.state for t in s.trials]
    assert states == [hpt.TrialState.COMPLETE, hpt.TrialState.FAILED, hpt.TrialState.FAILED]
    assert "interrupted" in s.trials[1].fail_reason
    assert s.ask().id == 3
    s.close()
    path2 = tmp_path / "k.jnl"
    _crashed_journal(path2)
    s = hpt.Study(SPACE, "sobol", seed=4, journal=path2, max_trials=6, resume="keep")
    assert [t.id for t in s.running_trials()] == [1, 2]
    assert s.ask().id == 3
    with pytest.raises(ValueError, match="resume"):
        hpt.Study(SPACE, "sobol", seed=4, resume="later")
