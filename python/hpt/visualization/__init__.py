"""hpt.visualization -- the plots Optuna users know, for libhpt studies.

Every function takes a study as an hpt.Study, the study hpt.create_study
makes, the path of a journal (a job that is still running is read without
disturbing it) or a StudyData, and returns a figure of the chosen backend:

    import hpt.visualization as vis
    fig = vis.plot_optimization_history("job.hptj")                 # plotly
    fig = vis.plot_contour(study, params=["lr", "depth"], backend="matplotlib")
    fig.write_html("history.html")        # plotly;  fig.savefig(...) for matplotlib

backend: "plotly" (interactive; Debian's python3-plotly) or "matplotlib"
(static); None = plotly when it is installed, else matplotlib. A backend
that is not installed raises BackendMissing (an ImportError) saying what to
install. matplotlib figures are made on an Agg canvas, never through pyplot.

Plots: optimization history (pruned and failed trials marked), slice,
parallel coordinates, contour (pairs), parameter importance (first-order
and total Sobol indices, hpt_study_importance_sobol), intermediate values,
empirical distribution, timeline (from the journal's per-trial times),
Hyperband rungs and promotions, Pareto front (2 or 3 objectives, from a
list of value tuples).

Multi-fidelity studies: slice, contour and parallel coordinates show every
complete trial at its own budget (the history colours them by budget);
the best-so-far curve and the importance use one budget, as hpt_study_best
and hpt_study_importance_sobol do.
"""
import importlib.util
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _plots
from ._data import Param, StudyData, StudySource, TrialData, importance, load, read_journal
from ._plots import pareto_mask
from ._spec import Figure

# The plots return a plotly or a matplotlib Figure, typed Any: neither
# library ships type information.

BACKENDS = ("plotly", "matplotlib")
_INSTALL = {"plotly": "python3-plotly", "matplotlib": "python3-matplotlib"}


class BackendMissing(ImportError):
    """The plotting backend asked for is not installed."""

    def __init__(self, backend: str, cause: Optional[BaseException] = None) -> None:
        super().__init__("hpt.visualization: the %s backend needs %s, which is not "
                         "installed (Debian: apt install %s)%s" % (
                             backend, backend, _INSTALL[backend],
                             "" if cause is None else ": %s" % cause))
        self.backend = backend


def available_backends() -> List[str]:
    """The installed backends, in order of preference."""
    return [b for b in BACKENDS if importlib.util.find_spec(b) is not None]


def _render(fig: Figure, backend: Optional[str]) -> Any:
    if backend is None:
        have = available_backends()
        if not have:
            raise BackendMissing("plotly")
        backend = have[0]
    if backend == "plotly":
        from . import _plotly
        return _plotly.render(fig)
    if backend == "matplotlib":
        from . import _matplotlib
        return _matplotlib.render(fig)
    raise ValueError("backend must be one of %s, not %r" % (", ".join(BACKENDS), backend))


def plot_optimization_history(study: StudySource, backend: Optional[str] = None) -> Any:
    """Each complete trial's value against its id, pruned trials (their last
    report) and failed ones (on the worst edge, no value) marked, and the
    best value so far (among the largest budget's trials)."""
    return _render(_plots.history(study), backend)


def plot_slice(study: StudySource, params: Optional[Sequence[str]] = None,
               backend: Optional[str] = None) -> Any:
    """One panel per parameter: the complete trials' values against it."""
    return _render(_plots.slice_(study, params), backend)


def plot_parallel_coordinate(study: StudySource, params: Optional[Sequence[str]] = None,
                             backend: Optional[str] = None) -> Any:
    """The complete trials as lines through one axis per parameter and the
    value (log axes as log10; categoricals by their labels)."""
    return _render(_plots.parallel(study, params), backend)


def plot_contour(study: StudySource, params: Optional[Sequence[str]] = None,
                 backend: Optional[str] = None) -> Any:
    """For each pair of the parameters (all of them by default), the trials
    over the value linearly interpolated between them (needs scipy; the
    trials alone without it)."""
    return _render(_plots.contour(study, params), backend)


def plot_param_importances(study: StudySource, backend: Optional[str] = None) -> Any:
    """First-order and total Sobol indices of each parameter
    (hpt_study_importance_sobol): the share of the variance of a GP model
    of the trials that it explains alone, and with its interactions."""
    return _render(_plots.importance(study), backend)


def plot_intermediate_values(study: StudySource, backend: Optional[str] = None) -> Any:
    """The reported learning curves, one line per trial; pruned trials'
    dotted in orange."""
    return _render(_plots.intermediate(study), backend)


def plot_edf(studies: Union[StudySource, List[StudySource], Tuple[StudySource, ...]],
             names: Optional[Sequence[str]] = None, backend: Optional[str] = None) -> Any:
    """Empirical cumulative distribution of the complete trials' values, of
    one study or a list of them (one line each)."""
    return _render(_plots.edf(studies, names), backend)


def plot_timeline(study: StudySource, backend: Optional[str] = None) -> Any:
    """Each trial as a bar from its ask to its end on the study's active
    clock, stacked on as many rows as trials ran at once. Needs the times
    that only a journal holds (ValueError otherwise)."""
    return _render(_plots.timeline(study), backend)


def plot_hyperband(study: StudySource, backend: Optional[str] = None) -> Any:
    """Every trial at its budget (rungs) and each promotion as a segment
    from the trial continued to its continuation."""
    return _render(_plots.hyperband(study), backend)


def plot_pareto_front(points: Union[StudySource, Sequence[Sequence[float]]],
                      directions: Optional[Sequence[str]] = None,
                      names: Optional[Sequence[str]] = None,
                      labels: Optional[Sequence[str]] = None,
                      backend: Optional[str] = None) -> Any:
    """A study of 2 or 3 objectives (an hpt.Study or create_study's study
    with directions=, its journal, a StudyData), or a list of 2- or 3-tuples
    of objective values, with the non-dominated ones highlighted (of a
    study: its feasible complete trials, as best_trials; infeasible ones
    are drawn with the dominated). directions: "minimize"/"maximize" per
    objective (default: the study's, else all minimize); names: axis
    titles; labels: hover text per point."""
    data: Union[StudyData, Sequence[Sequence[float]]]
    if isinstance(points, (list, tuple)):
        data = points
    else:
        data = load(points)   # type: ignore[arg-type]
    return _render(_plots.pareto(data, directions, names, labels), backend)


__all__ = [
    "BACKENDS", "BackendMissing", "Param", "StudyData", "TrialData", "available_backends",
    "importance", "load", "pareto_mask", "plot_contour", "plot_edf", "plot_hyperband",
    "plot_intermediate_values", "plot_optimization_history", "plot_parallel_coordinate",
    "plot_param_importances", "plot_pareto_front", "plot_slice", "plot_timeline",
    "read_journal",
]
