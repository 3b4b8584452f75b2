"""to_csv, to_dataframe and plot_history."""
import csv

import pytest

import hpt


@pytest.fixture
def study():
    s = hpt.Study({"lr": hpt.Float(1e-4, 1, log=True), "act": hpt.Categorical(["relu", None])},
                  "sobol", seed=3)
    for i in range(6):
        t = s.ask()
        if i == 2:
            t.tell_failed("nan loss, epoch 3")
        elif i == 4:
            t.report(1, 0.9)
            t.prune()
        else:
            t.tell(t.params["lr"] * 10 + i)
    s.ask()   # one still running
    return s


def test_to_csv(study, tmp_path):
    path = study.to_csv(tmp_path / "trials.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "state", "value", "budget", "parent", "params_lr",
                             "params_act", "n_reports", "fail_reason", "asked_at",
                             "finished_at", "duration"]
    assert [r["state"] for r in rows] == ["complete", "complete", "failed", "complete",
                                          "pruned", "complete", "running"]
    trials = study.trials
    for r, t in zip(rows, trials):
        assert int(r["id"]) == t.id
        assert float(r["params_lr"]) == t.params["lr"]   # repr round-trips exactly
        assert r["params_act"] == {"relu": "relu", None: "None"}[t.params["act"]]
        assert (r["value"] == "") == (t.value is None)
        if t.value is not None:
            assert float(r["value"]) == t.value
        assert r["parent"] == ""
    assert rows[2]["fail_reason"] == "nan loss, epoch 3"
    assert rows[4]["n_reports"] == "1" and float(rows[4]["value"]) == 0.9


def test_to_dataframe(study):
    pd = pytest.importorskip("pandas")
    df = study.to_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 7
    assert df["params_act"].tolist() == [t.params["act"] for t in study.trials]
    best = df[df.state == "complete"].value.idxmin()
    assert df.loc[best, "id"] == study.best_trial.id


def test_plot_history(study, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib
    backend = matplotlib.get_backend()
    path = tmp_path / "history.png"
    fig = study.plot_history(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ax = fig.axes[0]
    line = ax.lines[1]   # the best-so-far step curve
    ys = list(line.get_ydata())
    assert ys == sorted(ys, reverse=True) and ys[-1] == study.best_value
    assert matplotlib.get_backend() == backend   # the global backend is untouched
    assert study.plot_history() is not None
