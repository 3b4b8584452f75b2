"""hpt.visualization: every plot with both backends on single-objective,
pruned, Hyperband, conditional and multi-objective studies; what is drawn
is counted against what the studies hold."""
import importlib.util
import itertools
import math
import random

import pytest

import hpt
import hpt.visualization as vis
from hpt.visualization import StudyData, TrialData, Param

HAVE = {b: importlib.util.find_spec(b) is not None for b in vis.BACKENDS}
BACKENDS = [pytest.param(b, marks=pytest.mark.skipif(not HAVE[b], reason="%s missing" % b))
            for b in vis.BACKENDS]

SPACE = {"x": hpt.Float(1e-3, 1.0, log=True), "n": hpt.Int(1, 9),
         "c": hpt.Categorical(["a", "b", "c"])}
OFFSET = {"a": 0.0, "b": 0.5, "c": 1.0}


def objective(p):
    return (math.log10(p["x"]) + 1.5) ** 2 + 0.1 * p["n"] + OFFSET[p["c"]]


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    s = hpt.Study(SPACE, strategy="sobol", seed=1, max_trials=30)
    while (t := s.ask()) is not None:
        t.tell(objective(t.params))
    return s


@pytest.fixture(scope="module")
def pruned(tmp_path_factory):
    """Reports, pruned trials (median rule) and two failures, journaled."""
    path = tmp_path_factory.mktemp("viz") / "pruned.hptj"
    s = hpt.Study(SPACE, strategy="random", seed=2, max_trials=30, pruner="median",
                  pruner__warmup_trials=3, journal=path)
    k = 0
    while (t := s.ask()) is not None:
        k += 1
        if k in (4, 11):
            t.tell_failed("CUDA out of memory" if k == 4 else "NaN loss")
            continue
        f = objective(t.params)
        stopped = False
        for step in range(1, 6):
            if t.report(step, f + 1.0 / step):
                stopped = True
                break
        if stopped:
            t.prune()
        else:
            t.tell(f + 0.2)
    assert s.trials and any(x.state == hpt.TrialState.PRUNED for x in s.trials)
    return s


@pytest.fixture(scope="module")
def hyperband(tmp_path_factory):
    path = tmp_path_factory.mktemp("viz") / "hb.hptj"
    s = hpt.Study(SPACE, strategy="hyperband", seed=3, max_trials=45, journal=path,
                  hyperband__max_resource=9, hyperband__sampler="random")
    while (t := s.ask()) is not None:
        f = objective(t.params)
        for e in range(1, int(t.budget) + 1):
            t.report(e, f + 1.0 / e)
        t.tell(f + 1.0 / t.budget)
    return s


@pytest.fixture(scope="module")
def conditional():
    """A hand-built study with a conditional parameter: "momentum" exists
    only for optimizer "sgd" (None elsewhere)."""
    params = [Param("opt", "categorical", 0, 1, choices=("adam", "sgd")),
              Param("lr", "float", 1e-4, 1e-1, "log"),
              Param("momentum", "float", 0.0, 0.99)]
    rnd = random.Random(5)
    trials = []
    for i in range(40):
        opt = rnd.choice(["adam", "sgd"])
        lr = 10 ** rnd.uniform(-4, -1)
        mom = rnd.uniform(0, 0.99) if opt == "sgd" else None
        v = (math.log10(lr) + 2.5) ** 2 + (0 if mom is None else (mom - 0.9) ** 2)
        trials.append(TrialData(i, "complete", {"opt": opt, "lr": lr, "momentum": mom}, v,
                                start=i * 1.0, end=i * 1.0 + 0.8))
    imp = {"opt": (0.1, 0.2), "lr": (0.6, 0.7), "momentum": (0.05, 0.2)}
    return StudyData(params, trials, "random", importance=imp)


def _n_traces(fig, backend):
    return len(fig.data) if backend == "plotly" else None


def _states(study, state):
    return [t for t in study.trials if t.state == state]


# ---- optimization history ------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_history_marks_pruned_and_failed(pruned, backend):
    fig = vis.plot_optimization_history(pruned, backend=backend)
    pr = [t.id for t in _states(pruned, hpt.TrialState.PRUNED)]
    fa = [t.id for t in _states(pruned, hpt.TrialState.FAILED)]
    co = [t.id for t in _states(pruned, hpt.TrialState.COMPLETE)]
    assert pr and len(fa) == 2
    if backend == "plotly":
        by = {tr.name: tr for tr in fig.data}
        assert len(fig.data) == 4     # complete, pruned, failed, best so far
        assert list(by["complete"].x) == co
        assert list(by["pruned (last report)"].x) == pr
        assert list(by["failed (no value)"].x) == fa
        assert "CUDA out of memory" in " ".join(by["failed (no value)"].text)
        assert by["best so far"].y[-1] == pytest.approx(pruned.best_value)
    else:
        ax, = fig.axes
        offsets = [c.get_offsets() for c in ax.collections]
        assert [len(o) for o in offsets] == [len(co), len(pr), len(fa)]
        assert [int(x) for x, _ in offsets[1]] == pr
        assert ax.lines[-1].get_ydata()[-1] == pytest.approx(pruned.best_value)


@pytest.mark.skipif(not HAVE["matplotlib"], reason="matplotlib missing")
def test_study_plot_history_shows_pruned_and_failed(pruned):
    """Study.plot_history left pruned trials out while its title counted them."""
    ax = pruned.plot_history().axes[0]
    pr = [t.id for t in _states(pruned, hpt.TrialState.PRUNED)]
    fa = [t.id for t in _states(pruned, hpt.TrialState.FAILED)]
    shown = [[int(x) for x, _ in c.get_offsets()] for c in ax.collections]
    assert shown == [pr, fa]
    n_marked = len(ax.lines[0].get_xdata()) + len(pr) + len(fa)
    assert n_marked == len(pruned) == int(ax.get_title().split(", ")[1].split()[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_history_single_and_hyperband(single, hyperband, backend):
    fig = vis.plot_optimization_history(single, backend=backend)
    if backend == "plotly":
        assert [tr.name for tr in fig.data] == ["complete", "best so far"]
        assert len(fig.data[0].x) == 30
    else:
        assert len(fig.axes) == 1 and len(fig.axes[0].collections) == 1
    fig = vis.plot_optimization_history(hyperband, backend=backend)
    if backend == "plotly":
        best = [tr for tr in fig.data if tr.name.startswith("best so far")]
        assert best[0].name == "best so far (budget 9)"
        assert best[0].y[-1] == pytest.approx(hyperband.best_value)


# ---- slice, parallel coordinates, contour ----------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("which", ["single", "pruned", "hyperband"])
def test_slice_parallel_contour(request, which, backend):
    study = request.getfixturevalue(which)
    n_done = len(_states(study, hpt.TrialState.COMPLETE))
    fig = vis.plot_slice(study, backend=backend)
    if backend == "plotly":
        assert len(fig.data) == 3 and all(len(tr.x) == n_done for tr in fig.data)
        # the categorical axis shows the labels
        assert list(fig.layout.xaxis3.ticktext) == ["a", "b", "c"]
    else:
        assert len(fig.axes) == 3
        assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == ["a", "b", "c"]
    fig = vis.plot_parallel_coordinate(study, backend=backend)
    if backend == "plotly":
        assert len(fig.data) == 1 and len(fig.data[0].dimensions) == 4
        assert len(fig.data[0].dimensions[3]["values"]) == n_done
    else:
        assert len(fig.axes) == 1 and len(fig.axes[0].lines) == n_done + 4  # + axis rules
    fig = vis.plot_contour(study, backend=backend)
    if backend == "plotly":
        kinds = [tr.type for tr in fig.data]
        assert kinds.count("scatter") == 3 and kinds.count("contour") == 3
    else:
        assert len(fig.axes) == 3
    fig = vis.plot_contour(study, params=["x", "n"], backend=backend)
    assert (len(fig.data) == 2) if backend == "plotly" else (len(fig.axes) == 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_conditional_parameter(conditional, backend):
    n_sgd = sum(t.params["opt"] == "sgd" for t in conditional.trials)
    fig = vis.plot_slice(conditional, backend=backend)
    if backend == "plotly":
        assert [len(tr.x) for tr in fig.data] == [40, 40, n_sgd]
    else:
        assert [len(ax.collections[0].get_offsets()) for ax in fig.axes] == [40, 40, n_sgd]
    fig = vis.plot_contour(conditional, backend=backend)
    if backend == "plotly":
        pts = [tr for tr in fig.data if tr.type == "scatter"]
        assert [len(tr.x) for tr in pts] == [40, n_sgd, n_sgd]
    else:
        assert len(fig.axes) == 3
    fig = vis.plot_parallel_coordinate(conditional, backend=backend)
    if backend == "plotly":
        mom = fig.data[0].dimensions[2]["values"]
        assert sum(math.isnan(v) for v in mom) == 40 - n_sgd
    fig = vis.plot_param_importances(conditional, backend=backend)
    fig = vis.plot_timeline(conditional, backend=backend)
    if backend == "plotly":
        assert len(fig.data) == 1 and set(fig.data[0].y) == {0}   # one after the other


# ---- importance --------------------------------------------------------------------------

def test_importance_from_study_and_journal(pruned):
    live = vis.importance(vis.load(pruned))
    from_file = vis.importance(vis.read_journal(pruned.journal))
    assert set(live) == {"x", "n", "c"}
    for k in live:
        assert live[k] == pytest.approx(from_file[k])
        assert 0 <= live[k][0] <= live[k][1] + 0.02 <= 1.02


def test_importance_finds_the_irrelevant_parameter():
    # y depends on a and b only; "noise" is a parameter it ignores
    s = hpt.Study({"a": hpt.Float(0, 1), "b": hpt.Float(0, 1), "noise": hpt.Int(0, 100)},
                  strategy="random", seed=4, max_trials=40)
    while (t := s.ask()) is not None:
        t.tell(3 * t.params["a"] + math.sin(6 * t.params["b"]))
    imp = vis.importance(vis.load(s))
    assert imp["noise"][1] < 0.03
    assert imp["a"][0] > 0.2 and imp["b"][0] > 0.2


@pytest.mark.parametrize("backend", BACKENDS)
def test_importance_plot(hyperband, backend):
    imp = vis.importance(vis.load(hyperband))
    fig = vis.plot_param_importances(hyperband, backend=backend)
    order = sorted(imp, key=lambda k: (imp[k][1], imp[k][0]))
    # the title names the trials modelled: the largest budget with >= 8
    done = [t for t in hyperband.trials if t.state == hpt.TrialState.COMPLETE]
    b = max(x.budget for x in done if sum(y.budget == x.budget for y in done) >= 8)
    n = sum(t.budget == b for t in done)
    title = "of the %d complete trials at budget %g" % (n, b)
    if backend == "plotly":
        assert title in fig.layout.title.text
        assert [tr.name for tr in fig.data] == ["total", "first-order"]
        assert list(fig.data[1].x) == pytest.approx([imp[k][0] for k in order])
        assert list(fig.layout.yaxis.ticktext) == order
    else:
        ax, = fig.axes
        assert len(ax.patches) == 2 * 3


def test_importance_needs_trials():
    s = hpt.Study(SPACE, strategy="random", max_trials=3)
    while (t := s.ask()) is not None:
        t.tell(1.0 + t.id)
    with pytest.raises(hpt.TrialStateError, match="at least 8"):
        vis.importance(vis.load(s))


# ---- intermediate values, EDF, timeline, Hyperband -----------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_intermediate_values(pruned, single, backend):
    with_reports = [t for t in pruned.trials if t.reports]
    n_pruned = sum(t.state == hpt.TrialState.PRUNED for t in with_reports)
    fig = vis.plot_intermediate_values(pruned, backend=backend)
    if backend == "plotly":
        assert len(fig.data) == len(with_reports)
        dotted = [tr for tr in fig.data if tr.line.dash == "dot"]
        assert len(dotted) == n_pruned
        assert list(fig.data[0].y) == [v for _, v in with_reports[0].reports]
    else:
        assert len(fig.axes[0].lines) == len(with_reports)
        assert sum(ln.get_linestyle() == ":" for ln in fig.axes[0].lines) == n_pruned
    fig = vis.plot_intermediate_values(single, backend=backend)   # no reports: empty
    assert (len(fig.data) == 0) if backend == "plotly" else not fig.axes[0].lines


@pytest.mark.parametrize("backend", BACKENDS)
def test_edf(single, pruned, backend):
    fig = vis.plot_edf([single, pruned], names=["sobol", "random"], backend=backend)
    if backend == "plotly":
        assert [tr.name for tr in fig.data] == ["sobol", "random"]
        assert list(fig.data[0].x) == sorted(t.value for t in single.trials)
        assert fig.data[0].y[-1] == 1.0
    else:
        assert len(fig.axes[0].lines) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeline(pruned, single, backend):
    fig = vis.plot_timeline(pruned, backend=backend)
    states = {t.state.name.lower() for t in pruned.trials}
    if backend == "plotly":
        assert sorted(tr.name for tr in fig.data) == sorted(states)
        assert sum(len(tr.x) for tr in fig.data) == len(pruned.trials)
    else:
        assert len(fig.axes[0].patches) == len(pruned.trials)
    with pytest.raises(ValueError, match="journal"):
        vis.plot_timeline(single, backend=backend)     # no journal: no times


def test_timeline_shows_parallel_slots(tmp_path):
    s = hpt.Study(SPACE, strategy="random", max_trials=10, journal=tmp_path / "p.hptj")
    a, b = s.ask(), s.ask()          # two at once
    a.tell(1.0)
    b.tell(2.0)
    fig = vis.plot_timeline(s, backend="plotly" if HAVE["plotly"] else "matplotlib")
    sd = vis.load(s)
    assert sd.trials[0].start <= sd.trials[1].start <= sd.trials[0].end
    if HAVE["plotly"]:
        assert sorted(fig.data[0].y) == [0, 1]
        assert "2 parallel slots" in fig.layout.title.text


def test_timeline_of_sequential_trials_has_one_slot(tmp_path):
    """Fast trials share their millisecond: the journal's order decides."""
    s = hpt.Study(SPACE, strategy="random", max_trials=20, journal=tmp_path / "q.hptj")
    while (t := s.ask()) is not None:
        t.tell(1.0)
    assert vis._plots.timeline(s).title.endswith("on 1 parallel slot")
    # the same journal with every time in one millisecond (checksums redone)
    import zlib
    out = []
    for line in open(s.journal, "rb").read().splitlines():
        f = line.rsplit(b" ", 1)[0].split(b" ")
        if f[0] in (b"ask", b"report", b"tell", b"fail", b"prune"):
            f[2] = b"0"
        body = b" ".join(f)
        out.append(body + b" %08x\n" % zlib.crc32(body))
    tied = tmp_path / "tied.hptj"
    tied.write_bytes(b"".join(out))
    sd = vis.read_journal(tied)
    assert {t.start for t in sd.trials} == {0.0} and len(sd.trials) == 20
    assert vis._plots.timeline(sd).title.endswith("on 1 parallel slot")


@pytest.mark.parametrize("backend", BACKENDS)
def test_hyperband_rungs(hyperband, single, backend):
    trials = hyperband.trials
    promotions = [t for t in trials if t.parent is not None]
    budgets = sorted({t.budget for t in trials})
    assert promotions and budgets == [1.0, 3.0, 9.0]
    fig = vis.plot_hyperband(hyperband, backend=backend)
    if backend == "plotly":
        by = {tr.name: tr for tr in fig.data}
        assert sorted(set(by["complete"].x)) == budgets
        assert len([x for x in by["promotion"].x if x is None]) == len(promotions)
    else:
        ax, = fig.axes
        assert len(ax.collections[-1].get_segments()) == len(promotions)
    with pytest.raises(ValueError, match="budgets"):
        vis.plot_hyperband(single, backend=backend)


# ---- Pareto front ------------------------------------------------------------------------

def _front_points():
    """16 points on the front x + y = 1 and 24 strictly behind it."""
    rnd = random.Random(9)
    front = [(i / 15, 1 - i / 15) for i in range(16)]
    behind = [(u, 1 - u + rnd.uniform(0.05, 0.5)) for u in (rnd.random() for _ in range(24))]
    return front, behind


def test_pareto_mask():
    front, behind = _front_points()
    pts = behind[:12] + front + behind[12:]
    mask = vis.pareto_mask(pts, ("minimize", "minimize"))
    assert [p for p, m in zip(pts, mask) if m] == front
    # maximizing the second objective flips which points survive
    mask = vis.pareto_mask([(0, 0), (1, 1), (0, 1)], ("minimize", "maximize"))
    assert mask == [False, False, True]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pareto_front_2d_and_3d(backend):
    front, behind = _front_points()
    fig = vis.plot_pareto_front(front + behind, names=["error", "latency"], backend=backend)
    if backend == "plotly":
        by = {tr.name: tr for tr in fig.data}
        assert len(by["Pareto front"].x) == 16 and len(by["dominated"].x) == 24
        assert fig.layout.xaxis.title.text == "error"
    else:
        ax, = fig.axes
        assert [len(c.get_offsets()) for c in ax.collections] == [24, 16]
    rnd = random.Random(3)
    pts3 = [(rnd.random(), rnd.random(), rnd.random()) for _ in range(30)]
    want = sum(vis.pareto_mask(pts3, ("minimize",) * 3))
    fig = vis.plot_pareto_front(pts3, backend=backend)
    if backend == "plotly":
        assert {tr.type for tr in fig.data} == {"scatter3d"}
        assert sum(len(tr.x) for tr in fig.data if tr.name == "Pareto front") == want
    else:
        ax, = fig.axes
        assert ax.name == "3d"
    with pytest.raises(ValueError):
        vis.plot_pareto_front([(1, 2, 3, 4)], backend=backend)


def test_pareto_from_study_data():
    front, behind = _front_points()
    trials = [TrialData(i, "complete", {"x": 0.0}, v) for i, v in enumerate(front + behind)]
    sd = StudyData([Param("x", "float", 0, 1)], trials, directions=("minimize", "minimize"))
    fig = vis._plots.pareto(sd)
    assert len(fig.panels[0].series[1].x) == 16


# ---- data, backends ------------------------------------------------------------------------

def test_journal_reader_matches_the_study(pruned):
    sd = vis.read_journal(pruned.journal)
    assert len(sd.trials) == len(pruned)
    for a, b in zip(sd.trials, pruned.trials):
        assert a.state == b.state.name.lower()
        assert a.params == b.params
        assert a.value == b.value
        assert a.reports == list(b.reports)
        assert a.fail_reason == b.fail_reason
        assert a.start is not None and a.end >= a.start
    assert sd.options["pruner"] == "median" and sd.options["max_trials"] == 30
    assert sd.best_trial().id == pruned.best_trial.id


def test_journal_reader_ignores_a_torn_last_line(pruned, tmp_path):
    data = open(pruned.journal, "rb").read()
    p = tmp_path / "torn.hptj"
    p.write_bytes(data + b"tell 99 5 1.0 deadbeef")       # no newline: torn
    assert len(vis.read_journal(p).trials) == len(pruned)
    bad = data.split(b"\n")
    bad[8] = bad[8][:-1] + b"0"
    p.write_bytes(b"\n".join(bad))
    with pytest.raises(ValueError, match="line 9"):
        vis.read_journal(p)


def test_missing_backend_says_what_to_install(single, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "plotly", None)        # import plotly fails
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(vis.BackendMissing, match="apt install python3-plotly"):
        vis.plot_slice(single, backend="plotly")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(ImportError, match="python3-matplotlib"):
        vis.plot_slice(single, backend="matplotlib")
    with pytest.raises(ValueError, match="backend"):
        vis.plot_slice(single, backend="bokeh")


@pytest.mark.skipif(not HAVE["matplotlib"], reason="matplotlib missing")
def test_every_plot_draws_both_ways(hyperband):
    """The backends get one spec: same number of panels per figure."""
    if not HAVE["plotly"]:
        pytest.skip("plotly missing")
    for fn in (vis.plot_slice, vis.plot_contour):
        p, m = fn(hyperband, backend="plotly"), fn(hyperband, backend="matplotlib")
        titled = [a for a in p.layout.annotations]       # one subplot title per panel
        assert len(titled) == len(m.axes)
    assert list(itertools.chain(vis.available_backends())) == [b for b in vis.BACKENDS
                                                              if HAVE[b]]


# ---- the define-by-run front end (hpt.create_study) ------------------------------------

@pytest.mark.skipif(not HAVE["matplotlib"], reason="matplotlib missing")
def test_plots_and_report_of_a_create_study_study():
    """hpt.create_study's study (the other branch's front end) is plotted
    and reported like an hpt.Study: its own trials, states and reports."""
    from hpt import report

    def obj(trial):
        x = trial.suggest_float("x", 1e-3, 1.0, log=True)
        c = trial.suggest_categorical("c", ["a", "b"])
        f = (math.log10(x) + 1.5) ** 2 + OFFSET[c]
        for step in range(1, 4):
            trial.report(f + 1.0 / step, step)
        if trial.number % 5 == 4:
            raise hpt.TrialPruned()
        return f

    st = hpt.create_study(strategy="random", seed=3)
    st.optimize(obj, n_trials=15)
    co = [t.number for t in st.trials if t.state == hpt.TrialState.COMPLETE]
    pr = [t.number for t in st.trials if t.state == hpt.TrialState.PRUNED]
    assert len(co) == 12 and len(pr) == 3
    ax, = vis.plot_optimization_history(st, backend="matplotlib").axes
    shown = [[int(x) for x, _ in c.get_offsets()] for c in ax.collections]
    assert shown == [co, pr]
    assert ax.lines[-1].get_ydata()[-1] == pytest.approx(st.best_value)
    ax, = vis.plot_intermediate_values(st, backend="matplotlib").axes
    assert len(ax.lines) == 15
    fig = vis.plot_slice(st, backend="matplotlib")
    assert [a.get_xlabel() for a in fig.axes] == ["x", "c"]
    html = report.render(st)
    assert "<b>12</b>complete" in html and "<b>3</b>pruned" in html
