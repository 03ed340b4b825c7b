"""The glazing of a window as a spec key (``windows.K.glazing_gap``), read by the one network builder.

* The spec key gives the network the builder's ``glazing=`` argument gives (same arrays, exactly):
  the pane set is an input of the building, not of the call.
* The stock front end (:func:`twin.energy.stock_iso52016.zone_from_spec`) carries it: its network
  has the same gap link as the spec path's (the full-year equality of the two paths is
  ``tests/test_energy_stock_iso52016.py``).
* Bad input: a gap of 0 m, an emissivity above 1, a gap on a triple glazing: one clear error naming
  the file, the spec and the key path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

DATA = Path(__file__).parent / "energy_data"


def _network(spec, glazing=None):
    """The builder of both paths on the spec's own groups (no weather needed for the network)."""
    from twin.energy.stock_iso52016 import zone_input_from_spec, zone_network

    zone = zone_input_from_spec(spec, air_density_kg_m3=1.0, h_ve_w_k=10.0, standard_groups=False, glazing=glazing)
    groups = ("sky_lw",) + tuple(s["group"] for s in zone.surfaces if s["group"]) + tuple(w["group"] for w in zone.windows)
    return zone_network(zone, groups)


def test_spec_key_equals_builder_argument():
    from twin.energy.iso52016 import GlazingGap, load_spec_iso52016

    spec = load_spec_iso52016(DATA / "bestest_620.yaml")  # two windows (east, west)
    spec = spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"exterior_convection": "fixed"})})  # the gap links last
    gz = spec.windows[0].glazing_gap
    assert gz is not None and gz.gap_m == 0.012 and gz.pane_thickness_m == 0.003048  # the 140-2020 pane set
    arg = [GlazingGap(pane_thickness_m=0.003048, pane_conductivity_w_mk=1.0, gap_m=0.012, emissivity=0.84)] * 2
    net_s, net_a, net_0 = _network(spec), _network(spec, arg), _network(spec, [None, None])
    assert net_s.info["glazing_gap_links"] == 2 and net_0.info["glazing_gap_links"] == 0
    for key in ("k_w_k", "f_in", "c_j_k", "conv_node", "conv_other", "conv_kind", "conv_partner", "conv_gap", "conv_h0_w_m2k"):
        np.testing.assert_array_equal(getattr(net_s, key), getattr(net_a, key), err_msg=key)
    # gap link: panes' resistance 2 d / k, emissivity factor 1 / (2 / eps - 1), glazing height 2 m
    np.testing.assert_allclose(net_s.conv_gap[-1], [0.012, 2 * 0.003048 / 1.0, 1 / (2 / 0.84 - 1), 2.0], rtol=1e-15)
    assert len(net_0.conv_node) == len(net_s.conv_node) - 2


def test_stock_front_end_carries_the_glazing(denver):
    from twin.energy.iso52016 import build_network, load_spec_iso52016
    from twin.energy.stock_iso52016 import zone_from_spec, zone_network

    spec = load_spec_iso52016(DATA / "bestest_900.yaml")
    zone, drivers = zone_from_spec(spec, denver)
    net_stock = zone_network(zone, tuple(drivers.groups))
    net_spec, _, _ = build_network(spec, denver)
    assert zone.windows[0]["gap"] is not None
    for key in ("conv_kind", "conv_partner", "conv_gap", "conv_h0_w_m2k", "conv_area_m2"):
        np.testing.assert_array_equal(getattr(net_stock, key), getattr(net_spec, key), err_msg=key)
    np.testing.assert_array_equal(net_stock.k_w_k, net_spec.k_w_k)
    np.testing.assert_array_equal(net_stock.names, net_spec.names)


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"glazing_gap": {"gap_m": 0.0}}, "windows.0.glazing_gap.gap_m", "greater than 0"),
        ({"glazing_gap": {"gap_emissivity": 1.2}}, "windows.0.glazing_gap.gap_emissivity", "less than or equal to 1"),
        ({"glazing_gap": {"gap_width": 0.01}}, "windows.0.glazing_gap.gap_width", "unknown key"),
        ({"panes": 3}, "windows.0", "double glazing"),
    ],
)
def test_bad_glazing_key_is_named(tmp_path, change, field, message):
    from twin.energy.iso52016 import load_spec_iso52016
    from twin.errors import SchemaError

    data = yaml.safe_load((DATA / "bestest_600.yaml").read_text(encoding="utf-8"))
    win = data["windows"][0]
    for key, val in change.items():
        if isinstance(val, dict):
            win[key].update(val)
        else:
            win[key] = val
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SchemaError, match=message) as exc:
        load_spec_iso52016(path)
    assert exc.value.field == field and str(path) in str(exc.value) and "BESTEST 600" in str(exc.value)
