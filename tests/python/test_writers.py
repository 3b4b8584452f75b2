"""Several Python processes writing one journal (issue 14, items 3 and 4):
multiprocessing with the spawn start method, as a Slurm array job or a
pool of notebook kernels would share a study."""
import math
import multiprocessing
import os
import signal
import time

import pytest

import hpt

SPACE = {"x": hpt.Float(-2.0, 2.0), "y": hpt.Float(-1.0, 3.0), "k": hpt.Int(0, 7)}
CTX = multiprocessing.get_context("spawn")


def objective_value(params):
    """A function of the configuration alone, so a told value can be
    checked against the journal's trial it belongs to."""
    return (params["x"] - 0.5) ** 2 + (params["y"] - 1.0) ** 2 + 0.1 * params["k"]


def _writer(path, strategy, n, barrier, out):
    """One process of the job: open the journal, wait for the others, then
    optimize until the journal's max_trials ends the study."""
    told = []

    def fn(trial):
        v = objective_value(trial.params)
        time.sleep(0.02)      # a training: the writers interleave
        told.append((trial.id, v))
        return v

    try:
        s = hpt.Study(SPACE, strategy, seed=7, journal=path, max_trials=n)
        barrier.wait(120)
        s.optimize(fn)
        out.put((os.getpid(), told, s.done_reason))
        s.close()
    except BaseException as e:   # reported, so the test fails at once, with it
        out.put((os.getpid(), told, "error: %r" % (e,)))


def _run_writers(path, strategy, k, n):
    # The journal exists before the writers start: their opens only resume it.
    hpt.Study(SPACE, strategy, seed=7, journal=path, max_trials=n).close()
    barrier, out = CTX.Barrier(k), CTX.Queue()
    procs = [CTX.Process(target=_writer, args=(str(path), strategy, n, barrier, out))
             for _ in range(k)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    return results


@pytest.mark.parametrize("strategy,k,n", [("random", 2, 24), ("random", 4, 32),
                                          ("bayes", 2, 16), ("bayes", 4, 20)])
def test_processes_finish_one_job(tmp_path, strategy, k, n):
    path = tmp_path / "job.jnl"
    results = _run_writers(path, strategy, k, n)
    told = [t for _, ts, _ in results for t in ts]
    ids = [tid for tid, _ in told]
    # max_trials counts the journal's trials: all writers' together.
    assert sorted(ids) == list(range(n)), "ids asked twice or lost: %r" % sorted(ids)
    assert all(reason == "max_trials" for _, _, reason in results)
    assert len({pid for pid, ts, _ in results if ts}) >= 2, "one process did everything"
    with hpt.Study(SPACE, strategy, seed=7, journal=path) as s:
        assert len(s) == n and s.stale_trials() == []
        trials = s.trials
    assert all(t.state == hpt.TrialState.COMPLETE for t in trials)
    # No lost tell: every process's value is the journal's, on its trial.
    for tid, v in told:
        assert trials[tid].value == v
        assert trials[tid].value == objective_value(trials[tid].params)
    configs = {tuple(t.params.values()) for t in trials}
    assert len(configs) == n, "a configuration was proposed twice"


def _holder(path, lease, asks, ready, beat_every):
    """Ask `asks` trials, tell the first, and keep the others running (with
    a heartbeat every `beat_every` seconds, or silent when None)."""
    s = hpt.Study(SPACE, "random", seed=3, journal=path, lease_seconds=lease)
    ts = [s.ask() for _ in range(asks)]
    ts[0].tell(objective_value(ts[0].params))
    ready.set()
    while True:
        time.sleep(beat_every or 3600)
        s.heartbeat()


def _start_holder(path, lease=600.0, asks=3, beat_every=None):
    ready = CTX.Event()
    p = CTX.Process(target=_holder, args=(str(path), lease, asks, ready, beat_every))
    p.start()
    assert ready.wait(120)
    return p


def _kill(p):
    os.kill(p.pid, signal.SIGKILL)
    p.join(60)        # reaped: a zombie's pid would still look alive


def test_a_killed_writers_trials_are_stale_and_can_be_claimed_or_failed(tmp_path):
    path = tmp_path / "job.jnl"
    p = _start_holder(path)
    try:
        with hpt.Study(SPACE, "random", seed=3, journal=path, resume="keep") as s:
            # Alive: its trials are its own, neither stale nor claimable.
            assert s.stale_trials() == []
            with pytest.raises(hpt.TrialStateError):
                s.claim(1)
            _kill(p)
            assert s.stale_trials() == [1, 2]
            t = s.claim(1)
            assert t.id == 1 and t.params == s.trial(1).params
            t.tell(objective_value(t.params))
            s.tell_failed(2, "its process was killed")
            assert s.stale_trials() == []
            with pytest.raises(hpt.TrialStateError):
                s.claim(1)                     # finished now
        with hpt.Study(SPACE, "random", seed=3, journal=path) as s:
            assert [t.state.name for t in s.trials] == ["COMPLETE", "COMPLETE", "FAILED"]
            assert s.trial(2).fail_reason == "its process was killed"
    finally:
        if p.is_alive():
            _kill(p)


def test_opening_a_journal_in_use_leaves_the_live_writers_trials_alone(tmp_path):
    """resume="rerun" and "fail" settle only stale trials: a second writer
    opening the journal must not re-run or fail the first one's trials,
    and picks up a dead writer's trials by claiming them."""
    path = tmp_path / "job.jnl"
    p = _start_holder(path)
    try:
        with hpt.Study(SPACE, "random", seed=3, journal=path, resume="fail") as s:
            assert [t.state for t in s.trials[1:]] == [hpt.TrialState.RUNNING] * 2
        with hpt.Study(SPACE, "random", seed=3, journal=path) as s:
            assert s.ask().id == 3             # a new trial, not trial 1 again
            _kill(p)
        with hpt.Study(SPACE, "random", seed=3, journal=path) as s:
            # closing s gave trial 3 up, the kill gave 1 and 2 up: re-run in order
            again = [s.ask() for _ in range(4)]
            assert [t.id for t in again] == [1, 2, 3, 4]
            for t in again:
                t.tell(objective_value(t.params))
            assert s.stale_trials() == []
    finally:
        if p.is_alive():
            _kill(p)


def test_a_silent_writer_goes_stale_after_its_lease_and_a_beating_one_does_not(tmp_path):
    lease = 1.5
    silent = _start_holder(tmp_path / "silent.jnl", lease=lease, asks=2)
    beating = _start_holder(tmp_path / "beating.jnl", lease=lease, asks=2, beat_every=0.1)
    try:
        watch = [hpt.Study(SPACE, "random", seed=3, journal=tmp_path / name,
                           lease_seconds=lease, resume="keep")
                 for name in ("silent.jnl", "beating.jnl")]
        assert [w.stale_trials() for w in watch] == [[], []]
        with pytest.raises(hpt.TrialStateError, match="lease|held|live"):
            watch[0].claim(1)
        time.sleep(2 * lease)
        assert watch[0].stale_trials() == [1]
        assert watch[1].stale_trials() == []
        assert silent.is_alive()               # stale by its lease, not by its death
        t = watch[0].claim(1)
        t.tell(objective_value(t.params))
        assert watch[0].trial(1).state == hpt.TrialState.COMPLETE
        for w in watch:
            w.close()
    finally:
        for p in (silent, beating):
            _kill(p)


def _reader_during_job(path, strategy, k, n, load):
    """Run the job; meanwhile load the journal with `load` (no space
    given) every few trials. Returns the loaded trial counts."""
    hpt.Study(SPACE, strategy, seed=7, journal=path, max_trials=n).close()
    barrier, out = CTX.Barrier(k + 1), CTX.Queue()
    procs = [CTX.Process(target=_writer, args=(str(path), strategy, n, barrier, out))
             for _ in range(k)]
    for p in procs:
        p.start()
    barrier.wait(120)
    seen = []
    deadline = time.monotonic() + 300
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        st = load(path)
        seen.append(len(st.trials))
        assert {t.number for t in st.trials} == set(range(len(st.trials)))
        for t in st.trials:
            if t.state == hpt.TrialState.COMPLETE:
                assert t.value == objective_value(t.params)
        st.close()
        time.sleep(0.1)
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(60)
    assert [r for _, _, r in results] == ["max_trials"] * k
    return seen, results


@pytest.mark.parametrize("how", ["load_study", "create_study"])
def test_loading_a_running_job_disturbs_no_writer(tmp_path, how):
    """hpt.load_study(path), and create_study(storage=, load_if_exists=True)
    which goes through it, on a journal that writers are working on: it
    needs no space, sees the trials as they are, and fails none of the
    writers' running trials (each would then lose its tell)."""
    def load(p):
        if how == "load_study":
            return hpt.load_study(p)
        return hpt.create_study(storage=p, load_if_exists=True)
    n = 30
    path = tmp_path / "job.jnl"
    seen, results = _reader_during_job(path, "random", 2, n, load)
    assert seen and seen == sorted(seen), "a later load saw fewer trials: %r" % seen
    told = sorted(tid for _, ts, _ in results for tid, _ in ts)
    assert told == list(range(n))
    with hpt.Study(SPACE, "random", seed=7, journal=path) as s:
        assert len(s) == n
        assert all(t.state == hpt.TrialState.COMPLETE for t in s.trials)
    final = load(path)
    assert len(final.trials) == n and math.isfinite(final.best_value)
    final.close()


def _frontend_holder(path, ready):
    st = hpt.create_study(storage=path, strategy="random", seed=5)
    st.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=2)
    ready.set()
    time.sleep(3600)


def test_a_frontend_storage_has_one_writer_across_processes(tmp_path):
    """The front end's history file (path.hpt-run) has one writer: a second
    front-end study on the storage in another process may load it and read
    it, but its first change gets JournalLocked instead of numbering trials
    over the first one's; its death frees it."""
    path = str(tmp_path / "fe.jnl")
    ready = CTX.Event()
    p = CTX.Process(target=_frontend_holder, args=(path, ready))
    p.start()
    try:
        assert ready.wait(120)
        size = os.path.getsize(path)
        st = hpt.load_study(path)
        assert [t.state for t in st.trials] == [hpt.TrialState.COMPLETE] * 2
        with pytest.raises(hpt.JournalLocked, match="front-end"):
            st.ask()
        st.close()
        assert os.path.getsize(path) == size, "the refused ask reached the core journal"
        other = hpt.create_study(storage=path, load_if_exists=True)
        with pytest.raises(hpt.JournalLocked):
            other.set_user_attr("k", 1)
        other.close()
    finally:
        _kill(p)
    st = hpt.load_study(path)
    assert [t.state for t in st.trials] == [hpt.TrialState.COMPLETE] * 2
    st.close()


def _long_trainer(path, lease, started, finish):
    s = hpt.Study(SPACE, "random", seed=3, journal=path, lease_seconds=lease)

    def fn(trial):
        started.set()
        finish.wait(120)          # a long training that makes no study call
        return objective_value(trial.params)
    s.optimize(fn, n_trials=1)
    s.close()


def test_optimize_keeps_the_lease_of_a_long_training_alive(tmp_path):
    lease = 2.0
    path = tmp_path / "job.jnl"
    started, finish = CTX.Event(), CTX.Event()
    p = CTX.Process(target=_long_trainer, args=(str(path), lease, started, finish))
    p.start()
    try:
        assert started.wait(120)
        with hpt.Study(SPACE, "random", seed=3, journal=path, lease_seconds=lease,
                       resume="keep") as watch:
            for _ in range(6):            # three leases long
                time.sleep(lease / 2)
                assert watch.stale_trials() == []
            finish.set()
            p.join(120)
            assert p.exitcode == 0
            watch.heartbeat()
            assert watch.trial(0).state == hpt.TrialState.COMPLETE
    finally:
        if p.is_alive():
            _kill(p)
