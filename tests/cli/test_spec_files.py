"""hpt-tune --spec on a file that is not a regular file (a FIFO, a device,
a directory) fails at once with a message, instead of waiting for a writer
or reading without end."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = os.environ.get("HPT_TUNE") or str(ROOT / "build" / "hpt-tune")

if not os.access(BIN, os.X_OK):
    pytest.skip(f"{BIN} not built", allow_module_level=True)


def spec_run(path, cwd):
    return subprocess.run([BIN, "--spec", str(path)], cwd=cwd, capture_output=True,
                          text=True, timeout=20)


def test_fifo_spec(tmp_path):
    fifo = tmp_path / "job.spec"
    os.mkfifo(fifo)
    r = spec_run(fifo, tmp_path)
    assert r.returncode != 0
    assert "not a regular file" in r.stderr


@pytest.mark.parametrize("path", ["/dev/zero", "DIR"])
def test_device_or_directory_spec(tmp_path, path):
    if path == "DIR":
        path = tmp_path
    elif not os.access(path, os.R_OK):
        pytest.skip(f"{path} not readable")
    r = spec_run(path, tmp_path)
    assert r.returncode != 0
    assert "not a regular file" in r.stderr
