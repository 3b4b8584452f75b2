"""hpt-tune --status and --export on jobs that are running or large.

Run by tests/check_cli.sh (HPT_TUNE=<build>/hpt-tune); the 10,000-trial
journal is written through the Python binding beside that build.
"""
import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_hpt_tune import BIN, PY, ROOT, run  # noqa: E402


def _wait_for(path, proc, seconds=30):
    t0 = time.time()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() - t0 < seconds, "the trial never started"
        time.sleep(0.05)


def test_status_and_export_of_a_running_job(tmp_path):
    # Trial 1 sleeps until the test lets it go: the job holds the journal meanwhile.
    script = ("import os, sys, time; i = os.environ['HPT_TRIAL_ID'];"
              "open('started.' + i, 'w').close();"
              "[time.sleep(0.05) for _ in iter(lambda: os.path.exists('go'), True)] "
              "if i == '1' else None; print('objective:', sys.argv[1])")
    job = subprocess.Popen([BIN, "--float", "x=0:1", "--strategy", "random", "--max-trials", "3",
                            "--journal", "j.hptj", "--", PY, "-c", script, "{x}"],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path / "started.1", job)
        r = run(["--status", "j.hptj"], tmp_path)
        assert r.returncode == 0, r.stderr
        assert "locked" not in r.stderr
        lines = r.stdout.splitlines()
        assert any(l.split()[:1] == ["0"] and "complete" in l for l in lines), r.stdout
        assert any(l.split()[:1] == ["1"] and "running" in l for l in lines), r.stdout
        r = run(["--journal", "j.hptj", "--export", "csv"], tmp_path)
        assert r.returncode == 0, r.stderr
        rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(r.stdout))}
        assert rows[0]["state"] == "complete" and rows[1]["state"] == "running"
        assert 2 not in rows
        # A second hpt-tune on the running job is refused at once: the job
        # is the first one's (it holds the journal with journal.exclusive).
        r = run(["--resume", "j.hptj"], tmp_path)
        assert r.returncode != 0
        assert "journal.exclusive" in r.stderr and "alone" in r.stderr, r.stderr
        # Reading it did not disturb the job: it still runs to the end.
        assert job.poll() is None
    finally:
        (tmp_path / "go").touch()
        out, err = job.communicate(timeout=60)
    assert job.returncode == 0, err
    r = run(["--journal", "j.hptj", "--export", "csv"], tmp_path)
    states = [row["state"] for row in csv.DictReader(io.StringIO(r.stdout))]
    assert states == ["complete"] * 3


@pytest.mark.skipif(bool(os.environ.get("HPT_SANITIZED")),
                    reason="writes its journal through Python, which cannot load a "
                           "sanitizer-built libhpt")
def test_status_and_export_of_10000_trials(tmp_path):
    spec = run(["--float", "x=0:1", "--strategy", "random", "--seed", "3", "--max-trials",
                "10000", "--print-spec", "--", "true"], tmp_path)
    assert spec.returncode == 0, spec.stderr
    code = ("import hpt\n"
            "s = hpt.Study({'x': hpt.Float(0, 1)}, 'random', seed=3, journal='j.hptj')\n"
            "s.set_option('journal.fsync', 0)\n"
            "for _ in range(10000):\n"
            "    t = s.ask()\n"
            "    t.tell(t.params['x'])\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"),
               HPT_LIBRARY=str(Path(BIN).parent / "libhpt.so"))
    subprocess.run([PY, "-c", code], cwd=tmp_path, env=env, check=True, timeout=300)
    (tmp_path / "j.hptj.d").mkdir()
    (tmp_path / "j.hptj.d" / "job.spec").write_text(spec.stdout)
    seconds = {}
    for name, args in (("status", ["--status", "j.hptj"]),
                       ("export", ["--journal", "j.hptj", "--export", "csv"])):
        t0 = time.perf_counter()
        r = run(args, tmp_path, timeout=60)
        seconds[name] = time.perf_counter() - t0
        assert r.returncode == 0, r.stderr
        if name == "export":
            assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 10000
        else:
            assert "best: trial" in r.stdout
    # The figure is for the report (timings are measured, not asserted here).
    print("10000 trials: status %.3f s, export %.3f s" % (seconds["status"], seconds["export"]))


def test_max_resource_ends_an_async_hyperband_job(tmp_path):
    """--max-resource N: max_trials 0 and ASHA, and the job still ends, at
    the trial whose budget (a promotion: beyond its parent's) reaches N."""
    r = run(["--float", "x=0:1", "--strategy", "hyperband", "--option",
             "hyperband.max_resource=9", "--option", "hyperband.sampler=random",
             "--max-trials", "0", "--max-resource", "40", "--journal", "j.hptj", "--",
             PY, "-c", "import sys; print('objective:', float(sys.argv[1]) + 1 / float(sys.argv[2]))",
             "{x}", "{budget}"], tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "; done: max_resource_total" in r.stdout
    r = run(["--journal", "j.hptj", "--export", "json"], tmp_path)
    rows = json.loads(r.stdout)["trials"]
    by_id = {t["id"]: t for t in rows}
    cost = [t["budget"] - (by_id[t["parent"]]["budget"] if t["parent"] >= 0 else 0)
            for t in rows]
    assert any(t["parent"] >= 0 for t in rows)
    assert sum(cost[:-1]) < 40 <= sum(cost)
    assert "option max_resource_total=40" in (tmp_path / "j.hptj.d" / "job.spec").read_text()
    # Extended: the raised total replaces the spec's, and a plain resume
    # afterwards neither complains nor runs more.
    r = run(["--resume", "j.hptj", "--max-resource", "60"], tmp_path, timeout=120)
    assert r.returncode == 0 and "ignored" not in r.stderr, r.stderr
    spec = (tmp_path / "j.hptj.d" / "job.spec").read_text()
    assert "max_resource_total=60" in spec and "max_resource_total=40" not in spec
    n = len(json.loads(run(["--journal", "j.hptj", "--export", "json"], tmp_path).stdout)["trials"])
    assert n > len(rows)
    r = run(["--resume", "j.hptj"], tmp_path, timeout=120)
    assert r.returncode == 0 and "ignored" not in r.stderr, r.stderr
    assert len(json.loads(run(["--journal", "j.hptj", "--export", "json"],
                              tmp_path).stdout)["trials"]) == n


@pytest.mark.parametrize("strategy", ["random", "bayes"])
def test_resume_with_more_trials_extends_the_job(tmp_path, strategy):
    """A finished job resumed with a larger --max-trials runs the extra
    trials, exactly those of a job that had the larger limit from the start."""
    cmd = ["--", PY, "-c", "import sys; print('objective:', (float(sys.argv[1]) - 0.3) ** 2)",
           "{x}"]
    space = ["--float", "x=0:1", "--strategy", strategy, "--seed", "7"]
    r = run(space + ["--max-trials", "4", "--journal", "a.hptj"] + cmd, tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    r = run(["--resume", "a.hptj", "--max-trials", "14"], tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ignored" not in r.stderr
    assert "max-trials 14" in (tmp_path / "a.hptj.d" / "job.spec").read_text()
    r = run(space + ["--max-trials", "14", "--journal", "b.hptj"] + cmd, tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr

    def rows(journal):
        out = run(["--journal", journal, "--export", "csv"], tmp_path).stdout
        return [(row["id"], row["state"], row["x"]) for row in csv.DictReader(io.StringIO(out))]
    extended = rows("a.hptj")
    assert len(extended) == 14 and extended == rows("b.hptj")
    # Resumed again without a flag, the job is done at its raised limit.
    r = run(["--resume", "a.hptj"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(rows("a.hptj")) == 14
