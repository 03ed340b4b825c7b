"""A square as people name it: ``Place Flagey`` for OSM's ``Place Eugène Flagey``.

The Ixelles 2013 extract holds ``Place Eugène Flagey`` and ``Place Eugène Flagey -
Eugène Flageyplein``; ``name: Place Flagey`` matched nothing and the error listed four other
streets. The fuller name of the same street type is now hinted.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from twin.scenario import schema as S
from twin.scenario.selection import explain_empty, fuller_names, name_hint, select

NAMES = ["Place Eugène Flagey - Eugène Flageyplein", "Place Eugène Flagey", "Rue Gray - Graystraat",
         "Place Sainte-Croix - Heilig-Kruisplein", "Rue Jean Dupont", "Rue Marie Dupont", "Avenue Louise - Louizalaan"]


def _links():
    n = len(NAMES)
    return gpd.GeoDataFrame({"link_id": [f"l{i}" for i in range(n)], "name": NAMES, "modes": ["car"] * n},
                            geometry=[shapely.LineString([(i, 0), (i, 1)]) for i in range(n)], crs="EPSG:31370")


def test_short_name_is_told_the_official_one():
    links = _links()
    why = explain_empty(links, S.Selector(where={"name": "Place Flagey"}), layer="links")
    assert why.endswith("no street named 'Place Flagey'; did you mean 'Place Eugène Flagey'?"), why
    # and the hinted name selects both ways of the square
    picked = select(links, S.Selector(where={"name": "Place Eugène Flagey"}), layer="links", rng=np.random.default_rng(0),
                    field="whatifs.0.modifications.0.select")
    assert sorted(links["name"][picked.mask]) == sorted(NAMES[:2])


def test_fuller_names_rules():
    values = gpd.pd.Series(NAMES)
    assert name_hint(values, ["Rue Dupont"]) == "; did you mean 'Rue Jean Dupont' or 'Rue Marie Dupont'?"
    assert name_hint(values, ["Avenue Flagey"]) == ""  # another street type
    assert name_hint(values, ["Rue de France"]) == ""  # a street the scene does not hold
    assert fuller_names("Flagey", [("Place Eugène Flagey", "x")]) == []  # no street type: too vague
    assert fuller_names("Rue Dupont", [(f"Rue {p} Dupont", p) for p in ("Jean", "Marie", "Paul", "Anne")]) == []  # more than 3


def test_a_bilingual_name_warns_of_the_ways_named_in_one_language():
    """OSM 2013 names part of Place Flagey in French only: the bilingual name, copied from the
    error's list of values, closed half the square without a word. The selection stays as it was
    (an exact whole name selects what it always did); a warning names the ways left out."""
    import warnings

    from twin.errors import TwinWarning
    from twin.scenario.modifications import _selected

    links = _links()
    select_square = S.Selector(where={"name": "Place Eugène Flagey - Eugène Flageyplein"})
    with pytest.warns(TwinWarning, match=r"field 'w.select': 1 street link\(s\) named 'Place Eugène Flagey' only .* add "
                                          r"'Place Eugène Flagey' to the names"):
        mask = _selected(links, select_square, layer="links", rng=np.random.default_rng(0), field="w.select", no_effect="error")
    assert list(links["name"][mask]) == [NAMES[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TwinWarning)  # both written, or a name without such a namesake: no warning
        _selected(links, S.Selector(where={"name": NAMES[:2]}), layer="links", rng=np.random.default_rng(0), field="w", no_effect="error")
        _selected(links, S.Selector(where={"name": "Rue Gray - Graystraat"}), layer="links", rng=np.random.default_rng(0), field="w",
                  no_effect="error")
