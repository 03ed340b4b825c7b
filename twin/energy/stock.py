"""Run a scene's whole building stock: envelope, urban shading, kernel, energy accounts.

>>> run = run_stock(scene, weather)                                   # doctest: +SKIP
>>> run.accounts[["building_id", "q_heat_kwh_m2", "energy_class"]]    # doctest: +SKIP
>>> wi = what_if(scene, weather, ["wall_insulation", "roof_insulation"])  # doctest: +SKIP
>>> wi.comparison[["building_id", "energy_class_before", "energy_class_after"]]  # doctest: +SKIP

Steps (each result is kept on the returned object):

1. :func:`twin.energy.model.build_envelope` (TABULA defaults or IFC elements, overrides), then
   :func:`~twin.energy.model.validate_envelope`: a bad building is listed in ``excluded``
   (building id, field, reason) and left out; the others run.
2. Urban shading (:func:`urban_shade_factors`): the scene's horizon profiles, through
   :func:`twin.energy.solar.horizon_shade_factors`, area-weighted per building and orientation.
3. Drivers from the weather (:func:`twin.energy.solar.standard_drivers`), heating setpoint
   ``theta_i_c`` of each building (TABULA: 20 C), no cooling unless asked.
4. :func:`twin.energy.simulate.simulate_stock` (buildings the kernel rejects are reported too).
5. :func:`twin.energy.results.energy_accounts`: final/primary energy, class, CO2, cost.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.energy.model import (
    Conventions,
    build_envelope,
    load_factors,
    to_stock_inputs,
    validate_envelope,
)
from twin.errors import InputError
from twin.option_names import FORMATS  # the output formats of the tables (there for the command line, kept here)
from twin.workflows.scene_loading import load_scene  # the commands' one scene loader (re-exported: twin.energy.stock.load_scene)


def urban_shade_factors(scene, building_ids, weather, *, groups: tuple[str, ...] | None = None, n_sectors: int = 36,
                        progress=None) -> np.ndarray:
    """Monthly shading factors (n_b, n_groups, 12) of the buildings from the scene's horizon profiles.

    Each footprint edge with an exterior part is a facade; its obstruction horizon (seen from
    its midpoint at half the building height, as :meth:`Scene.horizon_profile`) gives a monthly
    factor (shaded / unshaded irradiance for windows of the facade's orientation). A building's
    factor for a group is the mean over its facades of that orientation weighted by exterior
    area; the same factor is applied to the windows (``win_*``) and opaque walls (``opq_*``) of
    that orientation. Roofs, skylights and the sky long-wave row are not shaded (factor 1).

    The horizons, sky views and monthly factors come from the solar ray-casting kernels
    (:func:`twin.solar.shading.urban_shade_factors`): one shading code path for the energy model
    and the solar cadastre (``docs/solar.md``). ``progress`` shows a bar per step (stderr).
    """
    from twin.solar.shading import urban_shade_factors as kernel_shade_factors

    return kernel_shade_factors(scene, building_ids, weather, groups=groups, n_sectors=n_sectors, progress=progress)


def stock_drivers(weather, env: pd.DataFrame, *, cooling_setpoint_c: float | None = None):
    """Drivers for the stock and each building's setpoint profile index.

    One heating-setpoint profile per distinct ``theta_i_c`` (constant all year); cooling off
    unless ``cooling_setpoint_c`` is given.

    Returns
    -------
    drivers : Drivers
    setpoint_profile : (n_b,) int64
    """
    from twin.energy.solar import standard_drivers

    n_h = len(weather.data)
    theta = env["theta_i_c"].to_numpy(dtype=float)
    values, profile = np.unique(theta, return_inverse=True)
    if len(values) == 0:
        values = np.array([20.0])
    heat = np.repeat(values[:, None], n_h, axis=1)
    cool = np.full_like(heat, np.nan if cooling_setpoint_c is None else float(cooling_setpoint_c))
    drv = standard_drivers(weather, heat_setpoint_c=heat, cool_setpoint_c=cool)
    return drv, profile.astype(np.int64)


@dataclass
class StockRun:
    """Everything a stock run produced.

    Attributes
    ----------
    envelope : pandas.DataFrame
        Envelope table (parameters and their ``_source``) of the simulated buildings.
    excluded : pandas.DataFrame
        ``building_id``, ``field``, ``reason`` of buildings left out.
    accounts : pandas.DataFrame
        Tidy per-building results (:func:`twin.energy.results.energy_accounts`).
    results : StockResults
        Kernel results (per building, monthly, optional hourly xarray).
    costs : pandas.DataFrame
        Measure quantities and investments per building.
    drivers : Drivers
    shade_prepared : numpy.ndarray or None
        (n, n_groups, 12) urban shading factors of the buildings given to the kernel (the
        prepared stock's own array when it ran whole: not a copy).
    shade_rows : numpy.ndarray or None
        Which of those rows the kernel simulated (bool, one per row), or None for all of them.
        :attr:`shade_factor` selects them when read: a run that never reads the factors
        (``twin energy run``) does not copy the 54 MB of the region's after the kernel.
    footprints : geopandas.GeoDataFrame or None
        ``building_id`` and ``geometry`` (scene CRS) of the scene's buildings, for spatial outputs.
    """

    envelope: pd.DataFrame
    excluded: pd.DataFrame
    accounts: pd.DataFrame
    results: object
    costs: pd.DataFrame
    drivers: object
    meta: dict = field(default_factory=dict)
    shade_prepared: np.ndarray | None = field(default=None, repr=False)
    shade_rows: np.ndarray | None = field(default=None, repr=False)
    footprints: object = None
    #: Parquet files already being encoded in a background thread (:func:`simulate_prepared` with
    #: ``encode=True``): table name -> (the frame encoded, a Future of the file's bytes).
    #: :meth:`write_files` writes those bytes when the frame it would write is that same object.
    encoded: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def shade_factor(self) -> np.ndarray | None:
        """(n_b, n_groups, 12) urban shading factors of the simulated buildings (rows of
        :attr:`envelope`): the rows :attr:`shade_rows` of :attr:`shade_prepared`, selected at
        each read (a copy when the kernel left buildings out), or None without urban shading."""
        if self.shade_prepared is None or self.shade_rows is None:
            return self.shade_prepared
        return self.shade_prepared[self.shade_rows]

    @property
    def hourly(self):
        """Hourly xarray Dataset (``phi_hc_w``, ``t_air_c``) when run with ``hourly=True``."""
        return self.results.hourly

    def save(self, out: str | os.PathLike[str], *, plots: bool = True, format: str = "parquet") -> list[Path]:
        """Write the run to folder ``out``, staged and swapped in whole; returns the written paths.

        Files (``format="parquet"``, the default): ``buildings.parquet`` (accounts) and
        ``envelope.parquet`` (parameters and sources) as GeoParquet with the footprints,
        ``excluded.parquet``, ``monthly.parquet``, ``costs.parquet``, ``summary.json`` (strict
        JSON), ``run_record.json`` (versions, file manifest), with ``plots``
        ``monthly_balance.png`` / ``class_distribution.png``, and ``hourly.nc`` when hourly
        results exist. ``format="csv"``: the same tables as CSV (footprints as a WKT
        ``geometry`` column). The whole folder is staged beside ``out`` and swapped in
        (:func:`twin.io.staged.staged_dir`): a reader sees the earlier results or the new ones,
        complete. An existing ``out`` is replaced only if it holds earlier energy results.
        """
        from twin.io.run_record import dependency_versions
        from twin.io.staged import staged_dir

        out = Path(out)
        fmt = check_format(format)
        versions = dependency_versions()  # while tables may still be encoded in their threads
        with staged_dir(out, owned=ENERGY_MARKERS) as tmp:
            names = self.write_files(tmp, plots=plots, format=fmt)
            _write_record(tmp, {"format": fmt, "measures": list(self.meta.get("measures", []))}, versions=versions)
        return [out / n for n in [*names, RECORD_NAME]]

    def write_files(self, folder: Path, *, plots: bool = True, format: str = "parquet") -> list[str]:
        """Write the files of :meth:`save` into the existing folder ``folder``; their names."""
        from twin.energy.results import class_distribution, stock_summary
        from twin.io.json_out import to_json_text

        folder = Path(folder)
        fmt = check_format(format)
        tables = (
            ("buildings", self.accounts, True),
            ("envelope", self.envelope, True),
            ("excluded", self.excluded, False),
            ("monthly", self.results.monthly, False),
            ("costs", self.costs, False),
        )
        # the tables are written side by side: Arrow's Parquet encoding and compression and the
        # WKB encoding release the GIL (same files as one after the other)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="twin-write") as pool:
            jobs = pool.map(lambda t: self._write_one(folder, t[0], t[1], fmt, self.footprints if t[2] else None), tables)
            # the summary while the tables are written (or their early encoding is waited for)
            summary = {
                **stock_summary(self.accounts),
                "excluded": int(self.excluded["building_id"].nunique()) if len(self.excluded) else 0,
                "classes": {k: int(v) for k, v in class_distribution(self.accounts).items()},
                "crs": _crs_text(self.footprints),
                **self.meta,
            }
            written = list(jobs)
        (folder / "summary.json").write_text(to_json_text(summary), encoding="utf-8")
        written.append("summary.json")
        if self.results.hourly is not None:
            ds = self.results.hourly.assign_coords(time=self.results.hourly["time"].to_index().tz_convert("UTC").tz_localize(None))
            ds.attrs["time_zone"] = "UTC (converted from the weather file's local standard time)"
            ds.to_netcdf(folder / "hourly.nc")
            written.append("hourly.nc")
        if plots:
            written += _save_plots(folder, self.results.monthly, self.accounts)
        return written

    def _write_one(self, folder: Path, name: str, frame: pd.DataFrame, fmt: str, footprints) -> str:
        """:func:`_write_table`, or the bytes encoded early of this very frame (:attr:`encoded`)."""
        early = self.encoded.get(name) if fmt == "parquet" else None
        if early is not None and early[0] is frame and early[1] is footprints:
            data = early[2].result()  # an error in the encoding thread is raised here
            (folder / f"{name}.parquet").write_bytes(data)
            return f"{name}.parquet"
        return _write_table(folder, name, frame, fmt, footprints)


#: Names that mark a folder as earlier results of ``twin energy run`` (replaced only then).
ENERGY_MARKERS = ("run_record.json", "summary.json", "comparison.parquet", "comparison.csv")

#: The record of how a results folder was made.
RECORD_NAME = "run_record.json"


def check_format(format: str) -> str:
    """``format`` lower-cased if it is one of :data:`FORMATS`.

    Raises
    ------
    InputError
        Another format.
    """
    fmt = str(format).lower()
    if fmt not in FORMATS:
        raise InputError(f"unknown output format {format!r}; use one of: {', '.join(FORMATS)}", field="--format")
    return fmt


def _crs_text(footprints) -> str | None:
    crs = getattr(footprints, "crs", None)
    return None if crs is None else crs.to_string()


def _table_frame(frame: pd.DataFrame, footprints=None) -> pd.DataFrame:
    """The table as written: a GeoDataFrame with each building's footprint when ``footprints`` are given."""
    frame = pd.DataFrame(frame)
    if footprints is not None and "building_id" in frame.columns and len(footprints):
        import geopandas as gpd

        frame = gpd.GeoDataFrame(frame.assign(geometry=_footprint_of(frame["building_id"], footprints)), geometry="geometry",
                                 crs=footprints.crs)
    return frame


def _footprint_of(building_ids: pd.Series, footprints) -> np.ndarray:
    """The footprint of each of ``building_ids`` (that of the first row of ``footprints`` with
    the id, as ``map`` over ``drop_duplicates`` gives it), None where there is none: an object
    array of geometries.

    The ids are matched in Arrow (:func:`pyarrow.compute.index_in`, first occurrence), without a
    Python string per id: about 3 ms for the region's 51k buildings, against 50 ms for pandas'
    ``map`` (the same values; ids Arrow cannot compare go through ``map``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        wanted = _arrow_column(building_ids)
        known = _arrow_column(footprints["building_id"]).combine_chunks().cast(wanted.type)
        pos = pc.fill_null(pc.index_in(wanted, value_set=known), -1).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        geo = footprints.drop_duplicates("building_id").set_index("building_id")["geometry"]
        return building_ids.map(geo).to_numpy()
    geometry = np.asarray(footprints.geometry.array, dtype=object)[pos]
    geometry[pos < 0] = None
    return geometry


def _arrow_column(values: pd.Series):
    """``values`` as a :class:`pyarrow.ChunkedArray` (no copy for Arrow-backed columns)."""
    import pyarrow as pa

    arr = pa.array(values.array)
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _parquet_bytes(frame: pd.DataFrame, footprints=None) -> bytes:
    """The bytes of the Parquet (GeoParquet) file :func:`_write_table` writes for this table."""
    import io

    buf = io.BytesIO()
    _table_frame(frame, footprints).to_parquet(buf, index=False)
    return buf.getvalue()


def _encode_early(tables: list[tuple[str, pd.DataFrame, object]]) -> dict:
    """Start encoding Parquet tables in background threads (Arrow's encoding and compression
    release the GIL): ``{name: (frame, footprints, Future of the bytes)}`` for :attr:`StockRun.encoded`.
    The frames must not change afterwards (they are only read)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=len(tables), thread_name_prefix="twin-encode")
    try:
        return {name: (frame, fp, pool.submit(_parquet_bytes, frame, fp)) for name, frame, fp in tables}
    finally:
        pool.shutdown(wait=False)  # the threads end with their table


def _write_table(folder: Path, name: str, frame: pd.DataFrame, fmt: str, footprints=None) -> str:
    """One table as ``<name>.parquet`` (GeoParquet when ``footprints`` are given) or ``<name>.csv``."""
    frame = _table_frame(frame, footprints)
    if fmt == "csv":
        if "geometry" in frame.columns:
            frame = pd.DataFrame(frame).assign(geometry=frame.geometry.to_wkt())
        frame.to_csv(folder / f"{name}.csv", index=False)
        return f"{name}.csv"
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    return f"{name}.parquet"


def _write_record(folder: Path, options: dict, *, versions: dict | None = None) -> None:
    """``run_record.json``: time, versions (``versions``: :func:`twin.io.run_record.dependency_versions`
    if already known), options and the manifest of every other file."""
    import datetime as dt
    import socket

    from twin.io.json_out import to_json_text
    from twin.io.run_record import dependency_versions, file_manifest
    from twin.io.staged import MARKER

    record = {
        "command": "twin energy run",
        "written_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "options": options,
        "versions": dependency_versions() if versions is None else versions,
        "files": file_manifest(folder, exclude=(RECORD_NAME, MARKER)),
    }
    (folder / RECORD_NAME).write_text(to_json_text(record), encoding="utf-8")


def _save_plots(out: Path, monthly, accounts, variant_monthly=None, variant_accounts=None) -> list[str]:
    """The two plots written into folder ``out``; their names (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:  # plotting is an optional extra
        return []
    from twin.energy.results import plot_class_distribution, plot_monthly_balance

    written = []
    for name, draw in (
        ("monthly_balance.png", lambda ax: plot_monthly_balance(monthly, variant=variant_monthly, ax=ax)),
        ("class_distribution.png", lambda ax: plot_class_distribution(accounts, variant_accounts, ax=ax)),
    ):
        fig, ax = plt.subplots(figsize=(8, 4))
        draw(ax)
        fig.tight_layout()
        fig.savefig(out / name, format="png", dpi=100)  # ``out`` is a staged folder
        plt.close(fig)
        written.append(name)
    return written


@dataclass
class PreparedStock:
    """A stock ready to simulate repeatedly (baseline and variants share shading and drivers)."""

    envelope: pd.DataFrame
    excluded: pd.DataFrame
    shade_factor: np.ndarray | None
    drivers: object
    setpoint_profile: np.ndarray
    conventions: Conventions
    factors: dict
    footprints: object = None
    #: The envelope without the scene's calibration (same rows as ``envelope``), or None when
    #: the scene carries none: what Monte Carlo samples of calibrated buildings start from.
    base_envelope: pd.DataFrame | None = None
    #: Zone model of the simulations: ``5r1c`` (ISO 13790, default) or ``iso52016`` (the finer
    #: multi-node model through :mod:`twin.energy.stock_iso52016`).
    model: str = "5r1c"
    #: The kernel inputs of ``envelope`` without the shading, computed by :func:`prepare_stock`
    #: while the facade horizons run (:class:`BaselineInputs`); None otherwise.
    baseline_inputs: BaselineInputs | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class BaselineInputs:
    """What :func:`simulate_prepared` needs of a prepared stock's own envelope before the kernel,
    computed once by :func:`prepare_stock` before it waits for the shading.

    Attributes
    ----------
    envelope : pandas.DataFrame
        The validated envelope these belong to (``PreparedStock.envelope``, by identity).
    inputs : StockInputs
        Its kernel inputs (:func:`twin.energy.model.to_stock_inputs`, setpoint profiles set),
        without the shading factors.
    rejected : list of str
        Ids of the buildings the 5R1C kernel's input checks will leave out
        (:func:`twin.energy.simulate.input_problems`, without the check of the shading factors), in
        the order of ``StockResults.errors``.
    kept : pandas.DataFrame
        ``envelope`` without them (``envelope`` itself when there are none).
    """

    envelope: pd.DataFrame
    inputs: object
    rejected: list
    kept: pd.DataFrame


def _baseline_inputs(env: pd.DataFrame, drivers, setpoint_profile: np.ndarray, conventions: Conventions, factors: dict) -> BaselineInputs:
    """:class:`BaselineInputs` of a validated envelope ``env`` (see there)."""
    inputs = to_stock_inputs(env, conventions=conventions, factors=factors)
    inputs.setpoint_profile = np.asarray(setpoint_profile)
    return BaselineInputs(env, inputs, *_predicted_rejections(env, inputs, drivers))


def _predicted_rejections(env: pd.DataFrame, inputs, drivers) -> tuple[list, pd.DataFrame]:
    """Ids of the buildings of ``env`` (whose kernel inputs are ``inputs``) that the 5R1C kernel's
    input checks will reject (:func:`twin.energy.simulate.input_problems`, in the order of
    ``StockResults.errors``) and ``env`` without them (``env`` itself when there are none)."""
    from twin.energy.simulate import input_problems

    rejected = [inputs.building_id[i] for i, _, _ in input_problems(inputs, drivers)]
    if not rejected:
        return rejected, env
    return rejected, rows_of(env, ~isin_ids(env["building_id"], pd.Series(rejected, dtype=object)))


def rows_of(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """``frame[keep].reset_index(drop=True)`` (``keep``: bool, one per row), each column array
    that several columns share taken once.

    The envelope's ``<parameter>_source`` columns share one string array (24 of the region's 78
    columns): a take per column copies it 24 times, about 0.2 s of the region's run spent getting
    fresh memory for the same strings. The frame is the same (columns, dtypes, values, index).
    """
    rows = np.flatnonzero(np.asarray(keep, dtype=bool))
    taken: dict[int, object] = {}
    columns = {}
    for name, col in frame.items():
        arr = col.array
        data = arr.__arrow_array__() if hasattr(arr, "__arrow_array__") else arr  # the shared buffers, if any
        if id(data) not in taken:
            taken[id(data)] = (data, arr.take(rows))  # the source held: its id stays its own
        columns[name] = taken[id(data)][1]
    if len(columns) != frame.shape[1]:  # repeated column names: the plain way
        return frame[np.asarray(keep, dtype=bool)].reset_index(drop=True)
    return pd.DataFrame(columns, copy=False)


def isin_ids(values, among) -> np.ndarray:
    """Boolean mask (n,): which of ``values`` are among ``among`` (``Series.isin`` semantics).

    Identifiers stored as strings go through pyarrow's hashed ``is_in``: pandas' ``isin`` on
    its arrow-backed strings loops in Python (about 0.1 s per call on the 51k buildings of
    the region); anything else through ``Series.isin``, and so do two columns of Python
    objects when ``among`` has no missing value (pandas hashes them as they are; pyarrow would
    first copy each into Arrow: 3.6 against 1.4 ms for the region's ids against 50 of them,
    warm). No values or nothing to look for: no work (an empty costs table against the
    region's ids took 10 ms).
    """
    v = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    a = among if isinstance(among, pd.Series) else pd.Series(np.asarray(list(among) if isinstance(among, (set, frozenset)) else among, dtype=object))
    if not len(v) or not len(a):
        return np.zeros(len(v), dtype=bool)
    if pd.api.types.is_object_dtype(v.dtype) and pd.api.types.is_object_dtype(a.dtype) and not a.isna().any():
        # nothing missing looked for: a missing value is found on neither route (pandas tells
        # None from NaN, pyarrow does not)
        return v.isin(a).to_numpy(dtype=bool)
    if pd.api.types.is_string_dtype(v) and pd.api.types.is_string_dtype(a):
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            va = pa.array(v, from_pandas=True).cast(pa.large_string())
            aa = pa.array(a, from_pandas=True).cast(pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return v.isin(a).to_numpy(dtype=bool)
        return np.asarray(pc.is_in(va, value_set=aa, skip_nulls=False).to_numpy(zero_copy_only=False), dtype=bool)
    return v.isin(a).to_numpy(dtype=bool)


def prepare_stock(
    scene,
    weather=None,
    *,
    overrides=None,
    typology: pd.DataFrame | None = None,
    factors: dict | None = None,
    conventions: Conventions = Conventions(),
    cooling_setpoint_c: float | None = None,
    progress=None,
    model: str = "5r1c",
) -> PreparedStock:
    """Envelope, validation, urban shading and drivers of a scene's stock (see the module docstring).

    ``progress``: bars on stderr for the shading steps over 2 s (:mod:`twin.solar.progress`).
    ``model``: the zone model the stock runs (:data:`twin.energy.stock_iso52016.MODELS`).
    """
    from twin.energy.stock_iso52016 import check_conventions, check_model

    model = check_model(model, field_name="model")
    check_conventions(conventions)
    if conventions.exterior_convection != "fixed" and model != "iso52016":
        raise InputError(f"exterior convection {conventions.exterior_convection!r} is read by the finer model only: "
                         "with the 5R1C model it would change nothing (use the iso52016 model)", field="energy.exterior_convection")
    weather = weather if weather is not None else scene.weather
    if weather is None:
        raise InputError("no weather: pass a weather file (EPW) or ingest one into the scene", field="weather")
    if conventions.exterior_convection == "doe2":
        from twin.energy.iso52016 import check_weather_wind

        check_weather_wind(weather, obj="the stock", option="energy.exterior_convection")
    f = {**load_factors(), **(factors or {})}
    if conventions.external_shading == "horizon":
        _start_horizons(scene)  # in a thread while the envelope is built; urban_shade_factors waits for them
    base_all = build_envelope(scene, typology=typology, overrides=overrides, factors=f, calibrated=False)
    from twin.energy.calibrated import apply_parameters, scene_calibration

    values = scene_calibration(scene.buildings, base_all["building_id"])
    env_all = base_all if values is None else apply_parameters(base_all, values)
    env, excluded = validate_envelope(env_all)
    base = None
    if values is not None:
        base = base_all[isin_ids(base_all["building_id"], env["building_id"])].reset_index(drop=True)
    drivers, profile = stock_drivers(weather, env, cooling_setpoint_c=cooling_setpoint_c)  # while the horizons may run
    # the kernel inputs without the shading, and what the kernel's input checks will reject, also
    # while the horizons may run (not after them, on the way from the horizons to the kernel)
    kernel_inputs = _baseline_inputs(env, drivers, profile, conventions, f) if len(env) else None
    if kernel_inputs is not None and model == "5r1c":
        _load_5r1c(kernel_inputs, drivers)  # also while the horizons may run
    shade = None
    if conventions.external_shading == "horizon" and len(env):
        shade = urban_shade_factors(scene, env["building_id"].to_numpy(), weather, progress=progress)
    return PreparedStock(env, excluded, shade, drivers, profile, conventions, f, _footprints(scene), base, model, kernel_inputs)


def _load_5r1c(base: BaselineInputs, drivers) -> None:
    """Load the 5R1C kernel from Numba's disk cache (about 0.02 s on its first call in a process)
    by simulating one building the kernel's checks accept, alone: the stock's inputs themselves,
    so the argument types of its run (an absent shading passes an empty array of the same type
    as the factors). The result is dropped; the stock's run is not changed by it."""
    from twin.energy.simulate import run_kernel

    rejected = set(base.rejected)
    first = next((i for i, b in enumerate(base.inputs.building_id) if b not in rejected), None)
    if first is None:
        return
    one = np.zeros(base.inputs.n_buildings, dtype=bool)
    one[first] = True
    run_kernel(base.inputs, drivers, only=one)


def _start_horizons(scene) -> None:
    """Start the facade horizons of the urban shading in a background thread
    (:func:`twin.solar.shading.start_urban_horizons`). Only a head start: if it cannot start
    (a scene without footprints...), :func:`urban_shade_factors` computes them itself and
    reports any problem there."""
    from twin.solar.shading import head_start, start_urban_horizons

    head_start(start_urban_horizons, scene)


def _footprints(scene):
    """``building_id`` and ``geometry`` of the scene's buildings (None without geometry)."""
    b = getattr(scene, "buildings", None)
    if b is None or "geometry" not in getattr(b, "columns", ()) or "building_id" not in b.columns:
        return None
    return b[["building_id", "geometry"]].reset_index(drop=True)


def simulate_prepared(
    prep: PreparedStock,
    envelope: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    *,
    hourly: bool = False,
    meta: dict | None = None,
    encode: bool = False,
) -> StockRun:
    """Simulate a prepared stock (its own envelope, or a changed copy such as after measures).

    ``encode``: start encoding the envelope and monthly tables as Parquet in background threads
    as soon as they are final (while the accounts are computed), and the accounts once they are;
    :meth:`StockRun.save` then writes those bytes (the same files). For a run that will be
    saved as Parquet.
    """
    from twin.energy.measures import price_peak_measures
    from twin.energy.results import energy_accounts
    from twin.energy.simulate import simulate_stock

    env = prep.envelope if envelope is None else envelope
    base = prep.baseline_inputs
    if base is not None and env is prep.envelope and base.envelope is env:
        excluded = prep.excluded  # validated by prepare_stock
    else:
        base = None
        env, problems = validate_envelope(env)
        excluded = pd.concat([prep.excluded, problems], ignore_index=True) if len(problems) else prep.excluded
    if len(env) == 0:
        first = excluded.iloc[0] if len(excluded) else None
        raise InputError(
            f"no building can be simulated ({excluded['building_id'].nunique()} excluded); first problem: "
            + ("none" if first is None else str(first["reason"])),
            obj=None if first is None else f"building {first['building_id']!r}",
            field=None if first is None else str(first["field"]),
        )
    if base is not None:  # the prepared envelope itself: every building kept
        keep = np.ones(len(env), dtype=bool)
    else:
        keep = isin_ids(prep.envelope["building_id"], env["building_id"])  # hashed, not np.isin on objects
    # every building kept (the usual case): the prepared factors themselves, not a copy of them
    # (54 MB on the region, touched fresh); they are only read from here on
    shade = None if prep.shade_factor is None else (prep.shade_factor if keep.all() else prep.shade_factor[keep])
    if base is not None:
        inputs = dataclasses.replace(base.inputs, shade_factor=shade)
    else:
        inputs = to_stock_inputs(env, conventions=prep.conventions, factors=prep.factors, shade_factor=shade)
        inputs.setpoint_profile = np.asarray(prep.setpoint_profile)[keep]
    # the film correction is each building's input (Conventions.film_correction, default true:
    # steady state = TABULA's H_tr, as the typology check)
    if getattr(prep, "model", "5r1c") == "iso52016":
        from twin.energy.stock_iso52016 import simulate_envelope_iso52016

        res, layers = simulate_envelope_iso52016(env, prep.drivers, conventions=prep.conventions, factors=prep.factors, shade_factor=shade,
                                                 setpoint_profile=inputs.setpoint_profile, hourly=hourly, on_error="report")
        if len(layers):  # the inferred constructions, with their provenance, in the envelope table (envelope.parquet)
            env = env.merge(layers, on="building_id", how="left")
        early = None
    else:
        # the envelope table as written, when the kernel rejects only the buildings whose inputs it
        # checks first: filtered and encoded before the kernel runs (on the region that takes the
        # copy of its 78 columns and their encoding off the path from the kernel to the files)
        early = None
        if encode:
            rejected, kept = (base.rejected, base.kept) if base is not None else _predicted_rejections(env, inputs, prep.drivers)
            early = (rejected, kept, _encode_early([("envelope", kept, prep.footprints)])["envelope"])
        res = simulate_stock(inputs, prep.drivers, hourly=hourly, on_error="report")
    if len(res.errors):
        kernel_bad = res.errors.rename(columns={"message": "reason"})[["building_id", "field", "reason"]]
        excluded = pd.concat([excluded, kernel_bad], ignore_index=True)
        if early is not None and res.errors["building_id"].tolist() == early[0]:
            env = early[1]  # the same rows: the ids the kernel rejected are those predicted
        else:
            ok = ~isin_ids(env["building_id"], kernel_bad["building_id"])
            env = rows_of(env, ok)
    encoded = {}
    if encode:
        encoded = _encode_early([("monthly", res.monthly, None)])
        if early is not None and early[1] is env:
            encoded["envelope"] = early[2]
        else:
            encoded.update(_encode_early([("envelope", env, prep.footprints)]))
    if costs is None:
        costs = pd.DataFrame(columns=["building_id", "measure", "quantity", "cost_unit", "unit_cost_eur", "investment_eur"])
    costs = price_peak_measures(costs, res.per_building["peak_heat_w"])
    costs = costs[isin_ids(costs["building_id"], env["building_id"])].reset_index(drop=True)
    accounts = energy_accounts(env, res.per_building, res.monthly, prep.drivers, costs=costs, factors=prep.factors)
    if encode:
        encoded.update(_encode_early([("buildings", accounts, prep.footprints)]))
    # the rows the kernel simulated, selected by whoever reads run.shade_factor (not copied here)
    rows = None if shade is None or not len(res.errors) else ~isin_ids(inputs.building_id, res.errors["building_id"])
    return StockRun(env, excluded.reset_index(drop=True), accounts, res, costs, prep.drivers, meta or {}, shade_prepared=shade,
                    shade_rows=rows, footprints=prep.footprints, encoded=encoded)


def run_stock(
    scene,
    weather=None,
    *,
    measures=None,
    measure_buildings=None,
    measures_table: pd.DataFrame | None = None,
    overrides=None,
    typology: pd.DataFrame | None = None,
    factors: dict | None = None,
    conventions: Conventions = Conventions(),
    cooling_setpoint_c: float | None = None,
    hourly: bool = False,
    prepared: PreparedStock | None = None,
    encode: bool = False,
) -> StockRun:
    """Simulate the building stock of ``scene`` for one year of ``weather``.

    Parameters
    ----------
    scene
        A :class:`twin.scene.Scene` with buildings (footprints, CityJSON, IFC).
    weather
        A :class:`twin.ingest.epw.Weather` (default: ``scene.weather``).
    measures
        Renovation measure id(s) to apply to every building (or to ``measure_buildings``).
    measures_table
        Measure table (default: ``twin/data/energy_measures.csv``).
    overrides
        Parameter overrides by building id or TABULA type (:func:`twin.energy.typology.apply_overrides`).
    typology, factors, conventions
        Typology table, factor table, modelling conventions (:class:`~twin.energy.model.Conventions`).
    cooling_setpoint_c
        Cooling setpoint, degC (default: no cooling, the residential convention).
    hourly
        Keep hourly heating power and air temperature (xarray) for every building.
    prepared
        The scene's stock already prepared (:func:`prepare_stock` with the same arguments).
    encode
        Encode the envelope, monthly and buildings tables early for a Parquet :meth:`StockRun.save`
        (:func:`simulate_prepared`).

    Returns
    -------
    StockRun

    Raises
    ------
    InputError
        No weather, no buildings, unknown measure; bad weather values name the weather row.
    """
    prep = prepared if prepared is not None else prepare_stock(
        scene, weather, overrides=overrides, typology=typology, factors=factors, conventions=conventions,
        cooling_setpoint_c=cooling_setpoint_c,
    )
    env, costs = prep.envelope, None
    if measures:
        from twin.energy.measures import apply_measures

        env, costs = apply_measures(env, measures, table=measures_table, buildings=measure_buildings, factors=prep.factors)
    return simulate_prepared(prep, env, costs, hourly=hourly, meta={"measures": list(measures or [])}, encode=encode)


@dataclass
class WhatIf:
    """Baseline and variant runs of a renovation what-if, and their per-building comparison."""

    baseline: StockRun
    variant: StockRun
    comparison: pd.DataFrame
    measures: list[str]

    def save(self, out: str | os.PathLike[str], *, format: str = "parquet", plots: bool = True) -> list[Path]:
        """Write both runs (``baseline/``, ``variant/``), the comparison and before/after plots.

        ``comparison.parquet`` (GeoParquet with the footprints; ``comparison.csv`` with
        ``format="csv"``) and ``run_record.json``; the whole folder is staged and swapped in
        (see :meth:`StockRun.save`).
        """
        from twin.io.staged import staged_dir

        out = Path(out)
        fmt = check_format(format)
        with staged_dir(out, owned=ENERGY_MARKERS) as tmp:
            names = []
            for sub, run in (("baseline", self.baseline), ("variant", self.variant)):
                (tmp / sub).mkdir()
                names += [f"{sub}/{n}" for n in run.write_files(tmp / sub, plots=False, format=fmt)]
            names.append(_write_table(tmp, "comparison", self.comparison, fmt, self.baseline.footprints))
            names += [] if not plots else _save_plots(tmp, self.baseline.results.monthly, self.baseline.accounts, self.variant.results.monthly, self.variant.accounts)
            _write_record(tmp, {"format": fmt, "measures": list(self.measures)})
        return [out / n for n in [*names, RECORD_NAME]]


def what_if(
    scene,
    weather=None,
    measures=("wall_insulation", "roof_insulation"),
    *,
    measure_buildings=None,
    measures_table: pd.DataFrame | None = None,
    overrides=None,
    typology: pd.DataFrame | None = None,
    factors: dict | None = None,
    conventions: Conventions = Conventions(),
    hourly: bool = False,
    prepared: PreparedStock | None = None,
) -> WhatIf:
    """Baseline vs renovated stock: same envelope, shading and weather; measures applied to the variant.

    Returns
    -------
    WhatIf
        ``comparison`` has per building: class, heating need, primary energy, CO2 and running
        cost before and after, investment, yearly saving and simple payback
        (:func:`twin.energy.results.compare`).
    """
    from twin.energy.measures import apply_measures
    from twin.energy.results import compare

    measures = [measures] if isinstance(measures, str) else list(measures)
    prep = prepared if prepared is not None else prepare_stock(scene, weather, overrides=overrides, typology=typology, factors=factors,
                                                               conventions=conventions)
    base = simulate_prepared(prep, hourly=hourly, meta={"measures": []})
    env, costs = apply_measures(prep.envelope, measures, table=measures_table, buildings=measure_buildings, factors=prep.factors)
    var = simulate_prepared(prep, env, costs, hourly=hourly, meta={"measures": measures})
    common = base.accounts[base.accounts["building_id"].isin(var.accounts["building_id"])]
    return WhatIf(base, var, compare(common, var.accounts), measures)


#: Stock totals given bands by ``twin energy run --samples`` (summary key -> total of
#: :func:`twin.energy.sampled.simulate_samples`, scale).
BAND_TOTALS = {
    "a_f_m2": ("a_f_m2", 1.0),
    "q_heat_mwh": ("q_heat_kwh", 1e-3),
    "final_energy_mwh": ("final_energy_kwh", 1e-3),
    "primary_energy_mwh": ("primary_energy_kwh", 1e-3),
    "co2_t": ("co2_kg", 1e-3),
    "energy_cost_keur": ("energy_cost_eur", 1e-3),
    "investment_keur": ("investment_eur", 1e-3),
}

#: Above this share of the floor area on defaults (for any attribute) the summary says so.
DEFAULTS_FLAG_SHARE = 0.5

#: Most Monte Carlo samples of ``twin energy run`` (the scenario's limit).
MAX_STOCK_SAMPLES = 10_000


def defaults_share(scene, building_ids) -> dict:
    """Share of the floor area of ``building_ids`` per attribute and source
    (:func:`twin.scene.provenance.floor_area_shares`) as ``{attribute: {source: share}}``, or
    ``{}`` when the buildings carry no sources.

    The attributes are those a report lists (:func:`twin.scene.provenance.reported_parameters`):
    use, height, storeys, construction year, and floor area and storey height where every one of
    these buildings has a source for them (scenes written before those columns have none)."""
    from twin.scene.provenance import (
        BUILDING_PARAMETERS,
        DERIVED_PARAMETERS,
        LEGACY_FLAGS,
        SOURCES,
        floor_area_shares,
        reported_parameters,
        source_column,
    )

    b = scene.buildings
    # a Series of ids as it is (a NumPy object array of it and a Series of that again: 51k Python
    # strings made and converted back to Arrow on the region)
    wanted = building_ids if isinstance(building_ids, pd.Series) else pd.Series(np.asarray(building_ids))
    keep = isin_ids(b["building_id"].astype(str), wanted.astype(str))
    # the columns floor_area_shares reads, then the rows (not a copy of every column of the layer,
    # geometry included, for the buildings simulated)
    read = ("floor_area_m2", *(source_column(p) for p in (*BUILDING_PARAMETERS, *DERIVED_PARAMETERS)),
            *(LEGACY_FLAGS[p] for p in BUILDING_PARAMETERS))
    b = b[[c for c in b.columns if c in read]]
    b = b if keep.all() else b[keep]
    try:
        shares = floor_area_shares(b, reported_parameters(b))
    except ValueError:
        return {}
    return {attr: {s: float(row[s]) for s in SOURCES} for attr, row in shares.iterrows()}


def _bands(totals: pd.DataFrame, percentiles=(5.0, 50.0, 95.0)) -> dict:
    out = {}
    for key, (col, scale) in BAND_TOTALS.items():
        x = totals[col].to_numpy(dtype=float) * scale
        out[key] = {f"p{p:g}": float(np.percentile(x, p)) for p in percentiles}
    return out


def run_command(
    scene_paths,
    *,
    weather=None,
    out=Path("energy_results"),
    measures=(),
    overrides=None,
    measures_table=None,
    hourly: bool = False,
    format: str = "parquet",
    samples: int = 0,
    seed: int = 0,
    priors=None,
    progress=None,
    times: dict | None = None,
    plots: bool = True,
    model: str = "5r1c",
    conventions: Conventions | None = None,
) -> list[str]:
    """What ``twin energy run`` does: load, simulate (baseline, and variant with measures), write OUT.

    ``progress``: a bar on stderr over the steps (scene, envelope and shading, simulation,
    samples, writing) and the bars of the shading steps, each once it has run 2 s
    (:mod:`twin.solar.progress`); ``times`` (a dict), if given, receives each step's wall time, s.

    The output folder is checked before anything is read or simulated
    (:func:`twin.io.output_checks.check_output_folder`: writable, not an input, not a folder
    of other things) and written whole at the end (:meth:`StockRun.save`, :meth:`WhatIf.save`);
    without ``weather``, a scene that surely holds none (:func:`twin.scene.io.scene_holds_weather`) is an error
    then too, before any kernel is loaded or compiled.
    ``format``: ``"parquet"`` (GeoParquet for the per-building tables, the default) or ``"csv"``.
    ``plots=False`` leaves out the two PNG plots (and the matplotlib import, about a second).

    The summary (terminal and ``summary.json``) says what share of the simulated floor area
    rests on defaults, per attribute (``floor_area_sources``, ``floor_area_on_defaults``: use,
    height, storeys, construction year, floor area and storey height, :func:`defaults_share`).
    ``samples`` > 0 adds Monte Carlo bands (5th, 50th, 95th percentiles) on the stock totals:
    the unknown attributes drawn from the prior table (``priors``: a YAML file merged onto
    ``twin/data/stock_priors.yaml``) with ``seed`` (:mod:`twin.energy.stock_samples`,
    :func:`twin.energy.sampled.simulate_samples`); with measures, the variant and the savings
    are banded on the same samples.

    ``model``: the zone model (``5r1c``, default, or ``iso52016``, :mod:`twin.energy.stock_iso52016`);
    the Monte Carlo samples run the 5R1C kernel only, so ``samples`` with ``iso52016`` is an error.
    ``conventions``: the modelling conventions (default :class:`~twin.energy.model.Conventions`,
    e.g. the finer model's wind-dependent exterior surfaces).

    Returns the lines printed by the command.
    """
    from twin.energy.stock_iso52016 import check_model
    from twin.io.output_checks import check_output_folder
    from twin.scene.io import scene_holds_weather
    from twin.workflows.scene_loading import check_scene_paths

    fmt = check_format(format)
    samples, seed = _check_samples(samples, seed)
    model = check_model(model, field_name="--model")
    if samples and model != "5r1c":
        raise InputError(f"--samples runs the 5R1C model only: its bands would not be those of --model {model} (use one or the other)",
                         field="--model")
    scene_list = [scene_paths] if isinstance(scene_paths, (str, os.PathLike)) else list(scene_paths)
    out = Path(out)
    check_output_folder(out, inputs=[*scene_list, weather, overrides, measures_table, priors], owned=ENERGY_MARKERS, field="--out")
    if weather is None and scene_holds_weather(scene_list) is False:  # before the kernels are loaded (warm-up) or compiled (ingest)
        raise InputError("no weather: give --weather FILE.epw, or ingest an .epw into the scene (this one has none)",
                         path=scene_list[0] if len(scene_list) == 1 else None, field="--weather")
    check_scene_paths(scene_list)  # before the warm-up and the progress steps (was: in the step 'scene')
    prior_table = None
    if samples:
        from twin.energy.priors import load_priors

        prior_table = load_priors(priors)  # checked before the scene is read
    from twin.solar.progress import Steps
    from twin.solar.shading import start_kernel_warmup

    start_kernel_warmup()  # Numba's one-off set-up in a thread while the scene is read
    steps = Steps(["scene", "envelope and shading", "simulation", *(["samples"] if samples else []), "writing"], progress,
                  desc="energy")
    try:
        with _gc_frozen():
            lines = _run_steps(steps, scene_list, weather, out, measures, overrides, measures_table, hourly, fmt, samples, seed,
                               prior_table, progress, plots, model, conventions)
    finally:
        steps.close()
        if times is not None:
            times.update(steps.times)
    return lines


@contextlib.contextmanager
def _gc_frozen() -> Iterator[None]:
    """Leave the objects that exist on entry (the imports', the caller's) out of Python's cyclic
    garbage collections until the exit (:func:`gc.freeze`, then :func:`gc.unfreeze`).

    They outlive a run, but each full collection during it walks them all while holding the
    GIL: on the region, one full collection of about 170k objects took 0.10-0.12 s of the run
    (0.006-0.013 s frozen). Objects made during the run are collected as usual. Nothing is
    done when some objects are already frozen (a caller that freezes its own: left as it is).
    """
    import gc

    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: The layers of a written scene that ``twin energy run`` reads (the buildings and their IFC
#: storeys, spaces and elements; the streets, land cover, soil and POIs are not used).
SCENE_LAYERS = ("sites", "buildings", "storeys", "spaces", "elements")


def _run_steps(steps, scene_list, weather, out, measures, overrides, measures_table, hourly, fmt, samples, seed, prior_table,
               progress, plots: bool = True, model: str = "5r1c", conventions: Conventions | None = None) -> list[str]:
    """The body of :func:`run_command` once the options are checked, step by step."""
    from twin.energy.results import class_distribution, stock_summary

    with steps.step("scene"):
        scene = load_scene(scene_list, layers=SCENE_LAYERS)
        if len(scene.buildings) == 0:  # named here: the stock model's own error cannot know the files
            raise InputError("the scene has no buildings: no stock to simulate", path=scene_list[0] if len(scene_list) == 1 else None,
                             obj="buildings layer", field="buildings")
        if weather is not None:
            from twin.io.epw import read_epw

            weather = read_epw(weather)
        if overrides is not None:
            from twin.energy.typology import OVERRIDES_PATH_ATTR

            path = overrides
            overrides = pd.read_csv(path)
            overrides.attrs[OVERRIDES_PATH_ATTR] = str(path)  # errors that need the scene name the file
        table = None
        if measures_table is not None:
            from twin.energy.measures import load_measures

            table = load_measures(measures_table)
        if (weather if weather is not None else scene.weather) is not None:
            from twin.io.weather_site import check_weather_site

            check_weather_site(weather if weather is not None else scene.weather, scene, field="--weather" if weather is not None else "weather")
    measures = list(measures or [])
    with steps.step("envelope and shading"):
        prep = prepare_stock(scene, weather, overrides=overrides, progress=progress, model=model,
                             conventions=conventions if conventions is not None else Conventions())
    with steps.step("simulation"):
        if measures:
            wi = what_if(scene, weather, measures, measures_table=table, overrides=overrides, hourly=hourly, prepared=prep)
            runs = [("baseline", wi.baseline), ("with " + " + ".join(measures), wi.variant)]
        else:
            # the envelope and monthly tables are encoded while the accounts are computed, the
            # buildings table (the accounts) while the floor-area sources are summed (Parquet only)
            run = run_stock(scene, weather, overrides=overrides, hourly=hourly, prepared=prep, encode=fmt == "parquet")
            runs = [("baseline", run)]
    sources = defaults_share(scene, runs[0][1].accounts["building_id"])
    on_defaults = {attr: s["default"] for attr, s in sources.items()}
    bands: list[dict] = []
    if samples:
        from twin.energy.sampled import simulate_samples
        from twin.energy.stock_samples import draw_stock_samples

        with steps.step("samples"):
            stock = draw_stock_samples(scene, prior_table, samples, seed)
            base_tot = simulate_samples(scene, prep, stock, fallback=runs[0][1].accounts)
            bands.append(_bands(base_tot))
            if measures:
                plan = {",".join(measures): set(prep.envelope["building_id"].astype(str))}
                var_tot = simulate_samples(scene, prep, stock, measures=plan, measures_table=table, fallback=runs[1][1].accounts)
                bands.append(_bands(var_tot))
                saving = base_tot - var_tot
                bands.append(_bands(saving))
    for i, (_, r) in enumerate(runs):
        r.meta["floor_area_sources"] = sources
        r.meta["floor_area_on_defaults"] = on_defaults
        if samples:
            r.meta["monte_carlo"] = {"samples": samples, "seed": seed, "priors": prior_table.source, "bands": bands[i],
                                     "percentiles": [5, 50, 95]}
            if measures and i == 1:
                r.meta["monte_carlo"]["saving_bands"] = bands[2]
    with steps.step("writing"):
        if measures:
            wi.save(out, format=fmt, plots=plots)
        else:
            run.save(out, format=fmt, plots=plots)
    lines = []
    for i, (label, r) in enumerate(runs):
        s = stock_summary(r.accounts)
        cls = class_distribution(r.accounts)
        lines.append(
            f"{label}: {s['buildings']} buildings, {s['a_f_m2']:.0f} m2, heating {s['q_heat_mwh']:.1f} MWh, "
            f"primary {s['primary_energy_mwh']:.1f} MWh, CO2 {s['co2_t']:.1f} t, investment {s['investment_keur']:.1f} kEUR"
        )
        lines.append("  classes: " + ", ".join(f"{k} {v}" for k, v in cls.items() if v))
        if samples:
            b = bands[i]
            lines.append(f"  bands (p5-p95, {samples} samples of the stock priors): "
                         + ", ".join(f"{name} [{b[key]['p5']:.1f}, {b[key]['p95']:.1f}] {unit}" for name, key, unit in (
                             ("floor area", "a_f_m2", "m2"), ("heating", "q_heat_mwh", "MWh"), ("primary", "primary_energy_mwh", "MWh"),
                             ("CO2", "co2_t", "t"))))
    if samples and measures:
        b = bands[2]
        lines.append(f"  saving bands (p5-p95, same samples): heating [{b['q_heat_mwh']['p5']:.1f}, {b['q_heat_mwh']['p95']:.1f}] MWh, "
                     f"CO2 [{b['co2_t']['p5']:.1f}, {b['co2_t']['p95']:.1f}] t")
    if on_defaults:
        lines.append("floor area on defaults: " + ", ".join(f"{a} {100 * v:.1f} %" for a, v in on_defaults.items()))
        worst = max(on_defaults.values())
        if worst > DEFAULTS_FLAG_SHARE and not samples:
            lines.append(f"note: up to {100 * worst:.0f} % of the floor area rests on defaults; these are the central values of "
                         "assumptions, not measurements (--samples 100 adds bands)")
    else:
        lines.append("floor area on defaults: unknown (the scene's buildings carry no sources)")
    excluded = runs[-1][1].excluded
    if len(excluded):
        lines.append(f"excluded {excluded['building_id'].nunique()} building(s):")
        for _, row in excluded.drop_duplicates("building_id").head(20).iterrows():
            lines.append(f"  {row['building_id']}: {row['field']}: {row['reason']}")
    lines.append(f"results written to {out}")
    return lines


def _check_samples(samples, seed) -> tuple[int, int]:
    """``--samples`` (0 to :data:`MAX_STOCK_SAMPLES`) and ``--seed`` (0 to 2**63 - 1), checked."""
    for name, value, hi in (("--samples", samples, MAX_STOCK_SAMPLES), ("--seed", seed, 2**63 - 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) <= hi:
            raise InputError(f"{name} must be a whole number from 0 to {hi:,}, not {value!r}", field=name)
    return int(samples), int(seed)


__all__ = [
    "BAND_TOTALS",
    "ENERGY_MARKERS",
    "defaults_share",
    "FORMATS",
    "PreparedStock",
    "check_format",
    "load_scene",
    "run_command",
    "StockRun",
    "WhatIf",
    "prepare_stock",
    "run_stock",
    "simulate_prepared",
    "stock_drivers",
    "urban_shade_factors",
    "what_if",
]
