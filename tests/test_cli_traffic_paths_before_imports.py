"""``twin traffic``: the package imports no engine, and a missing input is refused before the engine is imported.

``twin.traffic`` imported ``twin.traffic.assign`` (NumPy) eagerly, so every module of the package
waited for NumPy; its names now load on first use (PEP 562, as :mod:`twin.energy`). The command
cases run the real command line with ``PYTHONPROFILEIMPORTTIME`` (the helpers of
``tests/test_cli_paths_checked_before_imports.py``) and read which modules it imported before it
stopped: no time is measured.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error
from tests.test_cli_paths_checked_before_imports import _imported_and_result

PROBE = """
import sys
import twin.traffic
light = 'numpy' not in sys.modules
import twin.traffic.multiclass  # imports the submodule twin.traffic.assign itself
from twin.traffic import ALGORITHMS, Network, assign
print(light, callable(assign), assign.__module__, Network.__name__, ALGORITHMS)
"""


def test_the_traffic_package_imports_no_numpy_and_keeps_its_names():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out[0] == "True", "import twin.traffic imported numpy"
    assert out[1:4] == ["True", "twin.traffic.assign", "Network"]  # the function, not the submodule of the same name
    assert "'b')" in out[-1]


def _path_cases(tmp: Path) -> dict[str, tuple[list, tuple[str, ...]]]:
    net = tmp / "net.tntp"
    net.write_text("")  # exists: the check passes it, the next path is the missing one
    missing_net = ["--net", tmp / "nope_net.tntp", "--trips", tmp / "nope_trips.tntp"]
    scene = ["--scene", tmp / "nope", "--demand", tmp / "od.csv"]
    return {
        "assign": (["traffic", "assign", *missing_net], ("nope_net.tntp", "network file not found")),
        "assign --trips": (["traffic", "assign", "--net", net, "--trips", tmp / "nope_trips.tntp"], ("nope_trips.tntp", "trips file not found")),
        "assign --scene": (["traffic", "assign", *scene], ("nope", "'--scene'", "input not found")),
        "access": (["traffic", "access", tmp / "nope"], ("nope", "'FILES'", "input not found")),
        "skims": (["traffic", "skims", "--net", tmp / "nope_net.tntp", "-o", tmp / "out.omx"], ("nope_net.tntp", "network file not found")),
        "select-link": (["traffic", "select-link", "--link", "1", *missing_net], ("nope_net.tntp", "network file not found")),
        "select-link --scene": (["traffic", "select-link", "--link", "1", *scene], ("nope", "'--scene'", "input not found")),
        "select-zone": (["traffic", "select-zone", "--zones", "1", *missing_net], ("nope_net.tntp", "network file not found")),
        "select-zone --scene": (["traffic", "select-zone", "--zones", "1", *scene], ("nope", "'--scene'", "input not found")),
    }


@pytest.mark.parametrize("command", ["assign", "assign --trips", "assign --scene", "access",
                                     "skims", "select-link", "select-link --scene", "select-zone", "select-zone --scene"])
def test_a_missing_input_is_refused_before_the_traffic_engine_is_imported(tmp_path, command):
    args, contains = _path_cases(tmp_path)[command]
    imported, result = _imported_and_result(args)
    assert_one_line_error(result, contains=contains)
    assert not imported & {"numpy", "pandas"}, f"twin traffic {command} imported {sorted(imported & {'numpy', 'pandas'})} before refusing the path"
    assert not (tmp_path / "out.omx").exists()
