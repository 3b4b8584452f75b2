"""hpt-tune --report JOURNAL -o FILE: the report is written by the Python
package (python3 -m hpt report), and a missing interpreter or package is
named with what to install."""
import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = os.environ.get("HPT_TUNE") or str(ROOT / "build" / "hpt-tune")

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)
if os.environ.get("HPT_SANITIZED"):
    # The report runs in Python, which cannot load a sanitizer-built
    # libhpt (the Python tests are skipped in that build for the same reason).
    pytest.skip("the sanitizer build: no Python", allow_module_level=True)


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python")
    env["HPT_LIBRARY"] = str(Path(BIN).parent / "libhpt.so")
    env.update(extra)
    return env


def _journal(tmp_path):
    """A small journal written through the Python binding."""
    code = ("import hpt\n"
            "s = hpt.Study({'x': hpt.Float(0, 1), 'k': hpt.Int(1, 3)}, strategy='random',\n"
            "              max_trials=10, journal=%r)\n"
            "while (t := s.ask()) is not None:\n"
            "    t.tell(t.params['x'] * t.params['k'])\n" % str(tmp_path / "j.hptj"))
    subprocess.run(["/usr/bin/python3", "-c", code], env=_env(), check=True, timeout=60)
    return tmp_path / "j.hptj"


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="the report needs python3-matplotlib")
def test_report_flag_writes_the_report(tmp_path):
    j = _journal(tmp_path)
    out = tmp_path / "r.html"
    r = subprocess.run([BIN, "--report", str(j), "-o", str(out)], env=_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count('<tr class="complete">') == 10 and "http://" not in text


def test_report_flag_says_what_to_install(tmp_path):
    r = subprocess.run([BIN, "--report", str(tmp_path / "j.hptj"), "-o", "x.html"],
                       env=_env(HPT_PYTHON=str(tmp_path / "no-python")), cwd=tmp_path,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "apt install python3 python3-matplotlib" in r.stderr
    assert not (tmp_path / "x.html").exists()
