"""Shaded window groups of the stock drivers (twin.energy.solar.ShadedWindows, issue 13).

* A stock of several buildings: buildings with one overhang / fin geometry on one facade share one
  irradiance group (the drivers grow per geometry, not per building), each building gives the
  spec path's loads (:func:`twin.energy.iso52016.simulate_spec_iso52016`) to 1e-9, and a building
  without shading gives the same result in that stock as alone.
* The shaded group's irradiance is the spec path's window row, bit for bit, and the overhang takes
  more of the summer sun than of the winter sun on a south facade (Denver TMY3; the shading
  geometry itself is checked against closed forms in ``tests/test_energy_solar*.py``).
* Bad input: an unknown shading, a shading on a roof window, a group name collision, a shaded
  group the drivers do not hold: one InputError naming the object and the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "energy_data"


def _spec(case: str, name: str | None = None):
    from twin.energy.spec import load_spec

    spec = load_spec(DATA / f"bestest_{case}.yaml")
    return spec if name is None else spec.model_copy(update={"name": name})


def _summary(raw: dict, i: int) -> dict[str, float]:
    return {"heating_mwh": raw["heat_wh"][i] / 1e6, "cooling_mwh": raw["cool_wh"][i] / 1e6, "peak_heating_kw": raw["peak_heat_w"][i] / 1e3,
            "peak_cooling_kw": raw["peak_cool_w"][i] / 1e3, "t_air_min_c": raw["t_air_min_c"][i], "t_air_max_c": raw["t_air_max_c"][i],
            "t_air_mean_c": raw["t_air_mean_c"][i]}


@pytest.mark.slow
def test_buildings_share_shaded_groups_and_unshaded_building_is_unchanged(denver):
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.iso52016 import build_network, simulate_spec_iso52016
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import shaded_windows_of_spec, simulate_zones, zone_from_spec

    specs = [_spec("600"), _spec("610"), _spec("610", "610 twin"), _spec("630")]
    built = [zone_from_spec(s, denver) for s in specs]
    zones = [z for z, _ in built]
    for _, drv in built[1:]:  # one set of setpoints serves the four (20 / 27 degC), no scheduled flow
        assert np.array_equal(drv.heat_setpoint_c, built[0][1].heat_setpoint_c, equal_nan=True)
        assert np.array_equal(drv.cool_setpoint_c, built[0][1].cool_setpoint_c, equal_nan=True) and not drv.ve_schedule.any()
    shaded = [sw for s in specs for sw in shaded_windows_of_spec(s) if sw is not None]
    assert len(shaded) == 4  # 610, its twin, 630 east and west
    drivers = standard_drivers(denver, glazing=zones[0].windows[0]["glazing"], heat_setpoint_c=built[0][1].heat_setpoint_c,
                               cool_setpoint_c=built[0][1].cool_setpoint_c, shaded_windows=shaded)  # the specs' pane
    # the twins share one group: 11 standard groups + 610's south + 630's east and west
    assert drivers.groups[:len(STANDARD_GROUPS)] == STANDARD_GROUPS and len(drivers.groups) == len(STANDARD_GROUPS) + 3
    assert zones[1].windows[0]["group"] == zones[2].windows[0]["group"] == shaded[0].name == drivers.groups[len(STANDARD_GROUPS)]
    # the shared row is the spec path's window row, bit for bit
    _, drv_spec, _ = build_network(specs[1], denver)
    assert np.array_equal(drivers.irr_w_m2[len(STANDARD_GROUPS)], drv_spec.irr_w_m2[drv_spec.groups.index("win_0_south")])
    # the 1 m overhang 0.5 m above the heads cuts the south windows' summer sun more than their winter sun
    month = drivers.month_index()
    shaded_row, plain_row = drivers.irr_w_m2[len(STANDARD_GROUPS)], drivers.irr_w_m2[STANDARD_GROUPS.index("win_s")]
    ratio = {m: shaded_row[month == m].sum() / plain_row[month == m].sum() for m in (0, 6)}
    assert 0.0 < ratio[6] < ratio[0] < 1.0, ratio

    raw = simulate_zones(zones, drivers, warmup_hours=specs[0].simulation.warmup_hours)
    for i, spec in enumerate(specs[1:], start=1):
        ref = simulate_spec_iso52016(spec, denver)
        for key, value in _summary(raw, i).items():
            assert value == pytest.approx(ref[key], rel=1e-9, abs=1e-9), (spec.name, key)
    alone = simulate_zones([zones[0]], built[0][1], warmup_hours=specs[0].simulation.warmup_hours)
    for key, value in _summary(raw, 0).items():
        assert value == pytest.approx(_summary(alone, 0)[key], rel=1e-12, abs=1e-12), key
    assert _summary(raw, 1) == _summary(raw, 2)  # the twins
    assert raw["cool_wh"][1] < raw["cool_wh"][0]  # the overhang cools 610 below 600


def _overhang(depth: float = 1.0):
    from twin.energy.solar import WindowShading

    return WindowShading(width=3.0, height=2.0, overhang_depth=depth, overhang_gap=0.5, overhang_extension=0.5)


def test_equal_geometries_have_one_name_and_others_another():
    from twin.energy.solar import ShadedWindows

    a = ShadedWindows("win_s", (_overhang(),))
    assert a.name.startswith("win_s~") and len(a.name) == len("win_s~") + 12
    assert ShadedWindows("win_s", [_overhang()]).name == a.name == ShadedWindows("win_s", (_overhang(),)).name
    assert ShadedWindows("win_e", (_overhang(),)).name != a.name != ShadedWindows("win_s", (_overhang(1.1),)).name


def test_unknown_shading_is_a_clear_error(denver):
    from twin.energy.solar import ShadedWindows, standard_drivers
    from twin.errors import InputError

    with pytest.raises(InputError, match="unknown shading str") as exc:
        standard_drivers(denver, shaded_windows=[ShadedWindows("win_s", (_overhang(),)), ShadedWindows("win_w", ("overhang 1 m",))])
    assert exc.value.field == "shaded_windows.1.shadings.0" and "win_w" in str(exc.value)
    with pytest.raises(InputError, match="unknown shading dict") as exc:
        standard_drivers(denver, shaded_windows=[{"group": "win_s"}])
    assert exc.value.field == "shaded_windows.0"
    with pytest.raises(InputError, match="no overhang or fin") as exc:
        standard_drivers(denver, shaded_windows=[ShadedWindows("win_s", (_overhang(0.0),))])
    assert exc.value.field == "shaded_windows.0.shadings"


def test_shading_on_a_roof_window_is_a_clear_error(denver):
    from twin.energy.solar import ShadedWindows, standard_drivers
    from twin.energy.spec import Overhang
    from twin.energy.stock_iso52016 import zone_from_spec
    from twin.errors import InputError

    with pytest.raises(InputError, match="roof window") as exc:
        standard_drivers(denver, shaded_windows=[ShadedWindows("win_h", (_overhang(),))])
    assert exc.value.field == "shaded_windows.0.group" and "win_h" in str(exc.value)
    spec = _spec("600", "skylight")
    roof_window = spec.windows[0].model_copy(update={"facade": "roof", "overhang": Overhang(depth_m=1.0, gap_m=0.5)})
    with pytest.raises(InputError, match="not a roof window") as exc:
        zone_from_spec(spec.model_copy(update={"windows": [roof_window]}), denver)
    assert exc.value.field == "windows.0.overhang" and "skylight" in str(exc.value)


def test_stock_drivers_take_the_windows_glazing_and_refuse_two(denver):
    """The stock drivers' window rows are computed with the windows' angular glazing model (the 140-2020 pane
    of the specs, not the default pane); windows of two glazing models in one spec cannot share those rows."""
    from twin.energy import solar
    from twin.energy.stock_iso52016 import zone_from_spec
    from twin.errors import InputError

    spec = _spec("620", "two panes")
    zone, drivers = zone_from_spec(spec, denver)
    glazing = zone.windows[0]["glazing"]
    assert glazing != solar.Glazing() and glazing.kl == spec.windows[0].pane_extinction_kl
    sky = solar.sky_from_weather(denver, albedo=0.2)
    east = drivers.irr_w_m2[drivers.groups.index("win_e")]
    assert np.array_equal(east, solar.surface_irradiance(sky, 90.0, 90.0, glazing=glazing))
    assert not np.array_equal(east, solar.surface_irradiance(sky, 90.0, 90.0, glazing=solar.Glazing()))
    other = spec.windows[1].model_copy(update={"pane_extinction_kl": 0.0622})
    with pytest.raises(InputError, match="one angular glazing model") as exc:
        zone_from_spec(spec.model_copy(update={"windows": [spec.windows[0], other]}), denver)
    assert exc.value.field == "windows" and "two panes" in str(exc.value)


def test_group_name_collision_is_a_clear_error(denver, monkeypatch):
    import twin.caching
    from twin.energy.solar import ShadedWindows, standard_drivers
    from twin.errors import InputError

    monkeypatch.setattr(twin.caching, "content_digest", lambda *values, digest_size=32: bytes(digest_size))  # every short id the same
    one, other = ShadedWindows("win_s", (_overhang(),)), ShadedWindows("win_s", (_overhang(1.5),))
    assert one.name == other.name
    with pytest.raises(InputError, match="already the name of shaded_windows.0, another geometry") as exc:
        standard_drivers(denver, shaded_windows=[one, one, other])
    assert exc.value.field == "shaded_windows.2" and "win_s" in str(exc.value)


def test_window_in_a_group_the_drivers_lack_is_a_clear_error(denver):
    from twin.energy.solar import standard_drivers
    from twin.energy.stock_iso52016 import simulate_zones, zone_from_spec
    from twin.errors import InputError

    zone, drivers = zone_from_spec(_spec("610"), denver)
    plain = standard_drivers(denver, heat_setpoint_c=drivers.heat_setpoint_c, cool_setpoint_c=drivers.cool_setpoint_c)
    with pytest.raises(InputError, match="not a group of the drivers") as exc:
        simulate_zones([zone], plain)
    assert exc.value.field == "windows.0.group" and repr(zone.building_id) in str(exc.value)
