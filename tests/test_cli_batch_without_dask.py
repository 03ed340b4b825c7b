"""``twin batch`` without the ``dask`` extra: one line naming the extra, exit 2, nothing written.

The README's default install has no ``dask`` extra; ``twin batch`` then ended in an internal error
(exit 70, ``ModuleNotFoundError: No module named 'distributed'``) after reading the scenarios.
"""

from __future__ import annotations

import os

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin


@pytest.fixture
def no_dask_env(tmp_path) -> dict[str, str]:
    """An environment whose ``import distributed`` fails, as where the extra is not installed."""
    shadow = tmp_path / "shadow"
    (shadow / "distributed").mkdir(parents=True)
    (shadow / "distributed" / "__init__.py").write_text("raise ImportError(\"No module named 'distributed'\")\n")
    return {"PYTHONPATH": os.pathsep.join([str(shadow), str(REPO), os.environ.get("PYTHONPATH", "")])}


@pytest.mark.parametrize("extra", [[], ["--scheduler", "tcp://127.0.0.1:8786"]], ids=["local-cluster", "scheduler"])
def test_batch_without_dask_names_the_extra(tmp_path, no_dask_env, extra):
    out = tmp_path / "out"
    r = run_twin(["batch", REPO / "scenarios" / "permits", "-o", out, *extra], env=no_dask_env)
    assert_one_line_error(r, contains=("pip install 'twin[dask]'",))
    assert not out.exists()
