"""A self-contained HTML report of a comparison, and a short terminal summary.

The page has no external resource: figures are inline PNG (base64, drawn with matplotlib's object
API, so no global pyplot state or GUI backend is touched) or inline SVG, styles inline; the only
script is the building look-up's (inline, no network). Numbers are for a planner: KPI labels with
units and rounding from :mod:`twin.scenario.report_labels` (the id is in each label's tooltip),
unchanged KPIs folded, Monte Carlo ranges drawn as bars. Sections (ids, in page order,
:data:`SECTIONS`):

``summary``      the scenario, its what-ifs and their headline changes (what-ifs that act on an
                 engine that did not run are said to);
``assumed``      what this run assumed: first a short box (share of the floor area on defaults per
                 attribute, the models and their validation status, calibration, samples), then,
                 folded, the share of the floor area per attribute and source, the priors sampled
                 (with their sources), the models, the Monte Carlo error of the band edges;
``kpis``         one table per what-if of the KPIs that moved: baseline and its range (a bar),
                 what-if, change, change % and the range of the change (a bar), notes on wide
                 ranges (:func:`band_notes`); the unchanged KPIs and the run's checks folded below;
``energy``       EPB class distribution before/after, payback of the energy what-ifs, why primary
                 energy equals final energy (:mod:`twin.scenario.report_energy_classes`);
``permit``       only when a what-if inserts buildings (:data:`OPTIONAL_SECTIONS`): the new
                 building(s) and the change of the neighbours' heating need and EPB class
                 (:mod:`twin.scenario.report_permit`);
``calibration``  what the run is calibrated to and the energy KPIs' bands before and after
                 calibration (:mod:`twin.scenario.report_calibration`; a note when the run is not
                 calibrated or has no bands);
``buildings``    look up a building by id or address: its table and a small map
                 (:mod:`twin.scenario.report_drilldown`);
``mobility``     the traffic engine's findings (:mod:`twin.scenario.report_mobility`): rerouted,
                 mode-shifted, redistributed and evaporated trips per what-if, the change map of
                 the car flow on the streets around a closure, mode shares, 15-minute access;
``soil``         the soil year's annual KPIs (:mod:`twin.scenario.report_soil`): runoff, recharge,
                 ET, sewer overflow, plant-stress days per what-if with bands, monthly figure;
``soil-heat``    surface temperature on the hottest days of the weather year of the what-ifs
                 that change the ground cover, with bands (:mod:`twin.scenario.report_soil_heat`);
``solar``        rooftop PV (:mod:`twin.scenario.report_solar`): the solar cadastre's potential
                 map of the roofs, total kWp and kWh/year of the suitable roofs, and each PV
                 what-if's yield and its effect on the energy KPIs;
``maps``         per-object deltas per what-if and engine (zoomed on the changes when they are
                 local; street names, scale bar, north arrow; groups of changed objects lettered
                 A, B ... and named in the caption; inserted objects black, removed ones outlined
                 red; traffic's map is in the mobility section);
``timeseries``   each engine's series, baseline and what-ifs on one plot;
``changes``      what each modification touched;
``provenance``   versions, scenario hash, seed, inputs, engine notes and timings.

Adding a section
----------------
Write a module ``twin/scenario/report_<name>.py`` with a function ``<name>_section(comparison) ->
str`` that returns ``<section id='<name>'><h2>...</h2>...</section>`` (always: a note saying why
when there is nothing to show, e.g. the engine did not run), add ``'<name>': (module, function)``
to :data:`SECTION_MODULES`, its id to :data:`SECTIONS` where it belongs in the page and its title
to :data:`SECTION_TITLES`. The tests render every id of :data:`SECTIONS` (with and without
samples) and check each section has text. Use :mod:`twin.scenario.report_labels` for KPI labels,
rounding and range bars.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
import platform
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd

from twin.io import atomic_write_text
from twin.scenario.checks import OP_DOMAINS  # which engines each operation acts on (one table)
from twin.scenario.report_labels import note_html, page_minus, step_words  # an engine note in the report's units; a timed step in words

SECTIONS = ("summary", "assumed", "kpis", "energy", "calibration", "buildings", "mobility", "soil", "soil-heat", "solar", "maps", "timeseries", "changes",
            "provenance")

#: How each section reads in the page's table of contents.
SECTION_TITLES = {"summary": "Summary", "assumed": "What this run assumed", "kpis": "Indicators", "energy": "EPB classes and payback", "calibration": "Calibration",
                  "buildings": "Look up a building", "mobility": "Mobility", "soil": "Soil water",
                  "soil-heat": "Surface temperature on hot days", "solar": "Rooftop solar", "maps": "Maps",
                  "timeseries": "Time series", "changes": "What changed", "provenance": "Provenance",
                  "permit": "Permit and neighbours"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.5rem auto;max-width:1180px;padding:0 1rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem} .sub{color:#57606a;margin-top:0}
table{border-collapse:collapse;font-size:.88rem;margin:.3rem 0 1rem} th{background:#f6f8fa;font-weight:600}
th,td{padding:.25rem .7rem;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap} th.l,td.l{text-align:left}
tr.zero td{color:#8c959f} .neg{color:#1a7f37;font-weight:600} .pos{color:#b42318;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:.8rem} .card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .9rem;min-width:15rem;flex:1}
.card h3{margin-top:0} .card ul{margin:.2rem 0;padding-left:1.1rem} .note{color:#57606a;font-size:.88rem}
figure{display:inline-block;margin:.4rem .6rem .8rem 0;vertical-align:top} figure img{max-width:100%;height:auto;border:1px solid #eaeef2}
figcaption{font-size:.82rem;color:#57606a;max-width:560px} code{background:#f6f8fa;padding:0 .25rem;border-radius:3px;font-size:.85em}
dl{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem;font-size:.9rem} dt{font-weight:600} dd{margin:0;overflow-wrap:anywhere}
.box{border:1px solid #d0d7de;border-left:4px solid #bf8700;border-radius:6px;padding:.4rem 1rem .6rem;background:#fffdf5}
.box td.w,.box th.w{white-space:normal;text-align:left;min-width:16rem;max-width:38rem} .wide{color:#9a6700;font-weight:600}
td.def{color:#b42318;font-weight:600}
svg.bar{vertical-align:middle;display:inline-block} td.u{color:#57606a;font-size:.82rem}
details.same{margin:-.4rem 0 1rem} details.same summary{cursor:pointer;color:#57606a;font-size:.88rem}
.scroll{max-width:100%;overflow-x:auto} th{white-space:normal} table{display:block;max-width:100%;overflow-x:auto}
table.kpi td.wide{white-space:normal;min-width:8rem;max-width:13rem;font-size:.8rem}
table.kpi td.l:first-child{white-space:normal;min-width:12rem;max-width:22rem}
nav.toc{font-size:.85rem;color:#57606a;margin:.4rem 0 0} nav.toc a{color:#0969da;text-decoration:none}
.assumed-short{margin:.2rem 0 .6rem;padding-left:1.1rem} .assumed-short li{margin:.15rem 0} .ok{color:#1a7f37;font-weight:600}
.partial{color:#9a6700;font-weight:600}
"""

MAP_COLUMNS = {
    "energy": ("q_heat_kwh_m2", "q_heat_kwh", "co2_kg"),
    "traffic": ("flow_am_peak_veh_h", "flow_off_peak_veh_h", "car_open"),
    "soil": ("runoff_mm", "infiltration_mm"),
}

# KPIs that check a run rather than measure an outcome (a water-balance error): the table shows
# their values but no delta, and summaries leave them out (their change is round-off)
DIAGNOSTIC_SUFFIXES = ("_error_rel", "_error_m3")


def _diagnostic(kpi: str) -> bool:
    return str(kpi).endswith(DIAGNOSTIC_SUFFIXES)


#: Human label and unit of each mapped delta column.
MAP_LABELS = {
    "q_heat_kwh_m2_delta": ("change of the heating need per m² of heated floor", "kWh/m²·yr"),
    "q_heat_kwh_delta": ("change of the heating need", "kWh/yr"),
    "co2_kg_delta": ("change of the CO₂ emissions", "kg/yr"),
    "flow_am_peak_veh_h_delta": ("change of the morning-peak car flow", "veh/h"),
    "flow_off_peak_veh_h_delta": ("change of the midday car flow", "veh/h"),
    "runoff_mm_delta": ("change of the runoff to the sewer", "mm over the cell"),
    "infiltration_mm_delta": ("change of the infiltration into the soil", "mm over the cell"),
    "surface_temp_midday_c_delta": ("change of the ground surface temperature at 11–16 h", "K"),
}

#: Mapped columns that are water summed over the soil engine's run: one design storm, or the
#: weather year (``soil.method: year``); :func:`map_basis` says which beside their unit.
WATER_MAP_COLUMNS = frozenset({"runoff_mm_delta", "infiltration_mm_delta"})


def map_basis(comparison, col: str | None) -> tuple[str, str]:
    """What a soil map's water depth is summed over, (in a caption, on a colour bar): ("in the
    design storm (30 mm in 1 h)", "design storm") or ("over the weather year", "year"); ("", "")
    for a column that is not water (:data:`WATER_MAP_COLUMNS`).

    The runoff map said "change of the storm runoff of each grid cell, mm" beside the KPI "Runoff
    to the sewer" (two names for one quantity), and its colour bar "mm" of nothing said: a year's
    run maps a year's runoff under the same words.
    """
    if col not in WATER_MAP_COLUMNS:
        return "", ""
    soil = getattr(getattr(comparison, "scenario", None), "soil", None)
    if getattr(soil, "method", None) == "year":
        return "over the weather year", "year"
    mm, hours = getattr(soil, "storm_mm", None), getattr(soil, "storm_hours", None)
    if isinstance(mm, (int, float)) and np.isfinite(mm):
        span = f" in {float(hours):g} h" if isinstance(hours, (int, float)) and np.isfinite(hours) else ""
        return f"in the design storm ({float(mm):g} mm{span})", "design storm"
    return "in the design storm", "design storm"


#: What one mapped object of each engine is (singular, plural).
MAP_NOUNS = {"energy": ("building", "buildings"), "traffic": ("street link", "street links"), "soil": ("grid cell", "grid cells")}

#: Maps label the groups of changed objects (A, B, ...) when at most this many objects changed.
MAX_LABELLED_OBJECTS = 400

# a per-object delta below this share of the largest baseline value is drawn as unchanged
CHANGE_RTOL = 1e-9

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _fmt(x) -> str:
    """A number for a table cell: thousands separators, 3 significant-ish digits, '–' for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, (int, np.integer)):
        return f"{x:,}"
    x = float(x)
    if not math.isfinite(x):
        return "–"
    ax = abs(x)
    if ax != 0 and (ax >= 1e7 or ax < 1e-3):
        return f"{x:.4g}"
    return f"{x:,.3f}" if ax < 100 else f"{x:,.1f}"


def _signed(x) -> str:
    s = _fmt(x)
    return s if s == "–" or s.startswith("-") or float(x) == 0 else "+" + s


def _pct(delta: float, baseline: float) -> float:
    if baseline is None or not np.isfinite(baseline) or baseline == 0 or not np.isfinite(delta):
        return float("nan")
    return 100.0 * delta / abs(baseline)


def _png(fig) -> str:
    """The figure as a PNG data URI at 96 dpi, cropped to its tight bounding box.

    The box is computed once from the figure's artists with an Agg renderer at that dpi and
    padded by :rc:`savefig.pad_inches`, then handed to ``savefig``: the box and the bytes of
    ``bbox_inches="tight"``, which first draws the whole figure once more to find it
    (tests/test_report_png_bbox.py). A figure with a layout engine keeps matplotlib's way.
    """
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    bbox = "tight"
    if fig.get_layout_engine() is None:
        fig.set_dpi(96)  # the text is measured at the saved image's dpi
        bbox = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches=bbox)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


#: Delta columns another section maps (column -> that section's id): the maps section does not
#: draw them again when nothing it prefers changed (the hot-days section maps the surface
#: temperature: :func:`twin.scenario.report_soil_heat.cell_map`).
MAPPED_ELSEWHERE = {"surface_temp_midday_c_delta": "soil-heat"}


def _delta_column(frame: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    """The delta column a map draws: the first of ``preferred`` that changed, else any that
    changed (a heat-pump what-if leaves the heating need as it was and changes the CO₂) and no
    other section maps (:data:`MAPPED_ELSEWHERE`), else the first there."""
    deltas = [c for c in frame.columns if c.endswith("_delta") and c not in MAPPED_ELSEWHERE]
    present = [f"{p}_delta" for p in preferred if f"{p}_delta" in deltas]
    for c in present + deltas:
        if frame[c].abs().sum() > 0:
            return c
    return (present + deltas)[0] if deltas else None


def _geometries(comparison, whatif: str, domain: str):
    """Geometry of the objects of the baseline and of the what-if, one row per id."""
    idc = comparison.baseline[domain].id_column
    frames = [r.objects[[idc, "geometry"]] for r in (comparison.baseline[domain], comparison.whatifs[whatif][domain]) if "geometry" in r.objects.columns]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True).drop_duplicates(subset=idc, keep="first")


def map_data(comparison, whatif: str, domain: str, column: str | None = None, deltas: pd.DataFrame | None = None):
    """The frame a change map draws: geometry, the delta column (``column``, else the domain's
    first of :data:`MAP_COLUMNS`) and the object's state. ``deltas``: the what-if's
    ``comparison.deltas(whatif, domain)`` when the caller has it (computed here when None).

    Returns
    -------
    (geopandas.GeoDataFrame, str) or (None, None)
        ``state`` is ``changed``, ``unchanged``, ``added`` (only in the what-if) or ``removed``
        (only in the baseline); None when the engine's objects have no geometry.
    """
    import geopandas as gpd

    base, new = comparison.baseline[domain], comparison.whatifs[whatif][domain]
    geoms = _geometries(comparison, whatif, domain)
    if geoms is None:
        return None, None
    deltas = comparison.deltas(whatif, domain) if deltas is None else deltas
    col = _delta_column(deltas, MAP_COLUMNS.get(domain, ())) if column is None else column
    if col is None or col not in deltas.columns:
        return None, None
    idc = base.id_column
    geo = gpd.GeoDataFrame(geoms.merge(deltas[[idc, col]], on=idc, how="left"), geometry="geometry", crs=getattr(base.objects, "crs", None))
    ids = geo[idc].astype(object)  # a hash look-up: pandas' isin of Arrow strings makes one Python object per id (~0.7 s a map)
    in_base = ids.isin(base.objects[idc].astype(object)).to_numpy()
    in_new = ids.isin(new.objects[idc].astype(object)).to_numpy()
    values = geo[col].to_numpy(dtype=float)
    # round-off of an iterative engine (e.g. an equilibrium assignment) is not a change
    reference = deltas.get(col[: -len("_delta")] + "_baseline")
    scale = float(np.nanmax(np.abs(reference.to_numpy(dtype=float)))) if reference is not None and reference.notna().any() else 0.0
    tol = CHANGE_RTOL * max(scale, 1.0)
    state = np.where(np.isfinite(values) & (np.abs(values) > tol), "changed", "unchanged").astype(object)
    state[~in_base & in_new] = "added"
    state[in_base & ~in_new] = "removed"
    geo["state"] = state
    return geo, col


def map_clip_words(scale: dict, unit: str) -> str:
    """How a map's colour scale is clipped, for its caption: "colour scale clipped at ±13.9 mm over
    the cell, the 98th percentile of the change, the largest −26.4" (no parenthesis: the captions
    hold it in theirs); the largest only when it
    lies beyond the limit once rounded. ``scale`` is what :func:`_map_figure` fills in (``lim``,
    ``largest``); the plain words when it is empty.

    The caption said "clipped at the 98th percentile of the change" and left the limit to the colour
    bar: a planner read the bar's end as the largest change.
    """
    lim, largest = scale.get("lim"), scale.get("largest")
    if lim is None or not np.isfinite(lim):
        return "colour scale clipped at the 98th percentile of the change"
    text = f"colour scale clipped at ±{_sig3(lim)}" + (f" {unit}" if unit else "") + ", the 98th percentile of the change"
    if largest is not None and np.isfinite(largest) and _sig3(abs(largest)) != _sig3(lim) and abs(largest) > lim:
        text += f", the largest {'+' if largest > 0 else '−'}{_sig3(abs(largest))}"
    return text


def _sig3(x: float) -> str:
    """A positive number to three significant digits, thousands separated ("13.9", "115", "1,230")."""
    if x == 0 or not np.isfinite(x):
        return f"{x:g}"
    decimals = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{round(x, decimals):,.{decimals}f}"


def _map_figure(comparison, whatif: str, domain: str, column: str | None = None, deltas: pd.DataFrame | None = None,
                scale: dict | None = None):
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    geo, col = map_data(comparison, whatif, domain, column, deltas)
    if geo is None or not (geo["state"] != "unchanged").any():
        return None, col, False, []
    fig = Figure(figsize=(6.4, 6.0))
    ax = fig.subplots()
    values = geo[col].to_numpy(dtype=float)
    changed = (geo["state"] == "changed").to_numpy()
    # colour limit: the 98th percentile of |delta|, so one outlier does not wash out the map
    lim = float(np.percentile(np.abs(values[changed]), 98)) if changed.any() else 1.0
    lim = lim if lim > 0 else 1.0
    if scale is not None and changed.any():  # for the caption (map_clip_words)
        moved = values[changed]
        scale.update(lim=lim, largest=float(moved[np.argmax(np.abs(moved))]))
    norm = Normalize(-lim, lim)
    cmap = colormaps["RdBu_r"]
    lines = bool(geo.geom_type.isin(["LineString", "MultiLineString"]).all())
    colours = cmap(norm(np.clip(values[changed], -lim, lim)))
    if lines:  # links: the colour is the line, drawn wide
        geo[geo["state"] == "unchanged"].plot(ax=ax, color="#c4ccd4", linewidth=0.8)
        if changed.any():
            geo[changed].plot(ax=ax, color=colours, linewidth=2.4)
    else:  # buildings, cells: filled, thin outline (one collection each: fast for 10^4-10^5 cells)
        from twin.viz.maps import plot_polygons

        plot_polygons(ax, geo.geometry[(geo["state"] == "unchanged").to_numpy()], facecolor="#d8dee4", edgecolor="#c4ccd4", linewidth=0.2)
        if changed.any():
            plot_polygons(ax, geo.geometry[changed], facecolor=colours, edgecolor="#444", linewidth=0.3, zorder=2)
    handles = []
    if (geo["state"] == "added").any():
        geo[geo["state"] == "added"].plot(ax=ax, color="#111", edgecolor="#111", linewidth=2.4 if lines else 0.8)
        handles.append(Patch(facecolor="#111", label="added"))
    if (geo["state"] == "removed").any():
        removed = geo[geo["state"] == "removed"]
        if lines:
            removed.plot(ax=ax, color="#d1242f", linewidth=1.6, linestyle="--")
        else:
            removed.plot(ax=ax, facecolor="none", edgecolor="#d1242f", linewidth=1.0, linestyle="--")
        handles.append(Patch(facecolor="none", edgecolor="#d1242f", linestyle="--", label="removed"))
    # zoom on the changes when they cover a small part of the scene
    full = geo.total_bounds
    moved = geo[geo["state"] != "unchanged"].total_bounds
    zoomed = False
    pad = 60.0
    box = (moved[0] - pad, moved[1] - pad, moved[2] + pad, moved[3] + pad)
    if (box[2] - box[0]) * (box[3] - box[1]) < 0.25 * (full[2] - full[0]) * (full[3] - full[1]):
        ax.set_xlim(box[0], box[2])
        ax.set_ylim(box[1], box[3])
        zoomed = True
    else:
        ax.set_xlim(full[0], full[2])
        ax.set_ylim(full[1], full[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#d0d7de")
    from twin.viz.maps import add_scale_bar, add_street_names, label_changed

    scene = getattr(comparison, "baseline_scene", None)
    links = getattr(scene, "links", None) if scene is not None else None
    if links is not None and len(links) and "geometry" in links.columns and not lines:
        view = (ax.get_xlim(), ax.get_ylim())
        add_street_names(ax, links)
        ax.set_xlim(*view[0])
        ax.set_ylim(*view[1])
    add_scale_bar(ax)
    moved_geo = geo[geo["state"] != "unchanged"]
    labels: list[str] = []
    if len(moved_geo) <= MAX_LABELLED_OBJECTS:
        names = moved_geo["name"].to_numpy() if "name" in moved_geo.columns else None
        labels = label_changed(ax, moved_geo.geometry, links, names=names, noun=MAP_NOUNS.get(domain, ("object", "objects")))
    else:
        handles.append(Patch(facecolor=cmap(0.15), edgecolor="#444",
                             label=f"{len(moved_geo):,} {MAP_NOUNS.get(domain, ('object', 'objects'))[1]} changed (coloured)"))
    unit_label = MAP_LABELS.get(col, (col, ""))
    short_basis = map_basis(comparison, col)[1]
    bar_label = f"{unit_label[0]}, {unit_label[1]}" if unit_label[1] else unit_label[0]
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, extend="both",
                 label=bar_label + (f" ({short_basis})" if short_basis else ""))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_title(f"{whatif} — {domain}", fontsize=10)
    return _png(fig), col, zoomed, labels


def _monthly(series: pd.DataFrame) -> bool:
    return series.index.name == "month" and pd.api.types.is_integer_dtype(series.index)


def series_labels(series: pd.DataFrame) -> list[str]:
    """The quantities an engine's time-series figure draws (its first three columns), with their
    units: "Heating need, MWh per month" (the figure's axis labels; the caption says them too)."""
    from twin.scenario.report_labels import describe

    out = []
    for col in list(series.columns[:3]):
        name, unit, _ = describe(col)
        unit = unit.replace("/yr", " per month") if _monthly(series) else unit
        out.append(f"{name}, {unit}" if unit else name)
    return out


def _series_figure(comparison, domain: str):
    from matplotlib.figure import Figure

    base = comparison.baseline[domain].series
    if base is None or base.empty:
        return None, []
    columns = list(base.columns[:3])
    fig = Figure(figsize=(7.5, 2.6 * len(columns)))
    axes = np.atleast_1d(fig.subplots(len(columns), 1, sharex=True, squeeze=False)[:, 0])
    monthly = _monthly(base)
    same = []
    for ax, col, ylabel in zip(axes, columns, series_labels(base)):
        ax.plot(base.index, base[col], color="#222", linewidth=1.6, label="baseline", marker="o" if monthly else None, markersize=3)
        for k, (name, per_domain) in enumerate(comparison.whatifs.items()):
            s = per_domain[domain].series
            if s is None or col not in s:
                continue
            if s[col].shape == base[col].shape and np.allclose(s[col].to_numpy(float), base[col].to_numpy(float), rtol=1e-12, atol=0):
                if name not in same:
                    same.append(name)
                continue
            ax.plot(s.index, s[col], linewidth=1.3, linestyle="--", color=f"C{k}", label=name, marker="s" if monthly else None, markersize=3)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.grid(True, color="#eaeef2")
        ax.legend(fontsize=8, loc="best")
    if monthly:
        axes[-1].set_xticks(range(1, 13), MONTHS)
    else:
        axes[-1].set_xlabel(base.index.name or "", fontsize=9)
        fig.autofmt_xdate()
    axes[0].set_title(f"{domain}: baseline and what-ifs (central run)", fontsize=10)
    return _png(fig), same


#: A baseline band is "wide" when its width exceeds this share of the samples' median.
WIDE_BASELINE_SHARE = 0.2
#: A delta band is "wide" when it is wider than the median delta itself (or holds 0: the sign is
#: uncertain).
WIDE_DELTA_RATIO = 1.0


#: A band is lopsided when one side of its median is more than this many times the other; it is
#: then given as "x % below to y % above its median", not "±z %".
LOPSIDED_RATIO = 1.5


def _spread(lo: float, mid: float, hi: float) -> str:
    """How far a band reaches around its median ``mid`` (nonzero), in % of it: "±22 %" when both
    sides are alike, "98 % below to 398 % above its median" when one side is more than
    :data:`LOPSIDED_RATIO` times the other or a side reaches 100 % (a "±248 %" read as a range
    down to negative values the quantity never takes: electricity 89 to 20,746 MWh/yr around a
    median of 4,166)."""
    below, above = 100.0 * (mid - lo) / abs(mid), 100.0 * (hi - mid) / abs(mid)
    small, large = sorted((max(below, 0.0), max(above, 0.0)))
    if large <= LOPSIDED_RATIO * small and large < 100.0:
        return f"±{0.5 * (below + above):,.0f} %"
    return f"{below:,.0f} % below to {above:,.0f} % above its median"


def band_notes(row) -> list[str]:
    """What a KPI row's bands say (empty when they are narrow or absent).

    * ``wide baseline range (±x %)``: the baseline band is wider than :data:`WIDE_BASELINE_SHARE`
      of its median (x: half the width over the median); a lopsided band
      ``wide baseline range (x % below to y % above its median)`` (:func:`_spread`);
    * ``central run below its range`` / ``central run above its range``: the run on the central
      values (defaults) is not inside the range the samples give (:data:`OUTSIDE_WHY`);
    * ``sign uncertain``: the delta band holds 0 while the delta does not;
    * ``wide range of the change``: the delta band is wider than the median delta (:data:`WIDE_DELTA_RATIO`);
    * ``central change below its range`` / ``central change above its range``: as for the baseline.
    """
    notes = []
    g = getattr(row, "get", None) or (lambda k, d=np.nan: getattr(row, k, d))
    b_lo, b_hi, b_mid = g("baseline_p_lo", np.nan), g("baseline_p_hi", np.nan), g("baseline_p50", np.nan)
    if np.isfinite(b_lo) and np.isfinite(b_hi):
        mid = b_mid if np.isfinite(b_mid) else 0.5 * (b_lo + b_hi)
        if mid != 0 and (b_hi - b_lo) > WIDE_BASELINE_SHARE * abs(mid):
            notes.append(f"wide baseline range ({_spread(b_lo, mid, b_hi)})")
        side = _side(g("baseline", np.nan), b_lo, b_hi)
        if side:
            notes.append(f"central run {side} its range")
    d_lo, d_hi, d_mid = g("delta_p_lo", np.nan), g("delta_p_hi", np.nan), g("delta_p50", np.nan)
    delta = g("delta", np.nan)
    if np.isfinite(d_lo) and np.isfinite(d_hi) and (d_hi - d_lo) > 0:
        if d_lo < 0 < d_hi and np.isfinite(delta) and delta != 0:
            notes.append("sign uncertain")
        else:
            mid = d_mid if np.isfinite(d_mid) else 0.5 * (d_lo + d_hi)
            if (d_hi - d_lo) > WIDE_DELTA_RATIO * abs(mid):
                notes.append("wide range of the change")
        side = _side(delta, d_lo, d_hi)
        if side:
            notes.append(f"central change {side} its range")
    return notes


#: Why a central run can lie outside its own range, in one sentence a planner reads (the report
#: says it wherever a central value lies outside its range).
OUTSIDE_WHY = ("The central run puts every unknown at one fixed value (its default, or its prior's expected value); the range "
               "comes from drawing the unknowns over their whole spread, and when that spread is lopsided most draws land on one side of the default, so the central run "
               "can fall outside the range: read the range and its median as what to expect, the central run as the default case.")


def _side(x: float, lo: float, hi: float) -> str:
    """'below' or 'above' when ``x`` lies outside [lo, hi] (a relative tolerance of 1e-9), else ''."""
    if not (np.isfinite(x) and np.isfinite(lo) and np.isfinite(hi)):
        return ""
    tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
    return "below" if x < lo - tol else ("above" if x > hi + tol else "")


def _kpi_row_cells(r, banded: bool, percentiles) -> str:
    """One KPI row: label, baseline (and its band as a bar), what-if, change, change % (and its band)."""
    from twin.scenario import report_labels as L

    u = L.unit(r.kpi)
    cls = L.change_class(r.kpi, r.delta)
    row = (f"<td class='l' title='{html.escape(str(r.kpi))}'>{html.escape(L.label(r.kpi))}</td>"
           f"<td class='l u'>{html.escape(L.report_unit(r.kpi))}</td>"
           f"<td>{L.fmt_value(r.kpi, r.baseline)}</td>")
    if banded:
        row += f"<td>{L.band_bar(r.kpi, r.baseline, getattr(r, 'baseline_p_lo', np.nan), getattr(r, 'baseline_p_hi', np.nan), percentiles)}</td>"
    change = L.fmt_delta(r.kpi, r.delta, r.baseline)
    if L.change_unit(r.kpi) != u and change not in ("0", "≈ 0", "–"):  # a share's change in pts, a temperature's in K
        change = L.with_unit(change, L.change_unit(r.kpi))
    row += (f"<td>{L.fmt_value(r.kpi, r.whatif_value, ref=r.baseline)}</td><td class='{cls}'>{change}</td>"
            f"<td>{L.fmt_pct(r.delta, r.baseline, r.kpi)}</td>")
    if banded:
        notes = []
        for note in band_notes(r):  # a central run outside its range: the samples' median beside it
            if note.startswith("central run "):
                note += f" (median {L.with_unit(L.fmt_value(r.kpi, getattr(r, 'baseline_p50', np.nan), ref=r.baseline), L.unit(r.kpi))})"
            elif note.startswith("central change "):
                median = L.fmt_delta(r.kpi, getattr(r, 'delta_p50', np.nan), r.baseline)
                if change in ("0", "≈ 0") and median in ("0", "≈ 0"):  # "central change below its range (median ≈ 0 K)" beside "≈ 0"
                    continue
                note += f" (median {L.with_unit(median, L.change_unit(r.kpi))})"
            notes.append(note)
        row += (f"<td>{L.delta_bar(r.kpi, r.delta, getattr(r, 'delta_p_lo', np.nan), getattr(r, 'delta_p_hi', np.nan), r.baseline, percentiles)}</td>"
                f"<td class='l wide'>{html.escape('; '.join(notes))}</td>")
    return row


def _kpi_table(group: pd.DataFrame, banded: bool, percentiles) -> str:
    """The changed KPIs of one what-if in a table (labels, units, rounded values, bands drawn as
    bars); the unchanged ones and the run's checks folded in a ``<details>`` below it."""
    from twin.scenario import report_labels as L

    pct = f"{percentiles[0]:g}th–{percentiles[1]:g}th percentile"
    head = "<tr><th class='l'>indicator</th><th class='l'>unit</th><th>baseline</th>"
    if banded:
        head += f"<th title='{pct} over the samples'>baseline range</th>"
    head += "<th>what-if</th><th>change</th><th>change %</th>"
    if banded:
        head += f"<th title='{pct} over the samples'>range of the change</th><th class='l'>bands</th>"
    changed, same, checks = [], [], []
    for r in group.itertuples():
        if _diagnostic(r.kpi):
            checks.append(r)
        elif L.unchanged(r):
            same.append(r)
        else:
            changed.append(r)
    out = []
    if changed:
        out.append(f"<table class='kpi'><thead>{head}</tr></thead><tbody>")
        out += [f"<tr>{_kpi_row_cells(r, banded, percentiles)}</tr>" for r in changed]
        out.append("</tbody></table>")
    else:  # "No indicator changed." above a folded heating need of 247,561 -> 247,578 (a permit's shade)
        out.append("<p>No indicator moved by 0.05 % or more.</p>")
    if same or checks:
        n = len(same)
        shown_moved = any(L.fmt_value(r.kpi, r.whatif_value, ref=r.baseline) != L.fmt_value(r.kpi, r.baseline) for r in same)
        out.append(f"<details class='same'><summary>{n} indicator{'s' if n != 1 else ''} "
                   + ("moved by less than 0.05 %" if shown_moved else "unchanged")
                   + (f" · {len(checks)} check{'s' if len(checks) != 1 else ''} of the run" if checks else "") + "</summary>"
                   "<table><thead><tr><th class='l'>indicator</th><th class='l'>unit</th><th>baseline</th><th>what-if</th></tr></thead><tbody>")
        for r in same + checks:
            u = L.report_unit(r.kpi)
            out.append(f"<tr class='zero'><td class='l' title='{html.escape(str(r.kpi))}'>{html.escape(L.label(r.kpi))}</td>"
                       f"<td class='l u'>{html.escape(u)}</td><td>{L.fmt_value(r.kpi, r.baseline)}</td>"
                       f"<td>{L.fmt_value(r.kpi, r.whatif_value, ref=r.baseline)}</td></tr>")
        out.append("</tbody></table></details>")
    return "".join(out)


#: What the energy accounts count (:func:`twin.energy.results.energy_accounts`): the final energy,
#: bills, CO₂ and primary energy of heating, hot water and ventilation fans; the cooling need a
#: cooling setpoint gives is simulated but never billed.
ENERGY_SCOPE = "the energy accounts count heating, hot water and ventilation fans, not appliances, lighting, cooking or cooling"

#: The models behind each engine's numbers (for the "what this run assumed" box).
MODELS = {
    "energy": "ISO 13790 hourly 5R1C per building (each building one heated zone drawn as an electric circuit of five thermal "
              "resistances and one heat capacity); TABULA Belgian residential typology (every building typed as a dwelling of its "
              "shape and period); Brussels EPB primary-energy factors and classes; urban shading from horizon profiles; "
              + ENERGY_SCOPE,
    "traffic": "district mobility model: trip ends from buildings and points of interest on 100 m zones, destination and mode "
               "choice (multinomial logit, MTC model 1 coefficients, constants calibrated to Brussels shares) on walk, bike, public "
               "transport and car travel times, car assignment (Algorithm B, to the user equilibrium: no driver can save time by changing route) with through traffic from the district's "
               "edges, congested feedback; what-ifs keep the baseline's calibration, trip making elastic to access (evaporation); "
               "15-minute access by walk, bike and public transport weighted by residents; CO₂ and NOx from vehicle-km",
    "soil": "block design storm on the district's soil grid: Richards equation per soil column (or SCS Curve Number screening); "
            "or (soil.method: year) a year under the weather file: FAO-56 ET, crop coefficients, interception, Feddes root uptake, "
            "a fixed water table with capillary rise, street sewers with a throttled outlet and overflows, green infrastructure; "
            "what-ifs that change the ground cover: surface energy balance of each cover on the hottest days of the weather year",
}


def _share(x: float) -> str:
    """A share (0..1) as a percentage: one decimal, '–' when undefined."""
    return f"{100.0 * x:.1f} %" if np.isfinite(x) else "–"


def _provenance_table(scene) -> str:
    """Share of the floor area per attribute and source (twin.scene.provenance.floor_area_shares)."""
    from twin.scene.provenance import SOURCES, floor_area_shares, reported_parameters

    shares = floor_area_shares(scene.buildings, reported_parameters(scene.buildings))
    head = "<tr><th class='l'>attribute</th>" + "".join(f"<th>{s}</th>" for s in SOURCES) + "<th>floor area, m²</th><th>buildings</th></tr>"
    rows = [f"<table><thead>{head}</thead><tbody>"]
    for attr, r in shares.iterrows():
        cells = "".join(
            f"<td{' class=def' if s == 'default' and r[s] > 0.5 else ''}>{_share(r[s])}</td>" for s in SOURCES)
        # the box's words for the attribute ('construction year', not 'construction_year'; the id on hover), whole m²
        name = ATTRIBUTE_LABELS.get(str(attr), str(attr))
        area = float(r["floor_area_m2"])
        rows.append(f"<tr><td class='l' title='{html.escape(str(attr))}'>{html.escape(name)}</td>{cells}"
                    f"<td>{f'{area:,.0f}' if np.isfinite(area) else '–'}</td><td>{int(r['buildings']):,}</td></tr>")
    rows.append("</tbody></table>")
    rows.append(_calibration_note(scene, shares))
    if "floor_area_m2" in shares.index:
        rows.append("<p class='note'>Floor area: data = the file's own (an IFC model's spaces or slabs), inferred = footprint × storeys, "
                    "default = footprint × default storeys. Storey height: data = the file's height over its storeys, "
                    "default = the defaults table's by use.</p>")
    return "".join(rows)


#: What a calibration adjusts, per kind of :data:`twin.energy.calibrated.KIND_COLUMN`
#: (:func:`twin.calibration.writeback.group_table`: a group's shift is ``h_tr_factor`` alone; a
#: building to its own meter has the four :data:`twin.energy.calibrated.PARAMETERS`).
CALIBRATION_ADJUSTS = {
    "group": "the U-values of their envelope (walls, roof, floor, windows, doors, thermal bridges), multiplied by one factor "
             "per group fitted to an aggregate",
    "building": "their envelope's U-values, air change rate, heating set-point and hot-water use, fitted to their own meter",
}


def _calibration_kinds(scene) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The calibration kind of each building (``"group"``, ``"building"`` or ``""``), its floor area
    (m², 1 per building without a floor-area column) and the total floor area; None when the
    scene's buildings carry no calibration."""
    from twin.energy.calibrated import KIND_COLUMN

    b = getattr(scene, "buildings", None)
    if b is None or KIND_COLUMN not in getattr(b, "columns", ()):
        return None
    kind = b[KIND_COLUMN].astype("string").fillna("").to_numpy()
    if not (kind != "").any():
        return None
    area = (pd.to_numeric(b["floor_area_m2"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
            if "floor_area_m2" in b.columns else np.ones(len(b)))
    return kind, area, float(area.sum()) or 1.0


def _calibration_note(scene, shares: pd.DataFrame) -> str:
    """The note under the attribute-sources table when the scene's buildings carry a calibration:
    what it adjusts (energy-model parameters the table does not list), for how much of the floor
    area, so that a 'calibrated 0.0 %' column does not contradict the calibration section; ''
    without a calibration."""
    kinds = _calibration_kinds(scene)
    if kinds is None:
        return ""
    kind, area, total = kinds
    parts = []
    for k, how in CALIBRATION_ADJUSTS.items():
        n = int((kind == k).sum())
        if n:
            parts.append(f"{n:,} building{'s' if n != 1 else ''} ({100.0 * float(area[kind == k].sum()) / total:.1f} % of the floor area): {how}")
    listed = "calibrated" in shares.columns and not (pd.to_numeric(shares["calibrated"], errors="coerce").fillna(0.0) > 0).any()
    lead = ("The column <i>calibrated</i> reads 0.0 % because the calibration adjusts none of the attributes listed here: "
            if listed else "Besides the attributes listed here, ")
    return (f"<p class='note calibration-adjusts'>{lead}the calibration adjusts energy-model parameters of the calibrated buildings, "
            f"{'; '.join(parts)} (section Calibration).</p>")


#: The stock priors' entries (:data:`twin.energy.priors.ENTRIES`) as the priors table names them
#: (the id on hover, as the attribute-sources table).
PRIOR_LABELS = {"construction_period": "construction period", "use": "use", "storeys": "storeys", "storey_height_m": "storey height",
                "window": "windows", "heating_system": "heating system", "heating_setpoint_c": "heating set-point temperature",
                "air_change": "air change rate", "heat_pump_cop": "heat pump efficiency (COP)", "pv_yield": "rooftop PV yield"}


def _priors_table(comparison) -> str:
    from twin.energy.priors import describe

    stock = getattr(comparison, "stock_samples", None)
    if stock is None:
        return ""
    counted = {"construction_period": "construction_year", "use": "use", "storeys": "n_storeys", "storey_height_m": "height_m"}
    # district-wide model parameters: one factor per sample on every system of the kind, not per building
    district_wide = {"heat_pump_cop": "every heat pump (one factor per sample)", "pv_yield": "every rooftop PV system (one factor per sample)"}
    n_b = stock.n_buildings
    rows = ["<table><thead><tr><th class='l'>prior</th><th class='l w'>distribution</th><th>buildings sampled</th>"
            "<th class='l w'>basis</th></tr></thead><tbody>"]
    for d in describe(stock.priors):
        attr = counted.get(d["entry"])
        n = (f"{int(stock.sampled[attr].sum()):,} of {n_b:,}" if attr in stock.sampled
             else district_wide.get(d["entry"], "where from typology or default"))
        name = PRIOR_LABELS.get(d["entry"], str(d["entry"]).replace("_", " "))
        rows.append(f"<tr><td class='l' title='{html.escape(d['entry'])}'>{html.escape(name)}</td><td class='w'>{note_html(d['what'])}</td><td>{n}</td>"
                    f"<td class='w note'>{note_html(d['basis'])}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _mc_error_text(comparison) -> str:
    from twin.scenario.runner import band_edge_errors

    if comparison.samples is None or not len(comparison.samples):
        return ""
    sc = comparison.scenario
    err = band_edge_errors(comparison.samples, sc.uncertainty.percentiles, seed=int(sc.uncertainty.seed))
    if err.empty:
        return ""
    counts = comparison.samples.groupby("domain")["sample"].nunique()
    parts = []
    for domain, grp in err.groupby("domain", sort=False):  # engines may run different numbers of samples
        rel = grp.filter(like="_se_rel").to_numpy(dtype=float).ravel()
        rel = rel[np.isfinite(rel)]
        if len(rel):
            parts.append(f"{html.escape(str(domain))} median {100 * np.median(rel):.0f} %, largest {100 * rel.max():.0f} % "
                         f"({int(counts.get(domain, 0))} samples)")
    if not parts:
        return ""
    return ("Monte Carlo error of the band edges (bootstrap, one standard error, as a share of the band's width): "
            f"{'; '.join(parts)}; more samples shrink it as 1/&radic;n.")


def _heat_sampled(comparison) -> bool:
    """Whether the soil engine's hot-days KPIs have samples (the surface priors)."""
    from twin.scenario.engines.soil_heat import HEAT_KPIS

    smp = comparison.samples
    return smp is not None and bool(len(smp)) and bool(((smp["domain"] == "soil") & smp["kpi"].isin(HEAT_KPIS)).any())


def _sampled(comparison, domain: str) -> bool:
    """Whether any sample's KPI of ``domain`` differs from another's (the soil engine's hot-days
    KPIs, which sample the surface priors, left out)."""
    from twin.scenario.engines.soil_heat import HEAT_KPIS

    smp = comparison.samples
    if smp is None or not len(smp):
        return False
    sub = smp[(smp["domain"] == domain) & ~smp["kpi"].isin(HEAT_KPIS)]
    return bool(len(sub)) and bool((sub.groupby(["whatif", "kpi"])["whatif_value"].nunique() > 1).any())


#: Short name of each engine's model (the assumed box's first lines).
MODEL_SHORT = {
    "energy": "hourly 5R1C building model (ISO 13790), each building one heated zone of five thermal resistances and one heat "
              "capacity (hence 5R1C), on the TABULA Belgian typology (building types by age and shape), Brussels EPB factors and classes",
    "traffic": "district mobility model: destination and mode choice (logit) and car assignment, 15-minute access",
    "soil": "soil water per grid cell: Richards equation (or SCS Curve Number), or a year with ET and sewers",
}

#: Validation status of each engine: what it was checked against, and what it was not (README,
#: "Validation and speed at a glance"; docs/).
VALIDATION = {
    "energy": ("checked", "BESTEST (ASHRAE 140): about half of the quantities inside the example programs' range, the heating loads "
                          "above it (README, 'Validation and speed at a glance'); heating need within 25 % of TABULA's 36 Belgian "
                          "reference buildings; not compared with metered consumption of this district"),
    "traffic": ("checked", "assignment equals the best-known solutions of SiouxFalls and ChicagoSketch; mode shares calibrated to "
                           "Brussels shares; not compared with traffic counts of this district"),
    "soil": ("checked", "Richards solver against Celia et al. (1990) and Green–Ampt, Curve Number against its worked value; "
                        "not compared with measured runoff of this district"),
}


#: The finer zone model's lines, when a scenario names it (``energy.model: iso52016``).
ISO52016_SHORT = "hourly multi-node zone model (ISO 52016-1 style: nodes per construction layer, hourly interior convection) on the TABULA Belgian typology"
ISO52016_VALIDATION = ("checked", "BESTEST (ASHRAE 140): all but a few quantities inside the example programs' range (README, 'Validation "
                                  "and speed at a glance'); heating need within 25 % of TABULA's 36 Belgian reference buildings with the "
                                  "setpoint on the operative temperature; not compared with metered consumption of this district")


def model_lines(scenario, domain: str) -> tuple[str, tuple[str, str]]:
    """The model and validation lines of ``domain`` for the options ``scenario`` ran with: the
    energy engine's zone model (5R1C or the finer model, with its setpoint temperature and
    exterior surfaces) and the traffic engine's junction delays (none, signals, give-way)."""
    short, valid = MODEL_SHORT.get(domain, MODELS.get(domain, domain)), VALIDATION.get(domain, ("", "not validated"))
    e = getattr(scenario, "energy", None)
    if domain == "energy" and getattr(e, "model", "5r1c") == "iso52016":
        control = e.control_temperature or "operative"
        exterior = ("wind-dependent DOE-2 exterior surfaces (terrain " + (e.terrain or "city") + ")") if e.exterior_convection == "doe2" else "fixed exterior films"
        short = f"{ISO52016_SHORT}; setpoints on the {control} temperature; {exterior}; Brussels EPB factors and classes"
        valid = ISO52016_VALIDATION
    if domain == "energy":
        short += "; " + ENERGY_SCOPE
    if domain == "traffic":
        short += "; " + junction_delays(scenario) + "; " + public_transport(scenario)
    return short, valid


def junction_delays(scenario) -> str:
    """What the traffic engine's car network charges at junctions, for the options of ``scenario``."""
    t = getattr(scenario, "traffic", None)
    delays = []
    if getattr(t, "signals", False):
        delays.append(f"pretimed signals at the nodes the scene flags (HCM delay, default timing, {t.signal_split} green split)")
    if getattr(t, "give_way", False):
        delays.append("give-way at the other junctions (HCM two-way stop control, roundabout entries by HCM 2010 ch. 21; who gives way from the "
                      "OSM give-way / stop signs and mini roundabouts where the map has them, else from the road classes; capacities agreeing "
                      "with their conflicting flows within 1 %)")
    return "junction delays: " + ("; ".join(delays) if delays else "none (traffic.signals and traffic.give_way off: only the links' travel times)")


def models_public_transport(scenario) -> bool:
    """Whether the traffic engine of ``scenario`` models public transport: a timetable
    (``traffic.gtfs``) or the map's routes (``traffic.transit_routes``) is given. The one rule
    behind :func:`public_transport` and the mobility section's note
    (:attr:`twin.scenario.schema.TrafficOptions.models_public_transport`)."""
    t = getattr(scenario, "traffic", None)
    return bool(t is not None and t.models_public_transport)


def public_transport(scenario) -> str:
    """Whether the traffic engine of ``scenario`` models public transport: with a timetable
    (``traffic.gtfs``), from the map's routes without one (``traffic.transit_routes``), or not, and
    then what the mode-choice calibration did with its target share (given in numbers for the
    packaged Brussels targets); :func:`models_public_transport` decides which."""
    t = getattr(scenario, "traffic", None)
    if models_public_transport(scenario):
        if getattr(t, "gtfs", None):
            return f"public transport: the timetable {t.gtfs}"
        defaults = t.transit_defaults or "twin/data/transit_osm_defaults.csv"
        return (f"public transport: the map's routes and stops ({t.transit_routes}), without a timetable: departures at a "
                f"headway and rides at a commercial speed per mode, documented defaults of {defaults} (the headways are "
                "assumptions; twin.traffic.osm_transit)")
    text = ("public transport: not modelled (no timetable given: traffic.gtfs); the mode constants are calibrated to the target "
            "shares without it, walking, cycling and the car scaled up to fill its share")
    if getattr(t, "targets_table", None) is None:
        from twin.traffic.mode_choice import read_targets, targets_without_pt

        region = read_targets()
        here = targets_without_pt(region)
        text += (f" (the Region's trips: car {region['car'] * 100:.0f} %, public transport {region['pt'] * 100:.0f} %; "
                 f"here car {here['car'] * 100:.0f} %), so car trips and vehicle-km stand higher than the Region's shares give")
    return text


#: How the building attributes of the provenance shares read.
ATTRIBUTE_LABELS = {"use": "use", "height_m": "height", "n_storeys": "storeys", "construction_year": "construction year",
                    "floor_area_m2": "floor area", "storey_height_m": "storey height"}


def heating_system_sources(buildings: pd.DataFrame) -> dict | None:
    """Where the buildings' heating systems came from, or None when the layer carries no
    ``heating_system_source`` column (no building declared one: every scene of the embedded data).

    Parameters
    ----------
    buildings
        A buildings layer with ``floor_area_m2`` (m2), ``heating_system`` and its source
        (:data:`twin.scene.provenance.OPTIONAL_PARAMETERS`).

    Returns
    -------
    dict or None
        ``floor_area_shares`` (share 0..1 of the floor area per source of
        :data:`twin.scene.provenance.SOURCES`), ``floor_area_m2`` (the total),
        ``buildings`` (count per source) and ``systems`` (count of buildings per declared
        system, i.e. one not from a default; most first).
    """
    from twin.scene.provenance import SOURCES, building_sources, floor_area_shares

    if buildings is None or "heating_system_source" not in getattr(buildings, "columns", ()):
        return None
    shares = floor_area_shares(buildings, ("heating_system",)).loc["heating_system"]
    source = building_sources(buildings, ("heating_system",))["heating_system"]
    system = (buildings["heating_system"].astype("string").fillna("").str.strip() if "heating_system" in buildings.columns
              else pd.Series("", index=buildings.index, dtype="string"))
    declared = (source != "default").to_numpy() & (system != "").to_numpy()
    counts = system[declared].value_counts()
    systems = {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))}
    return {"floor_area_shares": {s: float(shares[s]) for s in SOURCES}, "floor_area_m2": float(shares["floor_area_m2"]),
            "buildings": {s: int((source == s).sum()) for s in SOURCES}, "systems": systems}


def _heating_system_parts(comparison, scene) -> tuple[list[str], int, dict[str, int], bool, float] | None:
    """What the box and the terminal say of the heating systems: (shares by known source, e.g.
    '25.0 % of the floor area from data'; buildings declared; buildings per declared system; whether
    the rest draws the priors' district mix; the share on the default), None when the scene
    declares none."""
    try:
        info = heating_system_sources(getattr(scene, "buildings", None))
    except ValueError:  # a source column with a value outside the sources
        return None
    if info is None:
        return None
    shares, counts = info["floor_area_shares"], info["buildings"]
    said = {"data": "from data", "user": "given by a user", "calibrated": "calibrated", "inferred": "inferred"}
    parts = [f"{_share(shares[s])} of the floor area {how}" for s, how in said.items() if counts.get(s)]
    stock = getattr(comparison, "stock_samples", None)
    mixed = stock is not None and "heating_system" in stock.priors.enabled()
    return parts, sum(info["systems"].values()), info["systems"], mixed, shares["default"]


def _heating_system_item(comparison, scene) -> str:
    """The assumed box's line on the heating systems ('' when the scene declares none)."""
    got = _heating_system_parts(comparison, scene)
    if got is None:
        return ""
    parts, n, systems, mixed, default = got
    listed = ", ".join(f"{v:,} {html.escape(k)}" for k, v in systems.items())
    rest = "the district mix of the priors (<code>heating_system</code>)" if mixed else "the default system, the existing gas boiler"
    cls = " class='def'" if default > 0.5 else ""
    return (f"<li><b>Heating system</b>: {'; '.join(parts) or 'none declared'} ({n:,} buildings: {listed or 'none'}); "
            f"the rest (<span{cls}>{_share(default)}</span>) is not known: {rest}.</li>")


def heating_system_line(comparison) -> str:
    """The terminal's line on the heating systems, the same as the report's box ('' when the
    baseline scene declares none)."""
    got = _heating_system_parts(comparison, getattr(comparison, "baseline_scene", None))
    if got is None:
        return ""
    parts, n, systems, mixed, default = got
    listed = ", ".join(f"{v:,} {k}" for k, v in systems.items())
    rest = "the district mix of the priors (heating_system)" if mixed else "the default system, the existing gas boiler"
    return (f"heating system: {'; '.join(parts) or 'none declared'} ({n:,} buildings: {listed or 'none'}); "
            f"the rest ({_share(default)}) is not known: {rest}")


#: Engines that read the buildings' attributes (use, height, age, floor area...): without them a
#: run uses the buildings' footprints only, and the attributes' sources and the calibration of the
#: energy model say nothing about its numbers.
ATTRIBUTE_ENGINES = frozenset({"energy", "traffic"})

#: The assumed box's line for a run whose engines read no building attribute (a soil run).
FOOTPRINTS_ONLY = ("<li><b>Buildings</b>: their footprints only (roofs: sealed ground, green roofs where given); no engine of this "
                   "run reads their use, height, age or floor area.</li>")


def _assumed_short(comparison) -> str:
    """The first lines of the assumed box: defaulted inputs, models with their validation status, samples."""
    sc = comparison.scenario
    items = []
    scene = getattr(comparison, "baseline_scene", None)
    attributes = bool(ATTRIBUTE_ENGINES & set(sc.domains))
    if not attributes:
        items.append(FOOTPRINTS_ONLY)
    elif scene is not None and len(getattr(scene, "buildings", ())):
        from twin.scene.provenance import floor_area_shares, reported_parameters

        try:
            shares = floor_area_shares(scene.buildings, reported_parameters(scene.buildings))
        except ValueError:
            shares = None
        if shares is not None and len(shares):
            worst = float(shares["default"].max())
            parts = ", ".join(f"{html.escape(ATTRIBUTE_LABELS.get(str(a), str(a).replace('_', ' ')))} {_share(r['default'])}"
                              for a, r in shares.iterrows())
            cls = " class='def'" if worst > 0.5 else ""
            items.append(f"<li><b>Defaulted inputs</b>: share of the floor area whose value is a default (nothing known): <span{cls}>{parts}</span>; "
                         "the rest comes from data or a documented inference rule.</li>")
        system = _heating_system_item(comparison, scene)
        if system:
            items.append(system)
    pv = _pv_default_item(comparison)
    if pv:
        items.append(pv)
    lines = {d: model_lines(sc, d) for d in sc.domains}
    models = "".join(f"<li><b>{html.escape(d)}</b>: {note_html(short)}. "
                     f"<span class='{'ok' if status == 'checked' else 'partial'}'>Validation:</span> {html.escape(text)}.</li>"
                     for d, (short, (status, text)) in lines.items())
    items.append(f"<li><b>Models</b><ul>{models}</ul></li>")
    calib = getattr(getattr(sc, "inputs", None), "calibration", None)
    share = _calibrated_share(scene)
    if "energy" in sc.domains or calib or share:
        items.append("<li><b>Calibration</b>: " + (f"the table <code>{html.escape(str(calib))}</code> applied to the baseline scene"
                                                   if calib else ("the scene's buildings carry one" if share else
                                                                  "none (no measured consumption used; <code>inputs.calibration</code>)"))
                     + (f": {html.escape(share)}" if share else "") + ".</li>")
    if comparison.samples is not None and sc.uncertainty.samples:
        lo, hi = sc.uncertainty.percentiles
        counts = _sample_counts(comparison)
        items.append(f"<li><b>Uncertainty</b>: {sc.uncertainty.samples} Monte Carlo samples (seed {sc.uncertainty.seed}"
                     + (f"; samples per engine: {html.escape(counts)}" if counts else "") + f"); the ranges are "
                     f"the {lo:g}th–{hi:g}th percentiles.</li>")
    else:
        items.append("<li><b>Uncertainty</b>: none sampled; every number rests on the central values, defaults included.</li>")
    return "<ul class='assumed-short'>" + "".join(items) + "</ul>"


def _pv_default_item(comparison) -> str:
    """The assumed box's line on rooftop PV when a what-if adds some ('' otherwise): the
    self-consumed share the energy bills use is a default, not data (:class:`twin.solar.pv.PVParameters`)."""
    from twin.scenario import report_labels as L
    from twin.scenario.report_energy_classes import added_pv_kwh

    if "energy" not in comparison.scenario.domains or not any(added_pv_kwh(comparison, w) > 0 for w in (getattr(comparison, "whatifs", None) or {})):
        return ""
    return (f"<li><b>Rooftop PV on the bills</b>: <span class='def'>{L.PV_SELF_PCT} % of each building's yield used in the building"
            "</span> (a default, not data: a typical household without battery, against its whole electricity use; "
            f"<code>twin.solar.pv.PVParameters</code>), at the electricity price; the rest sold at {L.PV_INJECTION_EUR_KWH:g} €/kWh "
            "(an assumption); Brussels ended net metering on 1 November 2021 (Brugel, 'Fin du principe de la compensation').</li>")


def _calibrated_share(scene) -> str:
    """How much of the stock a calibration covers, by kind ("3,937 of 3,991 buildings (97.1 % of the
    floor area) calibrated as a group to an aggregate, none to their own meter"); '' when the scene's
    buildings carry no calibration."""
    kinds = _calibration_kinds(scene)
    if kinds is None:
        return ""
    kind, area, total = kinds
    parts = []
    for k, how in (("group", "calibrated as a group to an aggregate (the group's parameters shifted together)"),
                   ("building", "calibrated to their own meter")):
        m = kind == k
        parts.append(f"{int(m.sum()):,} of {len(kind):,} buildings ({100.0 * float(area[m].sum()) / total:.1f} % of the floor area) {how}"
                     if m.any() else f"none {how}")
    return "; ".join(parts) + "; the rest rests on the priors"


def _assumed_section(comparison) -> str:
    sc = comparison.scenario
    attributes = bool(ATTRIBUTE_ENGINES & set(sc.domains))
    p = ["<section id='assumed'><h2>What this run assumed</h2><div class='box'>", _assumed_short(comparison),
         "<details><summary>Details: " + ("where each building attribute comes from, " if attributes else "")
         + "the priors sampled, the models</summary>"]
    scene = getattr(comparison, "baseline_scene", None)
    if attributes and scene is not None and len(getattr(scene, "buildings", ())):
        try:
            table = _provenance_table(scene)
        except ValueError as exc:  # a layer that carries no sources
            table = f"<p class='note'>Sources of the building attributes unknown: {html.escape(str(exc))}.</p>"
        p.append("<h3>Where the building attributes come from</h3><p class='note'>Share of the floor area whose value comes from "
                 "each source (data: read from the inputs; user, calibrated; inferred: derived by a documented rule; default: "
                 "nothing was known). Red: more than half of the floor area rests on a default.</p>" + table)
    samples = sc.uncertainty.samples if comparison.samples is not None else 0
    stock = getattr(comparison, "stock_samples", None)
    if samples:
        lo, hi = sc.uncertainty.percentiles
        what = []
        if stock is not None:
            what.append(f"the buildings' unknown attributes from the prior table ({html.escape(stock.priors.source)})")
        if sc.uncertainty.parameters:
            what.append("the options " + ", ".join(f"<code>{html.escape(d.name)}</code> ({d.dist})" for d in sc.uncertainty.parameters))
        from twin.scenario.checks import soil_hydraulics_sampled, soil_samples_itself, soil_texture_sampled

        if soil_samples_itself(sc):
            what.append("the soil unknowns (crop coefficients, water-table depth, sewer outlet capacity) from "
                        "<code>twin/data/soil_priors.yaml</code>")
        if soil_texture_sampled(sc):
            what.append("the texture of the ground without a soil polygon (one per sample, from "
                        + ("<code>soil.texture_shares</code>" if sc.soil.texture_shares is not None else
                           "<code>twin/data/soil_texture_prior.yaml</code>, an assumption") + ")")
        if soil_hydraulics_sampled(sc) and sc.soil.hydraulics_spread > 0:
            what.append("the soil's hydraulics within its texture class (van Genuchten–Mualem parameters, the spreads of "
                        "Carsel &amp; Parrish 1988)")
        if _heat_sampled(comparison):
            what.append("the ground covers' albedo, emissivity, roughness and crop coefficient (hot-days surface temperatures) from "
                        "<code>twin/data/soil_surface_priors.yaml</code>")
        p.append(f"<h3>Uncertainty</h3><p>{samples} Monte Carlo samples (seed {sc.uncertainty.seed}) of {' and '.join(what)}; "
                 f"bands are the {lo:g}th–{hi:g}th percentiles over the samples; every what-if is evaluated on the same sampled city. "
                 f"{_mc_error_text(comparison)}</p>")
        if stock is not None:
            p.append(_priors_table(comparison))
            p.append("<p class='note'>Sampled only where the value is inferred or a default; values from data, a user or a calibration "
                     "stay as they are. Urban shading is computed once from the central heights.</p>")
        unsampled = [d for d in sc.domains if not _sampled(comparison, d)]
        if unsampled:
            p.append(f"<p class='note'>Nothing sampled reaches the {', '.join(unsampled)} engine: its bands have no width "
                     "(they do not show the uncertainty of its own inputs)"
                     + (", except the soil engine's hot-days surface temperatures" if "soil" in unsampled and _heat_sampled(comparison)
                        else "") + ".</p>")
        for note in getattr(comparison, "sample_notes", []):
            p.append(f"<p class='note'>{note_html(note, gap_target=_gap_target(sc))}</p>")
    else:
        p.append("<h3>Uncertainty</h3><p>No Monte Carlo: every number rests on the central values above, defaults included. Set "
                 "<code>uncertainty.samples</code> (e.g. 100) for bands that show what the defaults leave open.</p>")
    long = {d: MODELS.get(d, d) for d in sc.domains}
    if "energy" in long and getattr(getattr(sc, "energy", None), "model", "5r1c") == "iso52016":
        long["energy"] = model_lines(sc, "energy")[0] + "; urban shading from horizon profiles; Monte Carlo bands not run with this model"
    if "traffic" in long:
        long["traffic"] += "; " + junction_delays(sc) + "; " + public_transport(sc)
    p.append("<h3>Models</h3><ul>" + "".join(f"<li><b>{html.escape(d)}</b>: {note_html(text)}</li>" for d, text in long.items()) + "</ul>")
    p.append("</details></div></section>")
    return "".join(p)


def _unrun_domains(scenario, whatif) -> set[str]:
    acts = set().union(*(OP_DOMAINS.get(m.op, set()) for m in whatif.modifications)) if whatif.modifications else set()
    return acts - set(scenario.domains)


#: The KPIs a planner decides on, in the order the summary shows them when they move (the other
#: KPIs that moved follow in the table's order): what a measure does to emissions, bills and
#: cost first, then energy, the closed streets and where their traffic goes, heat and water. The
#: district mean of the hot-days surface temperature follows the changed ground's: alone, the card
#: read "-11.9 K" for the 4,532 m² de-sealed while the district's mean moved by -0.093 K.
HEADLINE_KPIS = (
    "co2_t", "energy_cost_keur_yr", "investment_keur", "heating_need_mwh", "floor_area_class_d_or_worse_pct", "primary_energy_mwh",
    "pv_yield_mwh",
    "am_peak_closed_link_flow_veh_h", "am_peak_rerouted_car_trips", "am_peak_vehicle_km_residential", "am_peak_vehicle_km",
    "am_peak_co2_kg", "am_peak_mode_shifted_trips", "am_peak_evaporated_trips",
    "hot_days_surface_temp_midday_c", "hot_days_district_surface_temp_midday_c", "runoff_m3", "sewer_overflow_m3", "infiltration_m3",
    "recharge_m3", "sealed_area_pct",
)


def share_shift(kpi: str, baseline: float, whatif_value: float) -> str:
    """A share KPI's baseline and what-if values, as the summary gives them beside the change in
    percentage points: "85.4 % → 63.6 %", "12.0 % → 13.5 % of trips" (the unit once, at the end)."""
    from twin.scenario import report_labels as L

    u = L.unit(kpi)
    return f"{L.fmt_value(kpi, baseline)} % → {L.with_unit(L.fmt_value(kpi, whatif_value, ref=baseline), u)}"


def _headlines(group: pd.DataFrame, n: int = 5) -> list[str]:
    """The KPIs that moved (:data:`HEADLINE_KPIS` first), at most ``n``, as label: change (percent),
    range of the change; a share's change in percentage points beside its two shares (no relative %:
    :func:`share_shift`); a central change outside its range says so, with the samples' median."""
    from twin.scenario import report_labels as L

    moved = [r for r in group.itertuples() if not _diagnostic(r.kpi) and np.isfinite(r.delta) and not L.unchanged(r)
             and L.fmt_delta(r.kpi, r.delta, r.baseline) != "≈ 0"]  # a change that rounds away is no headline
    rank = {k: i for i, k in enumerate(HEADLINE_KPIS)}
    moved = sorted(moved, key=lambda r: rank.get(str(r.kpi), len(rank)))  # stable: the others keep the table's order
    out = []
    for r in moved[:n]:
        u = L.change_unit(r.kpi, short=False)
        pct = L.fmt_pct(r.delta, r.baseline, r.kpi)
        pct_s = f" ({pct})" if pct != "–" else ""
        if L.is_share(r.kpi):  # points beside the two shares, not beside a relative % ("-21.8 percentage points (-25.5 %)" misreads)
            pct_s = f" ({html.escape(share_shift(r.kpi, r.baseline, r.whatif_value))})"
        band = ""
        if L.no_spread(getattr(r, "delta_p_lo", np.nan), getattr(r, "delta_p_hi", np.nan)):
            band = f", {L.NO_SPREAD}"  # not "range -0.5 to -0.5": nothing sampled moves it
        elif np.isfinite(getattr(r, "delta_p_lo", np.nan)):
            band = (f", range {L.fmt_delta(r.kpi, r.delta_p_lo, r.baseline)} to "
                    f"{L.with_unit(L.fmt_delta(r.kpi, r.delta_p_hi, r.baseline), u)}")
            notes = band_notes(r)
            if "sign uncertain" in notes:
                band += " <span class='wide'>(sign uncertain)</span>"
            side = next((x.split()[2] for x in notes if x.startswith("central change ")), "")
            if side:
                band += (f" <span class='wide'>(the central run lies {side} the range; the samples' median: "
                         f"{html.escape(L.with_unit(L.fmt_delta(r.kpi, r.delta_p50, r.baseline), u))})</span>")
        out.append(f"{html.escape(L.label(r.kpi))}: <b>{html.escape(L.with_unit(L.fmt_delta(r.kpi, r.delta, r.baseline), u))}</b>{pct_s}{band}")
    return out


def _sample_counts(comparison) -> str:
    """How many Monte Carlo samples each engine's ranges rest on ("energy, soil 100; traffic 40"):
    engines may run fewer samples than the scenario draws (``traffic.samples``), and the hot-days
    temperatures their own."""
    from twin.scenario.engines.soil_heat import HEAT_KPIS

    smp = comparison.samples
    if smp is None or not len(smp):
        return ""
    heat = smp["kpi"].isin(HEAT_KPIS)
    counts: dict[int, list[str]] = {}
    for name, sub in (*((d, smp[(smp["domain"] == d) & ~heat]) for d in dict.fromkeys(smp["domain"])),
                      ("hot-days surface temperatures", smp[heat])):
        if len(sub):
            counts.setdefault(int(sub["sample"].nunique()), []).append(str(name))
    return "; ".join(f"{', '.join(names)}: {k}" for k, names in sorted(counts.items(), reverse=True))


def _payback_line(comparison, whatif: str, group: pd.DataFrame) -> str:
    """The simple payback of a what-if that invests (investment over the yearly saving on the energy
    bills, central run and range over the samples: :func:`twin.scenario.report_energy_classes.payback_rows`),
    '' when it invests nothing or the energy engine's objects carry no cost."""
    inv = group[group["kpi"] == "investment_keur"]
    if inv.empty or not float(inv["delta"].iloc[0]) > 0 or "energy" not in comparison.whatifs.get(whatif, {}):
        return ""
    if not {"investment_eur", "energy_cost_eur"} <= set(comparison.whatifs[whatif]["energy"].objects.columns):
        return ""
    from twin.scenario.report_energy_classes import _years, payback_range, payback_rows

    r = payback_rows(comparison, whatif)
    if not np.isfinite(r["payback_yr"]):  # "no saving" once: it read "never (no saving), range 296.1 years to never (no saving)"
        central, band = "<b>no saving in the central run</b>", f"; range {payback_range(r['payback_lo'], r['payback_hi'], 'never')}"
    else:
        central, band = f"<b>{_years(r['payback_yr'])}</b>", f", range {payback_range(r['payback_lo'], r['payback_hi'])}"
    return (f"Simple payback (investment over the yearly saving on the energy bills, today's prices, no discounting): "
            f"{central}{band if np.isfinite(r['payback_lo']) else ''}{_pv_share_words(comparison, whatif, group)}")


def _pv_share_words(comparison, whatif: str, group: pd.DataFrame) -> str:
    """'; of the 2,951 k€/yr saved, 339 (11 %) are the rooftop PV's yield (...)' when the what-if
    adds PV and saves on the bills ('' otherwise): what the added PV saves on the central run, by
    the accounts' rule (:func:`twin.scenario.report_energy_classes.added_pv_credit_eur`: the
    self-consumed share at the electricity price, the rest at the injection price).

    The card gave one payback for insulation and PV together, and a planner weighing an
    insulation programme read it as the insulation's.
    """
    from functools import partial

    from twin.scenario import report_labels as L
    from twin.scenario.report_energy_classes import added_pv_credit_eur, added_pv_kwh

    cost = group[group["kpi"] == "energy_cost_keur_yr"]
    saving_keur = -float(cost["delta"].iloc[0]) if len(cost) else np.nan
    if not (np.isfinite(saving_keur) and saving_keur > 0) or not added_pv_kwh(comparison, whatif) > 0:
        return ""
    pv_keur = added_pv_credit_eur(comparison, whatif) / 1e3
    if not pv_keur > 0:
        return ""
    fmt = partial(L.fmt_value, "energy_cost_keur_yr")  # rounded as the KPI table's energy bills
    return (f"; of the {fmt(saving_keur)} k€/yr saved, {fmt(pv_keur)} ({100 * pv_keur / saving_keur:.0f} %) are the rooftop PV's "
            f"yield ({L.PV_RULE_SHORT}; see <a href='#energy'>the payback note</a>)")


def _any_outside(kpis: pd.DataFrame) -> bool:
    """Whether a central value of ``kpis`` lies outside its range (a note of :func:`band_notes`)."""
    if "delta_p_lo" not in kpis.columns:
        return False
    return any(n.startswith("central ") for r in kpis.itertuples() if not _diagnostic(r.kpi) for n in band_notes(r))


def _temperature_change_words(kpis: pd.DataFrame) -> str:
    """'; a change of a temperature is in K (kelvin): ...' when ``kpis`` has a temperature KPI that
    moved (:data:`twin.scenario.report_labels.TEMPERATURE_CHANGE_NOTE`), else ''."""
    from twin.scenario import report_labels as L

    moved = kpis[kpis["delta"].fillna(0) != 0]["kpi"].astype(str).unique() if "delta" in kpis else ()
    return "; " + L.TEMPERATURE_CHANGE_NOTE if any(L.is_temperature(k) for k in moved) else ""


def _summary_section(comparison, permits=None) -> str:
    """The summary's cards, one per what-if; ``permits``: the report's
    :func:`twin.scenario.report_permit.permit_facts` (computed here when not given)."""
    from twin.scenario.report_permit import card_lines, permit_facts

    permits = permit_facts(comparison) if permits is None else permits
    sc = comparison.scenario
    p = ["<section id='summary'><h2>Summary</h2>"]
    if sc.description:
        p.append(f"<p>{note_html(sc.description)}</p>")
    p.append("<div class='cards'>")
    for w in sc.whatifs:
        group = comparison.kpis[comparison.kpis["whatif"] == w.name]
        p.append(f"<div class='card'><h3>{html.escape(w.name)}</h3>")
        if w.description:
            p.append(f"<p class='note'>{note_html(w.description)}</p>")
        if w.name in permits.impacts:  # the new building and its neighbours, apart (the KPIs add them up)
            p.append("".join(f"<p>{line}</p>" for line in card_lines(comparison, w.name, permits)) + "<p class='note'>Details: "
                     "<a href='#permit'>Permit: the new building and its neighbours</a>.</p>")
        lines = _headlines(group)
        payback = _payback_line(comparison, w.name, group)
        if payback:
            lines.append(payback)
        if lines:
            p.append("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")
        else:
            p.append(f"<p>{_no_headline_words(comparison, w.name, group)}</p>")
        storm = _storm_basis(comparison, group) if lines else ""
        if storm:
            p.append(f"<p class='note storm-basis'>{storm}</p>")
        hour = _period_basis(lines)
        if hour:
            p.append(f"<p class='note period-basis'>{html.escape(hour)}</p>")
        if "traffic" in comparison.whatifs.get(w.name, {}):  # the street that gains most, which the district totals net away
            from twin.scenario.report_mobility import largest_increase

            street = largest_increase(comparison, w.name)
            if street:
                p.append(f"<p class='note street-gain'>{street}</p>")
        unrun = _unrun_domains(sc, w)
        if unrun:
            p.append(f"<p class='note'>This what-if acts on the {html.escape(' and '.join(sorted(unrun)))} engine{'s' if len(unrun) > 1 else ''}, not run in this scenario "
                     f"(add {' and '.join(sorted(unrun))} to <code>domains</code>).</p>")
        p.append("</div>")
    p.append("</div>")
    if comparison.samples is not None:
        lo, hi = sc.uncertainty.percentiles
        p.append(f"<p class='note'>Each line: the change on the central run (every unknown at one central value: its default or its prior's expected value), then the range of the change: "
                 f"{lo:g}th–{hi:g}th percentiles over the Monte Carlo samples of what is unknown (samples per engine: "
                 f"{html.escape(_sample_counts(comparison))}; see \"What this run assumed\" below). Changes of a share in % are in "
                 "percentage points (the baseline's and the what-if's shares beside them)"
                 + _temperature_change_words(comparison.kpis) + "." + (f" {html.escape(OUTSIDE_WHY, quote=False)}" if _any_outside(comparison.kpis) else "") + "</p>")
    p.append("</section>")
    return "".join(p)


def _period_basis(lines: list[str]) -> str:
    """What the card's traffic lines (``lines``, :func:`_headlines`) count over, for the periods
    they name: "Traffic: Morning peak: the hour 8–9 h (trips, vehicle-km and emissions over that
    hour, flows in vehicles per hour), not a day." ('' when no line names a period).

    The card read "Morning peak: car trips rerouted: +210 trips", "vehicle-km: +8 veh·km" with the
    hour said only in the Terms further down: read as a day's, the change is some ten times
    smaller than the day's.
    """
    from twin.scenario import report_labels as L

    periods = [p for p, name in L.PERIODS.items() if any(line.startswith(html.escape(f"{name}: ")) for line in lines)]
    hours = L.period_hours(periods) if periods else ""
    return f"Traffic: {hours}, not a day." if hours else ""


def _storm_basis(comparison, group: pd.DataFrame) -> str:
    """What the card's water volumes are of, when the soil engine ran a design storm and a soil
    KPI in m³ moved: "Water volumes (m³): those of one design storm, 30 mm in 1 h on the whole
    district, not of a year." ('' otherwise).

    The card read "Runoff to the sewer: −74 m³ (−0.3 %)" with the storm named only in the Terms
    further down: read as a year's runoff, de-sealing looks some fifty times smaller than it is.
    """
    from twin.scenario import report_labels as L

    storm = group[group["kpi"] == "storm_mm"]
    if storm.empty or not np.isfinite(float(storm["baseline"].iloc[0])):
        return ""
    moved = group[group["delta"].fillna(0.0) != 0]
    if not any(L.unit(k) == "m³" for k in moved["kpi"].astype(str)):
        return ""
    hours = getattr(getattr(comparison.scenario, "soil", None), "storm_hours", None)
    span = f" in {float(hours):g} h" if isinstance(hours, (int, float)) and np.isfinite(hours) else ""
    return (f"Water volumes (m³): those of one design storm, {float(storm['baseline'].iloc[0]):g} mm{span} on the whole district, "
            "not of a year.")


def _no_headline_words(comparison, whatif: str, group: pd.DataFrame) -> str:
    """What a what-if's card says when no KPI moved by 0.05 % or more: "No change in the energy
    KPIs.", or, when some moved less or objects changed (a permit's building shading 31
    neighbours: the card said "No change"), that the district's KPIs moved by less than 0.05 % and
    how many objects the maps show changed or added."""
    sc = comparison.scenario
    counts = []
    for domain in sc.domains:
        if domain not in comparison.whatifs.get(whatif, {}):
            continue
        geo, _ = map_data(comparison, whatif, domain)
        if geo is None:
            continue
        nouns = MAP_NOUNS.get(domain, ("object", "objects"))
        for state in ("changed", "added", "removed"):
            k = int((geo["state"] == state).sum())
            if k:
                counts.append(f"{k:,} {nouns[k != 1]} {state}")
    moved = bool(np.any(np.abs(group["delta"].to_numpy(dtype=float)) > 0)) if len(group) else False
    if not counts and not moved:
        return f"No change in the {html.escape(', '.join(sc.domains))} KPIs."
    words = f"The district's {html.escape(', '.join(sc.domains))} KPIs move by less than 0.05 %"
    return words + (f"; {html.escape(', '.join(counts))} (maps below)." if counts else ".")


def _glossary(scenario, kpis: pd.DataFrame) -> list[tuple[str, str]]:
    """The terms of the KPI tables a planner may not know, for the engines ``scenario`` runs and
    the KPIs they gave."""
    from twin.scenario import report_labels as L
    from twin.scenario.report_labels import period_hours

    domains = set(scenario.domains)
    ids = set(kpis["kpi"].astype(str)) if "kpi" in kpis.columns else set()
    terms = []
    if "energy" in domains:
        terms += [("Heating need", "the heat the buildings' rooms need over a year of the weather file, before the heating system's losses"),
                  ("Final energy", "what is delivered and billed (gas, oil, electricity, district heat) over a year for heating, hot "
                                   "water and the fans of heat-recovery ventilation; not the households' electricity for appliances, "
                                   "lighting and cooking, nor cooling"),
                  ("Energy bills", "the cost of that final energy at the factor table's prices, less what the rooftop PV yield saves "
                                   f"and earns ({L.PV_RULE_SHORT}); not the households' whole bill"),
                  ("CO₂ emissions of the buildings", "the emissions of that final energy, less the PV yield at the electricity's "
                                                     "emission factor"),
                  ("Primary energy", "final energy times the Brussels EPB factors (the energy drawn from nature to deliver it)"),
                  ("EPB class", "the class of the Brussels energy performance certificate (A++ to G) from the primary energy per m² of "
                                "heated floor; D or worse is the share of the district's floor area in classes D to G")]
    if "traffic" in domains:
        hours = period_hours(list(getattr(getattr(scenario, "traffic", None), "periods", ()) or ()) or None)
        if hours:
            terms.append(("Periods", hours))
        terms.append(("Volume / capacity", "the car flow of the busiest street link over what it can carry in an hour; above 1 it is "
                                           "congested"))
    if "soil" in domains and "storm_mm" in ids:
        terms.append(("Design storm", "one heavy rain on the whole district (its depth in mm); runoff, infiltration and storage are "
                                      "the water of that storm, in m³"))
    return terms


#: How the KPI tables round their numbers, as :func:`twin.scenario.report_labels.fmt_value` and
#: :func:`~twin.scenario.report_labels.fmt_delta` do (the page said "three significant digits"
#: beside a baseline of 171,748 and a change of −21,330).
ROUNDING_WORDS = ("Numbers are rounded to three significant digits, but whole from 100 up (171,748 MWh/yr) and for counts; "
                  "shares and temperatures to 0.1, ratios to 0.01; a change like its baseline, with at least two significant digits "
                  "(+0.56 kg beside 233 kg), “≈ 0” when it rounds away")


def _kpis_section(comparison) -> str:
    sc = comparison.scenario
    banded = "delta_p_lo" in comparison.kpis.columns
    p = ["<section id='kpis'><h2>Key performance indicators</h2>"]
    how = ["<b>Change</b> = what-if minus baseline on the central run (every unknown at one central value). " + ROUNDING_WORDS
           + "; change % is relative to the baseline; the change of a share in % is in percentage points (pts)"
           + _temperature_change_words(comparison.kpis) + ".",
           "<b>Colours</b>: green better, red worse; lower is better but for the PV yield, infiltration, soil storage and recharge, "
           "the 15-minute access and the walking, cycling and public transport shares; no colour for counts of what moved, such as "
           "rerouted trips.",
           "Indicators that did not move (by less than 0.05 %) are folded under each table; hover an indicator for its id in "
           "<code>kpis.csv</code>."]
    if banded:
        how += ["<b>Ranges</b> over the Monte Carlo samples are drawn as bars (hover for the numbers): for the baseline, a grey bar on "
                "an axis from zero, the black tick the central run; for the change, a bar around the dashed zero line, green when the "
                "whole range is better, red worse, grey for a count, amber when it holds zero (the sign is uncertain).",
                f"<b>Bands</b> (last column): a range is wide when the baseline's is wider than {100 * WIDE_BASELINE_SHARE:.0f} % of "
                "its median (given as ± half its width in % of the median, or as how far it reaches below and above the median "
                "when one side is longer), or the change's wider than the change itself or holding zero; it says when the central run falls "
                "outside its own range, with the samples' median."
                + (" " + html.escape(OUTSIDE_WHY, quote=False) if _any_outside(comparison.kpis) else "")]
    p.append("<ul class='note assumed-short'>" + "".join(f"<li>{h}</li>" for h in how) + "</ul>")
    terms = _glossary(sc, comparison.kpis)
    if terms:
        p.append("<p class='note'><b>Terms.</b> " + " ".join(f"<i>{html.escape(t)}</i>: {html.escape(d)}." for t, d in terms) + "</p>")
    for w in sc.whatifs:
        group = comparison.kpis[comparison.kpis["whatif"] == w.name]
        p.append(f"<h3>{html.escape(w.name)}</h3>")
        p.append(f"<div class='scroll'>{_kpi_table(group, banded, sc.uncertainty.percentiles)}</div>" if len(group) else "<p>No KPIs.</p>")
    p.append("</section>")
    return "".join(p)


def map_shows(col: str | None, domain: str, basis: str = "") -> str:
    """What a per-object map shows, with its unit and its objects: "change of the heating need per
    m² of heated floor of each building, kWh/m²·yr" (the caption named the column, q_heat_kwh_m2_delta, and left
    the unit to the colour bar); ``basis`` (:func:`map_basis`) follows the unit: "change of the
    runoff to the sewer of each grid cell, mm over the cell in the design storm (30 mm in 1 h)"."""
    what, unit_text = MAP_LABELS.get(col, (col or "", ""))
    noun = MAP_NOUNS.get(domain, ("object", "objects"))[0]
    return f"{what} of each {noun}" + (f", {unit_text}" if unit_text else "") + (f" {basis}" if basis else "")


def _mapped_elsewhere(deltas: pd.DataFrame) -> str | None:
    """The id of the section that maps the per-object change of a what-if in an engine when only
    a column of :data:`MAPPED_ELSEWHERE` of its ``deltas`` (``comparison.deltas``) changed, else None."""
    for col, sid in MAPPED_ELSEWHERE.items():
        if col in deltas.columns and deltas[col].abs().sum() > 0:
            return sid
    return None


def _maps_section(comparison) -> str:
    sc = comparison.scenario
    p = ["<section id='maps'><h2>Maps of per-object changes</h2>"]
    unchanged_maps, elsewhere = [], []
    if "traffic" in sc.domains:
        p.append("<p class='note'>The traffic engine's map (car flow change per street) is in the Mobility section.</p>")
    for w in sc.whatifs:
        for domain in sc.domains:
            if domain == "traffic":
                continue
            deltas = comparison.deltas(w.name, domain)  # once: the map and the note under it
            scale: dict = {}
            src, col, zoomed, labels = _map_figure(comparison, w.name, domain, deltas=deltas, scale=scale)
            if src:
                zoom = " Zoomed on the changed objects (60 m margin)." if zoomed else ""
                if labels:
                    zoom += " Changed: " + html.escape("; ".join(labels)) + "."
                shows = map_shows(col, domain, map_basis(comparison, col)[0])
                p.append(f"<figure><img alt='Map: {html.escape(w.name)}, {html.escape(shows)}' src='{src}' width='600'>"
                         f"<figcaption><b>{html.escape(w.name)}</b> — {html.escape(shows)}, what-if minus baseline on the central run "
                         f"(blue: lower, red: higher; grey: unchanged; {html.escape(map_clip_words(scale, MAP_LABELS.get(col, ('', ''))[1]))}; "
                         f"column <code>{html.escape(col or '')}</code> of <code>outputs/deltas_{html.escape(w.name)}_{domain}.parquet</code>); "
                         f"streets named, scale bar in metres.{zoom}</figcaption></figure>")
            elif sid := _mapped_elsewhere(deltas):
                elsewhere.append(f"<a href='#{sid}'>{html.escape(SECTION_TITLES.get(sid, sid))}</a> for {html.escape(w.name)} ({domain})")
            else:
                unchanged_maps.append(f"{w.name} ({domain})")
    if elsewhere:
        p.append(f"<p class='note'>Mapped in another section (nothing else of these engines changed per object): {'; '.join(elsewhere)}.</p>")
    if unchanged_maps:
        p.append(f"<p class='note'>No per-object change (no map): {html.escape(', '.join(unchanged_maps))}.</p>")
    p.append("</section>")
    return "".join(p)


def _same_series_words(comparison, domain: str, same: list[str]) -> str:
    """What a what-if drawn "same as the baseline" in the time series changes instead, in the
    domain's KPIs: the heat pumps leave the heating need and change the final energy by carrier
    (the caption said only "Same as the baseline"); '' when it changes no KPI of the domain."""
    k = getattr(comparison, "kpis", None)
    if not same or k is None or k.empty:
        return ""
    moved = k[(k["domain"] == domain) & k["whatif"].isin(same) & (k["delta"].fillna(0) != 0) & ~k["kpi"].map(_diagnostic)]
    if moved.empty:
        return ""
    names = list(dict.fromkeys(moved["whatif"]))
    what = ("the final energy by carrier (gas, heating oil, electricity...)" if moved["kpi"].astype(str).str.startswith("final_").any()
            else "other indicators")
    verb = "changes" if len(names) == 1 else "change"
    return (f" What {html.escape(', '.join(names))} {verb} instead is {what}: see the <a href='#kpis'>indicator tables</a>.")


def _timeseries_section(comparison) -> str:
    p = ["<section id='timeseries'><h2>Time series</h2>"]
    any_series = False
    central = "the central run (every unknown at one central value)"
    if comparison.samples is not None and comparison.scenario.uncertainty.samples:  # the bands are not drawn here
        central += ("; the ranges over the Monte Carlo samples are in the <a href='#kpis'>indicator tables</a>, "
                    "not in this figure")
    for domain in comparison.scenario.domains:
        src, same = _series_figure(comparison, domain)
        if src:
            any_series = True
            note = f" Same as the baseline: {html.escape(', '.join(same))}." if same else ""
            note += _same_series_words(comparison, domain, same)
            series = comparison.baseline[domain].series
            shows = "; ".join(series_labels(series)) + (", each month of the weather file's year" if _monthly(series) else "")
            p.append(f"<figure><img alt='{domain}: {html.escape(shows)}' src='{src}' width='720'><figcaption>{domain}: "
                     f"{html.escape(shows)}; baseline (solid) and what-ifs (dashed), {central}.{note}</figcaption></figure>")
    if not any_series:
        p.append("<p class='note'>The engines of this scenario returned no time series.</p>")
    p.append("</section>")
    return "".join(p)


#: The counts of a what-if's applied record (twin.scenario.modifications), in a planner's words:
#: "10 street links (...)", not "links 10"; a word a planner may not know carries its gloss.
CHANGED_COUNTS = {
    "buildings": "buildings",
    "already_renovated": "buildings already renovated (left as they were)",
    "links": "street links (a link: the stretch of a street between two junctions, one per direction of traffic)",
    "landcover": "land-cover polygons (areas of one ground cover: a car park, a lawn...)",
    "pois": "points of interest",
    "buildings_added": "buildings added",
    "buildings_removed": "buildings removed",
}

#: The same for a count of one ("1 land-cover polygons", "1 buildings added" read wrong).
CHANGED_ONE = {
    "buildings": "building",
    "already_renovated": "building already renovated (left as it was)",
    "links": "street link (a link: the stretch of a street between two junctions, one per direction of traffic)",
    "landcover": "land-cover polygon (an area of one ground cover: a car park, a lawn...)",
    "pois": "point of interest",
    "buildings_added": "building added",
    "buildings_removed": "building removed",
}


def demand_factor_words(factor: float) -> str:
    """A what-if's travel-demand factor as a planner reads it: "demand × 0.9 (-10 %)" (the change
    relative to the baseline's demand; the page writes the minus sign), not "demand factor 0.900".

    Parameters
    ----------
    factor
        The product of the what-if's ``scale_demand`` factors (1: the baseline's demand).
    """
    pct = 100.0 * (factor - 1.0)
    shown = f"{factor:.3f}".rstrip("0").rstrip(".")
    change = "unchanged" if abs(pct) < 0.05 else f"{pct:+.1f}".removesuffix(".0") + " %"
    return f"demand × {shown} ({change})"


def _changes_section(comparison) -> str:
    from twin.scenario.report_labels import fmt_value

    def value(v) -> str:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            return str(v)
        return f"{int(v):,}" if isinstance(v, (int, np.integer)) else fmt_value("value", v)

    def item(k: str, v) -> str:
        if k in CHANGED_COUNTS and isinstance(v, (int, np.integer)):
            return f"{int(v):,} {(CHANGED_ONE if int(v) == 1 else CHANGED_COUNTS)[k]}"
        if k.endswith("_m2"):
            return f"{k[:-3].replace('_', ' ')} {value(v)} m²"
        if k == "demand_factor" and isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(float(v)):
            return demand_factor_words(float(v))
        return f"{k.replace('_', ' ')} {value(v)}"

    def record(rec: dict) -> str:
        rest = ", ".join(item(str(k), v) for k, v in rec.items() if k != "op")
        return f"{str(rec.get('op', '')).replace('_', ' ')}: {rest}" if "op" in rec else rest

    p = ["<section id='changes'><h2>What each what-if changed</h2><ul>"]
    for name, records in comparison.applied.items():
        items = "; ".join(html.escape(record(rec)) for rec in records)
        p.append(f"<li><b>{html.escape(name)}</b>: {items}</li>")
    p.append("</ul></section>")
    return "".join(p)


def _gap_target(scenario) -> float | None:
    """The scenario's target relative gap of the car assignment (``traffic.gap``), None without one."""
    return getattr(getattr(scenario, "traffic", None), "gap", None)


def _provenance_section(comparison, *, now: str, run_id: str | None) -> str:
    import twin

    sc = comparison.scenario
    p = ["<section id='provenance'><h2>Provenance</h2><dl>"]
    facts = [
        ("twin", html.escape(twin.__version__)),
        ("Python", html.escape(platform.python_version())),
        ("generated", now),
        ("scenario", f"{html.escape(sc.name)} (hash <code>{sc.digest()}</code>)"),
    ]
    if run_id:
        facts.append(("run id", f"<code>{html.escape(run_id)}</code>"))
    facts += [
        ("seed", str(sc.uncertainty.seed)),
        ("samples", str(sc.uncertainty.samples if comparison.samples is not None else 0)),
        ("scene CRS", html.escape(sc.inputs.crs)),
        ("inputs", ", ".join(f"<code>{html.escape(f)}</code>" for f in sc.inputs.files)),
    ]
    if sc.inputs.weather:
        facts.append(("weather", f"<code>{html.escape(sc.inputs.weather)}</code>"))
    p.append("".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    for domain, res in comparison.baseline.items():
        for note in res.notes:
            p.append(f"<p class='note'>{domain}: {note_html(note, gap_target=_gap_target(sc))}</p>")
    p.append("<h3>Timings</h3><table><thead><tr><th class='l'>step</th><th>seconds</th></tr></thead><tbody>")
    for k, v in comparison.timings_s.items():
        p.append(f"<tr><td class='l' title='{html.escape(k, quote=True)}'>{html.escape(step_words(k))}</td><td>{v:.2f}</td></tr>")  # id in the title
    p.append("</tbody></table></section>")
    return "".join(p)


#: Sections written by other modules: id -> (module, function). Each function takes the
#: comparison (those of :data:`PERMIT_FACT_SECTIONS` also the report's permit facts) and returns
#: ``<section id='ID'>...</section>`` (with a note when it has nothing to show). To add one: write the module, add its entry here and its id to :data:`SECTIONS`.
SECTION_MODULES: dict[str, tuple[str, str]] = {
    "energy": ("twin.scenario.report_energy_classes", "energy_section"),
    "buildings": ("twin.scenario.report_drilldown", "drilldown_section"),
    "mobility": ("twin.scenario.report_mobility", "mobility_section"),
    "soil": ("twin.scenario.report_soil", "soil_section"),
    "soil-heat": ("twin.scenario.report_soil_heat", "soil_heat_report_section"),
    "calibration": ("twin.scenario.report_calibration", "calibration_section"),
    "solar": ("twin.scenario.report_solar", "solar_section"),
    "permit": ("twin.scenario.report_permit", "permit_section"),
}

#: Sections the page has only when the run calls for them (:func:`page_sections`), not in
#: :data:`SECTIONS`: ``permit``, the new building of a what-if that inserts buildings and its
#: neighbours (:mod:`twin.scenario.report_permit`).
OPTIONAL_SECTIONS = ("permit",)


#: The sections that take the report's permit facts (:func:`twin.scenario.report_permit.permit_facts`,
#: computed once per page by :func:`render_html`) after the comparison (``buildings``: their addresses).
PERMIT_FACT_SECTIONS = ("summary", "permit", "buildings")


def _section(sid: str, comparison, *, now: str, run_id: str | None, permits) -> str:
    builders = {"summary": _summary_section, "assumed": _assumed_section, "kpis": _kpis_section, "maps": _maps_section,
                "timeseries": _timeseries_section, "changes": _changes_section}
    if sid == "provenance":
        return _provenance_section(comparison, now=now, run_id=run_id)
    build = builders[sid] if sid in builders else getattr(import_module(SECTION_MODULES[sid][0]), SECTION_MODULES[sid][1])
    return build(comparison, permits) if sid in PERMIT_FACT_SECTIONS else build(comparison)


def page_sections(comparison, permits=None) -> tuple[str, ...]:
    """The sections of the page, in order: :data:`SECTIONS`, and after ``energy`` each of
    :data:`OPTIONAL_SECTIONS` whose what-ifs the run has (the permit section when a what-if inserts
    buildings). ``permits``: the report's :func:`twin.scenario.report_permit.permit_facts`
    (the permit what-ifs are looked up here when not given)."""
    from twin.scenario.report_permit import permit_whatifs

    extra = ("permit",) if (permits.impacts if permits is not None else permit_whatifs(comparison)) else ()
    at = SECTIONS.index("energy") + 1
    return SECTIONS[:at] + extra + SECTIONS[at:]


def render_html(comparison, *, title: str | None = None, run_id: str | None = None) -> str:
    """The report page as a string (sections: see the module docstring)."""
    sc = comparison.scenario
    title = title or f"twin: {sc.name}"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    p = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1'>"
         f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
    p.append(f"<h1>{html.escape(title)}</h1><p class='sub'>What-ifs against the baseline · engines: {html.escape(', '.join(sc.domains))} · {now}</p>")
    from twin.scenario.report_permit import permit_facts

    permits = permit_facts(comparison)  # once per page: the summary cards, the navigation, the permit section and the drill-down use it
    sections = page_sections(comparison, permits)
    p.append("<nav class='toc'>" + " · ".join(f"<a href='#{sid}'>{html.escape(SECTION_TITLES.get(sid, sid))}</a>" for sid in sections) + "</nav>")
    for sid in sections:
        p.append(_section(sid, comparison, now=now, run_id=run_id, permits=permits))
    p.append("</body></html>")
    return page_minus("".join(p))  # the negative numbers' minus sign (U+2212), in one place for the whole page


def write_report(comparison, path: str | os.PathLike[str], *, run_id: str | None = None) -> Path:
    """Write the HTML report atomically; returns its path."""
    path = Path(path)
    atomic_write_text(path, render_html(comparison, run_id=run_id))
    return path


#: How the terminal spells a temperature and its change (ASCII; the report's °C and
#: :data:`twin.scenario.report_labels.TEMPERATURE_CHANGE_UNIT`).
TERMINAL_TEMPERATURE_UNITS = ("degC", "K")

#: How the terminal spells the change of a share in percent: percentage points, as the report's "pts".
TERMINAL_SHARE_CHANGE_UNIT = "pts"


def terminal_summary(comparison) -> list[str]:
    """A few lines per what-if: the KPIs that changed, with their bands; a temperature (the
    hot-days KPIs) with its units, in degC, its change in K as in the report and the docs; a
    share's change in percentage points; no relative % of either, nor of the change of a store
    (:func:`twin.scenario.report_labels.has_relative_change`)."""
    from twin.scenario.report_labels import describe, has_relative_change, is_share

    lines = []
    for name, group in comparison.kpis.groupby("whatif", sort=False):
        moved = group[(group["delta"] != 0) & ~group["kpi"].map(_diagnostic)]
        if moved.empty:
            lines.append(f"{name}: no change in the {', '.join(sorted(set(group['domain'])))} KPIs")
            continue
        lines.append(f"{name}:")
        for r in moved.itertuples():
            temp = describe(r.kpi)[2] == "temp"
            value_u, change_u = (f" {u}" for u in TERMINAL_TEMPERATURE_UNITS) if temp else ("", "")
            share = is_share(r.kpi)
            if share:  # a share's change in percentage points, as in the report (not "-8.016 (-8.041 %)")
                change_u = f" {TERMINAL_SHARE_CHANGE_UNIT}"
            band = ""
            if "delta_p_lo" in group.columns and np.isfinite(getattr(r, "delta_p_lo", np.nan)):
                band = f"  [{_signed(r.delta_p_lo)}, {_signed(r.delta_p_hi)}]{change_u}"
                if "sign uncertain" in band_notes(r):
                    band += " (sign uncertain)"
            # no percentage of a temperature (a percentage of degrees Celsius means nothing)
            pct = np.nan if share or not has_relative_change(r.kpi) else _pct(r.delta, r.baseline)
            pct_s = f" ({_signed(pct)} %)" if np.isfinite(pct) else ""
            lines.append(f"  {r.domain:<8} {r.kpi:<32} {_fmt(r.baseline) + value_u:>12} -> {_fmt(r.whatif_value) + value_u:>12}  "
                         f"delta {_signed(r.delta)}{change_u}{pct_s}{band}")
    return lines


def assumed_lines(comparison) -> list[str]:
    """Lines for the terminal: the share of the floor area on defaults per attribute, where the
    heating systems came from (:func:`heating_system_line`, when the scene has the column), and
    what the Monte Carlo sampled."""
    lines = []
    scene = getattr(comparison, "baseline_scene", None)
    if scene is not None and len(getattr(scene, "buildings", ())):
        from twin.scene.provenance import floor_area_shares, reported_parameters

        try:  # the attributes of the report's box and the run record (floor area, storey height where recorded)
            shares = floor_area_shares(scene.buildings, reported_parameters(scene.buildings))
        except ValueError:
            shares = None
        if shares is not None:
            lines.append("floor area on defaults: " + ", ".join(f"{attr} {_share(r['default'])}" for attr, r in shares.iterrows()))
        system = heating_system_line(comparison)
        if system:  # the report box's 'Heating system' line, where the scene has the column
            lines.append(system)
    sc = comparison.scenario
    if comparison.samples is not None:
        stock = getattr(comparison, "stock_samples", None)
        what = (["stock priors"] if stock is not None else []) + [d.name for d in sc.uncertainty.parameters]
        from twin.scenario.checks import soil_hydraulics_sampled, soil_samples_itself, soil_texture_sampled

        if soil_samples_itself(sc):
            what.append("soil priors")
        if soil_texture_sampled(sc):
            what.append("soil texture")
        if soil_hydraulics_sampled(sc) and sc.soil.hydraulics_spread > 0:
            what.append("soil hydraulics")
        if _heat_sampled(comparison):
            what.append("surface priors")
        smp = comparison.samples
        if len(smp) and smp["kpi"].astype(str).str.startswith("block_").any() and "soil hydraulics" not in what:  # soil.block
            what.append("soil hydraulics")
        lo, hi = sc.uncertainty.percentiles
        lines.append(f"bands: p{lo:g}-p{hi:g} over {sc.uncertainty.samples} samples of {', '.join(what)} (seed {sc.uncertainty.seed})")
    else:
        lines.append("no bands: uncertainty.samples is 0 (every number rests on the central values)")
    return lines
