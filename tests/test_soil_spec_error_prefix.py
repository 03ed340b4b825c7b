"""Soil spec errors carry the validator's own words, without pydantic's ``Value error, ``.

The column spec and the year options kept the prefix (``field 'top.h_m': Value error, ...``)
while the block spec dropped it: one rule now (:func:`twin.soil.spec_errors.spec_input_error`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from twin.errors import InputError
from twin.soil.column import parse_column_spec
from twin.soil.year import YearOptions

CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"


def test_column_spec_validator_error_has_no_pydantic_prefix() -> None:
    doc = yaml.safe_load(CELIA.read_text())
    doc["materials"]["celia"]["texture"] = "Loam"  # a texture beside a model's parameters: a validator's ValueError
    with pytest.raises(InputError) as err:
        parse_column_spec(doc, path="spec.yaml")
    assert "takes its parameters from the table" in str(err.value)
    assert "Value error" not in str(err.value), str(err.value)


def test_year_options_validator_error_has_no_pydantic_prefix() -> None:
    with pytest.raises(InputError) as err:
        YearOptions.parse({"grid": {"bounds": [10.0, 0.0, 0.0, 10.0]}})  # inverted: the GridOptions validator
    assert "Value error" not in str(err.value), str(err.value)
    assert err.value.field is not None and "bounds" in err.value.field
