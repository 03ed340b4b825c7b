"""Write the calibration table of the default scenario: Saint-Gilles' dwellings fitted to the
Region's EPB certificate class distribution (``docs/calibration.md``, "Groups fitted to an
aggregate").

The default scenario (``scenarios/stgilles_default.yaml``) names the table under
``inputs.calibration``; its report and ``kpis.csv`` then show every energy band with the priors
alone and after calibration. Rerun this script when the stock model, its priors or the scenario's
inputs change (the table is fitted to the scenario's own baseline scene and stock priors):

    .venv/bin/python scripts/calibrate_stgilles_default.py [--samples 40] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "stgilles_default.yaml"
TABLE = ROOT / "scenarios" / "stgilles_default_calibration.parquet"


def main(argv=None) -> int:
    from twin.calibration.group import calibrate_classes, load_class_targets
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.writeback import calibration_table, group_table, strip_calibration, write_back
    from twin.energy.priors import load_priors
    from twin.energy.stock import prepare_stock
    from twin.errors import TwinWarning
    from twin.scenario.runner import build_baseline
    from twin.scenario.schema import load_scenario

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=40, help="stock samples of the class fit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--out", type=Path, default=TABLE)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    sc = load_scenario(SCENARIO)
    sc = sc.model_copy(update={"inputs": sc.inputs.model_copy(update={"calibration": None})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene = strip_calibration(build_baseline(sc, SCENARIO.parent, progress=False))
        b = scene.buildings
        res = [str(g) for g in b.loc[b["use"].astype(str) == "residential", "building_id"]]
        unc = sc.uncertainty
        stock_priors = load_priors(unc.priors if isinstance(unc.priors, dict) else None)
        _, shift_prior, _ = load_calibration_priors()
        targets = load_class_targets()
        cc = calibrate_classes(scene, prepare_stock(scene), targets=targets, group_ids=res, stock_priors=stock_priors,
                               shift_prior=shift_prior, n_samples=a.samples, seed=a.seed)
    p = cc.posterior
    table = group_table(cc.group_ids, "residential", p, f"grid posterior on EPB class shares ({len(targets)} targets, {a.samples} stock samples, "
                        "the scenario's stock priors)", cc.conditional)
    calibration_table(write_back(scene, [table])).to_parquet(a.out, index=False)
    out = {"dwellings": len(cc.group_ids), "shift_p5_p50_p95": [p.p5, p.median, p.p95],
           "targets": {t.target: {"published": t.share, "priors_p5_p50_p95": cc.uncalibrated_share[t.target],
                                  "calibrated_p5_p50_p95": cc.posterior_share[t.target],
                                  "cut_p5_p50_p95": cc.conditional["cut_share"][t.target]} for t in targets},
           "sample_ess": cc.conditional["sample_ess"], "seconds": round(time.perf_counter() - t0, 1), "written": str(a.out)}
    print(json.dumps(out, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
