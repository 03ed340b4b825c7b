"""Retention and conductivity models: kernels vs NumPy twins vs closed forms; tables; bad input."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.kernels import soil_hydraulics as H
from twin.soil.hydraulics import (
    CARSEL_PARRISH_1988,
    SoilMaterial,
    carsel_parrish,
    read_texture_table,
    texture_material,
    van_genuchten,
)
from twin.soil.solver import build_tables

HEADS = -np.logspace(-4, 4, 400)

MATERIALS = [
    van_genuchten("celia", 0.102, 0.368, 3.35, 2.0, 9.22e-5),
    texture_material("Silty Clay"),  # n = 1.09, the hardest Carsel texture
    SoilMaterial("bc", "brooks_corey", 0.05, 0.40, 2e-6, h_b_m=0.25, lambda_=0.4, l=1.0),
    # Haverkamp et al. (1977) sand as used by Celia et al. (1990), converted from cm to m
    SoilMaterial("hav", "haverkamp", 0.075, 0.287, 9.44e-5, alpha_m_beta=1.611e6 / 100**3.96, beta=3.96,
                 a_m_gamma=1.175e6 / 100**4.74, gamma=4.74),
]


@pytest.mark.parametrize("mat", MATERIALS, ids=lambda m: m.name)
def test_kernel_and_numpy_twins_agree(mat):
    p = mat.row()
    p[8] = 0.0
    got = np.array([H.hydraulic_state(h, p) for h in HEADS])
    np.testing.assert_allclose(got[:, 0], mat.theta(HEADS), rtol=1e-12)
    np.testing.assert_allclose(got[:, 1], mat.capacity(HEADS), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(got[:, 2], mat.k(HEADS), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("mat", MATERIALS, ids=lambda m: m.name)
def test_capacity_is_the_derivative_of_theta(mat):
    h = HEADS[(HEADS < -1.05 * (mat.h_b_m if mat.model == "brooks_corey" else 0)) & (HEADS < -1e-3)]
    eps = 1e-5 * np.abs(h)
    numeric = (mat.theta(h + eps) - mat.theta(h - eps)) / (2 * eps)
    resolved = mat.capacity(h) * 2 * eps > 1e-10  # theta changes well above round-off
    assert resolved.sum() > 100
    np.testing.assert_allclose(mat.capacity(h)[resolved], numeric[resolved], rtol=1e-4)


def test_published_forms_at_a_point():
    # van Genuchten (1980) eq. 3 and Mualem (1976): Celia's soil at h = -1 m by hand
    m = MATERIALS[0]
    se = (1 + (3.35 * 1.0) ** 2) ** -0.5
    assert m.theta(-1.0) == pytest.approx(0.102 + 0.266 * se, rel=1e-14)
    assert m.k(-1.0) == pytest.approx(9.22e-5 * se**0.5 * (1 - (1 - se**2) ** 0.5) ** 2, rel=1e-12)
    # Brooks & Corey (1964): Se = (hb/|h|)^lambda, Kr = Se^((2 + 3 lambda)/lambda) for l = 1
    b = MATERIALS[2]
    se = (0.25 / 2.0) ** 0.4
    assert b.theta(-2.0) == pytest.approx(0.05 + 0.35 * se)
    assert b.k(-2.0) == pytest.approx(2e-6 * se ** ((2 + 3 * 0.4) / 0.4))
    assert b.theta(-0.1) == 0.40 and b.k(-0.1) == 2e-6  # above the air-entry head: saturated
    # Haverkamp et al. (1977), in cm: theta(-61.5 cm) and K(-61.5 cm)
    hv = MATERIALS[3]
    assert hv.theta(-0.615) == pytest.approx(0.075 + 1.611e6 * 0.212 / (1.611e6 + 61.5**3.96), rel=1e-12)
    assert hv.k(-0.615) == pytest.approx(9.44e-5 * 1.175e6 / (1.175e6 + 61.5**4.74), rel=1e-12)


@pytest.mark.parametrize("mat", MATERIALS, ids=lambda m: m.name)
def test_inverse_retention(mat):
    h = HEADS[HEADS < -(mat.h_b_m * 1.01 if mat.model == "brooks_corey" else 1e-3)]
    theta = mat.theta(h)
    keep = theta - mat.theta_r > 1e-9
    p = mat.row()
    back = np.array([H.head_from_theta(t, p) for t in theta[keep]])
    np.testing.assert_allclose(back, h[keep], rtol=1e-6)


@pytest.mark.parametrize("mat", [m for m in MATERIALS if m.model != "brooks_corey"] + list(carsel_parrish().values()),
                         ids=lambda m: m.name)
def test_hermite_tables_match_the_functions(mat):
    params, tables = build_tables([mat])
    p = params[0]
    assert p[8] == 1.0
    got = np.array([H.material_state_at(h, params, tables, 0) for h in HEADS])
    exact = np.array([H.hydraulic_state(h, p) for h in HEADS])
    assert np.max(np.abs(got[:, 0] - exact[:, 0])) < 1e-7
    relk = np.abs(got[:, 2] / exact[:, 2] - 1)
    assert relk[exact[:, 2] > 1e-15].max() < 1e-5 and relk.max() < 1e-3  # K < 1e-15 m/s carries no water
    assert got[:, 2].min() > 0.0
    wet = exact[:, 1] > 1e-6
    assert np.max(np.abs(got[wet, 1] / exact[wet, 1] - 1)) < 1e-3


def test_lookup_falls_back_to_the_analytic_form_exactly():
    """``material_state_at`` (whole arrays and a row index, no views) is the analytic state,
    to the last bit, wherever it does not interpolate: a row without its table, Brooks-Corey, ponded
    heads, the cells next to the air-entry kink, suctions beyond the table; for every material
    kind, with the table path exercised too."""
    mats = list(MATERIALS) + [m.with_air_entry(-0.02) for m in carsel_parrish().values()]
    params, tables = build_tables(mats)
    params[1, 8] = 0.0  # one van Genuchten row without its table: the analytic path
    heads = np.concatenate([HEADS, [0.01, 0.0, -0.0205, -0.021, -1e-7, -2e6]])
    n_table = n_exact = 0
    for k in range(len(mats)):
        p = params[k]
        for h in heads:
            got = H.material_state_at(float(h), params, tables, k)
            exact = H.hydraulic_state(float(h), p)
            s = int((np.float64(-h).view(np.int64) >> H.TABLE_SHIFT) - H.TABLE_KEY0) if h < 0 else -1
            kink = int(p[0]) == 0 and p[7] < 0.0 and h > 1.05 * p[7]
            if p[8] == 0.0 or h >= 0.0 or kink or not 0 <= s < H.TABLE_N_SEG:
                # the same formulas; inlined into the lookup, the compiler may contract a
                # multiply-add differently (fastmath "contract"), and which contractions it makes
                # depends on the compile (a version loaded from Numba's disk cache or compiled
                # afresh, the layouts already compiled): at most two units in the last place (one
                # was seen to fail when this test ran alone against a cache another run wrote)
                np.testing.assert_array_max_ulp(np.array(got), np.array(exact), maxulp=2)
                n_exact += 1
            else:
                assert abs(got[0] - exact[0]) < 1e-7, (mats[k].name, h)
                n_table += 1
    assert n_table > 100 and n_exact > 20  # both paths were exercised


@pytest.mark.parametrize("mat", [MATERIALS[0], MATERIALS[3]], ids=lambda m: m.name)
def test_tables_are_c1_and_capacity_is_the_slope_of_theta(mat):
    """At every segment end theta, K and the capacity are continuous (C1 interpolant), and
    the capacity is the derivative of the interpolated theta (what keeps mass consistent)."""
    params, tables = build_tables([mat])
    for s in range(0, H.TABLE_N_SEG, 37):
        a0, w = H.segment_bounds(s)
        left = H.material_state_at(-np.nextafter(a0, 0.0), params, tables, 0)  # last point of the segment before
        right = H.material_state_at(-a0, params, tables, 0)
        assert abs(left[0] - right[0]) <= 1e-12 * right[0]
        assert abs(left[2] - right[2]) <= 1e-9 * right[2]
        assert abs(left[1] - right[1]) <= 1e-6 * abs(right[1]) + 1e-300
        a = a0 + 0.37 * w
        eps = 1e-6 * w
        up, down = H.material_state_at(-(a + eps), params, tables, 0), H.material_state_at(-(a - eps), params, tables, 0)
        slope = (up[0] - down[0]) / (-2 * eps)  # d theta / dh
        mid_theta, mid, _ = H.material_state_at(-a, params, tables, 0)
        assert abs(slope - mid) <= 1e-5 * abs(mid) + 1e-15 * mid_theta / eps  # + round-off of the difference


def test_carsel_table_is_the_shared_csv():
    path = shared_path("soil", "carsel_parrish_1988.csv")
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(CARSEL_PARRISH_1988) == 12
    for row in rows:
        tr, ts, a, n, ks = CARSEL_PARRISH_1988[row["texture"]]
        assert (tr, ts, a, n, ks) == tuple(float(row[k]) for k in ("theta_r", "theta_s", "alpha_per_cm", "n", "Ks_cm_per_day"))
    read = read_texture_table(path)
    loam = read["Loam"]
    assert loam.alpha_per_m == pytest.approx(3.6) and loam.ks_m_s == pytest.approx(24.96 / 100 / 86400)
    assert texture_material("silt_loam") == carsel_parrish()["Silt Loam"]


# ----------------------------------------------------------------------------- bad input
def test_unknown_texture_names_the_field():
    with pytest.raises(InputError) as err:
        texture_material("Moon Dust")
    assert err.value.field == "texture" and "Moon Dust" in str(err.value) and "Silt Loam" in str(err.value)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(theta_r=0.4, theta_s=0.4), "theta_r"),
        (dict(theta_r=0.5, theta_s=0.4), "theta_r"),
        (dict(ks_m_s=-1e-6), "ks_m_s"),
        (dict(ks_m_s=0.0), "ks_m_s"),
        (dict(n=0.9), "n"),
        (dict(alpha_per_m=-2.0), "alpha_per_m"),
        (dict(theta_s=1.2), "theta_s"),
    ],
)
def test_invalid_parameters_name_the_field(kwargs, field):
    base = dict(theta_r=0.05, theta_s=0.4, alpha_per_m=2.0, n=1.5, ks_m_s=1e-6)
    base.update(kwargs)
    with pytest.raises(InputError) as err:
        SoilMaterial("bad", "van_genuchten", base["theta_r"], base["theta_s"], base["ks_m_s"], alpha_per_m=base["alpha_per_m"], n=base["n"])
    assert err.value.field == field


def test_user_table_errors_name_file_row_and_field(tmp_path):
    path = tmp_path / "soils.csv"
    path.write_text("texture,theta_r,theta_s,alpha_per_cm,n,Ks_cm_per_day\nGood,0.05,0.40,0.02,1.4,10\nBad,0.05,0.40,0.02,1.4,-3\n")
    with pytest.raises(InputError) as err:
        read_texture_table(path)
    assert err.value.field == "Ks_cm_per_day" and "line 3" in str(err.value) and "soils.csv" in str(err.value)
    path.write_text("texture,theta_r,theta_s,alpha_per_cm,n,Ks_cm_per_day\nX,0.45,0.40,0.02,1.4,10\n")
    with pytest.raises(InputError) as err:
        read_texture_table(path)
    assert err.value.field == "theta_r"
    path.write_text("texture,theta_r,theta_s,n,Ks_cm_per_day\nX,0.05,0.40,1.4,10\n")
    with pytest.raises(InputError) as err:
        read_texture_table(path)
    assert err.value.field == "alpha_per_cm"
    assert math.isclose(read_texture_table(shared_path("soil", "carsel_parrish_1988.csv"))["Sand"].n, 2.68)


def test_gardner_exponential_model_kernel_and_numpy_twins():
    """Gardner (1958): K = Ks exp(alpha h) and Se = exp(alpha h), never tabulated."""
    g = SoilMaterial("gardner", "gardner", 0.05, 0.40, 1e-5, alpha_per_m=2.0)
    p = g.row()
    assert p[0] == 3 and p[8] == 0.0
    got = np.array([H.hydraulic_state(h, p) for h in HEADS])
    se = np.exp(2.0 * HEADS)
    np.testing.assert_allclose(got[:, 0], 0.05 + 0.35 * se, rtol=1e-14)
    np.testing.assert_allclose(got[:, 1], 0.35 * 2.0 * se, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(got[:, 2], 1e-5 * se, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(got[:, 0], g.theta(HEADS), rtol=1e-14)
    np.testing.assert_allclose(got[:, 1], g.capacity(HEADS), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(got[:, 2], g.k(HEADS), rtol=1e-13, atol=1e-300)
    wet = HEADS[HEADS > -10]
    back = np.array([H.head_from_theta(t, p) for t in g.theta(wet)])
    np.testing.assert_allclose(back, wet, rtol=1e-9)
    assert H.hydraulic_state(0.1, p) == (0.40, 0.0, 1e-5)
    with pytest.raises(InputError):
        SoilMaterial("g", "gardner", 0.05, 0.40, 1e-5, alpha_per_m=-1.0)
