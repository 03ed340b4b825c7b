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


@pytest.mark.parametrize("dtype", ["str", object])
def test_block_ids_are_those_of_the_plain_comparison(dtype):
    from twin.energy.results import _block_ids

    ids = pd.Series(["a", "b", "c", "d"], dtype=dtype)
    blocks = pd.Series(ids.repeat(12).to_numpy(), dtype=dtype)
    got = _block_ids(blocks)
    if dtype == "str":
        pd.testing.assert_series_equal(got, ids)
    else:  # not Arrow strings: left to the plain comparison
        assert got is None
    other = blocks.copy()
    other.iloc[13] = "x"  # one value of the second block differs
    merged = pd.Series(pd.Series(["a", "a", "c", "d"], dtype=dtype).repeat(12).to_numpy(), dtype=dtype)  # two blocks of one id
    shifted = pd.Series(np.concatenate([["a"] * 11, ["b"] * 13, ["c"] * 12, ["d"] * 12]), dtype=dtype)
    for bad in (other, merged, shifted, blocks.iloc[:40]):
        assert _block_ids(bad.reset_index(drop=True)) is None


def test_monthly_heat_with_the_known_positions_of_the_kernel_rows():
    from twin.energy.results import _monthly_heat

    rng = np.random.default_rng(5)
    kernel_ids = pd.Index([f"b{i}" for i in range(9)], dtype="str", name="building_id")
    table = pd.DataFrame({"building_id": kernel_ids.repeat(12).array, "month": np.tile(np.arange(1, 13), 9), "q_heat_kwh": rng.random(108)})
    want_ids = np.array(["b0", "b2", "b3", "b8", "b5"], dtype=object)  # the kernel's rows without the rejected ones
    pivot = table.pivot_table(index="building_id", columns="month", values="q_heat_kwh", aggfunc="sum")
    want = pivot.reindex(index=want_ids, columns=range(1, 13)).to_numpy(dtype=float)
    pos = kernel_ids.get_indexer(want_ids)
    np.testing.assert_array_equal(_monthly_heat(table, want_ids, (kernel_ids, pos)), want)
    # positions of another index are not used for this table
    other = pd.Index([f"b{i}" for i in range(8, -1, -1)], dtype="str")
    np.testing.assert_array_equal(_monthly_heat(table, want_ids, (other, other.get_indexer(want_ids))), want)
