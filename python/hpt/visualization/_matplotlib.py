"""Draw a _spec.Figure with matplotlib (static): one axes per Panel.

The Figure is made on an Agg canvas directly, never through pyplot: no
window opens and the host's global backend is left alone."""
import math
import warnings
from typing import Any, Dict, List

from ._spec import COLORS, MARKERS, Axis, Figure, Series

# matplotlib objects (figures, axes) are typed Any: Debian's matplotlib
# ships no type information.


def _tight(fig: Any) -> None:
    # tiny figures (one or two trials) cannot always fit their labels:
    # matplotlib then draws them as they are, which is fine here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()


def _apply_axis(ax: Any, a: Axis, which: str) -> None:
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    set_label(a.label)
    if a.log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    if a.ticks is not None:
        (ax.set_xticks if which == "x" else ax.set_yticks)(list(a.ticks[0]))
        (ax.set_xticklabels if which == "x" else ax.set_yticklabels)(
            list(a.ticks[1]), fontsize=8)


def _draw(ax: Any, s: Series, n_bars: int, k_bar: int) -> None:
    color = s.color or COLORS.get(s.role, COLORS["complete"])
    marker = MARKERS.get(s.role, "o")
    if s.kind == "markers":
        kw: Dict[str, Any] = {"label": s.name, "marker": marker, "s": 14 if marker != "x" else 22}
        if s.c is not None:
            kw.update(c=list(s.c), cmap="Blues", vmin=min(s.c) - 0.3 * (max(s.c) - min(s.c) + 1))
        else:
            kw["color"] = color
        if s.zs is not None:
            ax.scatter(list(s.x), list(s.y), list(s.zs), **kw)
        else:
            ax.scatter(list(s.x), list(s.y), alpha=0.85, **kw)
    elif s.kind == "line":
        thin = s.role in ("complete", "pruned", "failed", "running")
        # thin lines (learning curves) get dots: a one-report curve shows
        ax.plot(list(s.x), list(s.y), color=color, lw=0.9 if thin else 1.8,
                ls=":" if s.role == "pruned" else "-", alpha=0.7 if thin else 1.0,
                marker="." if thin else None, ms=3, label=s.name)
    elif s.kind == "step":
        ax.step(list(s.x), list(s.y), where="post", color=color, lw=1.6, label=s.name)
    elif s.kind == "segments":
        from matplotlib.collections import LineCollection
        segs = [((s.x[i], s.y[i]), (s.x[i + 1], s.y[i + 1])) for i in range(0, len(s.x), 2)]
        ax.add_collection(LineCollection(segs, colors=color, linewidths=0.8, alpha=0.6,
                                         label=s.name))
    elif s.kind == "bar":
        h = 0.8 / n_bars
        ax.barh([y + (k_bar - (n_bars - 1) / 2) * h for y in s.y], list(s.x), height=h,
                color=color, label=s.name)
    elif s.kind == "hbar":
        assert s.base is not None    # an hbar series has its bars' starts
        ax.barh(list(s.y), list(s.x), left=list(s.base), height=0.7, color=color,
                label=s.name)
    elif s.kind == "contour":
        import numpy as np
        assert s.z is not None       # a contour series carries its grid
        z = np.array([[math.nan if v is None else v for v in row] for row in s.z])
        if np.isfinite(z).sum() >= 4:
            # numpy's stubs leave numpy.ma untyped
            masked = np.ma.masked_invalid(z)  # type: ignore[no-untyped-call]
            ax.contourf(list(s.x), list(s.y), masked, levels=12,
                        cmap="Blues_r", alpha=0.8)
    else:
        raise ValueError("unknown series kind %r" % s.kind)


def _parallel(fig: Figure, out: Any) -> None:
    import matplotlib
    import numpy as np
    from matplotlib.colors import Normalize
    ax = out.add_subplot(1, 1, 1)
    dims = fig.dimensions
    assert dims is not None          # only parallel-coordinates figures come here
    cols: List[Any] = []
    for d in dims:
        v = np.array([math.nan if x is None else float(x) for x in d.values], float)
        if d.log:
            v = np.log10(np.where(v > 0, v, np.nan))
        lo, hi = (np.nanmin(v), np.nanmax(v)) if np.isfinite(v).any() else (0.0, 1.0)
        if d.ticks is not None:
            lo, hi = 0.0, max(1.0, float(len(d.ticks[0]) - 1))
        cols.append((v - lo) / (hi - lo) if hi > lo else v * 0 + 0.5)
    data = np.array(cols).T if cols and len(cols[0]) else np.zeros((0, len(dims)))
    color = np.asarray(fig.color, float) if fig.color else np.zeros(0)
    norm = Normalize(color.min(), color.max()) if len(color) else Normalize(0, 1)
    cmap = matplotlib.colormaps["Blues_r"]
    order = np.argsort(-color if len(color) else [])
    for i in order:   # best lines drawn last, on top
        ax.plot(range(len(dims)), data[i], color=cmap(0.85 * norm(color[i])), lw=0.8,
                alpha=0.8)
    ax.set_xticks(range(len(dims)))
    ax.set_xticklabels([("log10 " if d.log else "") + d.label for d in dims], fontsize=8)
    ax.set_yticks([])
    for k, d in enumerate(dims):
        ax.axvline(k, color="k", lw=0.6)
        if d.ticks is not None:
            n = max(1, len(d.ticks[0]) - 1)
            for t, lab in zip(d.ticks[0], d.ticks[1]):
                ax.text(k + 0.03, t / n, lab, fontsize=7, va="center")
        else:
            shown = [x for x in d.values if x is not None]
            if shown:
                ax.text(k + 0.03, 0, "%.3g" % min(shown), fontsize=7, va="bottom")
                ax.text(k + 0.03, 1, "%.3g" % max(shown), fontsize=7, va="top")
    ax.set_xlim(-0.1, len(dims) - 0.7)
    ax.set_title(fig.title, fontsize=10)


def render(fig: Figure) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        from . import BackendMissing
        raise BackendMissing("matplotlib", e) from None
    out = Figure(figsize=(fig.width, fig.height))
    FigureCanvasAgg(out)
    if fig.dimensions is not None:
        _parallel(fig, out)
        _tight(out)
        return out
    n = len(fig.panels)
    cols = fig.ncols
    rows = math.ceil(n / cols)
    for k, p in enumerate(fig.panels):
        if p.z is not None:
            ax = out.add_subplot(rows, cols, k + 1, projection="3d")
        else:
            ax = out.add_subplot(rows, cols, k + 1)
        bars = [s for s in p.series if s.kind == "bar"]
        for s in p.series:
            _draw(ax, s, len(bars), bars.index(s) if s in bars else 0)
        _apply_axis(ax, p.x, "x")
        _apply_axis(ax, p.y, "y")
        if p.z is not None:
            ax.set_zlabel(p.z.label)
        if any(s.kind == "segments" for s in p.series):
            ax.autoscale_view()
        if n > 1:
            ax.set_title(p.title, fontsize=9)
        if p.legend and n == 1 and any(s.name for s in p.series) and len(p.series) <= 8:
            ax.legend(loc="best", fontsize=8)
    if n == 1:
        out.axes[0].set_title(fig.title, fontsize=10)
    else:
        out.suptitle(fig.title, fontsize=10)
    _tight(out)
    return out
