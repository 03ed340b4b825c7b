"""The stock's film correction is a documented building input (Conventions -> StockInputs), not a mode of the call."""

from __future__ import annotations

import numpy as np

from tests.conftest import shared_path


def test_stock_inputs_carry_the_film_correction_of_the_conventions():
    from twin.energy.model import TABULA_CONVENTIONS, Conventions, envelope_from_tabula, to_stock_inputs
    from twin.energy.simulate import steady_state_h_tr_w_k
    from twin.energy.typology import read_tabula

    env = envelope_from_tabula(read_tabula(shared_path("typology", "tabula_BE.csv")))
    on = to_stock_inputs(env, conventions=TABULA_CONVENTIONS)
    assert Conventions().film_correction and on.film_correction.all()
    # steady state of the stock's network = TABULA's H_tr (sum U A), the quantity the typology check compares
    np.testing.assert_allclose(steady_state_h_tr_w_k(on), on.h_tr_w_w_k + on.h_tr_op_w_k, rtol=1e-12)
    off = to_stock_inputs(env, conventions=Conventions(**{**TABULA_CONVENTIONS.__dict__, "film_correction": False}))
    assert not off.film_correction.any()
    assert np.all(steady_state_h_tr_w_k(off) < steady_state_h_tr_w_k(on))  # the interior film counted twice
    # a subset keeps each building's flag
    mixed = on.subset(np.arange(on.n_buildings) < 5)
    assert mixed.n_buildings == 5 and mixed.film_correction.all()


def test_simulate_prepared_takes_no_film_option():
    """twin run's path (stock.simulate_prepared) passes no film keyword: the buildings' inputs decide."""
    import inspect

    from twin.energy import stock

    src = inspect.getsource(stock.simulate_prepared)
    assert "film_correction=" not in src
