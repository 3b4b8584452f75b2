"""Extending a finished journaled study from Python: Study(..., journal=j,
max_trials=N) with a larger N on a resumed study raises the limit and
continues the sequence of a study that had N from the start."""
import pytest

import hpt

SPACE = {"x": hpt.Float(-1.0, 1.0), "k": hpt.Int(0, 4), "c": hpt.Categorical(["a", "b"])}


def f(p):
    return (p["x"] - 0.3) ** 2 + 0.1 * p["k"] + (p["c"] == "b") * 0.05


def run_out(study):
    seen = []
    while (t := study.ask()) is not None:
        seen.append(dict(t.params))
        t.tell(f(t.params))
    return seen


@pytest.mark.parametrize("strategy", ["random", "bayes"])
def test_resumed_study_with_larger_max_trials_extends(tmp_path, strategy):
    j = tmp_path / "j.hptj"
    with hpt.Study(SPACE, strategy, seed=4, journal=j, max_trials=5) as s:
        first = run_out(s)
        assert len(first) == 5 and s.done_reason == "max_trials"
    with hpt.Study(SPACE, strategy, seed=4, journal=j, max_trials=15) as s:
        assert s.get_option("max_trials") == 15
        more = run_out(s)
    with hpt.Study(SPACE, strategy, seed=4, max_trials=15) as s:
        straight = run_out(s)
    assert first + more == straight and len(more) == 10
    # The raise was journaled; a smaller limit is refused.
    with hpt.Study(SPACE, strategy, seed=4, journal=j) as s:
        assert s.get_option("max_trials") == 15 and len(s) == 15
        assert s.ask() is None
    with pytest.raises(hpt.StageError, match="limits raised"):
        hpt.Study(SPACE, strategy, seed=4, journal=j, max_trials=8)
