"""Measured tables of docs/stock_attributes.md: where the attributes of the Saint-Gilles district
and of the whole 2013 Brussels extract come from, which rules and OSM tags set them.

Runs twin's ingest on

* Saint-Gilles: the inputs of the default scenario (``data_samples/``: buildings, streets,
  land cover, POIs, district box);
* Brussels: ``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf`` (every layer);

and writes, from those runs (no figure is typed by hand):

* ``docs/stock_attributes/<case>_shares.csv``: per attribute, the share of floor area from
  each source (the attributes with a rule, then ``floor_area_m2`` and ``storey_height_m``);
* ``docs/stock_attributes/<case>_rules.csv``: per attribute, rule and source, the buildings and
  floor area;
* ``docs/stock_attributes/brussels_tags_used.csv``: which OSM tag (key and value) set which
  attribute of how many buildings (``tag:`` rules: the building's own tags; ``poi:`` rules:
  tags of points inside it; ``landuse:``: the class of the polygon it stands in);
* ``docs/stock_attributes/brussels_use_by_footprint.csv``: the use classes of the buildings
  whose use comes from their own tags, by footprint band (the evidence for the rule on large
  untagged footprints);
* ``docs/stock_attributes/<case>_storey_cap.csv``: the buildings the rule "no untagged
  footprint above 5 storeys" touched: storeys under the former area bands (ingest defaults of
  commit 81812e4: residential 3 / 4 / 6 / 9 storeys below 150 / 400 / 1000 m2 / above,
  office 4 / 7, health 3 / 6, public 3 / 5) against now;

and ``benchmarks/figures/stock_attributes.json``: the date and commit of the run and, per case, the
buildings, the floor area and the tables the page shows (the shares, the 8 most frequent rules per
attribute, the storey cap; for Brussels also the OSM tags by key and the use by footprint).
``scripts/update_figures.py`` renders the measured part of ``docs/stock_attributes.md`` (block
``stock_attributes.measured``, renderer ``scripts/figure_renderers/stock_attributes.py``) from it.

Usage: ``.venv/bin/python scripts/stock_attributes_tables.py [--docs DOCS_FOLDER] [--figures FOLDER]``
(about 30 s), then ``.venv/bin/python scripts/update_figures.py docs/stock_attributes.md``.
``--docs`` / ``--figures`` write elsewhere (a test compares a fresh run with the committed files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "brussels"
SAMPLES = REPO / "data_samples"
STGILLES = [SAMPLES / f for f in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson",
                                  "stgilles_landcover_osm2013.geojson", "stgilles_pois_osm2013.geojson")]
STGILLES_SITES = [SAMPLES / "stgilles_district_bbox.geojson"]
FIGURES_DIR = REPO / "benchmarks" / "figures"
BRUSSELS = [SHARED / "brussels_capital_region_2013-01-01.osm.pbf"]

#: The storey bands before this work (twin/data/ingest_defaults.yaml at commit 81812e4).
FORMER_RULE = {
    "buildings": {
        "storeys": {
            "untagged": [{"max_area_m2": 150, "storeys": 3}, {"max_area_m2": 400, "storeys": 4},
                         {"max_area_m2": 1000, "storeys": 6}, {"max_area_m2": None, "storeys": 9}],
            "residential": [{"max_area_m2": 150, "storeys": 3}, {"max_area_m2": 400, "storeys": 4},
                            {"max_area_m2": 1000, "storeys": 6}, {"max_area_m2": None, "storeys": 9}],
            "office": [{"max_area_m2": 400, "storeys": 4}, {"max_area_m2": None, "storeys": 7}],
            "health": [{"max_area_m2": 1000, "storeys": 3}, {"max_area_m2": None, "storeys": 6}],
            "other": [{"max_area_m2": None, "storeys": 3}],
        },
        "max_default_storeys": None,
        "large_untagged_footprint_m2": 1.0e12,
    }
}

BANDS_M2 = [0, 30, 150, 400, 1000, 3000, np.inf]


def run(files, sites=(), defaults=None, context=True):
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest(files, sites=sites, defaults=defaults, context=context)
    return scene


def shares_table(b: pd.DataFrame) -> pd.DataFrame:
    """Per attribute, the share of floor area from each source: :data:`STOCK_PARAMETERS`, then
    ``floor_area_m2`` and ``storey_height_m`` (every scene twin ingests now carries their sources;
    :func:`reported_parameters` leaves them out of a layer without them)."""
    from twin.scene.provenance import SOURCES, STOCK_PARAMETERS, floor_area_shares, reported_parameters

    derived = tuple(p for p in reported_parameters(b) if p not in STOCK_PARAMETERS)
    s = floor_area_shares(b, (*STOCK_PARAMETERS, *derived))
    out = s[list(SOURCES)].round(4)
    out.insert(0, "attribute", s.index)
    out["floor_area_m2"] = s["floor_area_m2"].round(0)
    out["buildings"] = s["buildings"].astype(int)
    return out.reset_index(drop=True)


def rules_table(b: pd.DataFrame, families: bool = True) -> pd.DataFrame:
    from twin.scene.provenance import rule_counts

    r = rule_counts(b, families=families)
    r["floor_area_m2"] = r["floor_area_m2"].round(0)
    return r


def tags_table(b: pd.DataFrame) -> pd.DataFrame:
    """Which OSM tag set which attribute of how many buildings (full rules ``kind:key=value``)."""
    from twin.scene.provenance import rule_counts

    r = rule_counts(b, families=False)
    r = r[r["rule"].str.match(r"^(tag|poi|landuse):")].copy()
    parts = r["rule"].str.extract(r"^(?P<via>tag|poi|landuse):(?P<tag>.*)$")
    r["via"] = parts["via"].map({"tag": "building's own tag", "poi": "POI inside the footprint", "landuse": "land-use polygon"})
    kv = parts["tag"].str.split("=", n=1, expand=True)
    r["key"] = np.where(parts["via"] == "landuse", "class", kv[0])
    r["value"] = np.where(parts["via"] == "landuse", kv[0], kv[1].fillna("(number)") if kv.shape[1] > 1 else "(number)")
    out = r.groupby(["via", "key", "value", "parameter"], as_index=False, dropna=False).agg(buildings=("buildings", "sum"), floor_area_m2=("floor_area_m2", "sum"))
    out["floor_area_m2"] = out["floor_area_m2"].round(0)
    return out.sort_values(["via", "buildings"], ascending=[True, False]).reset_index(drop=True)


def use_by_footprint(b: pd.DataFrame) -> pd.DataFrame:
    tagged = b[b["use_source"] == "data"]
    band = pd.cut(tagged["footprint_area_m2"], BANDS_M2, right=False)
    table = pd.crosstab(band, tagged["use"])
    table.index = [f"{int(i.left)}-{'' if np.isinf(i.right) else int(i.right)} m2" for i in table.index]
    table["total"] = table.sum(axis=1)
    table["residential_share"] = (table.get("residential", 0) / table["total"]).round(3)
    table.index.name = "footprint"
    return table.reset_index()


def storey_cap_table(files, sites, now: pd.DataFrame) -> pd.DataFrame:
    before = run(files, sites, defaults=FORMER_RULE, context=False).buildings.set_index("building_id")
    now = now.set_index("building_id")
    joined = pd.DataFrame({
        "storeys_before": before["n_storeys"], "storeys_now": now["n_storeys"], "source_now": now["n_storeys_source"],
        "use_before": before["use"], "use_now": now["use"], "footprint_area_m2": now["footprint_area_m2"],
        "floor_area_before_m2": before["floor_area_m2"], "floor_area_now_m2": now["floor_area_m2"],
    })
    touched = joined[(joined["storeys_before"] > 5) & (joined["source_now"] != "data")]
    rows = [
        {"what": "buildings with more than 5 storeys under the former bands", "value": int((joined["storeys_before"] > 5).sum())},
        {"what": "of which without evidence (touched by the rule)", "value": int(len(touched))},
        {"what": "buildings above 5 storeys now without evidence", "value": int(((joined["storeys_now"] > 5) & ~joined["source_now"].isin(["data", "user", "calibrated", "inferred"])).sum())},
        {"what": "floor area of the touched buildings before, m2", "value": float(touched["floor_area_before_m2"].sum().round(0))},
        {"what": "floor area of the touched buildings now, m2", "value": float(touched["floor_area_now_m2"].sum().round(0))},
        {"what": "total floor area before, m2", "value": float(joined["floor_area_before_m2"].sum().round(0))},
        {"what": "total floor area now, m2", "value": float(joined["floor_area_now_m2"].sum().round(0))},
    ]
    for (ub, un), g in touched.groupby(["use_before", "use_now"]):
        rows.append({"what": f"touched: use {ub} -> {un}", "value": int(len(g))})
    return pd.DataFrame(rows)


def table(frame: pd.DataFrame) -> dict:
    """``frame`` as ``{"columns": [...], "data": [[...], ...]}`` for the figures file (ints stay ints)."""
    return json.loads(frame.to_json(orient="split", index=False))


def commit_stamp() -> str:
    """Short hash of HEAD, flagged when ``twin/`` has uncommitted changes (the tables then describe no commit exactly)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "twin"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (uncommitted changes in twin/)" if dirty.strip() else "")


def main(docs: Path, figures_dir: Path = FIGURES_DIR) -> None:
    from twin.scene.provenance import SOURCES

    out = docs / "stock_attributes"
    out.mkdir(parents=True, exist_ok=True)
    figures: dict = {"date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "commit": commit_stamp(), "percent_columns": list(SOURCES), "cases": {}}
    for case, files, sites in (("stgilles", STGILLES, STGILLES_SITES), ("brussels", BRUSSELS, [])):
        b = run(files, sites).buildings
        shares, rules = shares_table(b), rules_table(b)
        cap = storey_cap_table(files, sites, b)
        shares.to_csv(out / f"{case}_shares.csv", index=False)
        rules.to_csv(out / f"{case}_rules.csv", index=False)
        cap.to_csv(out / f"{case}_storey_cap.csv", index=False)
        top = rules.sort_values(["parameter", "buildings"], ascending=[True, False]).groupby("parameter").head(8)
        tables = {"shares": table(shares.drop(columns=["floor_area_m2", "buildings"])), "rules_top": table(top.reset_index(drop=True)),
                  "storey_cap": table(cap)}
        if case == "brussels":
            tags = tags_table(b)
            tags.to_csv(out / "brussels_tags_used.csv", index=False)
            by_key = tags.groupby(["via", "key", "parameter"], as_index=False)["buildings"].sum().sort_values(["via", "buildings"], ascending=[True, False])
            evidence = use_by_footprint(b)
            evidence.to_csv(out / "brussels_use_by_footprint.csv", index=False)
            tables |= {"tags_by_key": table(by_key.reset_index(drop=True)), "use_by_footprint": table(evidence)}
        figures["cases"][case] = {"buildings": len(b), "floor_area_m2": float(b["floor_area_m2"].sum()), "tables": tables}
    figures_dir.mkdir(parents=True, exist_ok=True)
    path = figures_dir / "stock_attributes.json"
    path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} and {path}; run python scripts/update_figures.py docs/stock_attributes.md")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=REPO / "docs", help="docs folder to write the CSV tables into")
    parser.add_argument("--figures", type=Path, default=FIGURES_DIR, help="folder to write stock_attributes.json into")
    args = parser.parse_args()
    main(args.docs, args.figures)
