"""Property-based tests of the GIS path: random features never end in anything but a TwinError,
and what is read is physically possible.

Each example writes a small GeoJSON in Lambert 72 around Saint-Gilles: polygons, lines and
points, some with broken geometry (unclosed rings, too few points, NaN / infinite / huge
coordinates) and attributes of any type (numbers out of range, NaN, infinity, text, booleans,
nested values). :func:`twin.ingest.read` either returns layers whose buildings have a height in
(0, 1000] m, storeys >= 1 and finite coordinates, and every input feature is either in a layer or
in ``dropped``; or raises a :class:`twin.errors.TwinError`.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.geojson_builders import X0, Y0, square_ring, write_geojson
from twin.errors import TwinError, TwinWarning
from twin.ingest import read
from twin.scene.limits import MAX_HEIGHT_M

_DIR = tempfile.TemporaryDirectory(prefix="twin-vector-fuzz-")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

OFFSET = st.floats(min_value=0.0, max_value=500.0, allow_nan=False)
BAD_NUMBER = st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e300, -1e300])
VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["12", "12 m", "40'", "7,5", "3;4", "tall", "", " ", "1890s", "C19", "-3", "1e9"]),
    st.lists(st.integers(0, 9), max_size=2),
)


@st.composite
def polygon(draw):
    x, y = X0 + draw(OFFSET), Y0 + draw(OFFSET)
    size = draw(st.floats(min_value=0.0, max_value=50.0, allow_nan=False))
    ring = square_ring(x, y, size)
    kind = draw(st.sampled_from(["fine", "fine", "unclosed", "short", "bad_number", "bowtie"]))
    if kind == "unclosed":
        ring = ring[:-1]
    elif kind == "short":
        ring = ring[:2] + [ring[0]]
    elif kind == "bad_number":
        ring[draw(st.integers(1, 3))][draw(st.integers(0, 1))] = draw(BAD_NUMBER)
        ring[-1] = list(ring[0])
    elif kind == "bowtie":
        ring = [ring[0], ring[2], ring[1], ring[3], ring[0]]
    return {"type": "Polygon", "coordinates": [ring]}


@st.composite
def line(draw):
    n = draw(st.integers(1, 4))
    coords = [[X0 + draw(OFFSET), Y0 + draw(OFFSET)] for _ in range(n)]
    if draw(st.booleans()) and n > 1:
        coords[-1][0] = draw(BAD_NUMBER)
    return {"type": "LineString", "coordinates": coords}


@st.composite
def point(draw):
    xy = [X0 + draw(OFFSET), Y0 + draw(OFFSET)]
    if draw(st.integers(0, 4)) == 0:
        xy[1] = draw(BAD_NUMBER)
    return {"type": "Point", "coordinates": xy}


@st.composite
def feature(draw, i):
    geom = draw(st.one_of(polygon(), polygon(), line(), point(), st.none()))
    props = {"id": f"f{i}"}
    keys = draw(st.lists(st.sampled_from(["building", "height", "building:levels", "start_date", "construction_year",
                                          "amenity", "highway", "landuse", "name", "sealed_fraction"]), max_size=5, unique=True))
    for k in keys:
        props[k] = draw(VALUE)
    if geom is not None and geom["type"] == "Polygon" and draw(st.booleans()):
        props["building"] = "yes"
    return {"type": "Feature", "properties": props, "geometry": geom}


@st.composite
def collection(draw):
    n = draw(st.integers(1, 6))
    return [draw(feature(i)) for i in range(n)]


@SETTINGS
@given(features=collection())
def test_random_features_are_read_or_refused_with_a_twin_error(features):
    path = write_geojson(Path(_DIR.name) / "fuzz.geojson", features)  # NaN and Infinity as JSON extensions
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwinWarning)
            result = read(path)
    except TwinError as exc:
        assert "fuzz.geojson" in str(exc)
        return
    b = result.layers.get("buildings")
    if b is not None and len(b):
        h = b["height_m"].to_numpy(dtype=float)
        assert np.all(np.isfinite(h)) and np.all(h > 0) and np.all(h <= MAX_HEIGHT_M)
        assert np.all(b["n_storeys"].to_numpy() >= 1)
        assert np.all(np.isfinite(b["floor_area_m2"].to_numpy(dtype=float)))
    for name, frame in result.layers.items():
        if len(frame) and hasattr(frame, "geometry"):
            xy = shapely.get_coordinates(np.asarray(frame.geometry.values, dtype=object))
            assert np.isfinite(xy).all(), name
    # every feature is accounted for: in a layer or dropped with a reason
    kept = set()
    for name, frame in result.layers.items():
        for col in ("building_id", "landcover_id", "poi_id"):
            if col in frame:
                kept |= set(frame[col])
        if name == "links" and "source_id" in frame:
            kept |= set(frame["source_id"])
    dropped = {d.obj for d in result.dropped}
    for i, f in enumerate(features):
        fid = f"fuzz:f{i}"
        assert fid in kept or fid in dropped or any(k.startswith(fid) for k in kept | dropped), (fid, f)
    assert all(d.reason for d in result.dropped)
