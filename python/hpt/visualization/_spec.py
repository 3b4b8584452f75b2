"""The backend-neutral description of a figure that both renderers draw.

Each plot function computes a Figure of Panels of Series once, so that
plotly and matplotlib show the same data, and tests can count what was
drawn in either backend the same way: one trace (plotly) or one artist
group (matplotlib) per Series, one axes per Panel.
"""
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple

#: Colours of the roles a series plays (Optuna users know blue/red; pruned
#: and failed stand out from complete trials in both backends).
COLORS = {
    "complete": "#1f77b4", "best": "#d62728", "pruned": "#ff7f0e",
    "failed": "#7f7f7f", "running": "#2ca02c", "promotion": "#9467bd",
    "front": "#d62728", "dominated": "#1f77b4", "first": "#1f77b4",
    "total": "#aec7e8", "point": "#222222",
}
#: Colours of the budgets of a multi-fidelity study, smallest first.
BUDGET_COLORS = ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")

#: Marker of each role (matplotlib codes; the plotly renderer maps them).
MARKERS = {"pruned": "s", "failed": "x", "running": "^", "front": "D"}


@dataclass
class Series:
    """kind: "markers", "line", "step" (post steps), "hbar" (x = length,
    base = start, y = row), "bar" (horizontal bars: x = length, y = row),
    "segments" (pairs of points: x and y hold [a0, b0, a1, b1, ...]) or
    "contour" (z: len(y) rows of len(x) values, None where unknown).
    c: numbers to colour markers by (a colour scale). text: hover text."""
    kind: str
    x: Sequence[Any]
    y: Sequence[Any]
    name: str = ""
    role: str = "complete"
    text: Optional[Sequence[str]] = None
    c: Optional[Sequence[float]] = None
    z: Optional[Sequence[Sequence[Optional[float]]]] = None
    base: Optional[Sequence[float]] = None
    zs: Optional[Sequence[float]] = None      # third coordinate (3-D panels)
    color: Optional[str] = None               # instead of the role's colour


@dataclass
class Axis:
    label: str = ""
    log: bool = False
    ticks: Optional[Tuple[Sequence[float], Sequence[str]]] = None  # categories


@dataclass
class Panel:
    series: List[Series] = field(default_factory=list)
    title: str = ""
    x: Axis = field(default_factory=Axis)
    y: Axis = field(default_factory=Axis)
    z: Optional[Axis] = None                  # a 3-D panel
    legend: bool = True


@dataclass
class Dimension:
    """One axis of a parallel-coordinates figure."""
    label: str
    values: Sequence[Optional[float]]
    log: bool = False
    ticks: Optional[Tuple[Sequence[float], Sequence[str]]] = None


@dataclass
class Figure:
    title: str
    panels: List[Panel] = field(default_factory=list)
    ncols: int = 1
    dimensions: Optional[List[Dimension]] = None   # parallel coordinates
    color: Optional[Sequence[float]] = None        # their line colours
    color_label: str = ""
    width: float = 7.0                             # inches (matplotlib)
    height: float = 4.2
