"""The define-by-run front end's own record, next to the core journal.

<storage>.hpt-run holds, one JSON object per line, what the core journal
cannot: the parameters each trial actually suggested (a branch may leave
some of the core's parameters unused), their distributions, the spaces of
earlier generations, user and system attributes, wall-clock timestamps,
enqueued configurations and the seed drawn when none was given. The core
journal at <storage> stays the authority on what the strategy asked and was
told; on load the two are reconciled (see DefineByRunStudy). Until the core
has attributes and conditional parameters this file is where they live.

Lines are written with one write() each (O_APPEND) before the call returns,
so they survive the death of the process; they are not fsynced.

The file has one writer: the core journal may be shared by several
writers, but two front-end studies appending here would number their
trials over each other. The writer holds an flock() on the file, which
another open (another process, or a second object here) cannot take:
hpt.JournalLocked.
"""
import fcntl
import json
import os
from typing import Any, Dict, List, Optional

from . import _lib

SUFFIX = ".hpt-run"
#: 2: a stepped parameter's "x" is its value (format 1: the index k of
#: lo + k step, from before the library had steps).
FORMAT = 2


class History:
    """An append-only JSON-lines file (or nothing, for in-memory studies)."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = path
        self._fd: Optional[int] = None
        if path is not None:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise _lib.JournalLocked(
                    "%s is held by another front-end study (one writer per storage); "
                    "several processes share a journal through hpt.Study, and "
                    "hpt.visualization.read_journal reads it without taking it" % path)
            self._fd = fd

    @property
    def on(self) -> bool:
        """Whether records go anywhere (callers skip building them if not)."""
        return self._fd is not None

    def add(self, record: Dict[str, Any]) -> None:
        if self._fd is None:
            return
        line = json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n"
        os.write(self._fd, line.encode("utf-8"))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def read(path: str) -> List[Dict[str, Any]]:
    """Every complete record of a history file (a torn last line, from a
    crash in the middle of a write, is ignored)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data[:data.rfind(b"\n") + 1].decode("utf-8").splitlines()
    # One parse of the whole file: a load reads tens of thousands of lines.
    out: List[Dict[str, Any]] = json.loads("[" + ",".join(lines) + "]")
    return out


def jsonable(value: Any) -> bool:
    """Whether `value` round-trips through the history file unchanged
    (None, bool, int, float, str: Optuna's categorical choices)."""
    return value is None or isinstance(value, (bool, int, float, str))
