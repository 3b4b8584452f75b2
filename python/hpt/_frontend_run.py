"""The run loop of DefineByRunStudy.optimize: workers sharing one study,
timeout, catch, pruning, retries, callbacks, the progress bar and the
one-line-per-trial log."""
import logging
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple, Type

from . import _lib
from ._study import FrozenTrial, TrialPruned, TrialState, Wait, _Progress

if TYPE_CHECKING:
    from ._frontend import DefineByRunStudy, DefineByRunTrial

_log = logging.getLogger("hpt")


def _is_pruned(e: BaseException) -> bool:
    """hpt.TrialPruned, or Optuna's (an objective written for Optuna raises
    optuna.TrialPruned; optuna is then imported already)."""
    if isinstance(e, TrialPruned):
        return True
    exc = sys.modules.get("optuna.exceptions")
    cls = getattr(exc, "TrialPruned", None) if exc is not None else None
    return cls is not None and isinstance(e, cls)


class _Run:
    """The shared state of one DefineByRunStudy.optimize call."""

    def __init__(self, study: "DefineByRunStudy", fn: Callable[["DefineByRunTrial"], Any],
                 n_trials: Optional[int], timeout: Optional[float],
                 catch: Tuple[Type[BaseException], ...],
                 callbacks: List[Callable[["DefineByRunStudy", FrozenTrial], Any]],
                 progress: _Progress, retry_failed: int, log: bool) -> None:
        self.study, self.fn, self.n_trials, self.catch = study, fn, n_trials, catch
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.callbacks, self.progress = callbacks, progress
        self.retry_failed, self.log = retry_failed, log
        self.lock = threading.Lock()
        self.asked = self.finished = 0
        self.stopped = False
        self.error: Optional[BaseException] = None

    def halt(self, error: Optional[BaseException]) -> None:
        with self.lock:
            self.stopped = True
            if error is not None and self.error is None:
                self.error = error

    def _next(self) -> "Optional[DefineByRunTrial]":
        with self.lock:
            if self.stopped or (self.n_trials is not None and self.asked >= self.n_trials) \
                    or (self.deadline is not None and time.monotonic() >= self.deadline):
                return None
            self.asked += 1
        while True:
            try:
                t: "Optional[DefineByRunTrial]" = self.study._ask_one()
            except Wait:
                time.sleep(0.01)
                if self.stopped:
                    return None
                continue
            if t is None:
                self.halt(None)
            return t

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
            with self.lock:
                self.finished += 1
                done = self.finished
            self.progress.update(done, self.study)

    def _run_one(self, trial: "DefineByRunTrial") -> None:
        study = self.study
        r = trial._r
        raise_after: Optional[BaseException] = None
        try:
            value = self.fn(trial)
        except BaseException as e:
            if r.state == TrialState.RUNNING:
                if _is_pruned(e):
                    study._finish(r, TrialState.PRUNED)
                else:
                    study._finish(r, TrialState.FAILED, reason="%s: %s" % (type(e).__name__, e))
            if not _is_pruned(e) and not isinstance(e, self.catch):
                raise_after = e
        else:
            if r.state == TrialState.RUNNING:
                study.tell(trial, value)
        if r.state == TrialState.FAILED and self.retry_failed:
            tries = int(r.system_attrs.get("retry", 0))
            if tries < self.retry_failed and raise_after is None:
                with study._lock:
                    attrs = {"fixed_params": dict(r.params), "retry": tries + 1,
                             "retry_of": r.number}
                    study._enqueued.append((dict(r.params), attrs))
                    study._hist.add({"t": "enqueue", "params": r.params, "sys": attrs})
        frozen = r.frozen()
        if self.log:
            self._log(frozen)
        for cb in self.callbacks:
            cb(study, frozen)
        if raise_after is not None:
            raise raise_after

    def _log(self, t: FrozenTrial) -> None:
        try:
            b = self.study._best_record()
            best = " Best is trial %d with value %.6g." % (b.number, float(b.value or 0.0))
        except _lib.Error:
            best = ""
        if t.state == TrialState.COMPLETE:
            what = "finished with value %.6g" % float(t.value or 0.0)
        elif t.state == TrialState.PRUNED:
            what = "pruned"
        else:
            what = "failed (%s)" % (t.fail_reason or "")
        _log.info("Trial %d %s and parameters %r.%s", t.number, what, t.params, best)
