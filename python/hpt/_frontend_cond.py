"""Conditions read off a define-by-run objective's trials.

An objective written for Optuna has no declared space: ``if classifier ==
"SVC": C = trial.suggest_float("svc_c", ...)`` only shows, trial by trial,
which parameters were suggested. The front end turns that into the core's
conditional parameters (hpt.Float(..., when=...)) each time it builds a
core study, so that the strategies model a branch's parameters where they
exist instead of proposing every parameter in every trial.

The rule, for each parameter p and each parameter c that was suggested
*before* p in every trial that suggested p (its candidate parents; the
order matters because a branch can only depend on values already drawn):

- c categorical: S = the choices c took where p was suggested. p gets
  ``when={c: S}`` when some finished trial (complete or pruned; a failed
  one may have stopped before reaching p) took a choice of c outside S and
  did not suggest p: the evidence that c decides about p.
- c integer or float: [lo, hi] = the range of c's values where p was
  suggested; an end is kept when a finished trial beyond it did not
  suggest p (so ``for i in range(n_layers)`` gives units_l2 when
  n_layers >= 3), else that end is open.

Of these candidates p keeps a smallest set that excludes the same
finished trials without p (a trial is excluded by a condition that fails
in it, or whose parent it did not have): candidates are dropped, those
excluding fewest such trials first, while every excluded trial stays
excluded by one kept. So units_l1 gets n_layers >= 2 and not a chance
range of units_l0, which every such trial also had. By construction every
observed trial that suggested p satisfies the kept conditions, so the core
never calls p inactive in a configuration like one that used it.

Limits: a condition is only as wide as what was seen (a range [3, 7] where
the truth is [3, inf) until a trial with 8 layers suggests the parameter),
and a categorical parent whose choices happened to agree in the few trials
seen may be picked up by chance. Either way a later trial that suggests a
parameter the core made inactive gets a random value for it and makes the
next core study widen the condition (a rebuild). Conditions the rule cannot
express (a parameter suggested only when x < 0.3 and y > 2 jointly, or at
random) leave the parameter active more often than it is used: the core
proposes a value the objective ignores, as it did before conditions.
"""
from typing import Any, Dict, List, Mapping, Sequence, Set

from ._space import Categorical, Descriptor
from ._study import TrialState

_FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def infer(records: Sequence[Any], space: Mapping[str, Descriptor]) -> Dict[str, Dict[str, Any]]:
    """name -> when= mapping for the parameters of `space` that the trials
    show to be conditional. records: objects with .params (name -> value,
    in suggestion order) and .state."""
    present: Dict[str, List[Any]] = {n: [] for n in space}
    absent: Dict[str, List[Any]] = {n: [] for n in space}
    for r in records:
        for n in space:
            if n in r.params:
                present[n].append(r)
            elif r.state in _FINISHED:
                absent[n].append(r)
    out: Dict[str, Dict[str, Any]] = {}
    for n in space:
        if not present[n] or not absent[n]:
            continue
        cands = _before(present[n], n)
        when: Dict[str, Any] = {}
        for c in space:
            if c not in cands:
                continue
            cond = _condition(space[c], c, present[n], absent[n])
            if cond is not None:
                when[c] = cond
        when = _minimal(when, space, absent[n])
        if when:
            out[n] = when
    return out


def _excludes(d: Descriptor, c: str, cond: Any, r: Any) -> bool:
    """Whether `cond` on parent c makes the child inactive in trial r."""
    if c not in r.params or not d._contains(r.params[c]):
        return True
    v = r.params[c]
    if isinstance(d, Categorical):
        return d.index(v) not in {d.index(x) for x in cond}
    lo, hi = cond
    return (lo is not None and v < lo) or (hi is not None and v > hi)


def _minimal(when: Dict[str, Any], space: Mapping[str, Descriptor],
             absent: List[Any]) -> Dict[str, Any]:
    ex = {c: {k for k, r in enumerate(absent) if _excludes(space[c], c, cond, r)}
          for c, cond in when.items()}
    kept = dict(when)
    for c in sorted(when, key=lambda c: (len(ex[c]), list(space).index(c))):
        others: Set[int] = set()
        for o in kept:
            if o != c:
                others |= ex[o]
        if ex[c] <= others:
            del kept[c]
    return kept


def _before(trials: List[Any], n: str) -> Set[str]:
    """The names suggested before n in every one of `trials`."""
    common: Set[str] = set()
    for k, r in enumerate(trials):
        names = list(r.params)
        seen = set(names[:names.index(n)])
        common = seen if k == 0 else common & seen
        if not common:
            break
    return common


def _condition(pd: Descriptor, c: str, present: List[Any], absent: List[Any]) -> Any:
    vals = [r.params[c] for r in present]
    if not all(pd._contains(v) for v in vals):
        return None        # the parent changed its distribution meanwhile
    others = [r.params[c] for r in absent if c in r.params and pd._contains(r.params[c])]
    if isinstance(pd, Categorical):
        seen = sorted({pd.index(v) for v in vals})
        if not any(pd.index(v) not in seen for v in others):
            return None
        return [pd.choices[i] for i in seen]
    lo, hi = min(vals), max(vals)
    below = any(v < lo for v in others)
    above = any(v > hi for v in others)
    if not (below or above):
        return None
    return (lo if below else None, hi if above else None)
