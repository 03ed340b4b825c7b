"""The output files of the ``twin traffic`` commands: who may replace them, and how they are written.

Every traffic output records, or shows, that ``twin traffic`` wrote it (one writer for the whole
family: any traffic command may replace an earlier traffic output):

* a Parquet table: ``twin_written_by: twin traffic`` in its key-value metadata, written with
  the table in one pass (:func:`write_parquet`; a GeoDataFrame keeps its GeoParquet ``geo``
  metadata);
* a netCDF file (``--timeseries X.nc``): the global attribute ``twin_written_by``;
* an OpenMatrix file (``--skims X.omx``): the root attribute ``twin_written_by``;
* a GeoPackage (``--output X.gpkg``): ``twin_written_by`` in its layer's metadata (GDAL's
  ``gpkg_metadata`` table; no extra layer). Not the dataset's metadata, which outputs before
  this carried (still recognised): GDAL (3.12) keeps a dataset's metadata items in a side file
  ``X.gpkg.aux.xml`` that every later read of the file wrote beside it;
* a CSV, which holds no tag: a record beside it, ``.NAME.twin-written.json`` (hidden), written
  by twin with the file and swapped in with it: ``twin_written_by`` and the SHA-256 of the
  contents twin wrote at that path (:func:`traffic_csv_writer_of`). A CSV is an earlier traffic
  output only when its bytes are one of those. A user's table that merely starts with the key
  columns of a traffic table (:data:`CSV_KEYS`, e.g. ``link_id,from_node,to_node``), a traffic
  output edited since, or one copied over an earlier output, is refused. (Until this record, a
  CSV was recognised by those key columns alone: a user's table with them was overwritten; a
  CSV written by such an earlier twin has no record and is refused once: remove it by hand.);
* a ``--map`` image: an image of the kind its name says (an image records no writer).

An existing file of another writer, or an untagged Parquet, netCDF, OMX or GeoPackage (an older
twin wrote no tag: removed once by hand), is refused before any work (:func:`check_replace`).

:class:`StagedOutputs` holds the outputs of one command: every path checked before any work
(its ending, the file rule of :func:`twin.io.output_checks.check_output_file`, no two options on
one file, the writer rule above), each file then written to a temporary file beside its target,
and all swapped in together at the end, all or nothing (:func:`swap_in`): a failure while writing
the last output, or while renaming the k-th file into place, leaves every earlier file as it was.
A process killed outright between two renames (``kill -9``, the OOM killer, a power cut: no
rollback runs) leaves a journal beside its outputs (``.twin-swap-PID-RANDOM.json``, written
fsync'd before the first rename, removed when the swap ended): the next traffic command that
names one of those outputs puts the earlier run's files back whole (the killed run did not
finish), or, where the earlier files kept aside are gone, the killed run's whole, before any
other check, and says so in one ``twin: warning:`` line (:func:`recover_killed_swaps`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twin.errors import OutputError
from twin.io.run_record import file_sha256  # one file hash for run records and output records (exported here too)

if TYPE_CHECKING:
    from twin.io.stop import HeldSignals

#: The writer recorded in every traffic output (one for the whole family).
TRAFFIC_WRITER = "twin traffic"
#: The name of the tag: a Parquet key-value metadata key, a netCDF global attribute, an OMX root
#: attribute, a GeoPackage layer metadata item.
WRITER_KEY = "twin_written_by"
PARQUET_TAG = WRITER_KEY.encode()

#: The key columns a traffic CSV starts with, and whether the header is exactly those columns
#: (the OD tables, whose header is fixed): a CSV whose header starts so is an earlier traffic
#: output. Link tables (assign, simulate, select ``--link-flows``), the mobility link table,
#: turning movements (assign, simulate, mobility ``--turns``), the mobility junction table, the
#: simulate time series, the access per-building table, the select-link and estimated OD tables.
CSV_KEYS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("link_id", "from_node", "to_node"), False),
    (("link_id", "name", "road_class"), False),
    (("node_id", "in_link_id", "out_link_id"), False),
    (("period", "node_id", "control"), False),
    (("link", "step", "t_start_s"), False),
    (("building_id", "weight"), False),
    (("origin", "destination", "flow"), True),
    (("origin", "destination", "flow_veh_h"), True),
    (("origin", "destination", "vehicles"), True),
)

_IMAGE_KINDS = {".png": "a PNG image", ".svg": "an SVG image"}


def csv_keys_of(columns: Iterable[str]) -> tuple[str, ...] | None:
    """The entry of :data:`CSV_KEYS` a header ``columns`` matches, or None (not a traffic table)."""
    header = [str(c) for c in columns]
    for keys, exact in CSV_KEYS:
        if (header == list(keys)) if exact else (tuple(header[: len(keys)]) == keys):
            return keys
    return None


#: How many contents of one CSV path its record keeps (the newest first): a record is written
#: before its CSV is renamed into place (:func:`record_csv`), so the earlier content stays
#: recognised when that rename fails.
CSV_RECORD_KEEP = 4

#: The staged files of :class:`StagedOutputs` not swapped in yet (absolute paths): a CSV written to
#: one is recorded by :meth:`StagedOutputs.commit`, with the swap, not by :func:`record_csv`.
_STAGED: set[str] = set()


def csv_record_path(path: Path) -> Path:
    """The record of the CSV output ``path``: ``.NAME.twin-written.json`` beside it (a long name
    shortened as twin's temporary names are)."""
    from twin.io.staged import temp_prefix

    path = Path(path)
    return path.with_name(temp_prefix(path, "written").removesuffix("-") + ".json")


def read_csv_record(path: Path) -> list[str]:
    """The SHA-256 of every content ``twin traffic`` wrote at the CSV ``path`` (newest first), from
    its record (:func:`csv_record_path`); empty when there is none, or it is not twin's."""
    try:
        data = json.loads(csv_record_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get(WRITER_KEY) != TRAFFIC_WRITER or not isinstance(data.get("sha256"), list):
        return []
    return [h for h in data["sha256"] if isinstance(h, str)]


def csv_record_text(path: Path, sha256: str) -> str:
    """The record of the CSV ``path`` once the content of SHA-256 ``sha256`` is written there: that
    digest first, then the earlier ones (at most :data:`CSV_RECORD_KEEP` in all)."""
    path = Path(path)
    digests = [sha256, *(h for h in read_csv_record(path) if h != sha256)][:CSV_RECORD_KEEP]
    return json.dumps({WRITER_KEY: TRAFFIC_WRITER, "file": path.name, "sha256": digests}, indent=1) + "\n"


def record_csv(tmp: Path, path: Path) -> None:
    """Record that ``twin traffic`` wrote the CSV ``tmp``, about to be renamed onto ``path`` (called
    by every traffic CSV writer, :func:`twin.traffic.dynamic_commands.to_table`). The record is
    written atomically now, keeping the earlier digests; when ``path`` is a staged file of
    :class:`StagedOutputs`, nothing is done here: its commit writes the record of the target and
    swaps it in with the CSV."""
    from twin.io import atomic_path

    if os.path.abspath(path) in _STAGED:
        return
    with atomic_path(csv_record_path(path)) as rec:
        Path(rec).write_text(csv_record_text(path, file_sha256(tmp)), encoding="utf-8")


def traffic_csv_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` (:func:`twin.io.output_checks.check_file_writer`) of a CSV output: ``twin
    traffic`` when its record (:func:`csv_record_path`) holds the SHA-256 of its bytes. A CSV
    whose header starts with the key columns of a traffic table (:func:`csv_keys_of`) but has no
    record is named as such (a user's table, or an output of a twin before the record)."""
    from twin.io.output_checks import csv_header

    header = csv_header(path)
    if not header:
        return None, "a file that is not a CSV table"
    shown = ",".join(header[:4]) + (",..." if len(header) > 4 else "")
    record = csv_record_path(path).name
    digests = read_csv_record(path)
    if digests:
        if file_sha256(path) in digests:
            return TRAFFIC_WRITER, "a traffic table"
        return None, f"a CSV table ({shown}) changed since twin traffic wrote it (its record {record} holds other contents)"
    if csv_keys_of(header) is not None:
        return None, (f"a CSV table with the key columns of a traffic table ({shown}) but no record {record} that twin traffic wrote it "
                      "(a table of yours, or an output of a twin before that record)")
    return None, f"a CSV table with other columns ({shown})"


def parquet_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` of a Parquet output: the ``twin_written_by`` of its key-value metadata, or
    None (an older twin's traffic Parquet holds no tag and is refused once, as untagged scenes
    and CityJSON are)."""
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 - any file that is not Parquet
        return None, "a file that is not a Parquet table"
    tag = meta.get(PARQUET_TAG)
    return (tag.decode("utf-8", "replace") if tag else None), "a Parquet table"


def netcdf_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` of a netCDF output: its global attribute ``twin_written_by``, or None."""
    try:
        import xarray as xr

        with xr.open_dataset(path) as ds:
            tag = ds.attrs.get(WRITER_KEY)
    except Exception:  # noqa: BLE001 - any file that is not netCDF
        return None, "a file that is not a netCDF file"
    return (str(tag) if tag else None), "a netCDF file"


def omx_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` of an OpenMatrix output: its root attribute ``twin_written_by``, or None."""
    try:
        import tables

        with tables.open_file(str(path), "r") as fh:
            attrs = fh.root._v_attrs
            tag = getattr(attrs, WRITER_KEY, None) if WRITER_KEY in attrs._v_attrnames else None
            omx = "OMX_VERSION" in attrs._v_attrnames
    except Exception:  # noqa: BLE001 - any file that is not HDF5
        return None, "a file that is not an OpenMatrix file"
    if isinstance(tag, bytes):
        tag = tag.decode("utf-8", "replace")
    return (str(tag) if tag else None), ("an OpenMatrix file" if omx else "an HDF5 file")


def gpkg_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` of a GeoPackage output: ``twin_written_by`` of its layer's metadata (GDAL's
    ``gpkg_metadata`` table), or of its dataset's metadata (outputs written before the layer's
    carried it), or None."""
    try:
        import pyogrio

        info = pyogrio.read_info(path)
    except Exception:  # noqa: BLE001 - any file that is not a GeoPackage
        return None, "a file that is not a GeoPackage"
    tag = (info.get("layer_metadata") or {}).get(WRITER_KEY) or (info.get("dataset_metadata") or {}).get(WRITER_KEY)
    return (str(tag) if tag else None), "a GeoPackage"


def image_writer_of(path: Path) -> tuple[str | None, str]:
    """``writer_of`` of a ``--map`` image: an image records no writer, so an existing file that
    is an image of the kind its name says (PNG signature; ``<svg`` in an SVG's first bytes) is
    replaced; anything else under an image name (a CSV, a Parquet...) is refused."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None, "a file twin cannot read"
    if suffix == ".png" and head.startswith(b"\x89PNG\r\n\x1a\n"):
        return TRAFFIC_WRITER, _IMAGE_KINDS[suffix]
    if suffix == ".svg" and b"<svg" in head:
        return TRAFFIC_WRITER, _IMAGE_KINDS[suffix]
    return None, f"a file that is not {_IMAGE_KINDS.get(suffix, 'an image')}"


#: The ``writer_of`` of each output ending.
WRITERS_OF: dict[str, Callable[[Path], tuple[str | None, str]]] = {
    ".csv": traffic_csv_writer_of,
    ".parquet": parquet_writer_of,
    ".nc": netcdf_writer_of,
    ".omx": omx_writer_of,
    ".gpkg": gpkg_writer_of,
    ".png": image_writer_of,
    ".svg": image_writer_of,
}


def check_replace(path: Path, *, field: str) -> None:
    """An existing, non-empty traffic output ``path`` is replaced only when ``twin traffic``
    wrote it (the module docstring: a tag, a traffic CSV header, an image of its kind).

    Raises
    ------
    OutputError
        Naming the file, the option ``field`` and what the file seems to hold.
    """
    from twin.io.output_checks import check_file_writer

    path = Path(path)
    recover_killed_swaps(path)  # a swap of a killed run is undone first: one run's files again
    writer_of = WRITERS_OF.get(path.suffix.lower())
    if writer_of is not None:
        check_file_writer(path, TRAFFIC_WRITER, writer_of, field=field, again=f"another {field} file")


def write_parquet(frame: Any, path: Path) -> None:
    """Write ``frame`` (a DataFrame, or a GeoDataFrame as GeoParquet) to ``path`` in one pass, with
    ``twin_written_by: twin traffic`` in the key-value metadata beside the ``pandas`` (and ``geo``) entries.

    A GeoDataFrame goes through the public :meth:`geopandas.GeoDataFrame.to_parquet`, into memory
    and uncompressed (its ``geo`` metadata: geometry columns, CRS, bounding box, geometry types),
    and is read back as an Arrow table to which the tag is added; the file itself is written once.
    (``GeoDataFrame.to_arrow`` writes no ``geo`` metadata: ``geopandas.read_parquet`` refuses its file.)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if hasattr(frame, "geometry") and hasattr(frame, "crs"):
        sink = pa.BufferOutputStream()
        frame.to_parquet(sink, index=False, compression=None)
        table = pq.read_table(pa.BufferReader(sink.getvalue()))
    else:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[PARQUET_TAG] = TRAFFIC_WRITER.encode()
    pq.write_table(table.replace_schema_metadata(meta), path)


def write_geopackage(frame: Any, path: Path, *, layer: str) -> None:
    """Write ``frame`` to the GeoPackage ``path`` (layer ``layer``) with ``twin_written_by: twin
    traffic`` in the layer's metadata (GDAL's ``gpkg_metadata`` table: no extra layer, so readers
    that take the only layer by default still do; not the dataset's metadata, which GDAL keeps in
    a side file ``.aux.xml`` that every later read wrote beside the output)."""
    import pyogrio

    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", layer_metadata={WRITER_KEY: TRAFFIC_WRITER})


def write_netcdf(ds: Any, path: Path) -> None:
    """Write the Dataset ``ds`` to the netCDF ``path`` with the global attribute ``twin_written_by``."""
    ds = ds.copy()
    ds.attrs[WRITER_KEY] = TRAFFIC_WRITER
    ds.to_netcdf(path)


def tag_omx(fh: Any) -> None:
    """Record ``twin_written_by: twin traffic`` in the root attributes of the open OMX file ``fh``."""
    fh.root._v_attrs[WRITER_KEY] = TRAFFIC_WRITER


def _aside_name(target: Path) -> Path:
    """A free name beside ``target`` for its earlier file kept during a swap
    (``.NAME.twin-old-PID-RANDOM``: removed by the next writer when this process died,
    :func:`twin.io.staged.clean_stale`)."""
    from twin.io.staged import temp_prefix

    fd, name = tempfile.mkstemp(prefix=f"{temp_prefix(target, 'old')}{os.getpid()}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


class _Stopped(BaseException):
    """A signal arrived during a swap: the swap is undone."""


# ----------------------------------------------------------------------------------------------
# the swap journal: a swap cut short by a kill -9 (OOM killer, power cut) is undone by the next run

#: The value of ``twin_swap`` in a swap journal (:func:`_write_journal`).
JOURNAL_WRITER = TRAFFIC_WRITER
#: A swap journal, ``.twin-swap-PID-RANDOM.json`` (``.part`` while it is written).
_JOURNAL_RE = re.compile(r"\.twin-swap-(\d+)-([0-9a-f]+)\.json(\.part)?$")
#: The corrupt or foreign journals already reported by this process (one line each).
_REPORTED: set[str] = set()


def _file_id(path: Path) -> list[int] | None:
    """``[st_dev, st_ino]`` of ``path`` (not followed), or None when there is nothing there."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


def _fsync_dir(folder: Path) -> None:
    """Make the entries of ``folder`` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_journal(pairs: list[tuple[Path, Path]], aside: dict[Path, Path]) -> list[Path]:
    """Write the journal of a swap about to rename ``pairs`` (staged, target), the earlier targets
    kept at ``aside``: ``.twin-swap-PID-RANDOM.json`` in every folder holding a target (a run
    that writes to two folders is recovered from either), each written whole (a ``.part`` file
    fsync'd, renamed, the folder fsync'd: the names aside are durable with it).

    Each file of the swap is listed by its target, staged and aside names (relative to the
    journal's folder) and the ``[st_dev, st_ino]`` of the staged file, of the earlier target and
    of its copy aside: which file a target holds after a kill is then known, whichever renames
    reached the disk (:func:`recover_killed_swaps`).

    Returns
    -------
    list of Path
        The journals written.
    """
    import secrets
    import socket
    import time

    token = secrets.token_hex(6)
    folders = list(dict.fromkeys(Path(os.path.abspath(target)).parent for _, target in pairs))
    journals = [folder / f".twin-swap-{os.getpid()}-{token}.json" for folder in folders]
    written: list[Path] = []
    try:
        for journal in journals:
            base = journal.parent

            def rel(p: Path | None, base: Path = base) -> str | None:
                return None if p is None else os.path.relpath(os.path.abspath(p), base)

            files = [{"target": rel(target), "staged": rel(tmp), "aside": rel(aside.get(target)),
                      "new_id": _file_id(tmp), "old_id": _file_id(target) if target in aside else None,
                      "aside_id": _file_id(aside[target]) if target in aside else None} for tmp, target in pairs]
            data = {"twin_swap": JOURNAL_WRITER, "pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
                    "journals": [rel(j) for j in journals], "files": files}
            part = journal.with_name(journal.name + ".part")
            with open(part, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(data, indent=1) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(part, journal)
            written.append(journal)
            _fsync_dir(base)
    except BaseException:
        _remove_journals(written)
        for journal in journals:
            with contextlib.suppress(OSError):
                os.unlink(journal.with_name(journal.name + ".part"))
        raise
    return written


def _remove_journals(journals: Iterable[Path]) -> None:
    for journal in journals:
        with contextlib.suppress(OSError):
            os.unlink(journal)


def _read_journal(journal: Path, pid: int, token: str) -> dict[str, Any]:
    """The swap journal ``journal`` (of process ``pid``), its paths made absolute.

    Raises
    ------
    ValueError
        Not a journal twin wrote (not JSON, another writer, missing fields), or one naming files
        that are not twin's staged and aside files of its targets: saying what is wrong.
    """
    from twin.io.staged import temp_prefix

    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValueError("not a text file") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict) or data.get("twin_swap") != JOURNAL_WRITER:
        raise ValueError(f"no twin_swap: {JOURNAL_WRITER}")
    if data.get("pid") != pid or not isinstance(data.get("host"), str) or not isinstance(data.get("started"), (int, float)):
        raise ValueError("its pid, host or start time is missing or not the pid of its name")
    base = journal.parent

    def absolute(value: object, what: str) -> Path:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{what} is not a path")
        return Path(os.path.normpath(base / value))

    def file_id(value: object, what: str) -> int | None:
        """The inode of ``[st_dev, st_ino]`` (the device number may change across a reboot; the
        files of one folder are on one file system)."""
        if value is None:
            return None
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
            raise ValueError(f"{what} is not [device, inode]")
        return value[1]

    journals = data.get("journals")
    if not isinstance(journals, list) or not journals:
        raise ValueError("no list of its journals")
    copies = [absolute(j, "a journal") for j in journals]
    for copy in copies:
        m = _JOURNAL_RE.match(copy.name)
        if not m or m.group(3) or int(m.group(1)) != pid or m.group(2) != token:
            raise ValueError(f"it names {copy.name} as a copy of itself")
    if Path(os.path.normpath(journal)) not in copies:
        raise ValueError("it does not name itself among its copies")
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise ValueError("no list of files")
    entries = []
    for i, item in enumerate(files):
        if not isinstance(item, dict):
            raise ValueError(f"file {i + 1} is not an object")
        target = absolute(item.get("target"), f"file {i + 1}'s target")
        staged = absolute(item.get("staged"), f"file {i + 1}'s staged file")
        keep = None if item.get("aside") is None else absolute(item.get("aside"), f"file {i + 1}'s aside")
        if staged.parent != target.parent or not staged.name.startswith(temp_prefix(target, "tmp")):
            raise ValueError(f"{staged.name} is not a staged file of {target.name}")
        if keep is not None and (keep.parent != target.parent or not keep.name.startswith(f"{temp_prefix(target, 'old')}{pid}-")):
            raise ValueError(f"{keep.name} is not a file aside of {target.name} of process {pid}")
        entries.append({"target": target, "staged": staged, "aside": keep,
                        "new_id": file_id(item.get("new_id"), f"file {i + 1}'s new_id"),
                        "old_id": file_id(item.get("old_id"), f"file {i + 1}'s old_id"),
                        "aside_id": file_id(item.get("aside_id"), f"file {i + 1}'s aside_id")})
    return {"pid": pid, "host": data["host"], "started": float(data["started"]), "journals": copies, "files": entries}


def _undo_swap(entries: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """Put the files of a swap cut short back to one run's: the earlier files (``back``) when
    every target that holds its new file still has its earlier file aside (or had none), else the
    new ones (``forward``: each staged file not renamed yet is renamed in). Then every staged and
    aside file left is removed.

    Returns
    -------
    tuple of (str, list of str)
        The direction taken, and a line for each target left as neither run's or not restored.
    """

    def holds(entry: dict[str, Any]) -> str:
        now = _file_id(entry["target"])
        found = None if now is None else now[1]
        if found is not None and found == entry["new_id"]:
            return "new"
        if (found is None and entry["old_id"] is None) or (found is not None and found in (entry["old_id"], entry["aside_id"])):
            return "old"
        return "other"

    state = [holds(e) for e in entries]
    back = all(s != "new" or e["aside"] is None or os.path.lexists(e["aside"]) for e, s in zip(entries, state, strict=True))
    problems = []
    for entry, s in zip(entries, state, strict=True):
        target = entry["target"]
        try:
            if back and s == "new":
                if entry["aside"] is not None:
                    os.replace(entry["aside"], target)
                else:
                    os.unlink(target)
            elif not back and s == "old":
                os.replace(entry["staged"], target)
        except OSError as exc:
            problems.append(f"{target.name} ({exc.strerror or exc})")
        if s == "other":
            problems.append(f"{target.name} (changed since: left as found)")
    for entry in entries:
        for leftover in (entry["staged"], entry["aside"]):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
    return ("back" if back else "forward"), problems


def recover_killed_swaps(target: Path) -> list[Path]:
    """Undo the swap of a traffic command killed while renaming its outputs in (``kill -9``, the
    OOM killer, a power cut: no rollback ran), when one of its files is ``target``.

    Every swap journal beside ``target`` (:func:`_write_journal`) of a process that is dead on this
    host (:func:`twin.io.staged.pid_alive`), or older than :data:`twin.io.staged.STALE_AFTER_S`,
    and that lists ``target`` is followed: each of its targets gets its earlier file back (the
    killed run did not finish, so the earlier run is the one to keep whole), or, where an earlier
    file kept aside is gone, the swap is finished with the new files instead; then its journals
    and its staged and aside files are removed, and one ``twin: warning:`` line names the folder
    and what was done. A journal of a live process (or of this one) is left alone; a journal
    twin cannot read, or one naming files that are not its staged and aside files, is reported in
    one line and not followed (left as it is).

    Returns
    -------
    list of Path
        The journals followed.
    """
    import socket
    import time
    import warnings

    from twin.errors import TwinWarning
    from twin.io.staged import STALE_AFTER_S, pid_alive

    target = Path(os.path.abspath(target))
    folder = target.parent
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    followed = []
    now = time.time()
    for name in names:
        m = _JOURNAL_RE.match(name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        journal = folder / name
        pid = int(m.group(1))
        try:
            age = now - journal.lstat().st_mtime
        except OSError:
            continue
        if m.group(3):  # a journal a killed process was writing: no rename had begun
            if age > STALE_AFTER_S or not pid_alive(pid):
                with contextlib.suppress(OSError):
                    journal.unlink()
            continue
        try:
            data = _read_journal(journal, pid, m.group(2))
        except (OSError, ValueError) as exc:
            if str(journal) not in _REPORTED:
                _REPORTED.add(str(journal))
                warnings.warn(f"{journal}: not a swap journal of twin traffic that twin can follow ({exc}); left as it is",
                              TwinWarning, stacklevel=2)
            continue
        if not any(e["target"] == target for e in data["files"]):
            continue
        stale = now - data["started"] > STALE_AFTER_S or age > STALE_AFTER_S
        if not stale and (data["host"] != socket.gethostname() or pid_alive(pid)):
            continue  # a swap under way (or another host's: only the age tells)
        direction, problems = _undo_swap(data["files"])
        _remove_journals(data["journals"])
        followed.append(journal)
        shown = [e for e in data["files"] if not e["target"].name.startswith(".")]  # not the hidden CSV records
        names_of = ", ".join(e["target"].name for e in shown)
        if direction == "back":
            new = [e["target"].name for e in shown if e["aside"] is None]
            names_of = ", ".join(e["target"].name for e in shown if e["aside"] is not None) or "none"
            what = f"undone: the earlier files are back ({names_of}{'; removed, new in that run: ' + ', '.join(new) if new else ''})"
        else:
            what = f"finished instead, since earlier files kept aside were gone: the killed run's files are in place ({names_of})"
        trouble = f"; not restored: {'; '.join(problems)}" if problems else ""
        warnings.warn(f"{folder}: the swap of the outputs of a killed twin run (pid {pid}) was {what}; its journal and "
                      f"leftovers were removed{trouble}", TwinWarning, stacklevel=2)
    return followed


def swap_in(pairs: list[tuple[Path, Path]]) -> bool:
    """Rename every staged file ``tmp`` onto its ``target``, all or nothing.

    First every existing target is kept aside under a second name (a hard link, so the target
    itself never goes missing; a copy where the file system has no hard links): a failure there
    changes no target. Then the staged files are renamed in; when one rename fails (the k-th of
    n), the targets already replaced get their earlier file back (renamed from the name aside,
    byte-identical) and those that did not exist are removed, and the error is raised again: no
    reader finds outputs of two runs side by side. The names aside are removed at the end.
    Before the first rename a journal of the swap is written beside the targets
    (:func:`_write_journal`), removed once the swap ended (kept when the rollback failed): a
    process killed outright mid-swap is undone by the next run (:func:`recover_killed_swaps`).

    SIGINT and SIGTERM received during the swap (in the main thread) are held until it ends
    (:func:`twin.io.stop.signals_held`); the swap is then undone like a failed rename, every target keeps its
    earlier file, and the signal goes to its handler (``KeyboardInterrupt``: exit 130, 143).

    Returns
    -------
    bool
        True when every file is in place; False when a held signal undid the swap (and its
        handler did not raise).

    Raises
    ------
    OutputError
        The rollback itself failed: naming each target left with its new file and where its
        earlier file is kept.
    """
    from twin.io import stop

    with stop.signals_held() as held:
        try:
            _swap_in(pairs, held)
        except _Stopped:
            return False
    return True


def _swap_in(pairs: list[tuple[Path, Path]], held: HeldSignals) -> None:
    """:func:`swap_in` with signals held by ``held``: undone when one arrived by the end."""
    import shutil

    aside: dict[Path, Path] = {}
    done: list[Path] = []
    journals: list[Path] = []
    lost: list[str] = []
    try:
        for _, target in pairs:
            if os.path.lexists(target):
                keep = _aside_name(target)
                try:
                    os.link(target, keep)
                except OSError:  # no hard links here (some network and FAT file systems)
                    shutil.copy2(target, keep)
                aside[target] = keep
        journals = _write_journal(pairs, aside)  # a kill -9 from here on is undone by the next run
        for tmp, target in pairs:
            os.replace(tmp, target)
            done.append(target)
        if held.signum is not None:
            raise _Stopped
    except BaseException:
        for target in reversed(done):
            try:
                if target in aside:
                    os.replace(aside[target], target)
                    del aside[target]
                else:
                    os.unlink(target)
            except OSError as exc:
                kept = aside.pop(target, None)  # not removed below: it holds the earlier file
                lost.append(f"{target} ({exc.strerror or exc}; its earlier file is {kept or 'none: it was new'})")
        if lost:
            raise OutputError("writing the outputs failed and could not be undone for: " + "; ".join(lost), path=done[-1]) from None
        raise
    finally:
        for keep in aside.values():
            with contextlib.suppress(OSError):
                keep.unlink()
        if not lost:  # else kept: the next run puts back what this rollback could not
            _remove_journals(journals)


def _stage_beside(target: Path) -> Path:
    """A free temporary name beside ``target`` ending like it (``.NAME.twin-tmp-PID-RANDOM``),
    registered with :mod:`twin.io.stop` (removed on a signal stop, and by the next writer of
    ``target`` if this process dies: :func:`twin.io.staged.clean_stale`). Call it inside
    :func:`twin.io.stop.signals_held` and note the name there (:func:`twin.io.staged.new_temp_beside`)."""
    from twin.io.staged import clean_stale, new_temp_beside

    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    return new_temp_beside(target, folder=False, suffix=".tmp" + target.suffix)


class StagedOutputs:
    """The output files of one traffic command: checked before any work, written beside their
    targets, swapped in together.

    Use :meth:`add` for every output option before reading or computing anything, write each
    file to :meth:`path` and call :meth:`commit` once every file is written (or use the object
    as a context manager: :meth:`commit` on success, :meth:`discard` on an error). An output
    left out (None) is skipped everywhere.

    Parameters
    ----------
    inputs
        The files and folders the command reads: no output may be one of them or lie inside one.
    """

    def __init__(self, inputs: Iterable[Path | None] = ()) -> None:
        self.inputs = [Path(p) for p in inputs if p is not None]
        self.fields: dict[Path, str] = {}
        self._staged: dict[Path, Path] = {}
        self._records: dict[Path, Path] = {}  # the record of each CSV output: target -> staged file, made by commit

    def add(self, outputs: Iterable[tuple[str, Path | None, tuple[str, ...] | Callable[..., Any]]]) -> None:
        """Check the outputs ``(option, path, endings)`` before any work: no two (nor one already
        added) on one file first, then each file's ending, the file rule
        (:func:`twin.traffic.dynamic_commands.check_output`) and its writer (:func:`check_replace`).
        Instead of the endings, a check ``check(path, field=, inputs=)`` of its own (the skims'
        :func:`twin.traffic.skims.check_skim_output`).

        Raises
        ------
        OutputError
            Naming the option (and, for a shared file, the option named first).
        """
        from twin.traffic.dynamic_commands import check_output

        outputs = [(field, Path(path), suffixes) for field, path, suffixes in outputs if path is not None]
        for _, path, _ in outputs:  # before any check: a killed run's swap is undone (recover_killed_swaps)
            recover_killed_swaps(path)
        seen = {path.resolve(): field for path, field in self.fields.items()}
        for field, path, _ in outputs:
            real = path.resolve()
            if real in seen:
                raise OutputError(f"the same file as {seen[real]}; give each output its own path", path=path, field=field)
            seen[real] = field
        for field, path, suffixes in outputs:
            if callable(suffixes):
                suffixes(path, field=field, inputs=self.inputs)
            else:
                check_output(path, suffixes, field, inputs=self.inputs)
            self.fields[path] = field

    def path(self, target: Path) -> Path:
        """The temporary file beside ``target`` (an output added before) to write it to: a free
        name ending like ``target``, removed on a signal stop and by the next writer of ``target``
        if this process dies (:func:`twin.io.staged.clean_stale`)."""
        target = Path(target)
        if target not in self.fields:
            raise ValueError(f"{target} was not added to the outputs of this command")
        if target in self._staged:
            return self._staged[target]
        from twin.io import stop

        with stop.signals_held():  # named and noted together: discard() removes it
            tmp = _stage_beside(target)
            _STAGED.add(os.path.abspath(tmp))
            self._staged[target] = tmp
        return tmp

    def commit(self) -> None:
        """Swap every written file in as its target. Each staged file is first checked to be one
        the writer rule recognises as a traffic output (else the next run would refuse it: a
        RuntimeError, a bug of twin; a CSV: a CSV table, whose record (:func:`csv_record_path`) is
        staged here and swapped in with it), and each target checked again (another process may have put
        a file there meanwhile); only then are the files renamed, all or nothing (:func:`swap_in`),
        under :func:`twin.io.stop.critical`.

        Raises
        ------
        OutputError
            A target that another writer's file took meanwhile: nothing is replaced.
        """
        from twin.io import stop
        from twin.io.staged import file_mode

        for target, tmp in self._staged.items():
            if not tmp.exists():
                raise RuntimeError(f"{self.fields[target]} {target}: nothing was written to its staged file")
            if target.suffix.lower() == ".csv":
                from twin.io.output_checks import csv_header

                if not csv_header(tmp):  # recognised by the record that is written below
                    raise RuntimeError(f"{self.fields[target]} {target}: twin wrote a file that is not a CSV table (a bug)")
            else:
                writer_of = WRITERS_OF.get(target.suffix.lower())
                if writer_of is not None:
                    found, seems = writer_of(tmp)
                    if found != TRAFFIC_WRITER:
                        raise RuntimeError(f"{self.fields[target]} {target}: twin wrote {seems} that it would not recognise as its own (a bug)")
            check_replace(target, field=self.fields[target])
        for target, tmp in self._staged.items():
            if target.suffix.lower() == ".csv":
                record = csv_record_path(target)
                with stop.signals_held():  # named and noted together: discard() removes it
                    self._records[record] = rec = _stage_beside(record)
                rec.write_text(csv_record_text(target, file_sha256(tmp)), encoding="utf-8")
        with stop.critical():
            staged = {**self._staged, **self._records}
            for tmp in staged.values():
                os.chmod(tmp, file_mode())
            if swap_in([(tmp, target) for target, tmp in staged.items()]):
                for target in self._staged:  # the outputs, whole (their records are not named)
                    stop.note_placed(target)
            self._forget()

    def _forget(self) -> None:
        from twin.io import stop

        for tmp in (*self._staged.values(), *self._records.values()):
            stop.unregister(tmp)
            _STAGED.discard(os.path.abspath(tmp))
        self._staged.clear()
        self._records.clear()

    def discard(self) -> None:
        """Remove every staged file (the targets are left as they were)."""
        for tmp in (*self._staged.values(), *self._records.values()):
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._forget()

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            try:
                self.commit()
            finally:
                self.discard()
        else:
            self.discard()


__all__ = [
    "CSV_KEYS",
    "CSV_RECORD_KEEP",
    "PARQUET_TAG",
    "StagedOutputs",
    "TRAFFIC_WRITER",
    "WRITERS_OF",
    "WRITER_KEY",
    "check_replace",
    "csv_keys_of",
    "csv_record_path",
    "csv_record_text",
    "file_sha256",
    "gpkg_writer_of",
    "image_writer_of",
    "netcdf_writer_of",
    "omx_writer_of",
    "parquet_writer_of",
    "read_csv_record",
    "record_csv",
    "recover_killed_swaps",
    "swap_in",
    "tag_omx",
    "traffic_csv_writer_of",
    "write_geopackage",
    "write_netcdf",
    "write_parquet",
]
