"""hpt.report -- one self-contained HTML file about a tuning job.

    hpt.report.write("job.hptj", "report.html")       # or study.report(path)
    python3 -m hpt report job.hptj -o report.html

The file needs nothing else: no network, no script or style from outside
(it opens on an air-gapped machine). Plots are inline SVG drawn by
matplotlib: a report of a dozen plots weighs a few hundred kilobytes and
shows the same in any browser, where inlining plotly.js (8.6 MB unminified
in Debian's python3-plotly) would make every report that big for hover
and zoom; for interactive plots use hpt.visualization with plotly
directly. The only script is a few lines that sort the trial table when a
column header is clicked (and, for the dashboard, reload the page when the
journal changes).

Contents: the job's summary (space, strategy, direction, seed, options,
completion reason, best trial or Pareto front, trials by state, failures by
reason), the plots that apply (history, importance, slice, contour,
parallel coordinates, intermediate values, Hyperband rungs, timeline,
empirical distribution, Pareto front), each or a note saying why it is
missing, and a sortable table of every trial.
"""
import datetime
import html
import io
import math
import re
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from .visualization import _data, _plots
from .visualization._data import PathArg, StudyData, StudySource
from .visualization._spec import Figure

_P = TypeVar("_P", bound=PathArg)

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 margin:0 auto;max-width:1100px;padding:16px 24px;color:#1d1d1d;background:#fff}
h1{font-size:22px;margin:4px 0 2px}h2{font-size:17px;margin:22px 0 8px;
 border-bottom:1px solid #ddd;padding-bottom:3px}
.sub{color:#666;margin-bottom:10px}
table{border-collapse:collapse;margin:4px 0 10px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f8}
.kv th{width:190px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{border:1px solid #dde;border-radius:6px;padding:8px 14px;background:#f8f9fc;min-width:120px}
.card b{display:block;font-size:20px}
.plot{margin:8px 0 16px}.plot svg{max-width:100%;height:auto}
.note{color:#8a5a00;background:#fff8e6;border:1px solid #f0dca8;padding:6px 10px;
 border-radius:4px;margin:6px 0}
#trials th{cursor:pointer;user-select:none;white-space:nowrap}
#trials th:after{content:" \\2195";color:#aaa}
#trials td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.complete td:nth-child(2){color:#1f77b4}tr.pruned td:nth-child(2){color:#c65f00}
tr.failed td:nth-child(2){color:#777}tr.running td:nth-child(2){color:#2a8f2a}
.tablewrap{max-height:620px;overflow:auto;border:1px solid #eee}
"""

# Sort the trial table by the clicked column: numbers numerically (empty
# cells last), text alphabetically; a second click reverses.
_SORT_JS = """
(function(){var t=document.getElementById('trials');if(!t)return;
var hs=t.tHead.rows[0].cells;for(var i=0;i<hs.length;i++)(function(k){
hs[k].addEventListener('click',function(){var b=t.tBodies[0],
rs=Array.prototype.slice.call(b.rows),d=hs[k].getAttribute('data-d')==='1'?-1:1;
for(var j=0;j<hs.length;j++)hs[j].removeAttribute('data-d');
hs[k].setAttribute('data-d',d===1?'1':'-1');
function v(r){var s=r.cells[k].getAttribute('data-v');if(s===null)s=r.cells[k].textContent;
var x=parseFloat(s);return s===''?null:(isNaN(x)||!/^[-+0-9.eE]+$/.test(s)?s:x);}
rs.sort(function(a,c){var x=v(a),y=v(c);if(x===null)return y===null?0:1;if(y===null)return -1;
if(typeof x===typeof y)return (x<y?-1:x>y?1:0)*d;return (typeof x==='number'?-1:1)*d;});
rs.forEach(function(r){b.appendChild(r);});});})(i);})();
"""

# The dashboard's page asks the server for the journal's state every few
# seconds and reloads when it changed (a trial was asked or finished).
_POLL_JS = """
(function(){var v=%s;setInterval(function(){var x=new XMLHttpRequest();
x.open('GET','%s');x.onload=function(){if(x.status===200&&x.responseText.trim()!==v)
location.reload();};x.send();},%d);})();
"""


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "%.6g" % v
    if isinstance(v, tuple):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


_SVG_STRIP = [
    (re.compile(r"<\?xml[^>]*\?>\s*"), ""),
    (re.compile(r"<!DOCTYPE[^>]*>\s*", re.S), ""),
    (re.compile(r"<metadata>.*?</metadata>\s*", re.S), ""),
    # namespace declarations are URIs, not loads, but the HTML parser puts
    # inline <svg> in the SVG namespace itself: leave no URL in the file
    (re.compile(r'\s+xmlns(:\w+)?="[^"]*"'), ""),
]


def svg_of(fig: Any, salt: str) -> str:
    """A matplotlib Figure (typed Any: matplotlib has no type information
    here) as inline SVG text: no XML prolog, metadata or
    namespace URLs; ids salted so that several figures share a page."""
    import matplotlib
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg")
    s = buf.getvalue()
    for rx, rep in _SVG_STRIP:
        s = rx.sub(rep, s)
    return s


def _plot_list(sd: StudyData) -> List[Tuple[str, Callable[[], Figure]]]:
    """(title, builder) of each plot that may apply, in report order."""
    if any(isinstance(t.value, tuple) for t in sd.trials):
        # several objectives: the plots of one value do not apply
        return [("Pareto front", lambda: _plots.pareto(sd)),
                ("Timeline", lambda: _plots.timeline(sd))]
    items: List[Tuple[str, Callable[[], Figure]]] = [
        ("Optimization history", lambda: _plots.history(sd))]
    items.append(("Parameter importance", lambda: _plots.importance(sd)))
    items.append(("Slice", lambda: _plots.slice_(sd)))
    if len(sd.params) >= 2:
        items.append(("Contour", lambda: _plots.contour(sd, _contour_params(sd))))
    items.append(("Parallel coordinates", lambda: _plots.parallel(sd)))
    if any(t.reports for t in sd.trials):
        items.append(("Intermediate values", lambda: _plots.intermediate(sd)))
    if sd.multi_fidelity:
        items.append(("Hyperband rungs and promotions", lambda: _plots.hyperband(sd)))
    items.append(("Timeline", lambda: _plots.timeline(sd)))
    items.append(("Empirical distribution", lambda: _plots.edf(sd)))
    return items


def _contour_params(sd: StudyData) -> List[str]:
    """At most the 4 most important parameters (6 panels), when known."""
    names = [p.name for p in sd.params if not (p.kind != "categorical" and p.lo == p.hi)]
    if len(names) <= 4:
        return names if len(names) >= 2 else [p.name for p in sd.params]
    try:
        imp = _data.importance(sd)
        names.sort(key=lambda n: -imp[n][1])
    except Exception:
        pass
    return names[:4]


def _summary(sd: StudyData) -> List[Tuple[str, Any]]:
    rows: List[Tuple[str, Any]] = [
        ("strategy", sd.strategy), ("direction", ", ".join(sd.directions)),
        ("seed", sd.seed)]
    if sd.options:
        rows.append(("options", "; ".join("%s = %s" % (k, v) for k, v in sd.options.items())))
    running = len(sd.by_state("running"))
    reason = sd.done_reason or ("in progress (%d running)" % running if running else
                                "not recorded (the study did not end through a completion "
                                "criterion)")
    rows.append(("completion", reason))
    if sd.journal:
        rows.append(("journal", sd.journal))
    return rows


def _failures(sd: StudyData) -> List[Tuple[str, int]]:
    counts: Dict[str, int] = {}
    for t in sd.by_state("failed"):
        r = t.fail_reason or "(no reason given)"
        counts[r] = counts.get(r, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def render(source: StudySource, title: Optional[str] = None,
           poll: Optional[Tuple[str, str, int]] = None) -> str:
    """The report of `source` (an hpt.Study, a journal path or a StudyData)
    as an HTML string. poll: (version string, url, milliseconds) makes the
    page reload when `url` answers something else (the dashboard)."""
    sd = _data.load(source)
    title = title or "hpt report: %s" % (sd.name or sd.strategy)
    out: List[str] = []
    w = out.append
    w("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
    w("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    w("<title>%s</title><style>%s</style></head><body>" % (_esc(title), _CSS))
    w("<h1>%s</h1>" % _esc(title))
    w("<div class=\"sub\">%d trials, %d parameters; written %s UTC</div>" % (
        len(sd.trials), len(sd.params),
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")))
    counts = {s: len(sd.by_state(s)) for s in _data.STATES}
    w("<div class=\"cards\">")
    for s in ("complete", "pruned", "failed", "running"):
        w("<div class=\"card\"><b>%d</b>%s</div>" % (counts[s], s))
    best = sd.best_trial()
    if best is not None:
        w("<div class=\"card\"><b>%s</b>best value (trial %d)</div>" % (_esc(_fmt(best.value)),
                                                                        best.id))
    w("</div>")

    w("<h2>Summary</h2><table class=\"kv\">")
    for k, v in _summary(sd):
        w("<tr><th>%s</th><td>%s</td></tr>" % (_esc(k), _esc(v)))
    if best is not None:
        ps = ", ".join("%s = %s" % (k, _fmt(v)) for k, v in best.params.items())
        extra = (", budget %g" % best.budget) if best.budget else ""
        w("<tr><th>best trial</th><td>trial %d: value %s%s<br>%s</td></tr>" % (
            best.id, _esc(_fmt(best.value)), extra, _esc(ps)))
    multi = [t for t in sd.trials if t.state == "complete" and isinstance(t.value, tuple)
             and t.feasible]
    if multi:
        mask = _plots.pareto_mask([t.value for t in multi], sd.directions)
        front = [t for t, m in zip(multi, mask) if m]
        w("<tr><th>Pareto front</th><td>%d trials: %s</td></tr>" % (
            len(front), _esc(", ".join("%d (%s)" % (t.id, _fmt(t.value)) for t in front))))
    w("</table>")
    w("<h2>Space</h2><table><tr><th>parameter</th><th>domain</th></tr>")
    for p in sd.params:
        w("<tr><td>%s</td><td>%s</td></tr>" % (_esc(p.name), _esc(p.describe())))
    w("</table>")
    fails = _failures(sd)
    if fails:
        w("<h2>Failures by reason</h2><table><tr><th>reason</th><th>trials</th></tr>")
        for r, n in fails:
            w("<tr><td>%s</td><td class=\"num\">%d</td></tr>" % (_esc(r), n))
        w("</table>")

    w("<h2>Plots</h2>")
    from .visualization import _matplotlib
    for no, (name, build) in enumerate(_plot_list(sd)):
        try:
            spec = build()
            fig = _matplotlib.render(spec)
            w("<div class=\"plot\" id=\"plot-%d\" data-title=\"%s\">%s</div>" % (
                no, _esc(name), svg_of(fig, "hpt%d" % no)))
        except ImportError:
            raise
        except Exception as e:   # a plot that does not apply says why
            w("<div class=\"note\">%s: not shown (%s)</div>" % (_esc(name), _esc(e)))

    w("<h2>Trials</h2><p class=\"sub\">Click a column header to sort.</p>")
    w("<div class=\"tablewrap\"><table id=\"trials\"><thead><tr>")
    cols = ["id", "state", "value", "budget", "parent"] + [p.name for p in sd.params] + [
        "reports", "seconds", "fail reason"]
    w("".join("<th>%s</th>" % _esc(c) for c in cols))
    w("</tr></thead><tbody>")
    for t in sd.trials:
        dur = (t.end - t.start) if t.end is not None and t.start is not None else None
        cells: List[Tuple[Any, Any]] = [
            (t.id, t.id), (t.state, None), (_fmt(t.value), _num(t.value)),
            (_fmt(t.budget), t.budget), ("" if t.parent is None else t.parent, t.parent)]
        for p in sd.params:
            v = t.params.get(p.name)
            cells.append((_fmt(v), v if isinstance(v, (int, float)) else None))
        cells += [(len(t.reports), len(t.reports)), (_fmt(dur), dur),
                  (t.fail_reason or "", None)]
        w("<tr class=\"%s\">" % t.state)
        for text, num in cells:
            if num is not None and isinstance(num, (int, float)) and math.isfinite(num):
                w("<td class=\"num\" data-v=\"%r\">%s</td>" % (num, _esc(text)))
            else:
                w("<td>%s</td>" % _esc(text))
        w("</tr>")
    w("</tbody></table></div>")
    w("<script>%s</script>" % _SORT_JS)
    if poll is not None:
        version, url, ms = poll
        w("<script>%s</script>" % (_POLL_JS % (_js_str(version), url, ms)))
    w("</body></html>\n")
    return "".join(out)


def _num(v: Any) -> Optional[float]:
    return v if isinstance(v, float) else None


def _js_str(s: object) -> str:
    return "'" + str(s).replace("\\", "\\\\").replace("'", "\\'") + "'"


def write(source: StudySource, path: _P, title: Optional[str] = None) -> _P:
    """Write the report of `source` to `path`; returns path."""
    text = render(source, title)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
