"""hpt-tune with several objectives and constraints: --objective,
--constraint, --max-memory; the front in the trial lines, at the end and in
--status; the CSV export's columns; failures that name the missing value;
a trial killed by SIGKILL told as out of memory.

Run by tests/check_cli.sh with HPT_TUNE=<build>/hpt-tune; skipped when the
binary is missing.
"""
import csv
import os
import re
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PY = "/usr/bin/python3"
BIN = os.environ.get("HPT_TUNE") or str(ROOT / "build" / "hpt-tune")

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)

# x in [0, 1]: loss = x^2 (min), acc = 1 - (1 - x)^2 (max): every point is on
# the front; slack = x - 0.8 <= 0 feasible. --mib N allocates N MiB (in a
# child process with --child); --kill-above X kills itself with SIGKILL.
PROGRAM = r'''
import os, signal, subprocess, sys
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
x = float(args.get("--x", "0.5"))
mib = float(args.get("--mib", "0"))
if "--child" in args:
    subprocess.run([sys.executable, __file__, "--x", str(x), "--mib", str(mib)], check=True)
    sys.exit(0)
if x > float(args.get("--kill-above", "2")):
    os.kill(os.getpid(), signal.SIGKILL)
buf = bytearray(int(mib * 1048576))
for i in range(0, len(buf), 4096):
    buf[i] = 1
if mib:
    import time; time.sleep(0.4)  # long enough for a few samples
print("loss: %r" % (x * x))
if args.get("--no-acc") is None or x < float(args["--no-acc"]):
    print("acc: %r" % (1 - (1 - x) ** 2))
print("slack: %r" % (x - 0.8))
'''

OBJ = ["--objective", "loss=^loss: (.*):min", "--objective", "acc=^acc: (.*):max"]
CON = ["--constraint", "slack=^slack: (.*)"]
LINE = re.compile(r"^trial (\d+) (complete|failed) x=(\S+) (.*?) best=(.*?) ([0-9.]+)s"
                  r"(?: reason: (.*))?$")


def run(args, cwd, timeout=60):
    return subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def program(tmp_path):
    p = tmp_path / "prog.py"
    p.write_text(PROGRAM)
    return str(p)


def trials(stdout):
    out = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            vals = dict(kv.split("=", 1) for kv in m.group(4).split(" ") if "=" in kv)
            out[int(m.group(1))] = dict(state=m.group(2), x=float(m.group(3)), values=vals,
                                        feasible="infeasible" not in m.group(4).split(" "),
                                        reason=m.group(7))
    return out


def front_lines(stdout):
    return sorted(int(m.group(1)) for m in re.finditer(r"^front: trial (\d+) ", stdout, re.M))


def brute_front(points):
    """ids of the non-dominated points; points: id -> tuple of losses."""
    def dominates(a, b):
        return all(p <= q for p, q in zip(a, b)) and any(p < q for p, q in zip(a, b))
    return sorted(i for i, a in points.items()
                  if not any(dominates(b, a) for j, b in points.items() if j != i))


def test_two_objectives_and_a_constraint(tmp_path):
    prog = program(tmp_path)
    r = run(["--float", "x=0:1", "--strategy", "random", "--seed", "3", "--max-trials", "12",
             "--journal", "j.hptj", *OBJ, *CON, "--", PY, prog, "--x", "{x}"], tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert len(t) == 12 and all(v["state"] == "complete" for v in t.values())
    for v in t.values():  # the values told are the program's
        x = v["x"]
        assert float(v["values"]["loss"]) == pytest.approx(x * x, rel=1e-12)
        assert float(v["values"]["acc"]) == pytest.approx(1 - (1 - x) ** 2, rel=1e-12)
        assert float(v["values"]["slack"]) == pytest.approx(x - 0.8, abs=1e-12)
        assert v["feasible"] == (x <= 0.8)
    # loss up and acc up with x: every feasible trial is on the front
    want = brute_front({i: (v["x"] ** 2, -(1 - (1 - v["x"]) ** 2))
                        for i, v in t.items() if v["x"] <= 0.8})
    assert want and front_lines(r.stdout) == want
    s = run(["--status", "j.hptj"], tmp_path)
    assert s.returncode == 0, s.stderr
    assert front_lines(s.stdout) == want
    assert "front: %d trials (feasible, non-dominated)" % len(want) in s.stdout
    e = run(["--status", "j.hptj", "--export", "csv", "--output", "t.csv"], tmp_path)
    assert e.returncode == 0, e.stderr
    rows = list(csv.DictReader(open(tmp_path / "t.csv", newline="")))
    assert len(rows) == 12
    for row in rows:
        x = float(row["x"])
        assert float(row["value_0"]) == pytest.approx(x * x, rel=1e-12)
        assert float(row["value_1"]) == pytest.approx(1 - (1 - x) ** 2, rel=1e-12)
        assert float(row["constraint_0"]) == pytest.approx(x - 0.8, abs=1e-12)
        assert row["feasible"] == ("1" if x <= 0.8 else "0")
        assert row["pareto"] == ("1" if int(row["id"]) in want else "0")
    # the remembered spec keeps them; a resume goes on with the same shape
    spec = (tmp_path / "j.hptj.d" / "job.spec").read_text()
    assert "objective acc=^acc: (.*):max" in spec and "constraint slack=^slack: (.*)" in spec
    r2 = run(["--resume", "j.hptj", "--max-trials", "14"], tmp_path)
    assert r2.returncode == 0, r2.stderr
    assert sorted(trials(r2.stdout)) == [12, 13]


def test_a_missing_value_fails_the_trial_with_its_name(tmp_path):
    prog = program(tmp_path)
    r = run(["--float", "x=0:1", "--strategy", "sobol", "--max-trials", "8", *OBJ, *CON,
             "--", PY, prog, "--x", "{x}", "--no-acc", "0.5"], tmp_path)
    t = trials(r.stdout)
    assert len(t) == 8
    for v in t.values():
        if v["x"] >= 0.5:
            assert v["state"] == "failed"
            assert "objective 'acc'" in v["reason"] and "no output line matched" in v["reason"]
        else:
            assert v["state"] == "complete"


def test_no_feasible_trial_exits_1(tmp_path):
    prog = program(tmp_path)
    r = run(["--float", "x=0.9:1", "--strategy", "random", "--max-trials", "3", *CON,
             "--metric", "^loss: (.*)", "--", PY, prog, "--x", "{x}"], tmp_path)
    assert r.returncode == 1
    assert "best: none (no feasible trial completed)" in r.stdout


def test_max_memory_is_a_constraint_over_the_process_tree(tmp_path):
    prog = program(tmp_path)
    # x < 0.5 allocates 8 MiB, else 160 MiB, in a grandchild (sh -> python -> python)
    wrapper = tmp_path / "run.sh"
    wrapper.write_text('#!/bin/sh\nif [ "$(%s -c "print(float(\'$1\') < 0.5)")" = True ]; '
                       'then m=8; else m=160; fi\nexec %s %s --x "$1" --mib $m --child 1\n'
                       % (PY, PY, prog))
    wrapper.chmod(0o755)
    r = run(["--float", "x=0:1", "--strategy", "sobol", "--max-trials", "6",
             "--max-memory", "100M", *OBJ, "--", str(wrapper), "{x}"], tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert len(t) == 6
    for v in t.values():
        mem = float(v["values"]["memory"])  # peak - 100 MiB, in MiB
        if v["x"] < 0.5:
            assert -99 < mem < -40 and v["feasible"], v
        else:
            assert 55 < mem < 200 and not v["feasible"], v


def test_sigkill_is_told_as_out_of_memory(tmp_path):
    prog = program(tmp_path)
    r = run(["--float", "x=0:1", "--strategy", "sobol", "--max-trials", "6",
             "--max-memory", "1G", *OBJ, "--", PY, prog, "--x", "{x}", "--kill-above", "0.5"],
            tmp_path)
    t = trials(r.stdout)
    killed = [v for v in t.values() if v["x"] > 0.5]
    assert killed and all(v["state"] == "failed" for v in killed)
    for v in killed:
        assert v["reason"].startswith("out of memory: killed by SIGKILL")
        assert "peak resident memory" in v["reason"]


@pytest.mark.parametrize("args, message", [
    (["--objective", "loss"], "--objective wants NAME=REGEX"),
    (["--constraint", "=x"], "--constraint wants NAME=REGEX"),
    (["--objective", "a=^a (.*)", "--constraint", "a=^b (.*)"],
     "'a' names an objective and a constraint"),
    (["--max-memory", "1G", "--constraint", "memory=^m (.*)"], "'memory' is the constraint"),
    (["--max-memory", "lots"], "--max-memory wants a size"),
    (["--objective", "a=(:max"], "bad regular expression of objective 'a'"),
])
def test_usage_errors(tmp_path, args, message):
    r = run(["--float", "x=0:1", *args, "--", "true"], tmp_path)
    assert r.returncode == 2
    assert message in r.stderr


def test_a_pruner_with_several_objectives_is_refused(tmp_path):
    r = run(["--float", "x=0:1", *OBJ, "--pruner", "median", "--", "true"], tmp_path)
    assert r.returncode == 2
    assert "one objective" in r.stderr
