"""Mode choice (multinomial logit): closed forms on a two-zone network, elasticities, calibration,
sampling, and bad coefficient tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.errors import InputError
from twin.traffic.mode_choice import MODES, ModeChoiceModel, read_targets


def two_zone_times() -> np.ndarray:
    """One OD pair (zone 1 -> zone 2): door-to-door minutes per mode (walk, bike, pt, car)."""
    return np.array([[[32.0]], [[11.0]], [[17.5]], [[9.0]]])


def closed_form(model: ModeChoiceModel, t: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """exp(V_m) / sum exp(V_k), written out with math.exp."""
    v = [model.asc[m] + model.beta_time_per_min * float(t[k, 0, 0]) + model.beta_cost_per_eur * float(cost[k, 0, 0]) for k, m in enumerate(MODES)]
    den = sum(math.exp(x) for x in v)
    return np.array([math.exp(x) / den for x in v])


def test_default_table_is_the_mtc_model_with_a_plausible_value_of_time() -> None:
    m = ModeChoiceModel.from_table()
    assert m.beta_time_per_min == pytest.approx(-0.05134)
    assert m.asc["pt"] == pytest.approx(-0.6709) and m.asc["walk"] == pytest.approx(-0.2068)
    # 0.05134 per min / 0.00492 per 1990 cent = 10.43 cents/min; in 2013 euros about 8.4 EUR/h
    assert m.value_of_time_eur_h == pytest.approx(60 * 0.05134 / (0.00492 * 100 * 1.3281 / (232.957 / 130.7)), rel=1e-3)


def test_two_zone_shares_equal_the_closed_form() -> None:
    m = ModeChoiceModel.from_table()
    t = two_zone_times()
    cost = np.array([[[0.0]], [[0.0]], [[2.0]], [[1.3]]])
    p = m.probabilities(m.utilities(t, cost))[:, 0, 0]
    assert p == pytest.approx(closed_form(m, t, cost), abs=1e-12)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    ls = m.logsum(m.utilities(t, cost))[0, 0]
    v = m.utilities(t, cost)[:, 0, 0]
    assert ls == pytest.approx(math.log(sum(math.exp(x) for x in v)), abs=1e-12)


def test_doubling_car_time_moves_shares_as_the_logit_formulas_say() -> None:
    m = ModeChoiceModel.from_table()
    t = two_zone_times()
    p0 = m.probabilities(m.utilities(t))[:, 0, 0]
    t2 = t.copy()
    t2[3] *= 2.0
    p1 = m.probabilities(m.utilities(t2))[:, 0, 0]
    car = MODES.index("car")
    # the closed form at the doubled time
    assert p1 == pytest.approx(closed_form(m, t2, np.zeros_like(t2)), abs=1e-12)
    # finite change: P1_car = P0 e^{b dT} / (P0 e^{b dT} + 1 - P0)
    g = math.exp(m.beta_time_per_min * float(t[car, 0, 0]))
    assert p1[car] == pytest.approx(p0[car] * g / (p0[car] * g + 1 - p0[car]), abs=1e-12)
    # IIA: the odds of every other pair of modes do not move; car odds move by exp(b dT)
    for k in range(len(MODES)):
        if k != car:
            assert math.log(p1[car] / p1[k]) - math.log(p0[car] / p0[k]) == pytest.approx(m.beta_time_per_min * t[car, 0, 0], abs=1e-12)
    # point elasticities agree with a numerical derivative, and integrate to the finite change
    e = m.elasticities(m.probabilities(m.utilities(t)), t, "car")[:, 0, 0]
    h = 1e-5
    tp, tm = t.copy(), t.copy()
    tp[car] *= 1 + h
    tm[car] *= 1 - h
    num = (np.log(m.probabilities(m.utilities(tp))[:, 0, 0]) - np.log(m.probabilities(m.utilities(tm))[:, 0, 0])) / (2 * h)
    assert e == pytest.approx(num, abs=1e-8)
    assert e[car] == pytest.approx(m.beta_time_per_min * t[car, 0, 0] * (1 - p0[car]), abs=1e-12)
    # d ln P_car / d T = b (1 - P_car): integrate along T from T0 to 2 T0 (Simpson) = ln(P1/P0)
    grid = np.linspace(t[car, 0, 0], 2 * t[car, 0, 0], 2001)
    vals = []
    for tc in grid:
        tt = t.copy()
        tt[car] = tc
        vals.append(m.beta_time_per_min * (1 - m.probabilities(m.utilities(tt))[car, 0, 0]))
    from scipy.integrate import simpson

    assert simpson(vals, x=grid) == pytest.approx(math.log(p1[car] / p0[car]), abs=1e-9)
    assert p1[car] < p0[car] and all(p1[k] > p0[k] for k in range(len(MODES)) if k != car)


def test_unavailable_modes_get_no_share_and_no_mode_means_no_share() -> None:
    m = ModeChoiceModel.from_table()
    t = np.array([[[10.0, np.inf]], [[5.0, np.inf]], [[np.inf, np.inf]], [[4.0, np.inf]]])
    p = m.probabilities(m.utilities(t))
    assert p[2, 0, 0] == 0.0 and p[:, 0, 0].sum() == pytest.approx(1.0)
    assert np.all(p[:, 0, 1] == 0.0)
    assert m.logsum(m.utilities(t))[0, 1] == -np.inf


def test_calibrated_constants_reproduce_the_targets() -> None:
    m = ModeChoiceModel.from_table()
    rng = np.random.default_rng(3)
    t = rng.uniform(2, 40, size=(4, 30, 30))
    w = rng.uniform(0, 5, size=(30, 30))
    targets = read_targets()
    cal = m.calibrate(lambda mm: mm.utilities(t), w, targets, tol=1e-12)
    p = cal.probabilities(cal.utilities(t))
    shares = np.array([(p[k] * w).sum() for k in range(4)]) / w.sum()
    assert shares == pytest.approx([targets[mm] for mm in MODES], abs=1e-9)
    assert cal.asc["car"] == 0.0 and cal.beta_time_per_min == m.beta_time_per_min


def test_samples_spread_with_the_standard_errors_and_keep_signs() -> None:
    m = ModeChoiceModel.from_table()
    draws = m.sample(4000, np.random.default_rng(0))
    bt = np.array([d.beta_time_per_min for d in draws])
    assert bt.std() == pytest.approx(0.003099, rel=0.05)
    assert np.all(bt < 0) and all(d.beta_cost_per_eur < 0 for d in draws)


def write_table(tmp_path, time_value: str = "-0.05", cost_value: str = "-0.3", extra: str = "") -> str:
    p = tmp_path / "coef.csv"
    p.write_text(
        "parameter,mode,value,unit,std_error,sign,distribution,source\n"
        "asc,walk,0.1,util,0,any,fixed,x\n"
        f"time,all,{time_value},util/min,0.003,negative,normal,x\n"
        f"cost,all,{cost_value},util/EUR,0.01,negative,normal,x\n" + extra
    )
    return str(p)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"time_value": "0.05"}, "time coefficient must be negative"),
        ({"cost_value": "0.3"}, "cost coefficient must be negative"),
        ({"time_value": "-51.3"}, "unit slip"),
        ({"time_value": "abc"}, "not a number"),
        ({"extra": "asc,tram,1,util,0,any,fixed,x\n"}, "unknown mode 'tram'"),
        ({"extra": "speed,all,1,util,0,any,fixed,x\n"}, "unknown parameter 'speed'"),
    ],
)
def test_bad_coefficient_tables_are_refused_with_the_line(tmp_path, kwargs, needle) -> None:
    path = write_table(tmp_path, **kwargs)
    with pytest.raises(InputError) as err:
        ModeChoiceModel.from_table(path)
    msg = str(err.value)
    assert needle in msg and "coef.csv" in msg and "\n" not in msg


def test_wrong_sign_override_is_refused() -> None:
    with pytest.raises(InputError, match="time coefficient must be negative"):
        ModeChoiceModel.from_table(overrides={"time": 0.02})
