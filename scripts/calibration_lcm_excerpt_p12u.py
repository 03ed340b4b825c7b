"""Rebuild the lcm excerpt of ``data_samples/`` (issue 12, real measured data, session p12u).

Source: the sample data of "lcm - Low Cost Monitoring" (Lucerne University of Applied Sciences
and Arts, HSLU, repository hslu-ige-laes/lcm, GPL-3.0), a monitoring application for residential
buildings whose ``sampleData/`` holds two years and a half of one residential building's central
heating:

* ``sampleData/centralHeating.csv`` (commit af687b0d51e1): ``time;energyHeatingMeter;supplyTempHeating``,
  hourly rows 2018-03-03 to 2020-09-17; the heat meter register of the heating circuit
  (``energyHeatingMeter``, kWh: read once a day at 00:00, the other hours empty);
* ``sampleData/centralOutsideTemp.csv`` (commit d35c25fdfb6e): ``time;centralOutsideTemp``, the
  building's outdoor temperature, hourly 2018-03-21 11:00 to 2020-09-17.

The clock of both files has no daylight-saving jumps (21,864 hourly steps, none of 0 or 2 h) and
the mean daily cycle peaks at 14:00 and bottoms at 04:00: read as local standard time, UTC+1
(inference, written into the time stamps).

Written here (both small):

* ``data_samples/lcm_central_heat_daily.csv``: every register reading from 2018-03-22 00:00 to
  2020-04-01 00:00, in the tidy meter format of ``docs/calibration.md`` (``carrier`` heat, ``unit``
  kWh, time stamps with ``+01:00``);
* ``data_samples/lcm_outside_temperature_daily.csv``: ``date, t_mean_c, t_max_c, t_min_c, hours``
  of every local day from 2018-03-22 to 2020-03-31: mean, maximum and minimum of the day's hourly
  values (00:00 to 23:00); a day with fewer than 20 of its 24 values gets no mean, maximum or
  minimum (the reader interpolates it and reports it).

Usage (the repository fetched as a bare git directory, or a folder holding the two CSV files)::

    .venv/bin/python scripts/calibration_lcm_excerpt_p12u.py --git /work/.mirror/hslu-ige-laes+lcm/repo
    .venv/bin/python scripts/calibration_lcm_excerpt_p12u.py --folder DIR_WITH_THE_TWO_CSV
"""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEAT_COMMIT = "af687b0d51e102d3cd725432b21ee6f6d40a9fa1"
TEMP_COMMIT = "d35c25fdfb6e902918a6c4a778577ef814758b14"
HEAT_FILE, TEMP_FILE = "sampleData/centralHeating.csv", "sampleData/centralOutsideTemp.csv"
FIRST_DAY, END_DAY = "2018-03-22", "2020-04-01"   # readings [FIRST_DAY 00:00, END_DAY 00:00], weather days [FIRST_DAY, END_DAY)
UTC_OFFSET = "+01:00"
MIN_HOURS = 20
OUT_METER = ROOT / "data_samples" / "lcm_central_heat_daily.csv"
OUT_WEATHER = ROOT / "data_samples" / "lcm_outside_temperature_daily.csv"


def _read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=";", parse_dates=["time"])


def excerpt(heat: pd.DataFrame, temp: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(meter rows, daily weather rows) of the excerpt from the two source tables."""
    first, end = pd.Timestamp(FIRST_DAY), pd.Timestamp(END_DAY)
    reg = heat.dropna(subset=["energyHeatingMeter"])
    reg = reg[(reg["time"] >= first) & (reg["time"] <= end)]
    if (reg["time"].dt.hour != 0).any() or reg["time"].duplicated().any():
        raise ValueError("register readings are expected once a day at 00:00")
    meter = pd.DataFrame({"building_id": "lcm:central", "carrier": "heat",
                          "timestamp": reg["time"].dt.strftime("%Y-%m-%dT%H:%M:%S") + UTC_OFFSET,
                          "value": reg["energyHeatingMeter"].to_numpy(float), "unit": "kWh", "meter_id": "central"})
    s = temp.set_index("time")["centralOutsideTemp"].astype(float)
    s = s[(s.index >= first) & (s.index < end)]
    day = s.index.floor("D")
    g = s.groupby(day)
    days = pd.date_range(first, end - pd.Timedelta(days=1), freq="D")
    n = g.count().reindex(days, fill_value=0)
    ok = n >= MIN_HOURS
    weather = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                            "t_mean_c": np.where(ok, g.mean().reindex(days), np.nan).round(3),
                            "t_max_c": np.where(ok, g.max().reindex(days), np.nan).round(3),
                            "t_min_c": np.where(ok, g.min().reindex(days), np.nan).round(3),
                            "hours": n.to_numpy(int)})
    return meter, weather


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git", type=Path, help="git directory of hslu-ige-laes/lcm (read at the pinned commits)")
    src.add_argument("--folder", type=Path, help="folder with centralHeating.csv and centralOutsideTemp.csv")
    a = ap.parse_args(argv)
    if a.git is not None:
        def show(commit: str, path: str) -> str:
            return subprocess.run(["git", "--git-dir", str(a.git), "show", f"{commit}:{path}"], check=True, capture_output=True,
                                  text=True).stdout
        heat, temp = _read(show(HEAT_COMMIT, HEAT_FILE)), _read(show(TEMP_COMMIT, TEMP_FILE))
    else:
        heat = _read((a.folder / Path(HEAT_FILE).name).read_text())
        temp = _read((a.folder / Path(TEMP_FILE).name).read_text())
    meter, weather = excerpt(heat, temp)
    meter.to_csv(OUT_METER, index=False)
    weather.to_csv(OUT_WEATHER, index=False, na_rep="")
    print(f"{OUT_METER.name}: {len(meter)} readings {meter['timestamp'].iloc[0]} .. {meter['timestamp'].iloc[-1]}; "
          f"{OUT_WEATHER.name}: {len(weather)} days, {int((weather['hours'] < MIN_HOURS).sum())} without a mean")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
