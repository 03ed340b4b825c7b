"""Horizon walks over vertical walls by their top edges (``SceneGrid.build(vertical_walls=True)``,
the facade horizons of the energy model) against a plain loop over every triangle
(tests/solar_reference.py) and against the general triangle cut of the same grid."""

from __future__ import annotations

import numpy as np
import pytest

from tests.solar_reference import horizon_reference
from twin.solar.grid import SceneGrid, upper_wall_tops


def _upper_walls(polygons: list[np.ndarray], ground_m: list[float], top_m: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Upper wall triangles (p0 z0, p1 z1, p0 z1) of the rings (closed (n, 2) arrays) and the ring of each."""
    tri, group = [], []
    for g, (ring, z0, z1) in enumerate(zip(polygons, ground_m, top_m, strict=True)):
        for p0, p1 in zip(ring[:-1], ring[1:], strict=True):
            tri.append([[*p0, z0], [*p1, z1], [*p0, z1]])
            group.append(g)
    return np.array(tri, dtype=float), np.array(group, dtype=np.int64)


def _ring(x: float, y: float, w: float, d: float, angle_deg: float = 0.0) -> np.ndarray:
    a = np.radians(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = np.array([[0, 0], [w, 0], [w, d], [0, d], [0, 0]], dtype=float)
    return corners @ rot.T + [x, y]


def test_upper_wall_tops_reads_the_ends_and_the_top():
    tri, _ = _upper_walls([_ring(0, 0, 4, 3)], [2.0], [9.0])
    tops = upper_wall_tops(tri)
    assert tops.shape == (4, 5)
    np.testing.assert_array_equal(tops[0], [0, 0, 4, 0, 9])
    np.testing.assert_array_equal(tops[:, 4], 9.0)


@pytest.mark.parametrize("bad", ["lower half", "sloping top", "not vertical"])
def test_a_triangle_that_is_not_an_upper_wall_half_is_refused(bad):
    tri, group = _upper_walls([_ring(0, 0, 4, 3)], [0.0], [6.0])
    if bad == "lower half":  # (p0 z0, p1 z0, p1 z1)
        tri[1] = [[4, 0, 0], [4, 3, 0], [4, 3, 6]]
    elif bad == "sloping top":
        tri[1, 1, 2] = 7.0
    else:
        tri[1, 2, 0] += 0.5
    with pytest.raises(ValueError, match="triangle 1 is not the upper half"):
        SceneGrid.build(tri, group, vertical_walls=True)
    SceneGrid.build(tri, group)  # any triangles: accepted


def test_wall_horizons_equal_every_triangle_and_the_triangle_cut():
    """Random rotated blocks on a sloping ground; observers in front of walls, in streets, on
    the wall lines (rays along a wall: the wall lies in the half-plane) and on lines through
    wall ends (a ray through a corner)."""
    rng = np.random.default_rng(7)
    rings, ground, top = [], [], []
    for x in range(0, 70, 18):
        for y in range(0, 70, 19):
            rings.append(_ring(x + rng.uniform(0, 3), y + rng.uniform(0, 3), rng.uniform(6, 14), rng.uniform(6, 14),
                               rng.choice([0.0, 0.0, 15.0, 33.0, -40.0])))
            ground.append(0.05 * x + rng.uniform(0, 1))
            top.append(ground[-1] + rng.uniform(4, 25))
    tri, group = _upper_walls(rings, ground, top)
    axis_aligned = [k for k, r in enumerate(rings) if r[1, 1] == r[0, 1]]
    origins = [np.column_stack([rng.uniform(-5, 80, 40), rng.uniform(-5, 80, 40), rng.uniform(0.5, 20, 40)])]
    for k in axis_aligned[:4]:  # on the line of a wall (x = x0 of the block: the sectors at 0 and 180 degrees run along it)
        r = rings[k]
        origins.append([[r[0, 0], r[0, 1] - 7.0, ground[k] + 3.0], [r[0, 0] - 9.0, r[0, 1], ground[k] + 2.0]])
    origins = np.vstack(origins)
    exclude = np.full(len(origins), -1, dtype=np.int64)
    walls = SceneGrid.build(tri, group, points=origins, vertical_walls=True)
    plain = SceneGrid.build(tri, group, points=origins)
    for n_sectors in (24, 36):
        got = walls.horizons(origins, n_sectors=n_sectors, exclude=exclude, max_distance_m=45.0)
        cut = plain.horizons(origins, n_sectors=n_sectors, exclude=exclude, max_distance_m=45.0)
        np.testing.assert_allclose(got, cut, atol=1e-9)
        for o in range(len(origins)):
            np.testing.assert_allclose(got[o], horizon_reference(origins[o], n_sectors, tri, 45.0), atol=1e-9)
    assert (got > 5).mean() > 0.2  # the observers see walls, not only open sky


def test_wall_horizons_leave_out_the_observers_own_building():
    """``exclude``: a facade's own building is not its horizon, as with the triangle cut."""
    rings = [_ring(0, 0, 10, 10), _ring(0, 20, 10, 10)]
    tri, group = _upper_walls(rings, [0.0, 0.0], [12.0, 20.0])
    origin = np.array([[5.0, 10.1, 6.0]])  # 0.1 m in front of the north wall of block 0
    walls = SceneGrid.build(tri, group, points=origin, vertical_walls=True)
    north = walls.horizons(origin, n_sectors=4, exclude=np.array([0]))[0, 0]
    assert north == pytest.approx(np.degrees(np.arctan((20.0 - 6.0) / 9.9)), abs=1e-9)  # block 1's south wall
    south = walls.horizons(origin, n_sectors=4, exclude=np.array([0]))[0, 2]
    assert south == 0.0  # only its own building lies behind it


def test_free_standing_walls_seen_along_their_line_and_past_their_ends():
    """Single walls (not closed rings, whose shared corners would hide a wrong corner): a ray
    along the wall (the wall in the half-plane: the nearer top corner counts) and rays through
    either end (the end's top counts), for both directions of each wall, oblique to the rays."""
    walls = [((0.0, 10.0), (0.0, 25.0)), ((0.0, 25.0), (0.0, 10.0)), ((-6.0, 40.0), (6.0, 46.0)), ((6.0, 58.0), (-6.0, 52.0))]
    tri = np.array([[[*p0, 1.0], [*p1, 9.0], [*p0, 9.0]] for p0, p1 in walls])
    group = np.arange(len(walls), dtype=np.int64)
    origins = np.array([[0.0, 0.0, 2.0], [-6.0, 0.0, 3.0], [6.0, 0.0, 1.5], [0.0, -4.0, 8.0]])
    for keep in ([0], [1], [2], [3], [2, 3]):
        grid = SceneGrid.build(tri[keep], group[keep], points=origins, vertical_walls=True)
        got = grid.horizons(origins, n_sectors=4, max_distance_m=60.0)
        for o in range(len(origins)):
            ref = horizon_reference(origins[o], 4, tri[keep], 60.0)
            np.testing.assert_allclose(got[o], ref, atol=1e-9)
        if keep in ([0], [1]):  # along the wall: its nearer top corner, 10 m away
            np.testing.assert_allclose(got[:2, 0], [np.degrees(np.arctan(7.0 / 10.0)), 0.0], atol=1e-9)
        if keep == [2]:  # through its west end (40 m away) and its east end (46 m)
            np.testing.assert_allclose(got[1:3, 0], np.degrees(np.arctan([6.0 / 40.0, 7.5 / 46.0])), atol=1e-9)


def test_walls_are_listed_in_the_cells_their_segment_passes_through():
    """Every cell a wall's segment passes through lists the wall (points every 1 cm along each
    wall), and no cell of its bounding box that the segment stays clear of (more than the margin)."""
    from twin.solar.grid import WALL_MARGIN_M

    rng = np.random.default_rng(5)
    rings = [_ring(rng.uniform(0, 60), rng.uniform(0, 60), rng.uniform(3, 30), rng.uniform(3, 30), rng.uniform(-90, 90))
             for _ in range(12)] + [_ring(8.0, 16.0, 16.0, 8.0)]  # walls on the cell edges of 8 m cells
    tri, group = _upper_walls(rings, [0.0] * len(rings), [10.0] * len(rings))
    grid = SceneGrid.build(tri, group, cell_m=8.0, vertical_walls=True)
    lists = [set(grid.cell_items[grid.cell_offsets[c]:grid.cell_offsets[c + 1]].tolist()) for c in range(grid.nx * grid.ny)]
    tops = upper_wall_tops(tri)
    n_bbox = 0
    for w, (xa, ya, xb, yb, _) in enumerate(tops):
        t = np.linspace(0.0, 1.0, int(np.hypot(xb - xa, yb - ya) / 0.01) + 2)
        x, y = xa + t * (xb - xa), ya + t * (yb - ya)
        crossed = set((np.floor((y - grid.y0) / grid.cell).astype(int) * grid.nx + np.floor((x - grid.x0) / grid.cell).astype(int)).tolist())
        listed = {c for c, items in enumerate(lists) if w in items}
        assert crossed <= listed
        i0, i1 = (np.floor((np.array([min(xa, xb), max(xa, xb)]) - grid.x0) / grid.cell)).astype(int)
        j0, j1 = (np.floor((np.array([min(ya, yb), max(ya, yb)]) - grid.y0) / grid.cell)).astype(int)
        n_bbox += (i1 - i0 + 1) * (j1 - j0 + 1)
        for c in listed - crossed:  # listed, not met by the sampled points: within the margin (plus the sampling step)
            cx0, cy0 = grid.x0 + (c % grid.nx) * grid.cell, grid.y0 + (c // grid.nx) * grid.cell
            dx = np.maximum(0.0, np.maximum(cx0 - x, x - cx0 - grid.cell))
            dy = np.maximum(0.0, np.maximum(cy0 - y, y - cy0 - grid.cell))
            assert np.hypot(dx, dy).min() <= WALL_MARGIN_M + 0.01
    assert len(grid.cell_items) < n_bbox  # oblique walls: fewer cells than their bounding boxes
