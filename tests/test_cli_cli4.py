"""Three command-line rough edges (helper cli4).

``twin traffic mobility --signal-split flows`` called a split the other traffic commands take
"unknown"; ``twin traffic simulate --duo-noise nan`` named the Python field ``duo_noise`` in its
message; ``twin energy run`` without a weather compiled and loaded Numba kernels (ingest, warm-up)
for seconds before saying it had none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import SAMPLES

BUILDINGS = SAMPLES / "stgilles_buildings_osm2013.geojson"


def test_mobility_says_why_it_takes_no_split_by_flows() -> None:
    """'unknown signal split 'flows'' for a split ``assign`` and ``simulate`` take: now the reason
    (signals timed once for every period, no counted flows) and what to use instead."""
    line = assert_one_line_error(run_twin(["traffic", "mobility", BUILDINGS, "--signals", "--signal-split", "flows"]),
                                 contains=("field '--signal-split': --signal-split 'flows' is not a mobility option",
                                           "reads no counted flows (--design-flows); use capacity",
                                           "twin traffic assign --scene ... --signal-split flows --design-flows"))  # fmt: skip
    assert "unknown" not in line


def test_mobility_from_python_still_refuses_an_unknown_split() -> None:
    from twin.errors import InputError
    from twin.traffic.mobility import MobilityOptions

    with pytest.raises(InputError, match="unknown signal split 'webster'; mobility runs take equal or capacity") as exc:
        MobilityOptions(signals=True, signal_split="webster").check()
    assert exc.value.field == "signal_split"


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1.5"])
def test_simulate_duo_noise_error_names_the_option_only(tmp_path: Path, value: str) -> None:
    """'field '--duo-noise': duo_noise must be ...' named the Python field; the other options of
    ``simulate`` say 'field '--dt': must be a finite number in ...'."""
    from tests.test_traffic_dynamic_cli import write_bottleneck_scenario

    write_bottleneck_scenario(tmp_path / "bottleneck")
    line = assert_one_line_error(run_twin(["traffic", "simulate", tmp_path / "bottleneck", "--duo-noise", value]),
                                 contains=(f"field '--duo-noise': must be a finite number in [0, 1], got {float(value)}",))
    assert "duo_noise" not in line


def _scene_folder_without_weather(folder: Path) -> Path:
    """A scene folder written by twin with a row of houses and no weather."""
    from tests.test_energy_stock_bad_input import row_scene
    from twin.export import write_scene

    write_scene(row_scene(2), folder)
    return folder


@pytest.mark.parametrize("case", ["input files", "scene folder", "weather not found", "csv beside parquet", "out is a file"])
def test_energy_run_bad_input_compiles_no_kernel(tmp_path: Path, case: str) -> None:
    """Without a weather the run ingested the files (compiling the geometry kernels) and loaded the
    shading kernels (warm-up) before 'no weather'; every bad input ends before any kernel: the
    empty Numba cache of the run stays empty."""
    cache = tmp_path / "numba_cache"
    cache.mkdir()
    out = tmp_path / "out"
    scene, contains = BUILDINGS, ("'--weather'", "no weather: give --weather FILE.epw")
    extra = []
    if case == "scene folder":
        scene = _scene_folder_without_weather(tmp_path / "scene")
        contains = (f"file {scene}", *contains)
    elif case == "weather not found":
        extra, contains = ["-w", tmp_path / "none.epw"], ("none.epw", "'--weather'", "not found")
    elif case == "csv beside parquet":
        extra, contains = ["--format", "parquet", "--csv"], ("'--csv'",)
    elif case == "out is a file":
        out = tmp_path / "taken.txt"
        out.write_text("not a results folder\n")
        contains = ("taken.txt", "'--out'")
    result = run_twin(["energy", "run", scene, "-o", out, "-q", *extra], env={"NUMBA_CACHE_DIR": str(cache)})
    assert_one_line_error(result, contains=contains)
    assert [p for p in cache.rglob("*") if p.is_file()] == []
