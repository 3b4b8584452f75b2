"""Draw a _spec.Figure with plotly (interactive): one trace per Series."""
import math
from typing import Any, Dict, List, Optional, Sequence

from ._spec import COLORS, MARKERS, Axis, Figure, Series

_SYMBOL = {"s": "square", "x": "x", "^": "triangle-up", "D": "diamond", "o": "circle"}


def _none_to_nan(v: Sequence[Optional[float]]) -> List[float]:
    return [math.nan if x is None else x for x in v]


def _axis(ax: Axis) -> Dict[str, Any]:
    d: Dict[str, Any] = {"title": {"text": ax.label}}
    if ax.log:
        d["type"] = "log"
    if ax.ticks is not None:
        d.update(tickmode="array", tickvals=list(ax.ticks[0]), ticktext=list(ax.ticks[1]))
    return d


# go: the plotly.graph_objects module (imported on first use; no stubs)
def _trace(go: Any, s: Series, three_d: bool) -> Any:
    color = s.color or COLORS.get(s.role, COLORS["complete"])
    marker: Dict[str, Any] = {"color": color, "size": 6,
              "symbol": _SYMBOL[MARKERS.get(s.role, "o")]}
    if s.c is not None:
        marker.update(color=list(s.c), colorscale="Blues", showscale=False)
    common = {"name": s.name, "text": list(s.text) if s.text is not None else None}
    if s.kind == "markers" and three_d:
        assert s.zs is not None      # a 3-D panel's markers have a third coordinate
        return go.Scatter3d(x=list(s.x), y=list(s.y), z=list(s.zs), mode="markers",
                            marker=dict(marker, size=4), **common)
    if s.kind == "markers":
        return go.Scatter(x=list(s.x), y=list(s.y), mode="markers", marker=marker, **common)
    if s.kind in ("line", "step"):
        line: Dict[str, Any] = {"color": color, "width": 1.2 if s.role in ("complete", "pruned",
                                                             "failed", "running") else 2}
        if s.role == "pruned":
            line["dash"] = "dot"
        thin = s.role in ("complete", "pruned", "failed", "running")
        return go.Scatter(x=list(s.x), y=list(s.y), mode="lines+markers" if thin else "lines",
                          line=line, marker={"size": 3, "color": color},
                          line_shape="hv" if s.kind == "step" else "linear", opacity=0.8,
                          **common)
    if s.kind == "segments":
        xs: List[Any] = []
        ys: List[Any] = []
        for i in range(0, len(s.x), 2):
            xs += [s.x[i], s.x[i + 1], None]
            ys += [s.y[i], s.y[i + 1], None]
        return go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 1},
                          opacity=0.6, name=s.name)
    if s.kind in ("bar", "hbar"):
        return go.Bar(x=list(s.x), y=list(s.y), base=list(s.base) if s.base else None,
                      orientation="h", marker={"color": color}, **common)
    if s.kind == "contour":
        assert s.z is not None       # a contour series carries its grid
        return go.Contour(x=list(s.x), y=list(s.y), z=[_none_to_nan(r) for r in s.z],
                          colorscale="Blues_r", showscale=False, name=s.name,
                          contours={"coloring": "heatmap"}, connectgaps=False)
    raise ValueError("unknown series kind %r" % s.kind)


def render(fig: Figure) -> Any:
    try:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots
    except ImportError as e:
        from . import BackendMissing
        raise BackendMissing("plotly", e) from None
    if fig.dimensions is not None:
        dims = []
        for d in fig.dimensions:
            dd: Dict[str, Any] = {"label": d.label, "values": _none_to_nan(d.values)}
            if d.log:
                dd["values"] = [math.log10(v) if v is not None and v > 0 else math.nan
                                for v in d.values]
                dd["label"] = "log10 " + d.label
            if d.ticks is not None:
                dd.update(tickvals=list(d.ticks[0]), ticktext=list(d.ticks[1]))
            dims.append(dd)
        assert fig.color is not None  # parallel coordinates colour their lines
        out = go.Figure(go.Parcoords(dimensions=dims, line={
            "color": list(fig.color), "colorscale": "Blues", "showscale": True,
            "colorbar": {"title": {"text": fig.color_label}}}))
        out.update_layout(title=fig.title)
        return out
    n = len(fig.panels)
    three_d = any(p.z is not None for p in fig.panels)
    if n == 1:
        out = go.Figure()
        p = fig.panels[0]
        for s in p.series:
            out.add_trace(_trace(go, s, three_d))
        if p.z is not None:          # three_d: the one panel is 3-D
            out.update_layout(scene={"xaxis": _axis(p.x), "yaxis": _axis(p.y),
                                     "zaxis": _axis(p.z)})
        else:
            out.update_layout(xaxis=_axis(p.x), yaxis=_axis(p.y), showlegend=p.legend)
        if any(s.kind == "bar" for s in p.series):
            out.update_layout(barmode="overlay")
        out.update_layout(title=fig.title)
        return out
    cols = fig.ncols
    rows = math.ceil(n / cols)
    out = make_subplots(rows=rows, cols=cols, subplot_titles=[p.title for p in fig.panels])
    for k, p in enumerate(fig.panels):
        r, c = k // cols + 1, k % cols + 1
        for s in p.series:
            out.add_trace(_trace(go, s, False), row=r, col=c)
        out.update_xaxes(row=r, col=c, **_axis(p.x))
        out.update_yaxes(row=r, col=c, **_axis(p.y))
    out.update_layout(title=fig.title, showlegend=False,
                      height=max(350, 300 * rows))
    return out
