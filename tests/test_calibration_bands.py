"""Bands of the default scenario's energy KPIs before and after calibration (Saint-Gilles, 100 samples).

The scenario runner draws the stock once (``draw_stock_samples``) and runs every sample through
``simulate_samples``; both read the calibration a scene carries. This test does the same on the
default scenario's baseline (its period prior, 100 samples, seed 2026, the run's 20 C setpoint)
and on a renovation wave (wall and roof insulation on 30 % of the residential buildings, drawn
with the seed), with and without calibration, and reports the 5-95 % widths of the baseline and
of the delta:

1. calibrated to the Region's EPB class distribution (the data twin has for Saint-Gilles);
2. calibrated to synthetic monthly gas readings of every residential building (what meters would
   give; truth drawn from the priors, the documented noise).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from twin.errors import TwinWarning

SAMPLES, SEED = 100, 2026


def _widths(totals: pd.DataFrame) -> dict:
    area = totals["a_f_m2"].to_numpy()
    kpi = {"heating_need_mwh": totals["q_heat_kwh"].to_numpy() / 1e3, "primary_energy_mwh": totals["primary_energy_kwh"].to_numpy() / 1e3,
           "d_or_worse_pct": 100 * totals["a_f_d_or_worse_m2"].to_numpy() / area}
    return kpi


def _band(x):
    return float(np.percentile(x, 5)), float(np.percentile(x, 50)), float(np.percentile(x, 95))


@pytest.mark.slow
def test_bands_shrink_after_calibration():
    import yaml

    from tests.conftest import DATA_SAMPLES, REPO
    from twin.calibration.calibrate import calibrate_buildings
    from twin.calibration.forward import ForwardModel
    from twin.calibration.group import calibrate_classes
    from twin.calibration.meters import read_meters
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import calendar_layout, noisy
    from twin.calibration.writeback import building_table, group_table, write_back
    from twin.energy.priors import load_priors
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import prepare_stock, simulate_prepared
    from twin.energy.stock_samples import draw_stock_samples
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / n for n in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson",
                                                     "stgilles_landcover_osm2013.geojson", "stgilles_pois_osm2013.geojson",
                                                     "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")])
    cfg = yaml.safe_load((REPO / "scenarios" / "stgilles_default.yaml").read_text())
    priors = load_priors(cfg["uncertainty"]["priors"])
    b = scene.buildings
    res = b.loc[b["use"] == "residential", "building_id"].astype(str).to_numpy()
    rng = np.random.default_rng(SEED)
    wave = {"wall_insulation,roof_insulation": set(rng.choice(res, int(0.3 * len(res)), replace=False))}
    setp = np.full(SAMPLES, 20.0)

    def bands(sc):
        prep = prepare_stock(sc)
        stock = draw_stock_samples(sc, priors, SAMPLES, SEED)
        base = simulate_samples(sc, prep, stock, setpoint_c=setp, fallback=simulate_prepared(prep).accounts)
        what = simulate_samples(sc, prep, stock, setpoint_c=setp, measures=wave)
        kb, kw = _widths(base), _widths(what)
        return {k: {"baseline": _band(kb[k]), "delta": _band(kw[k] - kb[k])} for k in kb}

    before = bands(scene)
    # 1. the Region's EPB class distribution (group calibration of the residential buildings)
    prep = prepare_stock(scene)
    cc = calibrate_classes(scene, prep, n_samples=40, seed=SEED)
    by_classes = write_back(scene, group_table(cc.group_ids, "residential", cc.posterior, "classes"))
    after_classes = bands(by_classes)
    # 2. synthetic monthly gas readings of every residential building
    months = calendar_layout(prep.drivers, "MS")
    env = prep.envelope
    rows = np.flatnonzero(env["building_id"].astype(str).isin(set(res)).to_numpy())
    fm = ForwardModel(env.iloc[rows], prep.drivers, months, np.full(len(rows), "gas"), conventions=prep.conventions, factors=prep.factors,
                      shade=prep.shade_factor[rows])
    cp = load_calibration_priors()[0]
    truth = cp.values_from_z(cp.sample_z(rng, len(rows)))
    m = fm.predict(np.arange(len(rows)), truth)
    for _ in range(20):
        bad = np.isnan(m).any(axis=1)
        if not bad.any():
            break
        truth[bad] = cp.values_from_z(cp.sample_z(rng, int(bad.sum())))
        m[bad] = fm.predict(np.flatnonzero(bad), truth[bad])
    keep = ~np.isnan(m).any(axis=1)
    y = noisy(m[keep], rng)
    ids = env["building_id"].astype(str).to_numpy()[rows][keep]
    p, s = np.meshgrid(np.arange(12), np.arange(len(ids)))
    meters = pd.DataFrame({"building_id": ids[s.ravel()], "carrier": "gas", "start": months.start[p.ravel()], "end": months.end[p.ravel()],
                           "kwh": y.ravel()})
    md = read_meters(meters.assign(start=meters["start"].map(pd.Timestamp.isoformat), end=meters["end"].map(pd.Timestamp.isoformat)),
                     building_ids=b["building_id"].astype(str))
    cal = calibrate_buildings(scene, md, prepared=prep, seed=SEED)
    by_meters = write_back(scene, building_table(cal))
    after_meters = bands(by_meters)
    lines = []
    for k in before:
        for part in ("baseline", "delta"):
            w0 = before[k][part][2] - before[k][part][0]
            w1 = after_classes[k][part][2] - after_classes[k][part][0]
            w2 = after_meters[k][part][2] - after_meters[k][part][0]
            lines.append(f"{k} {part}: priors {before[k][part]} width {w0:.3g}; EPB classes {after_classes[k][part]} width {w1:.3g}; "
                         f"meters {after_meters[k][part]} width {w2:.3g}")
    print("\n".join(lines))
    share = after_classes["d_or_worse_pct"]["baseline"]
    width = {k: before[k]["baseline"][2] - before[k]["baseline"][0] for k in before}
    assert after_classes["d_or_worse_pct"]["baseline"][2] - share[0] < width["d_or_worse_pct"]
    for k in before:
        for part in ("baseline", "delta"):
            w0 = before[k][part][2] - before[k][part][0]
            w2 = after_meters[k][part][2] - after_meters[k][part][0]
            assert w2 < 0.5 * w0, (k, part)
