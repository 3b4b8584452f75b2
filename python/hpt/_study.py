"""hpt.Study, hpt.Trial and the records of finished trials."""
import collections
import csv
import ctypes
import dataclasses
import datetime
import enum
import logging
import math
import numbers
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import (Any, Callable, Deque, Dict, Iterator, List, NoReturn, Optional, Sequence,
                    Tuple, Type, Union, overload)

from . import _handles, _lib
from ._space import Categorical, Space

_lib_ = _lib.lib
_byref = ctypes.byref
_log = logging.getLogger("hpt")


class TrialState(enum.IntEnum):
    """A trial's state (the HPT_TRIAL_* constants)."""
    RUNNING = _lib.TRIAL_RUNNING
    COMPLETE = _lib.TRIAL_COMPLETE
    FAILED = _lib.TRIAL_FAILED
    PRUNED = _lib.TRIAL_PRUNED
    #: Optuna's name for FAILED.
    FAIL = _lib.TRIAL_FAILED

    def is_finished(self) -> bool:
        """True for COMPLETE, FAILED and PRUNED."""
        return self != TrialState.RUNNING


class TrialPruned(Exception):
    """Raise from an objective run by Study.optimize to stop the trial early
    (typically after trial.report() returned True): the study records it as
    pruned, with its last report as its value."""


class Wait(Exception):
    """Study.ask() raises this for HPT_WAIT: the strategy has no work until
    some running trials are told (a synchronous Hyperband rung, ...). Tell
    (or fail, or prune) a running trial, then ask again. Study.optimize
    handles it by waiting for its other workers."""


_DIRECTIONS = {"minimize": _lib.MINIMIZE, "maximize": _lib.MAXIMIZE,
               "min": _lib.MINIMIZE, "max": _lib.MAXIMIZE}


def _journal_seed(journal: "str | os.PathLike[str] | None") -> Optional[int]:
    """The seed a journal was created with (None: no journal, or nothing in it yet)."""
    if journal is None:
        return None
    try:
        with open(journal, "rb") as f:
            for k, line in zip(range(3), f):
                fields = line.split(b" ")
                if fields[0] == b"create" and len(fields) > 3:
                    return int(fields[3])
    except (OSError, ValueError):
        pass
    return None


def strategies() -> List[str]:
    """Names of the strategies in the loaded library, e.g. ["grid", "random",
    "sobol", ...]."""
    return _lib.strategies()


def has_strategy(name: str) -> bool:
    """True when the loaded library knows strategy `name`."""
    return name in _lib.strategies()


@dataclass(frozen=True)
class FrozenTrial:
    """A snapshot of one trial, as Study.trials and Study.best_trial give it.

    id: 0, 1, 2 ... in ask order; state: TrialState; params: dict name ->
    native value (the parameters active in the trial only); value: the told value (pruned: the last report; running or
    failed: None); budget: the resource the strategy gave (0.0 = full
    training); parent: the trial it continues (multi-fidelity promotion) or
    None; reports: tuple of (step, value); fail_reason: a failed trial's
    reason (None otherwise); user_attrs: for hpt.Study, the trial's
    attributes (str -> str, hpt_trial_set_attr; also as `attrs`).

    The define-by-run front end (hpt.create_study) also fills, as Optuna
    names them: distributions (name -> hpt.Float/Int/Categorical the trial
    suggested), user_attrs, system_attrs, datetime_start and
    datetime_complete (datetime.datetime or None); `number` is `id`,
    `values` is [value] (None while running or failed), `intermediate_values`
    is {step: value} of the reports and `duration` a datetime.timedelta.

    For hpt.Study: values (every objective), constraints (the m values
    told; None unless complete), feasible (None while running),
    asked_at / finished_at (Unix times in seconds, hpt_trial_times; None
    when unknown or running), and datetime_start / datetime_complete from
    them."""
    id: int
    state: TrialState
    params: Dict[str, Any]
    value: Optional[float]
    budget: float
    parent: Optional[int]
    reports: Tuple[Tuple[float, float], ...] = field(default=())
    fail_reason: Optional[str] = None
    distributions: Dict[str, Any] = field(default_factory=dict)
    user_attrs: Dict[str, Any] = field(default_factory=dict)
    system_attrs: Dict[str, Any] = field(default_factory=dict)
    datetime_start: Optional[datetime.datetime] = None
    datetime_complete: Optional[datetime.datetime] = None
    objective_values: Optional[Tuple[float, ...]] = None
    constraints: Optional[Tuple[float, ...]] = None
    feasible: Optional[bool] = None
    asked_at: Optional[float] = None
    finished_at: Optional[float] = None

    @property
    def number(self) -> int:
        """Optuna's name for id."""
        return self.id

    @property
    def values(self) -> Optional[List[float]]:
        """Every objective's value (several objectives: hpt_trial_values;
        NaN for those a pruned trial lacks); [value] with one objective;
        None without a value."""
        if self.objective_values is not None:
            return list(self.objective_values)
        return None if self.value is None else [self.value]

    @property
    def intermediate_values(self) -> Dict[int, float]:
        """{step: value} of the reports (steps as ints when integral)."""
        return {(int(k) if float(k).is_integer() else k): v  # type: ignore[misc]
                for k, v in self.reports}

    @property
    def attrs(self) -> Dict[str, Any]:
        """The trial's attributes (the same dict as user_attrs)."""
        return self.user_attrs

    @property
    def last_step(self) -> Optional[float]:
        return self.reports[-1][0] if self.reports else None

    @property
    def duration(self) -> Optional[datetime.timedelta]:
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start


_OPTION_KINDS = {_lib.OPTION_INT: "int", _lib.OPTION_REAL: "real", _lib.OPTION_BOOL: "bool",
                 _lib.OPTION_STRING: "string"}


@dataclass(frozen=True)
class Option:
    """One option a study accepts, as the library's table describes it
    (hpt_study_option_info). kind: "int", "real", "bool" or "string"; lo,
    hi: inclusive bounds (None for strings); default: the default (None for
    strings and for "unset" defaults such as target_value's); value: the
    current value; choices: a string option's allowed values (else ())."""
    name: str
    kind: str
    lo: Optional[float]
    hi: Optional[float]
    default: Any
    value: Any
    choices: Tuple[str, ...] = field(default=())


class _Options(Dict[str, Any]):
    """What Study.options gives: a copy of the options set on the study
    (name -> value as given) that, called, lists every option the study
    accepts from the library's table (study.options() -> {name: Option}).
    One name for both, so that code reading the dict of set options keeps
    working. A fresh object per access: the study never holds it, so no
    reference cycle keeps a journaled study (and its lock) alive."""

    def __init__(self, study: "Study", given: Dict[str, Any]) -> None:
        super().__init__(given)
        self._study = study

    def __call__(self) -> Dict[str, Option]:
        return self._study._option_table()


def _trial_id(t: Any) -> int:
    if isinstance(t, (Trial, FrozenTrial)):
        return t.id
    if isinstance(t, numbers.Integral) and not isinstance(t, bool):
        if not 0 <= int(t) <= _lib.INT64_MAX:
            # ctypes would wrap 2**64 to 0 and finish another trial.
            raise _lib.UnknownTrial("no trial with id %d" % t)
        return int(t)
    raise TypeError("expected a trial or a trial id, not %r" % (t,))


class Trial:
    """A running trial, handed out by Study.ask().

    params (dict of native values, in space order), id, budget (float; 0.0
    means full training), parent (id of the trial this one continues, or
    None). Finish it with study.tell / tell_failed / prune, or the shortcuts
    here."""

    __slots__ = ("study", "id", "_params", "_budget")

    def __init__(self, study: "Study", trial_id: int) -> None:
        self.study = study
        self.id = trial_id
        self._params: Optional[Dict[str, Any]] = None
        self._budget: Optional[Tuple[float, Optional[int]]] = None

    @property
    def params(self) -> Dict[str, Any]:
        if self._params is None:
            self._params = self.study._params(self.id)
        return self._params

    def _read_budget(self) -> Tuple[float, Optional[int]]:
        if self._budget is None:
            self._budget = self.study._budget(self.id)
        return self._budget

    @property
    def budget(self) -> float:
        return self._read_budget()[0]

    @property
    def parent(self) -> Optional[int]:
        return self._read_budget()[1]

    @property
    def state(self) -> TrialState:
        return self.study._state(self.id)

    def report(self, step: float, value: float) -> bool:
        """Report an intermediate value at `step`; True when the study wants
        this trial stopped (then tell its last value, or prune it)."""
        return self.study.report(self.id, step, value)

    def prune(self) -> None:
        """Finish as pruned (value = last report; no report: failed)."""
        self.study.prune(self.id)

    def tell(self, value: "float | Sequence[float]",
             constraints: Optional[Sequence[float]] = None) -> None:
        self.study.tell(self.id, value, constraints)

    def tell_failed(self, reason: Optional[str] = None) -> None:
        self.study.tell_failed(self.id, reason)

    @property
    def asked_at(self) -> Optional[float]:
        """When the trial was asked, in Unix time (seconds; hpt_trial_times)."""
        return self.study._times(self.id)[0]

    @property
    def finished_at(self) -> Optional[float]:
        """When it finished (None while it runs)."""
        return self.study._times(self.id)[1]

    @property
    def duration(self) -> Optional[datetime.timedelta]:
        """finished_at - asked_at (None while it runs)."""
        a, f = self.study._times(self.id)
        return None if a is None or f is None else datetime.timedelta(seconds=f - a)

    def set_attr(self, key: str, value: str) -> None:
        """Attach a string attribute (see Study.set_trial_attr)."""
        self.study.set_trial_attr(self.id, key, value)

    @property
    def attrs(self) -> Dict[str, str]:
        """The trial's attributes, key -> value, in the order first set."""
        return self.study.trial_attrs(self.id)

    def __repr__(self) -> str:
        return "Trial(id=%d, params=%r)" % (self.id, self.params)


class Study:
    """A tuning job over `space` (a dict name -> hpt.Float / hpt.Int /
    hpt.Categorical, in insertion order).

    strategy: a name from hpt.strategies() ("grid", "random", "sobol",
    "bayes", "hyperband" ...; "bayes" by default, as in hpt-tune and
    hpt.create_study). direction: "minimize" or "maximize" ("min", "max").
    directions: several objectives instead, e.g. ["minimize", "maximize"]
    (up to 8; hpt_study_set_objectives): tell(trial, [v1, v2]), an
    objective of optimize returns a tuple, best_trials is the Pareto front
    and hypervolume(ref) its hypervolume; best_trial / best_value raise
    hpt.SeveralObjectives. constraints: m black-box constraints (up to
    16), a trial being feasible when each told value is <= 0:
    tell(trial, v, constraints=[c1, ...]); or constraints_func, Optuna's
    f(frozen_trial) -> the m values, which optimize calls after the
    objective (give constraints=m with it). A journal being resumed
    keeps the objectives and constraints it was created with.
    seed: same seed + same calls = same trials; None (default) draws one
    from the OS, so independent runs differ, and self.seed records it (a
    journal being resumed gives its own seed).

    Options go to hpt_study_set (numbers, bools) or hpt_study_set_str
    (strings): as keywords, where "__" stands for "." (max_trials=50,
    pruner="median", hyperband__eta=3), or in `options=` under their full
    names ({"hyperband.eta": 3}). "pruner" is applied first so that its own
    options ("pruner.*") find it.

    Conditional parameters: a descriptor's when= says when it exists, e.g.
    {"optimizer": hpt.Categorical(["sgd", "adam"]),
     "momentum": hpt.Float(0, 0.99, when={"optimizer": "sgd"}),
     "layers": hpt.Int(1, 4),
     "units3": hpt.Int(8, 64, when={"layers": (3, None)})}
    (a choice or a list of choices of a categorical parent; a (lo, hi)
    range of a numeric one, None for an open end; several keys must all
    hold, and a parameter whose parent is inactive is inactive too). A
    trial's params leave out its inactive parameters; every strategy
    knows the conditions (hpt_space_add_condition).

    journal: a file path makes the study durable (hpt_study_open): every
    change is appended to the journal, and when the file already holds this
    study it is resumed (same space, strategy, direction and seed; options
    that the journal holds may be given again with the same values, so one
    script serves a fresh start and a resume; the limits max_trials,
    max_resource_total and max_seconds may be given larger, which extends
    the resumed study, but not smaller). Trials that a dead process left
    running (the stale ones, see stale_trials()) are handled by `resume`:
    "rerun" (default: the next asks claim them and hand them out again,
    same id and configuration, before any new trial, so they do not eat
    into max_trials), "fail" (failed with the reason "interrupted"), or
    "keep" (left running: see stale_trials() and claim()). Trials that
    another live writer runs are never touched.

    Several writers. Any number of objects, in this process or in others
    (multiprocessing, Slurm array jobs, notebook kernels), may open one
    journal and work on its study together: trial ids stay unique, every
    ask takes the others' trials into account, max_trials counts the
    journal's trials (all writers'), and len() / trials show what this
    object took in by its last call (heartbeat() brings it up to date).
    A writer's running trials carry a lease it renews on its calls;
    lease_seconds (the option "journal.lease_seconds", default 600: every
    writer of a journal should give the same value) is how long another
    writer waits for a renewal before it sees them as stale; a training
    that makes no call for that long calls heartbeat(). exclusive=True
    ("journal.exclusive") makes this object the journal's only writer
    until it is closed: another process opening it gets
    hpt.JournalLocked. Re-running a notebook cell that opens the same
    journal adds a writer and leaves the previous object alone, except
    that exclusivity cannot be shared: a new exclusive object closes this
    process's other objects on the journal, and any new one closes a
    previous exclusive one (so a re-run cell never raises JournalLocked).

    reproducible: the same trials on every run, whatever the timing of a
    parallel optimize (option "parallel.reproducible" = q, see hpt.h,
    "Reproducibility": ask k waits until every trial below k - q finished
    and proposes as if trials k - q .. k - 1 were still running). True:
    q = n_jobs of the first optimize() call (1 if the study is asked
    before any); an int: that q, so that optimize() with any n_jobs gives
    the same trials (more jobs than q wait); False or 0 (default): off. A
    resumed journal keeps the q it holds.

    Every call is forwarded to the C study, which serializes calls from
    several threads itself; the GIL is released during each call. Errors
    raise hpt.Error subclasses carrying the library's message."""

    def __init__(self, space: Dict[str, Any], strategy: str = "bayes",
                 direction: Union[str, int] = "minimize", seed: Optional[int] = None,
                 options: Optional[Dict[str, Any]] = None,
                 journal: "str | os.PathLike[str] | None" = None, resume: str = "rerun", *,
                 directions: Optional[Sequence[Union[str, int]]] = None,
                 constraints: int = 0,
                 constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = None,
                 reproducible: Union[bool, int] = False,
                 exclusive: bool = False, lease_seconds: Optional[float] = None,
                 _owner: Any = None, _snapshot: bool = False, **kwargs: Any) -> None:
        if directions is None and constraints == 0 and journal is not None:
            from ._journalfile import read_shape
            shape = read_shape(journal)
            if shape is not None:
                directions, constraints = shape
        codes = [_dir_code(d) for d in ([direction] if directions is None else directions)]
        if not codes:
            raise ValueError("directions must name at least one objective")
        if isinstance(constraints, bool) or not isinstance(constraints, numbers.Integral) \
                or not 0 <= constraints <= _lib.MAX_CONSTRAINTS:
            raise ValueError("constraints must be an integer in 0 .. %d, not %r"
                             % (_lib.MAX_CONSTRAINTS, constraints))
        if constraints_func is not None and not constraints:
            raise ValueError("constraints_func needs constraints=m, the number of values it "
                             "returns (the study's shape is set before the first trial)")
        dir_code = codes[0]
        if journal is None and (exclusive or lease_seconds is not None):
            raise ValueError("exclusive= and lease_seconds= need a journal=")
        if seed is None:
            seed = _journal_seed(journal)
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        if not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2 ** 64:
            raise ValueError("seed must be an integer in 0 .. 2^64-1, not %r" % (seed,))
        self._space: Space = Space(space)
        self.space: Dict[str, Any] = dict(space)
        self.strategy: str = strategy
        self.direction: str = "maximize" if dir_code == _lib.MAXIMIZE else "minimize"
        self.directions: List[str] = ["maximize" if c == _lib.MAXIMIZE else "minimize"
                                      for c in codes]
        self.n_constraints: int = int(constraints)
        self.constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = \
            constraints_func
        self.seed: int = int(seed)
        self._h: ctypes.c_void_p = ctypes.c_void_p()
        self.journal: Optional[str] = None if journal is None else os.fspath(journal)
        # A front-end study that owns this one holds the journal in its name.
        self._owner: Any = _owner
        try:
            if journal is None:
                _lib.check(_lib_.hpt_study_create(self._space.handle, _lib.encode(strategy, 'strategy name'),
                                                  dir_code, self.seed, _byref(self._h)))
            else:
                assert self.journal is not None
                jpath = _lib.encode_path(self.journal)
                study_open = _lib_.hpt_study_open
                # A re-run notebook cell must not meet JournalLocked from
                # this process's previous object (see _handles).
                if _snapshot:
                    # The front end's look at a running job (hpt_study_load):
                    # no lock waited for, nothing written; queries only.
                    _lib.check(_lib_.hpt_study_load(jpath, _byref(self._h)))
                else:
                    if _owner is None:
                        _handles.take(self.journal, self, bool(exclusive))
                    _lib.check(study_open(jpath, self._space.handle,
                                          _lib.encode(strategy, 'strategy name'), dir_code,
                                          self.seed, _byref(self._h)))
        finally:
            self._space.close()     # the study holds its own copy
        self._n: int = len(self._space)
        self._dense: Any = ctypes.c_double * self._n
        self._options_set: Dict[str, Any] = {}
        self._rerun: Deque[int] = collections.deque()
        self._reproducible_pending: bool = False
        if _snapshot:
            return          # the journal's objectives, constraints and options
        try:
            if len(codes) > 1:
                arr = (ctypes.c_int32 * len(codes))(*codes)
                _lib.check(_lib_.hpt_study_set_objectives(self._h, arr, len(codes)))
            if constraints:
                _lib.check(_lib_.hpt_study_set_constraints(self._h, int(constraints)))
        except BaseException:
            self.close()
            raise
        if resume not in ("rerun", "fail", "keep"):
            self.close()
            raise ValueError("resume must be 'rerun', 'fail' or 'keep', not %r" % (resume,))
        merged = {k.replace("__", "."): v for k, v in kwargs.items()}
        merged.update(options or {})
        if reproducible is not True and reproducible is not False:
            if not isinstance(reproducible, numbers.Integral) or int(reproducible) < 0:
                self.close()
                raise ValueError("reproducible must be True, False or a number of "
                                 "parallel trials (0: off), not %r" % (reproducible,))
            if int(reproducible):
                merged["parallel.reproducible"] = int(reproducible)
        # True: q is fixed by the first optimize() (its n_jobs) or ask
        self._reproducible_pending = reproducible is True
        if lease_seconds is not None:
            merged["journal.lease_seconds"] = lease_seconds
        if exclusive:
            merged["journal.exclusive"] = True
        # The journal's own settings come before anything that writes (the
        # settlement of stale trials below), "pruner" before its options.
        order = {"journal.exclusive": 0, "journal.lease_seconds": 1, "journal.fsync": 1,
                 "pruner": 2}
        names = sorted(merged, key=lambda k: order.get(k, 3))
        try:
            for name in names:
                if order.get(name, 3) < 2:
                    self.set_option(name, merged[name])
            if journal is not None and self.journal_info()["note"].startswith("resumed"):
                for tid in self.stale_trials():
                    if resume == "rerun":
                        self._rerun.append(tid)
                    elif resume == "fail":
                        try:
                            self.tell_failed(tid, "interrupted: the process running it ended")
                        except _lib.TrialStateError:
                            pass    # another writer settled or claimed it first
            for name in names:
                if order.get(name, 3) >= 2:
                    self.set_option(name, merged[name])
        except BaseException:
            self.close()
            raise

    # ---- lifecycle ----------------------------------------------------------

    def _handle(self) -> ctypes.c_void_p:
        h = self._h
        if not h:
            raise ValueError("the study is closed")
        return h

    def close(self) -> None:
        """Release the C study (also done when the object is collected). No
        other thread may be using it."""
        if getattr(self, "_h", None):
            _lib_.hpt_study_destroy(self._h)
            self._h = ctypes.c_void_p()
            if self.journal is not None:
                _handles.release(self.journal, self)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __copy__(self) -> NoReturn:
        # Two objects owning one C handle would destroy it twice.
        raise _lib.NotCopyable("an hpt.Study owns a C study and cannot be copied; "
                               "share the object itself (it is thread-safe)")

    def __deepcopy__(self, memo: Any) -> NoReturn:
        self.__copy__()

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise _lib.NotCopyable("an hpt.Study cannot be pickled; give it a journal= "
                               "and reopen the journal in the other process")

    def __enter__(self) -> "Study":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Study(strategy=%r, direction=%r, seed=%d, trials=%s)" % (
            self.strategy, self.direction, self.seed,
            len(self) if self._h else "closed")

    # ---- options ---------------------------------------------------------------

    def set_option(self, name: str, value: Union[float, bool, str]) -> None:
        """Set an option by its library name (only before the first ask,
        except that max_trials, max_resource_total and max_seconds may be
        raised later): numbers and bools through hpt_study_set, strings
        through hpt_study_set_str. "journal.exclusive" = True first closes
        this process's other objects on the journal (see Study)."""
        h = self._handle()
        if (name == "journal.exclusive" and value and self.journal is not None
                and self._owner is None):
            _handles.take(self.journal, self, True)
        if isinstance(value, str):
            _lib.check(_lib_.hpt_study_set_str(h, _lib.encode(name, "option name"),
                                               _lib.encode(value, "option %r" % name)))
        elif isinstance(value, numbers.Real):
            _lib.check(_lib_.hpt_study_set(h, _lib.encode(name, "option name"),
                                           _lib.real(value, "option %r" % name)))
        else:
            raise TypeError("option %r: expected a number, bool or str, not %r"
                            % (name, value))
        self._options_set[name] = value

    @property
    def options(self) -> _Options:
        """The options set on this study (name -> value, as given); called,
        every option it accepts, from the library's own table:
        study.options() -> {name: hpt.Option} (kind, lo, hi, default,
        current value, a string option's choices)."""
        return _Options(self, self._options_set)

    def get_option(self, name: str) -> Any:
        """Read an option back (its default when never set): a float for
        numeric options, a str for string options."""
        h, key = self._handle(), _lib.encode(name, "option name")
        out = ctypes.c_double()
        rc = _lib_.hpt_study_get(h, key, _byref(out))
        if rc == _lib.E_TYPE:
            text = ctypes.c_char_p()
            _lib.check(_lib_.hpt_study_get_str(h, key, _byref(text)))
            return _lib._decode(text.value)
        _lib.check(rc)
        return out.value

    def _option_table(self) -> Dict[str, Option]:
        h = self._handle()
        n = ctypes.c_size_t()
        _lib.check(_lib_.hpt_study_option_count(h, _byref(n)))
        out: Dict[str, Option] = {}
        name, kind = ctypes.c_char_p(), ctypes.c_int32()
        lo, hi, default = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        for i in range(n.value):
            _lib.check(_lib_.hpt_study_option_info(h, i, _byref(name), _byref(kind),
                                                   _byref(lo), _byref(hi), _byref(default)))
            key = _lib._decode(name.value)
            k = _OPTION_KINDS[kind.value]
            value = self.get_option(key)
            if k == "string":
                choices: List[str] = []
                c = ctypes.c_char_p()
                while _lib_.hpt_study_option_choice(h, i, len(choices), _byref(c)) == _lib.OK:
                    choices.append(_lib._decode(c.value))
                out[key] = Option(key, k, None, None, None, value, tuple(choices))
                continue
            native = {"int": int, "bool": bool}.get(k, float)
            d = None if math.isnan(default.value) else native(default.value)
            v = value if math.isnan(value) else native(value)
            out[key] = Option(key, k, lo.value, hi.value, d, v)
        return out

    # ---- ask / report / tell --------------------------------------------------

    def ask(self) -> Optional[Trial]:
        """Start a trial: a Trial, or None when the study is complete
        (HPT_DONE: max_trials reached, grid exhausted ...). Raises hpt.Wait
        for HPT_WAIT. After a resume with resume="rerun", the trials the
        dead process left running come first."""
        if self._reproducible_pending:
            self._fix_reproducible(1)
        while self._rerun:
            try:
                old = self._rerun.popleft()
            except IndexError:     # another thread took the last one
                break
            try:
                return self.claim(old)
            except _lib.TrialStateError:
                pass    # finished meanwhile, or another writer claimed it first
        tid = ctypes.c_int64()
        rc = _lib_.hpt_study_ask(self._handle(), _byref(tid))
        if rc == _lib.OK:
            return Trial(self, tid.value)
        if rc == _lib.DONE:
            return None
        if rc == _lib.WAIT:
            raise Wait(_lib.strerror(rc))
        raise _lib.error_for(rc)

    # One name for two things (the report of a trial's step, Optuna's
    # meaning, and the HTML report of the study): the overloads keep each
    # call's result typed.
    @overload
    def report(self, trial: Union[Trial, FrozenTrial, int], step: float,
               value: float) -> bool: ...

    @overload
    def report(self, trial: "str | os.PathLike[str]") -> Any: ...

    def report(self, trial: Union[Trial, FrozenTrial, int, str, "os.PathLike[str]"],
               step: Optional[float] = None, value: Optional[float] = None) -> Any:
        """Report an intermediate value of a running trial; returns True
        when the study wants it stopped. With a file path alone,
        study.report("report.html") writes the HTML report (write_report)."""
        if step is None and value is None and isinstance(trial, (str, os.PathLike)):
            return self.write_report(trial)
        stop = ctypes.c_int32()
        _lib.check(_lib_.hpt_study_report(self._handle(), _trial_id(trial),
                                          _lib.real(step, "step"), _lib.real(value, "value"),
                                          _byref(stop)))
        return bool(stop.value)

    def tell(self, trial: Union[Trial, FrozenTrial, int], value: "float | Sequence[float]",
             constraints: Optional[Sequence[float]] = None) -> None:
        """Finish a running trial (a Trial or an id) with its value, or one
        value per objective (a sequence), and its constraint values when the
        study has constraints (each finite; <= 0 is feasible)."""
        h, tid = self._handle(), _trial_id(trial)
        if isinstance(value, (list, tuple)) or constraints is not None \
                or len(self.directions) > 1 or self.n_constraints:
            vals = [_lib.real(v, "value") for v in
                    (value if isinstance(value, (list, tuple)) else [value])]
            cons = [_lib.real(c, "constraint") for c in (constraints or ())]
            _lib.check(_lib_.hpt_study_tell_constrained(
                h, tid, (ctypes.c_double * max(1, len(vals)))(*vals), len(vals),
                (ctypes.c_double * max(1, len(cons)))(*cons), len(cons)))
            return
        _lib.check(_lib_.hpt_study_tell(h, tid, _lib.real(value, "value")))

    def tell_failed(self, trial: Union[Trial, FrozenTrial, int], reason: Optional[str] = None) -> None:
        """Finish a running trial as failed; reason is kept (the first 255
        bytes of its UTF-8, cut between characters)."""
        r = None
        if reason is not None:
            # A NUL would cut the reason short in C: keep it visible instead.
            r = str(reason).replace("\0", "\\x00").encode("utf-8")
            if len(r) > 255:
                r = r[:255].decode("utf-8", "ignore").encode("utf-8")
        _lib.check(_lib_.hpt_study_tell_failed(self._handle(), _trial_id(trial), r))

    def prune(self, trial: Union[Trial, FrozenTrial, int]) -> None:
        """Finish a running trial as pruned (value = its last report)."""
        _lib.check(_lib_.hpt_study_prune(self._handle(), _trial_id(trial)))

    def enqueue(self, params: Dict[str, Any]) -> None:
        """Have the next asks return this configuration first (in the order
        enqueued): params maps names to native values; a missing name
        (one that is active given the others) is left to the strategy,
        which chooses it given the fixed ones (hpt_study_enqueue, Optuna's
        partial fixing). The library checks every value (range, step,
        choice, conditions) now: hpt.InvalidArgument otherwise; a name not
        in the space is hpt.UnknownName. Journaled; callable at any time."""
        values = self._space.to_core(params, "enqueue")
        _lib.check(_lib_.hpt_study_enqueue(self._handle(), self._dense(*values), self._n))

    # ---- attributes ----------------------------------------------------------------

    def set_attr(self, key: str, value: str) -> None:
        """Attach a string attribute to the study (the git commit, the
        dataset version ...): key 1..255 bytes of [A-Za-z0-9_.:/-], value
        1..4096 bytes of UTF-8 (hpt_study_set_attr; at most 64 keys; setting
        a key again replaces its value). Journaled (a resume keeps it) and
        in the export."""
        _lib.check(_lib_.hpt_study_set_attr(self._handle(), _attr_key(key),
                                            _attr_value(key, value)))

    @property
    def attrs(self) -> Dict[str, str]:
        """The study's attributes, key -> value, in the order first set."""
        h = self._handle()
        return _attr_list(lambda i, k, v: int(_lib_.hpt_study_attr_at(h, i, k, v)))

    def set_trial_attr(self, trial: Union[Trial, FrozenTrial, int], key: str,
                       value: str) -> None:
        """Attach a string attribute to a trial, in any state (limits as
        set_attr; hpt_trial_set_attr): journaled, and one "attr.<key>"
        column of the CSV export."""
        _lib.check(_lib_.hpt_trial_set_attr(self._handle(), _trial_id(trial), _attr_key(key),
                                            _attr_value(key, value)))

    def trial_attrs(self, trial: Union[Trial, FrozenTrial, int]) -> Dict[str, str]:
        """A trial's attributes, key -> value."""
        h, tid = self._handle(), _trial_id(trial)
        return _attr_list(lambda i, k, v: int(_lib_.hpt_trial_attr_at(h, tid, i, k, v)))

    # ---- reading trials ---------------------------------------------------------

    def __len__(self) -> int:
        n = ctypes.c_int64()
        _lib.check(_lib_.hpt_study_trial_count(self._handle(), _byref(n)))
        return n.value

    def _params(self, tid: int) -> Dict[str, Any]:
        buf = self._dense()
        _lib.check(_lib_.hpt_trial_params(self._handle(), tid, buf, self._n))
        return self._space.to_native(buf[:])

    def _outcomes(self, start: int = 0) -> Iterator[Tuple[int, TrialState, Dict[str, Any],
                                                          Optional[float],
                                                          Optional[Tuple[float, ...]],
                                                          List[Tuple[float, float]],
                                                          Optional[str]]]:
        """(id, state, params, value, values, reports, fail reason) of the
        trials from `start` on: what the front end adopts of each, with a
        few C calls a trial instead of trial()'s dozen (a load of 10,000)."""
        h, k = self._handle(), len(self.directions)
        st, v, n = ctypes.c_int32(), ctypes.c_double(), ctypes.c_int64()
        step, val, r = ctypes.c_double(), ctypes.c_double(), ctypes.c_char_p()
        buf = self._dense()
        vb = (ctypes.c_double * k)()
        done = (TrialState.COMPLETE, TrialState.PRUNED)
        for tid in range(start, len(self)):
            _lib.check(_lib_.hpt_trial_state(h, tid, _byref(st)))
            state = TrialState(st.value)
            _lib.check(_lib_.hpt_trial_params(h, tid, buf, self._n))
            value: Optional[float] = None
            values: Optional[Tuple[float, ...]] = None
            if state in done:
                _lib.check(_lib_.hpt_trial_value(h, tid, _byref(v)))
                value = v.value
                if k > 1:
                    _lib.check(_lib_.hpt_trial_values(h, tid, vb, k))
                    values = tuple(vb)
            _lib.check(_lib_.hpt_trial_report_count(h, tid, _byref(n)))
            reports = []
            for i in range(n.value):
                _lib.check(_lib_.hpt_trial_report(h, tid, i, _byref(step), _byref(val)))
                reports.append((step.value, val.value))
            reason = None
            if state == TrialState.FAILED:
                _lib.check(_lib_.hpt_trial_fail_reason(h, tid, _byref(r)))
                reason = _lib._decode(r.value)
            yield tid, state, self._space.to_native(buf[:]), value, values, reports, reason

    def _budget(self, tid: int) -> Tuple[float, Optional[int]]:
        b, p = ctypes.c_double(), ctypes.c_int64()
        _lib.check(_lib_.hpt_trial_budget(self._handle(), tid, _byref(b), _byref(p)))
        return b.value, (p.value if p.value >= 0 else None)

    def _state(self, tid: Any) -> TrialState:
        st = ctypes.c_int32()
        _lib.check(_lib_.hpt_trial_state(self._handle(), _trial_id(tid), _byref(st)))
        return TrialState(st.value)

    def trial(self, trial_id: Union[Trial, FrozenTrial, int]) -> FrozenTrial:
        """A FrozenTrial snapshot of trial `trial_id`."""
        h = self._handle()
        tid = _trial_id(trial_id)
        state = self._state(tid)
        value = None
        if state in (TrialState.COMPLETE, TrialState.PRUNED):
            v = ctypes.c_double()
            _lib.check(_lib_.hpt_trial_value(h, tid, _byref(v)))
            value = v.value
        n = ctypes.c_int64()
        _lib.check(_lib_.hpt_trial_report_count(h, tid, _byref(n)))
        reports = []
        step, val = ctypes.c_double(), ctypes.c_double()
        for k in range(n.value):
            _lib.check(_lib_.hpt_trial_report(h, tid, k, _byref(step), _byref(val)))
            reports.append((step.value, val.value))
        reason = None
        if state == TrialState.FAILED:
            r = ctypes.c_char_p()
            _lib.check(_lib_.hpt_trial_fail_reason(h, tid, _byref(r)))
            reason = _lib._decode(r.value)
        budget, parent = self._budget(tid)
        values = cons = feasible = None
        if state in (TrialState.COMPLETE, TrialState.PRUNED) and len(self.directions) > 1:
            vb = (ctypes.c_double * len(self.directions))()
            _lib.check(_lib_.hpt_trial_values(h, tid, vb, len(self.directions)))
            values = tuple(vb)
        if state == TrialState.COMPLETE and self.n_constraints:
            cb = (ctypes.c_double * self.n_constraints)()
            _lib.check(_lib_.hpt_trial_constraints(h, tid, cb, self.n_constraints))
            cons = tuple(cb)
        if state != TrialState.RUNNING:
            fe = ctypes.c_int32()
            _lib.check(_lib_.hpt_trial_feasible(h, tid, _byref(fe)))
            feasible = bool(fe.value)
        asked, finished = self._times(tid)
        return FrozenTrial(tid, state, self._params(tid), value, budget, parent,
                           tuple(reports), reason, user_attrs=self.trial_attrs(tid),
                           datetime_start=_datetime(asked), datetime_complete=_datetime(finished),
                           objective_values=values, constraints=cons, feasible=feasible,
                           asked_at=asked, finished_at=finished)

    def _times(self, tid: int) -> Tuple[Optional[float], Optional[float]]:
        a, f = ctypes.c_double(), ctypes.c_double()
        _lib.check(_lib_.hpt_trial_times(self._handle(), _trial_id(tid), _byref(a), _byref(f)))
        return (a.value if a.value == a.value else None,
                f.value if f.value == f.value else None)

    @property
    def trials(self) -> List[FrozenTrial]:
        """Every trial so far, as FrozenTrial records in id order."""
        return [self.trial(i) for i in range(len(self))]

    def _best(self) -> Tuple[int, float]:
        tid, v = ctypes.c_int64(), ctypes.c_double()
        _lib.check(_lib_.hpt_study_best(self._handle(), _byref(tid), _byref(v)))
        return tid.value, v.value

    @property
    def best_trial(self) -> FrozenTrial:
        """The best complete trial, as hpt_study_best picks it (among the
        complete trials of the largest budget, so multi-fidelity values
        compare); raises hpt.NoCompleteTrial (a TrialStateError) when no trial
        is complete."""
        return self.trial(self._best()[0])

    @property
    def best_value(self) -> float:
        return self._best()[1]

    @property
    def best_trials(self) -> List[FrozenTrial]:
        """The Pareto front: the feasible complete trials no other one
        dominates, in id order (hpt_study_pareto; with one objective, the
        feasible trials sharing the best value)."""
        h = self._handle()
        while True:
            needed = ctypes.c_size_t()
            _lib.check(_ok_or_range(_lib_.hpt_study_pareto(h, None, 0, _byref(needed))))
            ids = (ctypes.c_int64 * max(1, needed.value))()
            rc = _lib_.hpt_study_pareto(h, ids, needed.value, _byref(needed))
            if rc == _lib.E_RANGE:      # another thread told a trial in between
                continue
            _lib.check(rc)
            return [self.trial(ids[i]) for i in range(needed.value)]

    def hypervolume(self, reference: Sequence[float]) -> float:
        """The hypervolume of the front (best_trials) up to the reference
        point (one finite value per objective, in the user's directions):
        exact (hpt_study_hypervolume)."""
        ref = [_lib.real(r, "reference") for r in reference]
        out = ctypes.c_double()
        _lib.check(_lib_.hpt_study_hypervolume(self._handle(),
                                               (ctypes.c_double * max(1, len(ref)))(*ref),
                                               len(ref), _byref(out)))
        return out.value

    @property
    def best_params(self) -> Dict[str, Any]:
        return self._params(self._best()[0])

    # ---- persistence (journal, warm start, completion, C-side results) --------------

    def journal_info(self) -> Dict[str, Any]:
        """What opening the journal found: dict(records=..., dropped_bytes=...,
        note="created" | "resumed: ..."). hpt.TrialStateError without a
        journal."""
        f = _lib_.hpt_study_journal_info
        records, dropped, note = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_char_p()
        _lib.check(f(self._handle(), _byref(records), _byref(dropped), _byref(note)))
        return {"records": records.value, "dropped_bytes": dropped.value,
                "note": _lib._decode(note.value)}

    def running_trials(self) -> List[Trial]:
        """The running trials (after a resume: those the dead process had
        asked and not told), as Trial objects to train again or fail."""
        return [Trial(self, i) for i in self._id_list(_lib_.hpt_study_running)]

    def _id_list(self, f: Any) -> List[int]:
        """The ids a C call of the (ids, cap, &needed) convention writes,
        asked again when more appeared between the two calls (another
        thread asked, more trials went stale)."""
        h = self._handle()
        while True:
            needed = ctypes.c_size_t()
            _lib.check(_ok_or_range(f(h, None, 0, _byref(needed))))
            n = needed.value
            ids = (ctypes.c_int64 * max(n, 1))()
            rc = f(h, ids, n, _byref(needed))
            if rc == _lib.E_RANGE:
                continue
            _lib.check(rc)
            return [ids[i] for i in range(needed.value)]

    def heartbeat(self) -> None:
        """Take in what the journal's other writers appended and renew this
        object's lease on the trials it runs (hpt_study_heartbeat). Call it
        from an objective that makes no study call for longer than
        "journal.lease_seconds", or to bring len() and trials up to date.
        hpt.TrialStateError without a journal."""
        _lib.check(_lib_.hpt_study_heartbeat(self._handle()))

    def stale_trials(self) -> List[int]:
        """Ids, ascending, of the running trials nobody runs any more
        (hpt_study_stale, after taking in the other writers' records): a
        writer's whose lease expired ("journal.lease_seconds"), whose study
        was closed, or whose process on this host is gone, and those an
        exclusive writer left. This object's own trials are never stale to
        it. Give them up with tell_failed() or train them again after
        claim(). hpt.TrialStateError without a journal."""
        return self._id_list(_lib_.hpt_study_stale)

    def claim(self, trial: Union[Trial, FrozenTrial, int]) -> Trial:
        """Take over a stale running trial to train it again under its id
        and configuration (hpt_study_claim); then report and tell it as any
        trial this object asked. A trial of this object: returned as it is.
        hpt.TrialStateError when it is finished or held by a writer whose
        lease is live (the message names it); hpt.UnknownTrial."""
        tid = _trial_id(trial)
        _lib.check(_lib_.hpt_study_claim(self._handle(), tid))
        return Trial(self, tid)

    def warm_start(self, parent_journal: "str | os.PathLike[str]", kind: str = "identical",
                   defaults: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Give this study the complete trials of a parent study's journal
        (before the first ask). kind: "identical" (same objective: they
        become observations) or "transfer" (a related one: a prior).
        defaults: {name: value} for parameters new in this space (the value
        they had in the parent), native values as in trial.params.
        Returns hpt_study_warm_info: dict(used=..., skipped=..., summary=...)."""
        kinds = {"identical": _lib.WARM_IDENTICAL, "transfer": _lib.WARM_TRANSFER}
        if kind not in kinds:
            raise ValueError("kind must be 'identical' or 'transfer', not %r" % (kind,))
        h = self._handle()
        for name, value in (defaults or {}).items():
            d = self.space.get(name)
            x = d.index(value) if isinstance(d, Categorical) else value
            f = _lib_.hpt_study_warm_default
            _lib.check(f(h, _lib.encode(name, "parameter name"), _lib.real(x, name)))
        f = _lib_.hpt_study_warm_start
        _lib.check(f(h, _lib.encode_path(parent_journal), kinds[kind]))
        return self.warm_info()

    def warm_info(self) -> Dict[str, Any]:
        """Totals over all warm starts: dict(used=..., skipped=..., summary=...)."""
        f = _lib_.hpt_study_warm_info
        used, skipped, summary = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_char_p()
        _lib.check(f(self._handle(), _byref(used), _byref(skipped), _byref(summary)))
        return {"used": used.value, "skipped": skipped.value,
                "summary": _lib._decode(summary.value)}

    @property
    def done_reason(self) -> str:
        """Why the last ask returned None: "max_trials", "target_value",
        "patience", "max_seconds", "converged", "exhausted"; "" if none did."""
        f = _lib_.hpt_study_done_reason
        return _lib._decode(f(self._handle()))

    def export_csv(self, path: "str | os.PathLike[str]") -> "str | os.PathLike[str]":
        """The library's own CSV export (hpt_study_export_csv: RFC 4180,
        columns id, state, parameters by name, budget, value, reports,
        fail_reason). to_csv is the pure-Python one."""
        f = _lib_.hpt_study_export_csv
        _lib.check(f(self._handle(), _lib.encode_path(path)))
        return path

    def best_overall(self) -> Tuple[Optional[int], float]:
        """(trial id or None, value): like best_value, but also over the
        identical warm-start observations (id None when one of those is
        best)."""
        f = _lib_.hpt_study_best_overall
        tid, v = ctypes.c_int64(), ctypes.c_double()
        _lib.check(f(self._handle(), _byref(tid), _byref(v)))
        return (tid.value if tid.value >= 0 else None), v.value

    def top_k(self, k: int) -> List[FrozenTrial]:
        """The k best complete trials, best first, as FrozenTrial records."""
        f = _lib_.hpt_study_top_k
        k = int(k)
        if k < 0:
            raise ValueError("k must be >= 0")
        k = min(k, len(self))     # a huge k would size the id buffer
        ids, n = (ctypes.c_int64 * max(k, 1))(), ctypes.c_size_t()
        _lib.check(f(self._handle(), k, ids, _byref(n)))
        return [self.trial(ids[i]) for i in range(n.value)]

    def importance(self) -> Dict[str, float]:
        """{name: relative importance}, summing to 1: each parameter's total
        Sobol index (its share of the objective's variance, interactions
        included) from a model fitted to the complete trials, for any
        strategy (hpt_study_importance); hpt.TrialStateError when there are
        too few complete trials."""
        out = self._dense()
        _lib.check(_lib_.hpt_study_importance(self._handle(), out, self._n))
        return dict(zip(self.space, out[:]))

    def importance_lengthscale(self) -> Dict[str, float]:
        """{name: 1 / lengthscale of the strategy's fitted GP}, normalized to
        sum 1: the model's heuristic view, no fit of its own
        (hpt_study_importance_lengthscale); hpt.NoModel (a TrialStateError)
        when the strategy has no fitted model."""
        out = self._dense()
        _lib.check(_lib_.hpt_study_importance_lengthscale(self._handle(), out, self._n))
        return dict(zip(self.space, out[:]))

    # ---- optimize -----------------------------------------------------------------

    def _fix_reproducible(self, q: int) -> None:
        """reproducible=True: set q before the first ask, unless a resumed
        journal holds one already."""
        self._reproducible_pending = False
        if len(self) == 0 and not self.get_option("parallel.reproducible"):
            self.set_option("parallel.reproducible", q)

    def optimize(self, fn: Callable[[Trial], Any], n_trials: Optional[int] = None,
                 n_jobs: int = 1,
                 catch: Union[Type[BaseException], Tuple[Type[BaseException], ...]] = (),
                 timeout: Optional[float] = None,
                 callbacks: Sequence[Callable[["Study", FrozenTrial], Any]] = (),
                 show_progress_bar: Optional[bool] = None) -> None:
        """Run fn(trial) -> value on asked trials until n_trials were asked
        by this call, the study is complete, or `timeout` seconds passed
        (running trials are finished, not interrupted).

        n_jobs threads (-1: one per CPU) share the study; fn runs outside
        any lock, so it runs in parallel as far as it releases the GIL
        (numpy, scikit-learn, a subprocess, a libhpt call ...). Which
        trials are asked then depends on timing, unless the study was made
        with reproducible= (reproducible=True takes q = n_jobs here).

        fn's value is told; a value that is not a finite number fails the
        trial (with a warning). Raising hpt.TrialPruned prunes it. An
        exception of a class in `catch` fails the trial and the run goes
        on; any other exception fails the trial, stops the run and is
        raised here. A trial fn finished itself (trial.tell, ...) is left
        as it is. callbacks: functions f(study, frozen_trial) called after
        each trial. The progress bar is drawn on stderr when it is a
        terminal (show_progress_bar=None), or as forced by True/False;
        without it, each finished trial is logged on the "hpt" logger (INFO).
        Ctrl-C: with one job the running trial is failed ("KeyboardInterrupt")
        and the interrupt raised; with several, asking stops, the running
        trials finish, then it is raised. On a journal shared with other
        writers, a thread renews this object's lease (heartbeat()) every
        eighth of "journal.lease_seconds" while trials run, so an fn that
        runs longer than the lease is not taken for a dead one."""
        if n_trials is not None and n_trials < 0:
            raise ValueError("n_trials must be >= 0")
        if n_jobs == -1:
            n_jobs = os.cpu_count() or 1
        if n_jobs < 1:
            raise ValueError("n_jobs must be >= 1 or -1")
        if self._reproducible_pending:
            self._fix_reproducible(n_jobs)
        catch = (catch,) if isinstance(catch, type) else tuple(catch)
        total = n_trials
        if total is None:   # the bar can still end where max_trials ends the study
            limit = int(self.get_option("max_trials"))
            total = max(0, limit - len(self)) if limit else None
        run = _Run(self, fn, n_trials, catch, timeout, callbacks,
                   _Progress(total, show_progress_bar))
        beat = _Beat.start(self)
        try:
            if n_jobs == 1:
                run.worker()
            else:
                threads = [threading.Thread(target=run.worker, daemon=True,
                                            name="hpt-optimize-%d" % i)
                           for i in range(n_jobs)]
                for t in threads:
                    t.start()
                try:
                    for t in threads:
                        while t.is_alive():
                            t.join(0.1)   # stays interruptible by Ctrl-C
                except BaseException:
                    run.halt()
                    for t in threads:
                        t.join()
                    raise
        finally:
            if beat is not None:
                beat.stop()
            run.progress.close()
        if run.error is not None:
            raise run.error

    # ---- export ---------------------------------------------------------------------

    def _rows(self, trials: List[FrozenTrial], keys: Sequence[str],
              labels: bool = False) -> Iterator[Dict[str, Any]]:
        for t in trials:
            row: Dict[str, Any] = {"id": t.id, "state": t.state.name.lower()}
            if len(self.directions) > 1:
                vals: List[Optional[float]] = (list(t.values) if t.values
                                               else [None] * len(self.directions))
                for i, x in enumerate(vals):
                    row["value_%d" % i] = x
            else:
                row["value"] = t.value
            for j in range(self.n_constraints):
                row["constraint_%d" % j] = t.constraints[j] if t.constraints else None
            if self.n_constraints or len(self.directions) > 1:
                row["feasible"] = t.feasible
            row["budget"], row["parent"] = t.budget, t.parent
            for n, d in self.space.items():
                v = t.params.get(n)
                if labels and isinstance(d, Categorical) and n in t.params:
                    v = d.labels[d.index(v)]
                row["params_" + n] = v
            row["n_reports"] = len(t.reports)
            row["fail_reason"] = t.fail_reason
            row["asked_at"], row["finished_at"] = t.asked_at, t.finished_at
            row["duration"] = (None if t.asked_at is None or t.finished_at is None
                               else t.finished_at - t.asked_at)
            for k in keys:
                row["attr." + k] = t.user_attrs.get(k)
            yield row

    def _attr_keys(self, trials: List[FrozenTrial]) -> List[str]:
        keys: Dict[str, None] = {}
        for t in trials:
            keys.update(dict.fromkeys(t.user_attrs))
        return list(keys)

    def _columns(self, keys: Sequence[str] = ()) -> List[str]:
        if len(self.directions) > 1:
            values = ["value_%d" % k for k in range(len(self.directions))]
        else:
            values = ["value"]
        values += ["constraint_%d" % j for j in range(self.n_constraints)]
        if self.n_constraints or len(self.directions) > 1:
            values.append("feasible")
        return (["id", "state"] + values + ["budget", "parent"]
                + ["params_" + n for n in self.space] + ["n_reports", "fail_reason"]
                + ["asked_at", "finished_at", "duration"] + ["attr." + k for k in keys])

    def to_csv(self, path: "str | os.PathLike[str]") -> "str | os.PathLike[str]":
        """Write one row per trial: id, state, value, budget, parent,
        params_<name> for each parameter (categoricals by their label, see
        hpt.Categorical; empty where inactive), n_reports, fail_reason,
        attr.<key> for each trial attribute; empty cells for None.
        Floats are written with repr(), which round-trips exactly."""
        trials = self.trials
        keys = self._attr_keys(trials)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=self._columns(keys))
            w.writeheader()
            for row in self._rows(trials, keys, labels=True):
                w.writerow({k: ("" if v is None else v) for k, v in row.items()})
        return path

    def to_dataframe(self) -> Any:
        """The trials as a pandas DataFrame (columns as to_csv, categorical
        columns holding the original choice objects); raises ImportError when
        pandas is not installed."""
        import pandas
        trials = self.trials
        keys = self._attr_keys(trials)
        return pandas.DataFrame(list(self._rows(trials, keys)), columns=self._columns(keys))

    def write_report(self, path: Any, title: Optional[str] = None) -> Any:
        """Write one self-contained HTML report of this study to `path`
        (hpt.report: summary, plots, sortable trial table); needs matplotlib."""
        from . import report
        return report.write(self, path, title)

    def plot_history(self, path: Any = None, title: Optional[str] = None) -> Any:
        """Plot each complete trial's value and the best-so-far curve against
        the trial id, pruned and failed trials marked (hpt.visualization has
        this plot and more, in plotly too); save to `path` (any format matplotlib knows) when given.
        Uses matplotlib's Agg canvas (never a window, never changes the
        global backend); returns the matplotlib Figure. ImportError when
        matplotlib is not installed."""
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        better = max if self.direction == "maximize" else min
        xs: List[int] = []
        ys: List[float] = []
        best: List[float] = []
        bx: List[int] = []
        for t in self.trials:
            if t.state == TrialState.COMPLETE and t.value is not None:
                xs.append(t.id)
                ys.append(t.value)
                best.append(t.value if not best else better(best[-1], t.value))
                bx.append(t.id)
        fig = Figure(figsize=(6.4, 4.0))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        ax.plot(xs, ys, "o", ms=3, alpha=0.5, label="trial value")
        ax.step(bx, best, where="post", color="C3", label="best so far")
        # the title counts every trial: show the pruned (last report) and
        # failed ones (no value: on the worst edge) too
        done = self.trials
        pr = [t for t in done if t.state == TrialState.PRUNED]
        fa = [t for t in done if t.state == TrialState.FAILED]
        if pr:
            ax.scatter([t.id for t in pr], [t.value for t in pr], marker="s", s=12,
                       color="C1", label="pruned (last report)")
        if fa:
            vals = ys + [t.value for t in pr if t.value is not None]
            edge = (min(vals) if self.direction == "maximize" else max(vals)) if vals else 0
            ax.scatter([t.id for t in fa], [edge] * len(fa), marker="x", s=20, color="0.5",
                       label="failed (no value)")
        ax.set_xlabel("trial")
        ax.set_ylabel("value (%s)" % self.direction)
        ax.set_title(title or "hpt: %s, %d trials" % (self.strategy, len(self)))
        ax.legend(loc="best")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig


def _dir_code(d: Any) -> int:
    name = getattr(d, "name", d)        # optuna.study.StudyDirection too
    if isinstance(name, str) and name.lower() in _DIRECTIONS:
        return _DIRECTIONS[name.lower()]
    if d in (_lib.MINIMIZE, _lib.MAXIMIZE) and not isinstance(d, bool):
        return int(d)
    raise ValueError("direction must be 'minimize' or 'maximize', not %r" % (d,))


def _datetime(t: Optional[float]) -> Optional[datetime.datetime]:
    return None if t is None else datetime.datetime.fromtimestamp(t)


def _attr_key(key: str) -> bytes:
    if not isinstance(key, str):
        raise TypeError("attribute keys are str, not %r" % (key,))
    return _lib.encode(key, "attribute key")


def _attr_value(key: str, value: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError("attribute %r: values are str (the library stores text), not %s; "
                        "convert it, e.g. json.dumps(value)" % (key, type(value).__name__))
    return _lib.encode(value, "attribute %r" % key)


def _attr_list(at: Callable[[int, Any, Any], int]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    k, v = ctypes.c_char_p(), ctypes.c_char_p()
    while True:
        rc = at(len(out), _byref(k), _byref(v))
        if rc == _lib.E_RANGE:
            return out
        _lib.check(rc)
        out[_lib._decode(k.value)] = _lib._decode(v.value)


def _ok_or_range(rc: int) -> int:
    """hpt_study_running with n = 0 returns HPT_E_RANGE when there are
    running trials: that is the size query succeeding."""
    return _lib.OK if rc == _lib.E_RANGE else rc


class _Beat:
    """The heartbeat of one Study.optimize call on a shared journal: its
    fn makes no study call while it trains, and a lease left unrenewed for
    "journal.lease_seconds" makes the other writers see its trials as stale."""

    def __init__(self, study: Study, every: float) -> None:
        self.study, self.every = study, every
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="hpt-heartbeat")

    @classmethod
    def start(cls, study: Study) -> "Optional[_Beat]":
        if study.journal is None or study.get_option("journal.exclusive"):
            return None     # nobody else judges an exclusive writer's leases
        # The library renews at most every lease/4: beating twice as often
        # keeps every gap between renewals under 3/8 of the lease.
        b = cls(study, float(study.get_option("journal.lease_seconds")) / 8)
        b.thread.start()
        return b

    def _loop(self) -> None:
        while not self.done.wait(self.every):
            try:
                self.study.heartbeat()
            except (_lib.Error, ValueError):
                return      # the study failed or was closed: optimize reports it

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


class _Run:
    """The shared state of one Study.optimize call."""

    def __init__(self, study: Study, fn: Callable[[Trial], Any], n_trials: Optional[int],
                 catch: Tuple[Type[BaseException], ...], timeout: Optional[float],
                 callbacks: Any, progress: "_Progress") -> None:
        self.study, self.fn, self.n_trials, self.catch = study, fn, n_trials, catch
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.callbacks = list(callbacks or ())
        self.progress = progress
        self.cond = threading.Condition()
        self.asked = 0
        self.in_flight = 0
        self.finished = 0
        self.stopped = False
        self.error: Optional[BaseException] = None

    def halt(self, error: Optional[BaseException] = None) -> None:
        with self.cond:
            self.stopped = True
            if error is not None and self.error is None:
                self.error = error
            self.cond.notify_all()

    def _next(self) -> Optional[Trial]:
        with self.cond:
            while True:
                if self.stopped or (self.n_trials is not None and self.asked >= self.n_trials) \
                        or (self.deadline is not None and time.monotonic() >= self.deadline):
                    return None
                try:
                    trial = self.study.ask()
                except Wait:
                    if self.in_flight == 0:
                        raise Wait("the strategy waits for running trials that this "
                                   "optimize() call does not own: tell them first")
                    self.cond.wait(0.05)
                    continue
                if trial is None:
                    self.stopped = True
                    return None
                self.asked += 1
                self.in_flight += 1
                return trial

    def worker(self) -> None:
        while True:
            try:
                trial = self._next()
            except BaseException as e:
                self.halt(e)
                return
            if trial is None:
                return
            try:
                self._run_one(trial)
            except BaseException as e:
                self.halt(e)
            finally:
                with self.cond:
                    self.in_flight -= 1
                    self.finished += 1
                    self.cond.notify_all()
                self.progress.update(self.finished, self.study)
                if not self.progress.enabled:
                    _log_trial(self.study, trial.id)

    def _run_one(self, trial: Trial) -> None:
        study = self.study
        try:
            value = self.fn(trial)
        except TrialPruned:
            if trial.state == TrialState.RUNNING:
                study.prune(trial)
        except self.catch as e:
            if trial.state == TrialState.RUNNING:
                study.tell_failed(trial, "%s: %s" % (type(e).__name__, e))
        except BaseException as e:
            if trial.state == TrialState.RUNNING:
                study.tell_failed(trial, "%s: %s" % (type(e).__name__, e))
            raise
        else:
            if trial.state == TrialState.RUNNING:
                vals = _finite_values(value)
                if vals is not None:
                    self._tell(trial, vals)
                else:
                    warnings.warn("hpt: trial %d returned %s, not a finite number; "
                                  "recorded as failed" % (trial.id, _short(value)),
                                  RuntimeWarning)
                    study.tell_failed(trial, "objective returned %s" % _short(value))
        if self.callbacks:
            frozen = study.trial(trial.id)
            for cb in self.callbacks:
                cb(study, frozen)


    def _tell(self, trial: Trial, vals: List[float]) -> None:
        study = self.study
        cons: Optional[List[float]] = None
        if study.constraints_func is not None:
            snap = dataclasses.replace(study.trial(trial.id), state=TrialState.COMPLETE,
                                       value=vals[0], objective_values=tuple(vals))
            try:
                cons = [float(c) for c in study.constraints_func(snap)]
            except Exception as e:
                study.tell_failed(trial, "constraints_func: %s: %s" % (type(e).__name__, e))
                return
        study.tell(trial, vals if len(vals) > 1 or cons is not None else vals[0], cons)


def _finite_values(value: Any) -> Optional[List[float]]:
    """A number, or a tuple/list of numbers (several objectives), as finite
    floats; None when one is not a finite number."""
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in items:
        try:
            f = float(v)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(f):
            return None
        out.append(f)
    return out or None


def _log_trial(study: Study, tid: int) -> None:
    """One INFO line on the "hpt" logger per finished trial (what a job
    without a terminal, a log file, keeps instead of the progress bar)."""
    if not _log.isEnabledFor(logging.INFO):
        return
    try:
        t = study.trial(tid)
    except _lib.Error:
        return
    try:
        bid, bv = study._best()
        best = " Best is trial %d with value %.6g." % (bid, bv)
    except _lib.Error:
        best = ""
    what = {TrialState.COMPLETE: "finished with value %.6g" % (t.value or 0.0),
            TrialState.PRUNED: "pruned", TrialState.RUNNING: "still running"}.get(
                t.state, "failed (%s)" % (t.fail_reason or ""))
    _log.info("Trial %d %s and parameters %r.%s", t.id, what, t.params, best)


def _short(value: Any) -> str:
    """A bounded repr for messages (repr of a 10**5000 int itself raises)."""
    try:
        r = repr(value)
    except Exception:
        r = "<%s>" % type(value).__name__
    return r if len(r) <= 60 else r[:57] + "..."


class _Progress:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    WIDTH = 30

    def __init__(self, total: Optional[int], enabled: Optional[bool] = None,
                 stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.total = total
        self.drawn = False
        self.lock = threading.Lock()

    def update(self, done: int, study: Any) -> None:
        if not self.enabled:
            return
        try:
            best = "best %.6g" % study.best_value
        except _lib.Error:
            best = "no complete trial"
        with self.lock:
            if self.total:
                k = min(self.WIDTH, self.WIDTH * done // self.total)
                bar = "[%s%s] %d/%d" % ("#" * k, "." * (self.WIDTH - k), done, self.total)
            else:
                bar = "%d trials" % done
            self.stream.write("\rhpt %s  %s  " % (bar, best))
            self.stream.flush()
            self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
