"""HptSampler: libhpt's strategies (the bayes GP by default) as a sampler
inside a plain Optuna study, so Optuna users keep Optuna's storage,
pruners and dashboard.

    import optuna
    from hpt.integration.optuna import HptSampler
    study = optuna.create_study(sampler=HptSampler(seed=0))
    study.optimize(objective, n_trials=50)

The *relative search space* is Optuna's intersection search space: the
parameters that every complete trial so far suggested with the same
distribution. libhpt proposes those jointly (a core hpt.Study over them);
the others (branch-only parameters, the first trial's) come from the
independent sampler, Optuna's RandomSampler unless given. When that space
changes, or trials exist whose results the core did not see (trials
proposed independently, or by an earlier core), the core study is rebuilt
and warm-started with every complete trial (HPT_WARM_IDENTICAL), so the
model always fits all the evidence. Pruned and failed trials are failed in
the core (not observations). Needs Optuna >= 3.0 (tested with Debian's 3.1).
"""
import os
import tempfile
import threading
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import optuna
from optuna.distributions import (BaseDistribution, CategoricalDistribution,
                                  FloatDistribution, IntDistribution)
from optuna.samplers import BaseSampler, IntersectionSearchSpace, RandomSampler
from optuna.study import Study as OptunaStudy
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial as OptunaFrozenTrial
from optuna.trial import TrialState as OptunaState

from .. import _journalfile
from .._space import Categorical, Descriptor, Float, Int
from .._study import Study

__all__ = ["HptSampler"]


def _descriptor(d: BaseDistribution) -> Descriptor:
    if isinstance(d, FloatDistribution):
        return Float(d.low, d.high, log=d.log, step=d.step)
    if isinstance(d, IntDistribution):
        return Int(d.low, d.high, log=d.log, step=d.step)
    if isinstance(d, CategoricalDistribution):
        return Categorical(list(d.choices))
    raise TypeError("HptSampler: unsupported distribution %r" % (d,))


class HptSampler(BaseSampler):
    """An Optuna sampler proposing with libhpt.

    seed: seeds libhpt and the independent sampler (None: drawn from the
    OS). strategy: any of hpt.strategies() ("bayes" by default). options:
    library options for the core study ({"bayes.xi": 0.01} ...).
    independent_sampler: for parameters outside the relative search space
    (default optuna.samplers.RandomSampler(seed))."""

    def __init__(self, seed: Optional[int] = None, strategy: str = "bayes",
                 options: Optional[Dict[str, Any]] = None,
                 independent_sampler: Optional[BaseSampler] = None) -> None:
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        self.seed = int(seed) % 2 ** 64
        self.strategy = strategy
        self.options = dict(options or {})
        self._independent = independent_sampler or RandomSampler(seed=self.seed % 2 ** 32)
        self._search_space = IntersectionSearchSpace()
        self._lock = threading.Lock()
        self._core: Optional[Study] = None
        self._space: Dict[str, Descriptor] = {}
        self._gen = 0
        self._known: Set[int] = set()
        self._asked: Dict[int, Tuple[int, int]] = {}   # Optuna number -> (gen, core id)
        self.rebuilds = 0

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()
        self.seed = int.from_bytes(os.urandom(8), "little")

    def infer_relative_search_space(self, study: OptunaStudy,
                                    trial: OptunaFrozenTrial) -> Dict[str, BaseDistribution]:
        space = self._search_space.calculate(study)
        # One-value distributions need no model (Optuna's samplers skip them too).
        return {n: d for n, d in sorted(space.items()) if not d.single()}

    def sample_relative(self, study: OptunaStudy, trial: OptunaFrozenTrial,
                        search_space: Dict[str, BaseDistribution]) -> Dict[str, Any]:
        if not search_space:
            return {}
        space = {n: _descriptor(d) for n, d in search_space.items()}
        done = study.get_trials(deepcopy=False, states=(OptunaState.COMPLETE,))
        with self._lock:
            if (self._core is None or space != self._space
                    or any(t.number not in self._known for t in done)):
                self._rebuild(study, space, done)
            assert self._core is not None
            t = self._core.ask()
            if t is None:      # the strategy ended (grid exhausted ...): independent
                return {}
            self._asked[trial.number] = (self._gen, t.id)
            return dict(t.params)

    def _rebuild(self, study: OptunaStudy, space: Dict[str, Descriptor],
                 done: Sequence[OptunaFrozenTrial]) -> None:
        if self._core is not None:
            self._core.close()
        self._gen += 1
        self.rebuilds += 1
        # Several objectives (optuna.create_study(directions=...)) are the
        # core's own: one model per objective, log-EHVI.
        dirs = ["maximize" if d == StudyDirection.MAXIMIZE else "minimize"
                for d in study.directions]
        core = Study(space, self.strategy, dirs[0],
                     (self.seed + self._gen * 0x9E3779B97F4A7C15) % 2 ** 64,
                     options=self.options, directions=dirs if len(dirs) > 1 else None)
        rows: List[Tuple[Dict[str, float], Any]] = []
        for t in done:
            if t.values is None or not all(n in t.params and space[n]._contains(t.params[n])
                                          for n in space):
                continue
            told = [float(v) for v in t.values]
            rows.append(({n: d._core(t.params[n]) for n, d in space.items()},
                         told if len(dirs) > 1 else told[0]))
        if rows:
            fd, tmp = tempfile.mkstemp(prefix="hpt-optuna-", suffix=".jnl")
            os.close(fd)
            try:
                _journalfile.write_parent(tmp, space, dirs, rows)
                core.warm_start(tmp, "identical")
            finally:
                os.unlink(tmp)
        self._core, self._space = core, space
        self._known = {t.number for t in done}

    def sample_independent(self, study: OptunaStudy, trial: OptunaFrozenTrial,
                           param_name: str, param_distribution: BaseDistribution) -> Any:
        return self._independent.sample_independent(study, trial, param_name,
                                                     param_distribution)

    def after_trial(self, study: OptunaStudy, trial: OptunaFrozenTrial, state: OptunaState,
                    values: Optional[Sequence[float]]) -> None:
        with self._lock:
            entry = self._asked.pop(trial.number, None)
            if entry is not None and entry[0] == self._gen and self._core is not None:
                cid = entry[1]
                if state == OptunaState.COMPLETE and values:
                    self._core.tell(cid, [float(v) for v in values] if len(values) > 1
                                    else float(values[0]))
                    self._known.add(trial.number)
                else:
                    self._core.tell_failed(cid, "optuna: %s" % state.name.lower())
        self._independent.after_trial(study, trial, state, values)


# Optuna's logger is chatty at INFO; leave its configuration to the user.
_ = optuna
