"""BESTEST variants of task p13f: the described night-fan flow, the Standard's air density, the warm-up.

Every case spec of ``tests/energy_data/bestest_*.yaml`` runs through the spec path of the 5R1C model
(:func:`twin.energy.spec.simulate_spec`) or, with ``--finer``, of the finer model
(:func:`twin.energy.iso52016.simulate_spec_iso52016`), once per variant; each quantity with a range
of the ASHRAE 140-2020 example programs (``tests/bestest_ranges_mbl.py``) is printed, marked OUT
when outside, with the peak hours and the count of quantities inside.

Variants (each a change of the spec files' text as read, not of the model):

* ``specs``: the specs as committed (0.5 ACH and the night fan of 1700 m3/h as site air at
  ``ventilation.air_density_kg_m3`` 1.0156, the 140-2020 description's density: 0.480 kg/s);
* ``warm8760``: ``simulation.warmup_hours`` 8760 (a whole periodic year before 1 January) instead of 720;
* ``former``: the specs before task p13f: no density key (the spec path's 0.991 kg/m3, EPW
  pressure at 20 degC) and the fan as 1703.16 m3/h of standard air (0.570 kg/s);
* ``former+fan``: ``former`` with the described fan mass flow alone (1700 x 1.0156 kg/m3 written as
  1433.9 m3/h of standard air, 1.2041 kg/m3: 0.480 kg/s), infiltration at 0.991 kg/m3;
* ``former+rho``: ``former`` with the density 1.0156 alone (infiltration and zone air), fan 0.570 kg/s.

Usage: ``python scripts/bestest_p13f.py [--finer] [variant ...]`` (Denver TMY3 from ``../shared/data``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "energy_data"


def _warm(d: dict) -> dict:
    d.setdefault("simulation", {})["warmup_hours"] = 8760
    return d


def _no_rho(d: dict) -> dict:
    d["ventilation"].pop("air_density_kg_m3", None)
    return d


def _rho(d: dict) -> dict:
    d["ventilation"]["air_density_kg_m3"] = 1.0156
    return d


def _fan(value: float, unit: str):
    def change(d: dict) -> dict:
        for fl in d["ventilation"].get("flows", []):
            fl["value"], fl["unit"] = value, unit
        return d

    return change


VARIANTS = {
    "specs": (),
    "warm8760": (_warm,),
    "former": (_no_rho, _fan(1703.16, "m3/h standard")),
    "former+fan": (_no_rho, _fan(1433.9, "m3/h standard")),
    "former+rho": (_rho, _fan(1703.16, "m3/h standard")),
}


def run(variants: list[str], finer: bool = False, changes: dict | None = None) -> dict:
    """Print one line per (variant, case); return {variant: {case: result}}.

    ``changes``: variant name -> the spec changes applied in turn (default :data:`VARIANTS`).
    """
    from tests.bestest_ranges_mbl import RANGES
    from tests.conftest import SHARED_DATA
    from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016
    from twin.energy.spec import simulate_spec
    from twin.ingest.epw import read_epw

    weather = read_epw(SHARED_DATA / "weather" / "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
    cases = sorted({c for c, _ in RANGES})
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in variants:
            out[name] = {}
            inside = total = 0
            for case in cases:
                data = yaml.safe_load((DATA / f"bestest_{case}.yaml").read_text(encoding="utf-8"))
                for change in (VARIANTS if changes is None else changes)[name]:
                    data = change(data)
                path = Path(tmp) / f"bestest_{case}.yaml"
                path.write_text(yaml.safe_dump(data), encoding="utf-8")
                spec = load_spec_iso52016(path)
                res = simulate_spec_iso52016(spec, weather) if finer else simulate_spec(spec, weather)
                out[name][case] = res
                cols = []
                for (c, q), (lo, hi) in RANGES.items():
                    if c == case:
                        ok = lo <= res[q] <= hi
                        inside += ok
                        total += 1
                        cols.append(f"{q}={res[q]:.3f}" + ("" if ok else f"(OUT {lo}..{hi})"))
                peaks = f"pkH@{res.get('peak_heating_time')} pkC@{res.get('peak_cooling_time')}"
                print(f"{'finer' if finer else '5R1C'} | {name} | {case} | " + " ".join(cols) + f" | {peaks}", flush=True)
            print(f"{'finer' if finer else '5R1C'} | {name} | inside {inside}/{total}", flush=True)
    print("load", open("/proc/loadavg").read().split()[0], flush=True)
    return out


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    run(args or list(VARIANTS), "--finer" in sys.argv)
