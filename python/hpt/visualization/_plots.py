"""What each plot shows: StudyData in, a _spec.Figure out (no backend here)."""
import itertools
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ._data import Param, StudyData, StudySource, TrialData, load
from ._spec import BUDGET_COLORS, Axis, Dimension, Figure, Panel, Series
from . import _data


def _direction_label(sd: StudyData) -> str:
    return "value (%s)" % sd.direction


def _value_ok(v: Any) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v)


def _param_axis(p: Param) -> Axis:
    """Axis of a parameter: log for log scales, category positions for
    categoricals."""
    if p.kind == "categorical":
        return Axis(p.name, False, (list(range(len(p.choices))), list(p.choices)))
    return Axis(p.name, p.log)


def _coord(p: Param, v: Any) -> Optional[float]:
    """Where value v of parameter p goes on its axis (None: inactive)."""
    if v is None:
        return None
    if p.kind == "categorical":
        return p.choices.index(v) if v in p.choices else None
    return float(v)


def _top_budget_key(t: TrialData) -> float:
    return t.budget if t.budget > 0 else math.inf


# ---- optimization history ------------------------------------------------------------

def history(source: StudySource) -> Figure:
    sd = load(source)
    done = [t for t in sd.trials if t.state == "complete" and _value_ok(t.value)]
    pruned = [t for t in sd.trials if t.state == "pruned" and _value_ok(t.value)]
    failed = sd.by_state("failed")
    p = Panel(title="", x=Axis("trial"), y=Axis(_direction_label(sd)))
    budgets = sorted({t.budget for t in done})
    if len(budgets) > 1:   # values at different budgets differ: one colour each
        for k, b in enumerate(budgets):
            ts = [t for t in done if t.budget == b]
            p.series.append(Series("markers", [t.id for t in ts], [t.value for t in ts],
                                   "complete, budget %g" % b, "complete",
                                   ["trial %d, budget %g" % (t.id, b) for t in ts],
                                   color=BUDGET_COLORS[min(k + max(0, len(BUDGET_COLORS)
                                                                   - len(budgets)),
                                                           len(BUDGET_COLORS) - 1)]))
    elif done:
        p.series.append(Series("markers", [t.id for t in done], [t.value for t in done],
                               "complete", "complete",
                               ["trial %d, budget %g" % (t.id, t.budget) for t in done]))
    if pruned:
        p.series.append(Series("markers", [t.id for t in pruned], [t.value for t in pruned],
                               "pruned (last report)", "pruned",
                               ["trial %d pruned" % t.id for t in pruned]))
    if failed:
        # no value: drawn on the worst edge of the values shown
        vals = [t.value for t in done + pruned]
        edge = (min(vals) if sd.maximize else max(vals)) if vals else 0.0
        p.series.append(Series("markers", [t.id for t in failed], [edge] * len(failed),
                               "failed (no value)", "failed",
                               ["trial %d failed: %s" % (t.id, t.fail_reason or "")
                                for t in failed]))
    if done:
        top = max(_top_budget_key(t) for t in done)
        better = max if sd.maximize else min
        bx: List[int] = []
        by: List[float] = []
        best: Optional[float] = None
        for t in done:
            if _top_budget_key(t) != top:
                continue
            v = t.value if best is None else better(best, t.value)
            best = v
            bx.append(t.id)
            by.append(v)
        if bx:
            bx.append(max(t.id for t in sd.trials))
            by.append(by[-1])
            label = "best so far" if top == math.inf else "best so far (budget %g)" % top
            p.series.append(Series("step", bx, by, label, "best"))
    n = {s: len(sd.by_state(s)) for s in ("complete", "pruned", "failed", "running")}
    title = "Optimization history: %d trials (%s)" % (
        len(sd.trials), ", ".join("%d %s" % (v, k) for k, v in n.items() if v))
    return Figure(title, [p])


# ---- slice ---------------------------------------------------------------------------

def _finished(sd: StudyData) -> List[TrialData]:
    return [t for t in sd.trials if t.state == "complete" and _value_ok(t.value)]


def _params(sd: StudyData, params: Optional[Sequence[str]]) -> List[Param]:
    if params is None:
        return list(sd.params)
    return [sd.param(n) for n in params]


def slice_(source: StudySource, params: Optional[Sequence[str]] = None) -> Figure:
    sd = load(source)
    done = _finished(sd)
    panels = []
    for p in _params(sd, params):
        pts = [(_coord(p, t.params.get(p.name)), t) for t in done]
        pts = [(x, t) for x, t in pts if x is not None]
        s = Series("markers", [x for x, _ in pts], [t.value for _, t in pts], p.name,
                   "complete", ["trial %d" % t.id for _, t in pts], c=[t.id for _, t in pts])
        panels.append(Panel([s], p.name, _param_axis(p), Axis(_direction_label(sd)),
                            legend=False))
    ncols = min(3, max(1, len(panels)))
    rows = math.ceil(len(panels) / ncols)
    return Figure("Slice: value against each parameter (colour: trial id)", panels, ncols,
                  width=3.2 * ncols + 0.6, height=2.8 * rows + 0.6)


# ---- parallel coordinates ------------------------------------------------------------

def parallel(source: StudySource, params: Optional[Sequence[str]] = None) -> Figure:
    sd = load(source)
    done = _finished(sd)
    dims = []
    for p in _params(sd, params):
        vals = [_coord(p, t.params.get(p.name)) for t in done]
        ax = _param_axis(p)
        dims.append(Dimension(p.name, vals, p.log, ax.ticks))
    dims.append(Dimension("value", [t.value for t in done]))
    return Figure("Parallel coordinates: %d complete trials" % len(done), [Panel()],
                  dimensions=dims, color=[t.value for t in done],
                  color_label=_direction_label(sd), width=8.0)


# ---- contour -------------------------------------------------------------------------

_Grid = Tuple[List[float], List[float], List[List[Optional[float]]]]


def _grid(xs: Sequence[float], ys: Sequence[float], zs: Sequence[float], xlog: bool,
          ylog: bool, n: int = 40) -> Optional[_Grid]:
    """Values interpolated on an n x n grid over the points' box (linear,
    scipy.interpolate.griddata; None outside their hull); None without
    scipy or with fewer than 4 points in general position."""
    if len(xs) < 4:
        return None
    try:
        import numpy as np
        from scipy.interpolate import griddata
    except ImportError:
        return None
    ax, ay = np.asarray(xs, float), np.asarray(ys, float)
    px, py = (np.log10(ax) if xlog else ax), (np.log10(ay) if ylog else ay)
    if px.min() == px.max() or py.min() == py.max():
        return None
    gx, gy = np.linspace(px.min(), px.max(), n), np.linspace(py.min(), py.max(), n)
    try:
        gz = griddata((px, py), np.asarray(zs, float), tuple(np.meshgrid(gx, gy)),
                      method="linear")
    except Exception:          # a degenerate (collinear) set of points
        return None
    ux = (10 ** gx) if xlog else gx
    uy = (10 ** gy) if ylog else gy
    z = [[None if not math.isfinite(v) else float(v) for v in row] for row in gz]
    return list(map(float, ux)), list(map(float, uy)), z


def contour(source: StudySource, params: Optional[Sequence[str]] = None) -> Figure:
    sd = load(source)
    done = _finished(sd)
    ps = _params(sd, params)
    if len(ps) < 2:
        raise ValueError("a contour plot needs at least two parameters")
    panels = []
    for a, b in itertools.combinations(ps, 2):
        coords = [(_coord(a, t.params.get(a.name)), _coord(b, t.params.get(b.name)), t)
                  for t in done]
        pts = [(x, y, t) for x, y, t in coords if x is not None and y is not None]
        xs, ys = [x for x, _, _ in pts], [y for _, y, _ in pts]
        zs = [t.value for _, _, t in pts]
        series: List[Series] = []
        g = _grid(xs, ys, zs, a.log, b.log)
        if g is not None:
            series.append(Series("contour", g[0], g[1], "interpolated value", "complete",
                                 z=g[2]))
        series.append(Series("markers", xs, ys, "trials", "point",
                             ["trial %d: %.6g" % (t.id, t.value) for _, _, t in pts]))
        panels.append(Panel(series, "%s / %s" % (a.name, b.name), _param_axis(a),
                            _param_axis(b), legend=False))
    ncols = min(3, len(panels))
    rows = math.ceil(len(panels) / ncols)
    return Figure("Contour: value over pairs of parameters (linear interpolation)", panels,
                  ncols, width=3.4 * ncols + 0.6, height=3.0 * rows + 0.6)


# ---- importance ----------------------------------------------------------------------

def importance(source: StudySource) -> Figure:
    sd = load(source)
    imp = _data.importance(sd)
    names = sorted(imp, key=lambda n: (imp[n][1], imp[n][0]))
    pos = list(range(len(names)))
    s1 = Series("bar", [imp[n][0] for n in names], pos, "first-order", "first")
    st = Series("bar", [imp[n][1] for n in names], pos, "total", "total")
    p = Panel([st, s1], "", Axis("Sobol index (share of the model's variance)"),
              Axis("", ticks=(pos, names)))
    used = _importance_rows(sd)
    title = "Parameter importance: Sobol indices of a GP of %s" % used
    return Figure(title, [p], height=max(2.5, 0.45 * len(names) + 1.5))


def _importance_rows(sd: StudyData) -> str:
    """Which trials hpt_study_importance_sobol models (its rule, hpt.h): the
    complete ones of the largest budget with at least max(8, 2 d + 2)."""
    need = max(8, 2 * len(sd.params) + 2)
    count: Dict[float, int] = {}
    for t in sd.trials:
        if t.state == "complete":
            count[t.budget] = count.get(t.budget, 0) + 1
    ok = [b for b, c in count.items() if c >= need]
    if not ok:
        return "the trials"
    b = max(ok)
    if len(count) == 1:
        return "the %d complete trials" % count[b]
    return "the %d complete trials at budget %g" % (count[b], b)


# ---- intermediate values ---------------------------------------------------------------

def intermediate(source: StudySource) -> Figure:
    sd = load(source)
    p = Panel(x=Axis("step"), y=Axis("intermediate value"), legend=False)
    for t in sd.trials:
        if not t.reports:
            continue
        p.series.append(Series("line", [s for s, _ in t.reports], [v for _, v in t.reports],
                               "trial %d (%s)" % (t.id, t.state), t.state,
                               ["trial %d (%s)" % (t.id, t.state)] * len(t.reports)))
    n_pruned = sum(1 for t in sd.trials if t.reports and t.state == "pruned")
    return Figure("Intermediate values: %d trials reported, %d pruned (orange)"
                  % (len(p.series), n_pruned), [p])


# ---- empirical distribution ------------------------------------------------------------

def edf(sources: Union[StudySource, List[StudySource], Tuple[StudySource, ...]],
        names: Optional[Sequence[str]] = None) -> Figure:
    if isinstance(sources, (list, tuple)):
        sds = [load(s) for s in sources]
    else:
        sds = [load(sources)]
    names = names or [sd.name or sd.strategy or "study %d" % i for i, sd in enumerate(sds)]
    p = Panel(x=Axis("value"), y=Axis("fraction of complete trials <= value"))
    for sd, name in zip(sds, names):
        vals = sorted(t.value for t in _finished(sd))
        if vals:
            ys = [(k + 1) / len(vals) for k in range(len(vals))]
            p.series.append(Series("step", vals, ys, name, "complete"))
    return Figure("Empirical distribution of the values", [p])


# ---- timeline --------------------------------------------------------------------------

def _start(t: TrialData) -> float:
    """A trial's start where the timeline has checked that the study has
    times (a journal records every trial's)."""
    assert t.start is not None
    return t.start


def _ended_before(prev: TrialData, t: TrialData) -> bool:
    """prev finished before t was asked: by the journal's order of records
    when both have one (millisecond times tie for fast trials), else by
    time."""
    if prev.seq and t.seq:
        return prev.seq[1] is not None and prev.seq[1] < t.seq[0]
    return prev.end is not None and prev.end <= _start(t)


def timeline(source: StudySource) -> Figure:
    sd = load(source)
    if not sd.has_times:
        raise ValueError("the timeline needs the trials' times, which only a journal "
                         "records: open the study with journal=..., or plot the journal")
    now = max([t.end or 0 for t in sd.trials] + [t.start or 0 for t in sd.trials])
    lanes: List[TrialData] = []     # the last trial placed on each slot
    rows: Dict[int, int] = {}
    for t in sorted(sd.trials, key=lambda t: (_start(t), t.seq[0] if t.seq else 0, t.id)):
        for k, prev in enumerate(lanes):
            if _ended_before(prev, t):
                lanes[k] = t
                rows[t.id] = k
                break
        else:
            rows[t.id] = len(lanes)
            lanes.append(t)
    n = len(lanes)
    p = Panel(x=Axis("seconds since the study began" if sd.wall_clock
                     else "seconds of the study's active time"),
              y=Axis("slot", ticks=(list(range(n)), [str(k) for k in range(n)])))
    for state in ("complete", "pruned", "failed", "running"):
        ts = sd.by_state(state)
        if not ts:
            continue
        ends = [t.end if t.end is not None else now for t in ts]
        p.series.append(Series("hbar", [max(e - _start(t), 1e-3) for t, e in zip(ts, ends)],
                               [rows[t.id] for t in ts], state, state,
                               ["trial %d (%s) %.3g-%.3g s" % (t.id, state, _start(t), e)
                                for t, e in zip(ts, ends)], base=[_start(t) for t in ts]))
    return Figure("Timeline: %d trials on %d parallel slot%s" % (
        len(sd.trials), n, "" if n == 1 else "s"), [p])


# ---- Hyperband rungs and promotions ----------------------------------------------------

def hyperband(source: StudySource) -> Figure:
    sd = load(source)
    if not sd.multi_fidelity:
        raise ValueError("the study has no budgets (not a multi-fidelity strategy)")
    by_id = {t.id: t for t in sd.trials}
    p = Panel(x=Axis("budget", log=min(t.budget for t in sd.trials) > 0),
              y=Axis(_direction_label(sd)))
    for state in ("complete", "pruned"):
        ts = [t for t in sd.by_state(state) if _value_ok(t.value)]
        if ts:
            p.series.append(Series("markers", [t.budget for t in ts], [t.value for t in ts],
                                   state, state, ["trial %d (budget %g)" % (t.id, t.budget)
                                                  for t in ts]))
    xs: List[float] = []
    ys: List[float] = []
    for t in sd.trials:
        src = by_id.get(t.parent) if t.parent is not None else None
        if src is not None and _value_ok(src.value) and _value_ok(t.value):
            xs += [src.budget, t.budget]
            ys += [src.value, t.value]
    if xs:
        p.series.append(Series("segments", xs, ys, "promotion", "promotion"))
    rungs: Dict[float, int] = {}
    for t in sd.trials:
        rungs[t.budget] = rungs.get(t.budget, 0) + 1
    desc = ", ".join("%d @ %g" % (rungs[b], b) for b in sorted(rungs))
    return Figure("Hyperband rungs (trials @ budget: %s), %d promotions" % (desc, len(xs) // 2),
                  [p])


# ---- Pareto front ------------------------------------------------------------------------

def _dominates(a: Sequence[float], b: Sequence[float], signs: Sequence[int]) -> bool:
    return all(s * x <= s * y for x, y, s in zip(a, b, signs)) and any(
        s * x < s * y for x, y, s in zip(a, b, signs))


def pareto_mask(points: Sequence[Sequence[float]], directions: Sequence[str]) -> List[bool]:
    """True for each point no other point dominates (O(n^2))."""
    signs = [1 if d == "minimize" else -1 for d in directions]
    return [not any(_dominates(q, p, signs) for q in points if q is not p)
            for p in points]


def pareto(points: Union[StudyData, Sequence[Sequence[float]]],
           directions: Optional[Sequence[str]] = None, names: Optional[Sequence[str]] = None,
           labels: Optional[Sequence[str]] = None) -> Figure:
    """points: a StudyData whose values are tuples, or a list of 2- or
    3-tuples of objective values."""
    feasible: Optional[List[bool]] = None
    if isinstance(points, StudyData):
        sd = points
        done = [t for t in sd.trials if t.state == "complete" and isinstance(t.value, tuple)]
        labels = labels or ["trial %d" % t.id for t in done]
        directions = directions or sd.directions
        names = names or (list(sd.objectives) if sd.objectives else None)
        raw: Sequence[Sequence[float]] = [t.value for t in done]
        feasible = [t.feasible for t in done]
    else:
        raw = points
    pts = [tuple(float(v) for v in p) for p in raw]
    if not pts:
        raise ValueError("no points")
    k = len(pts[0])
    if k not in (2, 3) or any(len(p) != k for p in pts):
        raise ValueError("the Pareto front plot takes points of 2 or 3 objectives")
    directions = tuple(directions or ("minimize",) * k)
    names = names or ["objective %d (%s)" % (i, d) for i, d in enumerate(directions)]
    labels = labels or ["point %d" % i for i in range(len(pts))]
    if feasible is not None and not all(feasible):
        # the front is of the feasible points (hpt_study_pareto); the
        # infeasible ones are drawn with the dominated
        ok = [q for q, f in zip(pts, feasible) if f]
        sub = iter(pareto_mask(ok, directions))
        mask = [next(sub) if f else False for f in feasible]
    else:
        mask = pareto_mask(pts, directions)
    p = Panel(x=Axis(names[0]), y=Axis(names[1]), z=Axis(names[2]) if k == 3 else None)
    for role, want in (("dominated", False), ("front", True)):
        sel = [i for i, m in enumerate(mask) if m == want]
        if not sel:
            continue
        if role == "front" and k == 2:
            sel.sort(key=lambda i: pts[i][0])
        s = Series("markers", [pts[i][0] for i in sel], [pts[i][1] for i in sel],
                   "Pareto front" if want else "dominated", role, [labels[i] for i in sel],
                   zs=[pts[i][2] for i in sel] if k == 3 else None)
        p.series.append(s)
        if want and k == 2 and len(sel) > 1:
            p.series.append(Series("line", s.x, s.y, "front", "front"))
    return Figure("Pareto front: %d of %d points non-dominated" % (sum(mask), len(pts)),
                  [p])
