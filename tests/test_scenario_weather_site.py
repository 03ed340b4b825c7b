"""``twin run`` refuses a weather file of another place, through either scenario key.

``twin ingest``, ``twin energy run`` and ``twin solar cadastre`` refuse a weather file more than
300 km from the scene (:mod:`twin.io.weather_site`, 76142ac). A scenario gives its weather as
``inputs.weather`` (ingested with the scene) or ``energy.weather`` (read by the energy engine);
the second ran a Saint-Gilles stock under a Lyon sun with exit 0.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.scenario_helpers import BOX_100M, EPW, permit_scenario, permit_sites, write_small_district

#: Lyon (Bron), about 600 km from Saint-Gilles.
LYON_LOCATION = "LOCATION,Lyon,ARA,FRA,test,074800,45.72600,4.94100,1.0,201.0"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("weather_site")
    buildings = write_small_district(root / "inputs", box=BOX_100M)
    lines = EPW.read_text().splitlines(keepends=True)
    assert lines[0].startswith("LOCATION,Uccle")
    (root / "inputs" / "lyon.epw").write_text(LYON_LOCATION + "\n" + "".join(lines[1:]))
    return root, buildings


def _scenario(root, buildings, *, inputs_weather, energy_weather=None):
    doc = permit_scenario("far-weather", permit_sites(buildings, 1, box=BOX_100M)[0], buildings=buildings)
    doc["inputs"]["weather"] = str(inputs_weather)
    if energy_weather is not None:
        doc["energy"] = {"weather": str(energy_weather)}
    path = root / f"scenario_{len(list(root.glob('scenario_*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _run(scenario, out):
    return subprocess.run([sys.executable, "-m", "twin.cli.main", "run", str(scenario), "-o", str(out), "-q",
                           "--allow-dir", str(scenario.parent / "inputs")], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("key", ["inputs.weather", "energy.weather"])
def test_twin_run_refuses_a_weather_file_of_another_place(folder, key):
    root, buildings = folder
    lyon = root / "inputs" / "lyon.epw"
    if key == "inputs.weather":
        scenario = _scenario(root, buildings, inputs_weather=lyon)
    else:
        scenario = _scenario(root, buildings, inputs_weather=EPW, energy_weather=lyon)
    out = root / f"out_{key}"
    proc = _run(scenario, out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twin: error:"), proc.stderr
    assert "lyon.epw" in lines[0] and "km from the scene" in lines[0], lines[0]
    if key == "energy.weather":
        assert "energy.weather" in lines[0], lines[0]
    assert not out.exists()
