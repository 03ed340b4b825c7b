"""The default scenario's calibration table (scenarios/stgilles_default_calibration.parquet) is current.

``scripts/calibrate_stgilles_default.py`` writes the table and, beside it, a fingerprint of what
determines it (``stgilles_default_calibration_fingerprint_p12.json``: hashes of its inputs and a
probe of the stock model). This test recomputes the fingerprint and fails, naming what changed,
when the table is stale: re-run the script and commit the table with its fingerprint.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import warnings
from pathlib import Path

import pytest

from twin.errors import TwinWarning

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "calibrate_stgilles_default.py"


def _script():
    spec = importlib.util.spec_from_file_location("calibrate_stgilles_default_p12", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _stored(m) -> dict:
    return json.loads((m.TABLE.parent / m.FINGERPRINT_NAME).read_text(encoding="utf-8"))


def test_the_fingerprint_belongs_to_the_table_beside_it():
    m = _script()
    stored = _stored(m)
    assert stored["table_sha256"] == hashlib.sha256(m.TABLE.read_bytes()).hexdigest(), (
        f"{m.TABLE.name} was written without its fingerprint: re-run {SCRIPT.name}")


def test_the_default_calibration_table_is_current():
    m = _script()
    stored = _stored(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        current = m.fingerprint()
    reasons = m.stale_reasons(stored, current)
    assert not reasons, (f"{m.TABLE.name} is stale ({'; '.join(reasons)}): re-run scripts/{SCRIPT.name} "
                         f"(about 100 s) and commit the table with {m.FINGERPRINT_NAME}")


def test_stale_reasons_name_what_changed():
    m = _script()
    stored = {"hashes": {"a.yaml": "1", "b.csv": "2"},
              "probe": {"log_shift +0.00 sample 0: mean primary energy, kWh/m2": 250.0, "log_shift +0.00 sample 0: share d_or_worse": 0.9,
                        "log_shift +0.00 sample 0: dwellings simulated": 100}}
    assert m.stale_reasons(stored, json.loads(json.dumps(stored))) == []
    cur = json.loads(json.dumps(stored))
    cur["probe"]["log_shift +0.00 sample 0: mean primary energy, kWh/m2"] = 250.0 * (1 + 1e-7)  # last digits: not stale
    cur["probe"]["log_shift +0.00 sample 0: share d_or_worse"] = 0.9 + 1e-9
    assert m.stale_reasons(stored, cur) == []
    cur["hashes"]["b.csv"] = "3"
    cur["hashes"]["c.py"] = "4"
    cur["probe"]["log_shift +0.00 sample 0: mean primary energy, kWh/m2"] = 250.01
    cur["probe"]["log_shift +0.00 sample 0: share d_or_worse"] = 0.8995
    cur["probe"]["log_shift +0.00 sample 0: dwellings simulated"] = 99
    r = m.stale_reasons(stored, cur)
    assert r[:2] == ["b.csv changed", "c.py is a new input"]
    assert len(r) == 5 and all("probe" in x for x in r[2:])
    del cur["hashes"]["a.yaml"]
    assert "a.yaml is no longer an input" in m.stale_reasons(stored, cur)


@pytest.mark.parametrize("entry", ["hashes", "probe"])
def test_a_changed_input_makes_the_stored_table_stale(entry):
    """Every stored entry is compared: altering any one of the stored fingerprint's values is caught."""
    m = _script()
    stored = _stored(m)
    for k in stored[entry]:
        cur = json.loads(json.dumps({"hashes": stored["hashes"], "probe": stored["probe"]}))
        v = cur[entry][k]
        cur[entry][k] = (v + "0") if isinstance(v, str) else (v * 1.001 + 0.001)
        assert m.stale_reasons(stored, cur), k
