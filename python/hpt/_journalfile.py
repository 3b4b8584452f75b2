"""The journal's text format read and written from Python (format version 2,
documented in include/hpt.h under "Journal and resume"; version 1, without
the per-line sequence number, is still read).

Two uses: hpt.load_study reads the space, strategy, direction and seed a
journal was created with (so the caller need not repeat them), and the
define-by-run front end writes a *parent journal* holding trials that the
current core study did not ask itself (earlier spaces, enqueued trials),
which hpt_study_warm_start then gives to the model of a rebuilt study.
"""
import ctypes
import math
import os
import zlib
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from . import _lib
from ._space import Categorical, Descriptor, Float, Int, Space, unescape

FORMAT = 2


def _line(body: str, seq: int) -> bytes:
    """One record: its fields, its sequence number (the line number), the
    CRC-32 of the bytes before the CRC."""
    b = ("%s %d" % (body, seq)).encode("utf-8")
    return b + b" %08x\n" % zlib.crc32(b)


def fields(raw: bytes, lineno: int, version: int) -> List[str]:
    """The fields of one journal line (without sequence number and CRC);
    ValueError when its CRC or (format 2) its sequence number is wrong.
    version: the journal's format, from its first line (0 while reading the
    first line itself: both layouts are tried)."""
    body, crc = raw.rstrip(b"\n").rsplit(b" ", 1)
    if zlib.crc32(body) != int(crc, 16):
        raise ValueError("bad checksum")
    f = body.decode("utf-8").split(" ")
    if version == 0:
        version = int(f[1]) if f[0] == "hpt-journal" and len(f) > 1 else 1
    if version >= 2:
        if f[-1] != str(lineno):
            raise ValueError("sequence number %s where %d was due" % (f[-1], lineno))
        f = f[:-1]
    return f


def _num(x: float) -> str:
    # repr gives the shortest text that reads back to the same double, as
    # the library writes; integral values are written without ".0".
    if math.isfinite(x) and x == int(x) and abs(x) < 2 ** 53:
        return "%d" % int(x)
    return repr(x)


def write_parent(path: "str | os.PathLike[str]", space: Mapping[str, Descriptor],
                 direction: "str | Sequence[str]",
                 rows: Iterable[Tuple[Mapping[str, float], "float | Sequence[float]"]],
                 n_constraints: int = 0) -> int:
    """Write a journal of complete trials over `space` (conditions and steps
    included): each row is (core values by name, as Descriptor._core gives
    them; a name left out is a parameter the trial did not have, written as
    the library writes an inactive one; value in the user's direction, or a
    sequence of one per objective when `direction` is a list of several,
    followed by the n_constraints constraint values).
    The creation records are the library's own (a study opened on the file
    and closed); the trials are appended here. Returns the number of trials
    written. `path` must not hold a journal (an empty file is fine)."""
    sp = Space(dict(space))
    try:
        h = ctypes.c_void_p()
        dirs = [direction] if isinstance(direction, str) else list(direction)
        codes = [_lib.MAXIMIZE if d == "maximize" else _lib.MINIMIZE for d in dirs]
        _lib.check(_lib.lib.hpt_study_open(_lib.encode_path(path), sp.handle, b"random",
                                           codes[0], 0, ctypes.byref(h)))
        try:
            if len(codes) > 1:
                _lib.check(_lib.lib.hpt_study_set_objectives(
                    h, (ctypes.c_int32 * len(codes))(*codes), len(codes)))
            if n_constraints:
                _lib.check(_lib.lib.hpt_study_set_constraints(h, n_constraints))
        finally:
            _lib.lib.hpt_study_destroy(h)
        middle = sp.decode([0.5] * len(sp))
    finally:
        sp.close()
    with open(path, "rb") as f:
        seq = sum(1 for _ in f)
    names = list(space)
    bodies = []
    n = 0
    for xs, value in rows:
        told = [value] if isinstance(value, (int, float)) else list(value)
        if not all(math.isfinite(v) for v in told):
            continue
        vals = [xs.get(k, middle[i]) for i, k in enumerate(names)]
        bodies.append("ask %d 0 0 -1 %s" % (n, " ".join(_num(v) for v in vals)))
        bodies.append("tell %d 0 %s" % (n, " ".join(_num(v) for v in told)))
        n += 1
    with open(path, "ab") as f:
        f.write(b"".join(_line(b, seq + k) for k, b in enumerate(bodies, 1)))
    return n


def read_header(path: "str | os.PathLike[str]") -> Dict[str, Any]:
    """The creation records of a journal: dict(strategy=, direction=, seed=,
    space={name: descriptor}) with the space as the library holds it
    (steps and conditions included).
    Raises hpt.CorruptJournal for a file that is not a journal."""
    space: Dict[str, Descriptor] = {}
    steps: Dict[str, float] = {}
    when: Dict[str, Dict[str, Any]] = {}
    head: Dict[str, Any] = {}
    version = 0
    with open(path, "rb") as f:
        for k, raw in enumerate(f, 1):
            try:
                f_ = fields(raw, k, version)
            except (ValueError, UnicodeDecodeError):
                raise _lib.CorruptJournal("%s: line %d is not a journal record" % (path, k))
            if k == 1:
                if f_[0] != "hpt-journal" or len(f_) < 2 or not f_[1].isdigit():
                    raise _lib.CorruptJournal("%s is not an hpt journal" % (path,))
                version = int(f_[1])
                continue
            if f_[0] == "create":
                head = {"strategy": unescape(f_[1]), "direction": f_[2], "seed": int(f_[3])}
            elif f_[0] == "param":
                space[unescape(f_[1])] = _param(f_[2:])
            elif f_[0] == "step":
                steps[unescape(f_[1])] = float(f_[2])
            elif f_[0] == "cond":
                child, parent = unescape(f_[1]), unescape(f_[2])
                if f_[3] == "in":
                    v: Any = [unescape(c) for c in f_[5:5 + int(f_[4])]]
                else:
                    v = (float(f_[4]), float(f_[5]))
                when.setdefault(child, {})[parent] = v
            elif f_[0] == "begin":
                head["space"] = {n: _refine(d, steps.get(n), when.get(n))
                                 for n, d in space.items()}
                return head
    raise _lib.CorruptJournal("%s: the study's creation is incomplete" % (path,))


def read_shape(path: "str | os.PathLike[str]") -> Optional[Tuple[List[int], int]]:
    """(direction codes, number of constraints) a journal's study was given
    with hpt_study_set_objectives / _set_constraints, or None when it has
    one objective and no constraint, or is no journal the library loads
    (no file yet, or one the open that follows refuses, saying why). The
    library reads the records (hpt_study_load): one parser for every path,
    so a malformed record is refused here as on reopen and warm start."""
    try:
        p = _lib.encode_path(path)
    except (ValueError, TypeError, _lib.Error):
        return None
    h = ctypes.c_void_p()
    if _lib.lib.hpt_study_load(p, ctypes.byref(h)) != 0:
        return None
    try:
        dirs = (ctypes.c_int32 * _lib.MAX_OBJECTIVES)()
        n, m = ctypes.c_size_t(), ctypes.c_size_t()
        _lib.check(_lib.lib.hpt_study_objectives(h, dirs, _lib.MAX_OBJECTIVES,
                                                 ctypes.byref(n), ctypes.byref(m)))
    finally:
        _lib.lib.hpt_study_destroy(h)
    if n.value == 1 and m.value == 0:
        # One objective: the default shape unless an "objectives" record
        # turned the creation's direction around, which the open that
        # follows must then be told (it refuses the mismatch, loudly).
        try:
            made = read_header(path).get("direction")
        except _lib.Error:
            return None
        code = _lib.MAXIMIZE if made == "maximize" else _lib.MINIMIZE
        if int(dirs[0]) == code:
            return None
    return [int(dirs[k]) for k in range(n.value)], int(m.value)


def _refine(d: Descriptor, step: Optional[float], when: Optional[Dict[str, Any]]
            ) -> Descriptor:
    if isinstance(d, Float) and (step is not None or when):
        return Float(d.lo, d.hi, scale=d.scale, step=step, when=when)
    if isinstance(d, Int) and (step is not None or when):
        return Int(d.lo, d.hi, scale=d.scale, step=int(step or 1), when=when)
    if isinstance(d, Categorical) and when:
        return Categorical(d.choices, when=when)
    return d


def _param(f: List[str]) -> Descriptor:
    if f[0] == "float":
        return Float(float(f[2]), float(f[3]), scale=f[1])
    if f[0] == "int":
        return Int(int(f[2]), int(f[3]), scale=f[1])
    n = int(f[1])
    return Categorical([unescape(c) for c in f[2:2 + n]])
