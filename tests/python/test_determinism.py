"""Same seed -> same trials, and the same trials as the C API gives."""
import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

import hpt
from hpt import _lib


SEEDS = [0, 1, 2 ** 64 - 1]


def run(strategy, seed, space, n=30):
    study = hpt.Study(space, strategy, seed=seed)
    out = []
    for i in range(n):
        t = study.ask()
        out.append(t.params)
        t.tell(float(i % 7))
    return out


@pytest.mark.parametrize("strategy", ["grid", "random", "sobol"])
@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_trials(space6, strategy, seed):
    assert run(strategy, seed, space6) == run(strategy, seed, space6)


def test_other_seed_other_trials(space6):
    assert run("random", 1, space6) != run("random", 2, space6)


def raw_c_trials(strategy, seed, n):
    """The 6-D space of the space6 fixture built and asked through the raw
    C functions, without the binding's classes."""
    L = _lib.lib
    sp = ctypes.c_void_p()
    assert L.hpt_space_create(ctypes.byref(sp)) == 0
    assert L.hpt_space_add_float(sp, b"x", -2.0, 3.0, 0) == 0
    assert L.hpt_space_add_float(sp, b"lr", 1e-5, 1e-1, 1) == 0
    assert L.hpt_space_add_float(sp, b"mom", 0.5, 0.999, 2) == 0
    assert L.hpt_space_add_int(sp, b"n", -3, 7, 0) == 0
    assert L.hpt_space_add_int(sp, b"width", 1, 1024, 1) == 0
    labels = (ctypes.c_char_p * 4)(b"relu", b"None", b"3", b"(1, 2)")
    assert L.hpt_space_add_categorical(sp, b"act", labels, 4) == 0
    st = ctypes.c_void_p()
    assert L.hpt_study_create(sp, strategy.encode(), 0, seed, ctypes.byref(st)) == 0
    L.hpt_space_destroy(sp)
    rows = []
    tid = ctypes.c_int64()
    buf = (ctypes.c_double * 6)()
    for i in range(n):
        assert L.hpt_study_ask(st, ctypes.byref(tid)) == 0 and tid.value == i
        assert L.hpt_trial_params(st, tid, buf, 6) == 0
        rows.append(list(buf))
        assert L.hpt_study_tell(st, tid, float(i % 7)) == 0
    L.hpt_study_destroy(st)
    return rows


def as_dense(params, space6):
    row = []
    for name, d in space6.items():
        v = params[name]
        row.append(float(d.index(v)) if isinstance(d, hpt.Categorical) else float(v))
    return row


@pytest.mark.parametrize("strategy", ["random", "sobol", "grid"])
def test_binding_equals_raw_c_calls(space6, strategy):
    py = [as_dense(p, space6) for p in run(strategy, 42, space6)]
    assert py == raw_c_trials(strategy, 42, 30)


C_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include "hpt.h"
int main(int argc, char **argv)
{
    hpt_space *sp; hpt_study *st; int64_t id; double v[6];
    const char *acts[] = {"relu", "None", "3", "(1, 2)"};
    uint64_t seed = strtoull(argv[2], NULL, 10);
    if (argc != 3 || hpt_space_create(&sp)) return 2;
    hpt_space_add_float(sp, "x", -2.0, 3.0, HPT_SCALE_LINEAR);
    hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG);
    hpt_space_add_float(sp, "mom", 0.5, 0.999, HPT_SCALE_REVERSE_LOG);
    hpt_space_add_int(sp, "n", -3, 7, HPT_SCALE_LINEAR);
    hpt_space_add_int(sp, "width", 1, 1024, HPT_SCALE_LOG);
    hpt_space_add_categorical(sp, "act", acts, 4);
    if (hpt_study_create(sp, argv[1], HPT_MINIMIZE, seed, &st)) return 3;
    hpt_space_destroy(sp);
    for (int i = 0; i < 30; i++) {
        if (hpt_study_ask(st, &id) != HPT_OK) return 4;
        hpt_trial_params(st, id, v, 6);
        for (int j = 0; j < 6; j++) printf("%.17g%c", v[j], j == 5 ? '\n' : ' ');
        hpt_study_tell(st, id, (double)(i % 7));
    }
    hpt_study_destroy(st);
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
@pytest.mark.parametrize("strategy", ["random", "sobol"])
def test_binding_equals_a_c_program(space6, strategy, tmp_path, root):
    lib = Path(hpt.library_path).resolve()
    src = tmp_path / "ask.c"
    src.write_text(C_PROGRAM)
    exe = tmp_path / "ask"
    subprocess.run(["cc", "-std=c11", "-I", str(root / "include"), str(src), "-o", str(exe),
                    str(lib), "-Wl,-rpath," + str(lib.parent)], check=True)
    seed = 2 ** 63 + 5
    out = subprocess.run([str(exe), strategy, str(seed)], capture_output=True, text=True,
                         check=True).stdout
    c_rows = [[float(x) for x in line.split()] for line in out.splitlines()]
    py = [as_dense(p, space6) for p in run(strategy, seed, space6)]
    assert len(c_rows) == 30 and py == c_rows


def test_bayes_same_seed_same_trials():
    space = {"x": hpt.Float(-2, 2), "y": hpt.Float(-2, 2)}

    def go():
        study = hpt.Study(space, "bayes", seed=7)
        out = []
        for _ in range(14):
            t = study.ask()
            out.append(t.params)
            t.tell((t.params["x"] - 0.3) ** 2 + t.params["y"] ** 2)
        return out
    assert go() == go()
