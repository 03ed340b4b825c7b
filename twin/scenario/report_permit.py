"""The report's permit section (``<section id='permit'>``): the new building and its neighbours.

Only for a run with a what-if that inserts buildings (``insert_building``; the report links it from
its top navigation then, and leaves it out otherwise). Per such what-if, from
:func:`twin.scenario.permit_impact.permit_impact`:

* the new building(s): id, floor area, heating need (MWh/yr and kWh/m²·yr), EPB class;
* the neighbours: how many existing buildings' heating need changed, the sum of their change (MWh/yr
  and % of their own baseline), how many changed EPB class (from → to), and a table of the most
  affected (:data:`TOP_NEIGHBOURS`, by the change per m²) with their distance to the new building.

:func:`card_lines` gives the same numbers in a few sentences for the what-if's summary card.
The numbers are the central run's (the per-building results carry no band).

The report computes the impacts and the addresses once (:func:`permit_facts`) and passes them to
the summary cards, the page's navigation, this section and the drill-down (its addresses).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from twin.scenario import report_labels as L
from twin.scenario.permit_impact import PermitImpact, added_ids, permit_impact

#: The neighbours the section's table lists, most affected first (by the change per m²).
TOP_NEIGHBOURS = 10

#: The KPI whose rounding the section's MWh/yr follow.
HEAT_KPI = "heating_need_mwh"


def permit_whatifs(comparison) -> list[str]:
    """The what-ifs that add buildings to the energy engine's results (an ``insert_building``)."""
    return [name for name in getattr(comparison, "whatifs", {}) if added_ids(comparison, name)]


@dataclass(frozen=True)
class PermitFacts:
    """What one report says of its permit what-ifs, computed once (:func:`permit_facts`).

    Attributes
    ----------
    impacts
        :class:`~twin.scenario.permit_impact.PermitImpact` per what-if that inserts buildings, in
        the what-ifs' order (empty when none does).
    addresses
        OpenStreetMap address per baseline building id where the source tags one; None when no
        what-if inserts a building (not read: nothing here names a neighbour then). The report's
        drill-down uses them too (:func:`twin.scenario.report_drilldown.drilldown_section`).
    """

    impacts: dict[str, PermitImpact]
    addresses: dict[str, str] | None


def permit_facts(comparison) -> PermitFacts:
    """The :class:`PermitFacts` of a run: each permit what-if's impact and, when there is one, the
    baseline's addresses."""
    impacts = {name: permit_impact(comparison, name) for name in permit_whatifs(comparison)}
    return PermitFacts(impacts=impacts, addresses=_addresses(comparison) if impacts else None)


def _mwh(kwh: float) -> str:
    return L.with_unit(L.fmt_value(HEAT_KPI, kwh / 1e3), "MWh/yr")


def _mwh_change(delta_kwh: float) -> str:
    """A signed change in MWh/yr rounded on itself (three significant digits, whole from 100), not
    like the district's baseline: the new building's 16.6, the neighbours' +1.11 and the district's
    +17.7 MWh/yr add up on the page ('+18' beside them did not)."""
    s = L.fmt_value(HEAT_KPI, delta_kwh / 1e3)
    return L.with_unit(s if s.startswith("-") or s in ("0", "–") else "+" + s, "MWh/yr")


def _per_m2(x: float, signed: bool = False) -> str:
    """kWh/m²·yr: one decimal, two significant digits below 0.1 ('–' when undefined)."""
    if not np.isfinite(x):
        return "–"
    sign = "+" if signed else ""
    return f"{x:{sign},.1f}" if abs(x) >= 0.1 or x == 0 else f"{x:{sign}.2g}"


def _pct(delta: float, baseline: float) -> str:
    """A change in % of its baseline: one decimal, two significant digits below 0.1 % (a shade of
    +0.042 % read "≈ 0 %"); '–' without a baseline."""
    if not (np.isfinite(delta) and np.isfinite(baseline)) or baseline == 0:
        return "–"
    p = 100.0 * delta / abs(baseline)
    return (f"{p:+,.1f}" if abs(p) >= 0.1 or p == 0 else f"{p:+.2g}") + " %"


def _class_moves(impact: PermitImpact) -> str:
    """'no neighbour changes EPB class' or '2 change EPB class: 1 from C to D, 1 from D to E'."""
    if not impact.neighbours["class_baseline"].astype(bool).any():  # the results carry no class
        return ""
    moves = impact.class_changes
    if moves.empty:
        return "no neighbour changes EPB class"
    n = int(moves.sum())
    parts = ", ".join(f"{int(k)} from {html.escape(a)} to {html.escape(b)}" for (a, b), k in moves.items())
    return f"{n:,} change{'s' if n == 1 else ''} EPB class: {parts}"


def _who(building_id: str, addresses) -> str:
    addr = addresses.get(building_id, "") if addresses is not None else ""
    return f"<code>{html.escape(building_id)}</code>" + (f" ({html.escape(str(addr))})" if addr else "")


def _addresses(comparison):
    """OpenStreetMap addresses of the baseline's buildings where the source tags one (the look-up's)."""
    scene = getattr(comparison, "baseline_scene", None)
    buildings = getattr(scene, "buildings", None)
    if buildings is None:
        return {}
    from twin.scenario.report_drilldown import osm_addresses

    return osm_addresses(buildings).to_dict()


def _new_words(impact: PermitImpact) -> str:
    new = impact.new
    area = float(new["floor_area_m2"].sum())
    heat = impact.new_heating_need_kwh_yr
    per_m2 = heat / area if area > 0 else float("nan")
    classes = [c for c in new["energy_class"] if c]
    if len(new) == 1:
        what = f"New building {_who(str(new['building_id'].iloc[0]), None)}"
        cls = f", EPB class {html.escape(classes[0])}" if classes else ""
    else:
        what = f"{len(new):,} new buildings"
        cls = f", EPB classes {html.escape(', '.join(classes))}" if classes else ""
    floor = f"{area:,.0f} m² of floor, " if np.isfinite(area) and area > 0 else ""
    return (f"{what}: {floor}heating need <b>{_mwh(heat)}</b>"
            + (f" ({_per_m2(per_m2)} kWh/m²·yr)" if np.isfinite(per_m2) else "") + f"{cls}.")


def _neighbour_words(impact: PermitImpact, addresses) -> str:
    nb = impact.neighbours
    if nb.empty:
        return "No existing building's heating need changes."
    n = len(nb)
    total = impact.neighbours_delta_kwh_yr
    base = impact.neighbours_baseline_kwh_yr
    pct = _pct(total, base)
    words = (f"Neighbours: the heating need of {n:,} existing building{'s' if n != 1 else ''} changes by "
             f"<b>{_mwh_change(total)}</b> in total"
             + (f" ({pct} of their own {_mwh(base)})" if pct != "–" else ""))
    top = nb.iloc[0]
    if np.isfinite(top["heating_need_delta_kwh_m2_yr"]):
        top_pct = _pct(top["heating_need_delta_kwh_yr"], top["heating_need_baseline_kwh_yr"])
        dist = f", {top['distance_m']:,.0f} m from the new building" if np.isfinite(top["distance_m"]) else ""
        words += (f"; the most {_per_m2(top['heating_need_delta_kwh_m2_yr'], signed=True)} kWh/m²·yr"
                  + (f" ({top_pct})" if top_pct != "–" else "") + f" at {_who(str(top['building_id']), addresses)}{dist}")
    moves = _class_moves(impact)
    return words + (f"; {moves}." if moves else ".")


def _removed_words(impact: PermitImpact) -> str:
    k = len(impact.removed)
    if not k:
        return ""
    return (f"It replaces {k:,} existing building{'s' if k != 1 else ''} "
            f"({_mwh(impact.removed_heating_need_kwh_yr)} of heating need in the baseline).")


def _district_words(comparison, whatif: str) -> str:
    """'Together, the district's heating need changes by +17.7 MWh/yr (+0.007 %).' from the KPI
    table ('' without the KPI)."""
    k = getattr(comparison, "kpis", None)
    if k is None or not len(k) or "kpi" not in k.columns:
        return ""
    row = k[(k["whatif"] == whatif) & (k["kpi"] == HEAT_KPI)]
    if row.empty:
        return ""
    delta, base = float(row["delta"].iloc[0]), float(row["baseline"].iloc[0])
    return (f"Together, the district's heating need changes by {_mwh_change(delta * 1e3)}"
            f" ({_pct(delta, base)}).")


def card_lines(comparison, whatif: str, facts: PermitFacts) -> list[str]:
    """The summary card's sentences on a what-if that inserts buildings (HTML): the new
    building(s), the neighbours' change, the buildings replaced, the district's change; [] for any
    other what-if."""
    impact = facts.impacts.get(whatif)
    if impact is None:
        return []
    lines = [_new_words(impact), _neighbour_words(impact, facts.addresses), _removed_words(impact),
             _district_words(comparison, whatif)]
    return [line for line in lines if line]


def _central_words(comparison) -> str:
    sampled = getattr(comparison, "samples", None) is not None and getattr(comparison.scenario.uncertainty, "samples", 0)
    why = ("the Monte Carlo samples give ranges to the district's indicators only (indicator tables)" if sampled
           else "this run drew no Monte Carlo samples")
    return (f"Central-run numbers (every unknown at one central value), no range: {why}. The distance is from footprint to "
            "footprint, in metres. The new building's heating need and the neighbours' change add up, less what a replaced "
            "building needed, to the change of the district's heating need in the indicator table.")


def _whatif_block(comparison, whatif: str, impact: PermitImpact, addresses) -> str:
    p = [f"<h3>{html.escape(whatif)}</h3>"]
    p.append("<div class='scroll'><table class='permit-new'><thead><tr><th class='l'>new building</th><th>floor area, m²</th>"
             "<th>heating need, MWh/yr</th><th>heating need, kWh/m²·yr</th><th class='l'>EPB class</th></tr></thead><tbody>")
    for r in impact.new.itertuples():
        area = f"{r.floor_area_m2:,.0f}" if np.isfinite(r.floor_area_m2) else "–"
        p.append(f"<tr><td class='l'><code>{html.escape(r.building_id)}</code></td><td>{area}</td>"
                 f"<td>{L.fmt_value(HEAT_KPI, r.heating_need_kwh_yr / 1e3)}</td><td>{_per_m2(r.heating_need_kwh_m2_yr)}</td>"
                 f"<td class='l'>{html.escape(r.energy_class) or '–'}</td></tr>")
    p.append("</tbody></table></div>")
    p.append(f"<p>{_neighbour_words(impact, addresses)}</p>")
    p += [f"<p>{words}</p>" for words in (_removed_words(impact), _district_words(comparison, whatif)) if words]
    nb = impact.neighbours
    if not nb.empty:
        shown = nb.head(TOP_NEIGHBOURS)
        p.append(f"<p class='note'>The {len(shown):,} most affected neighbour{'s' if len(shown) != 1 else ''}, by the change of the heating "
                 "need per m² of heated floor:</p>")
        p.append("<div class='scroll'><table class='permit-neighbours'><thead><tr><th class='l'>building</th><th>distance, m</th>"
                 "<th>heating need, kWh/m²·yr</th><th>change, kWh/m²·yr</th><th>change %</th><th>change, MWh/yr</th>"
                 "<th class='l'>EPB class</th></tr></thead><tbody>")
        for r in shown.itertuples():
            cls = (html.escape(r.class_baseline) if r.class_baseline == r.class_whatif
                   else f"<b>{html.escape(r.class_baseline)} → {html.escape(r.class_whatif)}</b>")
            dist = f"{r.distance_m:,.0f}" if np.isfinite(r.distance_m) else "–"
            change = _mwh_change(r.heating_need_delta_kwh_yr).removesuffix(" MWh/yr")
            p.append(f"<tr><td class='l'>{_who(r.building_id, addresses)}</td><td>{dist}</td><td>{_per_m2(r.heating_need_baseline_kwh_m2_yr)}</td>"
                     f"<td class='{L.change_class(HEAT_KPI, r.heating_need_delta_kwh_yr)}'>{_per_m2(r.heating_need_delta_kwh_m2_yr, signed=True)}</td>"
                     f"<td>{_pct(r.heating_need_delta_kwh_yr, r.heating_need_baseline_kwh_yr)}</td><td>{change}</td><td class='l'>{cls or '–'}</td></tr>")
        p.append("</tbody></table></div>")
        if len(nb) > len(shown):
            p.append(f"<p class='note'>{len(nb) - len(shown):,} more neighbour{'s' if len(nb) - len(shown) != 1 else ''} changed less; every "
                     f"building is in <code>outputs/deltas_{html.escape(whatif)}_energy.parquet</code> and in the look-up below.</p>")
    return "".join(p)


def permit_section(comparison, facts: PermitFacts | None = None) -> str:
    """The permit section (module docstring); a note when no what-if inserts a building.
    ``facts``: the report's :func:`permit_facts` (computed here when not given)."""
    facts = permit_facts(comparison) if facts is None else facts
    p = ["<section id='permit'><h2>Permit: the new building and its neighbours</h2>"]
    if not facts.impacts:
        return p[0] + "<p class='note'>No what-if of this run inserts a building (<code>insert_building</code>).</p></section>"
    p.append(f"<p class='note'>{_central_words(comparison)}</p>")
    p += [_whatif_block(comparison, w, impact, facts.addresses) for w, impact in facts.impacts.items()]
    p.append("</section>")
    return "".join(p)
