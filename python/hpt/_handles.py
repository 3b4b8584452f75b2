"""Which objects of this process hold which journal.

Several studies may write one journal together (the library's default),
so reopening a journal from a new object (a re-run notebook cell) simply
adds a writer: the old object stays usable, and when it is collected its
running trials become stale to the others. An exclusive holder is the one
case that would make the re-run fail with JournalLocked, so exclusivity is
settled here: a new exclusive holder closes this process's other holders
of the journal, and any new holder closes a previous exclusive one. The
define-by-run front end holds its storage exclusively in this sense, as
its history file has one writer.
"""
import os
import threading
import weakref
from typing import Any, Dict, List, Tuple

_lock = threading.Lock()
#: journal key -> [(weak reference to a holder, whether it is exclusive)]
_holders: "Dict[str, List[Tuple[weakref.ReferenceType[Any], bool]]]" = {}


def key(path: "str | os.PathLike[str]") -> str:
    """The journal's identity: its real path (symlinks and ./ resolved)."""
    return os.path.realpath(os.fspath(path))


def take(path: "str | os.PathLike[str]", owner: Any, exclusive: bool = False) -> None:
    """Add `owner` as a holder of `path`, first closing (through their
    close() method) the holders it cannot share the journal with: all
    others when `exclusive`, else the exclusive ones. Taking again as the
    same owner changes nothing but its exclusivity."""
    k = key(path)
    close: List[Any] = []
    with _lock:
        kept: List[Tuple["weakref.ReferenceType[Any]", bool]] = []
        for ref, excl in _holders.get(k, []):
            old = ref()
            if old is None or old is owner:
                continue
            if exclusive or excl:
                close.append(old)
            else:
                kept.append((ref, excl))
        kept.append((weakref.ref(owner), exclusive))
        _holders[k] = kept
    # Outside the lock: closing a holder releases it, which takes the lock.
    for old in close:
        old.close()


def release(path: "str | os.PathLike[str]", owner: Any) -> None:
    """Forget `owner` as a holder of `path` (when it closes)."""
    k = key(path)
    with _lock:
        left = [(ref, excl) for ref, excl in _holders.get(k, [])
                if ref() is not None and ref() is not owner]
        if left:
            _holders[k] = left
        else:
            _holders.pop(k, None)
