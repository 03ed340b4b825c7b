"""The report's energy section (``<section id='energy'>``): EPB classes, payback, primary energy.

* the distribution of the buildings over the Brussels EPB classes (A++ to G), baseline and each
  what-if that changes the buildings' energy, as an inline SVG bar chart (counts of buildings;
  the share of the floor area in the tooltip);
* the payback of each such what-if: investment, yearly saving on the energy bills, simple payback
  (investment / saving) for the central run and its range over the Monte Carlo samples, and how
  many of the changed buildings pay back within 10, 20 and 30 years;
* a note per what-if whose added rooftop PV yield, credited in primary energy, moves buildings
  between classes: how many, and the class counts without that credit;
* a note when the primary energy equals the final energy (all heating by fossil fuels, whose
  Brussels EPB primary-energy factor is 1), naming the factors of ``twin/data/energy_factors.csv``.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from twin.scenario import report_labels as L
from twin.scenario.report_drilldown import CLASS_COLOURS, energy_whatifs

#: Payback horizons of the table, years.
PAYBACK_YEARS = (10, 20, 30)


def class_counts(objects: pd.DataFrame, order: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Buildings and floor area (m2) per class, in ``order``."""
    cls = objects["energy_class"].astype(str)
    n = cls.value_counts().reindex(order, fill_value=0).to_numpy()
    area = objects.groupby(cls)["a_f_m2"].sum().reindex(order, fill_value=0.0).to_numpy(float) if "a_f_m2" in objects else np.zeros(len(order))
    return n, area


def added_pv_kwh(comparison, whatif: str) -> float:
    """The rooftop PV yield a what-if adds over the baseline on the central run (``pv_kwh`` of the
    energy accounts), kWh/year; 0 when the accounts have no PV column."""
    new = (getattr(comparison, "whatifs", None) or {}).get(whatif, {}).get("energy")
    base = (getattr(comparison, "baseline", None) or {}).get("energy")
    if new is None or "pv_kwh" not in new.objects.columns:
        return 0.0
    added = float(np.nansum(new.objects["pv_kwh"].to_numpy(dtype=float)))
    if base is not None and "pv_kwh" in base.objects.columns:
        added -= float(np.nansum(base.objects["pv_kwh"].to_numpy(dtype=float)))
    return added


CLASS_SHARE_KPI = "floor_area_class_d_or_worse_pct"


def chart_share_note(comparison, series: list[tuple[str, pd.DataFrame]], order: list[str]) -> str:
    """A note under the class chart when the central run mixes heating systems: the chart puts each
    building in the class of its expected primary energy, the KPI tables' "Floor area in EPB class
    D or worse" is the expected share over the systems (each building counted with its probability
    of D or worse), and the two differ ('' when they agree to 0.1 point or the run has no mix).

    On the default run the chart's classes D to G held 92.0 % of the baseline's floor area (its
    bars' own hover shares) beside the KPI's 85.5 %, with no word why.
    """
    from twin.energy.sampled import POOR_CLASSES, POOR_PROBABILITY

    kpis = getattr(comparison, "kpis", None)
    if POOR_PROBABILITY not in comparison.baseline["energy"].objects.columns or kpis is None or "kpi" not in kpis.columns:
        return ""
    rows = kpis[kpis["kpi"] == CLASS_SHARE_KPI]
    if rows.empty:
        return ""
    poor = [i for i, c in enumerate(order) if c in POOR_CLASSES]
    parts, differ = [], False
    for name, obj in series:
        _, area = class_counts(obj, order)
        at = rows if name == "baseline" else rows[rows["whatif"] == name]
        if at.empty or not area.sum() > 0:
            continue
        kpi = float(at["baseline"].iloc[0] if name == "baseline" else at["whatif_value"].iloc[0])
        chart = 100.0 * float(area[poor].sum()) / float(area.sum())
        differ |= round(chart, 1) != round(kpi, 1)
        parts.append(f"{html.escape(name)} {chart:.1f} % ({kpi:.1f} %)")
    if not differ:
        return ""
    return ("<p class='note class-share'><b>The chart and the indicator tables count D or worse differently.</b> The chart puts each "
            "building in the class of its expected primary energy over the heating systems the data does not give (the prior's mix); "
            "the tables' Floor area in EPB class D or worse is the expected share over those systems (each building counts with its "
            "probability of being in D to G), the figure to quote. Floor area in classes D to G in the chart (in the tables): "
            + ", ".join(parts) + ".</p>")


def pv_credit_of(objects: pd.DataFrame, factors: dict[str, float]) -> float:
    """What the rooftop PV of energy accounts saves and earns on the bills, EUR/year, summed over
    the buildings: :func:`twin.energy.results.pv_credit_eur` of ``pv_kwh`` (linear in the yield,
    so the same figure where a building's accounts are the expectation over the heating systems
    the data does not give)."""
    from twin.energy.results import pv_credit_eur

    return float(np.nansum(pv_credit_eur(objects["pv_kwh"].to_numpy(dtype=float), factors)))


def added_pv_credit_eur(comparison, whatif: str) -> float:
    """What the rooftop PV a what-if adds saves on the energy bills over the baseline on the central
    run, EUR/year: :func:`pv_credit_of` the what-if's accounts less the baseline's (the rule of
    the accounts, :func:`twin.energy.results.pv_credit_eur`: the self-consumed share at the
    electricity price, the rest at the injection price). NaN when the what-if's accounts lack
    ``pv_kwh``."""
    from twin.energy.model import load_factors

    need = {"pv_kwh"}
    new = (getattr(comparison, "whatifs", None) or {}).get(whatif, {}).get("energy")
    base = (getattr(comparison, "baseline", None) or {}).get("energy")
    if new is None or not need <= set(new.objects.columns):
        return float("nan")
    f = load_factors()
    added = pv_credit_of(new.objects, f)
    if base is not None and need <= set(base.objects.columns):
        added -= pv_credit_of(base.objects, f)
    return added


def class_chart(series: list[tuple[str, pd.DataFrame]], order: list[str]) -> str:
    """Grouped bars per class (one bar per scenario), inline SVG."""
    counts = [class_counts(obj, order) for _, obj in series]
    top = max(1, max(int(c[0].max()) for c in counts))
    W, H, left, bottom, top_pad = 640, 250, 48, 36, 26
    gw = (W - left - 10) / len(order)
    bw = min(22.0, (gw - 8) / len(series))
    fills = ["#8c959f", "#0969da", "#8250df", "#bf3989"]
    g = [f"<svg id='class-chart' width='{W}' height='{H}' viewBox='0 0 {W} {H}' role='img' aria-label='buildings per EPB class'>"]
    step = _nice_step(top)
    k = 0
    while k * step <= top:
        y = H - bottom - (H - bottom - top_pad) * k * step / top
        g.append(f"<line x1='{left}' x2='{W - 8}' y1='{y:.1f}' y2='{y:.1f}' stroke='#eaeef2'/>"
                 f"<text x='{left - 6}' y='{y + 3:.1f}' text-anchor='end' font-size='10'>{k * step:,}</text>")
        k += 1
    for ci, c in enumerate(order):
        x0 = left + ci * gw + (gw - bw * len(series)) / 2
        for si, ((name, _), (n, area)) in enumerate(zip(series, counts)):
            h = (H - bottom - top_pad) * n[ci] / top
            share = 100.0 * area[ci] / area.sum() if area.sum() > 0 else 0.0
            g.append(f"<rect class='cb' data-series='{html.escape(name)}' data-class='{html.escape(c)}' data-n='{int(n[ci])}' "
                     f"x='{x0 + si * bw:.1f}' y='{H - bottom - h:.1f}' width='{bw - 2:.1f}' height='{h:.1f}' fill='{fills[si % len(fills)]}'>"
                     f"<title>{html.escape(name)}, class {html.escape(c)}: {int(n[ci]):,} buildings, {share:.1f} % of the floor area</title></rect>")
        g.append(f"<rect x='{left + ci * gw + 4:.1f}' y='{H - bottom + 6}' width='{gw - 8:.1f}' height='16' rx='3' fill='{CLASS_COLOURS.get(c, '#ccc')}'/>"
                 f"<text x='{left + ci * gw + gw / 2:.1f}' y='{H - bottom + 18}' text-anchor='middle' font-size='11' font-weight='600'>{html.escape(c)}</text>")
    g.append(f"<text x='12' y='{(H - bottom) / 2:.0f}' transform='rotate(-90 12 {(H - bottom) / 2:.0f})' text-anchor='middle' font-size='10'>buildings</text>")
    for si, (name, _) in enumerate(series):
        g.append(f"<rect x='{left + 10 + si * 170}' y='6' width='12' height='12' fill='{fills[si % len(fills)]}'/>"
                 f"<text x='{left + 27 + si * 170}' y='16' font-size='11'>{html.escape(name)}</text>")
    g.append("</svg>")
    return "".join(g)


def _nice_step(top: float) -> int:
    raw = top / 4.0
    mag = 10 ** int(np.floor(np.log10(raw))) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return max(1, int(m * mag))
    return max(1, int(10 * mag))


def payback_rows(comparison, whatif: str) -> dict:
    """Investment (EUR), yearly saving (EUR/yr), simple payback (years) of a what-if, central and per
    sample (p_lo, p_hi of the scenario's percentiles), and the per-building paybacks."""
    base = comparison.baseline["energy"].objects.set_index("building_id")
    new = comparison.whatifs[whatif]["energy"].objects.set_index("building_id").reindex(base.index)
    inv = new["investment_eur"].to_numpy(float)
    saving = base["energy_cost_eur"].to_numpy(float) - new["energy_cost_eur"].to_numpy(float)
    changed = (inv > 0) | (np.abs(saving) > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_building = np.where(changed & (saving > 0), inv / saving, np.inf)[changed]
    total_inv, total_saving = float(inv.sum()), float(saving.sum())
    out = {"investment_eur": total_inv, "saving_eur_yr": total_saving, "buildings": int(changed.sum()),
           "payback_yr": total_inv / total_saving if total_saving > 0 else float("inf"), "per_building_yr": per_building,
           "payback_lo": np.nan, "payback_hi": np.nan}
    smp = getattr(comparison, "samples", None)
    if smp is not None and len(smp):
        s = smp[(smp["whatif"] == whatif) & (smp["domain"] == "energy")]
        pivot = s.pivot_table(index="sample", columns="kpi", values="delta")
        if not {"investment_keur", "energy_cost_keur_yr"} <= set(pivot.columns):
            return out
        inv_s = pivot["investment_keur"].to_numpy(float)  # the baseline invests nothing: the delta is the investment
        sav_s = -pivot["energy_cost_keur_yr"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            pb = np.where(sav_s > 0, inv_s / sav_s, np.inf)
        lo, hi = comparison.scenario.uncertainty.percentiles
        out["payback_lo"], out["payback_hi"] = (float(np.percentile(pb, lo)), float(np.percentile(pb, hi)))
    return out


def payback_range(lo: float, hi: float, never: str = "never (no saving)") -> str:
    """A payback range with its unit once, as the report's other ranges: "7.3 to 9.5 years"
    ("7.3 years to never (no saving)" when the upper end never pays back; ``never`` words that end,
    "never" where "no saving" was said before)."""
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{_number(lo)} to {_years(hi)}"
    return f"{_years(lo, never)} to {_years(hi, never)}"


def _number(x: float) -> str:
    """A payback in years without its unit: one decimal below 100 years, whole years above
    ("296 years": a tenth of a year on a payback of three centuries is noise)."""
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def _years(x: float, never: str = "never (no saving)") -> str:
    return never if not np.isfinite(x) else f"{_number(x)} years"


def primary_final_note(comparison) -> str:
    """A note when the baseline's primary energy equals its final energy, saying why."""
    k = comparison.kpis
    row = k[(k["kpi"] == "primary_energy_mwh")]
    fin = k[(k["kpi"] == "final_energy_mwh")]
    if row.empty or fin.empty:
        return ""
    pe, fe = float(row["baseline"].iloc[0]), float(fin["baseline"].iloc[0])
    if not (np.isfinite(pe) and np.isfinite(fe)) or fe <= 0 or abs(pe - fe) > 1e-6 * fe:
        return ""
    from twin.energy.model import load_factors

    f = load_factors()
    obj = comparison.baseline["energy"].objects
    systems = obj["system"].astype(str).value_counts() if "system" in obj else pd.Series(dtype=int)
    mix = ", ".join(f"{n:,} {html.escape(s.replace('_', ' '))}" for s, n in systems.items())
    return (f"<p class='note' id='primary-final'><b>Why the baseline's primary energy equals its final energy:</b> every building "
            f"heats with a fossil fuel ({mix}), and the Brussels EPB primary-energy factor of gas and heating oil is "
            f"{f.get('pef_gas', float('nan')):g} (<code>pef_gas</code>, <code>pef_oil</code> in <code>twin/data/energy_factors.csv</code>): a "
            f"kWh of gas counts as a kWh of primary energy. Electricity counts {f.get('pef_electricity', float('nan')):g} times "
            "(<code>pef_electricity</code>), so heat pumps, electric heating and the PV yield credited in a what-if make the two differ.</p>")


def classes_without_added_pv(base: pd.DataFrame, new: pd.DataFrame, pef_electricity: float) -> pd.Series | None:
    """The EPB class of each building of ``new`` (a what-if's energy accounts) with the PV yield the
    what-if adds over ``base`` taken out of its primary energy: primary energy plus the added
    yield (``pv_kwh`` over the baseline's, where it rises) times ``pef_electricity``, per m² of
    ``a_f_m2``; None when the accounts lack those columns or the what-if adds no PV yield.

    The accounts credit the PV yield in primary energy at the electricity's factor
    (:func:`twin.energy.results.account_arrays`: electricity net of PV times ``pef_electricity``),
    so the classes read from that primary energy hold the PV.
    """
    need = {"building_id", "pv_kwh", "primary_energy_kwh", "a_f_m2"}
    if not (need <= set(new.columns) and {"building_id", "pv_kwh"} <= set(base.columns)):
        return None
    before = base.set_index(base["building_id"].astype(str))["pv_kwh"]
    before = before[~before.index.duplicated()]
    ids = new["building_id"].astype(str)
    pv_before = before.reindex(ids).fillna(0.0).to_numpy(dtype=float)
    added = np.clip(np.nan_to_num(new["pv_kwh"].to_numpy(dtype=float)) - pv_before, 0.0, None)
    if not added.any():
        return None
    from twin.energy.classes import energy_class

    with np.errstate(invalid="ignore", divide="ignore"):
        pe_m2 = (new["primary_energy_kwh"].to_numpy(dtype=float) + pef_electricity * added) / new["a_f_m2"].to_numpy(dtype=float)
    return pd.Series(energy_class(pe_m2), index=new.index, name="energy_class")


def pv_class_note(comparison, whatifs: list[str], order: list[str]) -> str:
    """A note per what-if whose added PV yield moves buildings between EPB classes: how many are in
    a better class with the PV credit than without it, and the class counts without it beside the
    chart's ('' when none does).

    The renovation wave showed "class A: 398 buildings" (A++ 4, A+ 25) with no word that every one
    of them is there by its PV yield credited at the electricity's primary-energy factor: without
    it, none of its buildings is better than B (B 507 instead of 697, C 930 instead of 322).
    """
    from twin.energy.model import load_factors

    pef = float(load_factors().get("pef_electricity", np.nan))
    if not np.isfinite(pef):
        return ""
    base = comparison.baseline["energy"].objects
    rank = {c: i for i, c in enumerate(order)}
    out = []
    for w in whatifs:
        new = comparison.whatifs[w]["energy"].objects
        without = classes_without_added_pv(base, new, pef)
        if without is None or "energy_class" not in new.columns:
            continue
        with_pv = new["energy_class"].astype(str)
        better = int((with_pv.map(rank) < without.astype(str).map(rank)).sum())
        if better == 0:
            continue
        n_with = with_pv.value_counts().reindex(order, fill_value=0)
        n_without = without.astype(str).value_counts().reindex(order, fill_value=0)
        moved = ", ".join(f"{html.escape(c)} {int(n_without[c]):,} ({int(n_with[c]):,})" for c in order if n_with[c] != n_without[c])
        out.append(f"<p class='note pv-classes'><b>{html.escape(w)}: its rooftop PV counts in these classes.</b> The PV yield it adds is "
                   f"credited in each building's primary energy at the electricity's factor ({pef:g}, <code>pef_electricity</code> in "
                   f"<code>twin/data/energy_factors.csv</code>): {better:,} of its buildings are in a better class with it than without "
                   f"it. Without that credit, buildings per class (with it, as in the chart): {moved}.</p>")
    return "".join(out)


def energy_section(comparison) -> str:
    """The energy section (module docstring); a note when the energy engine did not run."""
    p = ["<section id='energy'><h2>Buildings: EPB classes and payback</h2>"]
    if "energy" not in getattr(comparison, "baseline", {}):
        return p[0] + "<p class='note'>The energy engine was not run in this scenario (add <code>energy</code> to <code>domains</code>).</p></section>"
    if "energy_class" not in comparison.baseline["energy"].objects.columns:
        return p[0] + "<p class='note'>The energy engine's results carry no EPB class per building.</p></section>"
    from twin.energy.classes import class_order

    order = class_order()
    whatifs = energy_whatifs(comparison)
    series = [("baseline", comparison.baseline["energy"].objects)] + [(w, comparison.whatifs[w]["energy"].objects) for w in whatifs]
    p.append("<h3>Buildings per EPB class</h3>")
    p.append(f"<figure>{class_chart(series, order)}<figcaption>Buildings per Brussels EPB class (primary energy per m² of heated floor, "
             "<code>twin/data/energy_classes_brussels.csv</code>), central run; hover a bar for the share of the floor area. "
             + ("" if whatifs else "No what-if changes the buildings' energy.") + "</figcaption></figure>")
    p.append(chart_share_note(comparison, series, order))
    p.append(pv_class_note(comparison, whatifs, order))
    p.append(primary_final_note(comparison))
    # the what-ifs that invest (a permit's new building shades its neighbours and invests nothing: "never (no saving)" misled)
    investing = [w for w in whatifs if "investment_eur" in comparison.whatifs[w]["energy"].objects.columns
                 and float(comparison.whatifs[w]["energy"].objects["investment_eur"].sum()) > 0]
    if investing and all("energy_cost_eur" in comparison.whatifs[w]["energy"].objects.columns for w in investing):
        lo, hi = comparison.scenario.uncertainty.percentiles if comparison.samples is not None else (5.0, 95.0)
        p.append("<h3>Payback</h3><div class='scroll'><table id='payback'><thead><tr><th class='l'>what-if</th><th>buildings changed</th><th>investment</th>"
                 "<th>saving on energy bills</th><th>simple payback</th>"
                 + (f"<th>range ({lo:g}th–{hi:g}th percentile)</th>" if comparison.samples is not None else "")
                 + "".join(f"<th>paid back within {y} years, % of the buildings changed</th>" for y in PAYBACK_YEARS) + "</tr></thead><tbody>")
        for w in investing:
            r = payback_rows(comparison, w)
            pb = r["per_building_yr"]
            shares = "".join(f"<td>{100.0 * np.mean(pb <= y):.0f} %</td>" if len(pb) else "<td>–</td>" for y in PAYBACK_YEARS)
            rng = ""
            if comparison.samples is not None:
                rng = f"<td>{payback_range(r['payback_lo'], r['payback_hi'])}</td>" if np.isfinite(r["payback_lo"]) else "<td>–</td>"
            # in the KPI tables' units (k€, k€/yr: the summary's investment and bills; it said M€)
            inv = L.with_unit(L.fmt_value("investment_keur", r["investment_eur"] / 1e3), L.unit("investment_keur"))
            saving = L.with_unit(L.fmt_value("energy_cost_keur_yr", abs(r["saving_eur_yr"]) / 1e3), L.unit("energy_cost_keur_yr"))
            if r["saving_eur_yr"] < 0:  # heat pumps on dear electricity: a "saving" of -2,584 k€/yr read as a double negative
                saving = f"none: the bills rise by {saving}"
            p.append(f"<tr><td class='l'>{html.escape(w)}</td><td>{r['buildings']:,}</td><td>{inv}</td>"
                     f"<td>{saving}</td><td><b>{_years(r['payback_yr'])}</b></td>{rng}{shares}</tr>")
        pv_added = any(added_pv_kwh(comparison, w) > 0 for w in investing)
        p.append("</tbody></table></div><p class='note'>Simple payback = investment / yearly saving on the energy bills at today's prices "
                 "(<code>twin/data/energy_factors.csv</code>" + ("; rooftop PV as the note below says" if pv_added else "")
                 + "), no discounting, no subsidy, no price change. Per building: the look-up below.</p>")
        if pv_added:
            p.append(f"<p class='note pv-value'>{html.escape(L.PV_RULE_NOTE)}.</p>")
    p.append("</section>")
    return "".join(p)
