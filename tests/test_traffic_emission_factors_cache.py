"""``twin.traffic.emissions.read_factors`` parses and checks a table once per content: a caller
gets its own copy, a changed file is read and checked again."""

from __future__ import annotations

import pytest

from twin.errors import InputError
from twin.traffic.emissions import TABLE, read_factors


def test_each_caller_gets_its_own_table() -> None:
    first = read_factors()
    first.loc[:, "fleet_share"] = 0.0
    assert read_factors()["fleet_share"].sum() == pytest.approx(1.0)


def test_a_changed_file_is_read_and_checked_again(tmp_path) -> None:
    path = tmp_path / "factors.csv"
    text = TABLE.read_text()
    path.write_text(text)
    assert read_factors(path).equals(read_factors())
    lines = text.splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("nox_g_km")] = "-1"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n")
    with pytest.raises(InputError, match="nox_g_km"):
        read_factors(path)
