"""``soil.block`` that no what-if reaches is a no-effect error, not a run without a block.

Without ``soil.block.region`` a what-if gets a 3-D block only when it changes the ground cover of a
cell of the soil grid. A scenario whose what-ifs change none (green roofs only) ran with exit 0, no
block and not a word in the report. Now ``twin run`` and ``twin scenario validate`` end in one
``twin: error:`` line naming ``soil.block`` once the what-if scenes are built, before any engine
runs; ``--allow-no-effect`` runs it with a warning line and the report says that no block ran. A
what-if without a block beside one with a block is fine: the report names it. The check's ground
grids are those the soil engine then uses (no grid built twice).

Small on purpose: the street west of Place Morichar and the square's edge, 100 m x 70 m at 10 m
cells, a 6-hour storm (as tests/test_soil_block_bands_scenario.py), no Monte Carlo.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pandas as pd
import yaml

from tests.cli_harness import REPO, assert_one_line_error, run_twin

DATA = REPO / "data_samples"
FILES = [str(DATA / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover")]
BOUNDS = [148440.0, 168490.0, 148540.0, 168560.0]
ROOFS = {"name": "roofs", "modifications": [{"op": "green_roofs", "share": 0.5}]}
WOOD = {"name": "wood", "modifications": [{"op": "deseal", "select": {"where": {"name": "Place Louis Morichar - Louis Moricharplein"}},
                                           "sealed_fraction": 0.0, "cover_class": "wood"}]}  # fmt: skip
NO_BLOCK = "No 3-D block for 'roofs': the what-if changes no ground cover and <code>soil.block.region</code> is not given: no block."
"""The note as the report shows it (an option name as code, d42b8ce)."""


def _doc(whatifs: list[dict], block: dict | None = None) -> dict:
    return {
        "name": "block-no-effect",
        "inputs": {"files": FILES, "weather": str(DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")},
        "domains": ["soil"],
        "whatifs": whatifs,
        "soil": {"method": "richards", "cell_size_m": 10.0, "bounds": BOUNDS, "storm_mm": 30.0, "storm_hours": 1.0, "hours": 6.0,
                 "block": {"margin_m": 10.0, "sub": 2, "dz_m": 0.2} if block is None else block},  # no samples: no block.samples
        "uncertainty": {"samples": 0, "seed": 5, "priors": False},
    }  # fmt: skip


def _write(tmp_path: Path, doc: dict, name: str = "block.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _report(out: Path) -> str:
    import html

    return html.unescape((out / "report.html").read_text(encoding="utf-8"))


def test_a_block_no_what_if_reaches_is_refused_before_any_engine(tmp_path: Path) -> None:
    scenario = _write(tmp_path, _doc([ROOFS]))
    expected = (scenario.name, "field 'soil.block'", "no what-if of this scenario ('roofs') changes the ground cover",
                "give soil.block.region", "or drop soil.block", "--allow-no-effect")  # fmt: skip
    result = run_twin(["run", scenario, "-o", tmp_path / "out"])
    assert_one_line_error(result, contains=expected)
    assert "engines" not in result.stderr  # refused before the engines (progress lines name each step)
    assert not (tmp_path / "out").exists()
    assert_one_line_error(run_twin(["scenario", "validate", scenario]), contains=expected)


def test_allow_no_effect_runs_it_with_a_warning_and_the_report_says_so(tmp_path: Path) -> None:
    result = run_twin(["run", _write(tmp_path, _doc([ROOFS])), "-o", tmp_path / "out", "--allow-no-effect", "-q"])
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr_lines if line.startswith("twin: warning:") and "'soil.block'" in line]
    assert len(warnings) == 1 and "no 3-D block would run" in warnings[0] and "allowed by --allow-no-effect" in warnings[0]
    kpis = pd.read_csv(tmp_path / "out" / "kpis.csv")
    assert not kpis["kpi"].str.startswith("block_").any()
    assert NO_BLOCK in _report(tmp_path / "out")


def test_a_what_if_without_a_block_beside_one_with_a_block_runs_and_is_named(tmp_path: Path) -> None:
    result = run_twin(["run", _write(tmp_path, _doc([ROOFS, WOOD])), "-o", tmp_path / "out", "-q"])
    assert result.code == 0, result.stderr
    kpis = pd.read_csv(tmp_path / "out" / "kpis.csv")
    block = kpis[kpis["kpi"].str.startswith("block_")]
    assert set(block["whatif"]) == {"wood"}
    text = _report(tmp_path / "out")
    assert "<h4>wood</h4>" in text and NO_BLOCK in text


def test_a_region_or_a_cover_change_is_a_block(tmp_path: Path) -> None:
    """A given region is the block of every what-if the soil engine re-runs, green roofs too."""
    region = {"region": [148480.0, 168500.0, 148510.0, 168530.0], "sub": 2, "dz_m": 0.2}
    for doc in (_doc([ROOFS], block=region), _doc([WOOD])):
        result = run_twin(["scenario", "validate", _write(tmp_path, doc)])
        assert result.code == 0, result.stderr


def test_a_block_without_what_ifs_is_refused(tmp_path: Path) -> None:
    scenario = _write(tmp_path, _doc([]))
    assert_one_line_error(run_twin(["scenario", "validate", scenario]),
                          contains=(scenario.name, "field 'soil.block'", "runs for the what-ifs and this scenario has none"))  # fmt: skip


def test_no_block_samples_is_refused(tmp_path: Path) -> None:
    """``soil.block.samples: 0`` would leave the block KPIs without a band: refused (2 to 200)."""
    scenario = _write(tmp_path, _doc([WOOD], block={"samples": 0}))
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", scenario]),
                          contains=(scenario.name, "soil.block", "block.samples", "greater than or equal to 2"))  # fmt: skip


def test_the_engine_reuses_the_check_s_grids(monkeypatch) -> None:
    """Every soil grid of the run is built once: the check's ground grids are the engine's."""
    import twin.soil.grid as G
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    built: collections.Counter = collections.Counter()
    build = G.build_grid

    def counted(scene, options=None, *args, **kwargs):
        built[(id(scene), None if options is None else options.model_dump_json())] += 1
        return build(scene, options, *args, **kwargs)

    monkeypatch.setattr(G, "build_grid", counted)
    comparison = run_scenario(parse_scenario(_doc([ROOFS, WOOD])), base_dir=REPO / "scenarios")
    assert comparison.kpis["kpi"].str.startswith("block_").any()
    assert built and max(built.values()) == 1, built
