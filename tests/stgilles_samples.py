"""Saint-Gilles dwellings and synthetic gas readings for the calibration and conditioning tests
(and ``benchmarks/bench_calibration.py``): a random draw of the residential buildings of
``data_samples/`` with Uccle's weather, and monthly readings of a forward model's buildings."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from twin.errors import TwinWarning

if TYPE_CHECKING:
    from twin.calibration.forward import ForwardModel, Layout
    from twin.scene import Scene


def residential_sample(n_buildings: int, seed: int) -> Scene:
    """``n_buildings`` residential buildings of Saint-Gilles (OpenStreetMap 2013) drawn with ``seed``, in their order.

    Parameters
    ----------
    n_buildings : int
        How many dwellings to keep.
    seed : int
        Seed of the draw (``numpy.random.default_rng``).

    Returns
    -------
    Scene
        The ingested scene (buildings and the Uccle EPW; the ingest's warnings silenced) with
        only the drawn buildings in its ``buildings`` layer.
    """
    from tests.conftest import DATA_SAMPLES
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / "stgilles_buildings_osm2013.geojson", DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"])
    b = scene.buildings
    res = b[b["use"] == "residential"]
    scene.set_layer("buildings", res.iloc[np.sort(np.random.default_rng(seed).choice(len(res), n_buildings, replace=False))])
    return scene


def synthetic_gas_meters(fm: ForwardModel, months: Layout, ids: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly gas readings of the buildings of ``fm``: a truth drawn from the calibration priors,
    predicted by ``fm``, with the documented noise (``twin.calibration.synthetic.noisy``).

    A draw the 5R1C network cannot take is drawn again (20 times at most); a building whose
    draws all failed has no reading.

    Parameters
    ----------
    fm : ForwardModel
        The forward model of the buildings, one row each.
    months : Layout
        The 12 months of ``fm`` (``calendar_layout(drivers, "MS")``).
    ids : ndarray of str
        Building id of each row of ``fm``.
    rng : numpy.random.Generator
        Draws the truth and the noise.

    Returns
    -------
    DataFrame
        ``building_id``, ``carrier`` (gas), ``start``, ``end`` (ISO text) and ``kwh``, building by building.
    """
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import noisy

    n = len(ids)
    cp = load_calibration_priors()[0]
    truth = cp.values_from_z(cp.sample_z(rng, n))
    m = fm.predict(np.arange(n), truth)
    for _ in range(20):  # a draw the 5R1C network cannot take is drawn again
        bad = np.isnan(m).any(axis=1)
        if not bad.any():
            break
        truth[bad] = cp.values_from_z(cp.sample_z(rng, int(bad.sum())))
        m[bad] = fm.predict(np.flatnonzero(bad), truth[bad])
    keep = ~np.isnan(m).any(axis=1)
    y = noisy(m[keep], rng)
    ids = ids[keep]
    p, s = np.meshgrid(np.arange(12), np.arange(len(ids)))
    meters = pd.DataFrame({"building_id": ids[s.ravel()], "carrier": "gas", "start": months.start[p.ravel()], "end": months.end[p.ravel()],
                           "kwh": y.ravel()})
    return meters.assign(start=meters["start"].map(pd.Timestamp.isoformat), end=meters["end"].map(pd.Timestamp.isoformat))
