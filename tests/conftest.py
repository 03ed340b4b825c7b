"""Shared fixtures: where the external reference data lives, and how its absence is handled.

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
