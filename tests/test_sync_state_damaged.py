"""A damaged or hand-edited sync state is refused by :func:`twin.calibration.sync.load_state` with
one InputError naming the file and ``STATE`` (the argument of ``twin sync update`` / ``forecast``),
before a model is built.

Before: a NaN ensemble was forecast as a number (exit 0), a truncated archive was a BadZipFile
traceback, a meta without ``next_time`` a KeyError, a meta that is a JSON list a TypeError and an
unreadable ``next_time`` a DateParseError.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.calibration.sync import STATE_FIELD, load_state
from twin.errors import InputError

META = {"next_time": "2023-01-15 00:00:00+01:00", "days": 0, "seed": 0, "inflation": 1.03, "drift_z": 0.02, "windows": 6,
        "noise": [0.05, 0.0, 1.0], "building_id": ["a", "b"], "carriers": ["gas", "gas"], "carrier_from_meter": [False, False],
        "version": 1, "written_by": "twin sync"}


def _write(path: Path, *, z=None, theta=None, meta=META) -> Path:
    buf = io.BytesIO()
    pd.DataFrame({"building_id": ["a", "b"]}).to_parquet(buf, index=False)
    z = np.ones((2, 4, 4)) if z is None else z
    theta = np.ones((2, 4)) if theta is None else theta
    with open(path, "wb") as f:
        np.savez(f, z=z, theta_m=theta, meta=np.array(json.dumps(meta)), env=np.frombuffer(buf.getvalue(), dtype=np.uint8),
                 shade=np.zeros((0, 0, 0)))
    return path


class ModelBuilt(Exception):
    """The state passed every check: load_state went on to build its model."""


def _make_model(*args):
    raise ModelBuilt


def test_a_sound_state_reaches_the_model(tmp_path: Path) -> None:
    with pytest.raises(ModelBuilt):
        load_state(_write(tmp_path / "s.npz"), None, _make_model)


def _damaged(tmp_path: Path, case: str) -> Path:
    path = tmp_path / "s.npz"
    if case == "truncated":
        raw = _write(path).read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
        assert not zipfile.is_zipfile(path)
        return path
    z, theta = np.ones((2, 4, 4)), np.ones((2, 4))
    meta = dict(META)
    if case == "nan ensemble":
        z[1, 2, 0] = np.nan
    elif case == "inf ensemble":
        z[0, 0, 3] = -np.inf
    elif case == "meta a list":
        meta = [1, 2]
    elif case == "meta without next_time":
        del meta["next_time"]
    elif case == "next_time not a time":
        meta["next_time"] = "tomorrow"
    elif case == "next_time without offset":
        meta["next_time"] = "2023-01-15 00:00:00"
    elif case == "nan inflation":
        meta["inflation"] = float("nan")
    elif case == "carriers of another scene":
        meta["carriers"] = ["gas"]
    return _write(path, z=z, theta=theta, meta=meta)


@pytest.mark.parametrize(("case", "text"), [
    ("truncated", "BadZipFile"),
    ("nan ensemble", "1 values of its ensemble (z) are not finite"),
    ("inf ensemble", "1 values of its ensemble (z) are not finite"),
    ("meta a list", "meta is a JSON list"),
    ("meta without next_time", "lacks next_time"),
    ("next_time not a time", "tomorrow"),
    ("next_time without offset", "no UTC offset"),
    ("nan inflation", "not a finite number"),
    ("carriers of another scene", "1 carriers for 2 buildings"),
])
def test_a_damaged_state_is_one_input_error_naming_state(tmp_path: Path, case: str, text: str) -> None:
    path = _damaged(tmp_path, case)
    with pytest.raises(InputError) as err:
        load_state(path, None, _make_model)
    message = str(err.value)
    assert err.value.field == STATE_FIELD == "STATE"
    assert str(path) in message and "not a sync state written by twin sync" in message and text in message
