"""The PV yield prior (entry ``pv_yield``, ``twin/data/stock_priors_pv.yaml``): one lognormal
factor per Monte Carlo sample, truncated to its bounds, on a random stream of its own (switching
it on or off leaves every other draw as it was); a bad entry is one clear error naming the key."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tests.test_stock_priors import fake_scene
from twin.energy.priors import describe, load_priors
from twin.energy.stock_samples import draw_stock_samples
from twin.errors import SchemaError

N = 4000


def test_the_factor_follows_the_packaged_prior():
    priors = load_priors()
    p = priors.pv_yield
    assert (p.sd_common, p.low, p.high) == (0.079, 0.85, 1.17)
    assert "Thevenard and Pelland (2013)" in p.basis
    f = draw_stock_samples(fake_scene(20), priors, N, 3).pv_factor
    assert f.shape == (N,) and ((p.low <= f) & (f <= p.high)).all()
    # the logarithm is a normal of sd 0.079 truncated to [log 0.85, log 1.17]: compare with scipy's
    a, b = math.log(p.low) / p.sd_common, math.log(p.high) / p.sd_common
    ref = stats.truncnorm(a, b, scale=p.sd_common)
    assert stats.kstest(np.log(f), ref.cdf).pvalue > 1e-3
    assert np.mean(np.log(f)) == pytest.approx(ref.mean(), abs=4 * ref.std() / math.sqrt(N))
    row = next(r for r in describe(priors) if r["entry"] == "pv_yield")
    assert "one draw per sample for the district" in row["what"]


def test_its_stream_is_its_own():
    scene = fake_scene(50)
    on = draw_stock_samples(scene, load_priors(), 30, 11)
    off = draw_stock_samples(scene, load_priors({"pv_yield": {"enabled": False}}), 30, 11)
    assert off.pv_factor is None and on.pv_factor is not None
    for name in ("use", "n_storeys", "height_m", "floor_area_m2", "period", "air_factor", "hp_cop_factor", "setpoint_u_common"):
        np.testing.assert_array_equal(getattr(on, name), getattr(off, name), err_msg=name)
    assert on.subset([2, 5]).pv_factor.tolist() == on.pv_factor[[2, 5]].tolist()


@pytest.mark.parametrize(("entry", "key"), [({"sd_log_common": -0.1}, "sd_log_common"), ({"low": 1.2}, "low"),
                                            ({"high": 0.9}, "high"), ({"low": 1.0, "high": 1.0}, "high"), ({"parameter": "x"}, "parameter")])
def test_a_bad_entry_is_refused_naming_the_key(entry, key):
    with pytest.raises(SchemaError) as info:
        load_priors({"pv_yield": entry})
    assert info.value.field == f"pv_yield.{key}"


def test_the_reports_prior_table_says_what_the_district_wide_factors_apply_to():
    from types import SimpleNamespace

    from twin.scenario.report import _priors_table

    stock = draw_stock_samples(fake_scene(30), load_priors(), 5, 1)
    page = _priors_table(SimpleNamespace(stock_samples=stock))
    row = page.split("<td class='l' title='pv_yield'>rooftop PV yield</td>")[1].split("</tr>")[0]
    assert "every rooftop PV system (one factor per sample)" in row and "typology" not in row
    assert "every heat pump (one factor per sample)" in page.split("<td class='l' title='heat_pump_cop'>heat pump efficiency (COP)</td>")[1].split("</tr>")[0]
