"""The names moved to :mod:`twin.option_names` (for the command line's option checks) are the same
objects under their old names in the engines, and the command line reads them there."""

from __future__ import annotations

import importlib

import pytest

import twin.option_names as names

#: (engine module, name) of every constant :mod:`twin.option_names` holds for an engine.
MOVED = [
    ("twin.energy.stock", "FORMATS"),
    ("twin.energy.hot_water", "DHW_MODELS"),
    ("twin.traffic.assign", "ALGORITHMS"),
    ("twin.traffic.assign", "algorithm_name"),
    ("twin.traffic", "ALGORITHMS"),
    ("twin.traffic.counts", "ESTIMATION_METHODS"),
    ("twin.traffic.dynamic_commands", "CLI_ROUTES"),
    ("twin.traffic.signal_phases", "SPLITS"),
    ("twin.solar.irradiance", "METHODS"),
    ("twin.solar.footprints", "SHAPES"),
]


@pytest.mark.parametrize(("module", "name"), MOVED)
def test_the_engine_keeps_the_name_of_the_same_object(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(names, name)


@pytest.mark.parametrize("spelling", ["fw", "Frank-Wolfe", " bush ", "b"])
def test_the_algorithm_reader_takes_the_other_spellings(spelling):
    assert names.algorithm_name(spelling) in names.ALGORITHMS


def test_the_algorithm_reader_refuses_an_unknown_name():
    from twin.errors import InputError

    with pytest.raises(InputError, match="unknown algorithm 'fww'; use one of fw, cfw, bfw, b"):
        names.algorithm_name("fww")
