"""TABULA typology table, type/period mapping with fallbacks, provenance and overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from twin.errors import InputError, SchemaError


def test_packaged_table_is_tidy_tabula_of_the_shared_file():
    """twin/data/energy_typology_be.csv is exactly what tidy_tabula makes of TABULA's rows."""
    from twin.energy.typology import load_typology, read_tabula

    fresh = read_tabula(shared_path("typology", "tabula_BE.csv"))
    packaged = load_typology()
    assert list(packaged.columns) == list(fresh.columns)
    num = [c for c in fresh.columns if pd.api.types.is_numeric_dtype(fresh[c])]
    np.testing.assert_allclose(packaged[num].to_numpy(float), fresh[num].to_numpy(float), rtol=1e-9)
    assert (packaged["tabula_code"] == fresh["tabula_code"]).all()


def test_tidy_values_of_a_known_row():
    """BE.N.SFH.01 (<= 1945): U roof/wall/window 1.7/2.2/5.0, floor b = 0.5 (SOURCE.md)."""
    from twin.energy.typology import load_typology

    t = load_typology().set_index("tabula_code")
    r = t.loc["BE.N.SFH.01.Gen.ReEx.001.001"]
    assert r["building_class"] == "SFH" and r["period"] == 1
    assert r["u_wall_w_m2k"] == pytest.approx((2.2 * 228.84767656251475 + 1.3253012048192772 * 26.9258631729876) / (228.84767656251475 + 26.9258631729876))
    assert r["u_window_w_m2k"] == 5.0
    assert r["b_floor"] == 0.5
    assert r["q_h_nd_kwh_m2"] == pytest.approx(279.98, abs=0.01)


def test_read_tabula_rejects_other_tables(tmp_path):
    from twin.energy.typology import read_tabula

    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError) as exc:
        read_tabula(bad)
    assert "x.csv" in str(exc.value) and "Code_BuildingVariant" in str(exc.value)
    with pytest.raises(InputError):
        read_tabula(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    "year,period",
    [(1880, 1), (1945, 1), (1946, 2), (1970, 2), (1971, 3), (1990, 3), (1991, 4), (2005, 4), (2006, 5), (2011, 5), (2012, 6), (2030, 6)],
)
def test_period_of_year(year, period):
    from twin.energy.typology import load_typology, period_of_year

    assert period_of_year(np.array([year]), load_typology())[0] == period


def test_classify_by_neighbours_storeys_and_area():
    from twin.energy.typology import classify

    cls, sub = classify(
        n_storeys=np.array([2, 2, 3, 4, 3, 5, 9]),
        floor_area_m2=np.array([200, 200, 240, 300, 600, 1500, 5000]),
        n_neighbours=np.array([0, 1, 2, 2, 2, 1, 0]),
    )
    assert list(cls) == ["SFH", "TH", "TH", "MFH", "MFH", "MFH", "AB"]
    assert list(sub) == ["Gen", "Semi", "Gen", "Small", "Small", "Gen", "Gen"]


def _buildings(**cols):
    n = len(next(iter(cols.values())))
    base = {
        "building_id": [f"b{i}" for i in range(n)],
        "use": ["residential"] * n,
        "construction_year": [np.nan] * n,
        "n_storeys": [3] * n,
        "floor_area_m2": [240.0] * n,
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_assign_typology_fallbacks_and_sources():
    from twin.energy.typology import PARAMETERS, assign_typology

    b = _buildings(
        construction_year=[1900, np.nan, 1930, 1960],
        n_storeys=[3, 3, 9, 3],
        floor_area_m2=[240.0, 240.0, 5000.0, 240.0],
        use=["residential", "residential", "residential", "office"],
    )
    out = assign_typology(b, np.array([2, 2, 0, 1]))
    assert list(out["tabula_code"]) == [
        "BE.N.TH.01.Gen.ReEx.001.001",
        "BE.N.TH.01.Gen.ReEx.001.001",
        "BE.N.AB.02.Gen.ReEx.001.001",  # AB has no period 01: nearest period
        "BE.N.TH.02.Semi.ReEx.001.001",
    ]
    assert out["typology_source"].iloc[0] == "exact"
    assert "default year" in out["typology_source"].iloc[1]
    assert "nearest period" in out["typology_source"].iloc[2]
    assert "non-residential use" in out["typology_source"].iloc[3]
    for p in PARAMETERS:
        assert out[f"{p}_source"].str.startswith("TABULA").all(), p
        assert np.isfinite(out[p]).all(), p


def test_assign_typology_matches_a_plain_loop_per_building():
    """Keys, notes and sources looked up per distinct key equal a lookup per building."""
    from twin.energy.typology import DEFAULT_YEAR, PARAMETERS, _lookup, assign_typology, classify, load_typology, period_of_year

    rng = np.random.default_rng(7)
    n = 400
    year = rng.choice([1890.0, 1935.0, 1950.0, 1975.0, 1990.0, 2010.0, np.nan], n)
    b = _buildings(
        construction_year=year,
        n_storeys=rng.integers(1, 12, n).astype(float),
        floor_area_m2=rng.uniform(40.0, 3000.0, n),
        use=rng.choice(["residential", "House", "", "office", None, "apartments", "retail"], n),
    )
    nb = rng.integers(0, 4, n)
    out = assign_typology(b, nb)
    table = load_typology()
    y = np.where(np.isfinite(year), year, DEFAULT_YEAR)
    period = period_of_year(y, table)
    cls, sub = classify(b["n_storeys"].to_numpy(), b["floor_area_m2"].to_numpy(), nb.astype(float))
    for i in range(n):
        row, how = _lookup(table, cls[i], sub[i], int(period[i]))
        notes = [how] + (["default year"] if np.isnan(year[i]) else [])
        use = b["use"].iloc[i]
        if not isinstance(use, str) or use.lower() not in ("residential", "", "house", "apartments", "dwelling"):
            notes.append("non-residential use")
        assert out["typology_source"].iloc[i] == "; ".join(notes), i
        assert out["tabula_code"].iloc[i] == table["tabula_code"].iloc[row], i
        for p in PARAMETERS:
            assert out[p].iloc[i] == table[p].iloc[row], (i, p)
            assert out[f"{p}_source"].iloc[i] == table["source"].iloc[row], (i, p)
    assert set(out["typology_source"]) > {"exact"}  # several notes and fallbacks occur


def test_overrides_by_building_and_by_type():
    from twin.energy.typology import apply_overrides, assign_typology

    b = _buildings(construction_year=[1900, 1900, 1960])
    params = assign_typology(b, np.array([2, 2, 2]))
    by_type = pd.DataFrame({"tabula_code": ["BE.N.TH.01.Gen.ReEx.001.001"], "u_wall_w_m2k": [1.0]})
    out = apply_overrides(params, by_type)
    assert list(out["u_wall_w_m2k"][:2]) == [1.0, 1.0] and out["u_wall_w_m2k"][2] != 1.0
    assert out["u_wall_w_m2k_source"][0].startswith("user (tabula_code=")
    # a building-level value wins over the type-level one
    both = pd.DataFrame({"tabula_code": ["BE.N.TH.01.Gen.ReEx.001.001", None], "building_id": [None, "b1"], "u_wall_w_m2k": [1.0, 0.3]})
    out = apply_overrides(params, both)
    assert list(out["u_wall_w_m2k"][:2]) == [1.0, 0.3]
    assert out["u_wall_w_m2k_source"][1] == "user (building_id=b1)"
    # mapping form
    out = apply_overrides(params, {"b2": {"n_air_inf_1_h": 0.1}})
    assert out["n_air_inf_1_h"][2] == 0.1 and out["n_air_inf_1_h_source"][2].startswith("user")


def test_bad_overrides_name_the_problem():
    from twin.energy.typology import apply_overrides, assign_typology

    params = assign_typology(_buildings(construction_year=[1900]), np.array([2]))
    with pytest.raises(InputError, match="unknown parameter") as exc:
        apply_overrides(params, {"b0": {"u_wal": 1.0}})
    assert exc.value.field == "u_wal"
    with pytest.raises(InputError, match="matches no building"):
        apply_overrides(params, pd.DataFrame({"building_id": ["nope"], "u_wall_w_m2k": [1.0]}))
    with pytest.raises(InputError, match="not a number"):
        apply_overrides(params, {"b0": {"u_wall_w_m2k": "thick"}})
