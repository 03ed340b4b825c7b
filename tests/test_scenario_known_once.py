"""A scenario's measures and service categories: each known, none listed twice
(:func:`twin.scenario.schema._known_once`, shared by ``Renovate.measures`` and
``TrafficOptions.access_categories``). The unknown-name lines are checked in
tests/test_key_hints_everywhere.py and tests/test_bad_input_scenario.py; these are the
listed-twice lines, and which problem is named first."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from twin.scenario.schema import Renovate, TrafficOptions, known_measures


def _error(make) -> str:
    with pytest.raises(ValidationError) as err:
        make()
    return str(err.value)


def test_a_measure_listed_twice_is_named_once_first_in_sorted_order() -> None:
    a, b = sorted(known_measures()[:2])
    message = _error(lambda: Renovate(op="renovate", select={}, measures=[b, a, b, a]))
    assert f"Value error, measure {a!r} listed twice (it would be applied twice)" in message
    assert repr(b) + " listed" not in message


def test_a_category_listed_twice() -> None:
    message = _error(lambda: TrafficOptions(access_categories=["school", "post", "school"]))
    assert "Value error, category 'school' listed twice [" in message


def test_an_unknown_name_is_named_before_a_repeated_one() -> None:
    m = known_measures()[0]
    message = _error(lambda: Renovate(op="renovate", select={}, measures=[m, m, "no_such_measure"]))
    assert "unknown measure 'no_such_measure'" in message and "(known: " in message and "listed twice" not in message
    message = _error(lambda: TrafficOptions(access_categories=["school", "school", "pool"]))
    assert "unknown service category 'pool' (known: bank, " in message and "listed twice" not in message


def test_known_names_each_once_pass() -> None:
    assert Renovate(op="renovate", select={}, measures=list(known_measures()[:2])).measures == list(known_measures()[:2])
    assert TrafficOptions(access_categories=["school", "post"]).access_categories == ["school", "post"]
