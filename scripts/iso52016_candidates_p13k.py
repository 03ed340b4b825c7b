"""BESTEST candidates for the three misses of the finer zone model (docs/energy_iso52016.md, "The three misses").

Each candidate changes one input of a case spec (``tests/energy_data/bestest_*.yaml``, as they were
before task p13f: the specs' ``ventilation.air_density_kg_m3`` (1.0156, added by p13f) is dropped, so
the infiltration is at the spec path's site density 0.991 kg/m3, the density of the table in
``docs/energy_iso52016.md``, "The three misses") and runs the
cases it touches through the spec path of the finer model
(:func:`twin.energy.iso52016.simulate_spec_iso52016`) or, with ``--5r1c``, of the 5R1C model
(:func:`twin.energy.spec.simulate_spec`); every quantity with a range
(``tests/bestest_ranges_mbl.py``) is printed, marked OUT when it leaves its range.

* ``fan``: the night-vent fan of 650, 650FF, 950, 950FF: the former specs' 1703.16 m3/h of standard air
  (0.570 kg/s); 1700 m3/h of site air (the 140-2020 wording, 13.12 ach); the Standard's mass flow
  1700 x 1.0156 kg/m3 (written as 1433.9 m3/h of standard air, 1.2041 kg/m3); 1409 m3/h of site
  air (MBL's encoding since May 2022).
* ``fins``: 630 and 930 with the specs' fins (roof to ground), MBL's (stopped at the sill) and none.

Usage: ``python scripts/iso52016_candidates_p13k.py fan|fins [--5r1c]`` (Denver TMY3 from
``../shared/data``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "energy_data"

FAN = {
    "former specs: 1703.16 m3/h standard (0.570 kg/s)": (1703.16, "m3/h standard"),
    "1700 m3/h site": (1700.0, "m3/h site"),
    "Standard's mass flow 1700 x 1.0156 kg/m3 (1433.9 m3/h standard)": (1433.9, "m3/h standard"),
    "MBL 1409 m3/h site": (1409.0, "m3/h site"),
}
FINS = {
    "specs: fins roof to ground": {},
    "MBL fins: stop at the sill": {"fins": {"below_m": 0.0}},
    "no fins": {"fins": None},
}


def _fan(data: dict, value: float, unit: str) -> dict:
    data["ventilation"]["flows"][0]["value"] = value
    data["ventilation"]["flows"][0]["unit"] = unit
    return data


def _fins(data: dict, change: dict) -> dict:
    for win in data["windows"]:
        for key, val in change.items():
            if val is None:
                win.pop(key, None)
            else:
                win[key].update(val)
    return data


def run(which: str, five_r1c: bool = False) -> list[str]:
    """Print and return one line per (candidate, case)."""
    from tests.bestest_ranges_mbl import RANGES
    from tests.conftest import SHARED_DATA
    from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016
    from twin.energy.spec import simulate_spec
    from twin.ingest.epw import read_epw

    weather = read_epw(SHARED_DATA / "weather" / "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
    if which == "fan":
        cands = {name: (lambda d, v=v: _fan(d, *v)) for name, v in FAN.items()}
        cases = ("650", "650ff", "950", "950ff")
    else:
        cands = {name: (lambda d, c=c: _fins(d, c)) for name, c in FINS.items()}
        cases = ("630", "930")
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, change in cands.items():
            for case in cases:
                data = yaml.safe_load((DATA / f"bestest_{case}.yaml").read_text(encoding="utf-8"))
                data["ventilation"].pop("air_density_kg_m3", None)  # the specs before p13f
                data = change(data)
                path = Path(tmp) / f"bestest_{case}.yaml"
                path.write_text(yaml.safe_dump(data), encoding="utf-8")
                spec = load_spec_iso52016(path)
                res = simulate_spec(spec, weather) if five_r1c else simulate_spec_iso52016(spec, weather)
                cols = []
                for (c, q), (lo, hi) in RANGES.items():
                    if c == case:
                        cols.append(f"{q}={res[q]:.3f}" + ("" if lo <= res[q] <= hi else f"(OUT {lo}..{hi})"))
                line = f"{'5R1C' if five_r1c else 'finer'} | {name} | {case} | " + " ".join(cols)
                print(line, flush=True)
                lines.append(line)
    print("load", open("/proc/loadavg").read().split()[0])
    return lines


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "fan", "--5r1c" in sys.argv)
