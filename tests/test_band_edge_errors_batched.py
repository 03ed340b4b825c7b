"""band_edge_errors bootstraps the KPIs of one sample count together; the numbers are those of
bootstrapping each KPI on its own (the loop below, the function as it was), to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.scenario.runner import band_edge_errors


def one_kpi_at_a_time(samples: pd.DataFrame, percentiles: tuple[float, float], *, resamples: int = 200, seed: int = 0) -> pd.DataFrame:
    """The plain path: each what-if, engine and KPI in turn, one draw of positions per sample count."""
    rng = np.random.default_rng(seed)
    lo, hi = percentiles
    rows = []
    picks: dict[int, np.ndarray] = {}
    for key, grp in samples.groupby(["whatif", "domain", "kpi"], sort=False):
        rec = dict(zip(("whatif", "domain", "kpi"), key))
        grp = grp.sort_values("sample")
        n = len(grp)
        if n not in picks:
            picks[n] = rng.integers(0, n, size=(resamples, n))
        for name in ("baseline", "delta"):
            x = grp[name].to_numpy(dtype=float)
            edges = np.percentile(x[picks[n]], [lo, hi], axis=1)
            width = float(np.percentile(x, hi) - np.percentile(x, lo))
            for e, label in zip(edges, ("lo", "hi")):
                se = float(np.std(e, ddof=1))
                rec[f"{name}_p_{label}_se"] = se
                rec[f"{name}_p_{label}_se_rel"] = se / width if width > 0 else float("nan")
        rows.append(rec)
    return pd.DataFrame(rows)


def samples_frame() -> pd.DataFrame:
    """KPIs of 12, 7 and 3 samples interleaved (an engine running fewer samples), rows shuffled,
    one KPI constant (a band of zero width), one with a NaN sample."""
    rng = np.random.default_rng(5)
    parts = []
    for whatif, domain, kpi, n in [("a", "energy", "heat", 12), ("a", "soil", "runoff", 7), ("a", "energy", "co2", 12),
                                   ("b", "energy", "heat", 12), ("b", "traffic", "vkt", 3), ("b", "soil", "runoff", 7),
                                   ("b", "soil", "flat", 7)]:
        base = rng.normal(100.0, 15.0, n)
        delta = np.zeros(n) if kpi == "flat" else rng.normal(-5.0, 2.0, n)
        parts.append(pd.DataFrame({"sample": np.arange(n), "whatif": whatif, "domain": domain, "kpi": kpi,
                                   "baseline": base, "whatif_value": base + delta, "delta": delta}))
    frame = pd.concat(parts, ignore_index=True)
    frame.loc[frame.index[(frame["kpi"] == "co2") & (frame["whatif"] == "a")][4], "delta"] = np.nan
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_batched_bootstrap_equals_one_kpi_at_a_time():
    frame = samples_frame()
    got = band_edge_errors(frame, (5.0, 95.0), resamples=50, seed=11)
    want = one_kpi_at_a_time(frame, (5.0, 95.0), resamples=50, seed=11)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["delta_p_lo_se_rel"].isna().sum() == 2  # the constant KPI and the one with a NaN sample
    assert got["baseline_p_hi_se"].gt(0).all()
