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
    ("twin.energy.stock_iso52016", "CONTROL_TEMPERATURES"),
    ("twin.energy.iso52016", "EXTERIOR_CONVECTION"),
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


def test_the_zone_models_are_the_engines():
    from twin.energy.stock_iso52016 import MODELS

    assert MODELS is names.ZONE_MODELS


@pytest.mark.parametrize(("name", "data"), [("TERRAINS", "TERRAIN"), ("ROUGHNESSES", "ROUGHNESS_RF")])
def test_the_names_of_model_data_are_its_keys(name, data):
    """Terrains and roughnesses are model data (wind profiles, multipliers) kept in the engine: the
    command line's names are their keys, in order (the order the error lists them)."""
    from twin.energy import iso52016

    assert getattr(names, name) == tuple(getattr(iso52016, data))


@pytest.mark.parametrize("spelling", ["fw", "Frank-Wolfe", " bush ", "b"])
def test_the_algorithm_reader_takes_the_other_spellings(spelling):
    assert names.algorithm_name(spelling) in names.ALGORITHMS


def test_the_algorithm_reader_refuses_an_unknown_name():
    from twin.errors import InputError

    with pytest.raises(InputError, match="unknown algorithm 'fww'; use one of fw, cfw, bfw, b"):
        names.algorithm_name("fww")
