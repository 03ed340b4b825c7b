"""Results of a static assignment: link flows and costs, the convergence history, writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError
from twin.io import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from twin.traffic.network import Network


@dataclass(frozen=True)
class IterationRecord:
    """One iteration of an assignment algorithm.

    ``relative_gap = (tstt - sptt) / tstt``; ``beckmann`` is the Beckmann objective;
    ``tstt`` = sum of link flow x generalized cost; ``sptt`` = sum of OD demand x shortest-path
    cost at the same costs; ``elapsed_s`` is the wall time since the start of the run.
    """

    iteration: int
    relative_gap: float
    beckmann: float
    tstt: float
    sptt: float
    elapsed_s: float
    step: float = float("nan")


@dataclass(eq=False)
class AssignmentResult:
    """Link flows and costs at the end of a static assignment.

    Attributes
    ----------
    network : Network
        The network assigned (link arrays in its stored order).
    algorithm : str
        Algorithm name.
    flow : ndarray (m,)
        Link flows, in the demand's units (veh/h).
    cost : ndarray (m,)
        Generalized link costs at ``flow`` (time + fixed cost), in the network's time unit.
    time : ndarray (m,)
        Delay-function travel times at ``flow``.
    history : list of IterationRecord
        One record per iteration (iteration 0 is the initial all-or-nothing solution).
    converged : bool
        True when the requested relative gap was reached.
    wall_s : float
        Wall time of the run, s (excluding reading files).
    origin_flows : ndarray (z, m) or None
        Flows per origin (bush-based algorithm), for path-level checks.
    """

    network: Network
    algorithm: str
    flow: np.ndarray
    cost: np.ndarray
    time: np.ndarray
    history: list[IterationRecord]
    converged: bool
    wall_s: float
    target_gap: float = float("nan")
    origin_flows: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def iterations(self) -> int:
        """Number of iterations done (not counting the initial solution)."""
        return self.history[-1].iteration if self.history else 0

    @property
    def relative_gap(self) -> float:
        """Final relative gap."""
        return self.history[-1].relative_gap

    @property
    def beckmann(self) -> float:
        """Final Beckmann objective."""
        return self.history[-1].beckmann

    @property
    def tstt(self) -> float:
        """Final total system travel cost, sum of flow x generalized cost."""
        return self.history[-1].tstt

    @property
    def total_travel_time(self) -> float:
        """Sum of flow x delay-function time (without tolls and distance costs)."""
        return float(np.dot(self.flow, self.time))

    def summary(self) -> dict[str, Any]:
        """Key figures as a JSON-ready dict."""
        return {
            "network": self.network.name,
            "algorithm": self.algorithm,
            "iterations": self.iterations,
            "relative_gap": self.relative_gap,
            "target_gap": self.target_gap,
            "converged": self.converged,
            "beckmann_objective": self.beckmann,
            "total_system_travel_cost": self.tstt,
            "total_system_travel_time": self.total_travel_time,
            "wall_s": self.wall_s,
            "time_unit": self.network.time_unit,
        }

    def history_frame(self) -> pd.DataFrame:
        """The convergence history as a DataFrame."""
        import pandas as pd

        return pd.DataFrame([r.__dict__ for r in self.history])

    def to_frame(self) -> pd.DataFrame:
        """One row per link (stored order): ids, flow, cost, time, volume/capacity."""
        import pandas as pd

        net = self.network
        with np.errstate(divide="ignore", invalid="ignore"):
            voc = np.where(net.capacity > 0, self.flow / net.capacity, np.nan)
        return pd.DataFrame(
            {
                **net.link_ends(),
                "flow": self.flow,
                "cost": self.cost,
                "time": self.time,
                "free_flow_time": net.free_flow_time,
                "capacity": net.capacity,
                "volume_capacity": voc,
            }
        )

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` atomically to ``.csv`` or ``.parquet``; returns the path."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InputError("output must end in .csv or .parquet", path=path, field="output")
        frame = self.to_frame()
        frame["link_id"] = frame["link_id"].astype(str) if frame["link_id"].dtype == object else frame["link_id"]
        from twin.traffic.dynamic_commands import to_table  # tags a Parquet, refuses a file of another kind
        with atomic_path(path) as tmp:
            if suffix != ".csv":
                for col in ("from_node", "to_node"):
                    if frame[col].dtype == object:
                        frame[col] = frame[col].astype(str)
            to_table(frame, tmp, path)
        return path
