"""A permit application's effect on its neighbours, said apart from the new building's own numbers.

The report of ``scenarios/permits/dumont_car_park.yaml`` said only "The district's energy KPIs move
by less than 0.05 %; 31 buildings changed, 1 building added" and folded a heating need of 247,561
-> 247,578 MWh/yr that mixes the new house's own heating need with its neighbours' change.
:func:`twin.scenario.permit_impact.permit_impact` tells them apart; the checks here recompute its
numbers independently from the per-object deltas (``Comparison.deltas``, the run's
``deltas_<what-if>_energy.parquet``) and the KPI table.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from tests.scenario_helpers import fake_comparison, fake_scenario


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _classed(comparison, base_classes, new_classes, area_m2=10.0):
    """``fake_comparison`` with floor areas and EPB classes on its buildings, and a primary energy
    per m² in each class (1 kWh/m²·yr below its upper bound), as the energy engine gives them."""
    from twin.energy.classes import load_classes

    upper = load_classes().set_index("energy_class")["upper_kwh_m2"]
    base = comparison.baseline["energy"].objects
    new = comparison.whatifs["w"]["energy"].objects
    base["a_f_m2"], new["a_f_m2"] = area_m2, area_m2
    base["energy_class"], new["energy_class"] = base_classes, new_classes
    base["primary_energy_kwh_m2"] = [upper[c] - 1.0 for c in base_classes]
    new["primary_energy_kwh_m2"] = [upper[c] - 1.0 for c in new_classes]
    return comparison


def test_the_new_building_its_neighbours_and_the_replaced_ones_add_up_to_the_district_change():
    from twin.scenario.permit_impact import permit_impact

    comparison = _classed(fake_comparison(), ["D", "E", "E", "F"], ["E", "E", "E", "C"])  # a warms 10 -> 11 kWh; d removed; n added (5 kWh)
    impact = permit_impact(comparison, "w")
    d = comparison.deltas("w", "energy")
    base, new = d["q_heat_kwh_baseline"], d["q_heat_kwh_whatif"]
    kept = base.notna() & new.notna()
    assert impact.new["building_id"].tolist() == d.loc[base.isna(), "building_id"].tolist() == ["n"]
    assert impact.new_heating_need_kwh_yr == 5.0 and impact.new["heating_need_kwh_m2_yr"].iloc[0] == 0.5
    assert impact.new["energy_class"].tolist() == ["C"]
    assert len(impact.neighbours) == int((d.loc[kept, "q_heat_kwh_delta"] != 0).sum()) == 1
    assert impact.neighbours_delta_kwh_yr == 1.0 and impact.neighbours_delta_pct == pytest.approx(10.0)
    assert impact.removed["building_id"].tolist() == ["d"] and impact.removed_heating_need_kwh_yr == 40.0
    district = new.sum() - base.sum()  # 66 - 100
    assert impact.new_heating_need_kwh_yr + impact.neighbours_delta_kwh_yr - impact.removed_heating_need_kwh_yr == pytest.approx(district, rel=1e-12)
    row = impact.neighbours.iloc[0]
    assert row["building_id"] == "a" and row["distance_m"] == pytest.approx(90.0)  # a: x 0-10, n: x 100-110
    assert (row["class_baseline"], row["class_whatif"]) == ("D", "E")
    assert impact.class_changes.to_dict() == {("D", "E"): 1}


def test_a_what_if_that_adds_no_building_has_no_permit_impact():
    from twin.scenario.permit_impact import permit_impact

    comparison = fake_comparison()
    comparison.whatifs["w"] = comparison.baseline
    assert permit_impact(comparison, "w") is None


def test_the_summary_card_of_a_permit_says_the_new_building_and_the_neighbours_apart():
    from twin.scenario.report import _summary_section

    comparison = _classed(fake_comparison(), ["D", "E", "E", "F"], ["E", "E", "E", "C"])
    comparison.scenario = fake_scenario()
    comparison.kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["heating_need_mwh"], "baseline": [0.1],
                                    "whatif_value": [0.066], "delta": [-0.034]})
    card = _text(_summary_section(comparison))
    assert "New building n : 10 m² of floor, heating need 0.005 MWh/yr (0.5 kWh/m²·yr), EPB class C." in card
    assert ("Neighbours: the heating need of 1 existing building changes by +0.001 MWh/yr in total (+10.0 % of their own "
            "0.010 MWh/yr); the most +0.1 kWh/m²·yr (+10.0 %) at a , 90 m from the new building; 1 changes EPB class: 1 from D to E.") in card
    assert "It replaces 1 existing building (0.040 MWh/yr of heating need in the baseline)." in card
    assert "Together, the district's heating need changes by -0.034 MWh/yr (-34.0 %)." in card  # the KPI table's (the page writes U+2212)


def test_the_permit_section_is_in_the_page_and_its_navigation_only_when_a_what_if_inserts_buildings():
    from twin.scenario.report import SECTIONS, page_sections, render_html

    comparison = fake_comparison()
    comparison.scenario = fake_scenario()
    page = render_html(comparison)
    assert "<section id='permit'>" in page and "<a href='#permit'>" in page.split("</nav>", 1)[0]
    section = _text(page.split("<section id='permit'>", 1)[1].split("</section>", 1)[0])
    assert "Central-run numbers (every unknown at one central value), no range: this run drew no Monte Carlo samples." in section
    assert "permit" not in SECTIONS

    comparison.whatifs["w"] = comparison.baseline  # nothing inserted
    comparison.kpis = comparison.kpis.assign(whatif_value=100.0, delta=0.0)
    assert "permit" not in page_sections(comparison)
    page = render_html(comparison)
    assert "id='permit'" not in page and "#permit" not in page


def test_the_neighbours_table_lists_the_ten_most_affected_by_the_change_per_m2():
    import geopandas as gpd
    import shapely

    from twin.scenario.report_permit import TOP_NEIGHBOURS, permit_section
    from twin.scenario.runner import Comparison, EngineResult

    n = 14
    squares = [shapely.box(i * 20.0, 0.0, i * 20.0 + 10.0, 10.0) for i in range(n)]
    ids = [f"b{i:02d}" for i in range(n)]
    heat = np.full(n, 1000.0)
    base = gpd.GeoDataFrame({"building_id": ids, "q_heat_kwh": heat, "a_f_m2": 100.0}, geometry=squares, crs="EPSG:31370")
    rise = np.arange(n, dtype=float)  # b00 unchanged, b13 the most
    new = gpd.GeoDataFrame({"building_id": ids + ["ifc:new"], "q_heat_kwh": np.append(heat + rise, 900.0), "a_f_m2": 100.0},
                           geometry=squares + [shapely.box(0.0, 20.0, 10.0, 30.0)], crs="EPSG:31370")
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["heating_need_mwh"], "baseline": [14.0], "whatif_value": [15.0], "delta": [1.0]})
    comparison = Comparison(fake_scenario(), {"energy": EngineResult(base, "building_id", {})},
                            {"w": {"energy": EngineResult(new, "building_id", {})}}, {"w": []}, kpis, {})
    section = permit_section(comparison)
    table = section.split("<table class='permit-neighbours'>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td class='l'><code>(b\d+)</code></td><td>([^<]*)</td>", table)
    assert [r[0] for r in rows] == [f"b{i:02d}" for i in range(n - 1, n - 1 - TOP_NEIGHBOURS, -1)]
    # the distance, footprint to footprint: b13 is at x 260-270, the new house at x 0-10, y 20-30
    assert rows[0][1] == f"{np.hypot(250.0, 10.0):,.0f}"
    assert "3 more neighbours changed less" in _text(section)


def test_the_inserted_building_can_be_looked_up_and_is_counted():
    """The look-up of the permit run said "3,991 buildings" and could not find the inserted house
    (the what-if has 3,992 buildings)."""
    from twin.scenario.report_drilldown import drilldown_data, drilldown_section

    comparison = fake_comparison()  # a-d in the baseline; the what-if adds n
    data = drilldown_data(comparison)
    assert data["ids"] == ["a", "b", "c", "d", "n"]
    assert data["values"]["baseline"]["q"] == [10, 20, 30, 40, None]
    assert data["values"]["w"]["q"] == [11, 20, 30, None, 5]
    assert len(data["geom"]) == 5
    text = _text(drilldown_section(comparison).split("<script", 1)[0])
    assert "5 buildings (4 in the baseline, 1 added by a what-if)." in text
    assert "'added'" not in drilldown_section(comparison) and '"added"' not in drilldown_section(comparison)


def _soil_comparison(runoff_change: float, temperature_change: float):
    """A two-cell soil run whose what-if changes the runoff and the hot-days surface temperature
    (an ``object_deltas`` column, as the soil engine's) of cell 1 by the given amounts."""
    import geopandas as gpd
    import shapely

    from twin.scenario.runner import Comparison, EngineResult

    cells = [shapely.box(0.0, 0.0, 10.0, 10.0), shapely.box(10.0, 0.0, 20.0, 10.0)]
    base = gpd.GeoDataFrame({"cell_id": [0, 1], "runoff_mm": [5.0, 5.0]}, geometry=cells, crs="EPSG:31370")
    new = gpd.GeoDataFrame({"cell_id": [0, 1], "runoff_mm": [5.0, 5.0 + runoff_change]}, geometry=cells, crs="EPSG:31370")
    temp = pd.DataFrame({"cell_id": [0, 1], "surface_temp_midday_c_baseline": [40.0, 40.0],
                         "surface_temp_midday_c_whatif": [40.0, 40.0 + temperature_change],
                         "surface_temp_midday_c_delta": [0.0, temperature_change]})
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["soil"], "kpi": ["runoff_m3"], "baseline": [1.0], "whatif_value": [1.0], "delta": [0.0]})
    scenario = fake_scenario(domains=("soil",))
    return Comparison(scenario, {"soil": EngineResult(base, "cell_id", {})},
                      {"w": {"soil": EngineResult(new, "cell_id", {}, object_deltas=temp)}}, {"w": []}, kpis, {})


def test_the_maps_section_does_not_draw_again_the_temperature_the_hot_days_section_maps():
    """A de-sealing what-if whose runoff did not change: the maps' fallback (any changed column)
    drew the hot-days surface temperature, which the hot-days section draws too."""
    from twin.scenario.report import _maps_section
    from twin.scenario.report_soil_heat import cell_map

    comparison = _soil_comparison(runoff_change=0.0, temperature_change=-3.0)
    maps = _maps_section(comparison)
    assert "<img" not in maps
    assert "Mapped in another section (nothing else of these engines changed per object): Surface temperature on hot days for w (soil)." in _text(maps)
    assert "<img" in cell_map(comparison, "w")  # the hot-days section still draws it

    comparison = _soil_comparison(runoff_change=-1.0, temperature_change=-3.0)  # the runoff changed: its map, as before
    maps = _maps_section(comparison)
    assert maps.count("<img") == 1 and "runoff_mm_delta" in maps and "Mapped in another section" not in maps


@pytest.fixture(scope="module")
def small_permit_run(tmp_path_factory):
    """The FZK-Haus on a free site of the small district (energy only, no samples): the comparison."""
    from tests.scenario_helpers import permit_scenario, permit_sites, write_small_district
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    folder = tmp_path_factory.mktemp("permit_report")
    buildings = write_small_district(folder)
    doc = permit_scenario("permit-small", permit_sites(buildings, 1)[0], buildings=buildings)
    return run_scenario(parse_scenario(doc), base_dir=folder)


@pytest.mark.slow
def test_a_permit_run_says_the_new_building_and_its_neighbours_as_its_deltas_give_them(small_permit_run):
    """Checked against the per-object deltas (the run's deltas_permit_energy.parquet) and the KPI
    table: the new house's heating need plus its neighbours' change is the change of the district's
    heating need, and the neighbours are the existing buildings whose heating need changed."""
    from twin.scenario import report_labels as L
    from twin.scenario.permit_impact import permit_impact
    from twin.scenario.report import render_html
    from twin.scenario.report_permit import _pct

    comparison = small_permit_run
    impact = permit_impact(comparison, "permit")
    d = comparison.deltas("permit", "energy")
    new = d[d["q_heat_kwh_baseline"].isna()]
    old = d[d["q_heat_kwh_baseline"].notna() & d["q_heat_kwh_whatif"].notna()]
    changed = old[old["q_heat_kwh_delta"] != 0]
    kpi = comparison.kpis.set_index(["whatif", "kpi"]).loc[("permit", "heating_need_mwh")]
    assert impact.new["building_id"].tolist() == new["building_id"].tolist() and len(new) == 1
    assert impact.new["floor_area_m2"].iloc[0] == new["a_f_m2_whatif"].iloc[0]
    assert (impact.new_heating_need_kwh_yr + impact.neighbours_delta_kwh_yr) / 1e3 == pytest.approx(kpi["delta"], rel=1e-9)
    assert len(impact.neighbours) == len(changed) >= 1 and impact.removed.empty
    assert sorted(impact.neighbours["building_id"]) == sorted(changed["building_id"])
    assert impact.neighbours_delta_kwh_yr == pytest.approx(changed["q_heat_kwh_delta"].sum(), rel=1e-12)
    assert impact.neighbours_delta_pct == pytest.approx(100 * changed["q_heat_kwh_delta"].sum() / changed["q_heat_kwh_baseline"].sum(), rel=1e-12)
    top = changed.loc[changed["q_heat_kwh_m2_delta"].abs().idxmax()]
    assert impact.neighbours["building_id"].iloc[0] == top["building_id"]
    assert impact.neighbours["heating_need_delta_kwh_m2_yr"].iloc[0] == pytest.approx(top["q_heat_kwh_m2_delta"], rel=1e-9)
    assert (impact.neighbours["distance_m"] <= 101.0).all()  # the horizon search distance (100 m)

    page = render_html(comparison)
    card = _text(page.split("<section id='summary'>", 1)[1].split("</section>", 1)[0])
    house = new.iloc[0]
    cls = comparison.whatifs["permit"]["energy"].objects.set_index("building_id").loc[house["building_id"], "energy_class"]
    assert (f"New building {house['building_id']} : {house['a_f_m2_whatif']:,.0f} m² of floor, heating need "
            f"{L.fmt_value('heating_need_mwh', house['q_heat_kwh_whatif'] / 1e3)} MWh/yr "
            f"({house['q_heat_kwh_whatif'] / house['a_f_m2_whatif']:,.1f} kWh/m²·yr), EPB class {cls}.") in card
    total, base = changed["q_heat_kwh_delta"].sum() / 1e3, changed["q_heat_kwh_baseline"].sum() / 1e3
    assert (f"Neighbours: the heating need of {len(changed)} existing buildings changes by "
            f"+{L.fmt_value('heating_need_mwh', total)} MWh/yr in total ({L.minus_sign(_pct(total * 1e3, base * 1e3))} of their own "
            f"{L.fmt_value('heating_need_mwh', base)} MWh/yr); the most ") in card
    district = comparison.kpis.set_index(["whatif", "kpi"]).loc[("permit", "heating_need_mwh"), "delta"]
    assert f"Together, the district's heating need changes by +{L.fmt_value('heating_need_mwh', district)} MWh/yr" in card
    section = page.split("<section id='permit'>", 1)[1].split("</section>", 1)[0]
    assert section.count("<tr><td class='l'><code>osm:") == min(len(changed), 10)


def _records(out, *run_ids, status="done"):
    """The store's records of runs whose folders OUT/<run_id>/ hold the outputs of a batch run."""
    return pd.DataFrame({"file": [f"{r}.yaml" for r in run_ids], "run_id": list(run_ids), "status": status,
                         "label": [f"scenario-{r}" for r in run_ids],
                         "outputs": [{"kpis": str(out / r / "kpis.parquet"), "w/energy": str(out / r / "deltas_w_energy.parquet"),
                                      "permit/energy": str(out / r / "deltas_permit_energy.parquet")} for r in run_ids]})


def test_a_batch_sums_up_its_permit_applications_in_one_csv(tmp_path):
    from twin.scenario.batch import PERMITS_SUMMARY, write_permits_summary
    from twin.scenario.outputs import write_output_files

    comparison = _classed(fake_comparison(), ["D", "E", "E", "F"], ["E", "E", "E", "C"])  # w: a warms, d removed, n added
    (tmp_path / "r1").mkdir()
    write_output_files(comparison, tmp_path / "r1")
    comparison.whatifs["w"] = comparison.baseline  # a second run that inserts nothing
    (tmp_path / "r2").mkdir()
    write_output_files(comparison, tmp_path / "r2")
    path = write_permits_summary(tmp_path, _records(tmp_path, "r1", "r2"))
    assert path == tmp_path / PERMITS_SUMMARY
    table = pd.read_csv(path)
    assert table.to_dict("records") == [{
        "scenario": "scenario-r1", "run_id": "r1", "whatif": "w", "new_buildings": 1, "new_floor_area_m2": 10.0,
        "new_heating_need_mwh_yr": 0.005, "new_heating_need_kwh_m2_yr": 0.5, "new_energy_class": "C", "neighbours_changed": 1,
        "neighbours_heating_need_delta_mwh_yr": 0.001, "neighbours_heating_need_delta_pct": 10.0, "neighbours_class_changed": 1,
        "largest_change_building_id": "a",
        "largest_change_kwh_m2_yr": 0.1, "largest_change_pct": 10.0, "largest_change_distance_m": 90.0, "buildings_removed": 1}]
    assert write_permits_summary(tmp_path / "none", _records(tmp_path, "r1", status="failed")) is None
    assert not (tmp_path / "none" / PERMITS_SUMMARY).exists()


def test_the_docs_name_every_column_of_the_permit_summary():
    from pathlib import Path

    from twin.scenario.permit_impact import SUMMARY_COLUMNS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert [c for c in ("scenario", "run_id", "whatif", *SUMMARY_COLUMNS) if f"`{c}`" not in docs] == []


@pytest.mark.slow
def test_the_batch_summary_of_a_permit_run_is_its_deltas(small_permit_run, tmp_path):
    """The summary's row, against the run's deltas parquet: neighbours = existing buildings with a
    nonzero change, new + neighbours = the KPI change of the heating need."""
    from twin.scenario.batch import write_permits_summary
    from twin.scenario.outputs import write_output_files

    (tmp_path / "run").mkdir()
    write_output_files(small_permit_run, tmp_path / "run")
    row = pd.read_csv(write_permits_summary(tmp_path, _records(tmp_path, "run"))).iloc[0]
    d = pd.read_parquet(tmp_path / "run" / "deltas_permit_energy.parquet")
    new = d[d["q_heat_kwh_baseline"].isna()]
    old = d[d["q_heat_kwh_baseline"].notna() & d["q_heat_kwh_whatif"].notna()]
    changed = old[old["q_heat_kwh_delta"] != 0]
    kpi = small_permit_run.kpis.set_index(["whatif", "kpi"]).loc[("permit", "heating_need_mwh"), "delta"]
    assert row["whatif"] == "permit" and row["new_buildings"] == len(new) == 1
    assert row["new_floor_area_m2"] == pytest.approx(new["a_f_m2_whatif"].sum(), rel=1e-12)
    assert row["neighbours_changed"] == len(changed)
    assert row["new_heating_need_mwh_yr"] + row["neighbours_heating_need_delta_mwh_yr"] == pytest.approx(kpi, rel=1e-9)
    top = changed.loc[changed["q_heat_kwh_m2_delta"].abs().idxmax()]
    assert row["largest_change_building_id"] == top["building_id"]
    assert row["largest_change_kwh_m2_yr"] == pytest.approx(top["q_heat_kwh_m2_delta"], rel=1e-9)
    assert 0.0 <= row["largest_change_distance_m"] <= 101.0
    # the EPB classes, as the engine gave them (the report card's), not in the deltas file
    base_cls = small_permit_run.baseline["energy"].objects.set_index("building_id")["energy_class"]
    new_cls = small_permit_run.whatifs["permit"]["energy"].objects.set_index("building_id")["energy_class"]
    assert row["new_energy_class"] == new_cls[new["building_id"].iloc[0]] != ""
    ids = changed["building_id"]
    assert row["neighbours_class_changed"] == int((base_cls[ids].to_numpy() != new_cls[ids].to_numpy()).sum())


@pytest.mark.slow
def test_twin_batch_of_permit_applications_writes_their_summary(tmp_path):
    """twin batch on a folder of two permit applications writes OUT/permits_summary.csv, one row
    per application, from the runs' own folders (--no-report: the deltas are enough), and says
    where it is."""
    from tests.cli_harness import run_twin
    from tests.scenario_helpers import BOX_100M, write_permit_folder, write_small_district
    from twin.scenario.batch import PERMITS_SUMMARY

    buildings = write_small_district(tmp_path / "permits_inputs", BOX_100M)
    write_permit_folder(tmp_path / "permits", 2, buildings=buildings)
    out = tmp_path / "out"
    result = run_twin(["batch", tmp_path / "permits", "-o", out, "--workers", "1", "--no-report", "--allow-dir", tmp_path / "permits_inputs"],
                      timeout_s=600)
    assert result.code == 0, result.stderr
    assert "2 runs: done 2" in result.stdout
    assert f"permit applications summed up in {out / PERMITS_SUMMARY}" in result.stdout
    table = pd.read_csv(out / PERMITS_SUMMARY)
    assert sorted(table["scenario"]) == ["permit-000", "permit-001"] and (table["whatif"] == "permit").all()
    for row in table.itertuples():
        d = pd.read_parquet(tmp_path / "out" / row.run_id / "deltas_permit_energy.parquet")
        old = d[d["q_heat_kwh_baseline"].notna()]
        assert row.neighbours_changed == int((old["q_heat_kwh_delta"] != 0).sum())
        assert row.new_heating_need_mwh_yr == pytest.approx(d.loc[d["q_heat_kwh_baseline"].isna(), "q_heat_kwh_whatif"].sum() / 1e3, rel=1e-12)


@pytest.mark.slow
def test_a_batch_without_a_permit_removes_the_earlier_permit_summary_of_its_folder(tmp_path):
    """A permit batch, then a batch of one renovation into the same OUT: the permits_summary.csv of
    the first read as the second's (no run of it inserts a building); it is removed, and said."""
    import yaml

    from tests.cli_harness import run_twin
    from tests.scenario_helpers import BOX_100M, EPW, write_permit_folder, write_small_district
    from twin.scenario.batch import PERMITS_SUMMARY

    buildings = write_small_district(tmp_path / "inputs", BOX_100M)
    write_permit_folder(tmp_path / "permits", 1, buildings=buildings)
    reno = tmp_path / "renovations"
    reno.mkdir()
    (reno / "reno.yaml").write_text(yaml.safe_dump({
        "name": "reno", "inputs": {"files": [str(buildings)], "weather": str(EPW)}, "domains": ["energy"],
        "whatifs": [{"name": "reno", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["wall_insulation"]}]}]}))
    out = tmp_path / "out"
    for folder in ("permits", "renovations"):
        result = run_twin(["batch", tmp_path / folder, "-o", out, "--workers", "1", "--no-report", "--allow-dir", tmp_path / "inputs"],
                          timeout_s=600)
        assert result.code == 0, result.stderr
        if folder == "permits":
            assert (out / PERMITS_SUMMARY).is_file()
    assert "1 runs: done 1" in result.stdout and "permit applications summed up" not in result.stdout
    assert not (out / PERMITS_SUMMARY).exists()
    assert f"no run of this batch inserts a building: removed the earlier {out / PERMITS_SUMMARY}" in result.stdout
