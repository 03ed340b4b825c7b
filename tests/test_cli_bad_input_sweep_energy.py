"""Bad-input sweep of ``twin energy run``: a ``--seed`` without ``--samples`` ran the central
stock (exit 0) as if the seed had been used, while ``--priors`` without ``--samples`` was already
an error. Both change nothing without samples: one ``twin: error:`` line, exit 2, before the run.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_harness import REPO, assert_one_line_error, run_twin

BUILDINGS = REPO / "data_samples" / "stgilles_buildings_osm2013.geojson"
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def test_seed_without_samples_is_refused_before_the_run(tmp_path: Path) -> None:
    out = tmp_path / "energy"
    result = run_twin(["energy", "run", BUILDINGS, "-w", EPW, "--seed", "7", "-o", out, "-q"])
    assert_one_line_error(result, contains=("'--seed'", "seed 7", "without --samples"))
    assert not out.exists()


def test_seed_with_samples_zero_is_refused(tmp_path: Path) -> None:
    result = run_twin(["energy", "run", BUILDINGS, "-w", EPW, "--samples", "0", "--seed", "3", "-o", tmp_path / "e", "-q"])
    assert_one_line_error(result, contains=("'--seed'", "without --samples"))


def test_unknown_measure_is_refused_with_the_closest_id_before_the_run(tmp_path: Path) -> None:
    # was: the scene read and the envelope built, then "field 'measure': unknown measure" from the library
    out = tmp_path / "energy"
    result = run_twin(["energy", "run", BUILDINGS, "-w", EPW, "-m", "roof_insulation", "-m", "wall_insulaton", "-o", out, "-q"])
    assert_one_line_error(result, contains=("'--measure'", "'wall_insulaton'", "did you mean 'wall_insulation'", "packaged measure table"))
    assert not out.exists()


def test_csv_beside_format_parquet_is_refused_before_the_run(tmp_path: Path) -> None:
    # was: --format parquet --csv wrote CSV tables, exit 0 (the --csv flag silently won)
    out = tmp_path / "energy"
    result = run_twin(["energy", "run", BUILDINGS, "-w", EPW, "--format", "parquet", "--csv", "-o", out, "-q"])
    assert_one_line_error(result, contains=("'--csv'", "--format parquet", "give one of them"))
    assert not out.exists()
