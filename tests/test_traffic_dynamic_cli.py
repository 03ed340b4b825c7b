"""``twin traffic simulate`` and ``twin traffic access`` through the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path
from twin.cli.main import app
from twin.errors import InputError


def write_bottleneck_scenario(folder):
    """Origin 0 -> 3 km link (0.8 veh/s) -> 1 km bottleneck (0.4 veh/s) -> 2; 0.6 veh/s for 600 s."""
    folder.mkdir()
    pd.DataFrame({"node_id": [0, 1, 2], "x_m": [0.0, 3000.0, 4000.0], "y_m": [0.0, 0.0, 0.0]}).to_csv(folder / "nodes.csv", index=False)
    pd.DataFrame(
        {
            "link_id": ["a", "b"], "from_node_id": [0, 1], "to_node_id": [1, 2], "length_m": [3000.0, 1000.0],
            "free_flow_speed_m_s": [20.0, 20.0], "jam_density_veh_m": [0.2, 0.2], "lanes": [1, 1],
            "backward_wave_speed_m_s": [5.0, 5.0], "capacity_veh_s": [0.8, 0.4],
        }
    ).to_csv(folder / "links.csv", index=False)  # fmt: skip
    pd.DataFrame({"origin_node_id": [0], "destination_node_id": [2], "t_start_s": [0.0], "t_end_s": [600.0], "flow_veh_s": [0.6]}).to_csv(
        folder / "demand.csv", index=False
    )
    pd.DataFrame({"key": ["deltat", "tmax"], "value": [5, 1800], "unit": ["s", "s"]}).to_csv(folder / "scenario.csv", index=False)


def test_simulate_command_reports_the_point_queue_delay(tmp_path):
    folder = tmp_path / "bottleneck"
    write_bottleneck_scenario(folder)
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(app, ["traffic", "simulate", str(folder), "--routes", "free_flow", "--json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["generated_veh"] == pytest.approx(360.0)
    assert summary["total_delay_veh_h"] * 3600 == pytest.approx(600.0**2 * 0.6 * 0.2 / (2 * 0.4), rel=1e-9)
    links = pd.read_csv(out)
    assert set(links["link_id"]) == {"a", "b"}
    text = CliRunner().invoke(app, ["traffic", "simulate", str(folder)])
    assert text.exit_code == 0 and "total_delay_veh_h" in text.output


@pytest.mark.parametrize(("flags", "expected"), [([], True), (["--no-signals"], False), (["--signals"], True)])
def test_simulate_command_passes_the_signals_switch(tmp_path, monkeypatch, flags, expected):
    """``--no-signals`` reaches ``run_simulate(signals=False)``; signals are on by default."""
    from twin.traffic import dynamic_commands

    seen = {}

    def fake_run_simulate(source, **kwargs):
        seen.update(kwargs)
        raise InputError("stop here", field="--demand")

    monkeypatch.setattr(dynamic_commands, "run_simulate", fake_run_simulate)
    result = CliRunner().invoke(app, ["traffic", "simulate", str(tmp_path), *flags])
    assert isinstance(result.exception, InputError)
    assert seen["signals"] is expected


def test_simulate_command_needs_demand_for_a_scene(tmp_path):
    streets = shared_path("brussels", "stgilles_streets_osm2013.geojson")
    result = CliRunner().invoke(app, ["traffic", "simulate", str(streets)])
    assert isinstance(result.exception, InputError) and result.exception.field == "--demand"


def test_access_command_writes_buildings_and_map(tmp_path):
    files = [str(shared_path("brussels", f"stgilles_{k}_osm2013.geojson")) for k in ("streets", "buildings", "landcover")]
    out, png = tmp_path / "b.parquet", tmp_path / "park.png"
    result = CliRunner().invoke(app, ["traffic", "access", *files, "--categories", "park,school", "--minutes", "15", "--json", "--output", str(out), "--map", str(png)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    shares = {row["category"]: row["share_of_residents"] for row in summary["categories"]}
    assert shares["park"] == pytest.approx(1.0) and shares["school"] == pytest.approx(1.0)  # 1 km district on foot
    assert len(pd.read_parquet(out)) == 3991
    assert png.read_bytes()[:4] == b"\x89PNG"
