"""The report's soil section (``<section id='soil'>``): a year of soil water, per what-if.

For the soil engine's ``year`` method (:mod:`twin.scenario.engines.soil_year`):

* the annual KPIs (runoff to the sewer, infiltration, recharge, capillary rise, ET and its parts,
  sewer overflow volume, combined sewer overflow, overflow hours and events, plant-stress days,
  soil-moisture percentiles): baseline (with its band), what-if, change (with its band and the
  band notes of the KPI table), for every what-if that changes the soil result; the bands are
  the report's range bars (:func:`twin.scenario.report_labels.band_bar` and
  :func:`~twin.scenario.report_labels.delta_bar`: the numbers in the tooltip);
* the annual water-balance error of the baseline and of each what-if (a diagnostic: no change);
* monthly runoff to the sewer and soil ET (soil evaporation + transpiration), baseline and
  what-ifs, as a figure;
* the engine's notes (grid, columns, spin-up, Monte Carlo).

Everything comes from the comparison (its KPI table with the Monte Carlo bands and the engine's
monthly series). Other soil methods (design storms) get a note saying how to get a year.

With the storm methods and ``soil.block`` (issue 18, :mod:`twin.soil.block_bands`), the section
shows the 3-D block of each what-if that changes the ground cover (:func:`block_section`): the
rain water under the neighbouring sealed cells (m3 and mm), the recharge below the block and the
infiltration into it, baseline and what-if with their bands (paired samples of the soil
hydraulics), and the block's notes (region, cells, storm, balance, samples). The hot-days surface
temperatures of the same what-ifs follow in the soil-heat section.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from twin.scenario.report_labels import balance_words, note_html

#: The annual KPIs shown, with their labels.
ROWS = (
    ("rain_m3", "rain on the district (the soil grid), m³"),
    ("runoff_m3", "runoff to the sewer, m³"),
    ("infiltration_m3", "infiltration into the soil, m³"),
    ("recharge_m3", "groundwater recharge (below the columns, net of capillary rise), m³"),
    ("capillary_rise_m3", "capillary rise from the water table, m³"),
    ("et_m3", "evapotranspiration, m³"),
    ("transpiration_m3", "&nbsp;&nbsp;transpiration of plants, m³"),
    ("soil_evaporation_m3", "&nbsp;&nbsp;evaporation from the soil, m³"),
    ("interception_evaporation_m3", "&nbsp;&nbsp;evaporation of rain caught by canopies, m³"),
    ("sewer_overflow_m3", "sewer overflow (flooding and CSO), m³"),
    ("sewer_cso_m3", "&nbsp;&nbsp;combined sewer overflow at the outlet, m³"),
    ("sewer_overflow_hours", "hours with sewer overflow"),
    ("sewer_overflow_events", "sewer overflow events"),
    ("plant_stress_days", "plant-stress days (mean over vegetated open ground)"),
    ("soil_moisture_p10_m3_m3", "soil moisture, dry days (10th percentile), top 30 cm, m³/m³"),
    ("soil_moisture_p50_m3_m3", "soil moisture, median, top 30 cm, m³/m³"),
    ("soil_moisture_p90_m3_m3", "soil moisture, wet days (90th percentile), top 30 cm, m³/m³"),
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _soil_kpis(comparison) -> pd.DataFrame:
    k = comparison.kpis
    return k[k["domain"] == "soil"]


def _year(comparison) -> bool:
    sc = comparison.scenario
    return "soil" in sc.domains and getattr(sc.soil, "method", None) == "year" and "soil" in comparison.baseline


def _row_of(g: pd.DataFrame, kpi: str):
    hit = g[g["kpi"] == kpi]
    return None if hit.empty else hit.iloc[0]


def _table(comparison, whatif: str) -> str:
    from twin.scenario import report_labels as L
    from twin.scenario.report import band_notes
    from twin.scenario.report_labels import band_bar, change_class, delta_bar

    g = _soil_kpis(comparison)
    g = g[g["whatif"] == whatif]
    banded = "delta_p_lo" in g.columns
    lo, hi = comparison.scenario.uncertainty.percentiles
    pct = f"{lo:g}th–{hi:g}th percentile over the samples"
    head = "<tr><th class='l'>annual</th><th>baseline</th>" + (f"<th title='{pct}'>baseline range</th>" if banded else "")
    head += "<th>what-if</th><th>change</th><th>change %</th>" + (f"<th title='{pct}'>range of the change</th><th class='l'>bands</th>"
                                                                   if banded else "")
    rows = [f"<table><thead>{head}</tr></thead><tbody>"]
    for kpi, label in ROWS:
        r = _row_of(g, kpi)
        if r is None:
            continue
        cls = change_class(kpi, r["delta"])  # green: better (less runoff and overflow, more recharge)
        # the KPI tables' rounding ("620", "-4,044", "-0.7 %"; it read "782,200.0", "-0.652", "+8.002e-06")
        row = f"<tr><td class='l'>{label}</td><td>{L.fmt_value(kpi, r['baseline'])}</td>"
        if banded:
            row += f"<td>{band_bar(kpi, r['baseline'], r.get('baseline_p_lo', np.nan), r.get('baseline_p_hi', np.nan), (lo, hi))}</td>"
        row += (f"<td>{L.fmt_value(kpi, r['whatif_value'], ref=r['baseline'])}</td><td class='{cls}'>{L.fmt_delta(kpi, r['delta'], r['baseline'])}</td>"
                f"<td>{L.fmt_pct(r['delta'], r['baseline'], kpi)}</td>")
        if banded:
            row += (f"<td>{delta_bar(kpi, r['delta'], r.get('delta_p_lo', np.nan), r.get('delta_p_hi', np.nan), r['baseline'], (lo, hi))}</td>"
                    f"<td class='l wide'>{html.escape('; '.join(band_notes(r)))}</td>")
        rows.append(row + "</tr>")
    r = _row_of(g, "water_balance_error_rel")
    if r is not None:
        span = 3 + (3 if banded else 0)
        rows.append(f"<tr class='zero'><td class='l'>water-balance error over the rain (diagnostic)</td><td>{balance_words(r['baseline'])}</td>"
                    + ("<td>–</td>" if banded else "") + f"<td>{balance_words(r['whatif_value'])}</td><td colspan='{span - 1}'></td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _changed_whatifs(comparison) -> list[str]:
    g = _soil_kpis(comparison)
    out = []
    for w in comparison.scenario.whatifs:
        sub = g[(g["whatif"] == w.name) & (g["kpi"] != "water_balance_error_rel")]
        if len(sub) and (sub["delta"].abs() > 0).any():
            out.append(w.name)
    return out


def monthly_figure(comparison) -> str | None:
    """Monthly runoff to the sewer and soil ET, baseline (bars) and what-ifs (markers), as a PNG data URI."""
    from matplotlib.figure import Figure

    from twin.scenario.report import _png

    base = comparison.baseline["soil"].series
    if base is None or base.empty or "runoff_m3" not in base:
        return None
    fig = Figure(figsize=(7.5, 4.6))
    axes = fig.subplots(2, 1, sharex=True)
    x = np.asarray(base.index, dtype=float)
    for ax, col, label in zip(axes, ("runoff_m3", "soil_et_m3"), ("runoff to the sewer, m3", "soil evaporation + transpiration, m3")):
        ax.bar(x, base[col].to_numpy(float), color="#bbb", label="baseline")
        for k, (name, per_domain) in enumerate(comparison.whatifs.items()):
            s = per_domain.get("soil")
            if s is None or s is comparison.baseline["soil"] or s.series is None or col not in s.series:
                continue
            ax.plot(np.asarray(s.series.index, dtype=float), s.series[col].to_numpy(float), marker="o", linestyle="-", color=f"C{k}",
                    markersize=3, linewidth=1.2, label=name)
        ax.set_ylabel(label, fontsize=8)
        ax.grid(True, color="#eaeef2")
        ax.legend(fontsize=7, loc="best")
    axes[-1].set_xticks(range(1, 13), MONTHS)
    axes[0].set_title("soil: a year, month by month", fontsize=10)
    return _png(fig)


#: The block KPIs shown, with their labels.
BLOCK_ROWS = (
    ("block_sealed_rain_gain_m3", "rain water under the neighbouring sealed cells at the end (edge length x resolved cross-section), m³"),
    ("block_sealed_rain_gain_mm", "the same per m² of those cells, mm"),
    ("block_recharge_m3", "recharge below the block (free drainage at 1 m), m³"),
    ("block_infiltration_m3", "infiltration into the block, m³"),
    ("block_sealed_edge_m", "length of soil along the sealed cells, m"),
    ("block_sealed_rain_gain_grid_m3", "the block grid's own figure for the water under the sealed cells (not grid-converged), m³"),
)


#: The block note's "lateral exchange" (twin.scenario.engines.soil.block_kpis) in words, the term in brackets.
EXCHANGE_WORDS = ("lateral exchange with the 1-D columns ",
                  "water into the block through its sides from the 1-D columns around it (lateral exchange) ")


def block_section(comparison) -> str:
    """The 3-D block part of the soil section (module docstring): empty without block KPIs; the
    what-ifs that got no block named (with ``--allow-no-effect``, possibly all of them)."""
    from twin.scenario import report as R
    from twin.scenario.engines.soil import BLOCK_NOTE, NO_BLOCK_NOTE

    k = comparison.kpis
    rows = k[(k["domain"] == "soil") & k["kpi"].isin([r[0] for r in BLOCK_ROWS])]
    sc = comparison.scenario
    ran = getattr(comparison, "whatifs", {})  # a what-if without block KPIs (any filter aside) had no block
    without = [w.name for w in sc.whatifs if not any(kpi in getattr(ran.get(w.name, {}).get("soil"), "kpis", {}) for kpi, _ in BLOCK_ROWS)]
    why = (NO_BLOCK_NOTE.removeprefix(BLOCK_NOTE) if (sc.soil.block or {}).get("region") is None
           else "the what-if changes nothing the soil engine reads: no block")
    no_block = (f"<p class='note'>No 3-D block for {html.escape(', '.join(repr(n) for n in without))}: "
                f"{note_html(why)}.</p>") if without else ""
    if rows.empty:  # soil.block given and run with --allow-no-effect, or its KPIs left out (scenario.kpis)
        return "<h3>Lateral water under the sealed cells (3-D soil block)</h3>" + no_block if sc.soil.block is not None and no_block else ""
    banded = "delta_p_lo" in rows.columns and bool(rows["delta_p_lo"].notna().any())
    percentiles = sc.uncertainty.percentiles
    p = ["<h3>Lateral water under the sealed cells (3-D soil block)</h3>",
         "<p class='note'>Around the cells whose ground cover the what-if changes (and a margin), a 3-D block of soil replaces the "
         "1-D columns for the design storm: the rain that the open ground takes spreads sideways under the sealed streets and "
         "pavements, which the 1-D columns cannot show (their soil under a sealed cell gains nothing). The sealed cells are those "
         "sealed in both the baseline and the what-if. The water that reaches them sideways moves through a front centimetres wide, "
         "which the block's metre-wide columns cannot resolve: the figure reported is the length of soil along the sealed cells "
         "times the gain per metre of edge of a resolved 2-D cross-section (5 cm cells, the neighbour's soil and rain; converged "
         "to about 1 % under refinement, docs/soil_block_p18.md). The block grid's own figure is shown for comparison "
         "(docs/soil_3d.md). "
         + ("Ranges: paired samples of the soil hydraulics of each texture, its van Genuchten parameters, residual and saturated "
            "water content (theta_r, theta_s), the inverse of the air-entry suction (alpha) and the pore-size index (n), and its "
            "saturated hydraulic conductivity (Ks), from the spreads of Carsel &amp; Parrish 1988; the same draws for the baseline "
            "and the what-if. The central run uses the published means; "
            "the lognormal conductivity's median lies below its mean, so the central value can sit near an edge of the range."
            if banded else "No ranges: the run has no Monte Carlo samples.") + "</p>"]
    labels = dict(BLOCK_ROWS)
    pct = f"{percentiles[0]:g}th–{percentiles[1]:g}th percentile"
    shown: set[str] = set()
    for w in sc.whatifs:
        g = rows[rows["whatif"] == w.name]
        if g.empty:
            continue
        g = g.set_index("kpi").loc[[r[0] for r in BLOCK_ROWS if r[0] in set(g["kpi"])]].reset_index()
        p.append(f"<h4>{html.escape(w.name)}</h4>")
        th = "<tr><th class='l'>indicator</th><th class='l'>unit</th><th>baseline</th>"
        th += f"<th title='{pct} over the samples'>baseline range</th>" if banded else ""
        th += "<th>what-if</th><th>change</th><th>change %</th>"
        th += f"<th title='{pct} over the samples'>range of the change</th><th class='l'>bands</th>" if banded else ""
        body = "".join(f"<tr title='{html.escape(labels[r.kpi])}'>{R._kpi_row_cells(r, banded, percentiles)}</tr>" for r in g.itertuples())
        p.append(f"<div class='scroll'><table class='kpi'><thead>{th}</tr></thead><tbody>{body}</tbody></table></div>")
        p.append("<ul class='note'>" + "".join(f"<li>{html.escape(lab)}</li>" for _, lab in BLOCK_ROWS) + "</ul>")
        res = comparison.whatifs.get(w.name, {}).get("soil")
        for note in (res.notes if res is not None else []):
            if note.startswith(BLOCK_NOTE) and note not in shown:
                shown.add(note)
                p.append(f"<p class='note'>{note_html(note.replace(*EXCHANGE_WORDS))}</p>")
    for note in comparison.sample_notes:
        if BLOCK_NOTE in note and note.split(BLOCK_NOTE, 1)[1] not in {n.split(BLOCK_NOTE, 1)[1] for n in shown}:
            shown.add(note)
            p.append(f"<p class='note'>{note_html(note)}</p>")
    p.append(no_block)
    p.append("<p class='note'>The surface temperature of the same what-ifs on the hottest days: next section.</p>")
    return "".join(p)


#: The soil engine's storm methods in a planner's words (the note said "ran the richards method").
STORM_METHODS = {
    "richards": "one design storm, the water's flow through each soil column by the Richards equation",
    "scs_cn": "one design storm, its runoff by the SCS Curve Number (a screening rule of the US Soil Conservation Service)",
}


def soil_section(comparison) -> str:
    """The soil section of the report (module docstring); without the year method, a note saying
    how to get it (and the 3-D block of ``soil.block``, when it ran)."""
    if not _year(comparison):
        sc = comparison.scenario
        ran = "the soil engine did not run"
        if "soil" in sc.domains:
            method = str(sc.soil.method)
            ran = (f"the soil engine simulated {html.escape(STORM_METHODS.get(method, 'one design storm'))} (<code>soil.method: "
                   f"{html.escape(method)}</code>); its KPIs are in the tables above")
        block = block_section(comparison) if "soil" in sc.domains else ""
        return ("<section id='soil'><h2>Soil water over the year</h2><p class='note'>Not computed: " + ran + ". A year of soil water "
                "(evapotranspiration, water table, sewer overflows, plant stress) needs <code>soil.method: year</code>, as in "
                "<code>scenarios/stgilles_soil_year.yaml</code>.</p>" + block + "</section>")
    p = ["<section id='soil'><h2>Soil water over the year</h2>"]
    p.append("<p class='note'>Annual totals over the soil grid: rain = evapotranspiration + runoff to the sewer + recharge + storage "
             "change. Runoff feeds the sewer; overflow is what the pipes and the district outlet cannot carry (street flooding and "
             "combined sewer overflows). Plant-stress days: days on which the plants transpired less than 80 % of their demand.</p>")
    changed = _changed_whatifs(comparison)
    for w in comparison.scenario.whatifs:
        if w.name not in changed:
            continue
        p.append(f"<h3>{html.escape(w.name)}</h3>")
        if w.description:
            p.append(f"<p class='note'>{note_html(w.description)}</p>")
        p.append(_table(comparison, w.name))
    unchanged = [w.name for w in comparison.scenario.whatifs if w.name not in changed]
    if not comparison.scenario.whatifs or unchanged:
        p.append("<h3>baseline</h3>" + _baseline_table(comparison))
        if unchanged:
            p.append(f"<p class='note'>No change of the soil result in: {html.escape(', '.join(unchanged))}.</p>")
    src = monthly_figure(comparison)
    if src:
        p.append(f"<figure><img alt='monthly runoff and soil ET' src='{src}'><figcaption>Monthly runoff to the sewer and soil "
                 "evaporation + transpiration (interception by canopies not included): baseline bars, what-ifs lines.</figcaption></figure>")
    for note in comparison.baseline["soil"].notes:
        p.append(f"<p class='note'>{note_html(note)}</p>")
    p.append("</section>")
    return "".join(p)


def _baseline_table(comparison) -> str:
    from twin.scenario import report_labels as L

    k = comparison.baseline["soil"].kpis
    rows = ["<table><tbody>"]
    for kpi, label in ROWS:
        if kpi in k:
            rows.append(f"<tr><td class='l'>{label}</td><td>{L.fmt_value(kpi, k[kpi])}</td></tr>")  # the indicator tables' rounding
    if "water_balance_error_rel" in k:
        rows.append(f"<tr class='zero'><td class='l'>water-balance error over the rain (diagnostic)</td><td>{balance_words(k['water_balance_error_rel'])}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)
