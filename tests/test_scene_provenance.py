"""Attribute sources and floor-area shares (twin.scene.provenance)."""

from __future__ import annotations

import pandas as pd
import pytest

from twin.scene.provenance import SOURCES, building_sources, floor_area_shares


def test_shares_are_weighted_by_floor_area():
    b = pd.DataFrame({
        "floor_area_m2": [100.0, 300.0, 600.0],
        "height_m_source": ["data", "inferred", "default"],
        "use_source": ["data", "data", "inferred"],
    })
    shares = floor_area_shares(b, ("height_m", "use"))
    assert shares.loc["height_m", "data"] == pytest.approx(0.1)
    assert shares.loc["height_m", "inferred"] == pytest.approx(0.3)
    assert shares.loc["height_m", "default"] == pytest.approx(0.6)
    assert shares.loc["use", "data"] == pytest.approx(0.4) and shares.loc["use", "inferred"] == pytest.approx(0.6)
    assert shares[list(SOURCES)].sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    assert (shares["floor_area_m2"] == 1000.0).all() and (shares["buildings"] == 3).all()


def test_legacy_flags_read_as_default_or_data():
    b = pd.DataFrame({"floor_area_m2": [1.0, 3.0], "year_defaulted": [True, False]})
    assert list(building_sources(b, ("construction_year",))["construction_year"]) == ["default", "data"]
    assert floor_area_shares(b, ("construction_year",)).loc["construction_year", "data"] == pytest.approx(0.75)


def test_unknown_source_and_missing_columns_are_errors():
    with pytest.raises(ValueError, match="sources are"):
        building_sources(pd.DataFrame({"use_source": ["guess"]}), ("use",))
    with pytest.raises(ValueError, match="no source"):
        building_sources(pd.DataFrame({"floor_area_m2": [1.0]}), ("use",))
