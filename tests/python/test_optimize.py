"""Study.optimize: threads, catch, pruning, failures, callbacks, progress."""
import io
import threading
import time

import pytest

import hpt
from hpt._study import _Progress



def quad(trial):
    p = trial.params
    return (p["x"] - 0.5) ** 2 + 0.1 * p["k"]


@pytest.fixture
def space():
    return {"x": hpt.Float(-1.0, 1.0), "k": hpt.Int(0, 3)}


def test_optimize_one_job(space):
    study = hpt.Study(space, "sobol", seed=1)
    study.optimize(quad, n_trials=16)
    trials = study.trials
    assert len(trials) == 16 and all(t.state is hpt.TrialState.COMPLETE for t in trials)
    assert study.best_value == min(quad_value(t) for t in trials)
    study.optimize(quad, n_trials=4)   # n_trials counts per call
    assert len(study) == 20


def quad_value(t):
    return (t.params["x"] - 0.5) ** 2 + 0.1 * t.params["k"]


def test_optimize_two_threads_run_concurrently(space):
    study = hpt.Study(space, "random", seed=2)
    active, peak, lock = [0], [0], threading.Lock()
    threads = set()

    def fn(trial):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            threads.add(threading.get_ident())
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return quad(trial)

    study.optimize(fn, n_trials=30, n_jobs=2)
    trials = study.trials
    assert len(trials) == 30 and [t.id for t in trials] == list(range(30))
    assert all(t.state is hpt.TrialState.COMPLETE and t.value == quad_value(t) for t in trials)
    assert peak[0] == 2 and len(threads) == 2


def test_threads_hammering_one_study_directly(space):
    """Raw ask/report/tell from 4 threads: every trial told exactly once."""
    study = hpt.Study(space, "random", seed=3, max_trials=400)
    errors = []

    def work():
        try:
            while (t := study.ask()) is not None:
                t.report(1, 0.5)
                t.tell(quad(t))
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)
    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    trials = study.trials
    assert len(trials) == 400 and all(t.state is hpt.TrialState.COMPLETE for t in trials)


def test_error_messages_are_per_thread(space):
    """hpt_last_errmsg is thread-local: each thread's exception carries the
    message of its own failure."""
    study = hpt.Study(space, seed=0)
    barrier = threading.Barrier(2)
    got = {}

    def bad(tid):
        barrier.wait()
        for _ in range(200):
            try:
                study.tell(tid, 1.0)
            except hpt.UnknownTrial as e:
                got.setdefault(tid, set()).add(str(e))
    ts = [threading.Thread(target=bad, args=(tid,)) for tid in (1000, 2000)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for tid in (1000, 2000):
        assert got[tid] == {"hpt_study_tell: no trial %d (the study has 0)" % tid}


def test_catch_fails_the_trial_and_goes_on(space):
    study = hpt.Study(space, "random", seed=4)

    def fn(trial):
        if trial.id % 3 == 0:
            raise ZeroDivisionError("diverged")
        return quad(trial)
    study.optimize(fn, n_trials=9, n_jobs=2, catch=(ZeroDivisionError,))
    trials = study.trials
    failed = [t for t in trials if t.state is hpt.TrialState.FAILED]
    assert [t.id for t in failed] == [0, 3, 6]
    assert failed[0].fail_reason == "ZeroDivisionError: diverged"
    assert sum(t.state is hpt.TrialState.COMPLETE for t in trials) == 6


def test_uncaught_exception_stops_and_propagates(space):
    study = hpt.Study(space, "random", seed=5)

    def fn(trial):
        if trial.id == 2:
            raise KeyError("boom")
        return 1.0
    with pytest.raises(KeyError):
        study.optimize(fn, n_trials=50, n_jobs=2)
    assert len(study) < 50
    assert study.trial(2).state is hpt.TrialState.FAILED
    assert all(t.state is not hpt.TrialState.RUNNING for t in study.trials)

    def fn2(trial):
        raise KeyError("always")
    n = len(study)
    with pytest.raises(KeyError):
        study.optimize(fn2, n_trials=50, catch=ValueError)
    assert len(study) == n + 1


def test_pruned_and_bad_values_and_self_finished(space):
    study = hpt.Study(space, "random", seed=6)

    def fn(trial):
        if trial.id == 0:
            trial.report(1, 0.7)
            raise hpt.TrialPruned()
        if trial.id == 1:
            return float("nan")
        if trial.id == 2:
            return "not a number"
        if trial.id == 3:
            trial.tell(-5.0)   # finished by fn itself
            return 123.0
        return 1.0
    with pytest.warns(RuntimeWarning, match="not a finite number"):
        study.optimize(fn, n_trials=5)
    t = study.trials
    assert t[0].state is hpt.TrialState.PRUNED and t[0].value == 0.7
    assert t[1].state is hpt.TrialState.FAILED and "nan" in t[1].fail_reason
    assert t[2].state is hpt.TrialState.FAILED
    assert t[3].value == -5.0 and t[4].value == 1.0


def test_callbacks_timeout_and_done(space):
    study = hpt.Study(space, "random", seed=7, max_trials=6)
    seen = []
    study.optimize(quad, n_trials=100, callbacks=[lambda s, ft: seen.append(ft)])
    assert [ft.id for ft in seen] == list(range(6))   # the study ran out first
    assert all(isinstance(ft, hpt.FrozenTrial) for ft in seen)
    study2 = hpt.Study(space, "random", seed=7)
    study2.optimize(lambda t: time.sleep(0.02) or 1.0, timeout=0.1)
    assert 1 <= len(study2) < 50
    with pytest.raises(ValueError):
        study2.optimize(quad, n_jobs=0)
    with pytest.raises(ValueError):
        study2.optimize(quad, n_trials=-1)


def test_optimize_waits_when_the_strategy_says_wait(space):
    """hpt.Wait (HPT_WAIT) from ask: optimize waits for its running trials.
    The random strategy never waits, so ask is wrapped to wait while fewer
    than 3 trials finished and one is running (a synchronous rung)."""
    study = hpt.Study(space, "random", seed=8)
    real_ask = study.ask
    waits = [0]

    def ask():
        running = sum(t.state is hpt.TrialState.RUNNING for t in study.trials)
        done = len(study) - running
        if running and done < 3:
            waits[0] += 1
            raise hpt.Wait("wait")
        return real_ask()
    study.ask = ask
    study.optimize(lambda t: time.sleep(0.005) or quad(t), n_trials=8, n_jobs=2)
    assert len(study) == 8 and waits[0] > 0
    # One job with nothing running cannot be unblocked: it raises.
    study.ask = lambda: (_ for _ in ()).throw(hpt.Wait("wait"))
    with pytest.raises(hpt.Wait, match="does not own"):
        study.optimize(quad, n_trials=1)


def test_progress_bar_only_on_a_terminal(space, capsys):
    study = hpt.Study(space, "random", seed=9)
    study.optimize(quad, n_trials=3)   # stderr is captured: not a TTY
    assert capsys.readouterr().err == ""
    buf = io.StringIO()
    p = _Progress(4, enabled=None, stream=buf)
    assert not p.enabled
    p = _Progress(4, enabled=True, stream=buf)
    p.update(2, study)
    p.close()
    out = buf.getvalue()
    assert "2/4" in out and "best" in out and out.endswith("\n")

    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert _Progress(None, stream=Tty()).enabled


def test_bayes_with_two_threads(space):
    study = hpt.Study(space, "bayes", seed=10)
    study.optimize(quad, n_trials=16, n_jobs=2)
    assert sum(t.state is hpt.TrialState.COMPLETE for t in study.trials) == 16


def test_forced_progress_bar_counts_to_max_trials(space, capsys):
    study = hpt.Study(space, "random", seed=11, max_trials=4)
    study.optimize(quad, show_progress_bar=True)
    err = capsys.readouterr().err
    assert "\rhpt [" in err and "4/4" in err and err.endswith("\n")
    study2 = hpt.Study(space, "random", seed=11)
    study2.optimize(quad, n_trials=2, show_progress_bar=False)
    assert capsys.readouterr().err == ""


def test_n_jobs_minus_one_uses_every_cpu(space):
    study = hpt.Study(space, "random", seed=12)
    study.optimize(quad, n_trials=6, n_jobs=-1)
    assert len(study) == 6


def test_keyboard_interrupt_fails_the_trial_and_propagates(space):
    study = hpt.Study(space, "random", seed=13)

    def fn(trial):
        if trial.id == 1:
            raise KeyboardInterrupt
        return 1.0
    with pytest.raises(KeyboardInterrupt):
        study.optimize(fn, n_trials=5)
    assert len(study) == 2
    assert study.trial(1).state is hpt.TrialState.FAILED
    assert study.trial(1).fail_reason.startswith("KeyboardInterrupt")


def test_one_log_line_per_finished_trial_without_a_terminal(caplog):
    import logging
    study = hpt.Study({"x": hpt.Float(0, 1)}, "random", seed=1)
    with caplog.at_level(logging.INFO, logger="hpt"):
        study.optimize(lambda t: t.params["x"], n_trials=5, show_progress_bar=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "hpt"]
    assert len(lines) == 5 and all("finished with value" in m for m in lines)
    assert "Best is trial" in lines[-1]
