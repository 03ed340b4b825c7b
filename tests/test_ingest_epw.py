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


# --------------------------------------------------------------------------- strictness: no silent wrong weather
def _edited(tmp_path, edit):
    lines = _text(UCCLE).splitlines()
    edit(lines)
    path = tmp_path / "edited.epw"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_extra_column_is_an_error_not_zero_degrees(tmp_path):
    """The issue's file: a '0' column inserted before the dry-bulb temperature was read as 0 C all year."""

    def insert(lines):
        for i in range(8, len(lines)):
            parts = lines[i].split(",")
            lines[i] = ",".join(parts[:6] + ["0"] + parts[6:])

    with pytest.raises(ParseError, match="36 fields, 35 expected") as info:
        read_epw(_edited(tmp_path, insert))
    assert "line 9" in str(info.value) and "extra column" in str(info.value)


def test_a_trailing_extra_column_is_an_error(tmp_path):
    def append(lines):
        lines[8000] += ",5"

    with pytest.raises(ParseError, match="line 8001.*36 fields"):
        read_epw(_edited(tmp_path, append))


def test_real_files_read_without_warning():
    import warnings

    from twin.errors import TwinWarning

    for name in (DENVER, UCCLE, "BEL_Brussels.064510_IWEC.epw"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", TwinWarning)
            w = read_epw(shared_path("weather", name))
        assert w.data["dry_bulb_c"].notna().all() and w.data["ghi_w_m2"].notna().all()


def test_missing_codes_become_nan_with_a_warning(tmp_path):
    from twin.errors import TwinWarning

    def edit(lines):
        for row in (10, 11, 12):
            parts = lines[8 + row].split(",")
            parts[6] = "99.9"
            parts[13] = "9999"
            lines[8 + row] = ",".join(parts)

    with pytest.warns(TwinWarning, match="dry_bulb_c 3 hours, ghi_w_m2 3 hours"):
        w = read_epw(_edited(tmp_path, edit))
    assert w.data["dry_bulb_c"].isna().sum() == 3 and w.data["ghi_w_m2"].isna().sum() == 3


@pytest.mark.parametrize(
    "field, value, name",
    [(6, "80.0", "dry_bulb_c"), (6, "-75", "dry_bulb_c"), (8, "150", "rel_humidity_pct"), (9, "5000", "pressure_pa"),
     (13, "-1", "ghi_w_m2"), (14, "2000", "dni_w_m2"), (15, "-3", "dhi_w_m2"), (20, "400", "wind_dir_deg"),
     (21, "55", "wind_speed_m_s"), (22, "12", "total_sky_cover_tenths"), (33, "-1", "precip_mm")],
)
def test_values_outside_the_data_dictionary_ranges_are_errors(tmp_path, field, value, name):
    def edit(lines):
        parts = lines[8 + 5000].split(",")
        parts[field] = value
        lines[8 + 5000] = ",".join(parts)

    with pytest.raises(ParseError) as info:
        read_epw(_edited(tmp_path, edit))
    assert info.value.field == name and info.value.obj == "line 5009"


def test_a_temperature_that_never_changes_is_an_error(tmp_path):
    def edit(lines):
        for i in range(8, len(lines)):
            parts = lines[i].split(",")
            parts[6] = "12.5"
            lines[i] = ",".join(parts)

    with pytest.raises(ParseError, match="12.5 C in every hour"):
        read_epw(_edited(tmp_path, edit))


def test_devices_and_folders_are_refused_before_reading(tmp_path):
    import os

    from twin.errors import UnsafePathError

    os.symlink("/dev/zero", tmp_path / "zero.epw")
    with pytest.raises(UnsafePathError, match="not a regular file"):
        read_epw(tmp_path / "zero.epw")
    (tmp_path / "dir.epw").mkdir()
    with pytest.raises(UnsafePathError, match="folder"):
        read_epw(tmp_path / "dir.epw")
