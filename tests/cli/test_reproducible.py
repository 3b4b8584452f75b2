"""hpt-tune --reproducible with --parallel N: the same trials on every run,
whatever the trials' durations (train.py --jitter sleeps a random time per
epoch) and the order they end in -- parameters, budgets, parents, values
and the median pruner's decisions (hpt.h, "Reproducibility").

Run by tests/check_cli.sh with HPT_TUNE=<build>/hpt-tune; skipped when the
binary is missing."""
import os
import subprocess
from pathlib import Path

import pytest

from test_hpt_tune import BIN, PY, REPORT, TRAIN, trials

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)


def tune(tmp_path, name, parallel, extra=(), strategy="bayes", n=24):
    d = tmp_path / name
    d.mkdir()
    r = subprocess.run(
        [BIN, "--float", "lr=1e-5:1e-1:log", "--int", "layers=1:4",
         "--cat", "act=relu,tanh,sigmoid", "--strategy", strategy, "--seed", "3",
         "--max-trials", str(n), "--parallel", str(parallel), "--pruner", "median",
         "--option", "pruner.warmup_trials=3", "--report-metric", REPORT, "--digits", "0",
         "--journal", "j.hptj", *extra,
         "--", PY, TRAIN, "--lr", "{lr}", "--layers", "{layers}", "--act", "{act}",
         "--epochs", "3", "--jitter", "0.03"],
        cwd=d, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert sorted(t) == list(range(n))
    for x in t.values():
        del x["secs"]
    return t, r


@pytest.mark.parametrize("strategy,parallel",
                         [("bayes", 1), ("bayes", 2), ("bayes", 4), ("hyperband", 4)])
def test_same_trials_every_run(tmp_path, strategy, parallel):
    """--reproducible --parallel N (q = N): two runs agree."""
    a, _ = tune(tmp_path, "a", parallel, ["--reproducible"], strategy)
    b, _ = tune(tmp_path, "b", parallel, ["--reproducible"], strategy)
    assert a == b
    assert any(x["state"] == "pruned" for x in a.values()) or strategy == "hyperband"


@pytest.mark.parametrize("parallel", [1, 2, 4])
def test_any_parallel_same_trials(tmp_path, parallel):
    """With q pinned (--option parallel.reproducible=4), 1, 2 and 4 slots
    give one trial list; --reproducible --parallel 4 is that same q."""
    want, _ = tune(tmp_path, "ref", 4, ["--reproducible"])
    got, _ = tune(tmp_path, "p%d" % parallel, parallel,
                  ["--option", "parallel.reproducible=4"])
    assert got == want


def test_spec_keeps_the_flag(tmp_path):
    _, r = tune(tmp_path, "s", 2, ["--reproducible"], n=4)
    spec = (tmp_path / "s" / "j.hptj.d" / "job.spec").read_text()
    assert "\nreproducible\n" in spec
    r = subprocess.run([BIN, "--resume", "j.hptj", "--max-trials", "6"], cwd=tmp_path / "s",
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(trials(r.stdout)) == [4, 5]
