"""The report's solar section (``<section id='solar'>``): rooftop PV from the solar cadastre.

* a PV potential map of the district's roofs: the annual irradiation of every roof in the
  kWh/m2/year classes of a published solar cadastre (:data:`IRRADIATION_CLASSES`), the
  buildings a PV what-if equips outlined;
* the roofs per suitability class (the Brussels solar map's excellent / good / weak potential,
  plus unsuitable) and the total peak power (kWp) and AC yield (MWh/yr) of the suitable roofs
  (excellent and good: the cadastre's ``meta['totals']``);
* per PV what-if: the buildings selected, equipped and without a suitable roof, its peak power
  and yield (from the cadastre: the same figures the energy accounts credit), the part of the
  yield credited beyond the electricity the accounts count in each building (:func:`uncounted_pv_kwh`),
  and its effect on the energy KPIs with the bands of the change.

Everything comes from the comparison: the energy engine's what-if results carry the cadastre
and the equipped buildings (``EngineResult.solar``, :class:`twin.scenario.engines.energy.SolarPV`);
the KPI table gives the effects.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from twin.scenario import report_labels as L

#: Irradiation classes of the map, kWh/m2/year (lower bound, label, colour): the five classes of
#: the Swiss solar cadastre sonnendach.ch (Swiss Federal Office of Energy, 2016: low < 800,
#: medium 800-1000, good 1000-1200, very good 1200-1400, excellent >= 1400).
IRRADIATION_CLASSES = (
    (0.0, "low, under 800", "#4a78b8"),
    (800.0, "medium, 800 to 1,000", "#f3d250"),
    (1000.0, "good, 1,000 to 1,200", "#f39a2b"),
    (1200.0, "very good, 1,200 to 1,400", "#dc4a2c"),
    (1400.0, "excellent, 1,400 or more", "#9e1b2f"),
)
#: Suitability classes of the cadastre (the Brussels solar map's colours), best first.
SUITABILITY_ROWS = (("excellent", "#2e9d45"), ("good", "#f0c419"), ("weak", "#3b73c4"), ("unsuitable", "#9aa3ad"))
#: Energy KPIs shown per PV what-if, with a detail shown after the unit ('' none).
KPI_DETAILS = (
    ("primary_energy_mwh", ""),
    ("co2_t", ""),
    ("energy_cost_keur_yr", f" (PV: {L.PV_SELF_PCT} % at the electricity price; the rest at {L.PV_INJECTION_EUR_KWH:g} €/kWh)"),
    ("investment_keur", ""),
    ("floor_area_class_d_or_worse_pct", ""),
)
#: (KPI, the row's text): the KPI table's label and unit (:mod:`twin.scenario.report_labels`, one
#: copy; lower case inside the section, as its other tables), then the detail: "energy bills,
#: k€/yr (PV: 35 % at the electricity price; the rest at 0.05 €/kWh)".
KPI_ROWS = tuple((kpi, f"{L.lower_first(L.label(kpi))}, {L.unit(kpi)}{detail}") for kpi, detail in KPI_DETAILS)


def _f(x) -> str:
    """A number rounded to three significant digits (:func:`twin.scenario.report_labels.fmt_value`)."""
    from twin.scenario.report_labels import fmt_value

    return fmt_value("value", x)


def _signed(x) -> str:
    from twin.scenario.report_labels import fmt_delta

    return fmt_delta("value", x, x)


def pv_whatifs(comparison) -> dict[str, object]:
    """What-if name -> its :class:`~twin.scenario.engines.energy.SolarPV` (what-ifs with a ``pv`` measure)."""
    out = {}
    for name, per_domain in comparison.whatifs.items():
        res = per_domain.get("energy")
        solar = getattr(res, "solar", None) if res is not None else None
        if solar is not None:
            out[name] = solar
    return out


def irradiation_class(values: np.ndarray) -> np.ndarray:
    """Index of the :data:`IRRADIATION_CLASSES` class of each annual irradiation (kWh/m2/year)."""
    bounds = np.array([c[0] for c in IRRADIATION_CLASSES[1:]])
    return np.searchsorted(bounds, np.asarray(values, dtype=float), side="right")


def drawn_classes(cad) -> list[tuple[str, str, int]]:
    """The irradiation classes the map draws: (label, colour, roofs) of every class of
    :data:`IRRADIATION_CLASSES` that holds at least one roof, lowest first (the legend and the
    caption list these, not the five of the cadastre whatever the district)."""
    s = cad.surfaces
    roofs = s[s["kind"] == "roof"]
    counts = np.bincount(irradiation_class(roofs["irradiation_kwh_m2_year"].to_numpy(dtype=float)), minlength=len(IRRADIATION_CLASSES))
    return [(label, colour, int(n)) for (_, label, colour), n in zip(IRRADIATION_CLASSES, counts) if n > 0]


def map_caption(cad, whatif: str) -> str:
    """The map's caption, HTML: the irradiation classes it draws (their number and names), and that
    they are not the roof classes of the table below it (suitability: the yield against the site's
    best orientation, four classes)."""
    drawn = drawn_classes(cad)
    n = len(drawn)
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    names = ", ".join(f"{html.escape(label)} ({roofs:,} roof{'s' if roofs != 1 else ''})" for label, _, roofs in drawn)
    total = words.get(len(IRRADIATION_CLASSES), str(len(IRRADIATION_CLASSES)))
    which = f"the {total} classes" if n == len(IRRADIATION_CLASSES) else f"{words.get(n, str(n))} of the {total} classes"
    return (f"Annual irradiation of every roof, kWh/m²·yr, in {which} of the Swiss solar cadastre (sonnendach.ch) "
            f"that its roofs reach: {names}; outlined: the buildings "
            f"<b>{html.escape(whatif)}</b> equips. The irradiation classes are not the {len(SUITABILITY_ROWS)} roof classes of the "
            "table below (suitability: a roof's yield against the site's best orientation).")


def _map(cad, equipped_ids: set[str], whatif: str) -> str | None:
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from twin.scenario.report import _png
    from twin.viz.maps import geopandas_polygon_paths

    s = cad.surfaces
    roofs = s[(s["kind"] == "roof")]
    if roofs.empty:
        return None
    cls = irradiation_class(roofs["irradiation_kwh_m2_year"].to_numpy(dtype=float))
    colours = np.array([c[2] for c in IRRADIATION_CLASSES], dtype=object)[cls]
    fig = Figure(figsize=(7.8, 6.2))
    ax = fig.subplots()
    # the picture of roofs.plot(ax=ax, color=list(colours), linewidth=0.1, edgecolor="#ffffff"), without its matplotlib patch per roof
    shown = (roofs.geometry.notna() & ~roofs.geometry.is_empty).to_numpy()  # geopandas leaves out missing and empty geometries
    ax.add_collection(PathCollection(geopandas_polygon_paths(roofs.geometry[shown]), facecolor=colours[shown], linewidth=0.1, edgecolor="#ffffff"))
    ax.autoscale_view()
    handles = [Patch(facecolor=c, label=f"{label}") for label, c, _ in drawn_classes(cad)]  # the classes drawn, as the caption
    if equipped_ids:
        mine = roofs[roofs["building_id"].astype(str).isin(equipped_ids)]
        if len(mine):
            mine.boundary.plot(ax=ax, color="#111", linewidth=0.45)
            handles.append(Patch(facecolor="none", edgecolor="#111", label=f"equipped by {whatif}"))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#d0d7de")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, framealpha=0.9, title="roof irradiation,\nkWh/m²·yr",
              title_fontsize=7)
    ax.set_title("PV potential: annual irradiation of every roof", fontsize=10)
    return _png(fig)


def _suitability_table(cad) -> str:
    s = cad.surfaces
    roofs = s[s["kind"] == "roof"]
    rows = ["<table><thead><tr><th class='l'>roof class</th><th>roofs</th><th>roof area, m²</th><th>usable area, m²</th>"
            "<th>PV, kWp</th><th>PV, MWh/yr</th><th>kWh/kWp</th></tr></thead><tbody>"]
    for name, colour in SUITABILITY_ROWS:
        g = roofs[roofs["suitability"] == name]
        kwp = float(g["pv_kwp"].sum())
        ac = float(g["pv_ac_kwh_year"].sum())
        rows.append(f"<tr><td class='l'><span style='color:{colour}'>&#9632;</span> {html.escape(name)}</td><td>{len(g):,}</td>"
                    f"<td>{_f(float(g['area_m2'].sum()))}</td><td>{_f(float(g['usable_area_m2'].sum()))}</td><td>{_f(kwp)}</td>"
                    f"<td>{_f(ac / 1e3)}</td><td>{_f(ac / kwp) if kwp > 0 else '–'}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def suitable_roof_area_m2(cad) -> float:
    """Area of the roofs of class excellent or good (m²): the sum of those rows of the roof-class table."""
    from twin.solar.pv_measure import SUITABLE

    s = cad.surfaces
    return float(s.loc[(s["kind"] == "roof") & s["suitability"].isin(SUITABLE), "area_m2"].sum())


def _totals(cad) -> str:
    """The totals line: peak power and yield of the suitable roofs on the suitable roofs' area (the
    sum of the excellent and good rows of the roof-class table), the area of all roofs beside it."""
    t = cad.meta["totals"]
    kwp, mwh = float(t["suitable_pv_kwp"]), float(t["suitable_pv_ac_mwh_year"])
    suitable_m2, all_m2 = suitable_roof_area_m2(cad), float(t["roof_area_m2"])
    return (f"<p class='solar-totals' data-suitable-kwp='{kwp!r}' data-suitable-kwh-year='{mwh * 1e3!r}' "
            f"data-suitable-roof-area-m2='{suitable_m2!r}' data-roof-area-m2='{all_m2!r}'>"
            f"<b>Suitable roofs (excellent and good): {_f(kwp)} kWp, {_f(mwh)} MWh/yr</b> AC "
            f"on {_f(suitable_m2)} m² of suitable roofs (of {_f(all_m2)} m² of roofs in all); all roofs with modules: "
            f"{_f(float(t['pv_kwp']))} kWp, {_f(float(t['pv_ac_mwh_year']))} MWh/yr.</p>")


def _kpi_row(comparison, whatif: str, kpi: str):
    k = comparison.kpis
    hit = k[(k["whatif"] == whatif) & (k["domain"] == "energy") & (k["kpi"] == kpi)]
    return None if hit.empty else hit.iloc[0]


def _other_measures(comparison, whatif: str) -> bool:
    """Whether the what-if renovates with measures besides PV (kind ``pv`` of the measure table)."""
    from twin.energy.measures import load_measures

    table = load_measures()
    pv = set(table.index[table["kind"] == "pv"])
    for w in getattr(comparison.scenario, "whatifs", []):
        if w.name != whatif:
            continue
        for m in w.modifications:
            measures = getattr(m, "measures", None) or []
            if any(x not in pv for x in measures):
                return True
    return False


def uncounted_pv_kwh(objects: pd.DataFrame | None) -> tuple[float, float]:
    """The PV yield credited beyond the electricity the energy accounts count, per building.

    The accounts count heating, hot water and ventilation fans, not the households' appliances,
    lighting and cooking; primary energy and CO2 credit the whole yield at the grid's factors, so
    what a building's PV yields beyond its counted electricity offsets electricity the model does
    not count (the bills value the yield by :func:`twin.energy.results.pv_credit_eur`, whose
    self-consumed share is of the household's whole use, appliances included).

    Parameters
    ----------
    objects
        The energy accounts of the what-if's central run, one row per building
        (``electricity_kwh``, ``pv_kwh``, kWh/year), or None.

    Returns
    -------
    tuple of float
        (the yield beyond each building's counted electricity, summed; the yield credited), kWh/year;
        (0, 0) when ``objects`` lacks the columns.
    """
    if objects is None or not {"electricity_kwh", "pv_kwh"} <= set(objects.columns):
        return 0.0, 0.0
    pv = objects["pv_kwh"].to_numpy(dtype=float)
    beyond = np.maximum(pv - objects["electricity_kwh"].to_numpy(dtype=float), 0.0)
    return float(np.nansum(beyond)), float(np.nansum(pv))


def _uncounted_note(comparison, whatif: str) -> str:
    """One sentence when the what-if's PV credit exceeds the electricity the accounts count in its
    buildings ('' otherwise), HTML."""
    res = comparison.whatifs.get(whatif, {}).get("energy")
    beyond, credited = uncounted_pv_kwh(getattr(res, "objects", None))
    if beyond <= 0:
        return ""
    return (f"<p class='note solar-uncounted' data-kwh-year='{beyond!r}'>{_f(beyond / 1e3)} of the {_f(credited / 1e3)} MWh/yr "
            "credited offset electricity the model does not count (appliances, lighting, cooking): they exceed the electricity it "
            "counts in their own buildings (heating, hot water, ventilation fans); primary energy and CO₂ credit them at the grid's "
            "factors, the bills as <a href='#energy'>the payback note</a> says.</p>")


def _whatif_block(comparison, whatif: str, solar) -> str:
    eq = solar.equipped if solar.equipped is not None else pd.DataFrame(columns=["building_id", "pv_kwp", "pv_ac_kwh_year"])
    kwp, ac = solar.kwp, solar.ac_kwh_year
    p = [f"<h3>{html.escape(whatif)}: rooftop PV</h3>",
         f"<p class='solar-whatif' data-whatif='{html.escape(whatif)}' data-kwp='{kwp!r}' data-kwh-year='{ac!r}'>"
         f"{len(eq):,} of the {len(solar.selected):,} selected buildings equipped on their roofs of class excellent or good: "
         f"<b>{_f(kwp)} kWp, {_f(ac / 1e3)} MWh/yr</b> AC ({_f(ac / kwp) if kwp > 0 else '–'} kWh/kWp), the yield of the solar model "
         "(orientation, shading by neighbours, module layout, DC/AC chain) credited in the energy accounts.</p>",
         _uncounted_note(comparison, whatif)]
    if solar.without_suitable_roof:
        ids = solar.without_suitable_roof
        p.append(f"<p class='note solar-no-roof' data-count='{len(ids)}'><b>{len(ids):,} selected building{'s' if len(ids) != 1 else ''} "
                 f"without a suitable roof</b> (no roof of class excellent or good: no modules, no yield): "
                 f"{html.escape(', '.join(ids[:10]))}{f' and {len(ids) - 10:,} more' if len(ids) > 10 else ''}.</p>")
    if solar.not_simulated:
        p.append(f"<p class='note'>{len(solar.not_simulated):,} selected buildings are not simulated by the energy model: "
                 f"their PV is not counted ({html.escape(', '.join(solar.not_simulated[:5]))}).</p>")
    banded = "delta_p_lo" in comparison.kpis.columns
    rows = ["<table><thead><tr><th class='l'>energy KPI</th><th>baseline</th><th>what-if</th><th>change</th>"
            + ("<th>range of the change</th>" if banded else "") + "</tr></thead><tbody>"]
    for kpi, label in KPI_ROWS:
        r = _kpi_row(comparison, whatif, kpi)
        if r is None:
            continue
        cls = L.change_class(kpi, r["delta"])  # green: better (it drew every saving red)
        bar = L.delta_bar(kpi, r["delta"], r.get("delta_p_lo", np.nan), r.get("delta_p_hi", np.nan), r["baseline"],
                          comparison.scenario.uncertainty.percentiles) if banded else ""
        band = f"<td>{bar}</td>" if banded else ""
        rows.append(f"<tr><td class='l'>{html.escape(label)}</td><td>{L.fmt_value(kpi, r['baseline'])}</td>"
                    f"<td>{L.fmt_value(kpi, r['whatif_value'], ref=r['baseline'])}</td>"
                    f"<td class='{cls}'>{L.fmt_delta(kpi, r['delta'], r['baseline'])}{' pts' if L.is_share(kpi) and r['delta'] != 0 else ''}</td>{band}</tr>")
    rows.append("</tbody></table>")
    p.append("".join(rows))
    from twin.energy.model import load_factors

    f = load_factors()
    from twin.scenario.report_energy_classes import added_pv_credit_eur

    credit = added_pv_credit_eur(comparison, whatif)
    bills = (f", energy bills {_signed(-credit / 1e3)} k€/yr ({html.escape(L.PV_RULE_SHORT)}; see <a href='#energy'>the payback "
             "note</a>)") if np.isfinite(credit) else ""
    p.append(f"<p class='note'>The PV yield alone (the factor table's electricity factors): primary energy "
             f"{_signed(-ac * f['pef_electricity'] / 1e3)} MWh/yr, CO₂ {_signed(-ac * f['co2_electricity_kg_kwh'] / 1e3)} t/yr{bills}; "
             "the table above is the whole what-if"
             f"{' (with its other measures)' if _other_measures(comparison, whatif) else ''}.</p>")
    inv, cost = _kpi_row(comparison, whatif, "investment_keur"), _kpi_row(comparison, whatif, "energy_cost_keur_yr")
    if inv is not None and cost is not None and -cost["delta"] > 0:
        p.append(f"<p class='note'>Simple payback of the what-if: {inv['delta'] / -cost['delta']:.1f} years (investment over the "
                 "yearly saving on the energy bills; PV valued as the payback note says; the other measures of the what-if, "
                 "if any, included).</p>")
    return "".join(p)


def roof_shape_words(meta: dict) -> str:
    """What the cadastre assumed of the roofs whose shape the data does not give ('' when every
    roof's shape came from the data): ``meta`` is the cadastre's (``roof_shape_sources``,
    ``roof_default``, ``n_buildings``).

    The OSM footprints of Saint-Gilles give no roof shape: all 3,991 roofs were drawn flat with
    south-facing racks, and every roof came out excellent or good, which the section did not say.
    """
    counts = meta.get("roof_shape_sources") or {}
    default, approximated = int(counts.get("default", 0)), int(counts.get("approximated", 0))
    if not default and not approximated:
        return ""
    n = int(meta.get("n_buildings", default + approximated))
    roof_default = str(meta.get("roof_default", "flat"))
    parts = []
    if default:
        drawn = ("flat, with modules on rows tilted 10° toward the south whatever the real roof's pitch and orientation"
                 if roof_default == "flat" else f"{roof_default} (the cadastre's default shape)")
        parts.append(f"{default:,} of the {n:,} buildings have no roof shape in the data (OSM <code>roof:shape</code>): their roofs are "
                     f"drawn {html.escape(drawn, quote=False)}")
    if approximated:
        parts.append(f"{approximated:,} have a shape the cadastre does not draw (dome, onion …), drawn flat")
    effect = ("Where such a roof is really pitched, a face turned north is unsuitable and one turned south yields more per module "
              "than the flat roof's rows, so the suitable-roof area is an upper bound and the yield of each roof can be higher or "
              "lower than shown. " if default and roof_default == "flat" else "")
    return "Roof shapes: " + "; ".join(parts) + ". " + effect + "Roof obstacles (chimneys, dormers, skylights) are not modelled."


def solar_section(comparison) -> str:
    """The report's solar section (the module docstring), HTML."""
    p = ["<section id='solar'><h2>Rooftop solar</h2>"]
    found = pv_whatifs(comparison)
    if not found:
        p.append("<p class='note'>No what-if of this scenario puts PV on roofs (a <code>renovate</code> modification with the "
                 "measure <code>rooftop_pv</code>): the solar cadastre was not computed.</p></section>")
        return "".join(p)
    first, solar = next(iter(found.items()))
    cad = solar.cadastre
    m = cad.meta
    p.append("<p class='note'>Solar cadastre of the scene's roofs (<code>docs/solar.md</code>): irradiation of sensor points on every "
             f"roof ({m['spacing_m']:g} m, at most {m['max_sensors_per_surface'] or 'no limit'} per roof, {html.escape(str(m['method']))} "
             "method: horizon profiles of the scene), Perez sky, PV modules laid out on the usable part of each roof (flat roofs: "
             "rows tilted 10° toward the south), PVWatts DC/AC chain. Suitability: the roof's specific yield against the "
             "site's best unshaded orientation (excellent: 90 % of it or more, good: 75 % or more).</p>")
    shapes = roof_shape_words(m)
    if shapes:
        p.append(f"<p class='note roof-shapes'>{shapes}</p>")
    src = _map(cad, set(map(str, solar.equipped["building_id"])) if solar.equipped is not None else set(), first)
    if src:
        p.append(f"<figure><img alt='PV potential map' src='{src}' width='620'><figcaption>{map_caption(cad, first)}</figcaption></figure>")
    p.append(_totals(cad))
    p.append(_suitability_table(cad))
    for name, s in found.items():
        p.append(_whatif_block(comparison, name, s))
    p.append("</section>")
    return "".join(p)


__all__ = ["IRRADIATION_CLASSES", "KPI_ROWS", "SUITABILITY_ROWS", "drawn_classes", "irradiation_class", "map_caption", "pv_whatifs",
           "roof_shape_words", "solar_section", "suitable_roof_area_m2", "uncounted_pv_kwh"]
