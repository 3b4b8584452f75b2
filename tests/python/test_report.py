"""hpt.report: one self-contained HTML file. It names no URL, opens in
headless Chromium without console errors, shows something (pixels), and
its table sorts."""
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys

import pytest

import hpt
import hpt.report

pytestmark = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                reason="the report needs matplotlib (python3-matplotlib)")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.access(
    "/usr/bin/chromium", os.X_OK) else None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

SPACE = {"lr": hpt.Float(1e-4, 1e-1, log=True), "depth": hpt.Int(1, 8),
         "act": hpt.Categorical(["relu", "tanh"])}


def _f(p):
    return (math.log10(p["lr"]) + 2) ** 2 + 0.2 * abs(p["depth"] - 5) + (p["act"] == "tanh")


@pytest.fixture(scope="module")
def hb_journal(tmp_path_factory):
    """A Hyperband job with reports, failures and a trial still running."""
    path = tmp_path_factory.mktemp("rep") / "hb.hptj"
    s = hpt.Study(SPACE, strategy="hyperband", seed=0, max_trials=40, journal=path,
                  hyperband__max_resource=9, hyperband__sampler="random")
    k = 0
    while (t := s.ask()) is not None:
        k += 1
        if k % 13 == 0:
            t.tell_failed("CUDA out of memory <GPU 0>")
            continue
        if k == 40:
            break                     # left running
        for e in range(1, int(t.budget) + 1):
            t.report(e, _f(t.params) + 1.0 / e)
        t.tell(_f(t.params) + 1.0 / t.budget)
    s.close()
    return str(path)


@pytest.fixture(scope="module")
def hb_report(hb_journal, tmp_path_factory):
    """The report of hb_journal, written once for the tests that read it."""
    out = tmp_path_factory.mktemp("rep") / "r.html"
    hpt.report.write(hb_journal, out)
    return out


def _chromium(url, out_dir, *extra):
    """Run headless Chromium on url; (returncode, stderr)."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            "--user-data-dir=%s" % (out_dir / "profile"), "--enable-logging=stderr",
            "--v=0"] + list(extra) + [url]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


def _console_errors(stderr):
    """Console messages Chromium logged that are errors (uncaught
    exceptions, console.error), from --enable-logging=stderr --v=0."""
    return [ln for ln in stderr.splitlines() if "CONSOLE" in ln and (
        "Uncaught" in ln or ":ERROR:" in ln or "Error" in ln)]


def test_report_content(hb_report):
    text = hb_report.read_text(encoding="utf-8")
    # self-contained: nothing to fetch, no URL at all
    assert "http://" not in text and "https://" not in text
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)
    # summary
    for want in ("hyperband", "max_trials = 40", "hyperband.max_resource = 9",
                 "best trial", "max_trials (1 still running)", "categorical {relu, tanh}"):
        assert want in text, want
    # failures by reason, escaped
    assert "CUDA out of memory &lt;GPU 0&gt;</td><td class=\"num\">3" in text
    # the plots that apply, inline SVG
    for title in ("Optimization history", "Parameter importance", "Slice", "Contour",
                  "Parallel coordinates", "Intermediate values",
                  "Hyperband rungs and promotions", "Timeline", "Empirical distribution"):
        assert 'data-title="%s"><svg' % title in text, title
    # one table row per trial
    body = text.split('<table id="trials">', 1)[1]
    assert body.count("<tr class=") == 40
    assert body.count('<tr class="failed">') == 3


def test_study_report_without_journal(tmp_path):
    s = hpt.Study(SPACE, strategy="random", seed=1, max_trials=12)
    while (t := s.ask()) is not None:
        t.tell(_f(t.params))
    out = s.report(str(tmp_path / "s.html"))
    text = open(out, encoding="utf-8").read()
    # no journal, so no times: the timeline says why it is missing
    assert "Timeline: not shown (the timeline needs the trials&#x27; times" in text
    assert "max_trials" in text          # the live study's completion reason
    assert "Hyperband" not in text        # single fidelity: no rung plot


def test_report_of_few_trials_still_writes(tmp_path):
    s = hpt.Study(SPACE, strategy="random", max_trials=2)
    while (t := s.ask()) is not None:
        t.tell(1.0)
    text = hpt.report.render(s)
    assert "Parameter importance: not shown" in text
    assert text.count("<tr class=\"complete\">") == 2


def test_command_line(hb_journal, tmp_path, env_with_lib):
    out = tmp_path / "cli.html"
    r = subprocess.run([sys.executable, "-m", "hpt", "report", hb_journal, "-o", str(out)],
                       env=env_with_lib, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10000
    r = subprocess.run([sys.executable, "-m", "hpt", "report", str(tmp_path / "none.hptj")],
                       env=env_with_lib, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "No such file" in r.stderr


@needs_chromium
def test_opens_in_chromium(hb_report, tmp_path):
    shot = tmp_path / "shot.png"
    rc, _, err = _chromium(hb_report.as_uri(), tmp_path, "--window-size=1200,1600",
                           "--screenshot=%s" % shot)
    assert rc == 0, err[-2000:]
    assert _console_errors(err) == []
    import matplotlib.image
    px = matplotlib.image.imread(str(shot))[..., :3]
    assert px.shape[:2] == (1600, 1200)
    # not blank: a good share of non-white pixels, and several colours
    non_white = (px.sum(axis=2) < 2.9).mean()
    assert non_white > 0.03
    assert len({tuple(c) for c in (px[::7, ::7].reshape(-1, 3) * 16).astype(int)}) > 20


@needs_chromium
def test_console_check_catches_errors(tmp_path):
    """The console check above can fail: a page with a script error trips it."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction();</script>")
    rc, _, err = _chromium(bad.as_uri(), tmp_path, "--dump-dom")
    assert _console_errors(err), err[-2000:]


@needs_chromium
def test_table_sorts_on_click(hb_report, tmp_path):
    text = hb_report.read_text(encoding="utf-8")
    # click the "value" header once (ascending), then dump the DOM
    click = ("<script>document.querySelectorAll('#trials th')[2].click();</script>"
             "</body>")
    page = tmp_path / "click.html"
    page.write_text(text.replace("</body>", click), encoding="utf-8")
    rc, dom, err = _chromium(page.as_uri(), tmp_path, "--dump-dom")
    assert rc == 0 and _console_errors(err) == []
    body = dom.split('<table id="trials">', 1)[1].split("</tbody>", 1)[0]
    vals = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        vals.append(float(cells[2]) if cells[2] else None)
    nums = [v for v in vals if v is not None]
    assert nums == sorted(nums) and len(nums) > 20
    assert vals[len(nums):] == [None] * (len(vals) - len(nums))   # empty cells last


def test_two_objective_report(tmp_path):
    """Several objectives (from hand-built data until the core has them):
    the summary lists the front and the Pareto plot is drawn."""
    from hpt.visualization import Param, StudyData, TrialData
    pts = [(0.1, 9.0), (0.2, 4.0), (0.4, 1.0), (0.3, 5.0), (0.5, 2.0)]   # front: 0, 1, 2
    trials = [TrialData(i, "complete", {"w": float(i)}, v, start=i, end=i + 0.5)
              for i, v in enumerate(pts)]
    sd = StudyData([Param("w", "float", 0, 10)], trials, "random",
                   ("minimize", "minimize"))
    text = hpt.report.render(sd)
    assert "<th>Pareto front</th><td>3 trials: 0 (0.1, 9), 1 (0.2, 4), 2 (0.4, 1)" in text
    assert 'data-title="Pareto front"><svg' in text
    assert "http://" not in text
