"""The Optuna-style front end: hpt.create_study, hpt.load_study and the
define-by-run study and trial they give.

An Optuna objective runs unchanged: it calls trial.suggest_float / _int /
_categorical as it goes, reports and asks should_prune, and returns a
value. The space is discovered along the way, and it is modelled, not
sampled at random:

- The study keeps the *known space*: every parameter suggested so far,
  with its latest distribution, in discovery order.
- A *core study* (an hpt.Study running `strategy`) proposes the values of
  the parameters it knows. A parameter it does not know yet (new, or
  suggested with another distribution) is drawn at random for that trial,
  from a generator seeded by (seed, trial number, name).
- When the known space has grown, or results exist that the core did not
  ask for (enqueued trials), the core study is *rebuilt* as soon as none of
  its trials is running (at once for a grown space, or after UNSEEN_MAX
  such results, when parallel workers keep some running): a new core
  study over the known space, warm-started
  (HPT_WARM_IDENTICAL) with every complete trial so far, so bayes' model
  starts from all the evidence. A space that stops growing stops rebuilding.
- Branches (``if classifier == "SVC": ...``) suggest different parameters
  in different trials: they become the core's conditional parameters.
  Each rebuild reads the conditions off the trials so far (the rule and
  its limits: help(hpt._frontend_cond)), so svc_c exists only where
  classifier is "SVC" and the strategies model it there. A trial that
  suggests a parameter the core made inactive gets a random value for it
  and makes the next rebuild widen the condition, exactly like a new
  parameter; once the branches have all been seen, rebuilds stop.
- Enqueued trials (enqueue_trial, retries, reruns) go through the core's
  own queue (hpt_study_enqueue: the names not given are chosen by the
  strategy given the others), so they are ordinary core trials and need
  no rebuild; values the core cannot take (a name it does not know yet)
  are used by the trial as given, like a new parameter.
- A trial the core proposed but that ran other values (random ones, for
  parameters the core lacks) is still told to the core, and it counts as
  "unseen": the next rebuild gives the model what it really ran.

storage=path makes it durable: `path` is the core journal of the current
generation (an ordinary hpt journal), earlier generations are kept as
`path.gen<k>`, and `path.hpt-run` (see _history) records what the core does
not know (suggested subsets, attributes, timestamps, enqueued trials).
"""
import collections
import dataclasses
import datetime
import json
import math
import numbers
import os
import random
import tempfile
import threading
import warnings
from typing import (Any, Callable, Deque, Dict, Iterable, List, Optional, Sequence, Set,
                    Tuple, Type, Union)

from . import _frontend_cond, _frontend_run, _handles, _history, _journalfile, _lib
from ._space import Categorical, Descriptor, Float, Int, from_json
from ._study import FrozenTrial, Study, TrialState, _Progress, _short

_ALIASES = {"minimize": "minimize", "min": "minimize", "maximize": "maximize",
            "max": "maximize"}
_RESUME = ("rerun", "fail")
#: Complete trials the core did not see that force a rebuild even while
#: core trials run (see DefineByRunStudy._may_rebuild).
UNSEEN_MAX = 5
#: Distinct seeds for the core studies of successive generations.
_GOLDEN = 0x9E3779B97F4A7C15


def _direction(d: Any) -> str:
    name = getattr(d, "name", d)        # optuna.study.StudyDirection too
    if isinstance(name, str) and name.lower() in _ALIASES:
        return _ALIASES[name.lower()]
    raise ValueError("direction must be 'minimize' or 'maximize' (or 'min', 'max'), "
                     "not %r" % (d,))


def _pruner_name(p: Any) -> str:
    if p is None:
        return "none"
    if isinstance(p, str):
        return p
    # Optuna's pruner objects, by class name, so their create_study line
    # may stay as it is.
    names = {"MedianPruner": "median", "SuccessiveHalvingPruner": "asha",
             "NopPruner": "none"}
    cls = type(p).__name__
    if cls in names:
        return names[cls]
    raise ValueError("pruner must be 'median', 'asha', None or an Optuna MedianPruner / "
                     "SuccessiveHalvingPruner / NopPruner, not %r" % (p,))


def _now() -> datetime.datetime:
    return datetime.datetime.now()


def _iso(t: Optional[datetime.datetime]) -> Optional[str]:
    return None if t is None else t.isoformat()


def _parse_time(s: Optional[str]) -> Optional[datetime.datetime]:
    return None if s is None else datetime.datetime.fromisoformat(s)


class _Record:
    """Everything known about one trial (mutable; FrozenTrial snapshots it)."""

    __slots__ = ("number", "state", "value", "params", "dists", "reports", "user_attrs",
                 "system_attrs", "start", "complete", "gen", "core_id", "core_params",
                 "fixed", "reason", "stop", "diverged", "values", "constraints")

    def __init__(self, number: int, gen: int, core_id: Optional[int],
                 core_params: Optional[Dict[str, Any]], fixed: Optional[Dict[str, Any]],
                 start: datetime.datetime) -> None:
        self.number = number
        self.state = TrialState.RUNNING
        self.value: Optional[float] = None
        self.params: Dict[str, Any] = {}
        self.dists: Dict[str, Descriptor] = {}
        self.reports: List[Tuple[float, float]] = []
        self.user_attrs: Dict[str, Any] = {}
        self.system_attrs: Dict[str, Any] = {}
        self.start = start
        self.complete: Optional[datetime.datetime] = None
        self.gen = gen
        self.core_id = core_id
        self.core_params = core_params
        self.fixed = fixed
        self.reason: Optional[str] = None
        self.stop = False
        # Some suggested value is not the core's proposal (see _suggest).
        self.diverged = False
        # Every objective's value when the study has several.
        self.values: Optional[Tuple[float, ...]] = None
        # The values of constraints_func (a study with constraints).
        self.constraints: Optional[Tuple[float, ...]] = None

    def feasible(self) -> bool:
        return self.constraints is None or all(c <= 0 for c in self.constraints)

    def frozen(self) -> FrozenTrial:
        return FrozenTrial(self.number, self.state, dict(self.params), self.value, 0.0, None,
                           tuple(self.reports), self.reason, dict(self.dists),
                           dict(self.user_attrs), dict(self.system_attrs), self.start,
                           self.complete, objective_values=self.values,
                           constraints=self.constraints,
                           feasible=(None if self.state == TrialState.RUNNING else
                                     self.state == TrialState.COMPLETE and self.feasible()),
                           asked_at=self.start.timestamp(),
                           finished_at=None if self.complete is None
                           else self.complete.timestamp())


class DefineByRunTrial:
    """A running trial of a define-by-run study (what study.optimize passes
    to the objective, and study.ask returns).

    suggest_float / suggest_int / suggest_categorical return this trial's
    value of a parameter, declaring it on first use; report(value, step)
    and should_prune() drive pruning; set_user_attr stores data with the
    trial. number is the trial's index in the study (0, 1, ...)."""

    def __init__(self, study: "DefineByRunStudy", record: _Record) -> None:
        self.study = study
        self._r = record

    @property
    def number(self) -> int:
        return self._r.number

    @property
    def params(self) -> Dict[str, Any]:
        """The values suggested so far, by name."""
        return dict(self._r.params)

    @property
    def distributions(self) -> Dict[str, Descriptor]:
        return dict(self._r.dists)

    @property
    def user_attrs(self) -> Dict[str, Any]:
        return dict(self._r.user_attrs)

    @property
    def system_attrs(self) -> Dict[str, Any]:
        return dict(self._r.system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime:
        return self._r.start

    @property
    def state(self) -> TrialState:
        return self._r.state

    def suggest_float(self, name: str, low: float, high: float, *,
                      step: Optional[float] = None, log: bool = False) -> float:
        """A real value in [low, high]; log=True samples on the log scale
        (low > 0); step=s restricts it to low, low + s, ... (not with log)."""
        return float(self.study._suggest(self._r, name, Float(low, high, log=log, step=step)))

    def suggest_int(self, name: str, low: int, high: int, step: int = 1,
                    log: bool = False) -> int:
        """An integer in [low, high] (both included); log=True on the log
        scale (low >= 1); step restricts it to low, low + step, ..."""
        return int(self.study._suggest(self._r, name, Int(low, high, log=log, step=step)))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        """One of `choices` (the very object). A stored study needs None,
        bool, int, float or str choices, as Optuna does."""
        return self.study._suggest(self._r, name, Categorical(choices))

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Optuna's deprecated spelling of suggest_float(name, low, high)."""
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Optuna's deprecated spelling of suggest_float(..., log=True)."""
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Optuna's deprecated spelling of suggest_float(..., step=q)."""
        return self.suggest_float(name, low, high, step=q)

    def report(self, value: float, step: int) -> None:
        """Report an intermediate value at `step` (Optuna's argument order);
        the study's pruner decides, and should_prune() tells."""
        self.study._report(self._r, value, step)

    def should_prune(self) -> bool:
        """True when the pruner wants this trial stopped after its last
        report (then raise hpt.TrialPruned, or optuna.TrialPruned)."""
        return self._r.stop

    def set_user_attr(self, key: str, value: Any) -> None:
        """Store a JSON-serializable value with the trial (kept in the
        history file of a stored study)."""
        self.study._attr(self._r, "user", key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        self.study._attr(self._r, "system", key, value)

    def __repr__(self) -> str:
        return "DefineByRunTrial(number=%d, params=%r)" % (self._r.number, self._r.params)


class DefineByRunStudy:
    """A study whose space the objective declares as it runs, with Optuna's
    API: optimize, ask / tell, best_trial / best_params / best_value,
    trials / trials_dataframe, enqueue_trial, user attributes.

    Made by hpt.create_study and hpt.load_study (see them for the
    arguments). The values come from libhpt's `strategy` (bayes by
    default) over the parameters discovered so far; how a space that grows
    is handled is explained in the module help (help(hpt._frontend)).
    Thread-safe: optimize(n_jobs=k) shares it between k threads."""

    def __init__(self, direction: str = "minimize", strategy: str = "bayes",
                 seed: Optional[int] = None, storage: "str | os.PathLike[str] | None" = None,
                 pruner: Any = "median", resume: str = "rerun",
                 options: Optional[Dict[str, Any]] = None, study_name: Optional[str] = None,
                 _records: Optional[List[Dict[str, Any]]] = None,
                 directions: Optional[Sequence[Any]] = None,
                 constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = None,
                 _hist_size: int = 0, _new_history: bool = False) -> None:
        if resume not in _RESUME:
            raise ValueError("resume must be 'rerun' or 'fail', not %r" % (resume,))
        if seed is None:
            # Independent runs differ; the seed drawn is recorded (self.seed,
            # the history file), so a resume continues exactly.
            seed = int.from_bytes(os.urandom(8), "little")
        if not isinstance(seed, numbers.Integral) or not 0 <= seed < 2 ** 64:
            raise ValueError("seed must be an integer in 0 .. 2^64-1, not %r" % (seed,))
        if strategy not in _lib.strategies():
            raise _lib.UnknownName("unknown strategy %r (hpt.strategies(): %s)"
                                   % (strategy, ", ".join(_lib.strategies())))
        self._dirs: List[str] = [_direction(d) for d in (directions or [direction])]
        if len(self._dirs) > _lib.MAX_OBJECTIVES:
            raise ValueError("at most %d objectives" % _lib.MAX_OBJECTIVES)
        self.direction: str = self._dirs[0]
        # Optuna's constraints_func(frozen_trial) -> values, feasible when
        # each is <= 0; their number m is learnt from its first call (the
        # core study built after that has m constraints).
        self.constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = \
            constraints_func
        self._m: int = 0
        self._core_m: int = 0
        self.strategy: str = strategy
        self.seed: int = int(seed)
        self.pruner: str = _pruner_name(pruner)
        if len(self._dirs) > 1 and self.pruner != "none":
            raise ValueError("a pruner compares one objective's reports: several objectives "
                             "need pruner=None")
        self.resume: str = resume
        self.study_name: Optional[str] = study_name
        self.options: Dict[str, Any] = dict(options or {})
        self.storage: Optional[str] = None if storage is None else os.fspath(storage)
        self.user_attrs: Dict[str, Any] = {}
        self.system_attrs: Dict[str, Any] = {}
        self._lock: "threading.RLock" = threading.RLock()
        self._records: List[_Record] = []
        self._space: Dict[str, Descriptor] = {}
        self._core: Optional[Study] = None
        self._core_space: Dict[str, Descriptor] = {}
        # The core's parameters without their conditions, to compare with
        # what the objective suggests; _grown: a suggestion found a
        # parameter the core had made inactive (its condition must widen).
        self._core_plain: Dict[str, Descriptor] = {}
        self._grown: bool = False
        self._core_ids: Dict[int, int] = {}
        self._known: Set[int] = set()
        # Counters that keep ask O(1): complete trials the core has not
        # seen, and running trials of the current core.
        self._unknown: int = 0
        self._live: int = 0
        self._gen: int = -1
        self._enqueued: Deque[Tuple[Dict[str, Any], Dict[str, Any]]] = collections.deque()
        self._done_reason: str = ""
        self._closed: bool = False
        #: Core trials nobody runs any more, as the last load found them.
        self._stale_ids: Set[int] = set()
        self._hist: _history.History = _history.History(None)
        if self.storage is not None:
            _lib.encode_path(self.storage)        # a NUL is refused before any use
            # One writer per history file: this process's previous object
            # on the storage (a re-run notebook cell) is closed, by a load
            # only once it writes (_writing): a look at a running job
            # closes none of this process's writers.
            if _records is None:
                _handles.take(self.storage, self, True)
            # A load writes nothing until the study is written to.
            self._hist = _history.History(self.storage + _history.SUFFIX,
                                          deferred=_records is not None, size=_hist_size)
        #: The core is a load's snapshot (see _writing).
        self._core_ro: bool = False
        self._dists_for: Optional[Tuple[Dict[str, Descriptor],
                                        List[Tuple[str, Descriptor, Dict[str, Any]]]]] = None
        if _new_history and _records is not None:
            for rec in _records:
                self._hist.add(rec)     # the new history file's head, written later
        if _records is not None:
            self._replay(_records)
            self._hist.release()
        else:
            self._hist.add({"t": "study", "format": _history.FORMAT,
                            "direction": self.direction, "directions": self._dirs,
                            "strategy": strategy,
                            "seed": self.seed, "pruner": self.pruner,
                            "options": self.options, "study_name": study_name})

    # ---- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Close the core study and the history file (also done when the
        object is collected, and by `with`). Calls after it raise ValueError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._core is not None:
                self._core.close()
                self._core = None
            self._hist.close()
            if self.storage is not None:
                _handles.release(self.storage, self)

    def __enter__(self) -> "DefineByRunStudy":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __copy__(self) -> None:
        raise _lib.NotCopyable("a study owns a C study and cannot be copied; share the "
                               "object itself (it is thread-safe)")

    def __deepcopy__(self, memo: Any) -> None:
        self.__copy__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise _lib.NotCopyable("a study cannot be pickled; give it storage= and "
                               "hpt.load_study the path in the other process")

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the study is closed")

    def __repr__(self) -> str:
        return "DefineByRunStudy(strategy=%r, direction=%r, seed=%d, trials=%d)" % (
            self.strategy, self.direction, self.seed, len(self._records))

    @property
    def directions(self) -> List[str]:
        """One direction per objective."""
        return list(self._dirs)

    @property
    def done_reason(self) -> str:
        """Why the last ask returned None ("" when it did not)."""
        return self._done_reason

    @property
    def space(self) -> Dict[str, Descriptor]:
        """The parameters discovered so far, with their latest distribution."""
        with self._lock:
            return dict(self._space)

    @property
    def conditions(self) -> Dict[str, Dict[str, Any]]:
        """The conditions the current core study gives its parameters, read
        off the trials (name -> when= mapping, as hpt.Float(when=) takes;
        help(hpt._frontend_cond) has the rule); {} before the first core."""
        with self._lock:
            return {n: dict(d.when) for n, d in self._core_space.items() if d.when}

    @property
    def generation(self) -> int:
        """How many times the core study was rebuilt (-1: none built yet)."""
        return self._gen

    # ---- the core study ---------------------------------------------------------

    def _stale(self) -> bool:
        if (self._core is None or self._space != self._core_plain or self._grown
                or self._m != self._core_m):
            return bool(self._space)
        return self._unknown > 0

    def _may_rebuild(self) -> bool:
        """Rebuild when no core trial runs; with parallel workers that moment
        may never come, so a grown space, or UNSEEN_MAX results the core has
        not seen, rebuild anyway: the running core trials are then orphaned
        (their reports no longer reach a pruner, their results reach the
        model through the next rebuild's warm start)."""
        return (self._live == 0 or self._space != self._core_plain or self._grown
                or self._m != self._core_m or self._unknown >= UNSEEN_MAX)

    def _core_seed(self, gen: int) -> int:
        return (self.seed + gen * _GOLDEN) % 2 ** 64

    def _open_core(self, gen: int, space: Dict[str, Descriptor],
                   snapshot: bool = False) -> Study:
        """snapshot: a load's core, read with hpt_study_load (no lock, never
        waits for a writer); _writing opens the writer in its place."""
        opts: Dict[str, Any] = dict(self.options)
        if self.pruner != "none":
            opts.setdefault("pruner", self.pruner)
        core = Study(space, self.strategy, self.direction, self._core_seed(gen),
                     directions=self._dirs if len(self._dirs) > 1 else None,
                     constraints=self._m,
                     options=opts, journal=self.storage, resume="keep", _owner=self,
                     _snapshot=snapshot)
        return core

    def _rebuild(self) -> None:
        """A new core study over the known space, with the conditions the
        trials show (_frontend_cond), warm-started with every complete trial."""
        when = _frontend_cond.infer(self._records, self._space)
        space = {n: d._with_when(when[n]) if n in when else d for n, d in self._space.items()}
        gen = self._gen + 1
        if self._core is not None:
            self._core.close()
            self._core = None
        if self.storage is not None and os.path.exists(self.storage):
            os.replace(self.storage, "%s.gen%d" % (self.storage, self._gen))
        core = self._open_core(gen, space)
        self._core_m = self._m
        rows = [r for r in self._records if r.state == TrialState.COMPLETE
                and r.value is not None and math.isfinite(r.value)
                and (self._m == 0 or (r.constraints is not None
                                      and len(r.constraints) == self._m))]
        if rows:
            fd, tmp = tempfile.mkstemp(prefix="hpt-parent-", suffix=".jnl")
            os.close(fd)
            try:
                _journalfile.write_parent(tmp, space, self._dirs,
                                          ((self._core_values(r, space),
                                            list(r.values or [float(r.value or 0)])
                                            + list(r.constraints or ()))
                                           for r in rows), n_constraints=self._m)
                core.warm_start(tmp, "identical")
            finally:
                os.unlink(tmp)
        self._core, self._core_space, self._gen = core, space, gen
        self._core_plain = dict(self._space)
        self._grown = False
        self._core_ids = {}
        self._known = {r.number for r in rows}
        self._unknown = self._live = 0
        self._hist.add({"t": "gen", "gen": gen, "known": sorted(self._known), "m": self._m,
                        "space": {n: d._to_json() for n, d in space.items()}})
        self._core_study_attrs()

    @staticmethod
    def _core_values(r: _Record, space: Dict[str, Descriptor]) -> Dict[str, float]:
        out = {}
        for name, d in space.items():
            v = r.params.get(name, _MISSING)
            if v is not _MISSING and d._contains(v):
                out[name] = d._core(v)
        return out

    # ---- ask / suggest / report / tell -------------------------------------------

    def ask(self, n: Optional[int] = None,
            fixed_distributions: Optional[Dict[str, Any]] = None
            ) -> Any:
        """Start a trial (n None) or a batch of n pending trials (a list,
        shorter when the strategy ends the study). A single ask returns None
        when the study is complete (see done_reason). Enqueued
        configurations come first. fixed_distributions is accepted for
        Optuna's signature and must be None."""
        if fixed_distributions:
            raise NotImplementedError("fixed_distributions: suggest the parameters "
                                      "on the trial instead")
        if n is None:
            return self._ask_one()
        if not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError("n must be an integer >= 0, not %r" % (n,))
        out = []
        for _ in range(int(n)):
            t = self._ask_one()
            if t is None:
                break
            out.append(t)
        return out

    def _ask_one(self) -> Optional[DefineByRunTrial]:
        with self._lock:
            self._check_open()
            self._writing()
            if self._stale() and self._may_rebuild():
                self._rebuild()
            number = len(self._records)
            fixed, sys_attrs = self._enqueued.popleft() if self._enqueued else (None, {})
            core_id = core_params = None
            if fixed is not None and self._core is not None:
                self._core_enqueue(fixed)
            if self._core is not None:
                t = self._core.ask()
                if t is None:
                    self._done_reason = self._core.done_reason
                    return None
                core_id, core_params = t.id, t.params
                self._core_ids[core_id] = number
                self._live += 1
            r = _Record(number, self._gen, core_id, core_params, fixed, _now())
            _set_attrs(r, sys_attrs)
            for k, v in r.user_attrs.items():
                self._mirror(r, k, v)
            self._records.append(r)
            if self._hist.on:
                self._hist.add({"t": "start", "n": number, "gen": self._gen, "core": core_id,
                                "fixed": fixed is not None, "sys": sys_attrs,
                                "time": _iso(r.start)})
            return DefineByRunTrial(self, r)

    def _core_enqueue(self, fixed: Dict[str, Any]) -> None:
        """Put an enqueued configuration in the core's queue: the values the
        core can take; the rest it chooses (the trial still uses `fixed`
        for names the core does not know). Hyperband's queue may hand out
        a promotion first, so there the trial is the strategy's own and
        the fixed values override it (diverged)."""
        core = self._core
        assert core is not None
        if self.strategy == "hyperband":
            return
        known = {k: v for k, v in fixed.items()
                 if k in self._core_plain and self._core_plain[k]._contains(v)}
        try:
            core.enqueue(known)
        except _lib.InvalidArgument:
            # e.g. a value for a parameter its own values make inactive
            core.enqueue({})

    def _suggest(self, r: _Record, name: str, d: Descriptor) -> Any:
        if not isinstance(name, str):
            raise TypeError("parameter names are str, not %r" % (name,))
        _lib.encode(name, "parameter name %r" % name)
        if isinstance(d, Categorical) and self.storage is not None:
            bad = [c for c in d.choices if not _history.jsonable(c)]
            if bad:
                raise TypeError("a stored study's choices must be None, bool, int, float "
                                "or str (as in Optuna), not %r" % (bad[0],))
        with self._lock:
            self._check_open()
            self._writing()
            if r.state != TrialState.RUNNING:
                raise _lib.TrialStateError("trial %d is finished" % r.number)
            if name in r.params:
                if r.dists[name] != d:
                    raise ValueError("trial %d: %r was suggested as %r, now as %r"
                                     % (r.number, name, r.dists[name], d))
                return r.params[name]
            mine = (r.core_params is not None and r.gen == self._gen
                    and self._core_plain.get(name) == d)
            if r.fixed is not None and name in r.fixed:
                v = r.fixed[name]
                if not d._contains(v):
                    raise ValueError("enqueued value %r of %r is not in %r" % (v, name, d))
                if isinstance(d, Categorical):
                    v = d.choices[d.index(v)]
            elif mine and name in (r.core_params or {}):
                v = (r.core_params or {})[name]
            else:
                if mine:
                    self._grown = True    # the core made it inactive here
                rng = random.Random("%d/%d/%s" % (self.seed, r.number, name))
                v = d._sample(rng)
            if r.core_id is not None and r.gen == self._gen and not (
                    mine and name in (r.core_params or {}) and _same(d, r.core_params, name, v)):
                r.diverged = True
            if self._space.get(name) != d:
                self._space[name] = d
            r.params[name] = v
            r.dists[name] = d
            if self._hist.on:
                self._hist.add({"t": "suggest", "n": r.number, "name": name,
                                "dist": d._to_json(), "x": d._core(v)})
            return v

    def _report(self, r: _Record, value: float, step: int) -> None:
        v = _lib.real(value, "value")
        if not isinstance(step, numbers.Real) or isinstance(step, bool):
            raise TypeError("step must be a number, not %r" % (step,))
        with self._lock:
            self._check_open()
            self._writing()
            if r.state != TrialState.RUNNING:
                raise _lib.TrialStateError("trial %d is finished" % r.number)
            if any(s == step for s, _ in r.reports):
                warnings.warn("trial %d already reported step %r; ignored" % (r.number, step),
                              RuntimeWarning)
                return
            r.reports.append((float(step), v))
            self._hist.add({"t": "report", "n": r.number, "step": step, "value": v})
            if r.core_id is not None and r.gen == self._gen and self._core is not None:
                r.stop = self._core.report(r.core_id, step, v)

    def _attr(self, r: _Record, kind: str, key: str, value: Any) -> None:
        with self._lock:
            self._check_open()
            self._writing()
            self._hist.add({"t": "attr", "n": r.number, "kind": kind, "key": key,
                            "value": value})
            (r.user_attrs if kind == "user" else r.system_attrs)[key] = value
            if kind == "user":
                self._mirror(r, key, value)

    def _mirror(self, r: Optional[_Record], key: str, value: Any) -> None:
        """Copy a user attribute into the core study (hpt_trial_set_attr /
        hpt_study_set_attr: journaled, in the core's CSV export and in
        hpt-tune --status) when it fits the core's limits (a key of
        [A-Za-z0-9_.:/-], a value of at most 4096 bytes; a str as it is,
        anything else as JSON). The history file keeps every attribute."""
        core = self._core
        if core is None or (r is not None and (r.core_id is None or r.gen != self._gen)):
            return
        try:
            text = value if isinstance(value, str) else json.dumps(value)
            if r is None:
                core.set_attr(key, text)
            else:
                assert r.core_id is not None
                core.set_trial_attr(r.core_id, key, text)
        except (ValueError, TypeError):     # hpt.InvalidArgument is a ValueError
            pass

    def _core_study_attrs(self) -> None:
        for k, v in self.user_attrs.items():
            self._mirror(None, k, v)

    def _finish(self, r: _Record, state: TrialState, value: Optional[float] = None,
                reason: Optional[str] = None,
                values: Optional[Tuple[float, ...]] = None,
                constraints: Optional[Tuple[float, ...]] = None) -> None:
        with self._lock:
            self._check_open()
            self._writing()
            if r.state != TrialState.RUNNING:
                raise _lib.TrialStateError("trial %d is already %s" % (r.number,
                                                                        r.state.name.lower()))
            if state == TrialState.PRUNED:
                if not r.reports:
                    state, reason = TrialState.FAILED, "pruned before any report"
                else:
                    value = r.reports[-1][1]
            core = (self._core if r.core_id is not None and r.gen == self._gen
                    and self._core is not None else None)
            if core is not None and r.core_id is not None:
                self._live -= 1
                if state == TrialState.COMPLETE:
                    told: Any = list(values) if values else float(value or 0)
                    if constraints is not None and self._core_m == len(constraints):
                        core.tell(r.core_id, told if values else [told], list(constraints))
                    else:
                        core.tell(r.core_id, told)
                    if not r.diverged:
                        self._known.add(r.number)
                elif state == TrialState.PRUNED:
                    core.prune(r.core_id)
                else:
                    core.tell_failed(r.core_id, reason)
            r.state, r.value, r.reason, r.complete = state, value, reason, _now()
            if values:
                r.values, r.value = values, values[0]
            if constraints is not None:
                r.constraints = constraints
                r.system_attrs["constraints"] = list(constraints)   # where Optuna keeps them
            if state == TrialState.COMPLETE and r.number not in self._known:
                self._unknown += 1
            rec = {"t": "finish", "n": r.number, "state": state.name, "value": r.value,
                   "reason": reason, "time": _iso(r.complete)}
            if values:
                rec["values"] = list(values)
            if constraints is not None:
                rec["constraints"] = list(constraints)
            self._hist.add(rec)

    def tell(self, trial: Union[DefineByRunTrial, int], values: Optional[float] = None,
             state: Optional[TrialState] = None, skip_if_finished: bool = False) -> FrozenTrial:
        """Finish a trial (the trial or its number) as Optuna's study.tell
        does: with its value (state COMPLETE), or state=TrialState.PRUNED
        (value = last report) or TrialState.FAILED. A value that is not a
        finite number fails the trial with a warning."""
        r = self._record(trial)
        if skip_if_finished and r.state != TrialState.RUNNING:
            return r.frozen()
        n = len(self._dirs)
        vector: Optional[Tuple[float, ...]] = None
        if isinstance(values, (list, tuple)):
            if len(values) != n:
                raise ValueError("trial %d: %d values told, the study has %d objectives"
                                 % (r.number, len(values), n))
            got = [_as_value(v) for v in values]
            if n > 1 and all(g is not None for g in got):
                vector = tuple(float(g or 0.0) for g in got)
            values = values[0] if n == 1 or vector is not None else math.nan
        elif n > 1 and values is not None:
            raise ValueError("trial %d: the study has %d objectives: tell a list of values"
                             % (r.number, n))
        if state is None:
            state = TrialState.COMPLETE if values is not None else TrialState.FAILED
        if state == TrialState.COMPLETE:
            v = _as_value(values)
            cons: Optional[Tuple[float, ...]] = None
            if self.constraints_func is not None and (vector is not None or v is not None):
                try:
                    cons = self._constraints(r, v, vector)
                except Exception as e:
                    self._finish(r, TrialState.FAILED,
                                 reason="constraints_func: %s: %s" % (type(e).__name__, e))
                    return r.frozen()
            if vector is not None:
                self._finish(r, TrialState.COMPLETE, vector[0], values=vector, constraints=cons)
            elif v is None:
                warnings.warn("hpt: trial %d returned %s, not a finite number; recorded as "
                              "failed" % (r.number, _short(values)), RuntimeWarning)
                self._finish(r, TrialState.FAILED, reason="objective returned %s"
                             % _short(values))
            else:
                self._finish(r, TrialState.COMPLETE, v, constraints=cons)
        elif state == TrialState.PRUNED:
            self._finish(r, TrialState.PRUNED)
        elif state == TrialState.FAILED:
            self._finish(r, TrialState.FAILED, reason="told as failed")
        else:
            raise ValueError("state must be COMPLETE, PRUNED or FAILED, not %r" % (state,))
        return r.frozen()

    def _constraints(self, r: _Record, v: Optional[float],
                     vector: Optional[Tuple[float, ...]]) -> Tuple[float, ...]:
        """constraints_func on the trial as it will be, complete."""
        assert self.constraints_func is not None
        snap = dataclasses.replace(r.frozen(), state=TrialState.COMPLETE,
                                   value=vector[0] if vector else v, objective_values=vector)
        cons = tuple(float(c) for c in self.constraints_func(snap))
        if not cons or not all(math.isfinite(c) for c in cons):
            raise ValueError("it returned %r: one or more finite numbers are needed" % (cons,))
        with self._lock:
            if self._m == 0:
                if len(cons) > _lib.MAX_CONSTRAINTS:
                    raise ValueError("%d constraints, at most %d" % (len(cons),
                                                                     _lib.MAX_CONSTRAINTS))
                self._m = len(cons)
            elif len(cons) != self._m:
                raise ValueError("%d values, earlier trials had %d" % (len(cons), self._m))
        return cons

    def _record(self, trial: Union[DefineByRunTrial, int]) -> _Record:
        if isinstance(trial, DefineByRunTrial):
            if trial.study is not self:
                raise _lib.UnknownTrial("trial %d belongs to another study" % trial.number)
            return trial._r
        if isinstance(trial, numbers.Integral) and not isinstance(trial, bool):
            with self._lock:
                if 0 <= trial < len(self._records):
                    return self._records[int(trial)]
            raise _lib.UnknownTrial("no trial number %d" % trial)
        raise TypeError("expected a trial or a trial number, not %r" % (trial,))

    def enqueue_trial(self, params: Dict[str, Any], user_attrs: Optional[Dict[str, Any]] = None,
                      skip_if_exists: bool = False) -> None:
        """Have the next asked trial use these values (for the parameters it
        suggests; the others are chosen by the strategy given these, through
        the core's queue, hpt_study_enqueue). skip_if_exists: do nothing
        when a trial already has exactly these params."""
        with self._lock:
            self._check_open()
            self._writing()
            if skip_if_exists and any(r.params == params for r in self._records):
                return
            for k, v in params.items():
                if not isinstance(k, str) or (self.storage is not None
                                              and not _history.jsonable(v)):
                    raise TypeError("enqueue_trial: %r=%r cannot be stored" % (k, v))
            attrs: Dict[str, Any] = {"fixed_params": dict(params)}
            if user_attrs:
                attrs[_USER] = dict(user_attrs)
            self._enqueued.append((dict(params), attrs))
            self._hist.add({"t": "enqueue", "params": params, "sys": attrs})

    def set_user_attr(self, key: str, value: Any) -> None:
        """A study attribute (JSON-serializable; kept in the history file)."""
        with self._lock:
            self._check_open()
            self._writing()
            self.user_attrs[key] = value
            self._hist.add({"t": "study_attr", "kind": "user", "key": key, "value": value})
            self._mirror(None, key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        with self._lock:
            self._check_open()
            self._writing()
            self.system_attrs[key] = value
            self._hist.add({"t": "study_attr", "kind": "system", "key": key, "value": value})

    # ---- results ---------------------------------------------------------------------

    @property
    def trials(self) -> List[FrozenTrial]:
        """Every trial, by number, as FrozenTrial snapshots."""
        return self.get_trials()

    def get_trials(self, deepcopy: bool = True,
                   states: Optional[Iterable[TrialState]] = None) -> List[FrozenTrial]:
        with self._lock:
            want = None if states is None else set(states)
            return [r.frozen() for r in self._records if want is None or r.state in want]

    def _best_record(self) -> _Record:
        if len(self._dirs) > 1:
            raise _lib.SeveralObjectives("the study has %d objectives, so no single best "
                                         "trial: use best_trials" % len(self._dirs))
        with self._lock:
            done = [r for r in self._records if r.state == TrialState.COMPLETE
                    and r.feasible()]
            if not done:
                raise _lib.TrialStateError("no complete%s trial yet"
                                           % (" feasible" if self._m else ""))
            sign = 1.0 if self.direction == "minimize" else -1.0
            return min(done, key=lambda r: (sign * float(r.value or 0.0), r.number))

    @property
    def best_trial(self) -> FrozenTrial:
        """The complete trial with the best value (the lowest number among
        equals); hpt.TrialStateError when none is complete."""
        return self._best_record().frozen()

    @property
    def best_value(self) -> float:
        return float(self._best_record().value or 0.0)

    @property
    def best_params(self) -> Dict[str, Any]:
        return dict(self._best_record().params)

    @property
    def best_trials(self) -> List[FrozenTrial]:
        """The Pareto front: the complete trials that no other one
        dominates (with one objective, those that share the best value)."""
        if len(self._dirs) > 1:
            with self._lock:
                done = [r for r in self._records
                        if r.state == TrialState.COMPLETE and r.values is not None
                        and r.feasible()]
                signs = [1.0 if d == "minimize" else -1.0 for d in self._dirs]
                keys = [[s_ * v for s_, v in zip(signs, r.values or ())] for r in done]
                return [r.frozen() for r, k in zip(done, keys)
                        if not any(_dominates(o, k) for o in keys)]
        best = self._best_record().value
        with self._lock:
            return [r.frozen() for r in self._records
                    if r.state == TrialState.COMPLETE and r.value == best and r.feasible()]

    def trials_dataframe(self, attrs: Optional[Sequence[str]] = None) -> Any:
        """One row per trial: number, value, datetime_start,
        datetime_complete, duration, params_<name>, user_attrs_<key>, state
        (as Optuna names the columns). A pandas DataFrame when pandas is
        installed, else a list of row dicts."""
        rows = []
        names: List[str] = []
        keys: List[str] = []
        with self._lock:
            for r in self._records:
                names += [n for n in r.params if n not in names]
                keys += [k for k in r.user_attrs if k not in keys]
            for r in self._records:
                f = r.frozen()
                row: Dict[str, Any] = {"number": r.number}
                if len(self._dirs) > 1:
                    for i, x in enumerate(r.values or (None,) * len(self._dirs)):
                        row["values_%d" % i] = x
                else:
                    row["value"] = r.value
                row.update({"datetime_start": r.start, "datetime_complete": r.complete,
                            "duration": f.duration})
                for n in names:
                    row["params_" + n] = r.params.get(n)
                for k in keys:
                    row["user_attrs_" + k] = r.user_attrs.get(k)
                row["state"] = r.state.name if r.state != TrialState.FAILED else "FAIL"
                rows.append(row)
        if attrs is not None:
            want = set(attrs)
            rows = [{k: v for k, v in row.items()
                     if k in want or k.split("_", 1)[0] in want
                     or k.startswith(tuple(a + "_" for a in want))} for row in rows]
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows)

    # ---- optimize ---------------------------------------------------------------------

    def optimize(self, func: Callable[[DefineByRunTrial], Any], n_trials: Optional[int] = None,
                 timeout: Optional[float] = None, n_jobs: int = 1,
                 catch: Union[Type[BaseException], Tuple[Type[BaseException], ...]] = (),
                 callbacks: Optional[Sequence[Callable[["DefineByRunStudy", FrozenTrial],
                                                       Any]]] = None,
                 gc_after_trial: bool = False, show_progress_bar: Optional[bool] = None,
                 retry_failed: int = 0) -> None:
        """Run func(trial) on new trials: n_trials more (on a resumed study
        too), or until `timeout` seconds passed, or the strategy ends the
        study. n_jobs threads (-1: one per CPU) share the study.

        func's return value is told; not a finite number: the trial fails
        with a warning. hpt.TrialPruned / optuna.TrialPruned prune it. An
        exception of a class in `catch` fails the trial and the run goes
        on; any other fails it and is raised. retry_failed=k enqueues a
        failed trial's parameters again, up to k times. callbacks are
        called as f(study, frozen_trial) after each trial. When stderr is
        not a terminal, each finished trial is logged on the "hpt" logger
        (INFO); on a terminal a progress bar is drawn (show_progress_bar
        None), or as forced by True/False."""
        if n_trials is not None and (not isinstance(n_trials, numbers.Integral) or n_trials < 0):
            raise ValueError("n_trials must be an integer >= 0")
        if n_jobs == -1:
            n_jobs = os.cpu_count() or 1
        if n_jobs < 1:
            raise ValueError("n_jobs must be >= 1 or -1")
        if retry_failed < 0:
            raise ValueError("retry_failed must be >= 0")
        catch_t = (catch,) if isinstance(catch, type) else tuple(catch)
        progress = _Progress(n_trials, show_progress_bar)
        run = _frontend_run._Run(self, func, n_trials, timeout, catch_t, list(callbacks or ()),
                   progress, retry_failed, log=not progress.enabled)
        try:
            if n_jobs == 1:
                run.worker()
            else:
                threads = [threading.Thread(target=run.worker, daemon=True,
                                            name="hpt-optimize-%d" % i) for i in range(n_jobs)]
                for t in threads:
                    t.start()
                try:
                    for t in threads:
                        while t.is_alive():
                            t.join(0.1)
                except BaseException:
                    run.halt(None)
                    for t in threads:
                        t.join()
                    raise
        finally:
            progress.close()
        if run.error is not None:
            raise run.error

    # ---- loading ----------------------------------------------------------------------

    def _replay(self, records: List[Dict[str, Any]]) -> None:
        """Rebuild the Python side from the history file, reopen the core
        journal of the last generation (an exact resume), and settle the
        trials that were running when the process died."""
        by_n: Dict[int, _Record] = {}
        gen_space: Dict[str, Descriptor] = {}
        known: List[int] = []
        enq: Deque[Tuple[Dict[str, Any], Dict[str, Any]]] = collections.deque()
        old_steps = False
        gen_m = 0
        for rec in records:
            t = rec["t"]
            if t == "gen":
                self._gen = rec["gen"]
                gen_m = rec.get("m", 0)
                gen_space = {n: from_json(d) for n, d in rec["space"].items()}
                known = rec["known"]
            elif t == "enqueue":
                enq.append((rec["params"], rec.get("sys", {})))
            elif t == "start":
                fixed = enq.popleft()[0] if rec["fixed"] and enq else None
                r = _Record(rec["n"], rec["gen"], rec["core"], None, fixed,
                            _parse_time(rec["time"]) or _now())
                _set_attrs(r, rec.get("sys", {}))
                by_n[r.number] = r
                self._records.append(r)
            elif t == "study":
                old_steps = rec.get("format", 1) < 2
            elif t == "suggest":
                r = by_n[rec["n"]]
                d = _dist(rec["dist"])
                x = rec["x"]
                if old_steps and not isinstance(d, Categorical) and d.step not in (None, 1):
                    x = float("%.15g" % (d.lo + x * (d.step or 0)))
                r.params[rec["name"]] = d._native(x)
                r.dists[rec["name"]] = d
                self._space[rec["name"]] = d
            elif t == "report":
                by_n[rec["n"]].reports.append((float(rec["step"]), rec["value"]))
            elif t == "attr":
                r = by_n[rec["n"]]
                (r.user_attrs if rec["kind"] == "user" else r.system_attrs)[rec["key"]] = \
                    rec["value"]
            elif t == "study_attr":
                (self.user_attrs if rec["kind"] == "user" else self.system_attrs)[
                    rec["key"]] = rec["value"]
            elif t == "finish":
                r = by_n[rec["n"]]
                r.state = TrialState[rec["state"]]
                r.value, r.reason = rec["value"], rec["reason"]
                if rec.get("values"):
                    r.values = tuple(rec["values"])
                if rec.get("constraints"):
                    r.constraints = tuple(rec["constraints"])
                    self._m = len(r.constraints)
                r.complete = _parse_time(rec["time"])
        self._enqueued = enq
        self._known = set(known)
        if self._gen >= 0:
            # the core of that generation had the constraints known then
            self._core_m = int(gen_m)
            saved_m, self._m = self._m, self._core_m
            self._core = self._open_core(self._gen, gen_space, snapshot=True)
            self._core_ro = True
            self._m = saved_m
            self._core_space = gen_space
            self._core_plain = {n: d._plain() for n, d in gen_space.items()}
            self._settle()
        self._count()
        if not self._core_ro:
            self._settle_dead()

    def _count(self) -> None:
        self._live = sum(r.state == TrialState.RUNNING and r.core_id is not None
                         and r.gen == self._gen for r in self._records)
        self._unknown = sum(r.state == TrialState.COMPLETE and r.number not in self._known
                            for r in self._records)

    def _settle_dead(self) -> None:
        for r in self._records:
            if r.state == TrialState.RUNNING and not self._live_elsewhere(r):
                self._interrupted(r)      # left by the dead process

    def _writing(self) -> None:
        """Called before every change. A loaded study reads (a snapshot of
        the core journal, no history file opened); its first change makes
        it a writer: the storage's one front-end study in this process, the
        core journal opened for writing (what others appended since the
        load is taken in, and only now are the trials of dead processes
        settled), then the history file taken and written."""
        if not (self._core_ro or self._hist.waiting):
            return
        assert self.storage is not None
        _handles.take(self.storage, self, True)
        if self._core_ro and self._core is not None:
            self._hist.hold()
            try:
                saved_m, self._m = self._m, self._core_m
                try:
                    # opened before the snapshot is let go: a refusal
                    # (JournalLocked) leaves the study readable as it was
                    core = self._open_core(self._gen, self._core_space)
                finally:
                    self._m = saved_m
                old, self._core, self._core_ro = self._core, core, False
                old.close()
                self._settle()
                self._count()
                self._settle_dead()
            finally:
                self._hist.release()
        self._hist.take()

    def _live_elsewhere(self, r: _Record) -> bool:
        """Whether a running record's core trial is run by another live
        writer of the journal (a plain journal loaded while its job runs):
        then it is theirs to finish, not an interrupted trial."""
        return (r.core_id is not None and r.gen == self._gen and self._core is not None
                and r.core_id not in self._stale_ids)

    def _settle(self) -> None:
        core = self._core
        assert core is not None
        mine = {r.core_id: r for r in self._records if r.gen == self._gen
                and r.core_id is not None}
        self._core_ids = {cid: r.number for cid, r in mine.items()}
        # A snapshot cannot tell who is alive: every running trial is shown
        # running, and the writer opened by the first change settles them.
        self._stale_ids = set() if self._core_ro else set(core.stale_trials())
        for cid, r in mine.items():
            if r.state != TrialState.RUNNING:
                if r.state == TrialState.COMPLETE:
                    self._known.add(r.number)
                continue     # settled already: only running ones need the core
            ft = core.trial(cid)
            if r.core_params is None:
                r.core_params = ft.params
            for name, v in r.params.items():
                served = (self._core_plain.get(name) == r.dists[name]
                          and name in r.core_params and _same(r.dists[name], r.core_params,
                                                              name, v))
                r.diverged |= not served
                self._grown |= (self._core_plain.get(name) == r.dists[name]
                                and name not in r.core_params)
            if r.state == TrialState.RUNNING and ft.state != TrialState.RUNNING:
                # The core was told; the process died before the history was.
                r.state, r.value, r.reason = ft.state, ft.value, ft.fail_reason
                if len(self._dirs) > 1 and ft.values is not None:
                    r.values = tuple(ft.values)
                r.complete = _now()
                self._hist.add({"t": "finish", "n": r.number, "state": r.state.name,
                                "value": r.value, "reason": r.reason, "time": _iso(r.complete)})
            if r.state == TrialState.COMPLETE and not r.diverged:
                self._known.add(r.number)
        for tid in self._stale_ids:
            if tid not in mine:     # asked, then the process died before recording it
                core.tell_failed(tid, "interrupted before the front end recorded it")
        # Trials are numbered in order: none of this generation's records
        # names a trial past len(mine) but its own.
        for o in core._outcomes(0 if len(mine) != max(mine, default=-1) + 1 else len(mine)):
            if o[0] not in mine and o[0] not in self._stale_ids:
                self._adopt(o)

    def _adopt(self, o: Tuple[int, TrialState, Dict[str, Any], Optional[float],
                              Optional[Tuple[float, ...]], List[Tuple[float, float]],
                              Optional[str]]) -> None:
        """A trial another writer of the core journal asked (a plain journal
        loaded while its job runs, or as it was at its first load): a record
        suggesting every parameter of the core. o: Study._outcomes'."""
        cid, state, params, value, values, reports, reason = o
        r = _Record(len(self._records), self._gen, cid, params, None, _now())
        r.params, r.dists = dict(params), dict(self._core_space)
        for name, d in self._core_space.items():
            self._space.setdefault(name, d)
        r.reports = reports
        self._records.append(r)
        self._core_ids[cid] = r.number
        if state != TrialState.RUNNING:
            r.state, r.value, r.reason = state, value, reason
            if len(self._dirs) > 1 and values is not None:
                r.values = values
            if state == TrialState.COMPLETE:
                self._known.add(r.number)
        number, gen, dists = r.number, self._gen, self._adopt_dists()

        def records() -> List[Dict[str, Any]]:
            out: List[Dict[str, Any]] = [{"t": "start", "n": number, "gen": gen, "core": cid,
                                          "fixed": False, "time": None}]
            out.extend({"t": "suggest", "n": number, "name": name, "dist": js,
                        "x": d._core(params[name])} for name, d, js in dists)
            out.extend({"t": "report", "n": number, "step": step, "value": v}
                       for step, v in reports)
            if state != TrialState.RUNNING:
                fin: Dict[str, Any] = {"t": "finish", "n": number, "state": state.name,
                                       "value": value, "reason": reason, "time": None}
                if len(self._dirs) > 1 and values is not None:
                    fin["values"] = list(values)
                out.append(fin)
            return out
        # Made only if the study is written to: a load that is only read
        # builds no record (10,000 trials are 70,000 of them).
        self._hist.add_later(records)

    def _adopt_dists(self) -> List[Tuple[str, Descriptor, Dict[str, Any]]]:
        """The core's parameters with their history form, made once a core."""
        if self._dists_for is None or self._dists_for[0] is not self._core_space:
            self._dists_for = (self._core_space,
                               [(n, d, d._to_json()) for n, d in self._core_space.items()])
        return self._dists_for[1]

    def _interrupted(self, r: _Record) -> None:
        self._finish(r, TrialState.FAILED, reason="interrupted: the process running it ended")
        if self.resume == "rerun":
            attrs = {"fixed_params": dict(r.params), "rerun_of": r.number}
            self._enqueued.append((dict(r.params), attrs))
            self._hist.add({"t": "enqueue", "params": r.params, "sys": attrs})


_MISSING = object()


def _dist(d: Dict[str, Any]) -> Descriptor:
    """from_json, remembering the few distinct distributions of a history
    file (each suggestion record holds one; a load reads tens of thousands)."""
    # Bounds compare as numbers (Float(1, 2) is Float(1.0, 2.0)); choices by
    # repr, which tells True from 1 and 1.0.
    key = (d.get("type"), d.get("lo"), d.get("hi"), d.get("scale"), d.get("step"),
           repr(d.get("choices")), len(d))
    got = _DISTS.get(key)
    if got is None:
        got = from_json(d)
        if len(_DISTS) < 4096:
            _DISTS[key] = got
    return got


_DISTS: Dict[Tuple[Any, ...], Descriptor] = {}
#: Key, in an enqueued trial's system attributes, of its user attributes.
_USER = "hpt:user_attrs"


def _set_attrs(r: _Record, attrs: Dict[str, Any]) -> None:
    for k, v in attrs.items():
        if k == _USER:
            r.user_attrs.update(v)
        else:
            r.system_attrs[k] = v


def _dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """a dominates b (both to minimize)."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def _same(d: Descriptor, core_params: Any, name: str, v: Any) -> bool:
    """Whether the value the trial uses is the core's proposal."""
    c = core_params[name]
    if isinstance(d, Categorical):
        return bool(d.index(c) == d.index(v))
    return bool(c == v)


def _as_value(v: Any) -> Optional[float]:
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None
