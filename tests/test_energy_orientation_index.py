"""``_orientation_index`` skips ``np.mod`` for azimuths already in [0, 360) (issue 16, speed): the
indices must be those of the general formula everywhere, on the quadrant edges and around 360."""

from __future__ import annotations

import numpy as np

from twin.energy.model import _orientation_index


def _general(azimuth_deg) -> np.ndarray:
    az = np.mod(np.asarray(azimuth_deg, dtype=float), 360.0)
    return np.clip(np.floor(np.mod(az + 45.0, 360.0) / 90.0).astype(int), 0, 3)


def test_orientation_index_equals_the_general_formula():
    edges = [0.0, -0.0, 45.0, 135.0, 225.0, 315.0, 360.0 - 1e-13]
    near = [np.nextafter(e, d) for e in edges for d in (-np.inf, np.inf)]
    rng = np.random.default_rng(16)
    inside = np.concatenate([edges, [x for x in near if 0.0 <= x < 360.0], rng.uniform(0.0, 360.0, 10_000)])
    assert np.array_equal(_orientation_index(inside), _general(inside))
    # outside [0, 360) the general formula is used as it is
    outside = np.concatenate([inside, [-10.0, -360.0, 360.0, 370.0, 720.5, -1e-300]])
    assert np.array_equal(_orientation_index(outside), _general(outside))
    assert np.array_equal(_orientation_index(np.array([])), _general(np.array([])))
    # the azimuths of a footprint's edges: north, east, south and west walls
    assert _orientation_index(np.array([0.0, 90.0, 180.0, 270.0])).tolist() == [0, 1, 2, 3]
