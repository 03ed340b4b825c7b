"""The layer checks that both profile builders share (twin.soil.solver._tiled_layers).

Layers ``(top_m, bottom_m, material)`` must tile ``[0, depth]`` (in any order), each bottom below
its top, no deeper than MAX_DEPTH_M; a bad layer is named with its field. Both
:func:`layered_profile` and :func:`graded_profile` take the same layers and must answer alike.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InputError
from twin.soil.limits import MAX_DEPTH_M
from twin.soil.solver import graded_profile, layered_profile

BUILDERS = {"layered": lambda layers: layered_profile(layers, dz_m=0.05), "graded": lambda layers: graded_profile(layers)}


@pytest.mark.parametrize("builder", sorted(BUILDERS))
@pytest.mark.parametrize(
    "layers, obj, field, words",
    [
        ([], None, "layers", "at least one layer"),
        ([(0.1, 1.0, 0)], "layer 0", "top_m", "gap or overlap at 0.1 m"),
        ([(0.0, 0.3, 0), (0.4, 1.0, 1)], "layer 1", "top_m", "gap or overlap at 0.4 m"),
        ([(0.0, 0.3, 0), (0.2, 1.0, 1)], "layer 1", "top_m", "gap or overlap at 0.2 m"),
        ([(0.0, 0.3, 0), (0.3, 0.3, 1)], "layer 1", "bottom_m", "below top_m"),
        ([(0.0, 2 * MAX_DEPTH_M, 0)], "layer 0", "bottom_m", "beyond the limit"),
        ([(0.0, float("inf"), 0)], "layer 0", "bottom_m", "beyond the limit"),
    ],
)
def test_bad_layers_are_named(builder, layers, obj, field, words):
    with pytest.raises(InputError) as err:
        BUILDERS[builder](layers)
    assert err.value.field == field
    assert err.value.obj == obj
    assert words in str(err.value)


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_layers_in_any_order_give_the_same_profile(builder):
    ordered = [(0.0, 0.25, 2), (0.25, 0.8, 0), (0.8, 1.5, 1)]
    a = BUILDERS[builder](ordered)
    b = BUILDERS[builder](ordered[::-1])
    np.testing.assert_array_equal(a.z_m, b.z_m)
    np.testing.assert_array_equal(a.material, b.material)
    assert a.z_m[-1] == pytest.approx(1.5)
    # a node on an interface takes the material of the layer below it
    for top, _, material in ordered:
        assert a.material[np.argmin(np.abs(a.z_m - top))] == material
