"""Shared fixtures of the Python binding's tests.

Run with HPT_LIBRARY=<build>/libhpt.so PYTHONPATH=python (scripts/run-tests
does); without HPT_LIBRARY the binding finds <checkout>/build/libhpt.so."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "python") not in sys.path:
    sys.path.insert(0, str(ROOT / "python"))

import hpt  # noqa: E402


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def space6():
    """A 6-D mixed space: 3 floats (linear, log, reverse-log), 2 ints
    (linear, log) and a categorical of arbitrary Python objects."""
    return {
        "x": hpt.Float(-2.0, 3.0),
        "lr": hpt.Float(1e-5, 1e-1, log=True),
        "mom": hpt.Float(0.5, 0.999, scale="reverse_log"),
        "n": hpt.Int(-3, 7),
        "width": hpt.Int(1, 1024, log=True),
        "act": hpt.Categorical(["relu", None, 3, (1, 2)]),
    }


@pytest.fixture
def env_with_lib():
    """Environment for subprocesses: the same library and package path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["HPT_LIBRARY"] = hpt.library_path
    return env
