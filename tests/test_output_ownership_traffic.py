"""Traffic outputs replace only a file of their own kind (:func:`twin.traffic.output_files.check_replace`).

``twin traffic assign --output X.csv`` (and every other traffic table output) replaced any CSV or
Parquet, a meters table the user did not pass in included (exit 0, the readings lost). Now a
traffic Parquet records ``twin_written_by: twin traffic`` in its key-value metadata and an existing
Parquet that records another writer, or none, is refused; an existing CSV is replaced only when its
record beside it (``.NAME.twin-written.json``) holds the SHA-256 of its bytes (it was: exactly the
header about to be written, then the key columns it starts with; now before any work,
tests/test_traffic_outputs_staged.py and tests/test_traffic_outputs_safe.py); a
``--map`` replaces only an image of its kind. Each
refusal is one ``twin: error:`` line and leaves the file byte-identical; a command still replaces
its own earlier output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def net() -> Path:
    return shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")


def assign(net: Path, output: Path):
    return run_twin(["traffic", "assign", "--net", net, "--trips", net.with_name("SiouxFalls_trips.tntp"), "--output", output, "-q"], timeout_s=600)


def meters_frame() -> pd.DataFrame:
    return pd.DataFrame({"meter_id": ["m1", "m2"], "timestamp": ["2023-01-15T00:00", "2023-01-15T01:00"], "kwh": [1.5, 2.25]})


def test_assign_csv_over_a_meters_table_refused_and_kept(net: Path, tmp_path: Path) -> None:
    target = tmp_path / "readings.csv"
    meters_frame().to_csv(target, index=False)
    before = target.read_bytes()
    line = assert_one_line_error(assign(net, target), contains=("--output", "readings.csv", "meter_id"))
    assert "not an earlier result of twin traffic" in line
    assert target.read_bytes() == before


def test_assign_csv_replaces_its_own_earlier_output(net: Path, tmp_path: Path) -> None:
    target = tmp_path / "flows.csv"
    first = assign(net, target)
    assert first.code == 0, first.stderr
    again = assign(net, target)  # recognised by its record (the SHA-256 of what twin wrote), replaced
    assert again.code == 0, again.stderr
    assert len(target.read_text().splitlines()) > 1


@pytest.mark.parametrize("writer", [None, "twin sync"])
def test_assign_parquet_over_another_parquet_refused_and_kept(net: Path, tmp_path: Path, writer: str | None) -> None:
    target = tmp_path / "readings.parquet"
    table = pa.Table.from_pandas(meters_frame(), preserve_index=False)
    if writer is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"twin_written_by": writer.encode()})
    pq.write_table(table, target)
    before = target.read_bytes()
    assert_one_line_error(assign(net, target), contains=("--output", "readings.parquet", "Parquet"))
    assert target.read_bytes() == before


def test_assign_parquet_is_tagged_and_replaces_its_own(net: Path, tmp_path: Path) -> None:
    target = tmp_path / "flows.parquet"
    first = assign(net, target)
    assert first.code == 0, first.stderr
    assert (pq.read_schema(target).metadata or {}).get(b"twin_written_by") == b"twin traffic"
    again = assign(net, target)
    assert again.code == 0, again.stderr
    assert pq.read_table(target).num_rows > 0


def test_skims_parquet_over_an_untagged_parquet_refused(net: Path, tmp_path: Path) -> None:
    target = tmp_path / "readings.parquet"
    meters_frame().to_parquet(target, index=False)
    before = target.read_bytes()
    assert_one_line_error(run_twin(["traffic", "skims", "--net", net, "--output", target], timeout_s=600), contains=("--output", "readings.parquet"))
    assert target.read_bytes() == before


def test_map_replaces_an_image_of_its_kind_only(tmp_path: Path) -> None:
    from twin.errors import OutputError
    from twin.traffic.dynamic_commands import MAP_SUFFIXES, check_output

    png = tmp_path / "map.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    check_output(png, MAP_SUFFIXES, "--map")  # an earlier map: replaced
    svg = tmp_path / "map.svg"
    svg.write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>\n')
    check_output(svg, MAP_SUFFIXES, "--map")
    other = tmp_path / "readings.png"
    meters_frame().to_csv(other, index=False)
    with pytest.raises(OutputError, match="--map.*not a PNG image|not a PNG image.*--map|readings.png"):
        check_output(other, MAP_SUFFIXES, "--map")
