"""The protocol's score on hand-computed runs, and a real quick run.
Run by tests/check_bench_sklearn.sh."""
import math
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def _run(case, method, seed, cv, batch=2):
    return {"case": case, "method": method, "seed": seed, "rounds": len(cv) // batch,
            "batch": batch, "cv": cv, "test": cv, "optimizer_seconds": 0.0}


def test_normalized_losses_by_hand():
    c = ["DT", "iris", "acc"]
    runs = [_run(c, "hpt-random", 0, [4.0, 3.0, 2.0, 5.0]),
            _run(c, "hpt-random", 1, [6.0, 8.0, 7.0, 9.0]),
            _run(c, "m", 0, [1.0, 9.0, 0.0, 9.0]),
            _run(c, "m", 1, [30.0, math.inf, 20.0, 10.0])]
    norm = run.normalize(runs)[("DT", "iris", "acc")]
    # best = 0 (m, seed 0), clip = median of random's 8 losses = (5 + 6) / 2
    clip = 5.5
    assert norm["hpt-random"][0] == [3.0 / clip, 2.0 / clip]
    assert norm["hpt-random"][1] == [1.0, 1.0]  # 6 / 5.5, clipped at 1
    assert norm["m"][0] == [1.0 / clip, 0.0]
    assert norm["m"][1] == [1.0, 1.0]  # clipped at 1
    s = run.score({("DT", "iris", "acc"): norm}, "m")
    assert s == pytest.approx(100 * (1 - (0.0 + 1.0) / 2))


def test_constant_case_scores_everyone_100():
    c = ["kNN", "iris", "acc"]
    runs = [_run(c, "hpt-random", 0, [1.0, 1.0]), _run(c, "m", 0, [1.0, 1.0])]
    norm = run.normalize(runs)
    assert run.score(norm, "m") == 100.0 and run.score(norm, "hpt-random") == 100.0


def test_bootstrap_interval_contains_the_score():
    c1, c2 = ["DT", "iris", "acc"], ["DT", "wine", "acc"]
    runs = []
    for s in range(5):
        for c in (c1, c2):
            runs.append(_run(c, "hpt-random", s, [5.0 + s, 6.0, 4.0 + s, 7.0]))
            runs.append(_run(c, "m", s, [3.0 - 0.5 * s, 6.0, 2.0, 7.0]))
    norm = run.normalize(runs)
    draws = run.bootstrap(norm, ["m", "hpt-random"], n=400)
    for m in ("m", "hpt-random"):
        lo, hi = run.interval(draws[m])
        assert lo <= run.score(norm, m) <= hi
    assert min(x - y for x, y in zip(draws["m"], draws["hpt-random"])) > 0


def test_quick_run(tmp_path):
    if os.environ.get("HPT_LIBRARY") is None:
        pytest.skip("HPT_LIBRARY not set")
    pytest.importorskip("sklearn")
    assert run.main(["--quick", "--out", str(tmp_path), "--methods",
                     "hpt-bayes,hpt-random,optuna-tpe"]) == 0
    text = (tmp_path / "score.md").read_text()
    rows = [l for l in text.splitlines() if l.startswith("| hpt-") or l.startswith("| optuna")]
    assert len(rows) >= 2
    for l in rows[:2]:
        assert -100.0 <= float(l.split("|")[2]) <= 100.0
    lines = (tmp_path / "runs-quick.jsonl").read_text().splitlines()
    assert len(lines) >= 2 * 6  # 6 test cases, at least the two hpt methods


def test_runs_record_what_made_them(tmp_path):
    db = tmp_path / "runs.jsonl"
    c = ["DT", "iris", "acc"]
    runs = []
    run._collect(iter([_run(c, "hpt-random", 0, [2.0, 1.0]), _run(c, "m", 0, [3.0, 0.5])]),
                 db, runs, 2, 0.0)
    back = run.load(db)
    assert [r["method"] for r in back] == ["hpt-random", "m"]
    for r in back:
        assert set(r) >= {"lib", "commit", "cpu"}
        if (run.HERE.parent.parent / ".git").exists():  # a git checkout, not a tarball
            assert len(r["lib"]) >= 7 and len(r["commit"]) >= 7
    text = run.report(back, tmp_path, ["hpt-random", "m"])
    assert f"lib/ tree {back[0]['lib'] or 'unrecorded'} (commit " in text


def test_runs_of_another_library_are_not_pooled(tmp_path):
    c = ["DT", "iris", "acc"]
    r = _run(c, "hpt-random", 0, [2.0, 1.0])
    r["lib"] = "0000000"
    (tmp_path / "runs.jsonl").write_text(run.json.dumps(r) + "\n")
    with pytest.raises(SystemExit) as e:
        run.main(["--out", str(tmp_path), "--methods", "hpt-random", "--models", "DT",
                  "--datasets", "iris", "--metrics", "acc", "--repeats", "1"])
    assert "another libhpt" in str(e.value) and "0000000" in str(e.value)


def test_variant_sets_its_option():
    """hpt-bayes-warp is bayes with bayes.warp=1; the default set is unchanged."""
    pytest.importorskip("hpt")
    import optimizers
    space = {"C": ("real", "log", 1e-2, 1e2), "k": ("int", "linear", 1, 9)}
    o = optimizers.make("hpt-bayes-warp", space, 0, 16)
    assert o.study.get_option("bayes.warp") == 1
    assert optimizers.make("hpt-bayes", space, 0, 16).study.get_option("bayes.warp") == 0
    assert optimizers.available("hpt-bayes-warp") is None
    assert "hpt-bayes-warp" not in optimizers.METHODS
