"""Property-based tests: mutated CityJSON never makes the reader fail with anything but a TwinError.

Mutations of a valid document: truncation, flipped bytes, deleted keys/items, values replaced by
a value of another JSON type, vertex indices out of range. The reader either returns layers
that a scene accepts, or raises a :class:`twin.errors.TwinError` (which names the file).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_ingest_cityjson import district
from twin.errors import TwinError
from twin.ingest.cityjson import read_cityjson
from twin.ingest.dispatch import add_result
from twin.scene import Scene

_DIR = tempfile.TemporaryDirectory(prefix="twin-cityjson-fuzz-")
DOC = district()[0].doc()
TEXT = json.dumps(DOC).encode()
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _paths(node, prefix=()):
    """Every JSON path (tuple of keys/indices) in ``node``, the root excluded."""
    out = []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return out
    for k, v in items:
        out.append((*prefix, k))
        out.extend(_paths(v, (*prefix, k)))
    return out


PATHS = _paths(DOC)


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


# vertex indices of the objects the reader ingests (a dropped object's geometry is not read)
INDEX_PATHS = [p for p in PATHS if "boundaries" in p and p[1] != "lamp" and isinstance(_get(DOC, p), int)]

JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.just([]),
    st.just({}),
    st.just([[0, 1, 2]]),
    st.just([[[0, 1]]]),
)


def _write(content: bytes, name: str) -> Path:
    """``content`` written to ``name`` in the module's folder (hypothesis examples cannot use tmp_path)."""
    path = Path(_DIR.name) / name
    path.write_bytes(content)
    return path


def _check(content: bytes, name: str, scene: bool = False) -> None:
    """Read ``content``: a result (optionally added to a scene) or a TwinError naming the file."""
    path = _write(content, name)
    try:
        result = read_cityjson(path)
    except TwinError as exc:
        assert exc.path == str(path) or str(path) in str(exc)
        return
    if scene:
        try:
            add_result(Scene(crs="EPSG:28992"), result)
        except TwinError:
            return


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=len(TEXT) - 1))
def test_truncated_text(cut):
    with pytest.raises(TwinError):
        read_cityjson(_write(TEXT[:cut], "cut.city.json"))


@SETTINGS
@given(flips=st.lists(st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 255)), min_size=1, max_size=4))
def test_flipped_bytes(flips):
    data = bytearray(TEXT)
    for pos, mask in flips:
        data[pos] ^= mask
    _check(bytes(data), "flip.city.json", scene=True)


@settings(SETTINGS, max_examples=50)  # most deletions still read: each example is a full read
@given(which=st.integers(0, len(PATHS) - 1))
def test_deleted_key_or_item(which):
    doc = json.loads(TEXT)
    path = PATHS[which]
    parent = _get(doc, path[:-1])
    del parent[path[-1]]
    _check(json.dumps(doc).encode(), "del.city.json")


@SETTINGS
@given(which=st.integers(0, len(PATHS) - 1), value=JSON_VALUES)
def test_wrong_type(which, value):
    doc = json.loads(TEXT)
    path = PATHS[which]
    _get(doc, path[:-1])[path[-1]] = value
    _check(json.dumps(doc).encode(), "type.city.json")


@SETTINGS
@given(which=st.integers(0, len(INDEX_PATHS) - 1), offset=st.integers(0, 10**6))
def test_vertex_index_out_of_range(which, offset):
    doc = json.loads(TEXT)
    path = INDEX_PATHS[which]
    n = len(doc["vertices"])
    _get(doc, path[:-1])[path[-1]] = n + offset
    with pytest.raises(TwinError) as err:
        read_cityjson(_write(json.dumps(doc).encode(), "index.city.json"))
    assert "vertex index" in str(err.value)
    assert err.value.obj.startswith("/CityObjects/")


def test_mutation_sources_are_meaningful():
    """The mutation space covers the document: boundaries, semantics, vertices, metadata."""
    assert len(INDEX_PATHS) > 80
    assert any(p[0] == "metadata" for p in PATHS) and any(p[0] == "transform" for p in PATHS)
    assert any("semantics" in p for p in PATHS)
