"""The report's addresses (:func:`twin.scenario.report_drilldown.osm_addresses`) read the
buildings' source files: a user's GeoPackage with dataset metadata must get no GDAL side file
``X.gpkg.aux.xml`` beside it (:mod:`twin.io.gdal_env`; the other readers are covered by
``tests/test_gdal_reads_no_side_files.py``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely


def test_the_report_reads_addresses_without_a_side_file(tmp_path: Path) -> None:
    from twin.scenario.report_drilldown import osm_addresses

    frame = gpd.GeoDataFrame({"osm_type": ["way"], "osm_id": [42], "addr:street": ["Rue de Parme"], "addr:housenumber": ["7"]},
                             geometry=[shapely.box(148300.0, 168800.0, 148310.0, 168810.0)], crs="EPSG:31370")
    src = tmp_path / "data" / "b.gpkg"
    src.parent.mkdir()
    pyogrio.write_dataframe(frame, src, layer="b", driver="GPKG", dataset_metadata={"AUTHOR": "planner"})
    before = sorted(p.name for p in src.parent.iterdir())
    found = osm_addresses(pd.DataFrame({"building_id": ["osm:way/42"], "source": [str(src)]}))
    assert found.to_dict() == {"osm:way/42": "Rue de Parme 7"}
    assert sorted(p.name for p in src.parent.iterdir()) == before
