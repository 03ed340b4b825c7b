"""Loose ends of issue 15's scene turn restrictions (p15x).

* The command line says what a run applied of a scene with a via-way restriction: the banned
  sequences of ``twin traffic assign --scene``, and that ``twin traffic simulate`` leaves the
  via-way restriction out (dynamic loading cannot apply it), not "1 of 1 applied (0 banned turns)".
* Signals on a turn network with copies of via links: every copy of an approach has a stop line
  (its delay checked by hand against the HCM formula written out here).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_traffic_via_way_p15v import U_TURN, dual_scene
from twin.traffic.network import Network
from twin.traffic.scene_turns import banned_turns_of_scene


@pytest.fixture
def dual_folder(tmp_path: Path) -> Path:
    """The dual carriageway of p15v with its no_u_turn 1 -> via 3 -> 2, as a scene folder."""
    from twin.export import write_scene

    write_scene(dual_scene([U_TURN], capacity_veh_h=1800.0), tmp_path / "dual")
    return tmp_path / "dual"


def test_cli_lines_count_via_way_restrictions(dual_folder: Path, tmp_path: Path) -> None:
    """``twin traffic assign --scene``: 1 of 1 applied, 0 banned turns and 1 banned sequence;
    ``twin traffic simulate``: 0 of 1 applied, the via-way one named as not applied by dynamic
    loading (not counted among the restrictions that do not apply to the network)."""
    from typer.testing import CliRunner

    from twin.cli.main import app

    static, dynamic = tmp_path / "od.csv", tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["A"], "destination": ["D"], "flow_veh_h": [1.0]}).to_csv(static, index=False)
    pd.DataFrame({"origin": ["A"], "destination": ["D"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]}).to_csv(dynamic, index=False)
    res = CliRunner().invoke(app, ["traffic", "assign", "--scene", str(dual_folder), "--demand", str(static), "-q"])
    assert res.exit_code == 0, res.output
    assert "turn restrictions            1 of 1 applied (0 banned turns, 1 banned sequences); 0 not applicable (reasons: --json)" in res.output
    res = CliRunner().invoke(app, ["traffic", "simulate", str(dual_folder), "--demand", str(dynamic), "--routes", "free_flow", "--duration", "300"])
    assert res.exit_code == 0, res.output
    assert (
        "turn restrictions            0 of 1 applied (0 banned turns); 1 via-way not applied (dynamic loading cannot apply them; "
        "twin traffic assign --scene does); 0 not applicable (reasons: --json)"
    ) in res.output


def _signal_delay_s(flow_veh_h: float, saturation_veh_h: float) -> float:
    """Stop-line delay (s) of the default timing (C 90 s, g = (90 - 8) / 180), HCM 2000 Eq. 16-11
    and 16-12 (k = 0.5, I = 1, T = 0.25 h), written out here from the printed formula."""
    cycle, g, period_h = 90.0, (90.0 - 8.0) / 180.0, 0.25
    c = saturation_veh_h * g
    x = flow_veh_h / c
    d1 = 0.5 * cycle * (1.0 - g) ** 2 / (1.0 - g * min(x, 1.0))
    d2 = 900.0 * period_h * ((x - 1.0) + ((x - 1.0) ** 2 + 4.0 * x / (c * period_h)) ** 0.5)
    return d1 + d2


@pytest.mark.parametrize("origin", ["A", "H"])
def test_signal_on_a_via_link_and_its_copy(origin: str) -> None:
    """Node E signalised on the dual carriageway with its no_u_turn (crossing 3 = B -> E gets a
    copy for the traffic from way 1): 1 veh/h to G over crossing 3 pays the stop-line delay at E
    whether it comes from A (on the copy) or from H (on the crossing itself): 21 s + the HCM delay
    at 1 veh/h (saturation flow 1,900 veh/h per lane, one lane), by hand; each of the two carries a stop line."""
    from twin.traffic.assign import assign
    from twin.traffic.signals import add_signals
    from twin.traffic.turns import expand_turns

    scene = dual_scene([U_TURN], capacity_veh_h=1800.0)
    net = Network.from_scene(scene, mode="car", zones=[origin, "G"])
    turns = banned_turns_of_scene(scene, net)
    turned = expand_turns(net, banned=turns.banned, sequences=turns.sequences)
    assert int(turned.copy_link.sum()) == 1 and net.meta["lanes"].tolist() == [1.0] * net.n_links
    sig = add_signals(turned, ["E"])
    approaches = sig.approaches(np.zeros(sig.network.n_links))
    assert approaches["link_id"].tolist().count("osm:way/3:0:f") == 2  # the crossing and its copy
    result = assign(sig.network, np.array([[0.0, 1.0], [0.0, 0.0]]), algorithm="b", gap=1e-12)
    used = result.flow > 0.5
    assert float(np.sum(result.time[used])) == pytest.approx(21.0 + _signal_delay_s(1.0, 1900.0), rel=1e-9)
    assert sig.link_flow(result.flow)[list(net.link_ids).index("osm:way/3:0:f")] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("routes", ["free_flow", "equilibrium"])
def test_simulate_with_turns_indexes_the_movements_once(routes: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dynamic loading with a banned turn builds the movement index once per run (it was built
    by the turn penalties, the reachability check, the equilibrium routes and the kernel record
    in turn) and every trip arrives."""
    from twin.traffic import dynamic_turns
    from twin.traffic.dynamic import simulate

    calls = []
    original = dynamic_turns.movement_index

    def counted(network):
        calls.append(network.n_links)
        return original(network)

    monkeypatch.setattr(dynamic_turns, "movement_index", counted)
    scene = dual_scene([U_TURN], capacity_veh_h=1800.0)  # its via-way row is not used here
    net = Network.from_scene(scene, mode="car")
    ids = list(net.link_ids)
    demand = pd.DataFrame({"origin": ["A"], "destination": ["D"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]})
    ban = [(ids.index("osm:way/1:0:f"), ids.index("osm:way/3:0:f"))]
    result = simulate(net, demand, dt_s=1.0, duration_s=300.0, route_choice=routes, banned_turns=ban)
    assert calls == [net.n_links] and result.totals()["arrived_veh"] == pytest.approx(0.6, rel=1e-9)


@pytest.fixture(scope="module")
def brussels_crop():
    """Relation 2660126's 300 m crop of the shared Brussels extract (p15o), with the scene's 10
    restriction rows (about 2 s)."""
    import warnings

    from tests.conftest import shared_path
    from tests.test_traffic_scene_restrictions_p15o import PBF, RELATION, _crop
    from twin.ingest.dispatch import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([shared_path(*PBF)], layers=("streets",), context=False)
    return _crop(scene, scene.turn_restrictions.set_index("restriction_id").loc[RELATION, "via_node"], 300.0)


def _named(net: Network, turns) -> tuple[list[tuple[str, str]], list[tuple[str, ...]], dict]:
    ids = [str(k) for k in net.link_ids]
    return (sorted((ids[i], ids[j]) for i, j in turns.banned), sorted((ids[s.entry], *(ids[v] for v in s.via)) for s in turns.sequences), turns.summary())


def test_closure_then_restrictions_as_on_the_closed_scene(brussels_crop) -> None:
    """TrafficCase.close_links on the crop's car network, then the scene's restrictions: the same
    banned turns (by link id) and counts as the restrictions of a scene without those links, built
    from scratch. The closed links are stored before the restricted turn, so every stored index
    after them moves: ways read at the old indices would name other links."""
    from twin.traffic.whatif import TrafficCase

    scene = brussels_crop
    case = TrafficCase.from_scene(scene, pd.DataFrame())
    full = case.network
    (i, j), = banned_turns_of_scene(scene, full).banned
    restricted = {str(full.link_ids[i]), str(full.link_ids[j])}
    closed_ids = [str(k) for k in full.link_ids[:i] if str(k) not in restricted][:5]
    assert len(closed_ids) == 5
    closed = case.close_links(closed_ids).network
    assert np.array_equal(closed.meta["osm_way_id"], full.meta["osm_way_id"][~np.isin(full.link_ids, closed_ids)])
    from twin.scene import Scene

    reduced = Scene(crs=scene.crs)
    reduced.add("links", scene.links[~scene.links["link_id"].isin(closed_ids)])
    reduced.add("nodes", scene.nodes)
    reduced.add("turn_restrictions", scene.turn_restrictions)
    scratch = Network.from_scene(reduced, mode="car")
    assert _named(closed, banned_turns_of_scene(scene, closed)) == _named(scratch, banned_turns_of_scene(reduced, scratch))
    assert closed.meta["lanes"].tolist() == scratch.meta["lanes"].tolist()


def test_every_per_link_meta_array_follows_a_closure() -> None:
    """Network.drop_links keeps every per-link meta array (LINK_META: lanes, OSM way, TNTP line) in
    step with the kept links: SiouxFalls without its links 2 and 5 still names each link's line of
    the file (it kept the 76 lines of the full network before); a per-link meta array of another
    length is an InputError naming the network and the key, not a silent misread."""
    from tests.conftest import shared_path
    from twin.errors import InputError
    from twin.traffic.network import LINK_META
    from twin.traffic.tntp import read_network

    assert set(LINK_META) >= {"lanes", "osm_way_id", "line"}
    net = read_network(shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp"))
    mask = np.isin(net.link_ids, [2, 5])
    dropped = net.drop_links(mask)
    assert dropped.meta["line"].tolist() == net.meta["line"][~mask].tolist() and dropped.n_links == 74
    net.meta["lanes"] = np.ones(net.n_links - 1)
    with pytest.raises(InputError, match=r"meta\['lanes'\] needs one value per link \(76\), got shape \(75,\)") as err:
        net.drop_links(mask)
    assert err.value.field == "lanes" and "SiouxFalls" in str(err.value.obj)
