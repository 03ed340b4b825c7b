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


def stgilles_walk_network(scene):
    """The walking network of ``scene`` (100 m zones of the default trip-end parameters), as the
    mobility model builds it (:func:`twin.traffic.mobility.build_mode_network`)."""
    from twin.traffic.demand import read_parameters, trip_ends
    from twin.traffic.mobility import build_mode_network, edge_nodes

    ends = trip_ends(scene, read_parameters(None), zone_size_m=100.0)
    return build_mode_network(scene, "walk", ends, edge_nodes(scene))


def extreme_car_nodes(scene) -> list:
    """The W, E, S, N ends (smallest / largest x, then y) of the largest strongly connected part of
    ``scene``'s car network: four node ids that reach one another, for test demand."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    car = Network.from_scene(scene, mode="car")
    graph = csr_matrix((np.ones(car.n_links), (car.from_node, car.to_node)), shape=(car.n_nodes, car.n_nodes))
    _, label = connected_components(graph, connection="strong")
    comp = np.flatnonzero(label == np.bincount(label).argmax())
    xy = scene.nodes.set_index("node_id").geometry.reindex(car.node_ids[comp])
    x, y = xy.x.to_numpy(), xy.y.to_numpy()
    return list(car.node_ids[comp[[x.argmin(), x.argmax(), y.argmin(), y.argmax()]]])
