"""Write the calibration table of the default scenario: Saint-Gilles' dwellings fitted to the
Region's EPB certificate class distribution (``docs/calibration.md``, "Groups fitted to an
aggregate").

The default scenario (``scenarios/stgilles_default.yaml``) names the table under
``inputs.calibration``; its report and ``kpis.csv`` then show every energy band with the priors
alone and after calibration. Rerun this script when the stock model, its priors or the scenario's
inputs change (the table is fitted to the scenario's own baseline scene and stock priors):

    .venv/bin/python scripts/calibrate_stgilles_default.py [--samples 40] [--seed 0]

Beside the table it writes a fingerprint of what determines it
(``stgilles_default_calibration_fingerprint_p12.json``, :func:`fingerprint`): the SHA-256 of the
packaged data the stock model and the calibration read, of the scenario's input files and of the values its
``inputs``, ``uncertainty`` and ``energy`` sections set, of the group calibration's code, and a probe of the stock
model (the sampled dwellings' primary energy in standard conditions, 2 samples at 2 shifts), and
the SHA-256 of the table written. ``tests/test_calibration_default_table_p12.py`` recomputes it
and fails when the table is stale.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "stgilles_default.yaml"
TABLE = ROOT / "scenarios" / "stgilles_default_calibration.parquet"
#: The fingerprint's file name, beside the table.
FINGERPRINT_NAME = "stgilles_default_calibration_fingerprint_p12.json"

#: Packaged data read by the stock model, its priors and the class calibration (twin/data/).
PACKAGED_INPUTS = ("calibration_priors.yaml", "energy_classes_brussels.csv", "energy_factors.csv", "energy_typology_be.csv",
                   "epb_class_targets_brussels.csv", "ingest_defaults.yaml", "stock_priors.yaml", "stock_priors_heat_pump.yaml")
#: Code of the class calibration itself (the grid posterior and the table; the stock model's code is covered by the probe).
CODE_INPUTS = ("twin/calibration/group.py", "twin/calibration/writeback.py")
#: The probe: stock samples, their seed, the shifts (log of the U-value factor).
PROBE_SAMPLES, PROBE_SEED, PROBE_LOG_SHIFTS = 2, 0, (0.0, -0.5)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _scenario():
    from twin.scenario.schema import load_scenario

    sc = load_scenario(SCENARIO)
    return sc.model_copy(update={"inputs": sc.inputs.model_copy(update={"calibration": None})})


def _fit_inputs(sc):
    """(scene, residential ids, stock priors, shift prior, targets) of the default scenario."""
    from twin.calibration.group import load_class_targets
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.writeback import strip_calibration
    from twin.energy.priors import load_priors
    from twin.scenario.runner import build_baseline

    scene = strip_calibration(build_baseline(sc, SCENARIO.parent, progress=False))
    b = scene.buildings
    res = [str(g) for g in b.loc[b["use"].astype(str) == "residential", "building_id"]]
    unc = sc.uncertainty
    stock_priors = load_priors(unc.priors if isinstance(unc.priors, dict) else None)
    _, shift_prior, _ = load_calibration_priors()
    return scene, res, stock_priors, shift_prior, load_class_targets()


def fingerprint(sc=None, fit_inputs=None) -> dict:
    """What determines the default calibration table (module docstring), without the table's hash.

    ``hashes``: SHA-256 of every input, to be equal; ``probe``: the stock model's area-weighted
    mean primary energy of the dwellings (kWh/m2, standard conditions) and their floor-area share
    in the classes of each target, per probe sample and shift, to be compared within a tolerance
    (floating-point sums may differ in the last digits between machines).
    """
    from twin.calibration.group import StockForward, class_shares
    from twin.energy.stock import prepare_stock

    sc = sc if sc is not None else _scenario()
    scene, res, stock_priors, shift_prior, targets = fit_inputs if fit_inputs is not None else _fit_inputs(sc)
    files = [ROOT / "twin" / "data" / n for n in PACKAGED_INPUTS] + [ROOT / c for c in CODE_INPUTS]
    files += [Path(p) if Path(p).is_absolute() else (SCENARIO.parent / p).resolve() for p in _scenario_files(sc)]
    hashes = {str(f.resolve().relative_to(ROOT)): _sha256(f.read_bytes()) for f in files}
    # the values the scenario sets (a new schema field with a default leaves the hash alone; what a default
    # changes in the stock shows through the probe)
    hashes["scenario: inputs, uncertainty, energy"] = _sha256(json.dumps({k: getattr(sc, k).model_dump(mode="json", exclude_unset=True)
                                                                          for k in ("inputs", "uncertainty", "energy")},
                                                                         sort_keys=True, default=str).encode())
    fwd = StockForward(scene, prepare_stock(scene), stock_priors, PROBE_SAMPLES, PROBE_SEED, res)
    _, s_of_row = fwd.rows()
    probe = {}
    for x in PROBE_LOG_SHIFTS:
        r = fwd.run(float(x))
        pe, a_f, g = r["primary_energy_kwh_m2"], r["a_f_m2"], r["group"] & np.isfinite(r["primary_energy_kwh_m2"])
        for s in range(PROBE_SAMPLES):
            m = g & (s_of_row == s)
            probe[f"log_shift {x:+.2f} sample {s}: mean primary energy, kWh/m2"] = float(np.sum(pe[m] * a_f[m]) / np.sum(a_f[m]))
            probe[f"log_shift {x:+.2f} sample {s}: dwellings simulated"] = int(m.sum())
        for t in targets:
            sh = class_shares(pe, a_f, g, s_of_row, PROBE_SAMPLES, t.classes)
            for s in range(PROBE_SAMPLES):
                probe[f"log_shift {x:+.2f} sample {s}: share {t.target}"] = float(sh[s])
    return {"hashes": hashes, "probe": probe}


#: Tolerances of the probe: relative on the mean primary energy, absolute on a share.
PROBE_REL_TOL, PROBE_SHARE_ABS_TOL = 1e-6, 1e-6


def stale_reasons(stored: dict, current: dict) -> list[str]:
    """Why the table whose fingerprint is ``stored`` is not that of ``current`` (empty: current)."""
    out = []
    old_h, new_h = stored.get("hashes", {}), current["hashes"]
    out += [f"{k} changed" for k in sorted(set(old_h) & set(new_h)) if old_h[k] != new_h[k]]
    out += [f"{k} is a new input" for k in sorted(set(new_h) - set(old_h))]
    out += [f"{k} is no longer an input" for k in sorted(set(old_h) - set(new_h))]
    old_p, new_p = stored.get("probe", {}), current["probe"]
    if set(old_p) != set(new_p):
        out.append(f"probe entries differ: {sorted(set(old_p) ^ set(new_p))}")
    for k in sorted(set(old_p) & set(new_p)):
        a, b = float(old_p[k]), float(new_p[k])
        tol = PROBE_SHARE_ABS_TOL if ": share " in k else (PROBE_REL_TOL * abs(a) if "primary energy" in k else 0.0)
        if not abs(a - b) <= tol:
            out.append(f"stock model probe {k!r}: {a!r} then, {b!r} now")
    return out


def _scenario_files(sc) -> list[str]:
    i = sc.inputs
    out = [str(p) for p in (i.files or [])] + [str(p) for p in (i.sites or [])]
    if getattr(i, "weather", None):
        out.append(str(i.weather))
    return out


def main(argv=None) -> int:
    from twin.calibration.group import calibrate_classes
    from twin.calibration.writeback import calibration_table, group_table, write_back
    from twin.energy.stock import prepare_stock
    from twin.errors import TwinWarning

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=40, help="stock samples of the class fit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--out", type=Path, default=TABLE)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    sc = _scenario()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        inputs = _fit_inputs(sc)
        scene, res, stock_priors, shift_prior, targets = inputs
        cc = calibrate_classes(scene, prepare_stock(scene), targets=targets, group_ids=res, stock_priors=stock_priors,
                               shift_prior=shift_prior, n_samples=a.samples, seed=a.seed)
    p = cc.posterior
    table = group_table(cc.group_ids, "residential", p, f"grid posterior on EPB class shares ({len(targets)} targets, {a.samples} stock samples, "
                        "the scenario's stock priors)", cc.conditional)
    calibration_table(write_back(scene, [table])).to_parquet(a.out, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        fp = fingerprint(sc, inputs)
    fp = {"written_by": "scripts/calibrate_stgilles_default.py", "samples": a.samples, "seed": a.seed,
          "table_sha256": _sha256(a.out.read_bytes()), **fp}
    (a.out.parent / FINGERPRINT_NAME).write_text(json.dumps(fp, indent=1, sort_keys=True) + "\n")
    out = {"dwellings": len(cc.group_ids), "shift_p5_p50_p95": [p.p5, p.median, p.p95],
           "targets": {t.target: {"published": t.share, "priors_p5_p50_p95": cc.uncalibrated_share[t.target],
                                  "calibrated_p5_p50_p95": cc.posterior_share[t.target],
                                  "cut_p5_p50_p95": cc.conditional["cut_share"][t.target]} for t in targets},
           "sample_ess": cc.conditional["sample_ess"], "seconds": round(time.perf_counter() - t0, 1), "written": str(a.out)}
    print(json.dumps(out, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
