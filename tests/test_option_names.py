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
]


@pytest.mark.parametrize(("module", "name"), MOVED)
def test_the_engine_keeps_the_name_of_the_same_object(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(names, name)
