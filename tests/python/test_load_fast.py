"""hpt.load_study of a plain journal that a job is writing: a load reads,
it writes nothing (no history file, the journal untouched) until the
loaded study itself is written to (issue 14 item 4)."""
import fcntl
import multiprocessing
import os

import pytest

import hpt

SPACE = {"x": hpt.Float(-2.0, 2.0), "k": hpt.Int(0, 7), "c": hpt.Categorical(["a", "b"])}


def _value(p):
    return (p["x"] - 0.5) ** 2 + 0.1 * p["k"] + (p["c"] == "b")


def _stamp(path):
    if not os.path.exists(path):
        return None
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, open(path, "rb").read()


def _run(writer, n, leave_running=0):
    for _ in range(n):
        t = writer.ask()
        writer.tell(t, _value(t.params))
    return [writer.ask() for _ in range(leave_running)]


def test_loading_a_running_job_writes_nothing(tmp_path):
    path = str(tmp_path / "job.jnl")
    side = path + ".hpt-run"
    writer = hpt.Study(SPACE, "random", seed=3, journal=path)
    running = _run(writer, 12, leave_running=2)
    before = _stamp(path)
    st = hpt.load_study(path)
    trials = st.trials
    assert len(trials) == 14
    assert [t.state for t in trials] == [hpt.TrialState.COMPLETE] * 12 + \
        [hpt.TrialState.RUNNING] * 2, "the live writer's running trials were settled"
    for t in trials[:12]:
        assert t.value == _value(t.params)
    assert st.best_value == min(_value(t.params) for t in trials[:12])
    st.close()
    assert _stamp(path) == before, "the load wrote the journal"
    assert not os.path.exists(side), "the load wrote a history file"
    # The job goes on: its running trials end, more are asked; a second
    # load sees them, and still writes nothing.
    for t in running:
        writer.tell(t, _value(t.params))
    _run(writer, 3)
    before = _stamp(path)
    st = hpt.load_study(path)
    assert [t.state for t in st.trials] == [hpt.TrialState.COMPLETE] * 17
    st.close()
    assert _stamp(path) == before and not os.path.exists(side)
    writer.close()


def test_the_first_change_writes_the_history(tmp_path):
    """What a load took in is written with the loaded study's first change,
    and a later load of that storage reads it back, writing nothing."""
    path = str(tmp_path / "job.jnl")
    side = path + ".hpt-run"
    with hpt.Study(SPACE, "random", seed=4, journal=path) as writer:
        _run(writer, 6)
    st = hpt.load_study(path)
    assert not os.path.exists(side)
    st.set_user_attr("owner", "me")
    assert os.path.exists(side)
    t = st.ask()
    x, k, c = (t.suggest_float("x", -2.0, 2.0), t.suggest_int("k", 0, 7),
               t.suggest_categorical("c", ["a", "b"]))
    st.tell(t, _value({"x": x, "k": k, "c": c}))
    expect = [(tr.params, tr.value) for tr in st.trials]
    st.close()
    assert len(expect) == 7
    stamps = (_stamp(path), _stamp(side))
    again = hpt.load_study(path)
    assert [(tr.params, tr.value) for tr in again.trials] == expect
    assert again.user_attrs == {"owner": "me"}
    again.close()
    assert (_stamp(path), _stamp(side)) == stamps, "a load of the storage wrote"


def _load_and_write(path):
    st = hpt.load_study(path)
    st.set_user_attr("first", 1)
    st.close()


def test_a_storage_written_since_the_load_is_refused(tmp_path):
    """Two processes load one plain journal: the first to write becomes the
    history's writer; the other's first change is refused (load again), not
    numbered over it, and it reaches neither file."""
    path = str(tmp_path / "job.jnl")
    with hpt.Study(SPACE, "random", seed=5, journal=path) as writer:
        _run(writer, 4)
    b = hpt.load_study(path)
    p = multiprocessing.get_context("spawn").Process(target=_load_and_write, args=(path,))
    p.start()
    p.join(120)
    assert p.exitcode == 0
    stamps = (_stamp(path), _stamp(path + ".hpt-run"))
    with pytest.raises(hpt.JournalLocked, match="load it again"):
        b.ask()
    assert (_stamp(path), _stamp(path + ".hpt-run")) == stamps
    b.close()
    again = hpt.load_study(path)
    assert again.user_attrs == {"first": 1} and len(again.trials) == 4
    again.close()


def test_a_load_closes_no_writer_of_this_process(tmp_path):
    """A look at the job from the process that runs it (a notebook) leaves
    its hpt.Study working: the job's running trial is not given up."""
    path = str(tmp_path / "job.jnl")
    writer = hpt.Study(SPACE, "random", seed=6, journal=path)
    (t,) = _run(writer, 2, leave_running=1)
    st = hpt.load_study(path)
    assert st.trials[-1].state == hpt.TrialState.RUNNING
    st.close()
    writer.tell(t, _value(t.params))
    assert writer.trial(t.id).state == hpt.TrialState.COMPLETE
    writer.close()


def _hold_append_lock(path, held, done):
    """What a writer does for the length of its read-and-append: the
    journal's append lock (byte 1; a classic POSIX lock conflicts with the
    library's open-file-description locks)."""
    fd = os.open(path, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX, 1, 1)
    held.set()
    done.wait(60)
    os.close(fd)


def _load_count(path, out):
    st = hpt.load_study(path)
    out.put(len(st.trials))
    st.close()


def test_a_writer_holding_the_lock_does_not_stop_a_load(tmp_path):
    """A writer in the middle of its append, or one holding the journal
    exclusively: the load reads what is there without waiting or failing."""
    path = str(tmp_path / "job.jnl")
    with hpt.Study(SPACE, "random", seed=8, journal=path) as writer:
        _run(writer, 5)
    ctx = multiprocessing.get_context("spawn")
    held, done, out = ctx.Event(), ctx.Event(), ctx.Queue()
    holder = ctx.Process(target=_hold_append_lock, args=(path, held, done))
    holder.start()
    try:
        assert held.wait(60)
        loader = ctx.Process(target=_load_count, args=(path, out))
        loader.start()
        # Generous: a load that waits for the lock waits until done is set.
        assert out.get(timeout=30) == 5
        loader.join(30)
        assert loader.exitcode == 0
    finally:
        done.set()
        holder.join(60)
    with hpt.Study(SPACE, "random", seed=8, journal=path, exclusive=True) as excl:
        (t,) = _run(excl, 0, leave_running=1)
        st = hpt.load_study(path)
        assert len(st.trials) == 6 and st.trials[-1].state == hpt.TrialState.RUNNING
        st.close()
        excl.tell(t, _value(t.params))     # the exclusive writer was left working
        assert excl.trial(t.id).state == hpt.TrialState.COMPLETE
