"""Helpers shared by the traffic tests: the TNTP cases of the shared reference data, the
Saint-Gilles scene of ``data_samples/``."""

from __future__ import annotations

import warnings
from pathlib import Path

from tests.conftest import shared_path
from twin.traffic.network import Network
from twin.traffic.tntp import Demand, read_network, read_trips


def tntp_case(name: str) -> tuple[Network, Demand]:
    """Network and demand of the TNTP case ``name`` (``SiouxFalls``, ``ChicagoSketch``, ``Anaheim``...).

    Read from ``shared/data/traffic/tntp/<name>/<name>_net.tntp`` and ``<name>_trips.tntp``
    through the readers users run (:func:`~twin.traffic.tntp.read_network`,
    :func:`~twin.traffic.tntp.read_trips`); :func:`tests.conftest.shared_path` skips the test
    locally and fails it under ``CI=true`` when the data are absent.
    """
    folder = shared_path("traffic", "tntp", name)
    net = read_network(folder / f"{name}_net.tntp")
    return net, read_trips(folder / f"{name}_trips.tntp", n_zones=net.n_zones)


#: The embedded sample data (Saint-Gilles, OSM 2013).
SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def stgilles_scene():
    """The Saint-Gilles scene ingested from its four sample layers (buildings, streets, land cover,
    points of interest), ingest warnings silenced."""
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([SAMPLES / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover", "pois")])
    return scene
