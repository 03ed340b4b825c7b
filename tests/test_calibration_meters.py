"""The tidy meter format: reading, documented cleaning steps, and every bad input as a clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from twin.calibration.calibrate import check_magnitudes
from twin.calibration.meters import read_meters, to_days
from twin.errors import InputError, SchemaError, TwinWarning

IDS = ["b1", "b2"]


def _monthly(**over):
    rows = []
    for b in IDS:
        for m in range(1, 4):
            rows.append({"building_id": b, "carrier": "gas", "start": f"2023-{m:02d}-01T00:00:00+01:00",
                         "end": f"2023-{m + 1:02d}-01T00:00:00+01:00", "kwh": 1000.0 * m})
    t = pd.DataFrame(rows)
    for k, v in over.items():
        t[k] = v
    return t


def test_interval_readings_in_utc_sorted():
    md = read_meters(_monthly(), building_ids=IDS)
    r = md.readings
    assert len(r) == 6 and list(r["building_id"].unique()) == IDS
    assert str(pd.DatetimeIndex(r["start"]).tz) == "UTC"
    assert pd.Timestamp(r["start"].iloc[0]) == pd.Timestamp("2022-12-31T23:00:00Z")
    assert md.report == []


def test_units_are_converted():
    t = _monthly().drop(columns="kwh")
    t["value"] = [1.0, 2.0, 3.0] * 2
    t["unit"] = ["MWh", "GJ", "Wh"] * 2
    r = read_meters(t, building_ids=IDS).readings
    np.testing.assert_allclose(r["kwh"].to_numpy()[:3], [1000.0, 2000.0 / 3.6, 3e-3])
    t["unit"] = "m3"
    with pytest.raises(InputError, match="gas-kwh-per-m3"):
        read_meters(t, building_ids=IDS)
    np.testing.assert_allclose(read_meters(t, building_ids=IDS, gas_kwh_per_m3=10.0).readings["kwh"][:3], [10.0, 20.0, 30.0])
    t["unit"] = "therm"
    with pytest.raises(InputError, match="unknown unit 'therm'"):
        read_meters(t, building_ids=IDS)


def test_unknown_buildings_error_or_dropped_and_reported():
    t = _monthly()
    t.loc[2, "building_id"] = "nowhere"
    with pytest.raises(InputError, match="building 'nowhere' is not in the scene") as e:
        read_meters(t, building_ids=IDS)
    assert "row 4" in str(e.value)  # header is line 1
    with pytest.warns(TwinWarning, match="not in the scene dropped"):
        md = read_meters(t, building_ids=IDS, unknown="drop")
    assert len(md.readings) == 5 and md.report[0]["step"] == "unknown buildings"


def test_duplicates_dropped_when_equal_error_when_different():
    t = pd.concat([_monthly(), _monthly().iloc[[1]]], ignore_index=True)
    with pytest.warns(TwinWarning, match="repeated readings"):
        md = read_meters(t, building_ids=IDS)
    assert len(md.readings) == 6 and md.report[0]["rows"] == 1
    t.loc[6, "kwh"] = 5.0
    with pytest.raises(InputError, match="two different readings .* rows 3, 8"):
        read_meters(t, building_ids=IDS)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("kwh", -3.0, "negative consumption"),
    ("kwh", "n/a", "not a finite number"),
    ("end", "2022-12-01T00:00:00+01:00", "ends .* before it starts"),
    ("carrier", "oil", "2 heating carriers"),
    ("carrier", "steam", "unknown carrier 'steam'"),
], ids=["negative", "not-a-number", "ends-before-start", "two-carriers", "unknown-carrier"])  # fmt: skip
def test_one_bad_cell_is_an_error(column, value, message):
    """The first reading with ``column`` set to ``value`` (a number column takes text as objects)."""
    t = _monthly()
    if isinstance(value, str) and pd.api.types.is_numeric_dtype(t[column]):
        t[column] = t[column].astype(object)
    t.loc[0, column] = value
    with pytest.raises(InputError, match=message):
        read_meters(t, building_ids=IDS)


def test_overlaps_error_and_gaps_are_reported_not_filled():
    t = _monthly()
    t.loc[1, "start"] = "2023-01-15T00:00:00+01:00"
    with pytest.raises(InputError, match="periods overlap"):
        read_meters(t, building_ids=IDS)
    t = _monthly().drop(index=[1]).reset_index(drop=True)
    with pytest.warns(TwinWarning, match="1 gaps between readings"):
        md = read_meters(t, building_ids=IDS)
    assert md.report[0]["step"] == "gaps" and len(md.readings) == 5


def test_missing_time_zone_is_an_error_unless_named():
    t = _monthly()
    t["start"] = t["start"].str[:19]
    t["end"] = t["end"].str[:19]
    with pytest.raises(InputError, match="no time zone"):
        read_meters(t, building_ids=IDS)
    md = read_meters(t, building_ids=IDS, tz="Europe/Brussels")
    assert md.report[0]["step"] == "time zone"
    assert pd.Timestamp(md.readings["start"].iloc[0]) == pd.Timestamp("2022-12-31T23:00:00Z")
    mixed = _monthly()
    mixed.loc[0, "start"] = mixed.loc[0, "start"][:19]
    with pytest.raises(InputError, match="has no UTC offset while others have one"):
        read_meters(mixed, building_ids=IDS)


def test_daylight_saving_gap_in_local_times_is_an_error():
    t = pd.DataFrame({"building_id": ["b1"], "carrier": ["gas"], "start": ["2023-03-26T02:30:00"], "end": ["2023-03-26T03:30:00"], "kwh": [1.0]})
    with pytest.raises(InputError, match="does not exist or repeats"):
        read_meters(t, building_ids=IDS, tz="Europe/Brussels")


def test_cumulative_registers_become_intervals_and_a_decrease_is_an_error():
    t = pd.DataFrame({"building_id": "b1", "carrier": "gas", "timestamp": [f"2023-01-0{d}T00:00:00+01:00" for d in (1, 2, 3, 4)],
                      "kwh": [100.0, 150.0, 230.0, 300.0]})
    with pytest.warns(TwinWarning, match="register readings"):
        md = read_meters(t, building_ids=IDS)
    assert md.readings["kwh"].tolist() == [50.0, 80.0, 70.0]
    t.loc[2, "kwh"] = 120.0
    with pytest.raises(InputError, match="register goes down from 150 to 120 kWh .*rows 3 and 4"):
        read_meters(t, building_ids=IDS)
    # a meter exchange: a new meter id restarts the register
    t["meter_id"] = ["m1", "m1", "m2", "m2"]
    with pytest.warns(TwinWarning):
        md = read_meters(t, building_ids=IDS)
    assert md.readings["kwh"].tolist() == [50.0, 180.0]


def test_zone_rows_and_bad_columns():
    with pytest.raises(SchemaError, match="no id column"):
        read_meters(_monthly().drop(columns="building_id"), building_ids=IDS)
    z = _monthly().drop(columns="building_id")
    z["zone"] = "*"
    md = read_meters(z.drop_duplicates("start"), building_ids=IDS, zones={"*": "all"})
    assert len(md.zones()) == 3 and len(md.buildings()) == 0
    with pytest.raises(InputError, match="zone 'north' is not in the scene"):
        read_meters(z.assign(zone="north").drop_duplicates("start"), building_ids=IDS, zones={"*": "all"})


def test_file_reading_and_unreadable_files(tmp_path):
    p = tmp_path / "m.csv"
    _monthly().to_csv(p, index=False)
    assert len(read_meters(p, building_ids=IDS).readings) == 6
    q = tmp_path / "m.parquet"
    _monthly().to_parquet(q)
    assert len(read_meters(q, building_ids=IDS).readings) == 6
    with pytest.raises(InputError, match="must end in"):
        read_meters(tmp_path / "m.txt", building_ids=IDS) if (tmp_path / "m.txt").write_text("x") else None
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="not a readable Parquet"):
        read_meters(bad, building_ids=IDS)


def test_hourly_readings_are_summed_into_whole_days_dst_included():
    # 2023-03-26 is a 23-hour day in Brussels
    hours = pd.date_range(pd.Timestamp("2023-03-24T23:00:00Z"), pd.Timestamp("2023-03-27T22:00:00Z"), freq="h", inclusive="left")
    t = pd.DataFrame({"building_id": "b1", "carrier": "gas", "start": [h.isoformat() for h in hours],
                      "end": [(h + pd.Timedelta(hours=1)).isoformat() for h in hours], "kwh": 1.0})
    t = t.drop(index=[60]).reset_index(drop=True)  # a missing hour on the third day
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        md = read_meters(t, building_ids=IDS)
    report = []
    days = to_days(md.readings, "Europe/Brussels", report)
    assert days["kwh"].tolist() == [24.0, 23.0]  # the third day is incomplete and dropped
    assert any("not fully covered" in r["detail"] for r in report)


def test_a_unit_slip_is_an_implausible_magnitude():
    md = read_meters(_monthly(), building_ids=IDS)
    check_magnitudes(md.readings, pd.Series([100.0, 100.0], index=IDS))  # 1000-3000 kWh/month on 100 m2: fine
    r = md.readings.copy()
    r["kwh"] *= 1000.0  # Wh given as kWh
    with pytest.raises(InputError, match="W per m2 of heated floor area"):
        check_magnitudes(r, pd.Series([100.0, 100.0], index=IDS))


@pytest.mark.parametrize(("columns", "hint"), [
    ({"valeu": [1.0] * 6, "unit": ["kWh"] * 6}, "column 'valeu': did you mean 'value'?"),
    ({"kWh_": [1.0] * 6}, "did you mean 'kwh'?"),
    ({"value": [1.0] * 6}, "a 'value' column needs a 'unit' column"),
])
def test_misspelt_energy_column_is_named_with_its_closest_column(tmp_path, columns, hint):
    """A meter file whose energy column is misspelt (or whose 'value' lacks its 'unit') names the
    column it probably meant (was only "no energy column")."""
    t = _monthly().drop(columns="kwh")
    for k, v in columns.items():
        t[k] = v
    path = tmp_path / "m.csv"
    t.to_csv(path, index=False)
    with pytest.raises(SchemaError, match="no energy column") as e:
        read_meters(path, building_ids=IDS)
    assert hint in str(e.value) and "m.csv" in str(e.value) and "'kwh'" in str(e.value)


def test_an_empty_meter_file_says_so_naming_the_option(tmp_path):
    """s54b: a 0-byte meter file said "not a readable CSV table: No columns to parse from file" and
    named no option."""
    path = tmp_path / "m.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty meter file \(0 bytes\)") as e:
        read_meters(path, building_ids=IDS)
    assert "m.csv" in str(e.value) and e.value.field == "--meters"


def test_check_hourly_names_a_reading_off_the_hours_of_the_weather(tmp_path) -> None:
    """twin sync update put a reading of 00:30-01:30 into the hour 00:00-01:00 without a word (s55)."""
    from twin.calibration.meters import check_hourly

    starts = pd.date_range("2023-03-20T00:30:00+01:00", periods=3, freq="h")
    table = pd.DataFrame({"start": starts, "end": starts + pd.Timedelta(hours=1), "row": [4, 2, 3]})
    mark = pd.Timestamp("2023-01-01T01:00:00+01:00")
    with pytest.raises(InputError, match="does not start on the hour of the weather") as e:
        check_hourly(table, path="r.csv", hour_mark=mark)
    assert e.value.obj == "row 2" and e.value.field == "--readings" and "from 2023-03-20T01:30:00+01:00" in e.value.message
    check_hourly(table, path="r.csv")  # without the weather's hours: not checked
    on_the_hour = table.assign(start=table["start"] - pd.Timedelta(minutes=30), end=table["end"] - pd.Timedelta(minutes=30))
    check_hourly(on_the_hour, path="r.csv", hour_mark=mark)
    longer = on_the_hour.assign(end=on_the_hour["end"] + pd.Timedelta(hours=1))
    with pytest.raises(InputError, match=r"the first from .* \(2 h\)") as e:
        check_hourly(longer, path="r.csv", hour_mark=mark)
    assert e.value.obj == "row 2"
