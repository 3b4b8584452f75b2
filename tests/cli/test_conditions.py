"""hpt-tune with conditional parameters, steps and :logit (the library's
hpt_space_parse grammar, in flags and spec files): inactive placeholders
expand to nothing, {name?text} appears only for active parameters, a word
left empty by them is dropped, HPT_PARAM_<NAME> is unset, and --status /
--export show inactive parameters as empty. Errors name their origin."""
import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = os.environ.get("HPT_TUNE") or str(ROOT / "build" / "hpt-tune")

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)

# Prints its arguments one per line, then HPT_PARAM_MOMENTUM, then the
# objective; the trial's log keeps all of it.
ECHO = ["/usr/bin/python3", "-c",
        "import os, sys; [print('arg=' + a) for a in sys.argv[1:]]; "
        "print('env=' + os.environ.get('HPT_PARAM_MOMENTUM', '<unset>')); "
        "print('objective: 1')"]

SPACE = ["--cat", "opt=sgd,adam",
         "--float", "momentum=0.5:0.99:step=0.01 if opt=sgd",
         "--float", "beta2=0.9:0.9999:logit if opt=adam",
         "--int", "layers=1:3",
         "--int", "units3=16:64:step=16 if layers>=3"]


def run(args, cwd, timeout=60):
    return subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def logs(jobdir):
    """trial id -> (arguments, HPT_PARAM_MOMENTUM) from the trial logs."""
    out = {}
    for p in Path(jobdir).glob("trial-*.log"):
        lines = p.read_text().splitlines()
        args = [l[4:] for l in lines if l.startswith("arg=")]
        env = [l[4:] for l in lines if l.startswith("env=")]
        out[int(p.stem.split("-")[1])] = (args, env[-1])
    return out


def export(jobdir, journal):
    r = run(["--status", journal, "--export", "csv"], jobdir)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def test_conditional_job(tmp_path):
    r = run(SPACE + ["--strategy", "random", "--seed", "4", "--max-trials", "16",
                     "--journal", "j.hptj", "--", *ECHO,
                     "{opt}", "{momentum?--momentum={momentum}}", "m={momentum}",
                     "{beta2?--beta2}", "{beta2}", "{units3?u={units3},l={layers}}"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    rows = export(tmp_path, "j.hptj")
    seen = logs(tmp_path / "j.hptj.d")
    assert len(rows) == 16 and len(seen) == 16
    opts = set()
    for row in rows:
        args, env = seen[int(row["id"])]
        opt = row["opt"]
        opts.add(opt)
        assert args[0] == opt
        if opt == "sgd":
            m = row["momentum"]
            assert m and row["beta2"] == ""
            assert abs(float(m) * 100 - round(float(m) * 100)) < 1e-9  # on the step
            assert 0.5 <= float(m) <= 0.99
            assert args[1:3] == ["--momentum=" + m, "m=" + m] and env == m
            rest = args[3:]
        else:
            b = float(row["beta2"])
            assert row["momentum"] == "" and 0.9 <= b <= 0.9999
            # the empty {momentum?...} word is dropped, "m=" stays, --beta2 VALUE follow
            assert args[1:4] == ["m=", "--beta2", row["beta2"]] and env == "<unset>"
            rest = args[4:]
        if int(row["layers"]) >= 3:
            assert row["units3"] in ("16", "32", "48", "64")
            assert rest == ["u=%s,l=%s" % (row["units3"], row["layers"])]
        else:
            assert row["units3"] == "" and rest == []
    assert opts == {"sgd", "adam"}

    # --status prints inactive parameters as empty, JSON has null
    r = run(["--status", "j.hptj"], tmp_path)
    assert r.returncode == 0, r.stderr
    adam = next(row["id"] for row in rows if row["opt"] == "adam")
    line = next(l for l in r.stdout.splitlines() if l.split()[:1] == [adam])
    assert " momentum= " in line + " "
    r = run(["--status", "j.hptj", "--export", "json"], tmp_path)
    doc = json.loads(r.stdout)
    t = doc["trials"][int(adam)]
    assert t["params"]["momentum"] is None and t["params"]["opt"] == "adam"

    # the job spec keeps the lines as given, and --resume goes on with them
    spec = (tmp_path / "j.hptj.d" / "job.spec").read_text()
    assert "float momentum=0.5:0.99:step=0.01 if opt=sgd\n" in spec
    assert "int units3=16:64:step=16 if layers>=3\n" in spec
    r = run(["--resume", "j.hptj", "--max-trials", "20"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(export(tmp_path, "j.hptj")) == 20


def test_spec_file_with_conditions(tmp_path):
    (tmp_path / "job.spec").write_text(
        "# the parent comes after its child\n"
        "float momentum=0.5:0.9 if opt=sgd\n"
        "cat opt=sgd,adam\n"
        "strategy grid\n"
        "command /usr/bin/python3 -c 'print(\"objective: 1\")' {momentum?--m={momentum}}\n")
    r = run(["--spec", "job.spec", "--option", "grid.points=3", "--journal", "g.hptj"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    rows = export(tmp_path, "g.hptj")
    # the grid is the union of the active sets: 3 momenta for sgd, adam once
    assert sorted((r["opt"], r["momentum"]) for r in rows) == \
        [("adam", ""), ("sgd", "0.5"), ("sgd", "0.7"), ("sgd", "0.9")]


@pytest.mark.parametrize("args, says", [
    (["--float", "x=0:1 if y=1"], "command line: 'float x=0:1 if y=1', column 16: "
                                  "'x': no parameter 'y'"),
    (["--float", "x=0:1:cubic"], "column 13: unknown scale 'cubic'"),
    (["--int", "n=1:9:step=1.5"], "whole number"),
    (["--float", "x=0:1:logit"], "logit"),
    (["--cat", "o=a,b", "--float", "x=0:1 if o=c"], "no choice 'c'"),
    (["--float", "x=0:1 if x>=0.5"], "conditional on itself"),
])
def test_space_errors_are_usage_errors(tmp_path, args, says):
    r = run(args + ["--", "true"], tmp_path)
    assert r.returncode == 2, r.stderr
    assert says in r.stderr and "usage: hpt-tune" in r.stderr


def test_spec_file_error_names_file_and_line(tmp_path):
    (tmp_path / "s").write_text("cat opt=a,b\n\nfloat m=0:1 if opt=c\ncommand true\n")
    r = run(["--spec", "s"], tmp_path)
    assert r.returncode == 2
    assert "s:3: 'float m=0:1 if opt=c', column 20: 'opt' has no choice 'c'" in r.stderr


def test_unknown_placeholder_inside_optional_text(tmp_path):
    r = run(["--float", "x=0:1", "--", "echo", "{x?--y={y}}"], tmp_path)
    assert r.returncode == 2 and "unknown placeholder {y}" in r.stderr


def test_help_documents_the_grammar(tmp_path):
    r = run(["--help"], tmp_path)
    assert r.returncode == 0
    assert "{NAME?TEXT}" in r.stdout and "logit" in r.stdout and "if PARENT" in r.stdout


def test_spec_as_earlier_hpt_tune_wrote_it(tmp_path):
    """Job specs of the hpt-tune before hpt_space_parse read as they did:
    scales spelled out, a quoted value keeping a choice's trailing blank."""
    (tmp_path / "old.spec").write_text(
        "# hpt-tune job spec, written by hpt-tune 0.1.0\n"
        "float lr=1e-05:0.10000000000000001:log\n"
        "int layers=1:4:linear\n"
        "float keep=0:0.5:reverse-log\n"
        "cat 'v=a,b '\n"
        "strategy grid\nmax-trials 40\n"
        "command /usr/bin/python3 -c 'print(\"objective: 1\")'\n")
    r = run(["--spec", "old.spec", "--option", "grid.points=2", "--journal", "o.hptj"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    rows = export(tmp_path, "o.hptj")
    assert {row["v"] for row in rows} == {"a", "b "}
    assert {row["layers"] for row in rows} == {"1", "2", "3", "4"}
    assert {float(row["lr"]) for row in rows} == {1e-05, 0.1}


def test_optional_text_rules(tmp_path):
    """{{ and }} stay literal braces inside optional text; shell-like text
    ({1..3}, {a,b}) is left alone; an optional text of an active parameter
    may hold several placeholders and text around them."""
    r = run(["--cat", "o=x", "--int", "n=2:2 if o=x", "--strategy", "grid", "--",
             *ECHO, "{n?[{o}:{n}]}", "{n?{{{n}}}}", "{1..3}", "{a,b}", "pre{n?-{n}}post"],
            tmp_path)
    assert r.returncode == 0, r.stderr
    (args, _), = logs(next(tmp_path.glob("hpt-tune.*"))).values()
    assert args == ["[x:2]", "{2}", "{1..3}", "{a,b}", "pre-2post"]
