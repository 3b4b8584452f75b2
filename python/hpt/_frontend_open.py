"""hpt.create_study and hpt.load_study: making, resuming and adopting
define-by-run studies (see _frontend for what they are)."""
import os
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import _history, _journalfile, _lib
from ._frontend import DefineByRunStudy, _direction
from ._space import Descriptor
from ._study import FrozenTrial


def create_study(storage: "str | os.PathLike[str] | None" = None, sampler: Any = None,
                 pruner: Any = "median", study_name: Optional[str] = None,
                 direction: Any = None, load_if_exists: bool = False,
                 directions: Optional[Sequence[Any]] = None, *, strategy: str = "bayes",
                 seed: Optional[int] = None, resume: str = "rerun",
                 constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = None,
                 **options: Any) -> DefineByRunStudy:
    """A define-by-run study with Optuna's create_study arguments.

    direction: "minimize" (default) / "maximize", or "min" / "max";
    directions=[d1, d2, ...]: several objectives (the objective returns a
    tuple; best_trials is the Pareto front; the core models every
    objective; no pruner, so the default pruner is then None).
    constraints_func: Optuna's f(frozen_trial) -> constraint values (a
    trial is feasible when each is <= 0), called when a trial completes;
    best_* and best_trials are of feasible trials, the core models the
    constraints (from the core study built after the first call), and the
    values are in frozen_trial.system_attrs["constraints"] as in Optuna.
    A function is not stored: give it to load_study again. strategy: any of
    hpt.strategies(), "bayes" by default (as hpt-tune). seed: None draws one
    from the OS (recorded in study.seed and the storage, so a resume
    continues exactly). pruner: "median" (default, like Optuna's
    MedianPruner), "asha", None, or an Optuna MedianPruner /
    SuccessiveHalvingPruner object. storage: a file path (the core journal;
    <path>.hpt-run keeps the rest) or None (in memory). load_if_exists: an
    existing storage is resumed, else it is an error (FileExistsError).
    resume: what happens to trials a crash left running: "rerun" (failed,
    and their parameters enqueued again) or "fail". Other keywords are
    library options for each core study (with "__" for ".": pruner__warmup_trials=3).
    sampler must be None (the strategy chooses; Optuna users keep their
    samplers with optuna.create_study(sampler=hpt.integration.optuna.HptSampler()))."""
    if sampler is not None:
        raise TypeError("hpt.create_study takes strategy=, not an Optuna sampler; to use "
                        "libhpt inside Optuna: optuna.create_study(sampler="
                        "hpt.integration.optuna.HptSampler())")
    if directions is not None:
        if direction is not None:
            raise ValueError("give direction or directions, not both")
        dirs = list(directions)
        if not dirs:
            raise ValueError("directions must name at least one objective")
        direction = dirs[0]
        if len(dirs) > 1 and isinstance(pruner, str) and pruner == "median":
            pruner = None        # the default: pruners need one objective
    opts = {k.replace("__", "."): v for k, v in options.items()}
    if storage is not None:
        path = os.fspath(storage)
        exists = (os.path.exists(path + _history.SUFFIX)
                  or (os.path.exists(path) and os.path.getsize(path) > 0))
        if exists:
            if not load_if_exists:
                raise FileExistsError("%s already holds a study (load_if_exists=True "
                                      "resumes it)" % path)
            return load_study(path, resume=resume, constraints_func=constraints_func)
    return DefineByRunStudy(_direction(direction or "minimize"), strategy, seed, storage,
                            pruner, resume, opts, study_name,
                            directions=dirs if directions is not None else None,
                            constraints_func=constraints_func)


def load_study(storage: "str | os.PathLike[str] | None" = None,
               study_name: Optional[str] = None, *, path: Any = None,
               resume: str = "rerun",
               constraints_func: Optional[Callable[[FrozenTrial], Sequence[float]]] = None
               ) -> DefineByRunStudy:
    """Resume the study stored at `storage` (a path): one made by
    hpt.create_study(storage=...), or any hpt journal (hpt.Study(journal=),
    hpt-tune): its space, strategy, direction and seed are read from the
    journal itself (a plain journal is continued as generation 0 of a
    front-end study, its <path>.hpt-run history file made by the first
    change). study_name is accepted for Optuna's signature.

    A load only reads, and may be done while writers work on the journal
    (a running job, no space needed): the core journal is read as
    hpt_study_load reads it (no lock waited for or taken, nothing written,
    an exclusive writer no obstacle), the history file without its lock,
    and neither is written; each load takes in the trials asked since the
    previous one, and shows running trials as running. The loaded study's
    first change (ask, tell, optimize, report, enqueue_trial, an attribute)
    makes it a writer: the core journal opened for writing, the trials of
    dead processes (stale leases) settled by `resume` (see create_study),
    then the history file taken and written. A front-end storage has one
    writer: that first change raises hpt.JournalLocked, and changes
    nothing, while a front-end study of another process holds it or when
    one wrote it since this load (load it again)."""
    p = os.fspath(storage if storage is not None else path)
    if p is None:
        raise TypeError("load_study needs the storage path")
    side = p + _history.SUFFIX
    if os.path.exists(side):
        recs, size = _history.read_sized(side)
        if not recs or recs[0].get("t") != "study":
            raise _lib.CorruptJournal("%s is not an hpt front-end history" % side)
        head = recs[0]
        return DefineByRunStudy(head["direction"], head["strategy"], head["seed"], p,
                                head["pruner"], resume, head.get("options") or {},
                                head.get("study_name") or study_name, _records=recs,
                                directions=head.get("directions"),
                                constraints_func=constraints_func, _hist_size=size)
    if not os.path.exists(p):
        raise FileNotFoundError("no study stored at %s" % p)
    return _adopt_journal(p, resume)


def _adopt_journal(path: str, resume: str) -> DefineByRunStudy:
    """A plain hpt journal becomes generation 0 of a front-end study: its
    trials are the core's, with every parameter of its space suggested.
    The core study of generation 0 is the journal's own, opened once; its
    trials become records as those of other writers do (_adopt), and the
    history file that says so is written with the study's first change,
    not here (a load of a running job writes nothing)."""
    head = _journalfile.read_header(path)
    space: Dict[str, Descriptor] = head["space"]
    pruner = _pruner_from(path)
    # The journal's seed is generation 0's: the study seed that gives it.
    recs: List[Dict[str, Any]] = [
        {"t": "study", "format": _history.FORMAT, "direction": head["direction"],
         "strategy": head["strategy"], "seed": head["seed"], "pruner": pruner, "options": {}},
        {"t": "gen", "gen": 0, "known": [],
         "space": {n: d._to_json() for n, d in space.items()}}]
    return DefineByRunStudy(head["direction"], head["strategy"], head["seed"], path, pruner,
                            resume, {}, None, _records=recs, _new_history=True)


def _pruner_from(path: str) -> str:
    with open(path, "rb") as f:
        for line in f:
            fld = line.split(b" ")
            if fld[0] == b"option_str" and fld[1] == b"pruner":
                return fld[2].decode()
    return "none"
