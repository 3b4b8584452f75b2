"""Which object of this process holds which journal.

A journal is locked by the study that writes it, so reopening it from a
new object (re-running a notebook cell) used to fail with JournalLocked
while the old object lived on. The new owner now closes the old one first:
the old object is then closed (its calls raise ValueError), and the file
has exactly one writer, as the lock intends.
"""
import os
import threading
import weakref
from typing import Any, Dict

_lock = threading.Lock()
_owners: "Dict[str, weakref.ReferenceType[Any]]" = {}


def key(path: "str | os.PathLike[str]") -> str:
    """The journal's identity: its real path (symlinks and ./ resolved)."""
    return os.path.realpath(os.fspath(path))


def take(path: "str | os.PathLike[str]", owner: Any) -> None:
    """Make `owner` the holder of `path`, closing the previous live holder
    (anything with a close() method) unless it is `owner` itself."""
    k = key(path)
    with _lock:
        ref = _owners.get(k)
        old = ref() if ref is not None else None
        _owners[k] = weakref.ref(owner)
    if old is not None and old is not owner:
        old.close()


def release(path: "str | os.PathLike[str]", owner: Any) -> None:
    """Forget `owner` as the holder of `path` (when it closes)."""
    k = key(path)
    with _lock:
        ref = _owners.get(k)
        if ref is not None and ref() in (owner, None):
            del _owners[k]
