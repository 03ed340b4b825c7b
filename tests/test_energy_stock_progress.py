"""Progress of ``twin energy run``: a bar over its steps (and the shading's) on stderr once a
step runs longer than the delay; silent without ``progress``; every step timed."""

from __future__ import annotations

import pytest

from tests.conftest import shared_path
from tests.test_energy_stock_bad_input import row_scene

EPW = ("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory):
    from twin.export.layers import write_scene

    folder = tmp_path_factory.mktemp("progress") / "scene"
    write_scene(row_scene(), folder)
    return folder


@pytest.mark.parametrize("progress", [True, False])
def test_energy_run_shows_its_steps_only_when_asked(scene_folder, tmp_path, capsys, monkeypatch, progress):
    import twin.solar.progress as prog
    from twin.energy.stock import run_command

    monkeypatch.setattr(prog, "DELAY_S", 0.0)  # every step counts as long
    times: dict = {}
    lines = run_command([scene_folder], weather=shared_path(*EPW), out=tmp_path / "out", progress=progress, times=times)
    err = capsys.readouterr().err
    assert lines[-1].startswith("results written to")
    assert list(times) == ["scene", "envelope and shading", "simulation", "writing"]
    assert all(t >= 0 for t in times.values())
    if progress:
        for step in ("energy: scene", "energy: envelope and shading", "energy: simulation", "energy: writing", "horizons"):
            assert step in err, step
    else:
        assert err == ""
