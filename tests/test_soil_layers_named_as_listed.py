"""A bad soil layer is named by its index as listed in the spec, not by its place sorted by depth.

``twin.soil.solver._tiled_layers`` sorts the layers by top and named ``layer i`` with ``i`` the
sorted position, so a column spec listing the deeper layer first named the wrong layer in a
gap/overlap error (and the water-table branch of the column sorted the layers itself); the block
spec parsed the position back out of the error's ``obj`` text. Now ``_tiled_layers`` raises a
:class:`~twin.soil.solver.LayerTilingError` whose ``layer`` is the listed index, and both specs
report ``layers.<k>.<field>``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.soil_helpers import edited_spec
from twin.errors import InputError
from twin.soil.solver import LayerTilingError, _tiled_layers

CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"

# the deeper layer listed first, with a gap above it (0.4 to 0.5 m): layer 0 is at fault
DEEP_FIRST_WITH_GAP = [{"top_m": 0.5, "bottom_m": 1.0, "material": "celia"}, {"top_m": 0.0, "bottom_m": 0.4, "material": "celia"}]


def test_tiled_layers_names_the_listed_index() -> None:
    with pytest.raises(LayerTilingError) as err:
        _tiled_layers([(0.5, 1.0, 0), (0.0, 0.4, 1)])
    assert (err.value.layer, err.value.obj, err.value.field) == (0, "layer 0", "top_m")
    with pytest.raises(LayerTilingError) as err:  # a bottom not below its top, listed last of three
        _tiled_layers([(0.3, 1.0, 0), (0.0, 0.3, 1), (1.0, 1.0, 2)])
    assert (err.value.layer, err.value.field) == (2, "bottom_m")


@pytest.mark.parametrize("bottom", [None, {"kind": "water_table", "depth_m": 1.0}])
def test_column_spec_names_the_layer_as_listed(tmp_path: Path, bottom: dict | None) -> None:
    from twin.soil.column import load_column_spec, prepare_column

    changes = {"layers": DEEP_FIRST_WITH_GAP} | ({"bottom": bottom} if bottom else {})
    path = edited_spec(CELIA, tmp_path, changes)
    with pytest.raises(InputError) as err:
        prepare_column(load_column_spec(path), path=path)
    assert err.value.field == "layers.0.top_m"
    assert str(path) in str(err.value) and "gap or overlap at 0.5 m" in str(err.value)


def test_column_water_table_extends_the_deepest_layer_listed_first(tmp_path: Path) -> None:
    """Layers listed bottom-up still run; the table below them extends the deepest (listed first)."""
    from twin.soil.column import load_column_spec, prepare_column

    layers = [{"top_m": 0.4, "bottom_m": 1.0, "material": "celia"}, {"top_m": 0.0, "bottom_m": 0.4, "material": "celia"}]
    path = edited_spec(CELIA, tmp_path, {"layers": layers, "bottom": {"kind": "water_table", "depth_m": 1.5}})
    run = prepare_column(load_column_spec(path), path=path)
    assert run.profile.z_m[-1] == pytest.approx(1.5)


def test_block_spec_names_the_layer_as_listed(tmp_path: Path) -> None:
    from tests.test_richards3d_cli import SPEC
    from twin.soil.block3d_spec import build_block, load_block_spec

    doc = copy.deepcopy(SPEC)  # listed: loam 0.3-1.0 m, gravel 0-0.2 m, gravel 0.25-0.3 m: a gap at 0.2 m above the third
    doc["layers"] = [{"top_m": 0.3, "bottom_m": 1.0, "material": "loam"}, {"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"},
                     {"top_m": 0.25, "bottom_m": 0.3, "material": "gravel"}]
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as err:
        build_block(load_block_spec(path), path=path)
    assert err.value.field == "layers.2.top_m"  # listed third, second once sorted
    assert "gap or overlap at 0.25 m" in str(err.value)
