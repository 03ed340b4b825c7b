"""Overhangs with unequal side extensions, per-side fins, a window's position on its wall and the
finer model's ``simulation.interior_convection`` key (issue 13, build item 3).

References are closed forms and hand-computed shadow edges, not the code's own output:

* the sky factor of a window (height H) under an infinite overhang (depth P, gap G above the
  head), 2-D crossed strings: ``(sqrt((H + G)^2 + P^2) - sqrt(G^2 + P^2)) / H``;
* the shadow of an infinite overhang on a window with the sun at profile angle ``Omega``
  (``tan Omega = tan(elevation) / cos(gamma)``, ``gamma`` the sun's azimuth off the normal):
  ``P tan Omega - G`` below the overhang;
* the shadow of a fin of depth D at gap g from the jamb, sun at ``gamma`` towards the fin:
  ``D tan gamma - g`` of the width.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from twin.energy import solar
from twin.energy.spec import load_spec, spec_from_dict, zone_model
from twin.errors import InputError, SchemaError

DATA = Path(__file__).parent / "energy_data"


def _sun(elevation_deg, azimuth_deg) -> solar.SunPosition:
    e = np.atleast_1d(np.asarray(elevation_deg, dtype=float))
    a = np.broadcast_to(np.asarray(azimuth_deg, dtype=float), e.shape).copy()
    return solar.SunPosition(90.0 - e, a, e, np.full(e.shape, 1367.0))


def _facade_dir(elevation_deg: float, gamma_deg: float) -> np.ndarray:
    """Direction to the sun in facade coordinates (right, outward, up); gamma > 0 towards the right."""
    e, g = np.radians(elevation_deg), np.radians(gamma_deg)
    return np.array([[np.cos(e) * np.sin(g), np.cos(e) * np.cos(g), np.sin(e)]])


def _sky_factor_by_side(ws: solar.WindowShading, sign: int, n_grid: int = 8) -> float:
    """Cosine-weighted sky factor over the sky directions towards the right (sign +1) or left (-1) of the window."""
    vec, el, dom = solar._hemisphere_grid(30, 96)
    d = solar._to_facade(vec, 180.0)
    keep = (d[:, 1] > 0) & (el > 0) & (sign * d[:, 0] > 0)
    w = d[keep, 1] * dom[keep]
    return float((solar._sunlit_fraction_local(ws, d[keep], n_grid=n_grid) * w).sum() / w.sum())


def _closed_form_sky(h: float, g: float, p: float) -> float:
    return (np.sqrt((h + g) ** 2 + p**2) - np.sqrt(g**2 + p**2)) / h


# ---------------------------------------------------------------------------------- geometry
def test_symmetric_forms_give_identical_factors():
    """extension_m and equal side extensions, symmetric fins and equal per-side fins: the same arithmetic, bit for bit."""
    rng = np.random.default_rng(13)
    sun = _sun(rng.uniform(1, 80, 200), rng.uniform(0, 360, 200))
    pairs = [
        (solar.WindowShading(3.0, 2.0, 1.0, 0.5, 0.5), solar.WindowShading(3.0, 2.0, 1.0, 0.5, overhang_extension_left=0.5, overhang_extension_right=0.5)),
        (
            solar.WindowShading(1.5, 1.2, fin_depth=0.6, fin_gap=0.1, fin_above=0.3, fin_below=0.4),
            solar.WindowShading(1.5, 1.2, fin_left=solar.Fin(0.6, 0.1, 0.3, 0.4), fin_right=solar.Fin(0.6, 0.1, 0.3, 0.4)),
        ),
    ]
    for a, b in pairs:
        for az in (180.0, 95.0):
            fa, fb = solar.window_shading_factors(a, sun, az), solar.window_shading_factors(b, sun, az)
            assert np.array_equal(fa[0], fb[0]) and fa[1:] == fb[1:]


def test_one_sided_overhang_is_infinite_on_its_side():
    """Right extension 1 km, left 0: sun and sky to the right see the infinite overhang (closed forms), to the left none."""
    h, g, p = 1.5, 0.2, 0.8
    one = solar.WindowShading(2.0, h, p, g, overhang_extension_left=0.0, overhang_extension_right=1000.0)
    for elev, gamma in ((20.0, 30.0), (35.0, 50.0), (45.0, 15.0)):
        tan_profile = np.tan(np.radians(elev)) / np.cos(np.radians(gamma))
        lit = 1.0 - np.clip(p * tan_profile - g, 0.0, h) / h
        assert solar._sunlit_fraction_local(one, _facade_dir(elev, gamma), n_grid=400)[0] == pytest.approx(lit, abs=0.005)
    # sky to the right: the 2-D closed form of the infinite overhang (0.7028 here)
    assert _sky_factor_by_side(one, +1) == pytest.approx(_closed_form_sky(h, g, p), abs=0.004)
    # to the left the overhang ends at the jamb: less shade than the infinite one
    assert _sky_factor_by_side(one, -1) > _closed_form_sky(h, g, p) + 0.05


def test_one_sided_fin_shadow_edges_by_hand():
    """A right fin (depth 0.5, gap 0.1, full height): sun to the right shades 0.5 tan(gamma) - 0.1 of the width, to the left nothing.

    A right fin exactly as tall as the window (depth 1), sun at 45 degrees to the right with
    tan(elevation) / sin(gamma) = k: the ray from (x, z) reaches the fin plane x = 1 at height
    z + (1 - x) k, so the shaded part is z <= 1 - (1 - x) k: area 1 - k / 2 for k <= 1.
    """
    ws = solar.WindowShading(1.0, 1.0, fin_right=solar.Fin(0.5, 0.1, 10.0, 10.0))
    for gamma in (20.0, 40.0, 60.0):
        shaded = np.clip(0.5 * np.tan(np.radians(gamma)) - 0.1, 0.0, 1.0)
        assert solar._sunlit_fraction_local(ws, _facade_dir(15.0, gamma), n_grid=400)[0] == pytest.approx(1.0 - shaded, abs=0.005)
        assert solar._sunlit_fraction_local(ws, _facade_dir(15.0, -gamma), n_grid=50)[0] == 1.0
    square = solar.WindowShading(1.0, 1.0, fin_right=solar.Fin(1.0))
    for k in (0.5, 0.8):
        elev = np.degrees(np.arctan(k * np.sin(np.radians(45.0))))
        assert solar._sunlit_fraction_local(square, _facade_dir(elev, 45.0), n_grid=400)[0] == pytest.approx(k / 2, abs=0.005)
    # the public function on its 12 x 12 grid: a south facade seen from outside has east on its right (sun azimuth 180 - gamma)
    beam, _, _ = solar.window_shading_factors(ws, _sun(15.0, 180.0 - 40.0), 180.0)
    assert beam[0] == pytest.approx(1.0 - (0.5 * np.tan(np.radians(40.0)) - 0.1), abs=1 / 12 + 1e-9)


def test_mirror_symmetry():
    """Left and right swapped = the facade mirrored: the sun's azimuth reflected about the facade normal."""
    rng = np.random.default_rng(7)
    elev = rng.uniform(1, 80, 300)
    off = rng.uniform(-85, 85, 300)
    a = solar.WindowShading(2.0, 1.4, 0.9, 0.3, overhang_extension_left=0.2, overhang_extension_right=2.5,
                            fin_left=solar.Fin(0.4, 0.05, 0.2, 0.0), fin_right=solar.Fin(0.7, 0.0, 1.0, 0.5))
    b = solar.WindowShading(2.0, 1.4, 0.9, 0.3, overhang_extension_left=2.5, overhang_extension_right=0.2,
                            fin_left=solar.Fin(0.7, 0.0, 1.0, 0.5), fin_right=solar.Fin(0.4, 0.05, 0.2, 0.0))
    for az in (180.0, 90.0):
        fa = solar.window_shading_factors(a, _sun(elev, az + off), az)
        fb = solar.window_shading_factors(b, _sun(elev, az - off), az)
        assert np.max(np.abs(fa[0] - fb[0])) <= 1 / 144 + 1e-12  # at most one sample of 144 on a shadow edge
        assert np.mean(np.abs(fa[0] - fb[0])) < 1e-3
        assert fa[1] == pytest.approx(fb[1], abs=1e-3) and fa[2] == pytest.approx(fb[2], abs=1e-3)
    assert not np.allclose(solar.window_shading_factors(a, _sun(elev, 180.0 + off), 180.0)[0],
                           solar.window_shading_factors(b, _sun(elev, 180.0 + off), 180.0)[0])


def test_shading_rejects_negative_or_mixed_input():
    with pytest.raises(ValueError, match="overhang_extension_left"):
        solar.WindowShading(1.0, 1.0, 0.5, overhang_extension_left=-0.1)
    with pytest.raises(ValueError, match="not both"):
        solar.WindowShading(1.0, 1.0, fin_depth=0.5, fin_left=solar.Fin(0.5))
    with pytest.raises(ValueError, match="fin depth"):
        solar.Fin(-0.5)


# ---------------------------------------------------------------------------------- spec
def _base(case: str = "610") -> dict:
    return yaml.safe_load((DATA / f"bestest_{case}.yaml").read_text())


def _window_row(d: dict, weather) -> np.ndarray:
    """Transmitted solar of all windows, W (sum of coefficient x row over the window groups)."""
    inp, drv, _ = zone_model(spec_from_dict(d), weather)
    win = [k for k, g in enumerate(drv.groups) if g.startswith("win_")]
    return (inp.sol_coeff_m2[0, win][:, None] * drv.irr_w_m2[win]).sum(axis=0)


def test_side_extension_keys_and_symmetric_shorthand(denver):
    d = _base()
    before = _window_row(d, denver)
    d["windows"][0]["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_left_m": 0.5, "extension_right_m": 0.5}
    assert np.array_equal(_window_row(d, denver), before)
    d["windows"][0]["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_right_m": 4.5}  # left absent: 0 m
    one_sided = _window_row(d, denver)
    assert one_sided.sum() < _window_row(_base("600"), denver).sum()
    d["windows"][0]["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_left_m": 0.0, "extension_right_m": 4.5}
    assert np.array_equal(_window_row(d, denver), one_sided)


def test_wall_wide_overhang_reaches_the_wall_ends(denver):
    """Rule: window i at offset o_i (left jamb from the wall's left end, seen from outside) of a wall of
    length L gets the extensions o_i (left) and L - o_i - width (right); the row's irradiance is the
    mean over its windows. Checked against the same windows written one by one with explicit extensions."""
    d = _base()
    w = d["windows"][0]
    w["offset_m"] = [0.5, 4.5]
    w["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "wall_wide": True}
    wide = _window_row(d, denver)
    e = _base()
    w0 = e["windows"][0]
    w0["count"] = 1
    w1 = dict(w0)
    w0["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_left_m": 0.5, "extension_right_m": 4.5}
    w1["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_left_m": 4.5, "extension_right_m": 0.5}
    e["windows"].append(w1)
    assert np.allclose(wide, _window_row(e, denver), rtol=1e-12, atol=1e-9)
    assert wide.sum() < _window_row(_base(), denver).sum()  # more shade than 0.5 m on each side
    # one centred window: equal extensions, the symmetric form
    c = _base()
    c["windows"][0].update(count=1, offset_m=2.5, overhang={"depth_m": 1.0, "gap_m": 0.5, "wall_wide": True})
    s = _base()
    s["windows"][0].update(count=1, overhang={"depth_m": 1.0, "gap_m": 0.5, "extension_m": 2.5})
    assert np.array_equal(_window_row(c, denver), _window_row(s, denver))


def test_per_side_fins_in_the_spec(denver):
    d = _base("600")
    d["windows"][0]["fins"] = {"depth_m": 1.0, "gap_m": 0.0, "above_m": 0.5}
    sym = _window_row(d, denver)
    d["windows"][0]["fins"] = {"left": {"depth_m": 1.0, "above_m": 0.5}, "right": {"depth_m": 1.0, "above_m": 0.5}}
    assert np.array_equal(_window_row(d, denver), sym)
    d["windows"][0]["fins"] = {"right": {"depth_m": 1.0, "above_m": 0.5}}
    right_only = _window_row(d, denver)
    assert sym.sum() < right_only.sum() < _window_row(_base("600"), denver).sum()


def test_full_height_fins_in_wall_coordinates(denver):
    """Rule: a full-height fin runs from the floor to the top of the wall: below_m = sill_m, above_m =
    wall height - sill_m - height_m (BESTEST 630 window: sill 0.2 m, 2 m high, 2.7 m wall -> 0.2 / 0.5 m)."""
    d = _base("600")
    d["windows"][0].update(sill_m=0.2, fins={"depth_m": 1.0, "full_height": True})
    e = _base("600")
    e["windows"][0]["fins"] = {"depth_m": 1.0, "below_m": 0.2, "above_m": 0.5}
    assert np.array_equal(_window_row(d, denver), _window_row(e, denver))
    d["windows"][0]["fins"] = {"right": {"depth_m": 1.0, "full_height": True}}
    e["windows"][0]["fins"] = {"right": {"depth_m": 1.0, "below_m": 0.2, "above_m": 0.5}}
    assert np.array_equal(_window_row(d, denver), _window_row(e, denver))


@pytest.mark.parametrize(
    ("edit", "field", "match"),
    [
        (lambda w: w["overhang"].update(extension_left_m=-0.5, extension_m=None), "windows.0.overhang.extension_left_m", "greater than or equal"),
        (lambda w: w["overhang"].update(extension_right_m=4.5), "windows.0.overhang.extension_right_m", "not both"),
        (lambda w: w.update(fins={"left": {"gap_m": 0.1}}), "windows.0.fins.left.depth_m", "Field required"),
        (lambda w: w.update(fins={"depth_m": 0.5, "right": {"depth_m": 0.5}}), "windows.0.fins.depth_m", "not both"),
        (lambda w: w.update(fins={"gap_m": 0.2}), "windows.0.fins.depth_m", "depth_m"),
        (lambda w: w["overhang"].update(wall_wide=True, extension_m=None), "windows.0.offset_m", "offset_m"),
        (lambda w: w["overhang"].update(wall_wide=True), "windows.0.overhang.wall_wide", "leave out"),
        (lambda w: w.update(offset_m=[0.5]), "windows.0.offset_m", "one value per window"),
        (lambda w: w.update(offset_m=[0.5, 5.5]), "windows.0.offset_m.1", "outside the south wall"),
        (lambda w: w.update(offset_m=[0.5, 2.0]), "windows.0.offset_m", "overlap"),
        (lambda w: w.update(sill_m=1.0), "windows.0.sill_m", "above the south wall"),
        (lambda w: w.update(sill_m=-0.2), "windows.0.sill_m", "greater than or equal"),
        (lambda w: w.update(fins={"depth_m": 0.5, "full_height": True}), "windows.0.sill_m", "sill_m"),
        (lambda w: w.update(sill_m=0.2, fins={"left": {"depth_m": 0.5, "full_height": True, "above_m": 0.1}}), "windows.0.fins.left.above_m", "leave out"),
        (lambda w: w.update(fins={"full_height": True, "right": {"depth_m": 0.5}}), "windows.0.fins.full_height", "not both"),
    ],
)
def test_bad_shading_input_names_the_field(tmp_path, edit, field, match):
    d = _base()
    edit(d["windows"][0])
    d["windows"][0]["overhang"] = {k: v for k, v in d["windows"][0]["overhang"].items() if v is not None}
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    with pytest.raises(SchemaError, match=match) as e:
        load_spec(p)
    assert isinstance(e.value, InputError) and e.value.field == field and str(p) in str(e.value)


# ---------------------------------------------------------------------------------- interior convection
def test_interior_convection_key(tmp_path, denver):
    from twin.energy.iso52016 import INTERIOR_CONVECTION, build_network

    d = _base("600")
    d["simulation"]["interior_convection"] = "fixed"
    spec = spec_from_dict(d)
    assert spec_from_dict(_base("600")).simulation.interior_convection == "tarp"
    _, _, info = build_network(spec, denver)
    assert info["interior_convection"] == "fixed"
    _, _, info = build_network(spec, denver, interior_convection="tarp")  # the argument overrides the key
    assert info["interior_convection"] == "tarp"
    for value in INTERIOR_CONVECTION:
        d["simulation"]["interior_convection"] = value
        assert spec_from_dict(d).simulation.interior_convection == value
    d["simulation"]["interior_convection"] = "iso"
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    with pytest.raises(SchemaError, match="'tarp' or 'fixed'") as e:
        load_spec(p)
    assert e.value.field == "simulation.interior_convection"
