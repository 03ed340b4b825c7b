"""The report's mobility section (``<section id='mobility'>``): what the traffic engine found.

* per what-if that changes trips: rerouted, mode-shifted, redistributed and evaporated trips,
  evaporated through traffic, the flow on the closed streets (baseline and what-if) and the
  vehicle-km on residential streets and main roads, each with the band of its change;
* a map of the change of the morning-peak car flow on the streets around the change (closed
  streets dashed black; red more traffic, blue less) and the surrounding streets that gain or
  lose the most;
* with signals or give-way delay on (``traffic.signals``, ``traffic.give_way``), the junctions
  whose control delay the what-if changes most (:data:`JUNCTION_ROWS` of them; baseline, what-if
  and change in vehicle-hours per hour, from the per-link columns of
  :func:`twin.traffic.junction_delays.link_columns`); nothing when both are off;
* the mode shares per period (baseline and each what-if);
* the 15-minute access shares per category and mode (baseline and the what-ifs that change it).

Everything comes from the comparison: the KPI table (with its Monte Carlo bands) and the
per-link results of the traffic engine (``flow_<period>_veh_h``, ``car_open``).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from twin.scenario.report_labels import note_html

#: Change KPIs shown per what-if, with their labels (``<period>_<name>``).
CHANGE_ROWS = (
    ("rerouted_car_trips", "car trips rerouted (their baseline route used a closed street)"),
    ("mode_shifted_trips", "car trips shifted to walking, cycling or public transport (same origin and destination)"),
    ("redistributed_car_trips", "car trips going to another destination"),
    ("evaporated_trips", "person trips no longer made (evaporated)"),
    ("evaporated_through_vehicles", "through vehicles no longer crossing the district"),
    ("closed_link_flow_veh_h", "car flow on the closed streets, veh/h (sum over their links)"),
    ("vehicle_km_residential", "vehicle-km on residential streets"),
    ("vehicle_km_main", "vehicle-km on main roads"),
    ("co2_kg", "CO₂ from road traffic, kg"),
)
MODES = (("walk", "walk"), ("bike", "bike"), ("pt", "public transport"), ("car", "car"))
#: Margin around the closed streets (or the changed ones) of the change map, m.
MAP_MARGIN_M = 350.0
#: Junctions listed per what-if (those whose control delay changes most).
JUNCTION_ROWS = 8


def _f(x) -> str:
    from twin.scenario.report import _fmt

    return _fmt(x)


def _signed(x) -> str:
    from twin.scenario.report import _signed as signed

    return signed(x)


def _traffic_kpis(comparison) -> pd.DataFrame:
    k = comparison.kpis
    return k[k["domain"] == "traffic"]


def _changed_whatifs(comparison) -> list[str]:
    """What-ifs whose traffic KPIs move (a what-if that changes nothing the model reads is left out)."""
    k = _traffic_kpis(comparison)
    out = []
    for w in comparison.scenario.whatifs:
        g = k[k["whatif"] == w.name]
        if len(g) and (g["delta"].abs() > 0).any():
            out.append(w.name)
    return out


def _periods(comparison) -> list[str]:
    return list(comparison.scenario.traffic.periods)


def _row(g: pd.DataFrame, kpi: str):
    hit = g[g["kpi"] == kpi]
    return None if hit.empty else hit.iloc[0]


def _period(p: str) -> str:
    from twin.scenario.report_labels import PERIODS

    return PERIODS.get(p, p.replace("_", " "))


def _change_table(comparison, whatif: str) -> str:
    from twin.scenario import report_labels as L

    k = _traffic_kpis(comparison)
    g = k[k["whatif"] == whatif]
    periods = _periods(comparison)
    banded = "delta_p_lo" in g.columns
    percentiles = comparison.scenario.uncertainty.percentiles
    head = "<tr><th class='l'>what changes</th>" + "".join(
        f"<th>{html.escape(_period(p))}</th>" + ("<th>range of the change</th>" if banded else "") for p in periods) + "</tr>"
    rows = [f"<div class='scroll'><table><thead>{head}</thead><tbody>"]
    for name, label in CHANGE_ROWS:
        cells = []
        for p in periods:
            r = _row(g, f"{p}_{name}")
            if r is None:
                cells.append("<td>–</td>" + ("<td>–</td>" if banded else ""))
                continue
            kpi = f"{p}_{name}"
            if name == "closed_link_flow_veh_h":
                value = f"{L.fmt_value(kpi, r['baseline'])} &rarr; {L.fmt_value(kpi, r['whatif_value'], ref=r['baseline'])}"
            elif name in ("vehicle_km_residential", "vehicle_km_main", "co2_kg"):
                value = (f"{L.fmt_value(kpi, r['baseline'])} &rarr; {L.fmt_value(kpi, r['whatif_value'], ref=r['baseline'])} "
                         f"({L.fmt_delta(kpi, r['delta'], r['baseline'])})")
            else:  # a count of trips in whole trips, "≈ 0" under one half, as its range beside it
                count = L.describe(kpi)[2] == "count"
                value = L.fmt_delta(kpi, r["whatif_value"], np.nan if count else r["whatif_value"]).lstrip("+")
            band = (f"<td>{L.delta_bar(kpi, r['delta'], r.get('delta_p_lo', np.nan), r.get('delta_p_hi', np.nan), r['baseline'], percentiles)}</td>"
                    if banded else "")
            cells.append(f"<td>{value}</td>{band}")
        rows.append(f"<tr><td class='l' style='white-space:normal;min-width:14rem'>{html.escape(label)}</td>{''.join(cells)}</tr>")
    rows.append("</tbody></table></div>")
    return "".join(rows)


def _elasticity_text(traffic) -> str:
    """The evaporation elasticity as the run used it: the scenario's ``traffic.evaporation_elasticity``
    (fixed), the parameter table the scenario names, or the packaged table's value and band."""
    fixed = getattr(traffic, "evaporation_elasticity", None)
    if fixed is not None:
        return f"e = {float(fixed):g} (<code>traffic.evaporation_elasticity</code>)"
    table = getattr(traffic, "parameters_table", None)
    if table:
        return f"e: <code>evaporation_elasticity</code> of <code>{html.escape(str(table))}</code>"
    from twin.traffic.demand import read_parameters

    e = read_parameters()["evaporation_elasticity"]
    return (f"e = {e.value:g}, an assumption, not an estimate (band {e.low:g}–{e.high:g}, "
            "<code>twin/data/mobility_parameters.csv</code>)")


def demand_response_note(comparison) -> str:
    """What the mode-shifted and evaporated trips rest on, in one note (docs/traffic.md, steps 6
    and 8): the mode choice reads each trip's travel time and cost and nothing else of a street,
    and trip making scales with the change of the destination logsum.

    Closing the Parvis gave "car trips shifted to walking, cycling or public transport ≈ 0" and
    "person trips no longer made ≈ 0" beside 210 rerouted car trips: a planner could read that
    a low-traffic street removes no traffic, while it is what this demand response gives.
    """
    return ("<p class='note' id='demand-response'><b>What the mode-shifted and evaporated trips rest on:</b> a trip changes mode only "
            "when the what-if changes its travel time or cost by some mode (the mode choice reads time and cost, nothing else of a "
            "street), and the trips made from a zone scale by exp(e × the change of its destination logsum, the access it has to "
            "all destinations by all modes), " + _elasticity_text(getattr(comparison.scenario, "traffic", None)) + "; through "
            "traffic by its change of car time likewise. A closure that lengthens few car trips, by little, moves few trips "
            "this way. What else a street closed to cars changes (a calmer street to walk or cycle in, less room to park) is "
            "not in the model, though closures have been observed to remove part of the traffic (Cairns, Atkins &amp; Goodwin "
            "2002, Disappearing traffic? The story so far, Municipal Engineer 151).</p>")


def link_change(comparison, whatif: str, period: str = "am_peak") -> pd.DataFrame | None:
    """Per link: baseline and what-if flow of ``period``, their change and whether the what-if
    closed it to cars (GeoDataFrame), or None without the traffic engine's link results."""
    import geopandas as gpd

    base = comparison.baseline.get("traffic")
    new = comparison.whatifs.get(whatif, {}).get("traffic")
    col = f"flow_{period}_veh_h"
    if base is None or new is None or col not in base.objects.columns or col not in new.objects.columns:
        return None
    b = base.objects
    w = new.objects.set_index("link_id")
    frame = gpd.GeoDataFrame(b[["link_id", "name", "street_type", "geometry"]].copy(), geometry="geometry", crs=getattr(b, "crs", None))
    frame["baseline_veh_h"] = b[col].to_numpy(dtype=float)
    frame["whatif_veh_h"] = w[col].reindex(b["link_id"]).fillna(0.0).to_numpy(dtype=float)
    frame["change_veh_h"] = frame["whatif_veh_h"] - frame["baseline_veh_h"]
    open_b = b["car_open"].to_numpy(dtype=float) if "car_open" in b.columns else np.ones(len(b))
    open_w = w["car_open"].reindex(b["link_id"]).fillna(1.0).to_numpy(dtype=float) if "car_open" in w.columns else open_b
    frame["closed"] = (open_b > 0) & (open_w == 0)
    return frame


def _flow_scale(frame: pd.DataFrame) -> tuple[np.ndarray, float]:
    """The links of a streets-kept-open change the flow map colours (a change over 1 % of the
    largest) and the colour limit, veh/h: the 98th percentile of their absolute change (1 when none)."""
    ch = frame["change_veh_h"].to_numpy(dtype=float)
    kept = ~frame["closed"].to_numpy()
    scale = float(np.nanmax(np.abs(ch[kept]))) if kept.any() and np.isfinite(ch[kept]).any() else 0.0
    moved = kept & (np.abs(ch) > max(0.01 * scale, 1e-6))
    lim = float(np.percentile(np.abs(ch[moved]), 98)) if moved.any() else 1.0
    return moved, (lim if lim > 0 else 1.0)


def flow_clip_words(frame: pd.DataFrame) -> str:
    """What the flow map's colour scale leaves out, when a change on a street kept open exceeds its
    limit: " Colour scale clipped at ±14 veh/h (...): the largest change, +177 veh/h, is drawn as
    +14 ..." ('' otherwise).

    The default run's Parvis closure drew Rue Vanderschrick's +177 veh/h in the colour of +14 veh/h,
    the colour bar's end, with no word in the caption that the scale was clipped.
    """
    moved, lim = _flow_scale(frame)
    if not moved.any():
        return ""
    ch = frame["change_veh_h"].to_numpy(dtype=float)[moved]
    largest = float(ch[np.argmax(np.abs(ch))])
    if abs(largest) <= lim * (1 + 1e-9):
        return ""
    f = (lambda x: f"{x:,.0f}") if lim >= 10 else (lambda x: f"{x:,.1f}")
    if f(abs(largest)) == f(lim):  # beyond the limit by less than the rounding: nothing to say
        return ""
    sign = "+" if largest > 0 else "−"
    return (f" Colour scale clipped at ±{f(lim)} veh/h (the 98th percentile of the changes on the streets kept open): the largest, "
            f"{sign}{f(abs(largest))} veh/h, is drawn in the colour of {sign}{f(lim)}; the table below gives each street's largest change.")


def _map(frame: pd.DataFrame, whatif: str, period: str) -> tuple[str | None, bool]:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from twin.scenario.report import _png

    ch = frame["change_veh_h"].to_numpy(dtype=float)
    moved, lim = _flow_scale(frame)
    closed = frame["closed"].to_numpy()
    if not moved.any() and not closed.any():
        return None, False
    fig = Figure(figsize=(6.6, 6.2))
    ax = fig.subplots()
    norm = Normalize(-lim, lim)
    cmap = colormaps["RdBu_r"]
    frame.plot(ax=ax, color="#c4ccd4", linewidth=0.7)
    if moved.any():
        order = np.argsort(np.abs(ch[moved]))  # largest changes drawn on top
        sub = frame[moved].iloc[order]
        sub.plot(ax=ax, color=cmap(norm(np.clip(sub["change_veh_h"].to_numpy(dtype=float), -lim, lim))), linewidth=2.6)
    handles = []
    if closed.any():
        frame[closed].plot(ax=ax, color="#111", linewidth=2.6, linestyle="--")
        handles.append(Line2D([0], [0], color="#111", linewidth=2.2, linestyle="--", label="closed to cars"))
    focus = frame[closed] if closed.any() else frame[moved]
    x0, y0, x1, y1 = focus.total_bounds
    fx0, fy0, fx1, fy1 = frame.total_bounds
    box = (max(x0 - MAP_MARGIN_M, fx0), max(y0 - MAP_MARGIN_M, fy0), min(x1 + MAP_MARGIN_M, fx1), min(y1 + MAP_MARGIN_M, fy1))
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    zoomed = (box[2] - box[0]) * (box[3] - box[1]) < 0.9 * (fx1 - fx0) * (fy1 - fy0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#d0d7de")
    from twin.scene.names import first_half
    from twin.viz.maps import add_scale_bar, add_street_names

    add_street_names(ax, frame, draw=False, max_labels=10)
    if closed.any():  # the closed streets by name, in a box beside them
        for name, grp in frame[closed].groupby(frame.loc[closed, "name"].fillna("").astype(str)):
            c = grp.geometry.union_all().centroid
            ax.annotate(f"closed: {first_half(name) or '(unnamed)'}", (c.x, c.y), xytext=(12, -18), textcoords="offset points", fontsize=7.5,
                        fontweight="bold", zorder=8, bbox={"boxstyle": "round,pad=0.25", "facecolor": "#fff8c5", "edgecolor": "#9a6700"},
                        arrowprops={"arrowstyle": "-", "color": "#9a6700", "linewidth": 0.8})
    add_scale_bar(ax)
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, extend="both", label=f"car flow change, {_period(period).lower()}, veh/h")
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_title(f"{whatif}: car flow, what-if minus baseline", fontsize=10)
    return _png(fig), zoomed


def street_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per street kept open (its name, '(unnamed)' without one): the one link whose car flow
    changes most, with that link's ``street_type``, ``baseline_veh_h``, ``whatif_veh_h`` and
    ``change_veh_h``; streets whose largest change is under 0.5 veh/h are left out.

    The baseline is that link's own: the table gave the street's busiest link's baseline beside
    another link's change (Rue Vanderschrick "178, +177" for a link that went from 0 to 177 veh/h
    while its busiest link lost 7).
    """
    kept = frame[~frame["closed"]].copy()
    kept["name"] = kept["name"].fillna("").astype(str).replace("", "(unnamed)")
    kept["change_veh_h"] = kept["change_veh_h"].fillna(0.0)
    cols = ["street_type", "baseline_veh_h", "whatif_veh_h", "change_veh_h"]
    if kept.empty:
        return pd.DataFrame(columns=cols)
    at = kept["change_veh_h"].abs().groupby(kept["name"]).idxmax()
    by = kept.loc[at.to_numpy()].set_index("name")[cols]
    return by[by["change_veh_h"].abs() > 0.5]


def _street_table(frame: pd.DataFrame, n: int = 5) -> str:
    """The ``n`` streets that gain most and the ``n`` that lose most (:func:`street_changes`), each
    by the link of its largest change: that link's baseline, what-if and change."""
    by = street_changes(frame)
    if by.empty:
        return ""
    up = by.sort_values("change_veh_h", ascending=False).head(n)
    down = by.sort_values("change_veh_h").head(n)
    down = down[down["change_veh_h"] < 0]
    rows = ["<table><thead><tr><th class='l'>street (its link of the largest change)</th><th class='l'>type</th>"
            "<th>baseline on that link, veh/h</th><th>what-if, veh/h</th><th>change, veh/h</th></tr></thead><tbody>"]
    for name, r in pd.concat([up[up["change_veh_h"] > 0], down]).iterrows():
        cls = "pos" if r["change_veh_h"] > 0 else "neg"
        rows.append(f"<tr><td class='l'>{html.escape(str(name))}</td><td class='l'>{html.escape(str(r['street_type']))}</td>"
                    f"<td>{r['baseline_veh_h']:,.0f}</td><td>{r['whatif_veh_h']:,.0f}</td><td class='{cls}'>{r['change_veh_h']:+,.0f}</td></tr>")
    rows.append("</tbody></table><p class='note'>Each street by its one link (the stretch between two junctions, one direction of "
                "traffic) whose car flow changes most; its other links change less, and may change the other way.</p>")
    return "".join(rows)


def largest_increase(comparison, whatif: str) -> str:
    """The summary card's line on the street kept open that gains the most car flow in the first
    period (:func:`street_changes`): its name and type, that link's baseline and what-if flow,
    '' when no street gains 0.5 veh/h or more or the traffic engine gave no link results.

    The card's district totals net it away: closing the Parvis gave "vehicle-km on residential
    streets: -2 veh·km (sign uncertain)" while one link of Rue Vanderschrick went from 0 to
    177 veh/h at the morning peak.
    """
    if "traffic" not in getattr(comparison.scenario, "domains", ()):
        return ""
    period = _periods(comparison)[0]
    frame = link_change(comparison, whatif, period)
    if frame is None:
        return ""
    by = street_changes(frame)
    by = by[by["change_veh_h"] > 0]
    if by.empty:
        return ""
    name, r = next(by.sort_values("change_veh_h", ascending=False).iterrows())
    return (f"Largest added car flow on a street kept open: <b>{html.escape(str(name))}</b> ({html.escape(str(r['street_type']))}), "
            f"{r['baseline_veh_h']:,.0f} → {r['whatif_veh_h']:,.0f} veh/h on one of its links, {html.escape(_period(period).lower())}, central run; "
            "the district totals above net such gains against the streets that lose traffic (the streets that gain and lose most: "
            "<a href='#mobility'>Mobility</a>).")


def junction_change(comparison, whatif: str, period: str = "am_peak") -> pd.DataFrame | None:
    """Per junction with a stop or give-way line: control, the streets entering it, the baseline's
    and the what-if's control delay of ``period`` (veh-h per hour) and the change, largest change
    first; None without the traffic engine's junction columns (signals and give-way off)."""
    from twin.traffic.junction_delays import junction_change as change
    from twin.traffic.junction_delays import junctions_from_links

    base = comparison.baseline.get("traffic")
    new = comparison.whatifs.get(whatif, {}).get("traffic")
    if base is None or new is None or f"control_delay_{period}_veh_h" not in base.objects.columns:
        return None
    b, w = junctions_from_links(base.objects, period), junctions_from_links(new.objects, period)
    out = change(b, w)
    streets = dict(zip(pd.concat([w, b])["node_id"], pd.concat([w, b])["streets"], strict=True))
    out["streets"] = out["node_id"].map(streets).fillna("")
    return out


def _junction_table(frame: pd.DataFrame, period: str, n: int = JUNCTION_ROWS) -> str:
    moved = frame[frame["delay_veh_h_change"].abs() >= 0.005].head(n)
    total_b, total_w = float(frame["delay_veh_h_base"].sum()), float(frame["delay_veh_h_whatif"].sum())
    note = (f"<p class='note'>Control delay at the junctions with a stop line (signals) or a give-way line, {html.escape(_period(period).lower())}: "
            f"{len(frame)} junctions, {total_b:,.1f} &rarr; {total_w:,.1f} vehicle-hours per hour in all (flow x HCM delay of each line). "
            + (f"The {len(moved)} whose delay changes most:" if len(moved) else "No junction's delay changes by 0.005 vehicle-hours or more.") + "</p>")
    if moved.empty:
        return note
    rows = [note, "<table><thead><tr><th class='l'>junction (streets entering it)</th><th class='l'>control</th><th>baseline, veh-h</th>"
            "<th>what-if, veh-h</th><th>change, veh-h</th></tr></thead><tbody>"]
    for r in moved.itertuples():
        label = f"{r.streets} ({r.node_id})" if r.streets else str(r.node_id)
        control = str(r.control).replace("give_way:", "give way: ").replace("right", "priority to the right").replace("major", "minor arms yield")
        control += {"removed": " (no line left in the what-if)", "new": " (new in the what-if)"}.get(r.status, "")
        cls = "pos" if r.delay_veh_h_change > 0 else "neg"
        rows.append(f"<tr><td class='l' style='white-space:normal'>{html.escape(label)}</td><td class='l'>{html.escape(control)}</td>"
                    f"<td>{r.delay_veh_h_base:,.2f}</td><td>{r.delay_veh_h_whatif:,.2f}</td><td class='{cls}'>{r.delay_veh_h_change:+,.2f}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _shares_table(comparison, whatifs: list[str]) -> str:
    from twin.scenario import report_labels as L

    k = _traffic_kpis(comparison)
    periods = _periods(comparison)
    if k.empty:
        return ""
    any_row = k[k["whatif"] == k["whatif"].iloc[0]]
    banded = "baseline_p_lo" in k.columns
    head = "<tr><th class='l'>period</th><th class='l'>mode</th><th>baseline, %</th>" + ("<th>baseline range</th>" if banded else "")
    head += "".join(f"<th>{html.escape(w)}, %</th>" for w in whatifs) + "</tr>"
    rows = [f"<table><thead>{head}</thead><tbody>"]
    for p in periods:
        for m, label in MODES:
            r = _row(any_row, f"{p}_{m}_share_pct")
            if r is None:
                continue
            kpi = f"{p}_{m}_share_pct"
            cells = f"<td>{L.fmt_value(kpi, r['baseline'])}</td>"
            if banded:
                bar = L.band_bar(kpi, r["baseline"], r.get("baseline_p_lo", np.nan), r.get("baseline_p_hi", np.nan),
                                 comparison.scenario.uncertainty.percentiles)
                cells += f"<td>{bar}</td>"
            for w in whatifs:
                rw = _row(k[k["whatif"] == w], kpi)
                cells += f"<td>{L.fmt_value(kpi, rw['whatif_value']) if rw is not None else '–'}</td>"
            rows.append(f"<tr><td class='l'>{html.escape(_period(p))}</td><td class='l'>{html.escape(label)}</td>{cells}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def _access_table(comparison) -> str:
    k = _traffic_kpis(comparison)
    acc = k[k["kpi"].str.startswith("access_")]
    if acc.empty:
        return ""
    first = acc[acc["whatif"] == acc["whatif"].iloc[0]]
    parsed = first["kpi"].str.extract(r"^access_(?P<minutes>[0-9.]+)min_(?P<mode>[a-z]+)_(?P<category>[a-z_]+)_pct$")
    minutes = parsed["minutes"].dropna().iloc[0] if parsed["minutes"].notna().any() else "?"
    modes = list(dict.fromkeys(parsed["mode"].dropna()))
    cats = list(dict.fromkeys(parsed["category"].dropna()))
    moved = [w for w in dict.fromkeys(acc["whatif"]) if (acc[acc["whatif"] == w]["delta"].abs() > 0).any()]
    from twin.scenario.report_labels import ACCESS_CATEGORIES, ACCESS_MODES

    head = "<tr><th class='l'>residents within reach of</th>" + "".join(f"<th>{html.escape(ACCESS_MODES.get(m, m))}, %</th>" for m in modes)
    head += "".join(f"<th>{html.escape(w)}: {html.escape(ACCESS_MODES.get(m, m))}, change in points</th>" for w in moved for m in modes) + "</tr>"
    rows = [f"<p class='note'>Share of the residents whose building reaches a service of each category within {html.escape(str(minutes))} "
            "minutes (walk and bike on the street network; public transport: walk, wait, ride, walk). "
            + ("What-ifs that change it: the change in points." if moved else "No what-if changes it.") + "</p>",
            f"<table><thead>{head}</thead><tbody>"]
    for c in cats:
        cells = ""
        for m in modes:
            r = _row(first, f"access_{minutes}min_{m}_{c}_pct")
            cells += "<td>–</td>" if r is None else f"<td>{float(r['baseline']):.1f}</td>"
        for w in moved:
            g = acc[acc["whatif"] == w]
            for m in modes:
                r = _row(g, f"access_{minutes}min_{m}_{c}_pct")
                d = np.nan if r is None else r["delta"]
                cls = "neg" if d > 0 else ("pos" if d < 0 else "")
                text = f"{d:+.1f}" if np.isfinite(d) and abs(d) >= 0.05 else ("≈ 0" if np.isfinite(d) and d != 0 else "0")
                cells += f"<td class='{cls}'>{text}</td>"
        rows.append(f"<tr><td class='l'>{html.escape(ACCESS_CATEGORIES.get(c, c))}</td>{cells}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def flow_map_shows(period: str) -> str:
    """What the car-flow map shows, with its unit and sign: "change of the morning peak car flow per
    street link, veh/h, what-if minus baseline on the central run" (the caption gave no unit, the
    colour bar's only, and no word of which way the change is counted)."""
    return f"change of the {_period(period).lower()} car flow per street link, veh/h, what-if minus baseline on the central run"


def mobility_section(comparison) -> str:
    """The report's mobility section (the module docstring)."""
    sc = comparison.scenario
    p = ["<section id='mobility'><h2>Mobility</h2>"]
    if "traffic" not in sc.domains or "traffic" not in comparison.baseline:
        p.append("<p class='note'>The traffic engine was not run in this scenario (add <code>traffic</code> to <code>domains</code>).</p></section>")
        return "".join(p)
    from twin.scenario.report import models_public_transport, public_transport
    from twin.scenario.report_labels import period_hours

    pt = public_transport(sc) if models_public_transport(sc) else "public transport: not modelled"
    p.append("<p class='note'>District mobility model (<code>docs/traffic.md</code>): trips from the buildings and points of interest, "
             "destination and mode choice on the travel times by walk, bike, public transport and car, car "
             "assignment with the through traffic at the district's edges; " + note_html(pt) + ". " + html.escape(period_hours(_periods(comparison))) + ". "
             "A what-if keeps the baseline's calibration; the trips it "
             "moves are split into rerouted, mode-shifted, redistributed and evaporated trips. Bands: the change's range over the "
             "Monte Carlo samples.</p>")

    if not models_public_transport(sc):
        text = public_transport(sc)
        p.append(f"<p class='note'><b>{html.escape(text[0].upper() + text[1:])}.</b></p>")
    changed = _changed_whatifs(comparison)
    for w in changed:
        p.append(f"<h3>{html.escape(w)}</h3>")
        p.append(_change_table(comparison, w))
        if w == changed[0]:  # once: it holds for every what-if
            p.append(demand_response_note(comparison))
        frame = link_change(comparison, w, _periods(comparison)[0])
        if frame is not None:
            src, zoomed = _map(frame, w, _periods(comparison)[0])
            if src:
                zoom = f" Zoomed on the closed streets with {MAP_MARGIN_M:.0f} m around them." if zoomed and frame["closed"].any() else ""
                closed_names = sorted(set(frame.loc[frame["closed"], "name"].fillna("").astype(str)) - {""})
                named = f" Closed: {html.escape('; '.join(closed_names))}." if closed_names else ""
                p.append(f"<figure><img alt='{html.escape(w)} car flow change' src='{src}' width='620'><figcaption><b>{html.escape(w)}</b>: "
                         f"{html.escape(flow_map_shows(_periods(comparison)[0]))} (red: more traffic, blue: less; "
                         f"dashed black: closed to cars, carrying 0 veh/h in the what-if; streets named; scale bar in metres).{named}{zoom}"
                         f"{html.escape(flow_clip_words(frame))}</figcaption></figure>")
            p.append(_street_table(frame))
        junctions = junction_change(comparison, w, _periods(comparison)[0])
        if junctions is not None:
            p.append(_junction_table(junctions, _periods(comparison)[0]))
    unchanged = [w.name for w in sc.whatifs if w.name not in changed]
    if unchanged:
        p.append(f"<p class='note'>No change in trips, traffic or access: {html.escape(', '.join(unchanged))}.</p>")
    p.append("<h3>Mode shares</h3>" + _shares_table(comparison, changed))
    p.append("<h3>15-minute access</h3>" + _access_table(comparison))
    notes = [n for n in comparison.baseline["traffic"].notes if n.startswith("unserved")]
    if notes:
        p.append("<p class='note'>Unserved trips (no path by any mode): " + note_html("; ".join(notes[:5])) + "</p>")
    p.append("</section>")
    return "".join(p)
