"""``import twin.traffic`` imports no engine, and keeps its names.

``twin.traffic`` imported ``twin.traffic.assign`` (NumPy) eagerly, so every module of the package
waited for NumPy; its names now load on first use (PEP 562, as :mod:`twin.energy`). That the
``twin traffic`` commands refuse a missing input before the engine is imported is tested with the
other commands in ``tests/test_cli_paths_checked_before_imports.py``.
"""

from __future__ import annotations

import subprocess
import sys

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
