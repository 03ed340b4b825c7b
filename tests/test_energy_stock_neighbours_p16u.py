"""Party-wall neighbour counts of the typology (``twin.energy.typology.neighbour_counts``, counted
by scene row from the party walls' pairs) against a plain count by id over the party-wall table."""

from __future__ import annotations

import pandas as pd

from tests.test_energy_stock_shading import canyon_scene
from tests.test_solar_wall_grid_p16u import _irregular_scene


def test_neighbour_counts_equal_distinct_neighbours_by_id():
    from twin.energy.typology import neighbour_counts

    for scene in (canyon_scene(street_m=0.0), canyon_scene(), _irregular_scene(n=80)):
        pw = scene.party_walls()
        both = pd.concat([pw[["building_id", "neighbour_id"]],
                          pw.rename(columns={"building_id": "neighbour_id", "neighbour_id": "building_id"})[["building_id", "neighbour_id"]]])
        ids = scene.buildings["building_id"].astype(str).to_numpy()
        plain = {b: both.loc[both["building_id"] == b, "neighbour_id"].nunique() for b in ids}
        got = neighbour_counts(scene)
        assert list(got.index) == list(ids)
        assert got.to_dict() == plain
    # back to back rows: an inner house has two neighbours beside it and one behind
    assert neighbour_counts(canyon_scene(street_m=0.0)).max() == 3
