"""Loading the library, the version check and the declared prototypes."""
import re
import subprocess
import sys
from pathlib import Path

import hpt
from hpt import _lib

PKG = Path(hpt.__file__).resolve().parent


def run_py(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


def test_loads_the_library_named_by_hpt_library(env_with_lib):
    r = run_py("import hpt; print(hpt.library_path)", env_with_lib)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == env_with_lib["HPT_LIBRARY"]


def test_bad_hpt_library_is_an_import_error_naming_it(env_with_lib, tmp_path):
    env = dict(env_with_lib, HPT_LIBRARY=str(tmp_path / "nope.so"))
    r = run_py("import hpt", env)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "nope.so" in r.stderr


def test_without_hpt_library_the_checkout_build_is_used(env_with_lib, root):
    env = dict(env_with_lib)
    del env["HPT_LIBRARY"]
    r = run_py("import hpt; print(hpt.library_path)", env)
    local = root / "build" / "libhpt.so"
    if local.exists():
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == str(local)


def test_version_check_refuses_another_major():
    assert _lib._compatible("%d.%d.7" % (_lib.EXPECTED_MAJOR, _lib.EXPECTED_MINOR))
    assert not _lib._compatible("%d.0.0" % (_lib.EXPECTED_MAJOR + 1))
    assert not _lib._compatible("garbage")
    assert hpt.library_version().startswith("%d." % _lib.EXPECTED_MAJOR)


def test_every_symbol_used_has_a_prototype():
    used = set()
    for f in PKG.glob("*.py"):
        used |= set(re.findall(r"\b(hpt_[a-z0-9_]+)\(", f.read_text()))
    assert used, "no library call found"
    for name in used:
        assert name in _lib.PROTOTYPES, "%s is called without a prototype" % name
        assert getattr(_lib.lib, name).argtypes is not None, name


def test_prototypes_match_the_header(root):
    """Each prototype's arity equals the header declaration's."""
    text = (root / "include" / "hpt.h").read_text()
    decls = dict(re.findall(r"HPT_API\s+[^;]*?\b(hpt_\w+)\s*\(([^)]*)\)\s*;", text, re.S))
    for name, (_res, args) in _lib.PROTOTYPES.items():
        assert name in decls, "%s is not declared in hpt.h" % name
        params = decls[name].strip()
        n = 0 if params in ("", "void") else params.count(",") + 1
        assert n == len(args), "%s: header has %d parameters, binding %d" % (name, n, len(args))


def test_strerror_never_fails():
    assert hpt.strerror(0) == "success"
    assert hpt.strerror(-1) == "invalid argument"
    assert hpt.strerror(-12345)
    assert hpt.strerror(99)


def test_system_library_path_is_the_last_resort(env_with_lib, tmp_path):
    """A copy of the package with no checkout build beside it finds libhpt
    through ctypes.util.find_library (here via LD_LIBRARY_PATH), and says
    where it looked when there is none."""
    import shutil
    pkg = tmp_path / "site" / "deep"
    shutil.copytree(PKG, pkg / "hpt")
    env = dict(env_with_lib, PYTHONPATH=str(pkg))
    del env["HPT_LIBRARY"]
    env.pop("LD_LIBRARY_PATH", None)
    r = run_py("import hpt", env)
    if r.returncode == 0:   # an installed libhpt exists on this machine
        return
    assert "system library path" in r.stderr
    env["LD_LIBRARY_PATH"] = str(Path(env_with_lib["HPT_LIBRARY"]).resolve().parent)
    r = run_py("import hpt; print(hpt.library_path, hpt.library_version())", env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("libhpt.so")
