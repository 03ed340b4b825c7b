"""Interior solar absorptance as a spec key (issue 13, build 3): ``interior_solar_absorptance`` of a construction.

The finer model (twin/energy/iso52016.py, network built by twin/energy/stock_iso52016.py
``zone_network``) puts the window-transmitted solar first on the floor; each surface absorbs the
share ``alpha`` of what reaches it and reflects the rest diffusely onto all surfaces by area;
windows let ``g (1 - F_F) r_dif`` of what reaches them back out. ASHRAE 140 gives 0.6 for walls,
roof and floor (/work/shared/reference/bestest_cases.md: GSR-2020 ``int_sw_absorpt 0.6``, MBL
``absSol_b=0.6``), the key's default.

The split is checked against the closed form of that rule written out by hand (below), not
against the model's own linear solve: with ``A`` the total interior area, the flux reflected by all
surfaces is ``R = (1 - alpha_floor) + sum_k (1 - alpha_k) (A_k / A) R``, so
``R = (1 - alpha_floor) / (1 - sum_k (1 - alpha_k) A_k / A)``, and surface ``j`` absorbs
``alpha_j (first_j + A_j R / A)`` (``first`` is 1 on the floor, 0 elsewhere).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

DATA = Path(__file__).parent / "energy_data"


@pytest.fixture(scope="module")
def case600() -> dict:
    return yaml.safe_load((DATA / "bestest_600.yaml").read_text())


def _with(raw: dict, alphas: dict[str, float], internal_alpha: float | None = None) -> dict:
    """The spec dict with ``interior_solar_absorptance`` on the named envelope constructions, and
    (``internal_alpha``) one 10 m2 internal mass of plasterboard with that absorptance."""
    data = copy.deepcopy(raw)
    for element, alpha in alphas.items():
        data["envelope"][element]["interior_solar_absorptance"] = alpha
    if internal_alpha is not None:
        layer = {"thickness_m": 0.012, "conductivity_w_mk": 0.16, "density_kg_m3": 950, "heat_capacity_j_kgk": 840}
        data["internal_mass"] = [{"construction": {"layers": [layer], "interior_solar_absorptance": internal_alpha}, "area_m2": 10.0}]
    return data


def _window_letting_out() -> float:
    """Share of the solar reaching BESTEST 600's window from inside that leaves: ``g (1 - F_F)`` times
    the window's diffuse angular ratio (mean of sky and ground, vertical double pane of the spec)."""
    from twin.energy import solar

    r_sky, r_gnd, _ = solar.diffuse_angular_ratios(90.0, solar.Glazing(panes=2, n=1.526, kl=0.0947))
    return 0.762 * (1.0 - 0.0) * 0.5 * (r_sky + r_gnd)


def _hand_split(alpha_wall: float, alpha_roof: float, alpha_floor: float, alpha_mass: float) -> dict[str, float]:
    """Closed-form split of BESTEST 600 (8 x 6 x 2.7 m, two 3 x 2 m south windows) plus a 10 m2 internal mass."""
    areas = {"north": 8.0 * 2.7, "east": 6.0 * 2.7, "south": 8.0 * 2.7 - 12.0, "west": 6.0 * 2.7, "roof": 48.0, "floor": 48.0,
             "internal_mass0": 10.0, "win0": 12.0}
    alpha = {"north": alpha_wall, "east": alpha_wall, "south": alpha_wall, "west": alpha_wall, "roof": alpha_roof, "floor": alpha_floor,
             "internal_mass0": alpha_mass, "win0": _window_letting_out()}
    total = sum(areas.values())
    reflected = (1.0 - alpha_floor) / (1.0 - sum((1.0 - alpha[k]) * areas[k] / total for k in areas))
    return {k: alpha[k] * ((1.0 if k == "floor" else 0.0) + areas[k] * reflected / total) for k in areas}


@pytest.mark.parametrize("alphas", [(0.6, 0.6, 0.6, 0.6), (0.3, 0.5, 0.8, 0.2), (1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0)],
                         ids=["default", "mixed", "black", "white"])
def test_key_reaches_the_network_as_the_hand_split(denver, case600, alphas):
    from twin.energy.iso52016 import build_network
    from twin.energy.spec import spec_from_dict

    a_wall, a_roof, a_floor, a_mass = alphas
    spec = spec_from_dict(_with(case600, {"wall": a_wall, "roof": a_roof, "floor": a_floor}, internal_alpha=a_mass))
    net, _, _ = build_network(spec, denver)
    want = _hand_split(a_wall, a_roof, a_floor, a_mass)
    got = {name.removesuffix(".int"): share for name, share in net.info["solar_absorbed"].items()}
    assert set(got) == set(want)
    for name, share in want.items():
        assert got[name] == pytest.approx(share, rel=1e-12, abs=1e-15), name
    assert net.info["solar_lost_fraction"] == pytest.approx(want["win0"], rel=1e-12, abs=1e-15)
    # energy balance of the network's solar inputs: the window row puts g (1 - F_F) A_w times what
    # is not let out into the zone's nodes
    col = net.inputs.index("win_0_south")
    assert net.f_in[:, col].sum() == pytest.approx(0.762 * 12.0 * (1.0 - want["win0"]), rel=1e-12)


def test_black_interior_keeps_all_transmitted_solar(denver, case600):
    """Absorptance 1 on every surface: all on the floor at first incidence, nothing back out."""
    from twin.energy.iso52016 import build_network
    from twin.energy.spec import spec_from_dict

    default, _, _ = build_network(spec_from_dict(case600), denver)
    black, _, _ = build_network(spec_from_dict(_with(case600, {"wall": 1.0, "roof": 1.0, "floor": 1.0})), denver)
    assert black.info["solar_lost_fraction"] == 0.0
    assert black.info["solar_absorbed"]["floor.int"] == 1.0
    col = black.inputs.index("win_0_south")
    floor = black.names.index("floor.int")
    assert black.f_in[floor, col] == pytest.approx(0.762 * 12.0, rel=1e-15)
    assert black.f_in[:, col].sum() > default.f_in[:, col].sum()


@pytest.mark.parametrize("where,value", [("wall", 1.2), ("floor", -0.1), ("internal_mass", 1.5)])
def test_value_outside_0_1_is_one_schema_error_naming_the_field(case600, where, value):
    from twin.energy.spec import spec_from_dict
    from twin.errors import SchemaError

    if where == "internal_mass":
        data, field = _with(case600, {}, internal_alpha=value), "internal_mass.0.construction.interior_solar_absorptance"
    else:
        data, field = _with(case600, {where: value}), f"envelope.{where}.interior_solar_absorptance"
    with pytest.raises(SchemaError) as err:
        spec_from_dict(data, path="case600.yaml")
    assert err.value.field == field
    assert field in str(err.value) and "case600.yaml" in str(err.value)
    assert "more errors" not in str(err.value)


@pytest.mark.slow
def test_bestest_600_with_the_default_written_is_bit_identical(denver, case600):
    from twin.energy.iso52016 import simulate_spec_iso52016
    from twin.energy.spec import spec_from_dict

    plain = simulate_spec_iso52016(spec_from_dict(case600), denver)
    written = simulate_spec_iso52016(spec_from_dict(_with(case600, {"wall": 0.6, "roof": 0.6, "floor": 0.6})), denver)
    assert plain.keys() == written.keys()
    for key in plain:
        if key == "model":
            assert written[key] == plain[key]
            continue
        np.testing.assert_array_equal(np.asarray(written[key]), np.asarray(plain[key]), err_msg=key)
    assert plain["heating_mwh"] > 1.0 and plain["cooling_mwh"] > 1.0

