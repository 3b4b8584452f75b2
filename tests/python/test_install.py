"""The package as users install it: `make install` into a prefix, and
`pip install --no-build-isolation --no-deps ./python` into a venv made with
--system-site-packages, each importing and running a study against the
installed libhpt (not the checkout's). Skipped with the reason when make,
venv or pip is missing."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hpt

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import hpt, sys
space = {"x": hpt.Float(-1, 1), "k": hpt.Int(0, 3)}
st = hpt.Study(space, "sobol", seed=3, max_trials=16)
st.optimize(lambda t: (t.params["x"] - 0.25) ** 2 + t.params["k"])
assert st.best_value < 0.05, st.best_value
print(hpt.library_path)
print(hpt.__file__)
"""


def _build_dir():
    """The B= of the library under test (HPT_LIBRARY = <root>/<B>/libhpt.so)."""
    lib = Path(hpt.library_path).resolve().parent
    try:
        return str(lib.relative_to(ROOT))
    except ValueError:
        pytest.skip("the library under test is not a build of this checkout")


def _clean_env():
    env = dict(os.environ)
    for k in ("HPT_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH"):
        env.pop(k, None)
    env["PKG_CONFIG_PATH"] = env["PKG_CONFIG_LIBDIR"] = "/nonexistent"
    return env


def _make_install(prefix):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    r = subprocess.run(["make", "--no-print-directory", "-s", "B=" + _build_dir(),
                        "PREFIX=" + str(prefix), "PYTHON=" + sys.executable, "install"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_make_install_installs_a_package_that_finds_the_installed_library(tmp_path):
    prefix = tmp_path / "prefix"
    _make_install(prefix)
    sites = list(prefix.glob("lib/python3*/*-packages/hpt/__init__.py"))
    assert len(sites) == 1, sites
    assert (sites[0].parent / "py.typed").exists()
    r = subprocess.run([sys.executable, "-c", RUN], env=dict(
        _clean_env(), PYTHONPATH=str(sites[0].parent.parent)), cwd=tmp_path,
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lib_path, pkg_file = r.stdout.split()
    assert lib_path.startswith(str(prefix / "lib")), lib_path
    assert pkg_file.startswith(str(prefix)), pkg_file


def test_pip_install_into_a_venv_runs_against_the_installed_library(tmp_path):
    prefix = tmp_path / "prefix"
    _make_install(prefix)
    venv = tmp_path / "venv"
    r = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        pytest.skip("python3 -m venv does not work here: " + r.stderr.strip()[-200:])
    py = venv / "bin" / "python"
    if subprocess.run([str(py), "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not available in the venv (python3-pip missing)")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "python", src, ignore=shutil.ignore_patterns(
        "__pycache__", "build", "*.egg-info", "libdir.txt"))
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-build-isolation",
                        "--no-deps", "--no-index", str(src)], env=_clean_env(),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    env = dict(_clean_env(), LD_LIBRARY_PATH=str(prefix / "lib"))
    r = subprocess.run([str(py), "-c", RUN], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lib_path, pkg_file = r.stdout.split()
    assert pkg_file.startswith(str(venv)), pkg_file
    assert lib_path == "libhpt.so.%d" % hpt._lib.EXPECTED_MAJOR
    maps = subprocess.run([str(py), "-c", "import hpt\nprint(open('/proc/self/maps').read())"],
                          env=env, capture_output=True, text=True, timeout=60).stdout
    assert str(prefix / "lib" / "libhpt.so") in maps


def test_mypy_strict_passes_on_the_package():
    r = subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True)
    if r.returncode != 0:
        pytest.skip("mypy is not installed (Debian: python3-mypy)")
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                        "--cache-dir=/dev/null", "-p", "hpt"], cwd=ROOT / "python",
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


USER_CODE = '''
import hpt
import hpt.visualization as vis


def objective(trial: hpt.DefineByRunTrial) -> float:
    return trial.suggest_float("x", 0.0, 1.0)


def plots(path: str) -> None:
    study = hpt.create_study()
    study.optimize(objective, n_trials=3)
    vis.plot_optimization_history(study)
    vis.plot_slice(hpt.Study({"x": hpt.Float(0.0, 1.0)}), params=["x"])
    vis.plot_edf([path, study])
    stopped: bool = hpt.Study({"x": hpt.Float(0.0, 1.0)}).report(0, 1.0, 2.0)
    hpt.Study({"x": hpt.Float(0.0, 1.0)}).report(path)
    print(stopped)
'''


def test_mypy_accepts_user_code_mixing_the_front_end_and_the_plots(tmp_path):
    """The plots take hpt.create_study's study, and Study.report is typed
    both ways (a trial's step -> bool; a path -> the HTML report)."""
    r = subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True)
    if r.returncode != 0:
        pytest.skip("mypy is not installed (Debian: python3-mypy)")
    (tmp_path / "user.py").write_text(USER_CODE)
    r = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                        "--cache-dir=/dev/null", "user.py"], cwd=tmp_path,
                       env=dict(os.environ, MYPYPATH=str(ROOT / "python")),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
