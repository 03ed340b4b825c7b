"""Shared fixtures: where the external reference data lives, how its absence is handled, and the
two weather files that many tests read (``weather``: Uccle, ``denver``: the BESTEST site).

A test that needs ``../shared/data`` *fails* when the data is missing and ``CI`` is set, and is
skipped otherwise (a developer without the data can still run the rest).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TWIN_SHARED", REPO.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"
SHARED_REFERENCE = SHARED / "reference"
DATA_SAMPLES = REPO / "data_samples"


def shared_path(*parts: str) -> Path:
    """Path under ``../shared/data``; fails under CI, skips elsewhere, when it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"reference data missing: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``../shared/data`` folder (see :func:`shared_path`)."""
    return shared_path()


UCCLE_EPW = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
DENVER_EPW = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")


def _read_once(parts: tuple[str, ...]):
    """The weather file ``parts`` under ``../shared/data``, shared by the session's tests; at teardown,
    an error if one of them changed its data in place (copy ``weather.data`` before editing it)."""
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path(*parts))
    data = weather.data.copy()
    yield weather
    if not weather.data.equals(data):
        pytest.fail(f"a test changed the shared weather {parts[-1]} in place: edit a copy of its data", pytrace=False)


@pytest.fixture(scope="session")
def weather():
    """The Uccle TMYx weather (Brussels), read once a session; not to be changed in place."""
    yield from _read_once(UCCLE_EPW)


@pytest.fixture(scope="session")
def denver():
    """The Denver TMY3 weather of the BESTEST cases, read once a session; not to be changed in place."""
    yield from _read_once(DENVER_EPW)
