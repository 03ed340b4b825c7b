"""Run the energy validation (BESTEST on the spec and stock paths, TABULA typology check) and write its figures.

Writes ``benchmarks/figures/energy_validation.json``, from which ``python
scripts/update_figures.py`` writes the validation table of ``docs/energy.md`` and the energy
rows of ``README.md`` (blocks ``energy_validation``, ``energy_validation.bestest``,
``energy_validation.tabula``). The numbers are computed by the same functions the tests
assert on (``tests/test_energy_bestest.py``, ``tests/test_energy_stock_tabula.py``):

* BESTEST: every ``tests/energy_data/bestest_*.yaml`` spec through
  :func:`twin.energy.spec.simulate_spec` (one-building stock) and all of them as one stock
  (:func:`twin.energy.spec.simulate_specs`), Denver TMY3; each quantity next to the ASHRAE
  140-2020 example programs' range and mean (``tests/bestest_ranges_mbl.py``); the deltas
  between cases against the difference of the programs' means.
* BESTEST with the finer zone model (``tests/test_energy_bestest_iso52016.py``): every case
  through :func:`twin.energy.iso52016.simulate_spec_iso52016`, each quantity next to the same
  ranges; and each case given to the stock front end of that model
  (:func:`twin.energy.stock_iso52016.zone_from_spec`, then ``simulate_zones``; windows with
  overhangs or fins in the stock drivers' shaded groups), with the largest relative difference to
  the spec path, and the cases it refuses (none of the 16 since p13k) with its message.
* TABULA: the 36 Belgian reference buildings with the stock model's options (film correction
  from :class:`twin.energy.model.Conventions`), ratio to TABULA's ``q_h_nd``.

Run (about 1 min)::

    python scripts/energy_validation_figures.py && python scripts/update_figures.py
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "figures" / "energy_validation.json"


def bestest() -> dict:
    from tests.bestest_ranges_mbl import DELTAS, MEANS, RANGES, SOURCE, UNITS
    from tests.conftest import shared_path
    from tests.test_energy_bestest import DATA, DENVER
    from twin.energy.spec import load_spec, simulate_spec, simulate_specs
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path(*DENVER))
    cases = sorted(p.stem.removeprefix("bestest_") for p in DATA.glob("bestest_*.yaml"))
    specs = [load_spec(DATA / f"bestest_{c}.yaml") for c in cases]
    one = {c: simulate_spec(s, weather) for c, s in zip(cases, specs)}
    stock = dict(zip(cases, simulate_specs(specs, weather)))
    rows: dict[str, dict] = {}
    worst = 0.0
    for c in cases:
        rows[c] = {}
        for q in UNITS:
            a, b = one[c][q], stock[c][q]
            if a:
                worst = max(worst, abs(b - a) / abs(a))
            rng = RANGES.get((c, q))
            rows[c][q] = {
                "spec": a,
                "stock": b,
                "range": list(rng) if rng else None,
                "programs_mean": MEANS.get((c, q)),
                "inside": None if rng is None else bool(rng[0] <= a <= rng[1] and rng[0] <= b <= rng[1]),
            }
    deltas = []
    for case, base in DELTAS:
        if case in one and base in one:
            for q in ("heating_mwh", "cooling_mwh"):
                ours = one[case][q] - one[base][q]
                mean = MEANS.get((case, q), float("nan")) - MEANS.get((base, q), float("nan"))
                deltas.append({"case": case, "base": base, "quantity": q, "ours": ours, "programs_mean": mean})
    return {
        "weather": DENVER[1],
        "ranges_source": SOURCE,
        "cases": rows,
        "n_buildings_stock": len(cases),
        "max_rel_diff_stock_vs_spec": worst,
        "deltas": deltas,
    }


def bestest_iso52016() -> dict:
    from tests.bestest_ranges_mbl import SOURCE
    from tests.conftest import shared_path
    from tests.test_energy_bestest_iso52016 import DATA, DENVER, RANGES, simulate_cases
    from twin.energy.spec import load_spec
    from twin.energy.stock_iso52016 import simulate_zones, zone_from_spec
    from twin.errors import InputError
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path(*DENVER))
    spec_path = simulate_cases(weather)
    cases: dict[str, dict] = {}
    for (case, q), (lo, hi) in RANGES.items():
        value = float(spec_path[case][q])
        cases.setdefault(case, {})[q] = {"spec": value, "range": [lo, hi], "inside": bool(lo <= value <= hi)}
    stock: dict[str, float] = {}
    refused: dict[str, str] = {}
    for case in cases:
        spec = load_spec(DATA / f"bestest_{case}.yaml")
        try:
            zone, drivers = zone_from_spec(spec, weather)
        except InputError as exc:
            refused[case] = str(exc)
            continue
        raw = simulate_zones([zone], drivers, warmup_hours=spec.simulation.warmup_hours)
        got = {"heating_mwh": raw["heat_wh"][0] / 1e6, "cooling_mwh": raw["cool_wh"][0] / 1e6, "peak_heating_kw": raw["peak_heat_w"][0] / 1e3,
               "peak_cooling_kw": raw["peak_cool_w"][0] / 1e3, "t_air_min_c": raw["t_air_min_c"][0], "t_air_max_c": raw["t_air_max_c"][0],
               "t_air_mean_c": raw["t_air_mean_c"][0]}
        stock[case] = max(abs(float(v) - spec_path[case][k]) / max(abs(spec_path[case][k]), 1e-9) for k, v in got.items())
    return {
        "weather": DENVER[1],
        "ranges_source": SOURCE,
        "model": "twin.energy.iso52016 (interior convection tarp, glazing gap link, the specs' exterior links)",
        "cases": cases,
        "stock_max_rel_diff": stock,
        "stock_refused": refused,
    }


def bestest_solar() -> dict:
    """The BESTEST solar outputs against the 140-2020 programs' Tables B8-11..B8-15 (tests/test_energy_bestest_solar_p13g.py)."""
    from tests.bestest_ranges_solar import SOURCE
    from tests.conftest import shared_path
    from tests.test_energy_bestest_solar_p13g import DENVER, compute_solar_outputs, solar_quantities
    from twin.ingest.epw import read_epw

    quantities = solar_quantities(*compute_solar_outputs(read_epw(shared_path(*DENVER))))
    return {
        "weather": DENVER[1],
        "ranges_source": SOURCE,
        "quantities": {name: {"value": float(v), "range": [r[0], r[1]], "mean": r[2], "inside": bool(r[0] <= v <= r[1])}
                       for name, (v, r) in quantities.items()},
    }


def tabula() -> dict:
    import numpy as np
    import pandas as pd

    from tests.conftest import shared_path
    from tests.test_energy_stock_tabula import ours
    from twin.energy.model import TABULA_CONVENTIONS, envelope_from_tabula
    from twin.energy.solar import standard_drivers
    from twin.energy.typology import read_tabula
    from twin.ingest.epw import read_epw

    raw = pd.read_csv(shared_path("typology", "tabula_BE.csv"))
    env = envelope_from_tabula(read_tabula(shared_path("typology", "tabula_BE.csv")))
    w = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    ratio = ours(env, standard_drivers(w, heat_setpoint_c=np.full(len(w.data), 20.0))) / raw["q_h_nd"].to_numpy()
    return {
        "n_buildings": int(len(ratio)),
        "ratio_min": float(ratio.min()),
        "ratio_max": float(ratio.max()),
        "ratio_median": float(np.median(ratio)),
        "film_correction": bool(TABULA_CONVENTIONS.film_correction),
        "weather": "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw",
    }


def tabula_iso52016() -> dict:
    """TABULA's 36 reference buildings through the stock's finer model (the functions
    ``tests/test_energy_stock_iso52016.py`` asserts on), on the operative temperature (the stock's
    default) and on the air temperature."""
    from dataclasses import replace

    import numpy as np
    import pandas as pd

    from tests.conftest import shared_path
    from twin.energy.model import TABULA_CONVENTIONS, envelope_from_tabula
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import simulate_envelope_iso52016
    from twin.energy.typology import read_tabula
    from twin.ingest.epw import read_epw

    raw = pd.read_csv(shared_path("typology", "tabula_BE.csv"))
    env = envelope_from_tabula(read_tabula(shared_path("typology", "tabula_BE.csv")))
    w = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    drivers = standard_drivers(w, heat_setpoint_c=np.full(len(w.data), 20.0))
    out = {"n_buildings": int(len(env)), "weather": "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw", "default_control": TABULA_CONVENTIONS.control_temperature}
    # the stock's default films; then the BESTEST cases' wind-dependent exterior links (terrain city, Brussels)
    for key, control, exterior in (("operative", "operative", "fixed"), ("air", "air", "fixed"), ("operative_doe2_city", "operative", "doe2")):
        conv = replace(TABULA_CONVENTIONS, control_temperature=control, exterior_convection=exterior, terrain="city")
        res, _ = simulate_envelope_iso52016(env, drivers, conventions=conv, on_error="raise")
        ratio = res.per_building["q_heat_kwh_m2"].to_numpy() / raw["q_h_nd"].to_numpy()
        out[key] = {"ratio_min": float(ratio.min()), "ratio_max": float(ratio.max()), "ratio_median": float(np.median(ratio)),
                    "within_25_percent": int(np.sum(np.abs(ratio - 1.0) <= 0.25))}
    return out


def main() -> int:
    sys.path.insert(0, str(ROOT))
    data = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python scripts/energy_validation_figures.py",
        "bestest": bestest(),
        "bestest_iso52016": bestest_iso52016(),
        "bestest_solar": bestest_solar(),
        "tabula": tabula(),
        "tabula_iso52016": tabula_iso52016(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    b, t, f = data["bestest"], data["tabula"], data["bestest_iso52016"]
    n_in = sum(1 for c in b["cases"].values() for q in c.values() if q["inside"])
    n_all = sum(1 for c in b["cases"].values() for q in c.values() if q["inside"] is not None)
    print(f"{OUT.relative_to(ROOT)}: BESTEST {n_in}/{n_all} inside the range, stock vs spec {b['max_rel_diff_stock_vs_spec']:.1e}; "
          f"TABULA {t['ratio_min']:.2f}-{t['ratio_max']:.2f}; finer model {sum(c['inside'] for x in f['cases'].values() for c in x.values())}/"
          f"{sum(len(x) for x in f['cases'].values())} inside, stock front end {len(f['stock_max_rel_diff'])} of {len(f['cases'])} cases "
          f"(largest difference {max(f['stock_max_rel_diff'].values(), default=0.0):.1e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
