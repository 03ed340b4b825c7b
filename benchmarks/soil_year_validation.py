"""Validation figures of issue 17 for docs/soil.md, computed (not typed).

    python benchmarks/soil_year_validation.py [--output FILE] [--only SECTION ...]

Prints, as Markdown, and merges into ``benchmarks/figures/soil_year_validation.json`` (``sections``:
one entry per section, its Markdown lines; with the date, the commit, the load averages before and
after and the versions), from which ``python scripts/update_figures.py`` writes docs/soil.md's
``soil_year_validation.*`` blocks:
* FAO-56 Examples 17, 18 and 19: every printed intermediate against the chain computed from the
  example's raw data (the same checks as ``tests/test_soil_et.py``), largest deviation in units
  of the last printed digit;
* root uptake: the kernel's stress response against the NumPy reference, and a drying column's
  uptake rate against the reference at the kernel's heads (``tests/test_soil_roots.py``);
* capillary rise: steady flux against Gardner's closed form through ``twin soil column``, and a
  van Genuchten soil against quadrature (``tests/test_soil_groundwater.py``);
* the infiltration-counting convention on the Celia spec;
* the annual water balance of a district year (coarse cells; the 2 m run is in
  ``bench_soil_year.py``).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from figures_sections import run_sections  # noqa: E402 - benchmarks/figures_sections.py

OUT = REPO / "benchmarks" / "figures" / "soil_year_validation.json"


def fao56() -> list[str]:
    from twin.soil import et as E

    rows = []

    def cmp(example: str, name: str, value: float, text: str):
        dec = len(text.split(".")[1]) if "." in text else 0
        units = abs(float(value) - float(text)) / 10.0**-dec
        rows.append((example, name, text, float(value), units))

    # Example 17
    lat, j, z = math.radians(13 + 44 / 60), 105, 2.0
    tmax, tmin, ea, u2, n = 34.8, 25.6, 2.85, 2.0, 8.5
    t = (tmax + tmin) / 2
    d = E.vapour_pressure_slope_kpa_c(t)
    g = E.psychrometric_constant_kpa_c(E.atmospheric_pressure_kpa(z))
    es = E.mean_saturation_vapour_pressure_kpa(tmax, tmin)
    ra = E.extraterrestrial_radiation_daily(lat, j)
    nn = E.daylight_hours(lat, j)
    rs = E.solar_radiation_angstrom(n, nn, ra)
    rso = E.clear_sky_radiation(ra, z)
    rns = E.net_shortwave_radiation(rs)
    rnl = E.net_longwave_radiation_daily(tmax, tmin, ea, rs / rso)
    gh = E.soil_heat_flux_monthly(29.2, 30.2)
    for name, v, text in [("Delta", d, "0.246"), ("P", E.atmospheric_pressure_kpa(z), "101.3"),
                          ("gamma (at P 101.3)", E.psychrometric_constant_kpa_c(101.3), "0.0674"),
                          ("e°(Tmax)", E.saturation_vapour_pressure_kpa(tmax), "5.56"), ("e°(Tmin)", E.saturation_vapour_pressure_kpa(tmin), "3.28"),
                          ("es", es, "4.42"), ("es - ea", es - ea, "1.57"), ("Ra", ra, "38.06"), ("N", nn, "12.31"), ("Rs", rs, "22.65"),
                          ("Rso", rso, "28.54"), ("Rns", rns, "17.44"), ("Rnl", rnl, "3.11"), ("Rn", rns - rnl, "14.33"), ("G", gh, "0.14"),
                          ("ETo", E.reference_et_daily(d, rns - rnl, gh, g, t, u2, es, ea).et0_mm, "5.72")]:
        cmp("17 (monthly, Bangkok)", name, v, text)
    # Example 18
    lat, j, z = math.radians(50 + 48 / 60), 187, 100.0
    tmax, tmin = 21.5, 12.3
    t = (tmax + tmin) / 2
    d = E.vapour_pressure_slope_kpa_c(t)
    p = E.atmospheric_pressure_kpa(z)
    g = E.psychrometric_constant_kpa_c(p)
    u2 = E.wind_speed_2m(10 / 3.6, 10.0)
    es = E.mean_saturation_vapour_pressure_kpa(tmax, tmin)
    ea = E.actual_vapour_pressure_from_rh_kpa(tmax, tmin, 84.0, 63.0)
    ra = E.extraterrestrial_radiation_daily(lat, j)
    nn = E.daylight_hours(lat, j)
    rs = E.solar_radiation_angstrom(9.25, nn, ra)
    rso = E.clear_sky_radiation(ra, z)
    rns = E.net_shortwave_radiation(rs)
    rnl = E.net_longwave_radiation_daily(tmax, tmin, ea, rs / rso)
    for name, v, text in [("Delta", d, "0.122"), ("P", p, "100.1"), ("gamma", g, "0.0666"), ("u2", u2, "2.078"),
                          ("e°(Tmax)", E.saturation_vapour_pressure_kpa(tmax), "2.564"), ("e°(Tmin)", E.saturation_vapour_pressure_kpa(tmin), "1.431"),
                          ("es", es, "1.997"), ("ea", ea, "1.409"), ("es - ea", es - ea, "0.589"), ("Ra", ra, "41.09"), ("N", nn, "16.1"),
                          ("Rs", rs, "22.07"), ("Rso", rso, "30.90"), ("Rns", rns, "17.00"), ("Rnl", rnl, "3.71"), ("Rn", rns - rnl, "13.28"),
                          ("ETo", E.reference_et_daily(d, rns - rnl, 0.0, g, t, u2, es, ea).et0_mm, "3.9")]:
        cmp("18 (daily, Uccle)", name, v, text)
    # Example 19
    lat, j, z = math.radians(16 + 13 / 60), 274, 8.0
    g = E.psychrometric_constant_kpa_c(E.atmospheric_pressure_kpa(z))
    for hour, tc, rh, u2, rsh, pub in [
        (14.5, 38.0, 52.0, 3.3, 2.450, dict(e0="6.625", ea="3.445", delta="0.358", gamma="0.0673", omega="0.682", ra="3.543", rso="2.658",
                                            ratio="0.922", rns="1.887", rnl="0.137", rn="1.749", g="0.175", et0="0.63")),
        (2.5, 28.0, 90.0, 1.9, 0.0, dict(e0="3.780", ea="3.402", delta="0.220", gamma="0.0673", omega="-2.46", ra="0", rso="0",
                                          ratio="0.8", rns="0", rnl="0.100", rn="-0.100", g="-0.050", et0="0.00"))]:
        night = rsh == 0.0
        label = "19 (hourly, N'Diaye) " + ("02-03 h" if night else "14-15 h")
        e0 = E.saturation_vapour_pressure_kpa(tc)
        ea = E.hourly_actual_vapour_pressure_kpa(tc, rh)
        d = E.vapour_pressure_slope_kpa_c(tc)
        w = E.solar_time_angle_rad(hour, j, lz_deg_west=15.0, lm_deg_west=16.25)
        ra = E.extraterrestrial_radiation_period(lat, j, hour, lz_deg_west=15.0, lm_deg_west=16.25)
        rso = E.clear_sky_radiation(ra, z)
        ratio = 0.8 if night else rsh / rso
        rns = E.net_shortwave_radiation(rsh)
        rnl = E.net_longwave_radiation_hourly(tc, ea, ratio)
        rn = rns - rnl
        gh = E.soil_heat_flux_hourly(rn, not night)
        et0 = E.reference_et_hourly(d, rn, gh, g, tc, u2, e0, ea).et0_mm
        for name, v in [("e°(T)", e0), ("ea", ea), ("Delta", d), ("gamma", g), ("omega", w), ("Ra", ra), ("Rso", rso), ("Rs/Rso", ratio),
                        ("Rns", rns), ("Rnl", rnl), ("Rn", rn), ("G", gh), ("ETo", et0)]:
            key = {"e°(T)": "e0", "ea": "ea", "Delta": "delta", "gamma": "gamma", "omega": "omega", "Ra": "ra", "Rso": "rso", "Rs/Rso": "ratio",
                   "Rns": "rns", "Rnl": "rnl", "Rn": "rn", "G": "g", "ETo": "et0"}[name]
            cmp(label, name, v, pub[key])
    out = ["| example | quantity | printed | computed | deviation (units of the last printed digit) |", "|---|---|---|---|---|"]
    for ex, name, text, v, units in rows:
        out.append(f"| {ex} | {name} | {text} | {v:.6g} | {units:.2f} |")
    worst = max(rows, key=lambda r: r[4])
    out.append(f"\n{len(rows)} printed values; largest deviation {worst[4]:.2f} units of the last digit ({worst[0]}, {worst[1]}).")
    return out


def uccle_year_et() -> list[str]:
    """The hourly FAO-56 form over the Uccle TMYx year against the daily form on the same days' aggregates
    (the computation of ``tests/test_soil_et.py::test_hourly_reference_et_of_the_uccle_year_agrees_with_the_daily_form``)."""
    import pandas as pd

    from twin.ingest.epw import read_epw
    from twin.soil import et as E

    weather = read_epw(REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    hourly = E.hourly_reference_et(weather)
    d = weather.data.copy()
    d.index = d.index - pd.Timedelta(minutes=30)
    g = d.groupby(d.index.date)
    tmax, tmin = g.dry_bulb_c.max(), g.dry_bulb_c.min()
    ea = E.actual_vapour_pressure_from_dew_point_kpa(g.dew_point_c.mean())
    j = pd.to_datetime(tmax.index).day_of_year.to_numpy()
    ra = E.extraterrestrial_radiation_daily(math.radians(weather.location.latitude_deg), j)
    rs = g.ghi_w_m2.sum().to_numpy() * 0.0036
    rso = E.clear_sky_radiation(ra, weather.location.elevation_m)
    rn = E.net_shortwave_radiation(rs) - E.net_longwave_radiation_daily(tmax, tmin, ea, rs / rso)
    daily = np.asarray(E.reference_et_daily(E.vapour_pressure_slope_kpa_c((tmax + tmin) / 2), rn, 0.0,
                                            E.psychrometric_constant_kpa_c(g.pressure_pa.mean() / 1000), (tmax + tmin) / 2,
                                            E.wind_speed_2m(g.wind_speed_m_s.mean(), 10.0),
                                            E.mean_saturation_vapour_pressure_kpa(tmax, tmin), ea).et0_mm, dtype=float)
    per_day = hourly["et0_mm"].groupby((hourly.index - pd.Timedelta(minutes=30)).date).sum().to_numpy()
    rel = abs(per_day.sum() / daily.sum() - 1.0)
    r = float(np.corrcoef(per_day, daily)[0, 1])
    return [f"The Uccle TMYx year: {hourly['et0_mm'].sum():.1f} mm of hourly ETo, within {rel * 100:.1f} % of the daily form on "
            f"daily aggregates (correlation {r:.2f})."]


def roots() -> list[str]:
    from tests.test_soil_reference import ref_feddes_alpha
    from twin.kernels import soil_richards as R
    from twin.kernels import soil_roots as K
    from twin.soil.hydraulics import texture_material
    from twin.soil.roots import MM_DAY, FeddesParameters, root_density
    from twin.soil.solver import Forcing, Profile, SolverOptions, layered_profile, run_richards

    fed = FeddesParameters()
    heads = -np.logspace(-4, 3, 3000)
    worst = 0.0
    for tp in np.array([0.0, 0.5, 1.0, 2.5, 4.0, 5.0, 8.0]) * MM_DAY:
        got = np.array([K.feddes_alpha(h, K.feddes_h3(tp, fed.row()), fed.row()) for h in heads])
        want = ref_feddes_alpha(heads, tp, fed)
        worst = max(worst, float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300) * (want > 0))))
    loam = texture_material("Loam").with_air_entry(-0.02)
    prof = layered_profile([(0.0, 1.0, 0)], dz_m=0.02)
    prof = Profile(prof.z_m, prof.material, root_density(prof.z_m, 0.6))
    tp = 5.0 * MM_DAY
    times = np.arange(1, 61) * 86400.0
    res = run_richards([prof], [loam], [0], -0.5, Forcing([0.0, 60 * 86400.0], [0.0], [0.0], transpiration_m_s=[tp]), bottom="zero_flux",
                       output_times_s=times, feddes=fed, options=SolverOptions(h_critical_m=-1000.0))
    rate = res.cumulative_m[:, 0, R.C_TRANSP_RATE]
    want = np.array([np.sum(prof.node_volume_m * ref_feddes_alpha(res.h_m[o, 0], tp, fed) * prof.root_density_per_m * tp) for o in range(60)])
    rel = float(np.max(np.abs(rate - want) / want))
    return [f"* stress response, kernel vs NumPy reference, 3000 heads x 7 demands: largest relative difference {worst:.1e};",
            f"* loam drying under Tp = 5 mm/day for 60 days: uptake rate at each day vs the reference at the kernel's heads: largest "
            f"relative difference {rel:.1e}; Ta/Tp from {rate[0] / tp:.3f} (day 1) to {rate[-1] / tp:.3f} (day 60); balance "
            f"{abs(res.balance_error_m[0]):.1e} m."]


def capillary() -> list[str]:
    import tempfile

    import yaml

    spec_path = REPO / "tests" / "soil_data" / "capillary_rise_gardner.yaml"
    out = ["| surface | alpha (1/m) | table depth (m) | h_s (m) | Gardner E (mm/day) | twin, surface (mm/day) | error | twin, table | error |",
           "|---|---|---|---|---|---|---|---|---|"]
    for surface, alpha, depth, h_s in [("atmospheric", 1.0, 1.0, -2.0), ("atmospheric", 2.0, 0.6, -1.5), ("head", 1.0, 1.0, -2.0), ("head", 0.5, 2.0, -3.0)]:
        raw = yaml.safe_load(spec_path.read_text())
        raw["materials"]["gardner"]["alpha_per_m"] = alpha
        raw["bottom"]["depth_m"] = depth
        raw["layers"][0]["bottom_m"] = depth
        raw["solver"]["h_critical_m"] = h_s
        if surface == "head":
            raw["top"] = {"kind": "head", "h_m": h_s}
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "spec.yaml"
            p.write_text(yaml.safe_dump(raw))
            res = subprocess.run([sys.executable, "-m", "twin.cli.main", "soil", "column", str(p), "--json"], capture_output=True, text=True,
                                 check=True, cwd=REPO)
        rep = json.loads(res.stdout)
        t, cum = rep["times_s"], rep["cumulative_m"]
        dt = t[-1] - t[-2]
        top = -(cum["infiltration"][-1] - cum["infiltration"][-2]) / dt
        bot = -(cum["drainage"][-1] - cum["drainage"][-2]) / dt
        e = 1e-6 * (1 - math.exp(alpha * (depth + h_s))) / (math.exp(alpha * depth) - 1)
        out.append(f"| {surface} | {alpha:g} | {depth:g} | {h_s:g} | {e * 8.64e7:.3f} | {top * 8.64e7:.3f} | {top / e - 1:+.1e} | "
                   f"{bot * 8.64e7:.3f} | {bot / e - 1:+.1e} |")
    return out


def capillary_van_genuchten() -> list[str]:
    import tempfile

    import yaml
    from scipy import integrate, optimize

    from twin.soil.column import column_report, load_column_spec, prepare_column
    from twin.soil.hydraulics import texture_material

    mat = texture_material("Silt Loam").with_air_entry(-0.02)
    depth, h_s = 1.5, -5.0

    def height(e: float) -> float:
        return integrate.quad(lambda h: float(mat.k(h)) / (float(mat.k(h)) + e), h_s, 0.0, limit=400, points=[-0.02])[0]

    want = optimize.brentq(lambda e: height(e) - depth, 1e-13, 0.999 * float(mat.k(-1e-9)), xtol=1e-16, rtol=1e-12)
    spec = {"name": "vg", "materials": {"sl": {"texture": "Silt Loam", "h_e_m": -0.02}},
            "layers": [{"top_m": 0.0, "bottom_m": depth, "material": "sl"}], "grid": {"dz_top_m": 0.002, "dz_max_m": 0.01, "growth": 1.1},
            "initial": {"hydrostatic": True}, "top": {"kind": "head", "h_m": h_s}, "bottom": {"kind": "water_table", "depth_m": depth},
            "duration_s": 200 * 86400.0, "output_times_s": [199 * 86400.0, 200 * 86400.0]}
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "vg.yaml"
        p.write_text(yaml.safe_dump(spec))
        run = prepare_column(load_column_spec(p), path=p)
        rep = column_report(run, run.run())
    t, c = rep["times_s"], rep["cumulative_m"]
    dt = t[-1] - t[-2]
    top = -(c["infiltration"][-1] - c["infiltration"][-2]) / dt
    bot = -(c["drainage"][-1] - c["drainage"][-2]) / dt
    return [f"Silt loam (van Genuchten, air entry -2 cm), table at 1.5 m, surface at -5 m: quadrature of Darcy's law "
            f"{want * 8.64e7:.4f} mm/day; twin at the surface {top * 8.64e7:.4f} mm/day ({top / want - 1:+.1e}), at the table "
            f"{bot * 8.64e7:.4f} mm/day ({bot / want - 1:+.1e})."]


def infiltration_convention() -> list[str]:
    from twin.soil.column import column_report, initial_top_fill_m, load_column_spec, prepare_column

    spec = REPO / "tests" / "soil_data" / "celia1990.yaml"
    run = prepare_column(load_column_spec(spec), path=spec)
    rep = column_report(run, run.run())
    fill = initial_top_fill_m(run)
    return [f"Celia spec: infiltration {rep['totals_m']['infiltration'] * 100:.4f} cm (twin), of which the fill of the top half-cell at "
            f"t = 0 is {fill * 100:.4f} cm; infiltration_hydrus {rep['totals_m']['infiltration_hydrus'] * 100:.4f} cm."]


def district_balance() -> list[str]:
    from twin.ingest import ingest
    from twin.ingest.epw import read_epw
    from twin.soil.grid import GridOptions
    from twin.soil.year import YearOptions, run_district_year

    paths = [REPO / "data_samples" / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "landcover", "streets")]
    scene, _ = ingest(paths)
    weather = read_epw(REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    res = run_district_year(scene, weather, YearOptions(grid=GridOptions(cell_size_m=20.0, bounds=(148000.0, 168000.0, 149000.0, 169000.0))))
    b = res.balance_m3()
    return [f"Saint-Gilles at 20 m, a year after a 365-day spin-up: rain {b['rain']:.1f} m3 = interception {b['interception_evaporation']:.1f} + "
            f"soil evaporation {b['soil_evaporation']:.1f} + transpiration {b['transpiration']:.1f} + runoff {b['runoff']:.1f} + recharge "
            f"{b['recharge']:.1f} + storage change {b['storage_change']:.2f} m3; error {b['balance_error']:.2e} m3 (relative "
            f"{b['relative_error']:.1e}); sewer balance error {res.sewer.balance_error_m3():.1e} m3."]


SECTIONS = {"fao56": ("FAO-56", fao56), "uccle_year_et": ("Uccle year, hourly against daily ETo", uccle_year_et), "roots": ("Root uptake", roots), "capillary": ("Capillary rise", capillary),
            "capillary_van_genuchten": ("Capillary rise, van Genuchten", capillary_van_genuchten),
            "infiltration": ("Infiltration counting", infiltration_convention), "district_balance": ("District balance", district_balance)}  # fmt: skip
"""Section key -> (title, function returning its Markdown lines)."""


def main(argv: list[str] | None = None) -> dict:
    """Compute the sections, print them and merge them into ``--output``; returns the file's content."""
    import scipy

    def compute(key: str) -> dict:
        title, fn = SECTIONS[key]
        lines = fn()
        print(f"\n### {title}\n")
        print("\n".join(lines))
        return {"title": title, "lines": lines}

    return run_sections(argv, description=__doc__.splitlines()[0], output=OUT, sections=SECTIONS, compute=compute,
                        command="python benchmarks/soil_year_validation.py", versions={"scipy": scipy.__version__})

if __name__ == "__main__":
    main()
