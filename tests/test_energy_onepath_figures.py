"""The energy validation figures: rendered from the JSON the validation script writes, never typed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import update_figures as uf  # noqa: E402


def _figures() -> dict:
    return {
        "date": "2026-01-01 00:00 UTC",
        "command": "python scripts/energy_validation_figures.py",
        "bestest": {
            "weather": "denver.epw",
            "ranges_source": "src",
            "n_buildings_stock": 2,
            "max_rel_diff_stock_vs_spec": 1e-15,
            "cases": {
                "600": {
                    "heating_mwh": {"spec": 4.9, "stock": 4.9, "range": [4.0, 4.5], "programs_mean": 4.2, "inside": False},
                    "cooling_mwh": {"spec": 6.0, "stock": 6.0, "range": [5.4, 6.2], "programs_mean": 5.9, "inside": True},
                    "t_air_min_c": {"spec": 20.0, "stock": 20.0, "range": None, "programs_mean": None, "inside": None},
                },
                "900ff": {"t_air_min_c": {"spec": 0.0, "stock": 0.0, "range": [0.6, 2.2], "programs_mean": 1.3, "inside": False}},
            },
            "deltas": [{"case": "900", "base": "600", "quantity": "heating_mwh", "ours": -2.9, "programs_mean": -2.6}],
        },
        "tabula": {"n_buildings": 36, "ratio_min": 0.8, "ratio_max": 1.11, "ratio_median": 0.95, "film_correction": True, "weather": "u"},
    }


def test_validation_blocks_render_every_quantity_with_a_range(tmp_path):
    (tmp_path / "energy_validation.json").write_text(json.dumps(_figures()))
    page = ("| a | <!-- figures:energy_validation.bestest --><!-- /figures:energy_validation.bestest --> |\n"
            "| b | <!-- figures:energy_validation.tabula -->x<!-- /figures:energy_validation.tabula --> |\n"
            "<!-- figures:energy_validation -->\n<!-- /figures:energy_validation -->\n")
    text, names = uf.rewrite(page, figures_dir=tmp_path)
    assert names == ["energy_validation.bestest", "energy_validation.tabula", "energy_validation"]
    assert "1 of 3 quantities of 2 cases inside" in text
    assert "outside: 600 heating 4.90 (4–4.5), 900FF min air temperature 0.00 (0.6–2.2)" in text
    assert "heating need 0.80–1.11 × TABULA's `q_h_nd` (36 buildings, film correction on" in text
    assert "| 600 | heating MWh | 4.900 | 4.900 | 4.000 to 4.500 | 4.200 | no (+0.400 above) |" in text
    assert "| 900FF | min air temperature °C | 0.000 | 0.000 | 0.600 to 2.200 | 1.300 | no (−0.600 below) |" in text
    assert "| 900 - 600 | heating MWh | −2.900 | −2.600 |" in text
    assert "t_air_min_c" not in text and text.count("| 600 |") == 2  # quantities without a range are left out
    assert uf.rewrite(text, figures_dir=tmp_path)[0] == text


def test_committed_figures_use_the_ranges_the_test_asserts():
    """benchmarks/figures/energy_validation.json: every range is the one of tests/bestest_ranges_mbl.py, every case present."""
    from tests.bestest_ranges_mbl import RANGES

    data = json.loads((ROOT / "benchmarks" / "figures" / "energy_validation.json").read_text())
    cases = data["bestest"]["cases"]
    seen = {(c, q): tuple(v["range"]) for c, qs in cases.items() for q, v in qs.items() if v["range"] is not None}
    assert seen == RANGES
    assert data["bestest"]["max_rel_diff_stock_vs_spec"] <= 1e-9
    for (c, q), (lo, hi) in RANGES.items():
        v = cases[c][q]
        assert v["inside"] == (lo <= v["spec"] <= hi and lo <= v["stock"] <= hi)
        assert v["stock"] == pytest.approx(v["spec"], rel=1e-9, abs=1e-12)


def test_finer_model_block_names_what_is_outside_and_what_the_stock_front_end_refuses(tmp_path):
    data = _figures()
    data["bestest_iso52016"] = {
        "cases": {
            "600": {"heating_mwh": {"spec": 4.3, "range": [4.0, 4.5], "inside": True},
                    "peak_heating_kw": {"spec": 3.5, "range": [3.0, 3.36], "inside": False}},
            "610": {"heating_mwh": {"spec": 4.4, "range": [4.07, 4.59], "inside": True}},
        },
        "stock_max_rel_diff": {"600": 2e-15},
        "stock_refused": {"610": "the stock drivers have no window shading"},
    }
    (tmp_path / "energy_validation.json").write_text(json.dumps(data))
    page = "| f | <!-- figures:energy_validation.bestest_iso52016 --><!-- /figures:energy_validation.bestest_iso52016 --> |\n"
    text, names = uf.rewrite(page, figures_dir=tmp_path)
    assert names == ["energy_validation.bestest_iso52016"]
    assert "2 of 3 quantities of 2 cases inside the range; outside: 600 peak heating 3.500 (3–3.36)." in text
    assert "Stock front end: 1 of 2 cases, 2e-15 from the spec path; it refuses 610 " in text
    data["bestest_iso52016"]["stock_max_rel_diff"]["610"] = 3e-16
    data["bestest_iso52016"]["stock_refused"] = {}
    (tmp_path / "energy_validation.json").write_text(json.dumps(data))
    text, _ = uf.rewrite(page, figures_dir=tmp_path)
    assert "Stock front end: 2 of 2 cases, 2e-15 from the spec path<!--" in text and "refuses" not in text


def test_committed_finer_model_figures_use_the_ranges_its_test_asserts():
    """benchmarks/figures/energy_validation.json, finer model: the ranges of tests/test_energy_bestest_iso52016.py, every
    case either through the stock front end (to 1e-9 of the spec path) or refused with a reason."""
    from tests.test_energy_bestest_iso52016 import RANGES

    f = json.loads((ROOT / "benchmarks" / "figures" / "energy_validation.json").read_text())["bestest_iso52016"]
    seen = {(c, q): tuple(v["range"]) for c, qs in f["cases"].items() for q, v in qs.items()}
    assert seen == RANGES
    for (c, q), (lo, hi) in RANGES.items():
        assert f["cases"][c][q]["inside"] == (lo <= f["cases"][c][q]["spec"] <= hi)
    assert set(f["stock_max_rel_diff"]) | set(f["stock_refused"]) == set(f["cases"])
    assert not set(f["stock_max_rel_diff"]) & set(f["stock_refused"])
    assert max(f["stock_max_rel_diff"].values()) <= 1e-9


def test_solar_outputs_block_names_what_is_outside(tmp_path):
    """The README line of the BESTEST solar outputs: the count inside and each quantity outside with its range."""
    data = _figures()
    data["bestest_solar"] = {"quantities": {
        "incident south": {"value": 1367.9, "range": [1291.0, 1387.0], "mean": 1352.0, "inside": True},
        "transmitted 600 south": {"value": 826.9, "range": [804.0, 826.0], "mean": 815.0, "inside": False},
        "transmissivity 600 south": {"value": 0.604, "range": [0.587, 0.627], "mean": 0.603, "inside": True},
    }}
    (tmp_path / "energy_validation.json").write_text(json.dumps(data))
    page = "| s | <!-- figures:energy_validation.bestest_solar --><!-- /figures:energy_validation.bestest_solar --> |\n"
    text, names = uf.rewrite(page, figures_dir=tmp_path)
    assert names == ["energy_validation.bestest_solar"]
    assert "2 of 3 inside the range; outside: transmitted 600 south 826.9 (804–826)<!--" in text
    del data["bestest_solar"]
    (tmp_path / "energy_validation.json").write_text(json.dumps(data))
    with pytest.raises(uf.FiguresError, match="solar"):
        uf.rewrite(page, figures_dir=tmp_path)


def test_committed_solar_outputs_match_their_ranges():
    """benchmarks/figures/energy_validation.json: the solar outputs carry the ranges of tests/bestest_ranges_solar.py."""
    from tests.bestest_ranges_solar import INCIDENT, SHADING_COEFFICIENT, TRANSMISSIVITY, TRANSMITTED

    q = json.loads((ROOT / "benchmarks" / "figures" / "energy_validation.json").read_text())["bestest_solar"]["quantities"]
    assert len(q) == len(INCIDENT) + len(TRANSMITTED) + len(SHADING_COEFFICIENT) + len(TRANSMISSIVITY)
    for name, c in q.items():
        assert c["inside"] == (c["range"][0] <= c["value"] <= c["range"][1]), name
    assert q["transmitted 620 west"]["range"] == list(TRANSMITTED[("620", "west")][:2])
