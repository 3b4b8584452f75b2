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
so they survive the death of the process; they are not fsynced. A load
writes nothing until its study is written to (History(deferred=True)).

The file has one writer: the core journal may be shared by several
writers, but two front-end studies appending here would number their
trials over each other. The writer holds an flock() on the file, which
another open (another process, or a second object here) cannot take:
hpt.JournalLocked.
"""
import fcntl
import json
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _lib

SUFFIX = ".hpt-run"
#: 2: a stepped parameter's "x" is its value (format 1: the index k of
#: lo + k step, from before the library had steps).
FORMAT = 2


class History:
    """An append-only JSON-lines file (or nothing, for in-memory studies).

    deferred=True (a load): nothing is opened, locked or written until the
    first add() after release(); what the load itself adds (its adoption
    of other writers' trials, settlements) waits in memory and goes out
    with that first write. A load that is only read writes nothing, and
    never meets the lock of the front-end study that writes the file.
    `size` is the file's length the load read (0: no file): a file that
    grew meanwhile had another writer, and the first write refuses it
    rather than number trials over that writer's."""

    def __init__(self, path: Optional[str], deferred: bool = False, size: int = 0) -> None:
        self.path = path
        self._fd: Optional[int] = None
        self._pending: Optional[List[Any]] = [] if deferred else None
        self._held = deferred
        self._size = size
        if path is not None and not deferred:
            self._fd = self._open(path)

    @staticmethod
    def _open(path: str) -> int:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _lib.JournalLocked(
                "%s is held by another front-end study (one writer per storage); "
                "several processes share a journal through hpt.Study, and "
                "hpt.visualization.read_journal reads it without taking it" % path)
        return fd

    @property
    def on(self) -> bool:
        """Whether records go anywhere (callers skip building them if not)."""
        return self._fd is not None or (self.path is not None and self._pending is not None)

    def hold(self) -> None:
        """Keep what is added in memory again, until release()."""
        if self._pending is not None:
            self._held = True

    def release(self) -> None:
        """The load is done: the next add() writes (see the class)."""
        self._held = False

    @property
    def waiting(self) -> bool:
        """Whether a released deferred History has not written yet."""
        return self._pending is not None and self.path is not None and not self._held

    def take(self) -> None:
        """Become the file's writer now (a deferred load's first change
        calls it before touching the core journal, so a refusal leaves
        nothing half-done); a no-op once writing or for a plain History."""
        if self.waiting:
            assert self.path is not None
            self._flush(self.path)

    def add_later(self, make: Callable[[], List[Dict[str, Any]]]) -> None:
        """add() each record make() returns, made only when they are written
        (at once for a History that writes already)."""
        if self._pending is not None:
            self._pending.append(make)
            if not self._held and self.path is not None:
                self._flush(self.path)
            return
        if self._fd is not None:
            for rec in make():
                self.add(rec)

    def add(self, record: Dict[str, Any]) -> None:
        if self._pending is not None:
            self._pending.append(record)
            if self._held or self.path is None:
                return
            self._flush(self.path)
            return
        if self._fd is None:
            return
        line = json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n"
        os.write(self._fd, line.encode("utf-8"))

    def _flush(self, path: str) -> None:
        assert self._pending is not None
        fd = self._open(path)
        if os.fstat(fd).st_size != self._size:
            os.close(fd)
            raise _lib.JournalLocked(
                "%s changed since this study was loaded (another front-end study wrote "
                "it): load it again to write to it" % path)
        recs: List[Dict[str, Any]] = []
        for r in self._pending:
            if callable(r):
                recs.extend(r())
            else:
                recs.append(r)
        text = "".join(json.dumps(r, separators=(",", ":"), allow_nan=True) + "\n"
                       for r in recs)
        data = text.encode("utf-8")
        while data:     # one write() each line would cost a system call per record
            n = os.write(fd, data)
            data = data[n:]
        self._fd, self._pending = fd, None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._pending = None


def read(path: str) -> List[Dict[str, Any]]:
    """Every complete record of a history file (a torn last line, from a
    crash in the middle of a write, is ignored)."""
    return read_sized(path)[0]


def read_sized(path: str) -> Tuple[List[Dict[str, Any]], int]:
    """read(), and the length of the file it read (History's size=)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data[:data.rfind(b"\n") + 1].decode("utf-8").splitlines()
    # One parse of the whole file: a load reads tens of thousands of lines.
    out: List[Dict[str, Any]] = json.loads("[" + ",".join(lines) + "]")
    return out, len(data)


def jsonable(value: Any) -> bool:
    """Whether `value` round-trips through the history file unchanged
    (None, bool, int, float, str: Optuna's categorical choices)."""
    return value is None or isinstance(value, (bool, int, float, str))
