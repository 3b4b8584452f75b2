"""End-to-end tests of hpt-tune: it tunes tests/cli/train.py, a closed-form
objective with a fake epoch loop (see its docstring).

Run by tests/check_cli.sh with HPT_TUNE=<build>/hpt-tune; skipped when the
binary is missing.
"""
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TRAIN = str(HERE / "train.py")
PY = "/usr/bin/python3"
BIN = os.environ.get("HPT_TUNE") or str(ROOT / "build" / "hpt-tune")

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)

TRIAL_RE = re.compile(
    r"^trial (\d+) (complete|failed|pruned)(?: budget=(\S+)(?: resume_from=(\d+))?)? (.*?) "
    r"value=(\S+) best=(\S+)(?: \(trial (\d+)\))? ([0-9.]+)s(?: reason: (.*))?$")
REPORT = r"^epoch ([0-9]+).*val_loss[=:] *([^ ]+)"


def run(args, cwd, timeout=30, env=None):
    return subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def trials(stdout):
    """Parse the per-trial lines: id -> dict(state, params, value, reason, secs)."""
    out = {}
    for line in stdout.splitlines():
        m = TRIAL_RE.match(line)
        if m:
            params = dict(kv.split("=", 1) for kv in m.group(5).split(" ") if "=" in kv)
            out[int(m.group(1))] = dict(state=m.group(2), params=params,
                                        value=None if m.group(6) == "-" else float(m.group(6)),
                                        reason=m.group(10), secs=float(m.group(9)),
                                        budget=float(m.group(3)) if m.group(3) else 0.0,
                                        parent=int(m.group(4)) if m.group(4) else -1)
    return out


def objective(lr, layers, act):
    return (math.log10(lr) + 3) ** 2 + 0.1 * (layers - 2) ** 2 + (0 if act == "tanh" else 0.5)


def no_process_with(marker):
    """No trial process carries marker as an argument (hpt-tune itself may)."""
    r = subprocess.run(["pgrep", "-a", "-f", marker], capture_output=True, text=True)
    return all(BIN in l or "hpt-tune" in l for l in r.stdout.splitlines())


# ---- the search -------------------------------------------------------------------------

def test_grid_finds_the_optimum(tmp_path):
    # lr in {1e-4, 1e-3, 1e-2}, layers 2..3, act 2 choices: 12 points, the
    # optimum (1e-3, 2, tanh) is one of them.
    r = run(["--float", "lr=1e-4:1e-2:log", "--int", "layers=2:3", "--cat", "act=relu,tanh",
             "--strategy", "grid", "--option", "grid.points=3", "--parallel", "2",
             "--job-dir", "jd", "--", PY, TRAIN, "--lr", "{lr}", "--layers", "{layers}",
             "--act", "{act}"], tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert len(t) == 12 and all(x["state"] == "complete" for x in t.values())
    for x in t.values():  # the value told is the program's objective
        p = x["params"]
        assert x["value"] == pytest.approx(
            objective(float(p["lr"]), int(p["layers"]), p["act"]), rel=1e-5, abs=1e-9)
    best = re.search(r"^best: trial (\d+) value=(\S+) (.*)$", r.stdout, re.M)
    assert best, r.stdout
    assert best.group(3) == "lr=0.0010000000000000002 layers=2 act=tanh" or \
        best.group(3) == "lr=0.001 layers=2 act=tanh"
    assert float(best.group(2)) == min(x["value"] for x in t.values())
    assert "finished: 12 trials" in r.stdout


def test_random_search_runs_max_trials_and_reports_best_so_far(tmp_path):
    r = run(["--float", "lr=1e-5:1e-1:log", "--int", "layers=1:4", "--cat", "act=relu,tanh",
             "--max-trials", "6", "--seed", "7", "--report-metric", REPORT, "--job-dir", "jd",
             "--", PY, TRAIN, "--lr", "{lr}", "--layers", "{layers}", "--act", "{act}"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert sorted(t) == list(range(6))
    best = math.inf
    for line in r.stdout.splitlines():  # best-so-far is monotone and right
        m = TRIAL_RE.match(line)
        if m:
            best = min(best, float(m.group(6)))
            assert float(m.group(7)) == pytest.approx(best, rel=1e-5)


# ---- what reaches the command ------------------------------------------------------------

def test_placeholders_and_environment(tmp_path):
    env = dict(os.environ, HPT_PARAM_STALE="x", HPT_TRIAL_ID="stale")
    r = run(["--float", "my-lr=1e-4:1e-2:log", "--int", "layers=1:4", "--cat", "act=relu,tanh",
             "--max-trials", "3", "--job-dir", "jd", "--metric", "^objective: (.*)$",
             "--", PY, TRAIN, "--lr", "{my-lr}", "--layers={layers}", "--act", "{act}",
             "--dump", "{trial_dir}/dump.json", "--stamp", "{{literal}}"], tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    for tid, x in t.items():
        d = json.loads((tmp_path / "jd" / f"trial-{tid}" / "dump.json").read_text())
        argv, e = d["argv"], d["env"]
        p = x["params"]
        assert argv[argv.index("--lr") + 1] == p["my-lr"]
        assert f"--layers={p['layers']}" in argv
        assert argv[argv.index("--act") + 1] == p["act"]
        assert argv[argv.index("--stamp") + 1] == "{literal}"
        assert e["HPT_PARAM_MY_LR"] == p["my-lr"]
        assert e["HPT_PARAM_LAYERS"] == p["layers"]
        assert e["HPT_PARAM_ACT"] == p["act"]
        assert e["HPT_TRIAL_ID"] == str(tid)
        assert e["HPT_BUDGET"] == "0" and e["HPT_RESUME_FROM"] == "-1"
        assert e["HPT_RESUME_DIR"] == ""
        assert Path(e["HPT_TRIAL_DIR"]) == tmp_path.resolve() / "jd" / f"trial-{tid}"
        assert "HPT_PARAM_STALE" not in e
        assert (tmp_path / "jd" / f"trial-{tid}.log").exists()


def test_hyperband_budgets_and_promotions_reach_the_command(tmp_path):
    args = ["--float", "lr=1e-4:1e-2:log", "--strategy", "hyperband",
            "--option", "hyperband.max_resource=9", "--max-trials", "14", "--job-dir", "jd",
            "--", PY, TRAIN, "--lr", "{lr}", "--epochs", "{budget}",
            "--dump", "{trial_dir}/dump.json"]
    r = run(args, tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    promoted = 0
    for tid in t:
        e = json.loads((tmp_path / "jd" / f"trial-{tid}" / "dump.json").read_text())["env"]
        assert float(e["HPT_BUDGET"]) in (1, 3, 9)
        parent = int(e["HPT_RESUME_FROM"])
        if parent >= 0:
            promoted += 1
            assert Path(e["HPT_RESUME_DIR"]) == tmp_path.resolve() / "jd" / f"trial-{parent}"
            assert t[parent]["params"] == t[tid]["params"]  # same configuration
        else:
            assert e["HPT_RESUME_DIR"] == ""
    assert promoted > 0


def test_launcher_prefix_is_templated(tmp_path):
    r = run(["--float", "x=0:1", "--max-trials", "2", "--job-dir", "jd",
             "--launcher", "env HPT_LAUNCHED=yes-{trial_id}",
             "--", PY, TRAIN, "--dump", "{trial_dir}/d.json"], tmp_path)
    assert r.returncode == 0, r.stderr
    for tid in (0, 1):
        d = json.loads((tmp_path / "jd" / f"trial-{tid}" / "d.json").read_text())
        assert d["env"]["HPT_LAUNCHED"] == f"yes-{tid}"


def test_spec_file(tmp_path):
    spec = tmp_path / "job.spec"
    spec.write_text(f"""# a job
float lr=1e-4:1e-2:log
cat act=relu,tanh
strategy grid
option grid.points=3
direction min
job-dir jd
report-metric {REPORT}
command {PY} {TRAIN} --lr {{lr}} --act '{{act}}'
""")
    r = run(["--spec", str(spec), "--parallel", "2"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(trials(r.stdout)) == 6
    # Flags -> spec -> flags is the identity.
    a = run(["--spec", str(spec), "--print-spec"], tmp_path)
    (tmp_path / "again.spec").write_text(a.stdout)
    b = run(["--spec", "again.spec", "--print-spec"], tmp_path)
    assert a.returncode == 0 and a.stdout == b.stdout
    assert "command " in a.stdout and "grid.points=3" in a.stdout


# ---- metrics --------------------------------------------------------------------------------

def test_metric_regex_last_match_and_direction(tmp_path):
    script = "echo 'acc=10%'; echo noise; echo 'acc='$HPT_PARAM_K'%'"
    r = run(["--int", "k=1:5", "--strategy", "grid", "--direction", "max",
             "--metric", r"^acc=([0-9.]+)%$", "--job-dir", "jd", "--", "sh", "-c", script],
            tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert {x["value"] for x in t.values()} == {1, 2, 3, 4, 5}  # the last line wins
    assert re.search(r"^best: trial \d+ value=5 k=5$", r.stdout, re.M)


def test_report_regex_must_have_one_or_two_groups(tmp_path):
    r = run(["--float", "x=0:1", "--report-metric", "(a)(b)(c)", "--", "true"], tmp_path)
    assert r.returncode == 2 and "groups" in r.stderr


# ---- failures never stop the job ---------------------------------------------------------------

def test_failures_are_told_with_reasons(tmp_path):
    r = run(["--cat", "act=tanh,bad,silent,segv,nan", "--strategy", "grid", "--parallel", "2",
             "--job-dir", "jd", "--", "sh", "-c",
             'case $HPT_PARAM_ACT in bad) exit 3;; silent) echo hi;; segv) kill -SEGV $$;; '
             'nan) echo "objective: nan";; *) echo "objective: 1.5";; esac'], tmp_path)
    assert r.returncode == 0, r.stderr
    by = {x["params"]["act"]: x for x in trials(r.stdout).values()}
    assert by["tanh"]["state"] == "complete" and by["tanh"]["value"] == 1.5
    assert by["bad"]["state"] == "failed" and by["bad"]["reason"] == "exit status 3"
    assert by["silent"]["state"] == "failed" and "no output line matched" in by["silent"]["reason"]
    assert by["segv"]["state"] == "failed" and "signal 11" in by["segv"]["reason"]
    assert by["nan"]["state"] == "failed" and "not a finite number" in by["nan"]["reason"]


def test_missing_command_fails_trials_not_the_job(tmp_path):
    r = run(["--float", "x=0:1", "--max-trials", "2", "--job-dir", "jd", "--",
             str(tmp_path / "no-such-program")], tmp_path)
    assert r.returncode == 1  # no trial completed
    t = trials(r.stdout)
    assert len(t) == 2 and all("cannot start" in x["reason"] for x in t.values())


STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"


def test_hanging_trial_is_killed_at_its_timeout(tmp_path):
    marker = f"hang-marker-{os.getpid()}"
    # The second command ignores SIGTERM: it must get SIGKILL after --grace.
    r = run(["--cat", f"mode=ok,hang,stubborn", "--strategy", "grid", "--parallel", "3",
             "--trial-timeout", "1", "--grace", "0.5", "--job-dir", "jd", "--", "sh", "-c",
             'case $HPT_PARAM_MODE in ok) echo "objective: 1";; '
             f'hang) exec {PY} -c "import time; time.sleep(60)" {marker};; '
             f'stubborn) exec {PY} -c "{STUBBORN}" {marker};; esac'],
            tmp_path, timeout=20)
    assert r.returncode == 0, r.stderr
    by = {x["params"]["mode"]: x for x in trials(r.stdout).values()}
    assert by["ok"]["state"] == "complete"
    for m in ("hang", "stubborn"):
        assert by[m]["state"] == "failed" and by[m]["reason"] == "timeout after 1 s"
        assert by[m]["secs"] >= 1.0  # never before its deadline
    log = (tmp_path / "jd" / f"trial-{[k for k, v in trials(r.stdout).items() if v['params']['mode'] == 'stubborn'][0]}.log").read_text()
    assert "SIGKILL" in log
    assert no_process_with(marker)


def test_pruned_trial_is_killed_mid_run(tmp_path):
    # Half of the configurations report a constant high loss: the median
    # pruner stops some of them; a stopped trial's process is killed before
    # its 20 epochs end.
    r = run(["--float", "lr=1e-4:1e-2:log", "--cat", "act=relu,tanh", "--max-trials", "12",
             "--pruner", "median", "--report-metric", REPORT, "--grace", "1", "--job-dir", "jd",
             "--", PY, TRAIN, "--lr", "{lr}", "--act", "{act}", "--epochs", "20",
             "--sleep", "0.01", "--bad-epochs-above", "0.6"], tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    pruned = [i for i, x in trials(r.stdout).items() if x["state"] == "pruned"]
    assert pruned, r.stdout
    for i in pruned:
        log = (tmp_path / "jd" / f"trial-{i}.log").read_text()
        assert "stopped by the study" in log
        assert "epoch 20 " not in log and "objective:" not in log


# ---- parallel ---------------------------------------------------------------------------------

def test_parallel_trials_overlap(tmp_path):
    stamps = tmp_path / "stamps"
    r = run(["--float", "lr=1e-4:1e-2:log", "--max-trials", "4", "--parallel", "2",
             "--job-dir", "jd", "--", PY, TRAIN, "--lr", "{lr}", "--epochs", "3",
             "--sleep", "0.15", "--stamp", str(stamps)], tmp_path)
    assert r.returncode == 0, r.stderr
    iv = sorted(tuple(map(float, l.split())) for l in stamps.read_text().splitlines())
    assert len(iv) == 4
    overlaps = sum(1 for a, b in zip(iv, iv[1:]) if b[0] < a[1])
    assert overlaps >= 1, iv


# ---- signals ----------------------------------------------------------------------------------

def test_sigint_stops_running_trials(tmp_path):
    marker = f"sigint-marker-{os.getpid()}"
    p = subprocess.Popen([BIN, "--float", "x=0:1", "--parallel", "2", "--max-trials", "4",
                          "--grace", "1", "--job-dir", "jd", "--", PY, "-c",
                          "import time; time.sleep(30); print('objective: 1')", marker],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 10
    while no_process_with(marker) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=15)
    assert p.returncode == 130, err
    assert "interrupted" in err
    assert no_process_with(marker)
    assert trials(out) == {}  # nothing was told


def test_kill9_then_resume_loses_nothing(tmp_path):
    marker = f"resume-marker-{os.getpid()}"
    args = ["--float", "lr=1e-4:1e-2:log", "--cat", "act=relu,tanh", "--max-trials", "10",
            "--parallel", "2", "--journal", "job.hptj", "--report-metric", REPORT,
            "--", PY, TRAIN, "--lr", "{lr}", "--act", "{act}", "--epochs", "4",
            "--sleep", "0.05", "--stamp", marker]
    p = subprocess.Popen([BIN] + args, cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    seen = []
    for line in p.stdout:  # wait for some told trials, then kill -9
        if TRIAL_RE.match(line):
            seen.append(line)
        if len(seen) >= 3:
            break
    p.kill()
    p.wait()
    p.stdout.close()
    before = trials("".join(seen))
    r = run(["--resume", "job.hptj"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert no_process_with(marker)  # the killed run's trials were stopped
    s = run(["--status", "job.hptj"], tmp_path)
    assert s.returncode == 0, s.stderr
    rows = [l.split() for l in s.stdout.splitlines()[1:] if re.match(r"^\d+ ", l)]
    assert len(rows) == 10
    states = {int(row[0]): row[1] for row in rows}
    assert all(st == "complete" for st in states.values()), s.stdout
    values = {int(row[0]): float(row[2]) for row in rows}
    for tid, x in before.items():  # nothing told before the kill was lost
        assert values[tid] == pytest.approx(x["value"], rel=1e-5)
    e = run(["--journal", "job.hptj", "--export", "csv", "--output", "t.csv"], tmp_path)
    assert e.returncode == 0, e.stderr
    text = (tmp_path / "t.csv").read_text()
    assert "lr" in text.splitlines()[0] and len(text.splitlines()) == 11
    # Re-run trials repeat epochs their first run reported: none is doubled.
    import csv
    assert all(row["reports"] == "4" for row in csv.DictReader(text.splitlines()))
    # To stdout too (through a temporary file, never by renaming /dev/stdout).
    o = run(["--status", "job.hptj", "--export", "csv", "--output", "-"], tmp_path)
    assert o.returncode == 0 and o.stdout.endswith(text), o.stderr
    assert os.path.islink("/dev/stdout")


def test_warm_start_flags(tmp_path):
    cmd = ["--", "sh", "-c", "echo objective: $HPT_PARAM_X"]
    r = run(["--float", "x=0:1", "--max-trials", "3", "--journal", "p.hptj"] + cmd, tmp_path)
    assert r.returncode == 0, r.stderr
    # y is new in the child: without its old value the warm start is refused.
    child = ["--float", "x=0:1", "--int", "y=1:3", "--max-trials", "2"]
    r = run(child + ["--journal", "c1.hptj", "--warm-start-identical", "p.hptj"] + cmd, tmp_path)
    assert r.returncode == 1 and "--warm-default" in r.stderr
    r = run(child + ["--journal", "c2.hptj", "--warm-start-identical", "p.hptj",
                     "--warm-default", "y=2"] + cmd, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "3 parent trials used" in r.stderr
    # A resume says what the journal kept of the warm start.
    r = run(["--resume", "c2.hptj", "--max-trials", "3"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "warm start (kept in the journal): 3 parent trials used" in r.stderr
    r = run(child + ["--journal", "c3.hptj", "--warm-start-transfer", "p.hptj",
                     "--warm-default", "y=2"] + cmd, tmp_path)
    assert r.returncode == 0, r.stderr


def test_completion_flags(tmp_path):
    r = run(["--int", "k=1:9", "--strategy", "grid", "--direction", "max", "--target", "3",
             "--job-dir", "jd", "--", "sh", "-c", "echo objective: $HPT_PARAM_K"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(trials(r.stdout)) == [0, 1, 2]
    assert "done: target_value" in r.stdout
    r = run(["--int", "k=1:9", "--strategy", "grid", "--patience", "2", "--job-dir", "jd2",
             "--", "sh", "-c", "echo objective: $HPT_PARAM_K"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(trials(r.stdout)) == [0, 1, 2] and "done: patience" in r.stdout


# ---- usage errors -----------------------------------------------------------------------------

BAD = [
    [],
    ["--bogus"],
    ["--float"],
    ["--float", "x"],
    ["--float", "x=1"],
    ["--float", "x=a:b", "--", "true"],
    ["--float", "x=2:1", "--", "true"],
    ["--float", "x=1:2:cubic", "--", "true"],
    ["--float", "x=-1:2:log", "--", "true"],
    ["--int", "n=1.5:3", "--", "true"],
    ["--cat", "c=a,,b", "--", "true"],
    ["--cat", "c=a,a", "--", "true"],
    ["--float", "x=0:1", "--float", "x=0:2", "--", "true"],
    ["--float", "x=0:1"],
    ["--float", "x=0:1", "--"],
    ["--float", "x=0:1", "--", "echo", "{y}"],
    ["--float", "x=0:1", "--parallel", "0", "--", "true"],
    ["--float", "x=0:1", "--parallel", "lots", "--", "true"],
    ["--float", "x=0:1", "--max-trials", "-3", "--", "true"],
    ["--float", "x=0:1", "--trial-timeout", "-1", "--", "true"],
    ["--float", "x=0:1", "--direction", "up", "--", "true"],
    ["--float", "x=0:1", "--seed", "-1", "--", "true"],
    ["--float", "x=0:1", "--metric", "(", "--", "true"],
    ["--float", "x=0:1", "--strategy", "nope", "--", "true"],
    ["--float", "x=0:1", "--option", "nope=1", "--", "true"],
    ["--float", "x=0:1", "--option", "=1", "--", "true"],
    ["--float", "x=0:1", "--export", "xml", "--", "true"],
    ["--float", "x=0:1", "--launcher", "'unterminated", "--", "true"],
    ["--float", "x=0:1", "--spec", "/nonexistent/spec", "--", "true"],
    ["--float", "trial_id=0:1", "--", "true"],
    ["--float", "a-b=0:1", "--float", "a_b=0:1", "--", "true"],
    ["--quiet=1"],
    ["--float", "x=0:1", "--warm-default", "x", "--", "true"],
    ["--float", "x=0:1", "--warm-default", "x=abc", "--", "true"],
    ["--float", "x=0:1", "--target", "high", "--", "true"],
    ["stray"],
]


@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(a) or "<none>")
def test_bad_flags_give_a_usage_error(tmp_path, args):
    r = run(args, tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("hpt-tune: ") and "usage: hpt-tune" in r.stderr
    assert not list(tmp_path.glob("hpt-tune.*"))  # nothing was started


def test_bad_spec_line_names_its_location(tmp_path):
    (tmp_path / "s").write_text("float x=0:1\n\nparallel many\n")
    r = run(["--spec", "s", "--", "true"], tmp_path)
    assert r.returncode == 2 and "s:3:" in r.stderr


def test_help_and_version(tmp_path):
    h = run(["--help"], tmp_path)
    assert h.returncode == 0 and "--report-metric" in h.stdout
    assert re.search(r"^Strategies: grid random sobol bayes hyperband$", h.stdout, re.M)
    v = run(["--version"], tmp_path)
    assert v.returncode == 0 and v.stdout.startswith("hpt-tune ")


def test_list_options_comes_from_the_library_table(tmp_path):
    r = run(["--list-options", "--strategy", "hyperband", "--pruner", "asha"], tmp_path)
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: l.split(None, 3)[1:] for l in r.stdout.splitlines()[1:]}
    assert rows["hyperband.eta"] == ["real", "3", "(1, 1e+06]"]
    assert rows["hyperband.sampler"] == ["string", "bayes", "random|sobol|bayes"]
    assert rows["hyperband.async"] == ["bool", "1", "0 or 1"]
    assert rows["max_trials"] == ["int", "0", "0..9007199254740992"]
    assert rows["target_value"] == ["real", "unset", "finite"]
    assert rows["pruner"][:2] == ["string", "asha"] and "pruner.eta" in rows
    assert not any(k.startswith("bayes.") for k in rows)
    # the listed options are accepted by --option: one job with each at its default
    b = run(["--list-options", "--strategy", "bayes"], tmp_path)
    opts = [l.split()[:3] for l in b.stdout.splitlines()[1:]]
    assert {"bayes.candidates", "bayes.convergence"} <= {o[0] for o in opts}
    flags = []
    for name, kind, default in opts:
        if default != "unset":
            flags += ["--option", "%s=%s" % (name, default)]
    j = run(["--float", "x=0:1", "--strategy", "bayes", "--max-trials", "1", "--quiet",
             "--job-dir", "lo"] + flags + ["--", PY, "-c", "print('objective: 1')"], tmp_path)
    assert j.returncode == 0, j.stderr
    bad = run(["--list-options", "--strategy", "nope"], tmp_path)
    assert bad.returncode == 2 and "unknown strategy" in bad.stderr
