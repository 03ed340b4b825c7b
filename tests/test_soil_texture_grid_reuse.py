"""The soil grid of another texture of the unmapped ground is derived, not rebuilt
(:func:`twin.soil.grid.with_unmapped_texture`, :func:`twin.scenario.engines.soil.sample_grids`).

The Monte Carlo of the storm methods draws one texture per sample for the ground without a soil
polygon; rasterising the scene again for every texture cost 9 s of the default ``twin run``.
The derived grid must be the one :func:`~twin.soil.grid.build_grid` gives for that texture,
field by field: on the Saint-Gilles default scene (no soil polygon) and on a small scene with
soil polygons, one of them of the base texture itself (its cells must keep it), and
per-building green roofs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from tests.test_scenario_soil_engine import RICHARDS, SCS, small_scene
from twin.errors import InputError
from twin.scenario.engines import soil
from twin.scenario.engines.soil_storm_samples import grid_digest
from twin.scenario.engines.soil_texture_prior import packaged_prior
from twin.soil import grid as soil_grid
from twin.soil.grid import build_grid, with_unmapped_texture

REPO = Path(__file__).resolve().parents[1]
TEXTURES = tuple(packaged_prior().shares)  # the five textures of the packaged prior


def _diff(a, b, where: str = "grid") -> list[str]:
    """Where ``a`` and ``b`` differ (arrays: dtype, shape and values; dataclasses field by field)."""
    if type(a) is not type(b):
        return [f"{where}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, np.ndarray):
        same = a.dtype == b.dtype and a.shape == b.shape and (
            np.array_equal(a, b) if a.dtype == object else np.array_equal(a, b, equal_nan=True))
        return [] if same else [where]
    if dataclasses.is_dataclass(a):
        return [d for f in dataclasses.fields(a) for d in _diff(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{where}[{i}]")]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{where}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in _diff(a[k], b[k], f"{where}[{k!r}]")]
    if isinstance(a, float) and np.isnan(a) and np.isnan(b):
        return []
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def _count_builds(monkeypatch) -> list:
    """Patch :func:`twin.soil.grid.build_grid` to append to the returned list on every call."""
    calls: list = []
    real = soil_grid.build_grid

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(soil_grid, "build_grid", counted)
    return calls


def _assert_same_grid(derived, built) -> None:
    assert _diff(derived, built) == []
    assert grid_digest(derived) == grid_digest(built)


@pytest.fixture(scope="module")
def stgilles():
    """The default scenario's baseline scene and soil options."""
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario

    path = REPO / "scenarios" / "stgilles_default.yaml"
    scenario = load_scenario(path)
    prepared = prepare_scenes(scenario, base_dir=path.parent, progress=False)
    return prepared.baseline, scenario.soil


def mapped_scene():
    """small_scene with soil polygons (silt loam, the base texture, on the west half; sand on
    the north-east quarter) and two buildings, one with half its roof green."""
    scene = small_scene()
    scene.add("soil", gpd.GeoDataFrame({"soil_id": ["w", "ne"], "texture": ["Silt Loam", "Sand"]},
                                       geometry=[box(0, 0, 50, 100), box(50, 50, 100, 100)], crs="EPSG:31370"))
    scene.add("buildings", gpd.GeoDataFrame(
        {"building_id": ["b0", "b1"], "height_m": [6.0, 9.0], "n_storeys": [2, 3], "footprint_area_m2": [676.0, 676.0],
         "floor_area_m2": [1352.0, 2028.0], "green_roof_share": [0.5, 0.0]},
        geometry=[box(12, 52, 38, 78), box(62, 12, 88, 38)], crs="EPSG:31370"))
    return scene


@pytest.mark.parametrize("texture", TEXTURES)
def test_the_derived_grid_is_build_grid_with_that_texture_on_saint_gilles(stgilles, texture):
    scene, options = stgilles
    gopts = soil.grid_options(scene, options)
    assert len(scene.soil) == 0 and gopts.texture == "Silt Loam"
    derived = with_unmapped_texture(build_grid(scene, gopts), texture, scene)
    _assert_same_grid(derived, build_grid(scene, gopts.model_copy(update={"texture": texture})))
    assert set(derived.texture.ravel()) == {texture}


@pytest.mark.parametrize("texture", TEXTURES)
def test_the_derived_grid_is_build_grid_with_that_texture_where_soil_polygons_keep_theirs(texture):
    scene = mapped_scene()
    gopts = soil.grid_options(scene, RICHARDS).model_copy(update={"green_roof_share": 0.3})
    base = build_grid(scene, gopts)
    derived = with_unmapped_texture(base, texture, scene)
    built = build_grid(scene, gopts.model_copy(update={"texture": texture}))
    _assert_same_grid(derived, built)
    # the west half (a silt loam polygon) keeps silt loam, the unmapped south-east quarter takes the texture
    west, south_east = derived.x < 50, derived.x > 50
    assert set(derived.texture[:, west].ravel()) == {"Silt Loam"}
    assert set(derived.texture[derived.y < 50][:, south_east].ravel()) == {texture}
    assert set(base.texture.ravel()) == {"Silt Loam", "Sand"}  # the base grid is not changed


def test_sample_grids_gives_the_storm_grid_of_each_samples_options_without_rasterising_again(monkeypatch):
    """Per-building green roofs, another starting head, both storm methods: equal to storm_grid;
    the scene rasterised once (the central run's grid is reused when it has one)."""
    scene = mapped_scene()
    assert soil._green_shares(scene) is not None
    for central in (RICHARDS, SCS):
        wanted = {t: soil.storm_grid(scene, central.model_copy(update={"texture": t, "initial_head_m": -2.0})) for t in TEXTURES}
        with monkeypatch.context() as m:
            calls = _count_builds(m)
            grid_of = soil.sample_grids()
            for t in TEXTURES:
                _assert_same_grid(grid_of(scene, central.model_copy(update={"texture": t, "initial_head_m": -2.0})), wanted[t])
        assert len(calls) == 1


def test_the_richards_samples_reuse_the_central_grids_and_scs_cn_builds_one_per_scene(monkeypatch):
    from tests.test_scenario_soil_engine import desealed

    base = small_scene()
    what = desealed(base)
    calls = _count_builds(monkeypatch)
    for options, builds in ((RICHARDS, 0), (SCS, 2)):
        soil.run(base, options, base_dir=None)
        soil.run(what, options, base_dir=None, baseline_scene=base)
        calls.clear()
        b, w, _, _ = soil.run_samples_paired(base, {"deseal": what}, [options] * 12, seed=5)
        assert len(calls) == builds, options.method  # was one per scene and drawn texture
        assert len({k["runoff_m3"] for k in w["deseal"]}) > 1  # the samples differ by texture


def test_an_unknown_texture_is_refused_naming_the_field():
    scene = small_scene()
    base = build_grid(scene, soil.grid_options(scene, RICHARDS))
    with pytest.raises(InputError) as err:
        with_unmapped_texture(base, "Moon Dust", scene)
    assert err.value.field == "texture" and "Moon Dust" in str(err.value)
