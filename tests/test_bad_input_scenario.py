"""Bad-input corpus of the scenario commands (``twin scenario validate``, ``twin run``, ``twin batch``).

Every case runs the real command line in a child process with a time limit and must end in one
``twin: error:`` line with exit code 2 that names the key path and says why (no traceback, no
hang), or, where the case is a documented warning or an accepted input, in that outcome.

The scenario is small: twelve footprints of Saint-Gilles written into the test folder, with the
district's streets, land cover and weather from ``data_samples/`` (the shipped sample data every
scenario may read); ``twin scenario validate`` builds that scene in a few seconds without running
an engine. Path confinement and permit files are in ``tests/test_permit_safety.py``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, assert_warning, run_twin
from tests.geojson_builders import square, write_geojson
from tests.scenario_helpers import EPW, SAMPLES, write_small_district

STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"
LANDCOVER = SAMPLES / "stgilles_landcover_osm2013.geojson"
TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)  # twelve footprints around the Parvis
TIMEOUT_S = 90.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The folder of the corpus's scenario files, with the small district and two of its building ids."""
    from twin.ingest import read

    folder = tmp_path_factory.mktemp("scenario_corpus")
    district = write_small_district(folder, TINY_BOX)
    b = read(district).layers["buildings"]
    first = b.iloc[0]
    return {"folder": folder, "ids": list(b["building_id"].astype(str)), "first_bounds": list(first.geometry.bounds)}


def base_doc() -> dict:
    return {
        "name": "corpus",
        "inputs": {"files": ["district_small.geojson", str(STREETS), str(LANDCOVER)], "weather": str(EPW)},
        "domains": ["energy", "traffic", "soil"],
        "whatifs": [
            {"name": "reno", "modifications": [{"op": "renovate", "select": {"where": {"use": "residential"}}, "measures": ["wall_insulation"]}]},
            {"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": "Parvis Saint-Gilles"}}}]},
            {"name": "deseal", "modifications": [{"op": "deseal", "select": {"where": {"cover_class": "parking"}}, "sealed_fraction": 0.1}]},
        ],
        "soil": {"cell_size_m": 10.0},
    }


def mod(doc: dict, whatif: int = 0, i: int = 0) -> dict:
    return doc["whatifs"][whatif]["modifications"][i]


def unc(doc: dict, **kw) -> None:
    doc["uncertainty"] = {"samples": 4, "seed": 1, "parameters": [{"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 1.0}], **kw}


def nested(depth: int) -> str:
    return "name: deep\ninputs: {files: [a.geojson]}\ndescription: " + "[" * depth + "1" + "]" * depth + "\n"


ALIAS_BOMB = "name: bomb\ninputs: {files: [a.geojson]}\n" + "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 8)
)


def _set(path: str, value):
    """A mutation setting ``path`` (dots; digits index lists) of the base document."""
    def mutate(doc, ctx):
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        node = doc
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return mutate


def _unc(**kw):
    return lambda doc, ctx: unc(doc, **kw)


def _param(parameter: dict, **kw):
    def mutate(doc, ctx):
        unc(doc, **kw)
        doc["uncertainty"]["parameters"] = [parameter]
    return mutate


def _whatif(*mods, name="extra"):
    return lambda doc, ctx: doc["whatifs"].append({"name": name, "modifications": list(mods)})


def _select(select: dict, whatif: int = 0):
    def mutate(doc, ctx):
        mod(doc, whatif)["select"] = select
    return mutate


def _domains(domains, *mods):
    def mutate(doc, ctx):
        doc["domains"] = domains
        doc["whatifs"] = [{"name": "w", "modifications": list(mods)}]
    return mutate


# --------------------------------------------------------------------------- no scene needed
# (id, mutation of the base document or the file's text, texts the error line must hold)
SCHEMA_CASES = [
    ("unknown-measure", _set("whatifs.0.modifications.0.measures", ["wall_insulaton"]),
     ("whatifs.0.modifications.0.measures", "unknown measure", "did you mean 'wall_insulation'")),
    ("measure-twice", _set("whatifs.0.modifications.0.measures", ["wall_insulation", "wall_insulation"]), ("measures", "listed twice")),
    ("unknown-parameter", _param({"name": "energy.foo", "dist": "normal", "mean": 1.0, "sd": 1.0}),
     ("uncertainty.parameters.0.name", "energy.foo", "not a numeric option")),
    ("non-numeric-parameter", _param({"name": "energy.weather", "dist": "normal", "mean": 1.0, "sd": 1.0}), ("energy.weather", "not a numeric option")),
    ("samples-without-parameters", lambda d, c: d.update(uncertainty={"samples": 4, "priors": False}, traffic={"sample_model_parameters": False},
                                                          soil={**d.get("soil", {}), "hydraulics_spread": 0.0, "texture": "Silt Loam"}),
     ("uncertainty", "no parameters to sample and priors: false")),
    ("parameters-without-samples", _unc(samples=0), ("uncertainty", "samples is 0")),
    ("parameter-twice", lambda d, c: (unc(d), d["uncertainty"]["parameters"].append(dict(d["uncertainty"]["parameters"][0]))),
     ("declared twice",)),
    ("percentiles-above-100", _unc(percentiles=[95, 500]), ("uncertainty.percentiles", "0 <= lo < hi <= 100")),
    ("percentiles-equal", _unc(percentiles=[50, 50]), ("uncertainty.percentiles",)),
    ("percentiles-negative", _unc(percentiles=[-1, 90]), ("uncertainty.percentiles",)),
    ("seed-negative", _unc(seed=-1), ("uncertainty.seed",)),
    ("seed-22-digits", _unc(seed=1234567890123456789012), ("uncertainty.seed", "9223372036854775807")),
    ("seed-fraction", _unc(seed=1.5), ("uncertainty.seed",)),
    ("samples-above-max", _unc(samples=100_000), ("uncertainty.samples", "10000")),
    ("samples-negative", _unc(samples=-5), ("uncertainty.samples",)),
    ("samples-text", _unc(samples="many"), ("uncertainty.samples",)),
    ("sampled-mean-out-of-bounds", _param({"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 40.0, "sd": 1.0}),
     ("uncertainty.parameters.0", "mean 40 is outside the bounds [5, 30]")),
    ("sampled-uniform-out-of-bounds", _param({"name": "energy.heating_setpoint_c", "dist": "uniform", "low": 0.0, "high": 25.0}),
     ("low 0 is outside the bounds",)),
    ("sampled-normal-mostly-outside", _param({"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 29.0, "sd": 30.0}),
     ("lies outside the bounds",)),
    ("nan-setpoint", "text:energy: {heating_setpoint_c: .nan}", ("energy.heating_setpoint_c", "finite")),
    ("inf-origin", _whatif({"op": "insert_building", "ifc": "x.ifc", "origin_xy": [float("inf"), 0.0]}), ("origin_xy", "finite")),
    ("scale-demand-1e300", _whatif({"op": "scale_demand", "factor": 1e300}), ("whatifs.3.modifications.0.factor", "100")),
    ("scale-demand-zero", _whatif({"op": "scale_demand", "factor": 0}), ("factor", "0.01")),
    ("demand-factors-multiply", _whatif({"op": "scale_demand", "factor": 50}, {"op": "scale_demand", "factor": 50}),
     ("whatifs.3.modifications", "multiply to 2500")),
    ("lanes-1000", _whatif({"op": "change_streets", "select": {"where": {"name": "Rue Moris"}}, "lanes": 1000}), ("lanes", "16")),
    ("free-speed-1e6", _whatif({"op": "change_streets", "select": {"where": {"name": "Rue Moris"}}, "free_speed_m_s": 1e6}),
     ("free_speed_m_s",)),
    ("change-streets-nothing", _whatif({"op": "change_streets", "select": {"where": {"name": "Rue Moris"}}}), ("give at least one",)),
    ("cooling-below-heating", lambda d, c: d.update(energy={"heating_setpoint_c": 22, "cooling_setpoint_c": 18}),
     ("energy", "cooling_setpoint_c (18 C) must be above heating_setpoint_c")),
    ("soil-hours-1e9", lambda d, c: d.update(soil={"hours": 1e9}), ("soil.hours", "720")),
    ("soil-cell-1cm", lambda d, c: d.update(soil={"cell_size_m": 0.01}), ("soil.cell_size_m",)),
    ("soil-storm-after-period", lambda d, c: d.update(soil={"storm_hours": 30, "hours": 24}), ("soil.hours", "must cover the storm")),
    ("unknown-crs", _set("inputs.crs", "EPSG:99999"), ("inputs.crs", "EPSG:99999")),
    ("range-min-above-max", _select({"where": {"height_m": {"min": 10, "max": 5}}}), ("select.where", "range min 10 is above max 5")),
    ("range-empty", _select({"where": {"height_m": {}}}), ("select.where", "a range needs min")),
    ("range-bad-key", _select({"where": {"height_m": {"minimum": 3}}}), ("where.height_m.minimum",)),
    ("where-empty-list", _select({"where": {"use": []}}), ("where.use", "empty list matches nothing")),
    ("where-null", _select({"where": {"use": None}}), ("where.use", "null matches nothing")),
    ("where-not-mapping", _select({"where": ["use", "residential"]}), ("select.where", "mapping")),
    ("ids-empty", _select({"ids": []}), ("select.ids",)),
    ("within-inverted", _select({"within": [10, 10, 0, 0]}), ("select.within", "xmin < xmax")),
    ("fraction-zero", _select({"fraction": 0}), ("select.fraction",)),
    ("unknown-op", _whatif({"op": "demolish", "select": {}}), ("whatifs.3.modifications.0", "demolish")),
    ("unknown-key", lambda d, c: d.update(colour="red"), ("colour",)),
    ("whatif-name-with-spaces", _set("whatifs.0.name", "my what if"), ("whatifs.0.name",)),
    ("whatif-names-repeated", lambda d, c: d["whatifs"].append(copy.deepcopy(d["whatifs"][0])), ("what-if names repeated", "reno")),
    ("engine-twice", _set("domains", ["energy", "energy"]), ("domains", "listed twice")),
    ("traffic-options-without-traffic", lambda d, c: d.update(domains=["energy", "soil"], whatifs=d["whatifs"][::2], traffic={"give_way": True}),
     ("field 'traffic'", "traffic options are given (give_way)", "not in domains (energy, soil)", "would change nothing")),
    ("soil-options-without-soil", lambda d, c: d.update(domains=["energy", "traffic"], whatifs=d["whatifs"][:2], soil={"cell_size_m": 20.0, "storm_mm": 40.0}),
     ("field 'soil'", "soil options are given (cell_size_m, storm_mm)", "not in domains (energy, traffic)")),
    ("nested-600-deep", "raw:" + nested(600), ("nested too deeply",)),
    ("nested-40-deep", "raw:" + nested(40), ("description", "nested more than 32 levels")),
    ("yaml-alias-bomb", "raw:" + ALIAS_BOMB, ("more than 1,000,000 values",)),
    ("top-level-list", "raw:- a\n- b\n", ("mapping",)),
    ("empty-file", "raw:", ("mapping",)),
    ("bad-yaml", "raw:name: [unclosed\n", ("not valid (safe) yaml",)),
    ("python-tag", "raw:name: x\nevil: !!python/object/apply:os.system ['echo pwned']\n", ("safe",)),
    ("engine-runs-limit", _unc(samples=10_000), ("uncertainty.samples", "engine runs", "TWIN_MAX_ENGINE_RUNS")),
    ("op-on-engine-not-run", _domains(["energy"], {"op": "scale_demand", "factor": 1.2}),
     ("whatifs.0.modifications.0", "acts on the traffic engine", "--allow-no-effect")),
    ("parameter-of-engine-not-run", lambda d, c: (d.update(domains=["energy"], whatifs=[d["whatifs"][0]]),
                                                  _param({"name": "soil.storm_mm", "dist": "uniform", "low": 10, "high": 40})(d, c)),
     ("uncertainty.parameters.0.name", "soil engine", "does not run")),
    ("scale-demand-by-one", _whatif({"op": "scale_demand", "factor": 1.0}), ("whatifs.3.modifications.0.factor", "changes nothing")),
    ("capacity-factor-one", _whatif({"op": "change_streets", "select": {"where": {"name": "Rue Moris"}}, "capacity_factor": 1.0}),
     ("capacity_factor", "changes nothing")),
    ("kpi-unknown", lambda d, c: d.update(kpis=["heating_need_mwhh"]), ("kpis.0", "did you mean 'heating_need_mwh'")),
    ("traffic-unknown-category", lambda d, c: d.update(traffic={"access_categories": ["school", "pst"]}),
     ("traffic.access_categories", "unknown service category 'pst'", "did you mean 'post'", "known:")),
    ("traffic-gtfs-date-without-feed", lambda d, c: d.update(traffic={"gtfs_date": "20130305"}), ("traffic", "no gtfs feed")),
    ("traffic-gtfs-date-not-a-date", lambda d, c: d.update(traffic={"gtfs": "feed.zip", "gtfs_date": "20130231"}),
     ("traffic.gtfs_date", "not a calendar date")),
    ("traffic-zones-10m", lambda d, c: d.update(traffic={"zone_size_m": 10}), ("traffic.zone_size_m", "25")),
    ("traffic-evaporation-2", lambda d, c: d.update(traffic={"evaporation_elasticity": 2}), ("traffic.evaporation_elasticity", "1")),
    ("traffic-unknown-period", lambda d, c: d.update(traffic={"periods": ["pm_peak"]}), ("traffic.periods.0", "am_peak")),
    ("traffic-split-without-signals", lambda d, c: d.update(traffic={"signal_split": "capacity"}), ("traffic", "signal_split 'capacity' without signals changes nothing")),
    ("traffic-unknown-split", lambda d, c: d.update(traffic={"signals": True, "signal_split": "flows"}), ("traffic.signal_split", "equal", "capacity")),
    ("traffic-old-heuristic-option", lambda d, c: d.update(traffic={"trips_per_100m2": 2.0}), ("traffic.trips_per_100m2",)),
    ("traffic-table-missing", lambda d, c: d.update(traffic={"parameters_table": "no_such_table.csv"}),
     ("traffic.parameters_table", "not found")),
    ("remove-pois-without-select", _whatif({"op": "remove_pois"}), ("whatifs.3.modifications.0.select",)),
    ("remove-pois-traffic-not-run", _domains(["energy"], {"op": "remove_pois", "select": {"where": {"category": "post"}}}),
     ("whatifs.0.modifications.0", "acts on the traffic engine", "--allow-no-effect")),
]


# --------------------------------------------------------------------------- with the scene
def _wrong_sign_table(doc, ctx):
    table = (Path(__file__).resolve().parents[1] / "twin" / "data" / "mobility_mode_choice.csv").read_text()
    bad = table.replace("time,all,-0.05134,", "time,all,0.05134,")
    assert bad != table
    (ctx["folder"] / "coefficients_wrong_sign.csv").write_text(bad)
    doc["traffic"] = {"mode_choice_table": "coefficients_wrong_sign.csv"}


def _broken_feed(doc, ctx):
    import zipfile

    with zipfile.ZipFile(ctx["folder"] / "feed_broken.zip", "w") as z:
        z.writestr("stops.txt", "stop_id,stop_lat,stop_lon\nS1,50.83,4.34\nS2,50.84,4.35\n")
        z.writestr("routes.txt", "route_id,route_type\nR,0\n")
        z.writestr("trips.txt", "route_id,service_id,trip_id\nR,WK,t1\n")
        z.writestr("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,S1,1\nt1,08:04:00,08:04:00,S9,2\n")
        z.writestr("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                                   "WK,1,1,1,1,1,0,0,20130101,20131231\n")
    doc["traffic"] = {"gtfs": "feed_broken.zip"}


def _remove_unknown_poi(doc, ctx):
    doc["inputs"]["files"].append(str(SAMPLES / "stgilles_pois_osm2013.geojson"))
    doc["whatifs"].append({"name": "no-post", "modifications": [{"op": "remove_pois", "select": {"where": {"category": "pst"}}}]})


# the traffic engine's files, read before the scene is built: the line names the file at fault
# (a table, a feed) and the option of the scenario that named it
TRAFFIC_FILE_CASES = [
    ("traffic-coefficient-wrong-sign", _wrong_sign_table,
     ("coefficients_wrong_sign.csv", "parameter time", "time coefficient must be negative", "traffic.mode_choice_table")),
    ("traffic-gtfs-broken-stop-reference", _broken_feed,
     ("feed_broken.zip:stop_times.txt", "line 3", "stop_id", "'S9' is not in stops.txt", "traffic.gtfs")),
]

SCENE_CASES = [
    ("construction-year-nan", _select({"where": {"construction_year": {"max": 1970}}}),
     ("whatifs.0.modifications.0.select", "construction_year is missing (NaN) for all 12 buildings")),
    ("street-name-wrong", _select({"where": {"name": "Parvis de Saint-Gilles - Sint-Gillisvoorplein"}}, whatif=1),
     ("whatifs.1.modifications.0.select", "no street named", "did you mean 'Parvis Saint-Gilles - Sint-Gillis Voorplein'")),
    ("street-unknown", _select({"where": {"name": "Rue Imaginaire"}}, whatif=1), ("no street named 'Rue Imaginaire'",)),
    ("street-without-accent", _select({"where": {"name": "Rue de l'Eglise Saint-Gilles"}}, whatif=1),
     ("did you mean \"rue de l'église saint-gilles - sint-gilliskerkstraat\"",)),
    ("use-typo", _select({"where": {"use": "residentail"}}), ("no building has use = 'residentail'", "did you mean 'residential'")),
    ("unknown-column", _select({"where": {"colour": "red"}}), ("whatifs.0.modifications.0.select.where.colour", "has no column")),
    ("ids-not-in-scene", _select({"ids": ["osm:way/1", "osm:way/2"]}), ("none of the 2 ids", "ids look like 'osm:way/")),
    ("some-ids-missing", lambda d, c: mod(d).update(select={"ids": [c["ids"][0], "osm:way/1"]}),
     ("select.ids", "1 of the 2 ids are not buildings", "osm:way/1")),
    ("within-outside", _select({"within": [0, 0, 10, 10]}), ("no building intersects the box",)),
    ("fraction-rounds-to-none", lambda d, c: mod(d).update(select={"ids": [c["ids"][0]], "fraction": 0.3}), ("rounds to none",)),
    ("conditions-exclude-each-other", lambda d, c: mod(d).update(select={"ids": [c["ids"][-1]], "within": c["first_bounds"]}),
     ("each condition matches some buildings", "no building matches them all")),
    ("height-range-empty", _select({"where": {"height_m": {"min": 1000}}}), ("no building has height_m >= 1000", "values range from 9")),
    ("text-on-number-column", _select({"where": {"height_m": "tall"}}), ("height_m holds numbers",)),
    ("renovate-twice", lambda d, c: d["whatifs"][0]["modifications"].append(copy.deepcopy(mod(d))),
     ("whatifs.0.modifications.1.measures", "already has wall_insulation")),
    ("deseal-raises-sealing", lambda d, c: mod(d, 2).update(select={"where": {"cover_class": "park"}}, sealed_fraction=0.2),
     ("whatifs.2.modifications.0.sealed_fraction", "raise the sealing", "opposite")),
    ("deseal-changes-nothing", lambda d, c: mod(d, 2).update(sealed_fraction=0.95), ("already have a sealed fraction of 0.95",)),
    ("close-closed-streets", lambda d, c: mod(d, 1).update(select={"where": {"name": "Parvis Saint-Gilles", "road_class": "pedestrian"}}, modes=["car"]),
     ("whatifs.1.modifications.0.modes", "carries car")),
    ("change-streets-same-speed", lambda d, c: d["whatifs"].append({"name": "slow", "modifications": [
        {"op": "change_streets", "select": {"where": {"name": "Parvis Saint-Gilles", "road_class": "pedestrian"}}, "capacity_factor": 0.5}]}),
     ("already have these lanes, capacity and free speed",)),
    ("green-roofs-lower-share", lambda d, c: (d.update(baseline=[{"op": "green_roofs", "share": 0.8}]),
                                              d["whatifs"].append({"name": "g", "modifications": [{"op": "green_roofs", "share": 0.5}]})),
     ("whatifs.3.modifications.0.share", "removes green roof")),
    ("green-roofs-same-share", lambda d, c: (d.update(baseline=[{"op": "green_roofs", "share": 0.8}]),
                                             d["whatifs"].append({"name": "g", "modifications": [{"op": "green_roofs", "share": 0.8}]})),
     ("already have a green-roof share of 0.8",)),
    ("deseal-without-landcover", lambda d, c: (d["inputs"].update(files=["district_small.geojson"]), d.update(domains=["soil"], whatifs=[d["whatifs"][2]])),
     ("whatifs.0.modifications.0.select", "the scene has no land-cover polygons")),
    ("traffic-without-streets", lambda d, c: (d["inputs"].update(files=["district_small.geojson"]), d.update(domains=["traffic"], whatifs=[d["whatifs"][1]])),
     ("inputs.files", "the traffic engine needs streets")),
    ("energy-without-weather", lambda d, c: (d["inputs"].pop("weather"), d.update(domains=["energy"], whatifs=[d["whatifs"][0]])),
     ("energy.weather", "needs weather")),
    ("baseline-selection-empty", lambda d, c: d.update(baseline=[{"op": "renovate", "select": {"where": {"use": "industrial"}}, "measures": ["roof_insulation"]}]),
     ("baseline.0.select", "no building has use = 'industrial'")),
    ("remove-pois-unknown-category", _remove_unknown_poi,
     ("whatifs.3.modifications.0.select", "no pois has category = 'pst'", "did you mean 'post'")),
]


def write_case(folder: Path, case_id: str, mutate, ctx) -> Path:
    path = folder / f"{case_id}.yaml"
    if isinstance(mutate, str) and mutate.startswith("raw:"):
        path.write_text(mutate[4:])
    elif isinstance(mutate, str) and mutate.startswith("text:"):
        path.write_text(yaml.safe_dump(base_doc(), allow_unicode=True) + mutate[5:] + "\n")
    else:
        doc = base_doc()
        mutate(doc, ctx)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return path


@pytest.mark.parametrize("case_id, mutate, contains", SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_validate_refuses_without_a_scene(corpus, case_id, mutate, contains):
    path = write_case(corpus["folder"], case_id, mutate, corpus)
    result = run_twin(["scenario", "validate", "--no-scene", path], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=contains)


@pytest.mark.parametrize("case_id, mutate, contains", SCENE_CASES, ids=[c[0] for c in SCENE_CASES])
def test_validate_refuses_on_the_scene(corpus, case_id, mutate, contains):
    path = write_case(corpus["folder"], case_id, mutate, corpus)
    result = run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S)
    line = assert_one_line_error(result, contains=contains)
    assert str(path) in line  # the file is named


@pytest.mark.parametrize("case_id, mutate, contains", TRAFFIC_FILE_CASES, ids=[c[0] for c in TRAFFIC_FILE_CASES])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_traffic_files_are_refused_before_any_engine(corpus, tmp_path, case_id, mutate, contains, command):
    path = write_case(corpus["folder"], case_id, mutate, corpus)
    args = ["scenario", "validate", path] if command == "validate" else ["run", path, "-o", tmp_path / "out", "-q"]
    result = run_twin(args, timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=contains)
    assert not (tmp_path / "out").exists()


def test_the_base_scenario_is_valid(corpus):
    """The corpus's base scenario passes: every refusal above comes from its one change."""
    path = write_case(corpus["folder"], "base", lambda d, c: None, corpus)
    result = run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    assert "ok (3 what-ifs" in result.stdout and "12 buildings" in result.stdout


def test_either_half_of_a_bilingual_street_name_matches(corpus):
    doc = base_doc()
    mod(doc, 1)["select"] = {"where": {"name": ["Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles"]}}
    path = corpus["folder"] / "halves.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    result = run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr


def test_allow_no_effect_turns_the_error_into_a_warning(corpus):
    path = write_case(corpus["folder"], "warned", SCENE_CASES[0][1], corpus)
    result = run_twin(["scenario", "validate", "--allow-no-effect", path], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    assert_warning(result, contains=("whatifs.0.modifications.0.select", "construction_year is missing (NaN)"))


def test_no_scene_checks_only_the_file_and_says_so(corpus):
    path = write_case(corpus["folder"], "noscene", SCENE_CASES[0][1], corpus)
    result = run_twin(["scenario", "validate", "--no-scene", path], timeout_s=TIMEOUT_S)
    assert result.code == 0, result.stderr
    assert "selections and modifications not checked" in result.stdout


def test_building_simulation_limit(corpus):
    path = write_case(corpus["folder"], "simlimit", _unc(samples=50), corpus)
    result = run_twin(["scenario", "validate", path], env={"TWIN_MAX_BUILDING_SIMULATIONS": "1000"}, timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("uncertainty.samples", "51 energy runs x 4 scenes x 12 buildings = 2,448", "above the limit of 1,000"))


def test_soil_grid_cell_limit(corpus):
    folder = corpus["folder"]
    sites = folder / "huge_site.geojson"
    write_geojson(sites, [square(140000.0, 160000.0, 30000.0, name="huge")])
    path = write_case(folder, "cells", lambda d, c: (d["inputs"].update(sites=["huge_site.geojson"]), d.update(soil={"cell_size_m": 1.0})), corpus)
    result = run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("soil.cell_size_m", "900,000,000 cells", "4,000,000"))


def test_environment_limit_must_be_a_number(corpus):
    path = write_case(corpus["folder"], "envlimit", lambda d, c: None, corpus)
    result = run_twin(["scenario", "validate", "--no-scene", path], env={"TWIN_MAX_ENGINE_RUNS": "lots"}, timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("TWIN_MAX_ENGINE_RUNS", "whole number"))


# --------------------------------------------------------------------------- the scenario file itself
def test_scenario_file_that_is_a_pipe_is_refused_without_hanging(tmp_path):
    import os

    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    result = run_twin(["scenario", "validate", fifo], timeout_s=30)
    assert_one_line_error(result, contains=("s.yaml", "not a regular file"))


@pytest.mark.parametrize(
    "name, content, contains",
    [
        ("folder.yaml", None, "is a folder"),
        ("s.txt", "name: x\n", "must end in .yaml, .yml"),
        ("s.yaml", b"name: \xff\xfe\n", "not utf-8"),
        ("missing.yaml", "missing", "not found"),
    ],
    ids=["folder", "wrong-suffix", "not-utf8", "missing"],
)
def test_scenario_file_kinds(tmp_path, name, content, contains):
    path = tmp_path / name
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content != "missing":
        path.write_text(content)
    result = run_twin(["scenario", "validate", path], timeout_s=30)
    assert_one_line_error(result, contains=(name, contains))


# --------------------------------------------------------------------------- twin run and twin batch
def energy_doc() -> dict:
    return {
        "name": "corpus-run",
        "inputs": {"files": ["district_small.geojson"], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [{"name": "reno", "modifications": [{"op": "renovate", "select": {"fraction": 0.5}, "measures": ["wall_insulation"]}]}],
        "uncertainty": {"samples": 2, "seed": 1, "parameters": [{"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 1.0}]},
    }


@pytest.mark.parametrize(
    "options, contains",
    [
        (["--seed", "-1"], ("uncertainty.seed", "--seed")),
        (["--seed", "1234567890123456789012"], ("uncertainty.seed", "--seed")),
        (["--samples", "-5"], ("uncertainty.samples", "--samples")),
        (["--samples", "100000"], ("uncertainty.samples", "10000")),
        (["--samples", "abc"], ("--samples", "integer")),
        (["--samples", "9000"], ("engine runs",)),
    ],
    ids=["seed-negative", "seed-22-digits", "samples-negative", "samples-above-max", "samples-not-a-number", "samples-too-many-runs"],
)
def test_run_refuses_bad_overrides_before_work(corpus, tmp_path, options, contains):
    path = corpus["folder"] / "run_energy.yaml"
    path.write_text(yaml.safe_dump(energy_doc()))
    out = tmp_path / "out"
    result = run_twin(["run", path, "-o", out, "-q", *options], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=contains)
    assert not (out / "report.html").exists()


def test_run_refuses_a_selection_that_matches_nothing_before_any_engine(corpus, tmp_path):
    doc = energy_doc()
    mod(doc)["select"] = {"where": {"construction_year": {"max": 1970}}}
    path = corpus["folder"] / "run_nan_year.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    result = run_twin(["run", path, "-o", out, "-q"], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("whatifs.0.modifications.0.select", "construction_year is missing (NaN) for all 12 buildings"))
    assert not (out / "report.html").exists()


def test_batch_of_only_invalid_files_exits_2_with_one_line(corpus, tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    doc = energy_doc()
    doc["colour"] = "red"
    (apps / "bad.yaml").write_text(yaml.safe_dump(doc))
    result = run_twin(["batch", apps, "-o", tmp_path / "out", "-q"], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("every run failed", "bad.yaml", "colour"))


def test_batch_refuses_an_unknown_allowed_folder(tmp_path):
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "a.yaml").write_text("name: a\ninputs: {files: [a.geojson]}\n")
    result = run_twin(["batch", apps, "-o", tmp_path / "out", "--allow-dir", tmp_path / "nowhere"], timeout_s=TIMEOUT_S)
    assert_one_line_error(result, contains=("nowhere", "--allow-dir", "does not exist"))


def test_batch_refuses_a_selection_that_matches_nothing_before_any_engine(corpus, tmp_path):
    """The check runs in the Dask worker, before the engines; the run is recorded as failed with the reason."""
    import shutil

    apps = tmp_path / "apps"
    apps.mkdir()
    shutil.copy(corpus["folder"] / "district_small.geojson", apps / "district_small.geojson")
    doc = energy_doc()
    doc["uncertainty"] = {"seed": 1}
    mod(doc)["select"] = {"where": {"construction_year": {"max": 1970}}}
    (apps / "nan_year.yaml").write_text(yaml.safe_dump(doc))
    result = run_twin(["batch", apps, "-o", tmp_path / "out", "-q", "--workers", "1"], timeout_s=180)
    assert_one_line_error(result, contains=("every run failed", "nan_year.yaml", "construction_year is missing (NaN) for all 12 buildings"))
    from twin.scenario.store import RunStore

    runs = RunStore(tmp_path / "out" / "runs.sqlite").runs()
    assert list(runs["status"]) == ["failed"] and "whatifs.0.modifications.0.select" in runs["error"].iloc[0]


def test_run_with_allow_no_effect_warns_and_runs(corpus, tmp_path):
    doc = energy_doc()
    doc["uncertainty"] = {"seed": 1}
    mod(doc)["select"] = {"where": {"construction_year": {"max": 1970}}}
    path = corpus["folder"] / "run_nan_year_allowed.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = tmp_path / "out"
    result = run_twin(["run", path, "-o", out, "-q", "--allow-no-effect"], timeout_s=180)
    assert result.code == 0, result.stderr
    assert_warning(result, contains=("whatifs.0.modifications.0.select", "construction_year is missing (NaN)", "--allow-no-effect"))
    assert (out / "report.html").exists()
