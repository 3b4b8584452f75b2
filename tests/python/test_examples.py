"""The examples in examples/python run end to end with small budgets."""
import subprocess
import sys

import pytest

import hpt

pytest.importorskip("sklearn")


def run_example(root, env, name, *args):
    r = subprocess.run([sys.executable, str(root / "examples" / "python" / name), *args],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_tune_sklearn(root, env_with_lib, tmp_path):
    csv = tmp_path / "t.csv"
    out = run_example(root, env_with_lib, "tune_sklearn.py", "--trials", "6", "--jobs", "2",
                      "--csv", str(csv))
    lines = out.splitlines()
    if hpt.has_strategy("bayes"):
        assert "strategy bayes: 6 trials" in out and "notice" not in out
    else:
        assert lines[0].startswith("notice: ") and "'bayes'" in lines[0]
        assert "strategy sobol: 6 trials" in out
    acc = float(lines[-1].split()[-1])
    assert lines[-1].startswith("best accuracy") and 0.5 < acc <= 1.0
    assert len(csv.read_text().splitlines()) == 7


def test_hyperband_sgd(root, env_with_lib):
    out = run_example(root, env_with_lib, "hyperband_sgd.py", "--budget", "4", "--trials", "8")
    if hpt.has_strategy("hyperband"):
        assert "strategy hyperband:" in out and "notice" not in out
    else:
        assert out.startswith("notice: ") and "'hyperband'" in out.splitlines()[0]
        assert "strategy sobol: 8 trials" in out
    err = float(out.splitlines()[-1].split()[-1])
    assert 0.0 <= err < 0.5
