"""The names of the ``twin`` package mean one thing, whatever was imported before."""

from __future__ import annotations

import subprocess
import sys
import types


def _types_in_fresh_process(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing of twin imported yet) and return its stdout."""
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_twin_ingest_is_the_subpackage_before_and_after_its_modules_are_imported():
    # Before: twin.ingest was the ingest function on first use and the subpackage once a module
    # of twin.ingest had been imported (the function itself imports them).
    out = _types_in_fresh_process(
        "import types, twin\n"
        "first = isinstance(twin.ingest, types.ModuleType)\n"
        "import twin.ingest.osm\n"
        "print(first, isinstance(twin.ingest, types.ModuleType), callable(twin.ingest.ingest))"
    )
    assert out == "True True True"


def test_lazy_names_resolve_to_what_all_promises():
    import twin

    for name in twin.__all__:
        value = getattr(twin, name)
        assert not isinstance(value, types.ModuleType), name
