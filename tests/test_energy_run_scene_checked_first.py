"""``twin energy run`` checks that its SCENE paths exist before it starts its progress steps:
a missing scene was refused inside the run, after the step 'energy: scene' had begun (on a loaded
machine its progress line came before the one-line error).
"""

from __future__ import annotations

from typer.testing import CliRunner

import twin.solar.progress as solar_progress
from twin.cli.main import app
from twin.errors import InputError


def test_a_missing_scene_is_refused_before_the_run_starts(tmp_path, monkeypatch):
    def started(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(solar_progress, "Steps", started)
    result = CliRunner().invoke(app, ["energy", "run", str(tmp_path / "none.gpkg"), "-o", str(tmp_path / "out"), "-q"])
    assert isinstance(result.exception, InputError), result.exception
    assert result.exception.field == "SCENE" and "file not found" in result.exception.message
    assert not (tmp_path / "out").exists()

