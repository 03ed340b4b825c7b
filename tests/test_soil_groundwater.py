"""Water table: steady capillary rise against the closed form, through the column spec users run.

Gardner (1958): above a water table at depth L in a homogeneous soil with K = Ks exp(alpha h),
a surface held at h_s draws the steady upward flux

    E = Ks (1 - exp(alpha (L + h_s))) / (exp(alpha L) - 1)

(from q = -K (dh/dz + 1) integrated from the table, h = 0, to the surface). The spec
``tests/soil_data/capillary_rise_gardner.yaml`` runs through ``twin soil column`` (spec parsing,
water-table bottom, hydrostatic initial state, the Richards kernel) until steady; the flux out
of the surface and the flux in at the table must equal E within 1 %. A van Genuchten soil is
checked the same way against the same integral evaluated by quadrature.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import integrate, optimize

from tests.cli_harness import assert_one_line_error, run_twin
from tests.soil_helpers import edited_spec
from twin.errors import InputError
from twin.soil.column import load_column_spec, prepare_column
from twin.soil.groundwater import WaterTableOptions, cell_water_table_depth, column_bottom, hydrostatic_heads

SPEC = Path(__file__).parent / "soil_data" / "capillary_rise_gardner.yaml"


def gardner_flux(ks: float, alpha: float, depth: float, h_s: float) -> float:
    """Gardner's (1958) steady upward flux, m/s."""
    return ks * (1.0 - math.exp(alpha * (depth + h_s))) / (math.exp(alpha * depth) - 1.0)


def _steady_rates(rep: dict) -> tuple[float, float]:
    """Surface evaporation (or upward surface flux) and upward flux at the table over the last interval, m/s."""
    t = rep["times_s"]
    cum = rep["cumulative_m"]
    dt = t[-1] - t[-2]
    up_bottom = -(cum["drainage"][-1] - cum["drainage"][-2]) / dt
    out_top = -(cum["infiltration"][-1] - cum["infiltration"][-2]) / dt
    return out_top, up_bottom


def _spec(tmp_path: Path, **changes) -> Path:
    return edited_spec(SPEC, tmp_path, changes)


@pytest.mark.parametrize(
    "surface, alpha, depth, h_s",
    [
        ("atmospheric", 1.0, 1.0, -2.0),  # the shipped spec: evaporation limited at h_critical
        ("atmospheric", 2.0, 0.6, -1.5),
        ("head", 1.0, 1.0, -2.0),  # the surface head prescribed
        ("head", 0.5, 2.0, -3.0),
    ],
)
def test_steady_capillary_rise_matches_gardner_through_the_cli(tmp_path, surface, alpha, depth, h_s):
    ks = 1.0e-6
    changes = {"materials.gardner.alpha_per_m": alpha, "bottom.depth_m": depth, "layers.0.bottom_m": depth,
               "solver.h_critical_m": h_s}
    if surface == "head":
        changes["top"] = {"kind": "head", "h_m": h_s}
    path = _spec(tmp_path, **changes)
    res = run_twin(["soil", "column", str(path), "--json"], timeout_s=120)
    assert res.code == 0, res.stderr
    rep = json.loads(res.stdout)
    want = gardner_flux(ks, alpha, depth, h_s)
    out_top, up_bottom = _steady_rates(rep)
    assert out_top == pytest.approx(want, rel=0.01)
    assert up_bottom == pytest.approx(want, rel=0.01)
    assert rep["totals_m"]["capillary_rise"] > 0 and rep["totals_m"]["drainage"] < 0
    assert abs(rep["relative_water_balance_error"]) < 1e-9
    if surface == "atmospheric":
        assert rep["totals_m"]["evaporation"] == pytest.approx(-rep["totals_m"]["infiltration"], rel=1e-12)


def test_shipped_gardner_spec_is_within_a_tenth_of_a_percent():
    run = prepare_column(load_column_spec(SPEC), path=SPEC)
    from twin.soil.column import column_report

    rep = column_report(run, run.run())
    out_top, up_bottom = _steady_rates(rep)
    want = gardner_flux(1.0e-6, 1.0, 1.0, -2.0)
    assert want * 86400 * 1000 == pytest.approx(31.785, abs=5e-4)  # mm/day, as the spec says
    assert abs(out_top / want - 1) < 1e-3 and abs(up_bottom / want - 1) < 1e-3


def test_van_genuchten_capillary_rise_matches_the_quadrature_of_darcys_law(tmp_path):
    """Silt loam (Carsel & Parrish, air entry -2 cm), table at 1.5 m, surface at -5 m: E solves
    L = integral_{h_s}^{0} K / (K + E) dh (quadrature), within 1 %."""
    from twin.soil.hydraulics import texture_material

    mat = texture_material("Silt Loam").with_air_entry(-0.02)
    depth, h_s = 1.5, -5.0

    def height(e: float) -> float:
        return integrate.quad(lambda h: float(mat.k(h)) / (float(mat.k(h)) + e), h_s, 0.0, limit=400, points=[-0.02])[0]

    e_max = 0.999 * float(mat.k(-1e-9))
    want = optimize.brentq(lambda e: height(e) - depth, 1e-13, e_max, xtol=1e-16, rtol=1e-12)
    spec = {
        "name": "silt loam over a water table", "materials": {"sl": {"texture": "Silt Loam", "h_e_m": -0.02}},
        "layers": [{"top_m": 0.0, "bottom_m": depth, "material": "sl"}], "grid": {"dz_top_m": 0.002, "dz_max_m": 0.01, "growth": 1.1},
        "initial": {"hydrostatic": True}, "top": {"kind": "head", "h_m": h_s}, "bottom": {"kind": "water_table", "depth_m": depth},
        "duration_s": 200 * 86400.0, "output_times_s": [199 * 86400.0, 200 * 86400.0],
    }
    path = tmp_path / "vg.yaml"
    path.write_text(yaml.safe_dump(spec))
    from twin.soil.column import column_report

    run = prepare_column(load_column_spec(path), path=path)
    rep = column_report(run, run.run())
    out_top, up_bottom = _steady_rates(rep)
    assert out_top == pytest.approx(want, rel=0.01) and up_bottom == pytest.approx(want, rel=0.01)


def test_water_table_bottom_cuts_or_extends_the_layers(tmp_path):
    path = _spec(tmp_path, **{"bottom.depth_m": 0.7})
    run = prepare_column(load_column_spec(path), path=path)
    assert run.profile.z_m[-1] == pytest.approx(0.7) and run.bottom == "fixed_head" and run.bottom_head_m == 0.0
    np.testing.assert_allclose(run.h0, run.profile.z_m - 0.7)  # hydrostatic
    path = _spec(tmp_path, **{"bottom.depth_m": 1.8})
    run = prepare_column(load_column_spec(path), path=path)
    assert run.profile.z_m[-1] == pytest.approx(1.8)


@pytest.mark.parametrize("depth", [0.0, -0.5])
def test_a_water_table_above_the_surface_is_refused(tmp_path, depth):
    path = _spec(tmp_path, **{"bottom.depth_m": depth})
    with pytest.raises(InputError) as err:
        load_column_spec(path)
    assert err.value.field == "bottom.depth_m" and "above the surface" in str(err.value)
    res = run_twin(["soil", "column", str(path)], timeout_s=60)
    assert_one_line_error(res, contains=("spec.yaml", "bottom.depth_m", "above the surface"))


def test_district_water_table_helpers():
    d = np.array([0.05, 0.3, 3.0, 5.0, 12.0])
    depth, kind, head = column_bottom(d, WaterTableOptions())
    np.testing.assert_allclose(depth, [0.3, 0.3, 3.0, 5.0, 5.0])
    np.testing.assert_array_equal(kind, [1, 1, 1, 1, 0])  # fixed head within 5 m, free drainage below
    np.testing.assert_allclose(head, [0.25, 0.0, 0.0, 0.0, 0.0])  # a table shallower than the column: positive head
    np.testing.assert_allclose(hydrostatic_heads([0.0, 1.0, 3.0], 3.0), [-3.0, -2.0, 0.0])
    with pytest.raises(InputError) as err:
        WaterTableOptions(default_depth_m=-1.0).checked(path="opts.yaml")
    assert err.value.field == "water_table.default_depth_m" and "above the surface" in str(err.value)


def test_water_table_map_polygons_and_bad_features(tmp_path):
    import geopandas as gpd
    import shapely

    from twin.soil.grid import GridOptions, SoilGrid  # noqa: F401 - the grid type the helper reads

    class _Grid:
        x = np.array([0.5, 1.5, 2.5])
        y = np.array([0.5, 1.5])
        crs = "EPSG:31370"
        shape = (2, 3)

    gdf = gpd.GeoDataFrame({"water_table_depth_m": [1.23, 7.0]}, geometry=[shapely.box(0, 0, 1, 2), shapely.box(2, 0, 3, 1)],
                           crs="EPSG:31370")
    depth = cell_water_table_depth(_Grid(), WaterTableOptions(default_depth_m=3.0), gdf)
    np.testing.assert_allclose(depth, [[1.2, 3.0, 7.0], [1.2, 3.0, 3.0]])
    bad = gdf.copy()
    bad.loc[1, "water_table_depth_m"] = -0.2
    path = tmp_path / "wt.geojson"
    bad.to_file(path, driver="GeoJSON")
    with pytest.raises(InputError) as err:
        cell_water_table_depth(_Grid(), WaterTableOptions(), path)
    assert err.value.field == "water_table_depth_m" and "wt.geojson" in str(err.value) and "feature 1" in str(err.value)
