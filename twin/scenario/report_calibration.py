"""The report's calibration section (``<section id='calibration'>``): what the run is calibrated
to, and the Monte Carlo bands of the energy KPIs before and after calibration.

Hook (for :mod:`twin.scenario.report`): ``calibration_section(comparison, counterpart)`` returns
the section's HTML; it computes nothing heavy itself.

Inputs
------
``comparison`` (:class:`twin.scenario.runner.Comparison`), read only:

* ``scenario``: ``inputs.calibration`` (the calibration table the run applied, or None),
  ``uncertainty.percentiles`` and ``uncertainty.samples``;
* ``baseline_scene.buildings``: the calibration columns written by
  :func:`twin.calibration.writeback.write_back` (``calib_kind``, ``calib_group``,
  ``calib_method``, ``calib_<parameter>``, ``calib_<parameter>_p5`` / ``_p95``): how many
  buildings are calibrated, to what, and their parameters' 90 % intervals;
* ``kpis``: the run's KPI table with its bands (``whatif``, ``domain``, ``kpi``,
  ``baseline_p_lo``, ``baseline_p_hi``, ``delta_p_lo``, ``delta_p_hi``);
* ``stock_samples``: for a group calibrated to certificate classes, the shift drawn for every
  sample (``conditioned``) and the sample's share in the first target (``conditioned_share``).

``counterpart`` (optional): the KPI table, in the layout of ``comparison.kpis`` (the columns
above; ``outputs/kpis.parquet`` of a run has it), of the **same scenario and seed in the other
calibration state**: without the calibration when the run has one, with one when it has none.
:func:`counterpart_kpis` computes it for the energy engine (a second energy Monte Carlo: about
the time of the run's own, see ``docs/calibration.md``), or it is read from another run's
folder. Without it the section takes the priors-alone bands a calibrated run carries in its
own KPI table (:data:`PRIOR_COLUMNS`, added by :func:`add_prior_bands`, which
:func:`twin.scenario.runner.run_scenario` calls for every calibrated run with bands and an
energy engine: ``kpis.csv`` then has both); failing that it shows the run's own bands and says
how to get the comparison.

The table: for every energy KPI with a band, the baseline's band and the band of each what-if's
delta, before and after calibration, their widths and the change of the width (negative: the
calibration narrowed the band). Widths are ``p_hi - p_lo`` of the run's percentiles.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from twin.scenario import report_labels as L

#: Energy KPIs compared, with a detail shown after the label ('' none); the others (investment,
#: buildings simulated) are not uncertain in the same way (a cost or a count). The class share had
#: " (standard conditions)", which the KPI table's name of the same KPI lacks: a second name read as
#: a second quantity; the table's note says it instead (:data:`STANDARD_CONDITIONS_NOTE`).
KPI_DETAILS = (
    ("heating_need_mwh", ""),
    ("final_energy_mwh", ""),
    ("primary_energy_mwh", ""),
    ("co2_t", ""),
    ("energy_cost_keur_yr", ""),
    ("floor_area_class_d_or_worse_pct", ""),
)
#: How the class share's bands count the classes, said under the table when it holds that KPI
#: (:func:`twin.energy.sampled._standard_poor`).
STANDARD_CONDITIONS_NOTE = (" The floor area in EPB class D or worse counts each sample's buildings in the certificates' standard "
                            "conditions (without the sampled set-point offset), before and after calibration, as in the indicator tables.")
#: (KPI, the row's text): the KPI table's label and unit (:mod:`twin.scenario.report_labels`),
#: so that a KPI has one name and one unit in every section ("Energy bills, k€/yr").
KPI_ROWS = tuple((kpi, f"{L.label(kpi)}{detail}, {L.unit(kpi)}") for kpi, detail in KPI_DETAILS)

#: Band columns a KPI table must have to be compared.
BAND_COLUMNS = ("whatif", "domain", "kpi", "baseline_p_lo", "baseline_p_hi", "delta_p_lo", "delta_p_hi")

#: Columns a calibrated run's KPI table (``kpis.csv``) gets from :func:`add_prior_bands`: the
#: energy KPIs' central values and bands of the same scenario, seed and samples with the
#: priors alone (no calibration), next to the run's own (calibrated) ones.
PRIOR_PREFIX = "uncalibrated_"
PRIOR_SOURCE_COLUMNS = ("baseline", "delta", "baseline_p_lo", "baseline_p50", "baseline_p_hi", "delta_p_lo", "delta_p50", "delta_p_hi")
PRIOR_COLUMNS = tuple(PRIOR_PREFIX + c for c in PRIOR_SOURCE_COLUMNS)


def calibration_summary(scene) -> dict | None:
    """What a scene's buildings carry of a calibration: counts per kind, groups, methods and the
    median 90 % interval of every parameter of the buildings calibrated to their own meter; None
    when nothing is calibrated."""
    from twin.energy.calibrated import KIND_COLUMN, PARAMETERS, value_column

    if scene is None:
        return None
    b = scene.buildings
    if KIND_COLUMN not in b:
        return None
    kind = b[KIND_COLUMN].astype("string").fillna("")
    if not (kind != "").any():
        return None
    out = {"buildings": int(len(b)), "kinds": {k: int(v) for k, v in kind[kind != ""].value_counts().items()}}
    if "calib_group" in b:
        out["groups"] = sorted(set(b.loc[kind == "group", "calib_group"].dropna().astype(str)))
    if "calib_method" in b:
        out["methods"] = sorted(set(b.loc[kind != "", "calib_method"].dropna().astype(str)))
    own = (kind == "building").to_numpy()
    params = {}
    for p in PARAMETERS:
        col = value_column(p)
        if own.any() and col in b and f"{col}_p5" in b and f"{col}_p95" in b:
            lo, mid, hi = (pd.to_numeric(b.loc[own, c], errors="coerce").median() for c in (f"{col}_p5", col, f"{col}_p95"))
            if np.isfinite(mid):
                params[p] = (float(lo), float(mid), float(hi))
    out["parameters"] = params
    return out


def is_calibrated(comparison) -> bool:
    """Whether the run applied a calibration (its scenario names one, or its scene carries one)."""
    sc = comparison.scenario
    if getattr(sc.inputs, "calibration", None):
        return True
    return calibration_summary(getattr(comparison, "baseline_scene", None)) is not None


def width_table(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Bands before and after calibration side by side, one row per energy KPI and part.

    Returns columns ``whatif``, ``kpi``, ``part`` (``baseline`` or ``delta``), ``before_lo``,
    ``before_hi``, ``after_lo``, ``after_hi``, ``before_width``, ``after_width`` and
    ``change_pct`` (width after / width before - 1, in %; NaN when the band before has no width).
    The baseline's band is the same for every what-if: it is given once (``whatif`` empty). The
    delta of a what-if whose band is exactly zero before and after (it changes no energy KPI) is
    left out.
    """
    for name, t in (("before", before), ("after", after)):
        missing = [c for c in BAND_COLUMNS if c not in t]
        if missing:
            raise ValueError(f"the {name} KPI table has no band column {missing[0]!r}")
    keep = [k for k, _ in KPI_ROWS]
    b = before[(before["domain"] == "energy") & before["kpi"].isin(keep)].set_index(["whatif", "kpi"])
    a = after[(after["domain"] == "energy") & after["kpi"].isin(keep)].set_index(["whatif", "kpi"])
    common = [i for i in a.index if i in b.index]
    rows = []
    seen_baseline = set()
    for whatif, kpi in sorted(common, key=lambda i: (keep.index(i[1]), i[0])):
        for part in ("baseline", "delta"):
            if part == "baseline":
                if kpi in seen_baseline:
                    continue
                seen_baseline.add(kpi)
            lo0, hi0 = (float(b.loc[(whatif, kpi), f"{part}_p_{e}"]) for e in ("lo", "hi"))
            lo1, hi1 = (float(a.loc[(whatif, kpi), f"{part}_p_{e}"]) for e in ("lo", "hi"))
            if not all(np.isfinite([lo0, hi0, lo1, hi1])):
                continue
            w0, w1 = hi0 - lo0, hi1 - lo1
            if part == "delta" and not any((lo0, hi0, lo1, hi1)):
                continue  # a what-if that changes no energy KPI (traffic, land cover): no band to compare
            rows.append({"whatif": "" if part == "baseline" else whatif, "kpi": kpi, "part": part, "before_lo": lo0, "before_hi": hi0,
                         "after_lo": lo1, "after_hi": hi1, "before_width": w0, "after_width": w1,
                         "change_pct": 100.0 * (w1 / w0 - 1.0) if w0 > 0 else float("nan")})
    return pd.DataFrame(rows, columns=["whatif", "kpi", "part", "before_lo", "before_hi", "after_lo", "after_hi", "before_width",
                                       "after_width", "change_pct"])


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "–"
    a = abs(x)
    return f"{x:,.0f}" if a >= 100 else f"{x:,.1f}" if a >= 1 else f"{x:.3g}"


def _summary_html(summary: dict | None, comparison) -> str:
    sc = comparison.scenario
    if summary is None:
        return ""
    kinds = summary["kinds"]
    parts = []
    if kinds.get("building"):
        parts.append(f"{kinds['building']:,} buildings to their own meters")
    if kinds.get("group"):
        groups = ", ".join(summary.get("groups", [])) or "a group"
        parts.append(f"{kinds['group']:,} buildings as a group ({html.escape(groups)}) to an aggregate")
    src = f" (<code>{html.escape(str(sc.inputs.calibration))}</code>)" if getattr(sc.inputs, "calibration", None) else ""
    # "3,937 buildings as a group (residential) to an aggregate of 3,991 buildings" read as an aggregate of 3,991 buildings
    calibrated = sum(int(v) for v in kinds.values())
    p = [f"<p>This run applies a calibration{src} to {calibrated:,} of the scene's {summary['buildings']:,} buildings: {'; '.join(parts)}; method "
         f"{html.escape(', '.join(summary.get('methods', [])) or 'unknown')}. Calibrated parameters are carried by every what-if and "
         "Monte Carlo sample (<code>docs/calibration.md</code>).</p>"]
    if summary["parameters"]:
        p.append("<table><thead><tr><th class='l'>parameter (buildings with their own meter)</th><th>median of the 5th percentiles</th>"
                 "<th>median of the medians</th><th>median of the 95th percentiles</th></tr></thead><tbody>")
        for name, (lo, mid, hi) in summary["parameters"].items():
            p.append(f"<tr><td class='l'>{html.escape(name)}</td><td>{lo:.3g}</td><td>{mid:.3g}</td><td>{hi:.3g}</td></tr>")
        p.append("</tbody></table>")
    stock = getattr(comparison, "stock_samples", None)
    cond = getattr(stock, "conditioned", None) or {}
    share = getattr(stock, "conditioned_share", None) or {}
    targets = getattr(stock, "group_conditional", None) or {}
    for g, s in cond.items():
        s = np.asarray(s, dtype=float)
        txt = (f"<p class='note'>Group <b>{html.escape(str(g))}</b>: the calibration multiplies the U-values of its buildings by a "
               "factor that is fitted again in each Monte Carlo sample, so that the sample's own buildings (their sampled ages, uses "
               "and sizes) still match the calibration's targets: factor "
               f"{np.percentile(s, 5):.3f} (5th percentile of the samples), {np.percentile(s, 50):.3f} (median), "
               f"{np.percentile(s, 95):.3f} (95th percentile)")
        if g in share:
            q = 100 * np.percentile(np.asarray(share[g], dtype=float), [5, 50, 95])
            first = (targets.get(g) or {}).get("targets") or [{}]
            classes = first[0].get("classes")
            which = f"EPB classes {html.escape(', '.join(map(str, classes)))}" if classes else "the classes of the calibration's first target"
            txt += (f"; with it, the share of the group's floor area in {which} (in the certificates' standard conditions, without the "
                    f"sampled set-point offset): {q[0]:.1f} %, {q[1]:.1f} %, {q[2]:.1f} % (the same percentiles)")
        p.append(txt + ".</p>")
    return "".join(p)


def calibration_section(comparison, counterpart: pd.DataFrame | None = None) -> str:
    """The calibration section (module docstring), HTML.

    Parameters
    ----------
    comparison
        The run (:class:`twin.scenario.runner.Comparison`).
    counterpart
        KPI table of the same scenario and seed in the other calibration state (module
        docstring), or None.
    """
    p = ["<section id='calibration'><h2>Calibration</h2>"]
    calibrated = is_calibrated(comparison)
    summary = calibration_summary(getattr(comparison, "baseline_scene", None))
    banded = all(c in comparison.kpis for c in BAND_COLUMNS)
    if calibrated:
        p.append(_summary_html(summary, comparison))
    elif "energy" not in getattr(comparison.scenario, "domains", ("energy",)):  # a soil or traffic run: "to calibrate, fit the buildings" misled
        return (p[0] + "<p class='note'>A calibration fits the buildings' energy model to measured consumption; the energy engine was not "
                "run in this scenario: nothing here is calibrated, and the bands come from the priors alone.</p></section>")
    else:
        p.append("<p class='note'>This run is not calibrated" + (": its bands come from the priors alone" if banded else "")
                 + ". To calibrate, fit the buildings "
                 "to measured consumption or to the Region's EPB class distribution with <code>twin calibrate</code> and name its "
                 "<code>calibration.parquet</code> under <code>inputs.calibration</code> (<code>docs/calibration.md</code>).</p>")
    if not banded and not calibrated:  # a run without samples: no bands, and "nothing to compare" said nothing more
        return "".join(p) + "</section>"
    if not banded:
        p.append("<p class='note'>No Monte Carlo bands in this run (<code>uncertainty.samples</code> is 0): nothing to compare.</p></section>")
        return "".join(p)
    if counterpart is None and calibrated:
        counterpart = prior_kpis(comparison.kpis)
    if counterpart is None and not calibrated:  # the note above says how to calibrate; nothing to compare with
        return "".join(p) + "</section>"
    if counterpart is None:
        p.append("<p class='note'>The bands of the same scenario without its calibration"
                 + " were not given to the report (<code>twin.scenario.report_calibration.counterpart_kpis</code>, or "
                 "<code>outputs/kpis.parquet</code> of such a run): the run's own bands are in the KPI tables.</p></section>")
        return "".join(p)
    before, after = (counterpart, comparison.kpis) if calibrated else (comparison.kpis, counterpart)
    t = width_table(before, after)
    if not len(t):
        p.append("<p class='note'>The two runs share no banded energy KPI.</p></section>")
        return "".join(p)
    lo, hi = comparison.scenario.uncertainty.percentiles
    labels = dict(KPI_ROWS)
    p.append(f"<p class='note'>Bands ({lo:g}th–{hi:g}th percentiles over the Monte Carlo samples) of the energy KPIs before calibration "
             "(the priors alone) and after it, on the same samples' random numbers. Change: the width after over the width before "
             "(negative: narrower). A calibration to an aggregate (the EPB class distribution) fixes a share, not the heating of each "
             "sample: it moves the bands more than it narrows them; a calibration to meters narrows them."
             + (html.escape(STANDARD_CONDITIONS_NOTE, quote=False) if (t["kpi"] == "floor_area_class_d_or_worse_pct").any() else "") + "</p>")
    p.append("<table><thead><tr><th class='l'>KPI</th><th class='l'>band of</th><th>before</th><th>width</th><th>after</th><th>width</th>"
             "<th>width change</th></tr></thead><tbody>")
    for r in t.itertuples():
        what = "baseline" if r.part == "baseline" else f"change of {html.escape(r.whatif)}"  # the KPI tables' word
        ch = "–" if not np.isfinite(r.change_pct) else f"{r.change_pct:+.0f} %"
        p.append(f"<tr><td class='l'>{html.escape(labels.get(r.kpi, r.kpi))}</td><td class='l'>{what}</td>"
                 f"<td>{_num(r.before_lo)} to {_num(r.before_hi)}</td><td>{_num(r.before_width)}</td>"
                 f"<td>{_num(r.after_lo)} to {_num(r.after_hi)}</td><td>{_num(r.after_width)}</td><td>{ch}</td></tr>")
    p.append("</tbody></table></section>")
    return "".join(p)


def counterpart_kpis(comparison, *, base_dir: str | Path, calibration: str | None = None, allow_dirs=()) -> pd.DataFrame:
    """The KPI table of the run's scenario in the other calibration state, energy engine only.

    The same scenario, seed and samples with ``domains: [energy]``, and ``inputs.calibration``
    removed (the run is calibrated) or set to ``calibration`` (it is not; a path relative to
    ``base_dir`` like the scenario's own inputs). Costs one run of the energy engine with its
    Monte Carlo (plus, for a calibration to classes, the conditioning of each sample's shift).

    Raises
    ------
    ValueError
        The run is not calibrated and no ``calibration`` is given.
    """
    import warnings

    from twin.errors import TwinWarning
    from twin.scenario.runner import run_scenario

    sc = comparison.scenario
    if is_calibrated(comparison):
        new_inputs = sc.inputs.model_copy(update={"calibration": None})
    elif calibration:
        new_inputs = sc.inputs.model_copy(update={"calibration": str(calibration)})
    else:
        raise ValueError("the run is not calibrated: give the calibration table to compare with")
    other = sc.model_copy(update={"inputs": new_inputs, "domains": ["energy"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        res = run_scenario(other, base_dir=base_dir, progress=False, no_effect="warn", allow_dirs=allow_dirs)
    return res.kpis


def prior_kpis(kpis: pd.DataFrame) -> pd.DataFrame | None:
    """The priors-alone KPI table carried by a calibrated run's ``kpis`` (:data:`PRIOR_COLUMNS`,
    written by :func:`add_prior_bands`), in the layout of ``comparison.kpis``; None without them."""
    have = [c for c in PRIOR_SOURCE_COLUMNS if PRIOR_PREFIX + c in kpis]
    if not {"baseline_p_lo", "baseline_p_hi", "delta_p_lo", "delta_p_hi"} <= set(have):
        return None
    t = kpis[["whatif", "domain", "kpi", *(PRIOR_PREFIX + c for c in have)]].rename(columns={PRIOR_PREFIX + c: c for c in have})
    return t[t[["baseline_p_lo", "baseline_p_hi"]].notna().all(axis=1)].reset_index(drop=True)


def add_prior_bands(comparison, *, base_dir: str | Path, allow_dirs=()) -> pd.DataFrame:
    """``comparison.kpis`` with the energy KPIs of the same scenario run with the priors alone.

    For a calibrated run with Monte Carlo bands: :func:`counterpart_kpis` (the scenario, seed and
    samples, energy engine only, ``inputs.calibration`` removed) and its central values and bands
    as the :data:`PRIOR_COLUMNS` of the energy rows (NaN elsewhere), so that ``kpis.csv`` carries
    each band before and after calibration and the report's calibration section shows both.
    Returns the run's table unchanged when the run is not calibrated or has no bands.
    """
    kpis = comparison.kpis
    if not is_calibrated(comparison) or not all(c in kpis for c in BAND_COLUMNS):
        return kpis
    other = counterpart_kpis(comparison, base_dir=base_dir, allow_dirs=allow_dirs)
    cols = [c for c in PRIOR_SOURCE_COLUMNS if c in other]
    o = other.loc[other["domain"] == "energy", ["whatif", "domain", "kpi", *cols]].rename(columns={c: PRIOR_PREFIX + c for c in cols})
    return kpis.drop(columns=[c for c in PRIOR_COLUMNS if c in kpis]).merge(o, on=["whatif", "domain", "kpi"], how="left")


__all__ = ["BAND_COLUMNS", "PRIOR_COLUMNS", "add_prior_bands", "prior_kpis", "KPI_ROWS", "calibration_section", "calibration_summary", "counterpart_kpis", "is_calibrated", "width_table"]
