"""A self-contained HTML report of a comparison, and a short terminal summary.

The page has no external resources: figures are inline PNG (base64), styles inline, no
script. Sections (ids): ``summary``, ``kpis`` (table of baseline, what-if, delta and Monte
Carlo band per KPI), ``maps`` (per-object deltas per what-if and engine), ``timeseries``,
``changes`` (what each modification touched), ``provenance`` (scenario hash, inputs, timings).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from twin.io import atomic_write_text

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{font-size:1.6rem} h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem} th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child,th:nth-child(2),td:nth-child(2),th:nth-child(3),td:nth-child(3){text-align:left}
.neg{color:#1a7f37}.pos{color:#b42318} figure{display:inline-block;margin:.5rem} figcaption{font-size:.85rem;color:#555}
code{background:#f4f4f4;padding:0 .2rem}
"""


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, (int, np.integer)):
        return f"{x:,}"
    ax = abs(float(x))
    if ax != 0 and (ax >= 1e6 or ax < 1e-3):
        return f"{x:.4g}"
    return f"{x:,.3f}" if ax < 100 else f"{x:,.1f}"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _delta_column(frame: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    deltas = [c for c in frame.columns if c.endswith("_delta")]
    for p in preferred:
        if f"{p}_delta" in deltas:
            return f"{p}_delta"
    for c in deltas:
        if frame[c].abs().sum() > 0:
            return c
    return deltas[0] if deltas else None


MAP_COLUMNS = {
    "energy": ("q_heat_kwh_m2", "q_heat_kwh", "co2_kg"),
    "traffic": ("flow_veh_h", "travel_time_s", "access_share"),
    "soil": ("runoff_mm", "infiltration_mm"),
}


def _map_figure(comparison, whatif: str, domain: str):
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    base = comparison.baseline[domain]
    if "geometry" not in base.objects.columns:
        return None, None
    deltas = comparison.deltas(whatif, domain)
    col = _delta_column(deltas, MAP_COLUMNS.get(domain, ()))
    if col is None:
        return None, None
    geo = gpd.GeoDataFrame(base.objects[[base.id_column, "geometry"]].merge(deltas[[base.id_column, col]], on=base.id_column, how="left"), geometry="geometry")
    fig, ax = plt.subplots(figsize=(6, 6))
    values = geo[col].to_numpy(dtype=float)
    lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    lim = lim if lim > 0 else 1.0
    changed = np.isfinite(values) & (values != 0)
    geo[~changed].plot(ax=ax, color="#dddddd", linewidth=0.3)
    if changed.any():
        geo[changed].plot(ax=ax, column=col, cmap="RdBu_r", vmin=-lim, vmax=lim, legend=True, linewidth=1.2, legend_kwds={"shrink": 0.6, "label": col})
    ax.set_axis_off()
    ax.set_title(f"{whatif}: {domain}, {col}", fontsize=10)
    return _png(fig), col


def _series_figure(comparison, whatif: str, domain: str):
    import matplotlib.pyplot as plt

    b = comparison.baseline[domain].series
    w = comparison.whatifs[whatif][domain].series
    if b is None or w is None or b.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 3))
    for col in b.columns[:3]:
        ax.plot(b.index, b[col], label=f"baseline {col}", linewidth=1)
        if col in w:
            ax.plot(w.index, w[col], label=f"{whatif} {col}", linewidth=1, linestyle="--")
    ax.legend(fontsize=7)
    ax.set_title(f"{domain}: {whatif} vs baseline", fontsize=10)
    fig.autofmt_xdate()
    return _png(fig)


def render_html(comparison, *, title: str | None = None) -> str:
    """The report page as a string."""
    sc = comparison.scenario
    title = title or f"twin: {sc.name}"
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
    parts.append(f"<h1>{html.escape(title)}</h1>")
    parts.append("<section id='summary'><h2>Summary</h2>")
    parts.append(f"<p>{html.escape(sc.description or '')}</p><p>Engines: {', '.join(sc.domains)}. What-ifs against the baseline: "
                 + ", ".join(f"<b>{html.escape(w.name)}</b>" for w in sc.whatifs) + ".</p>")
    if comparison.samples is not None:
        lo, hi = sc.uncertainty.percentiles
        parts.append(f"<p>Uncertainty: {sc.uncertainty.samples} Monte Carlo samples (seed {sc.uncertainty.seed}); bands are the {lo:g}th–{hi:g}th percentiles of each delta.</p>")
    parts.append("</section>")
    parts.append("<section id='kpis'><h2>Key performance indicators</h2><table><thead><tr><th>what-if</th><th>engine</th><th>KPI</th><th>baseline</th><th>what-if</th><th>delta</th><th>delta %</th>")
    banded = "delta_p_lo" in comparison.kpis.columns
    if banded:
        parts.append("<th>band low</th><th>band high</th>")
    parts.append("</tr></thead><tbody>")
    for r in comparison.kpis.itertuples():
        pct = (r.delta / r.baseline * 100.0) if r.baseline not in (0, None) and np.isfinite(r.baseline) and r.baseline != 0 else float("nan")
        cls = "neg" if r.delta < 0 else ("pos" if r.delta > 0 else "")
        parts.append(f"<tr><td>{html.escape(r.whatif)}</td><td>{r.domain}</td><td>{html.escape(r.kpi)}</td><td>{_fmt(r.baseline)}</td><td>{_fmt(r.whatif_value)}</td><td class='{cls}'>{_fmt(r.delta)}</td><td>{_fmt(pct)}</td>")
        if banded:
            parts.append(f"<td>{_fmt(r.delta_p_lo)}</td><td>{_fmt(r.delta_p_hi)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></section>")
    parts.append("<section id='maps'><h2>Maps of per-object changes</h2>")
    for w in sc.whatifs:
        for domain in sc.domains:
            src, col = _map_figure(comparison, w.name, domain)
            if src:
                parts.append(f"<figure><img alt='{html.escape(w.name)} {domain} {col}' src='{src}' width='520'><figcaption>{html.escape(w.name)} — {domain}: {col} (what-if minus baseline; grey: unchanged)</figcaption></figure>")
    parts.append("</section>")
    parts.append("<section id='timeseries'><h2>Time series</h2>")
    for w in sc.whatifs:
        for domain in sc.domains:
            src = _series_figure(comparison, w.name, domain)
            if src:
                parts.append(f"<figure><img alt='{html.escape(w.name)} {domain} series' src='{src}' width='620'></figure>")
    parts.append("</section>")
    parts.append("<section id='changes'><h2>What each what-if changed</h2><ul>")
    for name, records in comparison.applied.items():
        parts.append(f"<li><b>{html.escape(name)}</b>: " + "; ".join(html.escape(", ".join(f"{k} {v}" for k, v in rec.items())) for rec in records) + "</li>")
    parts.append("</ul></section>")
    parts.append("<section id='provenance'><h2>Provenance</h2>")
    import twin

    parts.append(f"<p>twin {twin.__version__}; scenario hash <code>{sc.digest()}</code>; inputs: " + ", ".join(f"<code>{html.escape(f)}</code>" for f in sc.inputs.files) + "</p>")
    parts.append("<table><thead><tr><th>step</th><th></th><th></th><th>seconds</th></tr></thead><tbody>")
    for k, v in comparison.timings_s.items():
        parts.append(f"<tr><td>{html.escape(k)}</td><td></td><td></td><td>{v:.2f}</td></tr>")
    parts.append("</tbody></table>")
    for domain, res in comparison.baseline.items():
        for note in res.notes:
            parts.append(f"<p>{domain}: {html.escape(note)}</p>")
    parts.append("</section></body></html>")
    return "".join(parts)


def write_report(comparison, path: str | os.PathLike[str]) -> Path:
    """Write the HTML report atomically."""
    path = Path(path)
    atomic_write_text(path, render_html(comparison))
    return path


def terminal_summary(comparison) -> list[str]:
    """A few lines per what-if: the KPI deltas."""
    lines = []
    for name, group in comparison.kpis.groupby("whatif", sort=False):
        lines.append(f"{name}:")
        for r in group.itertuples():
            band = ""
            if "delta_p_lo" in group.columns and np.isfinite(getattr(r, "delta_p_lo", np.nan)):
                band = f"  [{_fmt(r.delta_p_lo)}, {_fmt(r.delta_p_hi)}]"
            lines.append(f"  {r.domain:<8} {r.kpi:<32} {_fmt(r.baseline):>12} -> {_fmt(r.whatif_value):>12}  delta {_fmt(r.delta)}{band}")
    return lines
