"""hpt-tune job control: parallel slots, retries, exports that can be piped,
exact values, budgets in the lines, spec files that round-trip any choice,
messages that name what they mean.

Run by tests/check_cli.sh like test_hpt_tune.py (HPT_TUNE=<build>/hpt-tune).
"""
import csv
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_hpt_tune import BIN, PY, REPORT, TRAIN, run, trials  # noqa: E402


def test_each_running_trial_has_its_own_slot(tmp_path):
    """4 slots: at any moment the running trials see distinct HPT_SLOT and
    {slot} values in 0..3 (what CUDA_VISIBLE_DEVICES=$HPT_SLOT relies on)."""
    log = tmp_path / "slots"
    script = ("import os, sys, time; t0 = time.time(); time.sleep(0.05 + 0.1 * float(sys.argv[2]));"
              "open(sys.argv[3], 'a').write('%s %s %s %f %f\\n' % (os.environ['HPT_TRIAL_ID'],"
              " os.environ['HPT_SLOT'], sys.argv[1], t0, time.time())); print('objective: 1')")
    r = run(["--float", "x=0:1", "--strategy", "random", "--max-trials", "16", "--parallel",
             "4", "--job-dir", "jd", "--", PY, "-c", script, "{slot}", "{x}", str(log)],
            tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = [l.split() for l in log.read_text().splitlines()]
    assert len(rows) == 16
    for tid, env_slot, arg_slot, t0, t1 in rows:
        assert env_slot == arg_slot and int(env_slot) in range(4)
    iv = [(int(s), float(a), float(b)) for _, s, _, a, b in rows]
    overlapping = 0
    for i, (s1, a1, b1) in enumerate(iv):
        for s2, a2, b2 in iv[i + 1:]:
            if a1 < b2 and a2 < b1:  # ran at the same time
                overlapping += 1
                assert s1 != s2, rows
    assert overlapping > 0


def test_unknown_placeholder_lists_slot():
    r = subprocess.run([BIN, "--float", "x=0:1", "--", "echo", "{slott}"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "slot" in r.stderr


def test_retries_rerun_a_failed_trial_and_keep_the_reasons(tmp_path):
    # Trial 1 fails once (transient), trial 2 always fails.
    script = ("import os, sys; i = os.environ['HPT_TRIAL_ID']; p = 'count.' + i;"
              "n = int(open(p).read()) if os.path.exists(p) else 0; open(p, 'w').write(str(n + 1));"
              "sys.exit(3) if (i == '1' and n == 0) else None; sys.exit(4) if i == '2' else None;"
              "print('objective:', sys.argv[1])")
    r = run(["--float", "x=0:1", "--strategy", "random", "--max-trials", "4", "--retries", "2",
             "--journal", "j.hptj", "--", PY, "-c", script, "{x}"], tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert sorted(t) == [0, 1, 2, 3]  # retries keep the trial's id
    assert t[1]["state"] == "complete" and t[2]["state"] == "failed"
    assert (tmp_path / "count.1").read_text() == "2"
    assert (tmp_path / "count.2").read_text() == "3"  # 1 run + 2 retries
    assert (tmp_path / "count.0").read_text() == "1"
    assert t[2]["reason"].startswith("exit status 4 (after 3 runs; earlier: exit status 4; "
                                     "exit status 4)")
    assert "running it again (1 of 2)" in r.stderr
    # The setting is part of the job (--resume keeps it).
    assert "retries 2" in (tmp_path / "j.hptj.d" / "job.spec").read_text()
    # Without --retries a failure is told at once.
    for p in tmp_path.glob("count.*"):
        p.unlink()
    r = run(["--float", "x=0:1", "--strategy", "random", "--max-trials", "3", "--job-dir", "jd",
             "--", PY, "-c", script, "{x}"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert trials(r.stdout)[1]["state"] == "failed"
    assert (tmp_path / "count.1").read_text() == "1"


def _job(tmp_path, extra=()):
    r = run(["--float", "lr=1e-4:1e-2:log", "--cat", "act=relu,tanh", "--strategy", "random",
             "--max-trials", "5", "--journal", "job.hptj", "--report-metric", REPORT, *extra,
             "--", PY, TRAIN, "--lr",
             "{lr}", "--act", "{act}", "--epochs", "2"], tmp_path)
    assert r.returncode == 0, r.stderr
    return r


def test_status_with_export_writes_only_csv_on_stdout(tmp_path):
    _job(tmp_path)
    for args in (["--status", "job.hptj", "--export", "csv"],
                 ["--status", "job.hptj", "--export", "csv", "--output", "-"],
                 ["--journal", "job.hptj", "--export", "csv"]):
        r = run(args, tmp_path)
        assert r.returncode == 0, r.stderr
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        assert len(rows) == 5 and set(rows[0]) >= {"id", "state", "lr", "act", "value"}
        assert "best:" not in r.stdout
        if args[0] == "--status":  # the table went to stderr
            assert "best: trial" in r.stderr and "parameters" in r.stderr
    # --status alone still prints the table on stdout.
    r = run(["--status", "job.hptj"], tmp_path)
    assert r.returncode == 0 and "best: trial" in r.stdout


def test_run_exporting_to_stdout_keeps_stdout_for_the_export(tmp_path):
    r = _job(tmp_path, ["--export", "csv", "--output", "-"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 5
    assert "trial 0 complete" in r.stderr and "best: trial" in r.stderr


def test_json_export(tmp_path):
    _job(tmp_path)
    r = run(["--status", "job.hptj", "--export", "json"], tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["direction"] == "minimize" and len(doc["trials"]) == 5
    rows = list(csv.DictReader(io.StringIO(run(["--status", "job.hptj", "--export", "csv"],
                                               tmp_path).stdout)))
    for t, row in zip(doc["trials"], rows):
        assert t["id"] == int(row["id"]) and t["state"] == row["state"]
        assert t["params"]["act"] == row["act"]
        assert t["params"]["lr"] == float(row["lr"])  # both exact
        assert t["value"] == float(row["value"])
        assert t["parent"] == -1 and t["fail_reason"] is None
        assert [s for s, _ in t["reports"]] == [1, 2]
    r = run(["--journal", "job.hptj", "--export", "json", "--output", "t.json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "t.json").read_text()) == doc


def test_values_print_exactly_unless_digits(tmp_path):
    r = _job(tmp_path)
    exported = {int(row["id"]): row for row in
                csv.DictReader(io.StringIO(run(["--status", "job.hptj", "--export", "csv"],
                                               tmp_path).stdout))}
    t = trials(r.stdout)
    for tid, x in t.items():  # per-trial lines: round-trip precision
        assert x["value"] == float(exported[tid]["value"])
        assert float(x["params"]["lr"]) == float(exported[tid]["lr"])
    r = run(["--status", "job.hptj", "--digits", "3"], tmp_path)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines()[1:6]:
        value = line.split()[2]
        assert len(value.replace(".", "").replace("-", "").lstrip("0").split("e")[0]) <= 3
    r = run(["--status", "job.hptj", "--digits", "99"], tmp_path)
    assert r.returncode == 2


def test_budget_and_parent_in_lines_and_status(tmp_path):
    r = run(["--float", "lr=1e-4:1e-2:log", "--strategy", "hyperband", "--option",
             "hyperband.max_resource=9", "--max-trials", "14", "--journal", "hb.hptj", "--",
             PY, TRAIN, "--lr", "{lr}", "--epochs", "{budget}"], tmp_path)
    assert r.returncode == 0, r.stderr
    t = trials(r.stdout)
    assert all(x["budget"] in (1, 3, 9) for x in t.values())
    promoted = [i for i, x in t.items() if x["parent"] >= 0]
    assert promoted
    for i in promoted:
        assert t[t[i]["parent"]]["budget"] < t[i]["budget"]
        assert t[t[i]["parent"]]["params"] == t[i]["params"]
    s = run(["--status", "hb.hptj"], tmp_path)
    rows = {int(l.split()[0]): l.split() for l in s.stdout.splitlines()[1:]
            if l[:1].isdigit()}
    for i, x in t.items():
        assert float(rows[i][3]) == x["budget"]
        assert rows[i][4] == (str(x["parent"]) if x["parent"] >= 0 else "-")


def test_interrupt_message_names_the_journal(tmp_path):
    import signal
    import time
    p = subprocess.Popen([BIN, "--float", "x=0:1", "--max-trials", "3", "--journal",
                          "my job.hptj", "--", PY, "-c", "import time; time.sleep(30)"],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 130
    assert "hpt-tune --resume 'my job.hptj'" in err and "<journal>" not in err


CHARS = "ab xyz\"'#=é ü-"


def test_spec_files_round_trip_any_choice(tmp_path):
    """Random names and choices with blanks (also at the ends), quotes, #, =
    and non-ASCII letters: the job spec keeps them and --resume goes on."""
    rng = random.Random(5)
    for k in range(6):
        d = tmp_path / f"job{k}"
        d.mkdir()
        choices = set()
        while len(choices) < 3:
            c = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 6)))
            if c.strip(" ") and "," not in c:
                choices.add(c)
        choices = sorted(choices)
        name = "".join(rng.choice("abcXYZ_.:/-") for _ in range(4)) + str(k)
        args = ["--cat", f"{name}={','.join(choices)}", "--strategy", "random",
                "--max-trials", "2", "--metric", " *objective: ([0-9]+) *", "--journal", "j.hptj",
                "--", "/bin/echo", "objective: 1"]
        r = run(args, d)
        assert r.returncode == 0, (choices, r.stderr)
        r = run(["--resume", "j.hptj", "--max-trials", "2"], d)
        assert r.returncode == 0, (choices, r.stderr)
        again = run(["--spec", "j.hptj.d/job.spec", "--print-spec"], d)
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines()[1:] == \
            (d / "j.hptj.d" / "job.spec").read_text().splitlines()[1:]


def test_repro_trailing_blank_choice_resumes(tmp_path):
    # ../shared/repro/reliability/cli_resume_trailing_space.sh
    r = run(["--cat", "v=a,b ", "--strategy", "random", "--max-trials", "2", "--journal",
             "j.hptj", "--", "/bin/echo", "objective: 1"], tmp_path)
    assert r.returncode == 0, r.stderr
    r = run(["--resume", "j.hptj"], tmp_path)
    assert r.returncode == 0, r.stderr


def test_changed_choice_is_named(tmp_path):
    r = run(["--cat", "v=a,b", "--strategy", "random", "--max-trials", "2", "--journal",
             "j.hptj", "--", "/bin/echo", "objective: 1"], tmp_path)
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "j.hptj.d" / "job.spec"
    spec.write_text(spec.read_text().replace("cat v=a,b", "cat v=a,c"))
    r = run(["--resume", "j.hptj"], tmp_path)
    assert r.returncode == 1
    assert "j.hptj" in r.stderr and "choice 1" in r.stderr and '"b"' in r.stderr \
        and '"c"' in r.stderr
