"""Read a dynamic-loading scenario folder (``nodes.csv``, ``links.csv``, ``demand.csv``, ``scenario.csv``).

The format of ``../shared/data/traffic/grid11`` (a UXsim grid scenario written out as tables):

* ``nodes.csv``: ``node_id``, ``x_m``, ``y_m`` (other columns kept in ``meta``);
* ``links.csv``: ``link_id``, ``from_node_id``, ``to_node_id``, ``length_m``,
  ``free_flow_speed_m_s``, ``jam_density_veh_m`` (per lane), ``lanes``,
  ``backward_wave_speed_m_s``, ``capacity_veh_s`` (per lane, as in UXsim);
* ``demand.csv``: ``origin_node_id``, ``destination_node_id``, ``t_start_s``, ``t_end_s``,
  ``flow_veh_s``;
* ``scenario.csv``: ``key``, ``value``, ``unit`` (``deltat`` time step s, ``tmax`` duration s,
  ``duo_update_time`` s, ``duo_update_weight``, ``duo_noise``, ``random_seed``; UXsim's
  ``grid_size``, ``deltan``, ``reaction_time``, ``route_choice``, ``engine`` are accepted and not
  read; any other key, or a key given twice, is an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError, ParseError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from twin.traffic.dynamic import LinkDynamics
    from twin.traffic.network import Network


@dataclass
class DynamicScenario:
    """Network, link dynamics, demand and settings of a scenario folder."""

    network: Network
    dynamics: LinkDynamics
    demand: pd.DataFrame
    settings: dict[str, Any]
    nodes: pd.DataFrame
    folder: Path | None = None

    def number(self, key: str, default: float) -> float:
        """Setting ``key`` of ``scenario.csv`` as a number (``default`` when absent).

        Raises
        ------
        InputError
            The setting is present but not a number.
        """
        value = self.settings.get(key, default)
        if isinstance(value, str):
            path = None if self.folder is None else self.folder / "scenario.csv"
            raise InputError(f"setting {key!r} must be a number, got {value!r}", path=path, obj=f"key {key}", field="value")
        return float(value)

    def _setting_error(self, key: str, message: str) -> InputError:
        """InputError naming ``scenario.csv``, the key and its value."""
        path = None if self.folder is None else self.folder / "scenario.csv"
        return InputError(message, path=path, obj=f"key {key}", field="value")

    def duo_noise(self) -> float | None:
        """DUO's route-choice tie noise of ``scenario.csv`` (key ``duo_noise``; None when absent).

        Raises
        ------
        InputError
            The setting is not a finite number in [0, 1] (file and key named).
        """
        if "duo_noise" not in self.settings:
            return None
        noise = self.number("duo_noise", 0.0)
        if not (np.isfinite(noise) and 0.0 <= noise <= 1.0):
            raise self._setting_error("duo_noise", f"duo_noise must be a finite number in [0, 1], got {noise:g}; or set it with --duo-noise")
        return noise

    def random_seed(self) -> int | None:
        """Seed of DUO's route-choice noise of ``scenario.csv`` (key ``random_seed``, UXsim's name;
        None when absent).

        Raises
        ------
        InputError
            The setting is not a whole number in [0, :data:`MAX_FILE_SEED`] (file and key named).
        """
        if "random_seed" not in self.settings:
            return None
        seed = self.number("random_seed", 0.0)
        if not (np.isfinite(seed) and 0 <= seed <= MAX_FILE_SEED and float(seed).is_integer()):
            raise self._setting_error("random_seed", f"random_seed must be a whole number >= 0 and at most 2**53, got {seed:g}; or set the seed with --seed")
        return int(seed)

    def _in_range(self, key: str, value: float, low: float, high: float, option: str | None = None) -> float:
        """``value`` of ``key`` if finite and in (``low``, ``high``], else an InputError naming
        ``scenario.csv``, the key and the option that overrides it (if any)."""
        if not (np.isfinite(value) and low < value <= high):
            hint = f"; or set it with {option}" if option else ""
            raise self._setting_error(key, f"{key} must be a finite number in ({low:g}, {high:g}], got {value:g}{hint}")
        return value

    @property
    def dt_s(self) -> float:
        """Time step of the scenario, s (key ``deltat``, default 5; checked, the file and key named)."""
        from twin.traffic.dynamic import MAX_DT_S

        return self._in_range("deltat", self.number("deltat", 5.0), 0.0, MAX_DT_S, "--dt")

    def duo_weight(self, default: float) -> float:
        """DUO's route update weight (key ``duo_update_weight``, ``default`` when absent; in (0, 1],
        checked, the file and key named)."""
        return self._in_range("duo_update_weight", self.number("duo_update_weight", default), 0.0, 1.0)

    @property
    def duration_s(self) -> float:
        """Simulated duration, s (key ``tmax``, checked, the file and key named; default: the end
        of the last departure window plus an hour)."""
        if "tmax" in self.settings:
            from twin.traffic.dynamic import MAX_DURATION_S

            return self._in_range("tmax", self.number("tmax", 0.0), 0.0, MAX_DURATION_S, "--duration")
        from twin.traffic.dynamic import numeric_column
        from twin.traffic.dynamic_demand_checks import check_default_run

        demand_path = None if self.folder is None else str(self.folder / "demand.csv")
        ends = numeric_column(self.demand, "t_end_s", path=demand_path, what="demand row")
        run_s = float(np.nanmax(ends)) + 3600.0 if ends.size else 3600.0
        check_default_run(run_s, path=demand_path)  # not 'field duration_s' naming no file
        return run_s


#: Largest ``random_seed`` of a ``scenario.csv``: the file's numbers are read as floats, which hold
#: every whole number up to 2**53 exactly (a larger seed would be run as another number).
MAX_FILE_SEED = 2**53

#: The keys of ``scenario.csv`` twin reads (module docstring).
SETTING_KEYS = ("deltat", "tmax", "duo_update_time", "duo_update_weight", "duo_noise", "random_seed")

#: UXsim's keys a folder written from a UXsim ``World`` records (grid11's) and twin does not read:
#: accepted, not used (``--routes`` chooses the route model, not ``route_choice``).
UNREAD_UXSIM_KEYS = ("grid_size", "deltan", "reaction_time", "route_choice", "engine")


def read_settings(path: Path) -> dict[str, Any]:
    """The settings of a ``scenario.csv`` (columns ``key``, ``value``): numbers as float, other
    values as text (:meth:`DynamicScenario.number` names them when read).

    Raises
    ------
    ParseError, SchemaError
        Unreadable table, no ``key`` or ``value`` column.
    InputError
        A blank, unknown (a typo would leave the default in force without a word) or repeated
        key; the file, its line and the key named.
    """
    from twin.io.key_hints import closest_key

    table = _read_csv(path, ("key", "value"))
    known = SETTING_KEYS + UNREAD_UXSIM_KEYS
    settings: dict[str, Any] = {}
    for line, key, value in zip(table.index, table["key"], table["value"]):
        name = "" if key is None or (isinstance(key, float) and np.isnan(key)) else str(key).strip()
        if not name:
            raise InputError("blank key", path=path, obj=f"row {line}", field="key")
        if name not in known:
            close = closest_key(name, known)
            hint = f"did you mean {close!r}? " if close else ""
            raise InputError(f"unknown key {name!r}; {hint}keys read: {', '.join(SETTING_KEYS)} "
                             f"(UXsim's {', '.join(UNREAD_UXSIM_KEYS)} are accepted, not read)",
                             path=path, obj=f"row {line}", field="key")  # fmt: skip
        if name in settings:
            raise InputError(f"key {name!r} given twice (keep one row)", path=path, obj=f"row {line}", field="key")
        try:
            settings[name] = float(value)
        except (TypeError, ValueError):
            settings[name] = str(value)
    return settings


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    from twin.io.paths import check_input_file
    from twin.traffic.dynamic import EMPTY_ONLY_NA

    check_input_file(path, what="scenario table")
    try:
        frame = pd.read_csv(path, **EMPTY_ONLY_NA)  # 'nan' written in a cell is not an empty cell
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ParseError(f"cannot read table: {' '.join(str(exc).split())}", path=path) from None
    for col in required:
        if col not in frame.columns:
            raise SchemaError(f"missing column {col!r}", path=path, field=col)
    return csv_line_index(frame)


def csv_line_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` indexed by the line of each row in its CSV file (the header is line 1, the first
    data row line 2), so that errors naming ``row N`` point at the line to fix."""
    import pandas as pd

    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def _unique(frame: pd.DataFrame, column: str, path: Path) -> None:
    dup = frame[column].duplicated().to_numpy()
    if dup.any():
        k = int(np.flatnonzero(dup)[0])
        value = frame[column].iloc[k]
        value = value.item() if isinstance(value, np.generic) else value  # 7, not np.int64(7)
        first = frame.index[int(np.flatnonzero((frame[column] == frame[column].iloc[k]).to_numpy())[0])]
        raise SchemaError(f"duplicate id {value!r} (first at row {first})", path=path, obj=f"row {frame.index[k]}", field=column)


def _numbers(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    from twin.traffic.dynamic import numeric_column

    return numeric_column(frame, column, path=str(path), what="row")


def read_scenario(folder: str | Path) -> DynamicScenario:
    """Read a scenario folder (see module docstring).

    Raises
    ------
    ParseError, SchemaError
        Unreadable file, missing column, duplicate node or link id, a value that is not a
        number (file, row and column named).
    InputError
        Bad link values (file, link and field named).
    """
    from twin.traffic.dynamic import LinkDynamics
    from twin.traffic.network import Network

    folder = Path(folder)
    nodes = _read_csv(folder / "nodes.csv", ("node_id",))
    links_path = folder / "links.csv"
    links = _read_csv(
        links_path,
        ("link_id", "from_node_id", "to_node_id", "length_m", "free_flow_speed_m_s", "jam_density_veh_m", "lanes"),
    )
    demand = _read_csv(folder / "demand.csv", ("origin_node_id", "destination_node_id", "t_start_s", "t_end_s"))
    scen_path = folder / "scenario.csv"
    settings = read_settings(scen_path) if scen_path.exists() else {}
    _unique(nodes, "node_id", folder / "nodes.csv")
    _unique(links, "link_id", links_path)
    node_ids = nodes["node_id"].to_numpy()
    lookup = {nid: i for i, nid in enumerate(node_ids.tolist())}
    for col in ("from_node_id", "to_node_id"):
        unknown = ~links[col].isin(lookup)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise SchemaError(f"node {links[col].iloc[row]!r} not in nodes.csv", path=links_path, obj=f"link {links['link_id'].iloc[row]}", field=col)
    loop = (links["from_node_id"] == links["to_node_id"]).to_numpy()
    if loop.any():  # no route takes it: a mistyped node, simulated without a word
        row = int(np.flatnonzero(loop)[0])
        node = links["from_node_id"].iloc[row]
        node = node.item() if isinstance(node, np.generic) else node
        raise SchemaError(f"the link goes from node {node!r} back to itself (from_node_id = to_node_id): "
                          "a mistyped node?", path=links_path, obj=f"link {links['link_id'].iloc[row]}", field="to_node_id")
    length = _numbers(links, "length_m", links_path)
    speed = _numbers(links, "free_flow_speed_m_s", links_path)
    lanes = _numbers(links, "lanes", links_path)
    # UXsim's capacity_veh_s and the triangle are per lane
    cap_lane = _numbers(links, "capacity_veh_s", links_path) if "capacity_veh_s" in links.columns else None
    wave = _numbers(links, "backward_wave_speed_m_s", links_path) if "backward_wave_speed_m_s" in links.columns else None
    dyn_raw = LinkDynamics.build(
        length_m=length,
        free_speed_m_s=speed,
        capacity_veh_s=(cap_lane * lanes) if cap_lane is not None else np.zeros_like(length),
        lanes=lanes,
        jam_density_veh_m_lane=_numbers(links, "jam_density_veh_m", links_path),
        wave_speed_m_s=wave,
        link_ids=links["link_id"].to_numpy(),
        path=str(links_path),
    )
    net = Network.build(
        node_ids=node_ids,
        link_ids=links["link_id"].to_numpy(),
        from_node=links["from_node_id"].map(lookup).to_numpy(np.int64),
        to_node=links["to_node_id"].map(lookup).to_numpy(np.int64),
        free_flow_time=length / speed,
        capacity=dyn_raw.capacity_veh_s * 3600.0,
        length=length,
        time_unit="s",
        length_unit="m",
        name=folder.name,
        meta={"source": str(folder), "lanes": lanes},
        path=str(links_path),
    )
    # the network stores links sorted by tail node: put the diagram in the same order
    position = {lid: k for k, lid in enumerate(links["link_id"].tolist())}
    order = np.fromiter((position[lid] for lid in net.link_ids.tolist()), dtype=np.int64, count=net.n_links)
    dyn = LinkDynamics(
        length_m=dyn_raw.length_m[order],
        free_speed_m_s=dyn_raw.free_speed_m_s[order],
        wave_speed_m_s=dyn_raw.wave_speed_m_s[order],
        jam_density_veh_m_lane=dyn_raw.jam_density_veh_m_lane[order],
        lanes=dyn_raw.lanes[order],
        capacity_veh_s=dyn_raw.capacity_veh_s[order],
    )
    net.meta["lanes"] = lanes[order]
    return DynamicScenario(network=net, dynamics=dyn, demand=demand, settings=settings, nodes=nodes, folder=folder)
