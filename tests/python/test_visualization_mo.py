"""The Pareto plots and the report on real studies of several objectives
and constraints (told through the library, read back from the study and
from its journal), and a conditional study's journal read as the plots see
it."""
import importlib.util
import math

import pytest

import hpt
import hpt.report
import hpt.visualization as vis

HAVE = {b: importlib.util.find_spec(b) is not None for b in vis.BACKENDS}
BACKENDS = [pytest.param(b, marks=pytest.mark.skipif(not HAVE[b], reason="%s missing" % b))
            for b in vis.BACKENDS]
SPACE = {"x": hpt.Float(0.0, 1.0), "y": hpt.Float(0.0, 1.0), "z": hpt.Float(0.0, 1.0)}


def zdt1(p):
    g = 1 + 9 * (p["y"] + p["z"]) / 2
    return p["x"], g * (1 - math.sqrt(p["x"] / g))


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Two objectives and one constraint (x <= 0.7), bayes, journaled."""
    path = tmp_path_factory.mktemp("mo") / "two.hptj"
    s = hpt.Study(SPACE, "bayes", seed=4, directions=["minimize", "minimize"],
                  constraints=1, constraints_func=lambda t: [t.params["x"] - 0.7],
                  max_trials=30, journal=path)
    s.optimize(lambda t: zdt1(t.params))
    return s


@pytest.fixture(scope="module")
def three():
    s = hpt.Study(SPACE, "random", seed=1, directions=["minimize", "minimize", "maximize"],
                  max_trials=40)
    s.optimize(lambda t: (t.params["x"], t.params["y"], t.params["x"] + t.params["z"]))
    return s


def _front_ids(study):
    return sorted(t.id for t in study.best_trials)


@pytest.mark.parametrize("source", ["study", "journal"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_pareto_plot_of_a_constrained_two_objective_study(two, backend, source):
    front = _front_ids(two)
    infeasible = [t.id for t in two.trials if not t.feasible]
    assert front and infeasible          # the plot has both kinds to tell apart
    fig = vis.plot_pareto_front(two if source == "study" else two.journal, backend=backend)
    if backend == "plotly":
        by = {tr.name: tr for tr in fig.data if tr.mode == "markers"}
        got = sorted(int(t.split()[1]) for t in by["Pareto front"].text)
        assert got == front
        assert len(by["dominated"].x) == len(two.trials) - len(front)
        assert set(int(t.split()[1]) for t in by["dominated"].text) >= set(infeasible)
    else:
        ax, = fig.axes
        sizes = sorted(len(c.get_offsets()) for c in ax.collections)
        assert sizes == sorted([len(front), len(two.trials) - len(front)])
    # the values drawn are those the library holds
    sd = vis.load(two if source == "study" else two.journal)
    assert sd.directions == ("minimize", "minimize")
    for a, b in zip(sd.trials, two.trials):
        assert a.value == tuple(b.values) and a.feasible == b.feasible
        assert a.constraints == b.constraints


@pytest.mark.parametrize("backend", BACKENDS)
def test_pareto_plot_of_a_three_objective_study_is_3d(three, backend):
    front = _front_ids(three)
    fig = vis.plot_pareto_front(three, backend=backend)
    if backend == "plotly":
        assert {tr.type for tr in fig.data} == {"scatter3d"}
        assert sum(len(tr.x) for tr in fig.data if tr.name == "Pareto front") == len(front)
    else:
        ax, = fig.axes
        assert ax.name == "3d"


@pytest.mark.parametrize("backend", BACKENDS)
def test_pareto_plot_of_a_define_by_run_study(backend):
    s = hpt.create_study(directions=["minimize", "minimize"], seed=2)
    s.optimize(lambda t: zdt1({k: t.suggest_float(k, 0.0, 1.0) for k in "xyz"}), n_trials=20)
    fig = vis.plot_pareto_front(s, backend=backend)
    n_front = len(s.best_trials)
    if backend == "plotly":
        assert sum(len(tr.x) for tr in fig.data
                   if tr.name == "Pareto front" and tr.mode == "markers") == n_front
    else:
        ax, = fig.axes
        assert sorted(len(c.get_offsets()) for c in ax.collections) == sorted(
            [n_front, 20 - n_front])


def test_the_report_of_a_multi_objective_journal_shows_its_front(two, tmp_path):
    out = tmp_path / "two.html"
    hpt.report.write(two.journal, out)
    html = out.read_text()
    assert "Pareto front" in html
    row = html.split("<th>Pareto front</th><td>", 1)[1].split("</td>", 1)[0]
    assert row.startswith("%d trials: " % len(two.best_trials))
    listed = sorted(int(part.split(" (")[0]) for part in row.split(": ", 1)[1].split("), "))
    assert listed == _front_ids(two)
    assert "http://" not in html and "https://" not in html


def test_a_conditional_journal_is_read_with_its_inactive_parameters_left_out(tmp_path):
    path = tmp_path / "cond.hptj"
    space = {"opt": hpt.Categorical(["sgd", "adam"]),
             "momentum": hpt.Float(0.0, 0.9, when={"opt": "sgd"}),
             "layers": hpt.Int(1, 4), "units3": hpt.Int(8, 64, when={"layers": (3, None)})}
    with hpt.Study(space, "random", seed=0, journal=path, max_trials=20) as s:
        s.optimize(lambda t: t.params["layers"] + t.params.get("momentum", 0.0))
        want = [t.params for t in s.trials]
    sd = vis.read_journal(path)
    assert [t.params for t in sd.trials] == want
