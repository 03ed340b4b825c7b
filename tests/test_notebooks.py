"""Every notebook in notebooks/ executes without error (nbclient, off screen) and shows its plots.

A cell that draws (calls one of :data:`PLOT_CALLS` outside a function definition) must leave a
PNG image among its outputs once executed. The kernel runs with ``MPLBACKEND=Agg``, the backend
of a headless machine, so a notebook shows its figures only if it selects the inline backend
itself (``%matplotlib inline``) or displays images explicitly (``display(Image(...))``): an
``Agg`` figure closed with ``plt.show()`` is silently lost, which left notebook 01's map and
horizon plot empty (issue 19).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

#: Names of calls that draw a figure (matplotlib, pandas/geopandas ``.plot``, twin.viz).
PLOT_CALLS = frozenset({
    "bar", "barh", "fill_between", "figure", "hist", "imshow", "plot", "plot_scene", "render_buildings",
    "scatter", "show", "subplots",
})


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _python_source(source: str) -> str:
    """A cell's source without IPython magics and shell escapes (``%...``, ``!...``)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _draws(source: str) -> bool:
    """Whether the cell calls a :data:`PLOT_CALLS` name outside a function or lambda body."""
    tree = ast.parse(_python_source(source))
    pending = list(ast.iter_child_nodes(tree))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in PLOT_CALLS:
                return True
        pending.extend(ast.iter_child_nodes(node))
    return False


def plot_cells(nb) -> list[int]:
    """Indices of the code cells that draw a figure."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and _draws(c.source)]


def _has_png(cell) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYVISTA_OFF_SCREEN", "true")
    nb = _read(path)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    blank = [i for i in plot_cells(nb) if not _has_png(nb.cells[i])]
    assert blank == [], f"{path.name}: cells {blank} draw a figure but show no image (image/png) once executed"


def test_there_is_a_notebook():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_plot_cells_are_found():
    # the detector itself: a plain call, a method call, a call in a with block; not a function body
    assert _draws("%matplotlib inline\nax = plot_scene(scene)")
    assert _draws("with ctx:\n    fig, ax = plt.subplots()")
    assert _draws("geo[changed].plot(ax=ax, column=col)")
    assert not _draws("def show(fig):\n    fig.savefig(buf)\n    display(Image(data=buf))\nx = 1")
    assert not _draws("kpis.round(2)")
    # every notebook shipped draws something, so the executed check is not vacuous
    assert all(plot_cells(_read(p)) for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_does_not_select_a_headless_backend(path):
    # matplotlib.use('Agg') in a notebook hides every figure of the notebook (issue 19)
    sources = "\n".join(c.source for c in _read(path).cells if c.cell_type == "code")
    assert not re.search(r"\b(matplotlib|mpl)\.use\(|plt\.switch_backend\(", sources)
