"""TNTP reader: metadata, generalized cost, special links, and clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from tests.traffic_helpers import tntp_case
from twin.errors import InputError, ParseError
from twin.traffic.assign import assign
from twin.traffic.tntp import read_cost_weights, read_network, read_nodes, read_trips

NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 1
<NUMBER OF LINKS> 4
<ORIGINAL HEADER>~ whatever
<END OF METADATA>


~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;
\t1\t3\t100\t1\t1\t0.15\t4\t0\t0\t1\t;
\t3\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;
\t1\t4\t100\t2\t2\t0.15\t4\t0\t0\t1\t;
\t4\t2\t100\t2\t2\t0.15\t4\t0\t0\t1\t;
"""

TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 150.0
<END OF METADATA>


Origin \t1
    1 :       0.0;     2 :     150.0;

Origin \t2
    1 :       0.0;     2 :       0.0;
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_a_small_network(tmp_path: Path) -> None:
    net = read_network(write(tmp_path, "toy_net.tntp", NET))
    assert (net.n_nodes, net.n_links, net.n_zones, net.first_thru_node) == (4, 4, 2, 0)
    assert net.node_ids.tolist() == [1, 2, 3, 4]
    assert net.from_node.tolist() == [0, 0, 2, 3]  # sorted by tail, stable
    assert net.link_ids.tolist() == [1, 3, 2, 4]
    assert net.out_start.tolist() == [0, 2, 2, 3, 4]
    dem = read_trips(write(tmp_path, "toy_trips.tntp", TRIPS), n_zones=2)
    assert dem.matrix.tolist() == [[0.0, 150.0], [0.0, 0.0]]
    assert dem.lines[0, 1] == 7


def test_siouxfalls_metadata() -> None:
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    net = read_network(folder / "SiouxFalls_net.tntp")
    assert (net.n_nodes, net.n_links, net.n_zones, net.first_thru_node) == (24, 76, 24, 0)
    assert np.all(net.fixed_cost == 0)
    dem = read_trips(folder / "SiouxFalls_trips.tntp", n_zones=24)
    assert dem.total == pytest.approx(360600.0)
    xy = read_nodes(folder / "SiouxFalls_node.tntp")
    assert xy.shape == (24, 3)


def test_chicago_generalized_cost_and_connectors() -> None:
    folder = shared_path("traffic", "tntp", "ChicagoSketch")
    assert read_cost_weights(folder) == (0.02, 0.04)
    net = read_network(folder / "ChicagoSketch_net.tntp")
    assert (net.n_nodes, net.n_links, net.n_zones, net.first_thru_node) == (933, 2950, 387, 0)
    np.testing.assert_allclose(net.fixed_cost, 0.02 * net.toll + 0.04 * net.length)
    # the zone connectors have zero free-flow time; their cost is the distance term alone
    connectors = net.free_flow_time == 0
    assert connectors.sum() > 0
    assert np.all(net.free_flow_cost()[connectors] == pytest.approx(0.04 * net.length[connectors]))
    assert np.all(net.free_flow_cost() > 0)
    dem = read_trips(folder / "ChicagoSketch_trips.tntp", n_zones=387)
    assert dem.total == pytest.approx(1260907.44, rel=1e-9)


@pytest.mark.parametrize("name,first_thru", [("Barcelona", 110), ("Winnipeg", 147), ("Anaheim", 38)])
def test_power_zero_links_and_first_thru_node(name: str, first_thru: int) -> None:
    folder = shared_path("traffic", "tntp", name)
    net = read_network(folder / f"{name}_net.tntp")
    assert net.first_thru_node == first_thru
    flat = net.beta == 0
    if name != "Anaheim":
        assert flat.sum() > 0
    # constant time on power-0 links: cost at any flow equals the free-flow cost
    from tests.traffic_reference import costs

    high = costs(net, np.full(net.n_links, 1e4))
    np.testing.assert_allclose(high[flat], net.free_flow_cost()[flat])


def test_small_networks_with_zones_not_through_converge() -> None:
    net, dem = tntp_case("Anaheim")
    res = assign(net, dem, algorithm="b", gap=1e-8, max_iter=300)
    assert res.relative_gap <= 1e-8
    # no flow leaves a zone node other than its own trips: zones are not through nodes
    zone_out = net.from_node < net.first_thru_node
    origins_out = res.flow[zone_out]
    expected = np.zeros(net.n_zones)
    np.add.at(expected, net.from_node[zone_out], origins_out)
    np.testing.assert_allclose(expected, dem.matrix.sum(axis=1) - np.diag(dem.matrix), rtol=1e-9, atol=1e-6)


# ---------------------------------------------------------------- bad input
def check(exc: InputError, path: Path, line: int | None, field: str) -> None:
    assert exc.path == str(path)
    if line is not None:
        assert exc.obj is not None and f"line {line}" in str(exc.obj)
    assert exc.field == field
    text = str(exc)
    assert str(path) in text and field in text


@pytest.mark.parametrize(
    "old,new,line,field",
    [
        ("<NUMBER OF ZONES> 2", "<NUMBER OF ZONES> two", 1, "NUMBER OF ZONES"),
        ("<NUMBER OF NODES> 4", "<NUMBER OF NODES> 4.5", 2, "NUMBER OF NODES"),
        ("<FIRST THRU NODE> 1\n", "", None, "FIRST THRU NODE"),
        ("<END OF METADATA>", "<END OF METADATTA>", 10, "END OF METADATA"),
        ("<NUMBER OF LINKS> 4", "<NUMBER OF LINKS> 5", 4, "NUMBER OF LINKS"),
        ("<FIRST THRU NODE> 1", "<FIRST THRU NODE> 9", 3, "FIRST THRU NODE"),
        ("NUMBER OF ZONES> 2", "NUMBER OF ZONES 2", 1, "metadata"),
    ],
)
def test_malformed_metadata(tmp_path: Path, old: str, new: str, line: int | None, field: str) -> None:
    path = write(tmp_path, "bad_net.tntp", NET.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        read_network(path)
    check(info.value, path, line, field)


def test_a_link_line_given_twice_is_refused(tmp_path: Path) -> None:
    """A copied link line (every field the same) was read as a second link, doubling the capacity
    between its nodes without a word; a parallel link with other fields is still read."""
    row = "\t3\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n"
    path = write(tmp_path, "twice_net.tntp", NET.replace("<NUMBER OF LINKS> 4", "<NUMBER OF LINKS> 5").replace(row, row + row))
    with pytest.raises(InputError, match="repeats line 11 field for field") as info:
        read_network(path)
    check(info.value, path, 12, "link")
    parallel = row.replace("\t100\t", "\t50\t")
    ok = write(tmp_path, "parallel_net.tntp", NET.replace("<NUMBER OF LINKS> 4", "<NUMBER OF LINKS> 5").replace(row, row + parallel))
    assert read_network(ok).n_links == 5


def test_negative_capacity(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_net.tntp", NET.replace("\t3\t2\t100\t", "\t3\t2\t-100\t"))
    with pytest.raises(InputError, match="capacity must be >= 0") as info:
        read_network(path)
    check(info.value, path, 11, "capacity")


@pytest.mark.parametrize(
    "old,new,line,field",
    [
        ("\t1\t3\t100\t1\t1\t", "\t1\t3\t100\t1\tx\t", 10, "free_flow_time"),
        ("\t4\t2\t100\t", "\t4\t7\t100\t", 13, "term_node"),
        ("\t1\t4\t100\t2\t2\t0.15\t", "\t1\t4\t100\t2\t2\t-0.15\t", 12, "b"),
        ("\t3\t2\t100\t1\t1\t0.15\t4\t", "\t3\t2\t0\t1\t1\t0.15\t4\t", 11, "capacity"),
        ("\t4\t2\t100\t", "\t4\t4\t100\t", 13, "term_node"),  # s54: a link from a node to itself was read without a word
    ],
)
def test_bad_link_fields(tmp_path: Path, old: str, new: str, line: int, field: str) -> None:
    path = write(tmp_path, "bad_net.tntp", NET.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        read_network(path)
    check(info.value, path, line, field)


@pytest.mark.parametrize(
    "old,new,line,field",
    [
        ("2 :     150.0;", "3 :     150.0;", 7, "destination"),
        ("2 :     150.0;", "2 :     -150.0;", 7, "flow"),
        ("2 :     150.0;", "2 :     lots;", 7, "flow"),
        ("Origin \t1", "Origin \t5", 6, "origin"),
        ("<NUMBER OF ZONES> 2", "<NUMBER OF ZONES> 3", 1, "NUMBER OF ZONES"),
        # s54: an OD pair given twice was summed without a word
        ("1 :       0.0;     2 :     150.0;", "1 :       0.0;     1 :     150.0;", 7, "destination"),
        ("Origin \t2\n    1 :       0.0;", "Origin \t1\n    2 :       9.0;", 10, "destination"),
    ],
)
def test_bad_trips(tmp_path: Path, old: str, new: str, line: int, field: str) -> None:
    path = write(tmp_path, "bad_trips.tntp", TRIPS.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        read_trips(path, n_zones=2)
    check(info.value, path, line, field)


def test_od_pair_without_path(tmp_path: Path) -> None:
    # zone 2 cannot be reached from zone 1 once the links into node 2 are gone
    text = NET.replace("<NUMBER OF LINKS> 4", "<NUMBER OF LINKS> 2")
    text = text.replace("\t3\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n", "").replace("\t4\t2\t100\t2\t2\t0.15\t4\t0\t0\t1\t;\n", "")
    net = read_network(write(tmp_path, "cut_net.tntp", text))
    trips = write(tmp_path, "cut_trips.tntp", TRIPS)
    dem = read_trips(trips, n_zones=2)
    for algorithm in ("b", "bfw"):
        with pytest.raises(InputError, match="no path from zone 1 to zone 2") as info:
            assign(net, dem, algorithm=algorithm)
        check(info.value, trips, 7, "demand")
        assert "origin 1, destination 2" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_network(tmp_path / "nothing_net.tntp")


def test_parse_error_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_net.tntp", NET.replace("\t1\t3\t100\t1\t1\t", "\t1\t3\t100\t1\tx\t"))
    with pytest.raises(ParseError):
        read_network(path)
