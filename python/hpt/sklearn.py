"""scikit-learn searches driven by libhpt.

HptSearchCV is GridSearchCV / RandomizedSearchCV with the candidates
chosen by a libhpt strategy (bayes by default: each candidate is proposed
from a model of the cross-validated scores so far). It follows their
conventions: fit, predict, score, best_params_, best_score_,
best_estimator_, cv_results_ with the same keys, refit, multi-metric
scoring (the `refit` metric is the one tuned).

    from hpt.sklearn import HptSearchCV
    import hpt
    search = HptSearchCV(SVC(), {"C": hpt.Float(1e-3, 1e3, log=True),
                                 "kernel": ["rbf", "linear"]},
                         n_iter=30, cv=5, random_state=0)
    search.fit(X, y)

param_distributions: name -> hpt.Float / hpt.Int / hpt.Categorical, or a
list of values (a categorical: what GridSearchCV's grids hold, so
strategy="grid" with n_iter=None runs exactly GridSearchCV's grid).

HptHalvingSearchCV is HalvingRandomSearchCV (successive halving over
n_samples or an estimator parameter: resource=, factor=) whose first-rung
candidates are a libhpt design over the space (sobol by default: a
low-discrepancy set rather than independent draws); the rungs are
scikit-learn's.
"""
import numbers
import os
from typing import Any, Dict, List, Optional

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV
from sklearn.model_selection._search import BaseSearchCV

from ._space import Categorical, Descriptor, Float, Int
from ._study import Study

__all__ = ["HptSearchCV", "HptHalvingSearchCV"]


def _space(param_distributions: Any) -> Dict[str, Descriptor]:
    if not isinstance(param_distributions, dict) or not param_distributions:
        raise TypeError("param_distributions must be a non-empty dict name -> hpt.Float / "
                        "hpt.Int / hpt.Categorical or a list of values")
    out: Dict[str, Descriptor] = {}
    for name, d in param_distributions.items():
        if isinstance(d, (Float, Int, Categorical)):
            out[name] = d
        elif isinstance(d, (list, tuple)):
            out[name] = Categorical(list(d))
        else:
            raise TypeError("parameter %r: expected hpt.Float / hpt.Int / hpt.Categorical or "
                            "a list, not %r (scipy distributions: use hpt.Float(lo, hi, "
                            "log=True) and the like)" % (name, d))
    return out


def _seed(random_state: Any) -> int:
    if random_state is None:
        return int.from_bytes(os.urandom(8), "little")
    if isinstance(random_state, numbers.Integral):
        return int(random_state) % 2 ** 64
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2 ** 31 - 1))
    raise TypeError("random_state must be None, an int or a numpy RandomState")


class HptSearchCV(BaseSearchCV):  # type: ignore[misc]
    """Search over param_distributions with a libhpt strategy, cross-validated.

    n_iter: candidates to evaluate (None: until the strategy is done, e.g.
    the whole grid with strategy="grid"). strategy: any of hpt.strategies(),
    "bayes" by default. random_state: seeds the strategy (None: from the
    OS). options: library options for the study. n_jobs > 1 evaluates that
    many candidates at a time (asked together), besides their folds.
    The other arguments are GridSearchCV's."""

    _parameter_constraints: Dict[str, List[Any]] = {
        **getattr(BaseSearchCV, "_parameter_constraints", {}),
        "param_distributions": [dict],
        "n_iter": [numbers.Integral, None],
        "strategy": [str],
        "random_state": ["random_state"],
        "options": [dict, None],
    }

    def __init__(self, estimator: Any, param_distributions: Dict[str, Any], *,
                 n_iter: Optional[int] = 10, strategy: str = "bayes", scoring: Any = None,
                 n_jobs: Optional[int] = None, refit: Any = True, cv: Any = None,
                 verbose: int = 0, pre_dispatch: Any = "2*n_jobs", random_state: Any = None,
                 error_score: Any = np.nan, return_train_score: bool = False,
                 options: Optional[Dict[str, Any]] = None) -> None:
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.strategy = strategy
        self.random_state = random_state
        self.options = options
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)

    def _run_search(self, evaluate_candidates: Any) -> None:
        study = Study(_space(self.param_distributions), self.strategy, "maximize",
                      _seed(self.random_state), options=dict(self.options or {}))
        batch = 1 if self.n_jobs in (None, 1) else max(1, os.cpu_count() or 1
                                                       if self.n_jobs == -1 else self.n_jobs)
        left = self.n_iter
        with study:
            while left is None or left > 0:
                k = batch if left is None else min(batch, left)
                trials = []
                for _ in range(k):
                    t = study.ask()
                    if t is None:
                        break
                    trials.append(t)
                if not trials:
                    break
                try:
                    results = evaluate_candidates([dict(t.params) for t in trials])
                except ValueError as e:
                    # scikit-learn refuses a call whose fits all failed; with
                    # one candidate per call that is one bad candidate, which
                    # GridSearchCV would have scored error_score: fail those
                    # trials and go on (they are absent from cv_results_).
                    if not str(e).startswith("\nAll the") and "fits failed" not in str(e):
                        raise
                    for t in trials:
                        study.tell_failed(t, "every fit failed")
                    if left is not None:
                        left -= len(trials)
                    continue
                key = "mean_test_score" if "mean_test_score" in results \
                    else "mean_test_%s" % self.refit
                for t, score in zip(trials, results[key][-len(trials):]):
                    if np.isfinite(score):
                        study.tell(t, float(score))
                    else:
                        study.tell_failed(t, "cross-validation score %r" % (score,))
                if left is not None:
                    left -= len(trials)


class HptHalvingSearchCV(HalvingRandomSearchCV):  # type: ignore[misc]
    """HalvingRandomSearchCV whose candidates come from a libhpt strategy
    (strategy="sobol" by default; any of hpt.strategies() that proposes
    without results: sobol, random, grid, or bayes' initial design).
    param_distributions as HptSearchCV's; the other arguments are
    HalvingRandomSearchCV's (n_candidates, factor, resource, max_resources,
    min_resources, aggressive_elimination, cv, scoring, refit ...)."""

    _parameter_constraints: Dict[str, List[Any]] = {
        **getattr(HalvingRandomSearchCV, "_parameter_constraints", {}),
        "param_distributions": [dict],
        "strategy": [str],
        "options": [dict, None],
    }

    def __init__(self, estimator: Any, param_distributions: Dict[str, Any], *,
                 n_candidates: Any = "exhaust", factor: Any = 3, resource: str = "n_samples",
                 max_resources: Any = "auto", min_resources: Any = "smallest",
                 aggressive_elimination: bool = False, cv: Any = 5, scoring: Any = None,
                 refit: Any = True, error_score: Any = np.nan,
                 return_train_score: bool = True, random_state: Any = None,
                 n_jobs: Optional[int] = None, verbose: int = 0, strategy: str = "sobol",
                 options: Optional[Dict[str, Any]] = None) -> None:
        self.strategy = strategy
        self.options = options
        super().__init__(estimator, param_distributions, n_candidates=n_candidates,
                         factor=factor, resource=resource, max_resources=max_resources,
                         min_resources=min_resources,
                         aggressive_elimination=aggressive_elimination, cv=cv,
                         scoring=scoring, refit=refit, error_score=error_score,
                         return_train_score=return_train_score, random_state=random_state,
                         n_jobs=n_jobs, verbose=verbose)

    def _generate_candidate_params(self) -> List[Dict[str, Any]]:
        n = self.n_candidates
        if n == "exhaust":
            n = self.max_resources_ // self.min_resources_
        out: List[Dict[str, Any]] = []
        seed = _seed(self.random_state)
        with Study(_space(self.param_distributions), self.strategy, "maximize", int(seed),
                   options=dict(self.options or {})) as study:
            while len(out) < n:
                t = study.ask()
                if t is None:
                    break
                out.append(dict(t.params))
        return out
