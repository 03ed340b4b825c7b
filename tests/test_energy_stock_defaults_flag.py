"""``twin energy run`` says how much of the floor area rests on defaults and, with ``--samples``,
gives bands on the stock totals.

* The terminal summary and ``summary.json`` carry the share of the floor area per attribute and
  source (floor area and storey height included), equal to
  :func:`twin.scene.provenance.floor_area_shares` of the scene; a stock resting mostly on
  defaults says so.
* ``--samples N --seed S``: 5th/50th/95th percentiles of the totals, reproducible from the seed;
  the central totals lie where the run without samples puts them; with a measure, the savings
  are banded on the same samples and are positive in every sample's band.
* Bad ``--samples``/``--seed``/``--priors`` are one-line errors before any work.
"""

from __future__ import annotations

import json

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import BOX_100M, EPW, write_small_district


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flag")
    return folder, write_small_district(folder, BOX_100M)


def test_energy_run_states_the_floor_area_on_defaults(small):
    from twin.ingest import ingest
    from twin.scene.provenance import BUILDING_PARAMETERS, DERIVED_PARAMETERS, floor_area_shares

    folder, buildings = small
    out = folder / "plain"
    res = run_twin(["energy", "run", buildings, "-w", EPW, "-o", out], timeout_s=300)
    assert res.code == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    scene, _ = ingest([buildings])
    want = floor_area_shares(scene.buildings, (*BUILDING_PARAMETERS, *DERIVED_PARAMETERS))
    assert list(summary["floor_area_on_defaults"]) == list(want.index)  # floor area and storey height too
    for attr, row in want.iterrows():
        assert summary["floor_area_on_defaults"][attr] == pytest.approx(row["default"], rel=1e-12)
        assert summary["floor_area_sources"][attr]["data"] == pytest.approx(row["data"], rel=1e-12, abs=1e-15)
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("floor area on defaults:"))
    assert f"construction_year {100 * want.loc['construction_year', 'default']:.1f} %" in line
    assert f"floor_area_m2 {100 * want.loc['floor_area_m2', 'default']:.1f} %" in line
    assert "rests on defaults" in res.stdout and "--samples" in res.stdout  # every year is defaulted here
    assert "monte_carlo" not in summary


def test_energy_run_samples_give_reproducible_bands(small):
    folder, buildings = small
    runs = []
    for name in ("a", "b"):
        out = folder / name
        res = run_twin(["energy", "run", buildings, "-w", EPW, "-o", out, "--samples", "12", "--seed", "5", "-m", "wall_insulation"],
                       timeout_s=300)
        assert res.code == 0, res.stderr
        runs.append((json.loads((out / "baseline" / "summary.json").read_text()), json.loads((out / "variant" / "summary.json").read_text()), res.stdout))
    (base, var, stdout), (base2, var2, _) = runs
    assert base["monte_carlo"] == base2["monte_carlo"] and var["monte_carlo"] == var2["monte_carlo"]
    mc = base["monte_carlo"]
    assert mc["samples"] == 12 and mc["seed"] == 5 and mc["priors"] == "packaged"
    heat = mc["bands"]["q_heat_mwh"]
    assert heat["p5"] < heat["p50"] < heat["p95"]
    saving = var["monte_carlo"]["saving_bands"]["q_heat_mwh"]
    assert 0 < saving["p5"] <= saving["p95"]  # insulation saves heat in every sampled stock
    assert "bands (p5-p95, 12 samples of the stock priors)" in stdout and "saving bands" in stdout


@pytest.mark.parametrize("extra, contains", [
    (["--samples", "-1"], ("--samples", "0 to 10,000")),
    (["--samples", "20000"], ("--samples",)),
    (["--samples", "2", "--seed", "-3"], ("--seed",)),
    (["--samples", "2", "--priors", "missing.yaml"], ("missing.yaml",)),
])
def test_bad_monte_carlo_options_are_one_line_errors(small, extra, contains):
    folder, buildings = small
    res = run_twin(["energy", "run", buildings, "-w", EPW, "-o", folder / "bad", *extra], timeout_s=120)
    assert_one_line_error(res, contains=contains)
    assert not (folder / "bad").exists()


def test_a_bad_prior_file_names_its_key(small, tmp_path):
    folder, buildings = small
    bad = tmp_path / "priors.yaml"
    bad.write_text("use:\n  shares: [1.0]\n")
    res = run_twin(["energy", "run", buildings, "-w", EPW, "-o", folder / "bad2", "--samples", "2", "--priors", bad], timeout_s=120)
    assert_one_line_error(res, contains=("priors.yaml", "use.shares", "list of 7 numbers"))
