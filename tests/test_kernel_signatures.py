"""Kernel signatures: no function in ``kernels/`` takes more than 16 arguments (issue 19).

Long positional lists (38 arrays in the annual 5R1C kernel) are easy to call in the wrong order
and hard to read; kernels take grouped arrays instead: module-level ``NamedTuple`` classes of
arrays, which Numba types as tuples in nopython mode and whose classes the disk cache can pickle
(:func:`test_grouped_kernels_load_from_the_disk_cache`). Every ``def`` of every file in
``kernels/`` is read with :mod:`ast` (nested functions included), not imported.

:data:`KNOWN_OVER_16` lists, with the issue that owns the change, the kernels still over the
limit (none today); an entry no longer needed fails :func:`test_no_stale_known_entry`: delete its line.

A second rule guards the grouping: inside a ``prange`` loop, a kernel does not write through a
tuple field (``out.heat_wh[b] = x``): Numba's parallel backend loses such writes silently
(numba/numba issues 5872, 7135, 10338, still open in Numba 0.68). Unpack the output fields into
local names before the loop (``heat_wh = out.heat_wh``).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli_harness import REPO

KERNELS = REPO / "kernels"
MAX_ARGS = 16

#: (file name in kernels/, function) -> owner of the change, for kernels still over the limit.
#: Empty since every kernel of issue 19 takes grouped arrays (energy, transit, traffic, soil, solar): keep it so.
KNOWN_OVER_16: dict[tuple[str, str], str] = {}


def n_arguments(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Every parameter of a ``def``: positional-only, positional, keyword-only, ``*args``, ``**kwargs``."""
    a = node.args
    return len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs) + (a.vararg is not None) + (a.kwarg is not None)


def argument_counts(source: str, name: str = "<kernel>") -> dict[str, int]:
    """Function name -> number of arguments, for every ``def`` in ``source``."""
    out: dict[str, int] = {}
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = max(out.get(node.name, 0), n_arguments(node))
    return out


def kernel_files() -> list[Path]:
    return sorted(KERNELS.glob("*.py"))


def over_limit() -> dict[tuple[str, str], int]:
    """(file, function) -> arguments, for every function of ``kernels/`` over :data:`MAX_ARGS`."""
    found = {}
    for path in kernel_files():
        for func, n in argument_counts(path.read_text(encoding="utf-8"), str(path)).items():
            if n > MAX_ARGS:
                found[(path.name, func)] = n
    return found


def _is_prange(call: ast.expr) -> bool:
    if not isinstance(call, ast.Call):
        return False
    f = call.func
    return (isinstance(f, ast.Name) and f.id == "prange") or (isinstance(f, ast.Attribute) and f.attr == "prange")


def tuple_field_writes_in_prange(source: str, name: str = "<kernel>") -> list[str]:
    """``line: target`` of every store to ``x.field[...]`` (or ``x.field[...] += ...``) inside a ``prange`` loop."""
    out = []
    for loop in ast.walk(ast.parse(source, filename=name)):
        if not (isinstance(loop, ast.For) and _is_prange(loop.iter)):
            continue
        for node in ast.walk(loop):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            else:
                continue
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute):
                        out.append(f"{node.lineno}: {ast.unparse(t)}")
    return out


def test_counter_sees_every_kind_of_argument():
    source = (
        "def f(a, b, /, c, *d, e, f=1, **g):\n    def inner(x, y):\n        pass\n"
        "class K:\n    def m(self, z):\n        pass\n"
    )
    assert argument_counts(source) == {"f": 7, "inner": 2, "m": 2}


def test_kernels_take_at_most_16_arguments():
    offenders = {key: n for key, n in over_limit().items() if key not in KNOWN_OVER_16}
    assert not offenders, (
        f"kernel functions with more than {MAX_ARGS} arguments (group them in module-level NamedTuples of arrays, "
        f"as kernels/energy_5r1c.py does): {offenders}"
    )


def test_no_stale_known_entry():
    stale = sorted(set(KNOWN_OVER_16) - set(over_limit()))
    assert not stale, f"kernels now within {MAX_ARGS} arguments (or gone), delete them from KNOWN_OVER_16: {stale}"


def test_write_rule_detector():
    bad = "def k(out, x):\n    for c in prange(4):\n        out.heat[c] = x[c]\n        out.cool[c, 0] += 1.0\n"
    good = "def k(out, x):\n    heat = out.heat\n    for c in numba.prange(4):\n        heat[c] = x[c] + out.cool[c]\n"
    assert tuple_field_writes_in_prange(bad) == ["3: out.heat[c]", "4: out.cool[c, 0]"]
    assert tuple_field_writes_in_prange(good) == []


def test_no_write_through_a_tuple_field_inside_prange():
    found = {}
    for path in kernel_files():
        writes = tuple_field_writes_in_prange(path.read_text(encoding="utf-8"), str(path))
        if writes:
            found[path.name] = writes
    assert not found, (
        "writes through a tuple field inside a prange loop are lost by Numba's parallel backend (numba issues 5872, 7135): "
        f"unpack the field into a local name before the loop: {found}"
    )


_PROBE = """
import json, sys
import numpy as np
from tests.energy_synthetic import synthetic_drivers, synthetic_stock
from twin.energy.periods import simulate_periods
from twin.energy.simulate import run_kernel
from twin.kernels import energy_5r1c, energy_5r1c_periods, transit_csa
from twin.kernels.transit_csa import Connections, StopLegs

inp, d = synthetic_stock(3, seed=1), synthetic_drivers(48, seed=1)
run_kernel(inp, d, warmup_hours=0)
simulate_periods(inp, d, heat_setpoint_c=20.0, period=np.zeros(48, dtype=np.int64), n_periods=1, warmup_hours=0)
i64 = lambda *v: np.array(v, dtype=np.int64)
transit_csa.csa_travel_times(
    np.zeros(1), StopLegs(i64(0, 1), i64(0), np.zeros(1)), StopLegs(i64(0, 1), i64(1), np.zeros(1)),
    Connections(i64(0), i64(1), np.array([10.0]), np.array([70.0]), i64(0)), 1,
    StopLegs(i64(0, 0, 0), i64(), np.zeros(0)), 0.0, 3600.0, np.empty((1, 1)), np.empty((1, 1)),
)
kernels = (energy_5r1c.simulate_5r1c, energy_5r1c_periods.run_periods_5r1c, transit_csa.csa_travel_times)
print(json.dumps({f.__name__: [sum(f.stats.cache_hits.values()), sum(f.stats.cache_misses.values())] for f in kernels}))
"""


def test_grouped_kernels_load_from_the_disk_cache():
    """A second process loads the NamedTuple-taking kernels from Numba's disk cache instead of compiling them.

    The first process compiles (if the cache does not hold them yet) and stores; the second must
    report only cache hits for all three kernels.
    """
    env = {**os.environ, "TWIN_NUMBA_THREADS": "1", "PYTHONPATH": str(REPO)}
    runs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    second = runs[1]
    assert set(second) == {"simulate_5r1c", "run_periods_5r1c", "csa_travel_times"}
    for name, (hits, misses) in second.items():
        assert hits >= 1 and misses == 0, f"{name}: {hits} cache hits, {misses} misses in the second process (first: {runs[0][name]})"
