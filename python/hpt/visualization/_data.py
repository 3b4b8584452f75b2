"""What the plots and the report read: a plain snapshot of a study.

A StudyData comes from a journal file (parsed here, in pure Python, so that
a job that is still running can be read without taking its lock: the
format is documented in hpt.h, "Journal and resume"), from an hpt.Study
(through its journal when it has one, since only the journal holds the
trials' times; else through its public trial accessors), or is built by
hand (tests, other tools). Parameters of a trial may be None: a
conditional parameter that was not active in that trial.
"""
import ctypes
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from .. import _journalfile
from .._space import unescape

if TYPE_CHECKING:
    from .._frontend import DefineByRunStudy
    from .._study import Study

STATES = ("running", "complete", "failed", "pruned")


@dataclass
class Param:
    """One parameter: kind "float", "int" or "categorical"; lo, hi for
    numbers; scale "linear", "log" or "reverse_log"; choices (labels, as
    strings) for categoricals."""
    name: str
    kind: str
    lo: float = 0.0
    hi: float = 0.0
    scale: str = "linear"
    choices: Tuple[str, ...] = ()

    @property
    def log(self) -> bool:
        return self.scale == "log" and self.lo > 0

    def describe(self) -> str:
        if self.kind == "categorical":
            return "categorical {%s}" % ", ".join(self.choices)
        lo, hi = (int(self.lo), int(self.hi)) if self.kind == "int" else (self.lo, self.hi)
        return "%s [%s, %s]%s" % (self.kind, lo, hi,
                                  "" if self.scale == "linear" else " " + self.scale)


@dataclass
class TrialData:
    """One trial. params: name -> value (categoricals as their label, None
    when inactive); value: complete or pruned trials' value (a float), or for
    several objectives a tuple; start, end: seconds of the study's active
    time when it was asked and finished (None when unknown); constraints:
    the values told (a study with constraints), feasible: whether each is
    <= 0 (True without constraints)."""
    id: int
    state: str
    params: Dict[str, Any]
    value: Any = None
    budget: float = 0.0
    parent: Optional[int] = None
    reports: List[Tuple[float, float]] = field(default_factory=list)
    fail_reason: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None
    # journal line numbers of the ask and of the end: the order of events
    # when the millisecond times tie
    seq: Optional[Tuple[int, Optional[int]]] = None
    constraints: Optional[Tuple[float, ...]] = None
    feasible: bool = True


@dataclass
class StudyData:
    """A study as the plots see it. directions: one per objective
    ("minimize"/"maximize"); journal: the file it was read from, if any."""
    params: List[Param]
    trials: List[TrialData]
    strategy: str = ""
    directions: Tuple[str, ...] = ("minimize",)
    seed: int = 0
    options: Dict[str, Any] = field(default_factory=dict)
    done_reason: str = ""
    journal: Optional[str] = None
    name: str = ""
    importance: Optional[Dict[str, Tuple[float, float]]] = None
    objectives: Tuple[str, ...] = ()    # names of several objectives, if any
    # times are wall-clock seconds since the journal's first "clock" record
    # (several writers, resumed jobs), not the study's active time
    wall_clock: bool = False
    # the live study it was loaded from (for importance through its handle)
    _study: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def direction(self) -> str:
        return self.directions[0]

    @property
    def maximize(self) -> bool:
        return self.direction == "maximize"

    @property
    def has_times(self) -> bool:
        return any(t.start is not None for t in self.trials)

    @property
    def multi_fidelity(self) -> bool:
        return len({t.budget for t in self.trials}) > 1 or any(
            t.parent is not None for t in self.trials)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def by_state(self, state: str) -> List[TrialData]:
        return [t for t in self.trials if t.state == state]

    def best_trial(self) -> Optional[TrialData]:
        """As hpt_study_best: the best complete trial among those of the
        largest budget (values at different budgets do not compare); None
        when none is complete or the study has several objectives."""
        done = [t for t in self.trials if t.state == "complete"
                and isinstance(t.value, float)]
        if not done:
            return None
        top = max(t.budget if t.budget > 0 else float("inf") for t in done)
        done = [t for t in done if (t.budget if t.budget > 0 else float("inf")) == top]
        key: Callable[[TrialData], Any] = ((lambda t: -t.value) if self.maximize
                                            else (lambda t: t.value))
        return min(done, key=lambda t: (key(t), t.id))


# ---- journal ------------------------------------------------------------------------

_unescape = unescape  # the journal's %XX escapes (_space.py)


def _num(s: str) -> Union[int, float]:
    v = float(s)
    return int(v) if v.is_integer() and "." not in s and "e" not in s.lower() else v


#: A file path, as open() takes it.
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
#: What the plots take: a StudyData, a journal path, an hpt.Study or the
#: study of hpt.create_study (read through the same public accessors).
StudySource = Union["StudyData", PathArg, "Study", "DefineByRunStudy"]


def _seq_end(t: TrialData, no: int) -> None:
    """Record the journal line that ended t (its ask set seq)."""
    assert t.seq is not None
    t.seq = (t.seq[0], no)


def read_journal(path: PathArg) -> StudyData:
    """Parse a journal (hpt.h, "Journal and resume") into a StudyData. A
    torn last line (no newline or a bad checksum) is ignored, as
    hpt_study_load does; damage elsewhere raises ValueError with the line
    number."""
    with open(path, "rb") as fh:
        data = fh.read()
    lines = data.split(b"\n")
    complete = lines[:-1]            # the part after the last newline is torn or empty
    params: List[Param] = []
    trials: Dict[int, TrialData] = {}
    options: Dict[str, Any] = {}
    strategy, direction, seed = "", "minimize", 0
    directions: Optional[Tuple[str, ...]] = None
    n_con = 0
    conds: List[Tuple[str, str, Any]] = []
    version = 0
    # "clock <ms> <unix_ms>": a record at active time ms' that follows it
    # happened at unix_ms + ms' - ms (hpt.h); each writer anchors its own
    anchor: Optional[Tuple[int, int]] = None
    origin: Optional[int] = None

    def when(ms: int) -> float:
        if anchor is None or origin is None:
            return ms / 1000.0
        return (anchor[1] + ms - anchor[0] - origin) / 1000.0
    for no, raw in enumerate(complete, 1):
        try:
            f = _journalfile.fields(raw, no, version)
        except (ValueError, UnicodeDecodeError) as e:
            if no == len(complete):
                break                # a torn last record
            raise ValueError("%s: line %d: %s" % (os.fsdecode(path), no, e))
        kind = f[0]
        if kind == "hpt-journal":
            version = int(f[1])
            continue
        if kind == "create":
            strategy, direction, seed = f[1], f[2], int(f[3])
        elif kind == "param":
            name = _unescape(f[1])
            if f[2] == "categorical":
                params.append(Param(name, "categorical", 0, int(f[3]) - 1,
                                    choices=tuple(_unescape(c) for c in f[4:])))
            else:
                params.append(Param(name, f[2], float(f[4]), float(f[5]), f[3]))
        elif kind == "cond":
            # (child, parent, set of choice labels or (lo, hi))
            rule: Any = ({_unescape(c) for c in f[5:5 + int(f[4])]} if f[3] == "in"
                         else (float(f[4]), float(f[5])))
            conds.append((_unescape(f[1]), _unescape(f[2]), rule))
        elif kind == "clock":
            anchor = (int(f[1]), int(f[2]))
            if origin is None:
                origin = anchor[1]
        elif kind == "objectives":
            directions = tuple(f[2:2 + int(f[1])])
        elif kind == "constraints":
            n_con = int(f[1])
        elif kind in ("option", "option_str"):
            options[_unescape(f[1])] = _num(f[2]) if kind == "option" else _unescape(f[2])
        elif kind == "ask":
            tid, ms, budget, parent = int(f[1]), int(f[2]), float(f[3]), int(f[4])
            xs = f[5:]
            p: Dict[str, Any] = {}
            for prm, x in zip(params, xs):
                if prm.kind == "categorical":
                    p[prm.name] = prm.choices[int(float(x))]
                elif prm.kind == "int":
                    p[prm.name] = int(float(x))
                else:
                    p[prm.name] = float(x)
            if conds:
                p = _active_only(p, conds)
            trials[tid] = TrialData(tid, "running", p, None, budget,
                                    parent if parent >= 0 else None, [], None, when(ms),
                                    seq=(no, None))
        elif kind == "report":
            trials[int(f[1])].reports.append((float(f[3]), float(f[4])))
        elif kind == "tell":
            t = trials[int(f[1])]
            n_obj = len(directions) if directions else 1
            vals = tuple(float(v) for v in f[3:3 + n_obj])
            t.state, t.end = "complete", when(int(f[2]))
            t.value = vals if n_obj > 1 else vals[0]
            if n_con:
                t.constraints = tuple(float(v) for v in f[3 + n_obj:3 + n_obj + n_con])
                t.feasible = all(c <= 0 for c in t.constraints)
            _seq_end(t, no)
        elif kind == "fail":
            t = trials[int(f[1])]
            t.state, t.end, t.feasible = "failed", when(int(f[2])), False
            _seq_end(t, no)
            t.fail_reason = _unescape(f[3]) if len(f) > 3 else ""
        elif kind == "prune":
            t = trials[int(f[1])]
            t.end = when(int(f[2]))
            _seq_end(t, no)
            if t.reports:
                t.state, t.value = "pruned", t.reports[-1][1]
            else:                    # hpt_study_prune without reports fails the trial
                t.state, t.fail_reason = "failed", ""
    sd = StudyData(params, [trials[k] for k in sorted(trials)], strategy,
                   directions or (direction,),
                   seed, options, journal=os.fsdecode(path),
                   name=os.path.basename(os.fsdecode(path)), wall_clock=origin is not None)
    sd.done_reason = _derived_done_reason(sd)
    return sd


def _active_only(p: Dict[str, Any], conds: List[Tuple[str, str, Any]]) -> Dict[str, Any]:
    """The parameters whose conditions hold (the journal stores a value for
    every parameter; an inactive one's is a placeholder)."""
    memo: Dict[str, bool] = {}

    def active(name: str, depth: int = 0) -> bool:
        if name not in memo:
            ok = True
            for child, parent, rule in conds:
                if child != name or not ok:
                    continue
                if depth > len(conds) or not active(parent, depth + 1):
                    ok = False
                    continue
                v: Any = p.get(parent)
                ok = v in rule if isinstance(rule, set) else rule[0] <= float(v) <= rule[1]
            memo[name] = ok
        return memo[name]
    return {k: v for k, v in p.items() if active(k)}


def _derived_done_reason(sd: StudyData) -> str:
    """The journal does not record why a study ended; what it shows."""
    limit = sd.options.get("max_trials")
    running = sum(t.state == "running" for t in sd.trials)
    if limit and len(sd.trials) >= limit:
        return "max_trials" + (" (%d still running)" % running if running else "")
    return ""


# ---- hpt.Study ----------------------------------------------------------------------

def _label(spec: Any, value: Any) -> Any:
    labels = getattr(spec, "labels", None)
    if labels is None:
        return value
    return labels[spec.index(value)]


def _from_study(study: Union["Study", "DefineByRunStudy"]) -> StudyData:
    from .._space import Categorical, Int
    params: List[Param] = []
    for name, spec in study.space.items():
        if isinstance(spec, Categorical):
            params.append(Param(name, "categorical", 0, len(spec.choices) - 1,
                                choices=tuple(spec.labels)))
        else:
            scale = spec.scale
            if not isinstance(scale, str):   # an HPT_SCALE_* code
                scale = {1: "log", 2: "reverse_log"}.get(int(scale), "linear")
            params.append(Param(name, "int" if isinstance(spec, Int) else "float",
                                float(spec.lo), float(spec.hi), scale))
    trials: List[TrialData] = []
    for t in study.trials:
        state = t.state.name.lower() if hasattr(t.state, "name") else str(t.state)
        p = {n: _label(study.space[n], v) for n, v in t.params.items()}
        value: Any = t.value
        if len(study.directions) > 1 and t.values is not None and state == "complete":
            value = tuple(t.values)
        cons = getattr(t, "constraints", None)
        feasible = getattr(t, "feasible", None)
        trials.append(TrialData(t.id, state, p, value, getattr(t, "budget", 0.0),
                                getattr(t, "parent", None), list(getattr(t, "reports", ())),
                                getattr(t, "fail_reason", None), constraints=cons,
                                feasible=state == "complete" if feasible is None
                                else bool(feasible)))
    try:
        reason = study.done_reason
    except Exception:
        reason = ""
    return StudyData(params, trials, study.strategy, tuple(study.directions), study.seed,
                     dict(study.options), reason)


def load(source: StudySource) -> StudyData:
    """A StudyData from a StudyData (returned as is), a journal path or an
    hpt.Study. A Study with a journal is read from it, for the trial times;
    the live study still gives the completion reason."""
    if isinstance(source, StudyData):
        return source
    if isinstance(source, (str, bytes, os.PathLike)):
        return read_journal(source)
    journal = getattr(source, "journal", None)
    if journal and os.path.exists(journal):
        sd = read_journal(journal)
        try:
            sd.done_reason = source.done_reason or sd.done_reason
        except Exception:
            pass
        sd._study = source   # for importance through the live handle
        return sd
    sd = _from_study(source)
    sd._study = source
    return sd


# ---- importance (hpt_study_importance_sobol) ---------------------------------------

def _sobol_from_handle(lib: Any, h: Any, n: int) -> Tuple[int, List[float], List[float]]:
    first, total = (ctypes.c_double * n)(), (ctypes.c_double * n)()
    rc = lib.hpt_study_importance_sobol(h, first, total, n)
    return rc, first[:], total[:]


def importance(sd: StudyData) -> Dict[str, Tuple[float, float]]:
    """{name: (first-order, total)} Sobol indices from the C library
    (hpt_study_importance_sobol), computed on the live study when there is
    one, else on the journal (hpt_study_load); sd.importance when it was
    set by hand. Raises hpt.Error (e.g. hpt.TrialStateError: too few
    complete trials)."""
    if sd.importance is not None:
        return sd.importance
    from .. import _lib
    n = len(sd.params)
    study = getattr(sd, "_study", None)
    h = getattr(study, "_h", None) if study is not None else None
    if h:
        rc, first, total = _sobol_from_handle(_lib.lib, h, n)
    elif sd.journal:
        # declared here, not in _lib, until the binding grows its own load
        load_fn = getattr(_lib.lib, "hpt_study_load", None)
        if load_fn is None:
            raise NotImplementedError("libhpt %s has no hpt_study_load" % _lib.version())
        load_fn.restype, load_fn.argtypes = ctypes.c_int, [ctypes.c_char_p,
                                                            ctypes.POINTER(ctypes.c_void_p)]
        h = ctypes.c_void_p()
        _lib.check(load_fn(os.fsencode(sd.journal), ctypes.byref(h)))
        try:
            rc, first, total = _sobol_from_handle(_lib.lib, h, n)
        finally:
            _lib.lib.hpt_study_destroy(h)
    else:
        raise ValueError("importance needs a study or a journal")
    _lib.check(rc)
    sd.importance = {p.name: (a, b) for p, a, b in zip(sd.params, first, total)}
    return sd.importance
