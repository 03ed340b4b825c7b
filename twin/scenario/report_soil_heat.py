"""The report's soil-heat section (``<section id='soil-heat'>``): surface temperature of the
what-ifs that change the ground cover, on the hottest days of the weather year.

In a scenario run (:func:`soil_heat_report_section`, registered in
:data:`twin.scenario.report.SECTION_MODULES`): the soil engine's hot-days KPIs
(:mod:`twin.scenario.engines.soil_heat`) from the comparison's KPI table, per what-if that
changes the ground cover: the ground surface temperature at 11–16 h over the cells
whose cover changed, their daily maximum and the district mean, baseline and what-if with their
bands as the KPI table draws them (labels, rounding and range bars of
:mod:`twin.scenario.report_labels`), the engine's notes (days, changed area, each cover's
surface temperature at 11–16 h) and a map of the change of each grid cell (:func:`cell_map`). Always rendered: a note says why when there is nothing to show (the soil
engine did not run, no what-if changes the ground cover, no weather file).

Library use: :func:`soil_heat_section` and :func:`soil_heat_lines` show a
:class:`twin.soil.deseal_heat.DesealHeatResult` of :func:`twin.soil.deseal_heat.deseal_heat`
directly (changes with their 5-95 % bands, the band also drawn as a range bar).
"""

from __future__ import annotations

import html
import math
import re

import numpy as np

from twin.scenario.report_labels import HOT_HOURS, TEMPERATURE_CHANGE_NOTE, TEMPERATURE_CHANGE_UNIT, note_html

#: The section's title (the report's table of contents).
TITLE = "Surface temperature on the hottest days"


#: :data:`HOT_HOURS` as the terminal writes it (ASCII: "11-16 h"); not "mid-day", a word the
#: report keeps for the traffic period "Midday" (11–12 h).
TERMINAL_HOT_HOURS = HOT_HOURS.replace("–", "-")


def _shown(label: str) -> str:
    """A row's label for the report: its hours with the report's en dash (:data:`HOT_HOURS`)."""
    return label.replace(TERMINAL_HOT_HOURS, HOT_HOURS)


#: KPIs shown, with their (terminal, ASCII) labels and units (changes of a temperature: :data:`TEMPERATURE_CHANGE_UNIT`,
#: as the report's tables and the terminal).
ROWS = (
    ("surface_temp_change_midday_c", f"surface temperature at {TERMINAL_HOT_HOURS}, ground whose cover changed", TEMPERATURE_CHANGE_UNIT),
    ("surface_temp_change_daily_max_c", "daily maximum surface temperature, same ground", TEMPERATURE_CHANGE_UNIT),
    ("district_surface_temp_change_midday_c", f"surface temperature at {TERMINAL_HOT_HOURS}, district mean", TEMPERATURE_CHANGE_UNIT),
    ("changed_area_m2", "ground-level area whose cover changed", "m2"),
)


def _fmt(v: float, unit: str, signed: bool = True) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    if unit == "m2":
        return f"{v:,.0f}"
    return f"{v:+.2f}" if signed else f"{v:.2f}"


def _band(b, unit: str) -> str:
    if b is None or not all(math.isfinite(x) for x in b):
        return ""
    if unit == "m2":
        return ""
    return f"{b[0]:+.2f} to {b[1]:+.2f}"


#: The hot-days note's changed ground (its own format: :func:`twin.scenario.engines.soil_heat.whatif_heat`).
_GROUND = re.compile(r"surface cover replaced on (?P<m2>[\d,]+(?:\.\d+)?) m2 of ground")


def ground_area_sentence(note: str, applied: list[dict]) -> str | None:
    """The sentence that relates the hot-days note's changed ground to the area "What each what-if
    changed" gives (the area of the polygons a ``deseal`` modification selects): the ground is the
    part of those polygons outside roofs and streets on the soil grid, times the fall of their
    sealed share, so it is smaller. None when the note gives no ground area or the what-if
    de-seals nothing.

    Parameters
    ----------
    note
        A hot-days note of the soil engine (ASCII, as the engine writes it).
    applied
        The what-if's records of what it changed (``Comparison.applied[whatif]``).

    Returns
    -------
    str or None
        "These 4,532 m² are 76 % of the 5,939 m² of de-sealed polygons in “What each what-if
        changed”: ..." with the run's numbers.
    """
    m = _GROUND.search(note)
    selected = sum(float(r.get("area_m2", 0.0)) for r in applied if r.get("op") == "deseal")
    if m is None or not selected > 0:
        return None
    ground = float(m.group("m2").replace(",", ""))
    return (f"These {ground:,.0f} m² are {100.0 * ground / selected:.0f} % of the {selected:,.0f} m² that “What each what-if "
            "changed” gives (the area of the polygons the what-if de-seals): only their ground outside roofs and streets counts, "
            "each m² weighted by how much its sealed share falls.")


def _heat_rows(comparison):
    from twin.scenario.engines.soil_heat import HEAT_KPIS

    k = comparison.kpis
    return k[(k["domain"] == "soil") & k["kpi"].isin(HEAT_KPIS)]


def soil_heat_report_section(comparison) -> str:
    """The report's section (module docstring), from a scenario run's comparison."""
    from twin.scenario import report as R
    from twin.scenario.engines.soil_heat import HEAT_KPIS, NOTE_PREFIX

    sc = comparison.scenario
    head = f"<section id='soil-heat'><h2>{TITLE} (ground cover what-ifs)</h2>"
    if "soil" not in sc.domains or "soil" not in comparison.baseline:
        return head + ("<p class='note'>Not computed: the soil engine did not run. Add <code>soil</code> to the scenario's "
                       "<code>domains</code> (and a weather file): every what-if that changes the ground cover (de-sealing, a new "
                       "building, a planted car park) then gets its surface temperature on the hottest days.</p></section>")
    rows = _heat_rows(comparison)
    banded = "delta_p_lo" in rows.columns and bool(rows["delta_p_lo"].notna().any())
    percentiles = sc.uncertainty.percentiles
    p = [head, "<p class='note'>Ground surface temperature (roofs excluded) from the surface energy balance of each cover (asphalt, "
         "concrete pavers, lawn, bare soil) under the scenario's weather file, on the three hottest days of its year; a cell's "
         "temperature is the mix of its covers. Baseline and what-if are compared on the cells whose ground cover the what-if "
         "changes (and over the whole grid: district mean). Temperatures are in °C; "
         + TEMPERATURE_CHANGE_NOTE + ". "
         + ("Ranges: paired samples of the unknown albedo, emissivity, roughness and crop coefficient of the covers "
            "(<code>twin/data/soil_surface_priors.yaml</code>), drawn as in the indicator tables. The central run uses the cover "
            "table's values (<code>twin/data/soil_surface_covers.csv</code>), not the priors' means (darker asphalt, smoother "
            "surfaces): its baseline is hotter than most samples' and its cooling larger, so its change can lie at or beyond the "
            "cooling end of the range (<code>docs/soil_heat.md</code>)." if banded else
            "No ranges: the run has no Monte Carlo samples.") + "</p>"]
    shown = []
    for w in sc.whatifs:
        g = rows[rows["whatif"] == w.name]
        if g.empty:
            continue
        shown.append(w.name)
        g = g.set_index("kpi").loc[[k for k in HEAT_KPIS if k in set(g["kpi"])]].reset_index()
        p.append(f"<h3>{html.escape(w.name)}</h3>")
        if w.description:
            p.append(f"<p class='note'>{note_html(w.description)}</p>")
        pct = f"{percentiles[0]:g}th–{percentiles[1]:g}th percentile"
        th = "<tr><th class='l'>indicator</th><th class='l'>unit</th><th>baseline</th>"
        th += f"<th title='{pct} over the samples'>baseline range</th>" if banded else ""
        th += "<th>what-if</th><th>change</th><th>change %</th>"
        th += f"<th title='{pct} over the samples'>range of the change</th><th class='l'>bands</th>" if banded else ""
        body = "".join(f"<tr>{R._kpi_row_cells(r, banded, percentiles)}</tr>" for r in g.itertuples())
        p.append(f"<div class='scroll'><table class='kpi'><thead>{th}</tr></thead><tbody>{body}</tbody></table></div>")
        res = comparison.whatifs.get(w.name, {}).get("soil")
        for note in (res.notes if res is not None else []):
            if note.startswith(NOTE_PREFIX):
                p.append(f"<p class='note'>{note_html(note[len(NOTE_PREFIX):])}</p>")
                said = ground_area_sentence(note, getattr(comparison, "applied", {}).get(w.name, []))
                if said:
                    p.append(f"<p class='note ground-area'>{html.escape(said)}</p>")
        p.append(cell_map(comparison, w.name))
    others = [w.name for w in sc.whatifs if w.name not in shown]
    if not shown:
        why = [n[len(NOTE_PREFIX):] for res in comparison.baseline.values() for n in res.notes if n.startswith(NOTE_PREFIX)]
        why += [n[len(NOTE_PREFIX):] for per in comparison.whatifs.values() for res in per.values() for n in res.notes
                if n.startswith(NOTE_PREFIX)]
        p.append("<p class='note'>Not computed: " + (note_html("; ".join(dict.fromkeys(why))) if why else
                 "no what-if of this scenario changes the ground cover of a soil grid cell (de-sealing, a new or removed building, "
                 "a planted car park)") + ".</p>")
    elif others:
        p.append(f"<p class='note'>No ground cover change (no surface temperature change) in: {html.escape(', '.join(others))}.</p>")
    for note in comparison.sample_notes:
        if "surface temperature on the hottest days" in note:
            p.append(f"<p class='note'>{note_html(note)}</p>")
    p.append("</section>")
    return "".join(p)


def cell_map(comparison, whatif: str) -> str:
    """The map of the change of each grid cell's ground surface temperature at 11–16 h on the hot
    days (column ``surface_temp_midday_c_delta`` of the what-if's soil deltas), drawn as the runoff
    map of "Maps of per-object changes" (:func:`twin.scenario.report.map_data`: only the cells whose
    ground cover changed are coloured), with its caption; an empty string when the what-if has no
    such column."""
    from twin.scenario import report as R
    from twin.scenario.engines.soil_heat import CELL_COLUMN, N_DAYS, NOTE_PREFIX

    col = f"{CELL_COLUMN}_delta"
    res = comparison.whatifs.get(whatif, {}).get("soil")
    if res is None or res.object_deltas is None or col not in res.object_deltas.columns:
        return ""
    deltas = comparison.deltas(whatif, "soil")  # once: the map and its caption
    scale: dict = {}
    src, _, zoomed, labels = R._map_figure(comparison, whatif, "soil", col, deltas=deltas, scale=scale)
    if not src:
        return ""
    notes = [n for n in res.notes if n.startswith(NOTE_PREFIX)]
    days = re.findall(r"\d{4}-\d{2}-\d{2}", notes[0].split(";")[0]) if notes else []
    no_ground = bool(deltas[col].isna().any())
    shows = R.map_shows(col, "soil")
    extra = " Zoomed on the changed cells (60 m margin)." if zoomed else ""
    if labels:
        extra += " Changed: " + html.escape("; ".join(labels)) + "."
    w = html.escape(whatif)
    return (f"<figure><img alt='Map: {w}, {html.escape(shows)}' src='{src}' width='600'><figcaption><b>{w}</b> — "
            f"{html.escape(shows)}, what-if minus baseline on the central run: the mean over those hours of the {N_DAYS} hottest days "
            f"of the weather year" + (f" ({', '.join(days)})" if days else "") + " (blue: cooler, red: warmer; grey: cover unchanged"
            + (" or no ground left outside roofs" if no_ground else "") + "; only the cells whose ground cover changed are coloured; "
            f"{html.escape(R.map_clip_words(scale, 'K'))}; column <code>{col}</code> of "
            f"<code>outputs/deltas_{w}_soil.parquet</code>); streets named, scale bar in metres.{extra}</figcaption></figure>")


def soil_heat_section(result) -> str:
    """The HTML of a :class:`~twin.soil.deseal_heat.DesealHeatResult` (library use; an empty
    string without a result or what-ifs)."""
    from twin.scenario.report_labels import delta_bar
    if result is None or not result.kpis:
        return ""
    parts = ["<section id='soil-heat'>", "<h2>Surface temperature on the hottest days (de-sealing)</h2>",
             f"<p>Days: {html.escape(', '.join(d[:10] for d in result.days))}. Change = what-if minus baseline; "
             "band: 5–95 % of the paired samples.</p>"]
    for name, kpis in result.kpis.items():
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts.append("<table class='kpi'><tr><th class='l'>indicator</th><th>change</th><th>band (5–95 %)</th><th>range</th>"
                     "<th class='l'>unit</th></tr>")
        for key, label, unit in ROWS:
            band = result.bands.get(name, {}).get(key)
            bar = "–"
            if unit != "m2" and band is not None and all(np.isfinite(band)):
                bar = delta_bar(key, kpis.get(key, math.nan), band[0], band[1], kpis.get(key, math.nan))
            parts.append(f"<tr><td class='l'>{html.escape(_shown(label))}</td><td>{_fmt(kpis.get(key), unit)}</td><td>{_band(band, unit)}</td>"
                         f"<td>{bar}</td><td class='l u'>{'m²' if unit == 'm2' else unit}</td></tr>")
        parts.append("</table>")
    parts.append(f"<p>Mean surface temperature at {HOT_HOURS} by cover (central): "
                 + html.escape(", ".join(f"{c} {t:.1f} °C" for c, t in sorted(result.cover_midday_c.items()))) + "</p>")
    parts.append("<ul>" + "".join(f"<li>{note_html(n)}</li>" for n in result.notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def soil_heat_lines(result) -> list[str]:
    """Terminal lines: one per what-if and KPI (empty without a result)."""
    if result is None or not result.kpis:
        return []
    out = [f"surface temperature, hottest days {', '.join(d[:10] for d in result.days)}:"]
    for name, kpis in result.kpis.items():
        for key, label, unit in ROWS:
            band = _band(result.bands.get(name, {}).get(key), unit)
            out.append(f"  {name}: {label}: {_fmt(kpis.get(key), unit)} {unit}" + (f" (band {band})" if band else ""))
    return out
