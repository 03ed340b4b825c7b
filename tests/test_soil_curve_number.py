"""SCS Curve Number runoff against the closed form and the published worked value."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InputError
from twin.soil.curve_number import hydrologic_group, potential_retention_mm, runoff_mm


def test_issue_value_cn80_p50():
    # S = 25400/80 - 254 = 63.5 mm, Ia = 12.7 mm, Q = 37.3^2 / (37.3 + 63.5) = 13.80 mm
    assert runoff_mm(50.0, 80.0) == pytest.approx(13.80, abs=0.005)


def test_closed_form_by_hand():
    p, cn = np.array([10.0, 25.0, 80.0]), 61.0
    s = 25400.0 / cn - 254.0
    ia = 0.2 * s
    expected = np.where(p > ia, (p - ia) ** 2 / (p - ia + s), 0.0)
    np.testing.assert_allclose(runoff_mm(p, cn), expected, rtol=1e-12)
    assert potential_retention_mm(100.0) == 0.0
    assert runoff_mm(30.0, 100.0) == pytest.approx(30.0)  # nothing retained


def test_runoff_never_exceeds_rain_and_grows_with_cn():
    p = np.linspace(0, 200, 41)
    for cn in (39.0, 61.0, 80.0, 98.0):
        q = runoff_mm(p, cn)
        assert (q <= p + 1e-12).all() and (np.diff(q) >= 0).all()
    assert runoff_mm(50.0, 98.0) > runoff_mm(50.0, 61.0)


@pytest.mark.parametrize("kwargs", [dict(precip_mm=-1.0, cn=80.0), dict(precip_mm=10.0, cn=0.0), dict(precip_mm=10.0, cn=101.0)])
def test_bad_input(kwargs):
    with pytest.raises(InputError):
        runoff_mm(**kwargs)


def test_hydrologic_groups():
    assert hydrologic_group("silt loam") == "B" and hydrologic_group("clay") == "D" and hydrologic_group(None) == "B"
    with pytest.raises(InputError, match="texture"):
        hydrologic_group("moon dust")
