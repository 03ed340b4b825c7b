"""Monte Carlo of the soil hydraulics for the design-storm method ``soil.method: richards``.

A district knows its soil as a texture class at best (a soil map's polygons), and where the
scene has none as the grid's default (silt loam, :mod:`twin.soil.grid`). The van Genuchten -
Mualem parameters of a texture are then the class means of Carsel & Parrish (1988), and the
storm KPIs (runoff to the sewer, infiltration, storage, drainage, top-soil moisture) rest on
them: without this module every Monte Carlo sample repeated the central KPIs, and the report
showed bands of no width on the soil water (a de-sealing what-if's runoff change "-74 to -74 m3").

Each sample ``s`` draws the parameters of every texture from the spreads Carsel & Parrish
published (:func:`twin.soil.block_bands.sampled_material`: lognormal ``Ks``, ``alpha`` and
``n - 1``, normal ``theta_r`` and ``theta_s``, independent, cut at two standard deviations,
scaled by ``soil.hydraulics_spread``) from the standard normals of
:func:`twin.soil.block_bands.draw_normals` with the scenario seed: the same draws for the
baseline and every what-if (paired deltas), and the same as the 3-D block's samples
(``soil.block``) of that sample. The whole district takes one draw per texture and sample (the
band is the uncertainty of the district's soil, not of a point's). The storm, the grid and the
sample's other options are those of the sample (``uncertainty.parameters`` may sample
``soil.`` options as well).

Where the scene has no soil polygon, the texture itself is drawn per sample too, unless the
scenario gives it (:mod:`twin.scenario.engines.soil_texture_prior`); the sample's hydraulics are
then drawn around that texture's class means.

Not sampled (documented limits): the initial soil-water head of the columns (``soil.initial_head_m``:
sample it with ``uncertainty.parameters``; each sample's grid then has its own head), and the
``scs_cn`` screening method's curve numbers.

Cost: one district integration per sample and distinct grid (what-ifs whose soil grid is the
baseline's, e.g. a street closure or a renovation, reuse the baseline's samples), without the
per-cell tables of the central run: 0.02-0.05 s each on Saint-Gilles at 5 m (one distinct soil
column; the default scenario's 200 runs added about 3 s to `twin run` on 2026-12-05). The grids
are not rasterised again per sample: the engine's ``grid_of``
(:func:`twin.scenario.engines.soil.sample_grids`) reuses each scene's central grid and derives
the grid of a drawn texture from it (:func:`twin.soil.grid.with_unmapped_texture`); building
them anew per scene and texture took 9 of the 13 s of the default scenario's soil samples.

References
----------
Carsel, R.F. & Parrish, R.S. (1988), Developing joint probability distributions of soil water
retention characteristics, Water Resour. Res. 24(5):755-769, doi:10.1029/WR024i005p00755.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any

#: Fields of a soil grid that are not arrays or plain values (left out of its digest; the
#: ``options`` enter through their JSON dump).
_NOT_DIGESTED = ("crs", "options")


def grid_digest(grid) -> bytes:
    """Content digest of everything of a :class:`twin.soil.grid.SoilGrid` the district run reads:
    two grids with the same digest give the same samples."""
    from twin.caching import content_digest

    values = [getattr(grid, f.name) for f in dataclasses.fields(grid) if f.name not in _NOT_DIGESTED]
    options = grid.options.model_dump(mode="json") if grid.options is not None else None
    return content_digest(values, options, digest_size=20)


def _storm_key(options) -> tuple[float, float, float]:
    return float(options.storm_mm), float(options.storm_hours), float(options.hours)


def spread_words(spread: float) -> str:
    """How the note says the scale of the Carsel & Parrish spreads: nothing at 1 (the published
    spreads: "spreads x 1" read badly), else " scaled by 0.5" (a planner reads the report's note)."""
    return "" if spread == 1.0 else f" scaled by {spread:g}"


def hydraulics_samples(scenes: Mapping[Hashable, Any], opts: list, *, seed: int, spread: float,
                       grid_of: Callable[[Any, Any], Any], textures=None) -> tuple[dict[Hashable, list[dict[str, float]]], list[str]]:
    """The ``richards`` KPIs of every scene and sample, the soil hydraulics drawn per sample.

    Parameters
    ----------
    scenes
        The scenes by key (the baseline and the what-ifs the engine re-runs).
    opts
        The soil options of each sample (``opts[0]`` the central ones); one KPI dict per entry.
    seed
        The scenario seed (:func:`twin.soil.block_bands.draw_normals`).
    spread
        Factor on the published standard deviations (>= 0; 0: the class means).
    grid_of
        ``grid_of(scene, options)``: the scene's storm grid with those options (the engine's:
        :func:`twin.scenario.engines.soil.sample_grids`); called once per scene and distinct cell
        layout and texture.
    textures
        :class:`~twin.scenario.engines.soil_texture_prior.TexturePrior` of the unmapped ground, or
        None (its texture is known): each sample's options then carry the sample's texture
        (``soil.texture``), the same for every scene.

    Returns
    -------
    ({key: [KPIs per sample]}, notes)
    """
    from twin.io import progress as _progress
    from twin.scenario.engines.soil import richards_kpis, richards_run
    from twin.scenario.engines.soil_texture_prior import describe, sample_options
    from twin.soil.block_bands import draw_normals, sampled_grid

    if not spread >= 0.0 or (spread == 0.0 and textures is None):
        raise ValueError(f"nothing to sample: spread {spread!r} and no texture prior")
    t0 = time.perf_counter()
    z = draw_normals(len(opts), seed)
    drawn_textures = None
    if textures is not None:
        opts, drawn_textures = sample_options(opts, textures, seed)
    memo: dict[tuple, dict[str, float]] = {}  # (grid digest, storm, sample) -> KPIs
    out: dict[Hashable, list[dict[str, float]]] = {}
    with _progress.step("soil: paired samples of the soil hydraulics", len(scenes) * len(opts), unit="runs") as step:
        for key, scene in scenes.items():
            built: dict[str, Any] = {}  # cells and bounds -> the scene's grid (its arrays do not depend on the head)
            grids: dict[tuple[str, float], tuple[Any, bytes]] = {}  # ... and the starting head -> (grid, digest)
            ks = []
            for s, o in enumerate(opts):
                cells = f"{o.cell_size_m!r}|{getattr(o, 'bounds', None)!r}|{getattr(o, 'texture', None)!r}"  # what grid_options reads besides the head
                head = float(getattr(o, "initial_head_m", -1.0))
                if (cells, head) not in grids:
                    if cells not in built:
                        built[cells] = grid_of(scene, o)
                    grid = built[cells]
                    if grid.options is not None and grid.options.initial_head_m != head:
                        grid = dataclasses.replace(grid, options=grid.options.model_copy(update={"initial_head_m": head}))
                    grids[(cells, head)] = (grid, grid_digest(grid))
                grid, digest = grids[(cells, head)]
                mkey = (digest, _storm_key(o), s)
                if mkey not in memo:
                    drawn = sampled_grid(grid, z[s], spread)
                    memo[mkey] = richards_kpis(o, drawn, *richards_run(o, drawn))
                ks.append(dict(memo[mkey]))
                step.advance()
            out[key] = ks
    worst = max((k["water_balance_error_rel"] for k in memo.values()), default=0.0)
    what = (f"van Genuchten - Mualem parameters of each texture drawn from the Carsel & Parrish (1988) spreads{spread_words(spread)}"
            if spread > 0 else "the Carsel & Parrish (1988) class means of each texture")
    if drawn_textures is not None:
        what += "; the texture of the ground without a soil polygon drawn per sample from " + describe(textures, drawn_textures)
    note = (f"{len(opts)} paired samples of the soil hydraulics ({what}, seed {seed}) on {len(scenes)} scene{'' if len(scenes) == 1 else 's'}, {len(memo)} district runs "
            f"(what-ifs with the baseline's soil grid share its samples), largest balance error {worst:.1e}, "
            f"{time.perf_counter() - t0:.1f} s")
    return out, [note]
