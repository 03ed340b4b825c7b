"""Buildings as an extruded 3-D mesh (LoD1) for pyvista, built with array operations."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def buildings_mesh(scene, *, scalars: str | None = "height_m"):
    """LoD1 block model of ``scene.buildings``: footprints extruded from ground to roof.

    Coordinates are the scene CRS (metres), shifted so the scene's lower-left corner is the
    origin (``mesh.field_data['origin_xy']`` keeps the shift). ``scalars`` names a building
    column copied to every face of the building (cell data).

    Returns
    -------
    pyvista.PolyData
    """
    import pyvista as pv

    b = scene.buildings
    fp = scene.footprints()
    n_pts_ring = np.diff(fp.ring_offsets) - 1  # unique vertices per ring
    keep = np.ones(len(fp.coords), dtype=bool)
    keep[fp.ring_offsets[1:] - 1] = False  # drop closing vertices
    xy = fp.coords[keep]
    origin = xy.min(axis=0) if len(xy) else np.zeros(2)
    xy = xy - origin
    ring_of_point = np.repeat(np.arange(len(n_pts_ring)), n_pts_ring)
    building_of_ring = np.repeat(np.arange(fp.n_buildings), np.diff(fp.building_ring_offsets))
    bld = building_of_ring[ring_of_point]
    ground = b["ground_z_m"].to_numpy(dtype=float)[bld]
    top = ground + b["height_m"].to_numpy(dtype=float)[bld]
    n = len(xy)
    points = np.vstack([np.column_stack([xy, ground]), np.column_stack([xy, top])])
    first = np.zeros(len(n_pts_ring) + 1, dtype=np.int64)
    np.cumsum(n_pts_ring, out=first[1:])
    # walls: quad (i, next(i), next(i)+n, i+n) per edge
    idx = np.arange(n)
    nxt = idx + 1
    last = first[1:] - 1
    nxt[last] = first[:-1]
    walls = np.column_stack([np.full(n, 4), idx, nxt, nxt + n, idx + n]).ravel()
    # roofs: one polygon per ring over the top vertices
    roof_sizes = n_pts_ring
    roofs = np.empty(len(roof_sizes) + n, dtype=np.int64)
    pos = first[:-1] + np.arange(len(roof_sizes))
    roofs[pos] = roof_sizes
    mask = np.ones(len(roofs), dtype=bool)
    mask[pos] = False
    roofs[mask] = idx + n
    faces = np.concatenate([walls, roofs])
    mesh = pv.PolyData(points, faces)
    if scalars is not None:
        values = b[scalars].to_numpy(dtype=float)
        mesh.cell_data[scalars] = np.concatenate([values[bld], values[building_of_ring]])
    mesh.field_data["origin_xy"] = origin
    return mesh


def render_buildings(scene, path: str | os.PathLike[str], *, scalars: str = "height_m", window_size=(1200, 900)) -> Path:
    """Render the block model off screen to a PNG file (no display needed)."""
    import pyvista as pv

    from twin.io import atomic_path

    mesh = buildings_mesh(scene, scalars=scalars).triangulate()
    plotter = pv.Plotter(off_screen=True, window_size=list(window_size))
    plotter.add_mesh(mesh, scalars=scalars, cmap="viridis", show_edges=False, scalar_bar_args={"title": scalars})
    plotter.camera_position = "iso"
    plotter.camera.zoom(1.8)
    path = Path(path)
    with atomic_path(path) as tmp:
        plotter.screenshot(str(tmp.with_suffix(".png")) if tmp.suffix != ".png" else str(tmp))
        if tmp.suffix != ".png":
            tmp.with_suffix(".png").rename(tmp)
    plotter.close()
    return path
