"""Determinism and the Monte Carlo draws.

* The same scenario and seed give identical KPIs, bands, samples and per-building deltas, in
  this process (scenes rebuilt from the files) and in a fresh ``twin run`` process with another
  hash seed.
* Another seed gives other samples, another random renovation set and other bands.
* The draws follow the declared distributions (moments against their closed forms).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from tests.scenario_helpers import BOX_100M, EPW, write_small_district
from twin.scenario.runner import draw_samples, run_scenario
from twin.scenario.schema import parse_scenario


def scenario_doc(buildings, seed: int, samples: int = 4) -> dict:
    return {
        "name": "determinism",
        "inputs": {"files": [str(buildings)], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "wave", "modifications": [
            {"op": "renovate", "select": {"fraction": 0.5}, "measures": ["wall_insulation", "roof_insulation"]}]}],
        "uncertainty": {"samples": samples, "seed": seed, "parameters": [
            {"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 1.0}]},
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("determinism")
    buildings = write_small_district(folder, BOX_100M)
    a = run_scenario(parse_scenario(scenario_doc(buildings, 11)), base_dir=folder)
    b = run_scenario(parse_scenario(scenario_doc(buildings, 11)), base_dir=folder)
    c = run_scenario(parse_scenario(scenario_doc(buildings, 12)), base_dir=folder)
    return folder, buildings, a, b, c


def renovated(comparison) -> set[str]:
    d = comparison.deltas("wave", "energy")
    return set(d.loc[d["investment_eur_delta"] > 0, "building_id"])


@pytest.mark.slow
def test_same_seed_identical_results(runs):
    _, _, a, b, _ = runs
    pd.testing.assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    pd.testing.assert_frame_equal(a.samples, b.samples, check_exact=True)
    pd.testing.assert_frame_equal(a.deltas("wave", "energy"), b.deltas("wave", "energy"), check_exact=True)
    assert a.applied == b.applied
    assert "delta_p_lo" in a.kpis and a.kpis["delta_p_lo"].notna().all()


@pytest.mark.slow
def test_other_seed_other_samples(runs):
    _, _, a, _, c = runs
    sa, sc = a.samples, c.samples
    assert len(sa) == len(sc)
    assert not np.allclose(sa["delta"].to_numpy(), sc["delta"].to_numpy())
    assert renovated(a) != renovated(c)  # the 50 % wave picks other buildings
    assert len(renovated(a)) == len(renovated(c)) == a.applied["wave"][0]["buildings"]
    heat = lambda comp: comp.kpis.set_index("kpi").loc["heating_need_mwh"]  # noqa: E731
    assert heat(a)["delta_p_lo"] != heat(c)["delta_p_lo"]
    assert heat(a)["baseline"] == heat(c)["baseline"]  # the baseline does not depend on the seed


@pytest.mark.slow
def test_fresh_process_gives_identical_kpis(runs, tmp_path):
    folder, buildings, a, _, _ = runs
    path = folder / "determinism.yaml"  # beside its inputs (inputs must stay in the scenario's folder)
    path.write_text(yaml.safe_dump(scenario_doc(buildings, 11)))
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "twin.cli.main", "run", str(path), "-o", str(out), "-q"],
                          capture_output=True, text=True, env=env, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kpis = pd.read_parquet(out / "outputs" / "kpis.parquet")
    pd.testing.assert_frame_equal(kpis, a.kpis, check_exact=True)


def unc_doc(parameter: dict, n: int = 4000, seed: int = 3) -> dict:
    return {"name": "draws", "inputs": {"files": ["x.geojson"]}, "uncertainty": {"samples": n, "seed": seed, "parameters": [parameter]}}


def test_draws_are_reproducible_and_seeded():
    p = {"name": "energy.heating_setpoint_c", "dist": "uniform", "low": 18.0, "high": 22.0}
    a = draw_samples(parse_scenario(unc_doc(p, 50, 1)))
    b = draw_samples(parse_scenario(unc_doc(p, 50, 1)))
    c = draw_samples(parse_scenario(unc_doc(p, 50, 2)))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not np.allclose(a.to_numpy(), c.to_numpy())


@pytest.mark.parametrize(
    "parameter, mean, sd",
    [
        ({"dist": "normal", "mean": 20.0, "sd": 1.0}, 20.0, 1.0),
        ({"dist": "uniform", "low": 18.0, "high": 22.0}, 20.0, 4.0 / np.sqrt(12.0)),
        ({"dist": "triangular", "low": 18.0, "mode": 19.0, "high": 23.0}, 20.0, np.sqrt((18**2 + 19**2 + 23**2 - 18 * 19 - 18 * 23 - 19 * 23) / 18.0)),
        # declared by its own mean and standard deviation (not those of the log)
        ({"dist": "lognormal", "mean": 20.0, "sd": 2.0}, 20.0, 2.0),
    ],
)
def test_draws_follow_the_declared_distribution(parameter, mean, sd):
    n = 4000
    s = draw_samples(parse_scenario(unc_doc({"name": "energy.heating_setpoint_c", **parameter}, n)))["energy.heating_setpoint_c"].to_numpy()
    # sample mean within 4 standard errors, sample sd within 8 %
    assert abs(s.mean() - mean) < 4 * sd / np.sqrt(n)
    assert s.std(ddof=1) == pytest.approx(sd, rel=0.08)
    if parameter["dist"] in ("uniform", "triangular"):
        assert s.min() >= parameter["low"] and s.max() <= parameter["high"]
    if parameter["dist"] == "lognormal":
        assert s.min() > 0
        # the log of a lognormal is normal: Kolmogorov-Smirnov against the closed-form parameters
        sigma2 = np.log(1 + (sd / mean) ** 2)
        assert stats.kstest(np.log(s), "norm", args=(np.log(mean) - sigma2 / 2, np.sqrt(sigma2))).pvalue > 1e-3
