"""EPW reader: values against the file text, time zones, and clear errors for bad input."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import shared_path
from twin.errors import ParseError, TwinError
from twin.ingest.epw import read_epw

DENVER = "USA_CO_Denver.Intl.AP.725650_TMY3.epw"
UCCLE = "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def test_denver_values_match_the_file_text():
    path = shared_path("weather", DENVER)
    w = read_epw(path)
    lines = path.read_text().splitlines()
    first = lines[8].split(",")
    assert w.location.latitude_deg == 39.83 and w.location.tz_offset_h == -7.0
    assert len(w.data) == 8760
    assert w.data["dry_bulb_c"].iloc[0] == float(first[6])
    assert w.data["ghi_w_m2"].iloc[0] == float(first[13])
    noon = lines[8 + 12 - 1].split(",")  # hour 12 of 1 January
    assert w.data["dni_w_m2"].iloc[11] == float(noon[14])
    # interval end, fixed offset -7 h, no DST
    assert w.data.index[0] == dt.datetime(2023, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert w.data.index.tz is not None
    assert (w.data.index[1:] - w.data.index[:-1] == pd.Timedelta(hours=1)).all()
    # the file says DATA PERIODS start on a Sunday: the typical year keeps that weekday
    assert (w.data.index[0] - dt.timedelta(hours=1)).weekday() == 6
    # 999 precipitation is the missing code
    assert w.data["precip_mm"].isna().sum() == sum(float(ln.split(",")[33]) >= 999 for ln in lines[8:])


def test_uccle_location():
    w = read_epw(shared_path("weather", UCCLE))
    assert w.location.tz_offset_h == 1.0
    assert str(w.data.index.tz) == "UTC+01:00"


def _text(name: str) -> str:
    return shared_path("weather", name).read_text()


def test_missing_column_names_file_and_line(tmp_path):
    lines = _text(UCCLE).splitlines()
    parts = lines[100].split(",")
    lines[100] = ",".join(parts[:20])
    bad = tmp_path / "bad.epw"
    bad.write_text("\n".join(lines))
    with pytest.raises(ParseError) as info:
        read_epw(bad)
    msg = str(info.value)
    assert "bad.epw" in msg and "line 101" in msg and "column is missing" in msg


def test_non_numeric_value_names_the_field(tmp_path):
    lines = _text(UCCLE).splitlines()
    parts = lines[500].split(",")
    parts[6] = "warm"
    lines[500] = ",".join(parts)
    bad = tmp_path / "bad.epw"
    bad.write_text("\n".join(lines))
    with pytest.raises(ParseError, match="dry_bulb_c"):
        read_epw(bad)


def test_truncated_file(tmp_path):
    bad = tmp_path / "short.epw"
    bad.write_text("\n".join(_text(UCCLE).splitlines()[:4000]))
    with pytest.raises(ParseError, match="3992 hourly rows"):
        read_epw(bad)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_epw_raises_only_twin_errors(tmp_path, data):
    text = _text(UCCLE)
    mutation = data.draw(st.sampled_from(["truncate", "replace", "delete_line", "insert_junk", "header"]))
    if mutation == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif mutation == "replace":
        pos = data.draw(st.integers(0, len(text) - 1))
        text = text[:pos] + data.draw(st.text(min_size=1, max_size=5)) + text[pos + 1 :]
    elif mutation == "delete_line":
        lines = text.splitlines()
        del lines[data.draw(st.integers(0, len(lines) - 1))]
        text = "\n".join(lines)
    elif mutation == "insert_junk":
        lines = text.splitlines()
        lines.insert(data.draw(st.integers(0, len(lines))), data.draw(st.text(max_size=40)))
        text = "\n".join(lines)
    else:
        lines = text.splitlines()
        lines[0] = data.draw(st.text(max_size=60))
        text = "\n".join(lines)
    path = tmp_path / "m.epw"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        w = read_epw(path)
    except TwinError:
        return
    assert len(w.data) in (8760, 8784)
