"""The monthly table's row matching without hashing (``twin.energy.results._positions``, used by
:func:`twin.energy.results.energy_accounts`) gives what ``Index.get_indexer`` gives: the kernel's
tables in the envelope's order, shuffled, with buildings missing or extra."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from tests.test_energy_stock_bad_input import row_scene


@pytest.mark.parametrize("case", ["same", "shuffled", "missing", "extra", "other_length"])
def test_positions_equal_get_indexer(case):
    from twin.energy.results import _positions

    rng = np.random.default_rng(3)
    have = np.array([f"b{i}" for i in range(50)], dtype=object)
    want = have.copy()
    if case == "shuffled":
        want = rng.permutation(have)
    elif case == "missing":
        want = have.copy()
        want[7] = "nope"
    elif case == "extra":
        want = np.concatenate([have, ["b3", "zz"]]).astype(object)
    elif case == "other_length":
        want = have[:20]
    got = _positions(have, want.astype(str))
    np.testing.assert_array_equal(got, pd.Index(have).get_indexer(want.astype(str)))


@pytest.fixture(scope="module")
def run():
    from twin.energy.stock import run_stock
    from twin.ingest.epw import read_epw

    return run_stock(row_scene(6), read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")))


def test_accounts_do_not_depend_on_the_order_of_the_kernel_tables(run):
    from twin.energy.results import energy_accounts

    res = run.results
    base = energy_accounts(run.envelope, res.per_building, res.monthly, run.drivers, costs=run.costs)
    pd.testing.assert_frame_equal(base, run.accounts, check_exact=True)
    order = np.random.default_rng(1).permutation(len(res.per_building))
    blocks = np.concatenate([np.arange(12) + 12 * i for i in order])
    shuffled = energy_accounts(run.envelope, res.per_building.iloc[order], res.monthly.iloc[blocks].reset_index(drop=True), run.drivers,
                               costs=run.costs)
    pd.testing.assert_frame_equal(shuffled, base, check_exact=True)
    # a building the kernel has no row for: NaN heating, as reindex gives
    fewer = energy_accounts(run.envelope, res.per_building.iloc[1:], res.monthly.iloc[12:].reset_index(drop=True), run.drivers,
                            costs=run.costs)
    assert np.isnan(fewer["q_heat_kwh"].iloc[0]) and (fewer["q_heat_kwh"].iloc[1:].to_numpy() == base["q_heat_kwh"].iloc[1:].to_numpy()).all()
