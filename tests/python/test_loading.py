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


def test_without_hpt_library_a_checkout_build_is_the_last_resort(env_with_lib, root):
    env = dict(env_with_lib)
    del env["HPT_LIBRARY"]
    env.pop("LD_LIBRARY_PATH", None)
    env["PKG_CONFIG_PATH"] = "/nonexistent"
    env["PKG_CONFIG_LIBDIR"] = "/nonexistent"
    r = run_py("import hpt; print(hpt.library_path)", env)
    local = root / "build" / "libhpt.so"
    if local.exists() and not _installed_elsewhere(env):
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == str(local)


def _installed_elsewhere(env):
    probe = "import ctypes; ctypes.CDLL('libhpt.so.%d')" % _lib.EXPECTED_MAJOR
    return run_py(probe, env).returncode == 0


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


def _copy_package(tmp_path):
    import shutil
    pkg = tmp_path / "site" / "deep"
    shutil.copytree(PKG, pkg / "hpt", ignore=shutil.ignore_patterns("__pycache__", "libdir.txt"))
    return pkg


def _env_without_library(env_with_lib, pkg):
    env = dict(env_with_lib, PYTHONPATH=str(pkg))
    del env["HPT_LIBRARY"]
    env.pop("LD_LIBRARY_PATH", None)
    env["PKG_CONFIG_PATH"] = "/nonexistent"
    env["PKG_CONFIG_LIBDIR"] = "/nonexistent"
    return env


def test_no_library_anywhere_lists_every_place_tried(env_with_lib, tmp_path):
    env = _env_without_library(env_with_lib, _copy_package(tmp_path))
    if _installed_elsewhere(env):   # an installed libhpt exists on this machine
        return
    r = run_py("import hpt", env)
    assert r.returncode != 0
    assert "tried, in order" in r.stderr
    for where in ("dynamic loader", "checkout", "HPT_LIBRARY"):
        assert where in r.stderr, where


def test_dynamic_loader_finds_the_soname(env_with_lib, tmp_path):
    """No HPT_LIBRARY, no checkout: the loader resolves libhpt.so.MAJOR
    (here through LD_LIBRARY_PATH, as for a library in /usr/local/lib)."""
    env = _env_without_library(env_with_lib, _copy_package(tmp_path))
    env["LD_LIBRARY_PATH"] = str(Path(env_with_lib["HPT_LIBRARY"]).resolve().parent)
    r = run_py("import hpt; print(hpt.library_path, hpt.library_version())", env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("libhpt.so.%d " % _lib.EXPECTED_MAJOR)


def test_libdir_hint_and_pkg_config_come_before_the_loader(env_with_lib, tmp_path):
    """An installed package's libdir.txt (written by make install-python),
    then pkg-config's libdir, name the library's directory."""
    libdir = tmp_path / "lib"
    libdir.mkdir()
    real = Path(env_with_lib["HPT_LIBRARY"]).resolve()
    target = libdir / ("libhpt.so.%d" % _lib.EXPECTED_MAJOR)
    target.symlink_to(real)
    pkg = _copy_package(tmp_path)
    (pkg / "hpt" / "libdir.txt").write_text(str(libdir) + "\n")
    env = _env_without_library(env_with_lib, pkg)
    r = run_py("import hpt; print(hpt.library_path)", env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(target)
    (pkg / "hpt" / "libdir.txt").unlink()
    pc = tmp_path / "pc"
    pc.mkdir()
    (pc / "hpt.pc").write_text("libdir=%s\nName: hpt\nDescription: x\nVersion: 0\n"
                               "Libs: -L${libdir} -lhpt\n" % libdir)
    env["PKG_CONFIG_PATH"] = env["PKG_CONFIG_LIBDIR"] = str(pc)
    r = run_py("import hpt; print(hpt.library_path)", env)
    if r.returncode != 0 and "pkg-config" not in r.stderr:
        return   # no pkg-config program on this machine
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(target)


def test_library_of_another_version_is_skipped_with_its_reason(env_with_lib, tmp_path):
    env = _env_without_library(env_with_lib, _copy_package(tmp_path))
    if _installed_elsewhere(env):
        return
    fake = tmp_path / "libfake.so"
    src = tmp_path / "fake.c"
    src.write_text('const char *hpt_version_string(void) { return "9.9.9"; }\n')
    cc = subprocess.run(["cc", "-shared", "-fPIC", str(src), "-o", str(fake)],
                        capture_output=True, text=True)
    assert cc.returncode == 0, cc.stderr
    env["HPT_LIBRARY"] = str(fake)
    r = run_py("import hpt", env)
    assert r.returncode != 0
    assert "9.9.9" in r.stderr and "needs %d.%d.x" % (_lib.EXPECTED_MAJOR,
                                                      _lib.EXPECTED_MINOR) in r.stderr
