"""Flensburg and Lübeck: real regions without a street network (issue 10).

Figures are checked against the raw files read here independently (json/pandas), and
against the data README: 13 Stadtteile, 41 Bezirke (two invalid polygons), 70 Kitas
with 4,475 places, 30 schools with 12,222 pupils, 19,578 ALKIS addresses, 75,053
people in 1 km cells whose centre lies in the city.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.build import load_region
from geo.settings import REPO_ROOT, Paths

FL = "flensburg"


@pytest.fixture(scope="module")
def flensburg(paths: Paths) -> Any:
    return load_region("flensburg", paths=paths)


@pytest.fixture(scope="module")
def fl_offers(flensburg: Any, paths: Paths) -> gpd.GeoDataFrame:
    from offers.catalogue import load_offers

    return load_offers(flensburg, paths=paths)


@pytest.fixture(scope="module")
def person_names(data_root: Path) -> set[str]:
    """Every name of a person in the Flensburg offer files (Kita heads, head teachers)."""
    kitas = json.loads((data_root / FL / "kitas.geojson").read_text(encoding="utf-8"))
    names = {f["properties"].get("director") or "" for f in kitas["features"]}
    schools = pd.read_csv(data_root / FL / "schulen.csv", dtype=str)
    names |= set(schools["Schulleiter"].dropna())
    names = {n.strip() for n in names if n and n.strip()}
    assert len(names) > 60  # the files really carry them
    return names


def test_flensburg_has_no_network_and_says_so(flensburg: Any) -> None:
    assert not flensburg.has_network and flensburg.networks == {}
    note = flensburg.network_note
    assert note["reason"] == "no_network" and note["manifest"].endswith("flensburg.toml")
    assert flensburg.info["nodes"] == {} and "network.osm" in flensburg.info["network_note"]
    assert flensburg.basemap["streets"].empty


def test_flensburg_districts_and_bezirke(flensburg: Any, data_root: Path) -> None:
    raw = gpd.read_file(data_root / FL / "stadtteile.geojson")
    assert sorted(flensburg.districts.index) == sorted(raw["AREA_ID"])
    assert len(flensburg.districts) == 13
    sub = flensburg.subdistricts
    assert len(sub) == 41 and sub.geometry.is_valid.all()
    repaired = flensburg.info["repaired"]["subdistricts"]
    assert repaired["invalid_polygons"] == 2
    assert repaired["names"] == ["073 Peelwatt", "122 Engelsby Süd"]
    raw_sub = gpd.read_file(data_root / FL / "stadtbezirke.geojson")
    assert int((~raw_sub.geometry.is_valid).sum()) == 2  # the oracle: the raw file
    assert dict(zip(sub.index, sub["parent_id"], strict=True)) == dict(
        zip(raw_sub["AREA_ID"], raw_sub["PARENT_ARE"], strict=True)
    )
    # dissolved by parent, the Bezirke cover their Stadtteil (README), measured in 25832
    for key, grp in sub.to_crs(25832).groupby("parent_id"):
        whole = flensburg.districts.to_crs(25832).geometry[key]
        union = shapely.union_all(grp.geometry.to_numpy())
        assert union.symmetric_difference(whole).area / whole.area < 1e-3, key


def test_flensburg_census_is_the_1km_grid(flensburg: Any, data_root: Path) -> None:
    raw = pd.read_csv(data_root / FL / "zensus2011_1km_merkmale.csv", sep=";")
    populated = raw[raw["Einwohner"] >= 0]
    assert len(flensburg.cells) == len(populated) == 117
    assert flensburg.info["population_total"] == populated["Einwohner"].sum() == 102_555
    assert flensburg.info["population_in_region"] == 75_053  # README: centres inside
    ignored = flensburg.info["census"]["ignored"]["zensus2011_1km_merkmale.csv"]
    assert ignored["unpopulated cells (-1)"] == 15
    assert "Alter_D (a share or mean, not a count)" in ignored


def test_flensburg_alkis_addresses_in_the_geocoder_index(flensburg: Any, data_root: Path) -> None:
    raw = pd.read_csv(data_root / FL / "adressen_alkis_2025.csv", comment="#", dtype=str)
    assert len(raw) == 19_578
    idx = flensburg.addresses
    houses = idx[idx["housenumber"] != ""]
    assert len(houses) >= 19_578 - 50  # the geocoder merges exact duplicates only
    row = raw[(raw["strasse"] == "Marientreppe") & (raw["nummer"] == "10")].iloc[0]
    hit = houses[(houses["street"] == "Marientreppe") & (houses["housenumber"] == "10")]
    assert len(hit) == 1
    assert hit["lon"].iloc[0] == pytest.approx(float(row["lon"]), abs=1e-9)
    assert hit["lat"].iloc[0] == pytest.approx(float(row["lat"]), abs=1e-9)
    assert (idx["kind"] == "street").sum() > 500  # streets from the address points
    # the bus stops are POIs, so the geocoder finds them by name
    assert flensburg.info["pois"] == 279


def test_flensburg_offers_carry_places_and_pupils(fl_offers: gpd.GeoDataFrame) -> None:
    kitas = fl_offers[fl_offers["source"] == "kitas.geojson"]
    schools = fl_offers[fl_offers["source"] == "schulen.csv"]
    assert len(kitas) == 70 and int(kitas["capacity"].sum()) == 4_475
    assert len(schools) == 30 and int(schools["capacity"].sum()) == 12_222
    assert set(kitas["category"]) <= {"kita", "krippe"}


def test_person_names_appear_nowhere(
    fl_offers: gpd.GeoDataFrame, person_names: set[str], paths: Paths, tmp_path: Path
) -> None:
    from offers.export import export_offers, export_rejected
    from offers.store import OfferStore

    store = OfferStore("flensburg", paths=paths)
    texts = []
    with sqlite3.connect(store.path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                texts.append(" ".join(str(v) for v in row))
    for suffix in ("csv", "xlsx", "geojson"):
        path = export_offers(fl_offers, tmp_path / f"offers.{suffix}")
        if suffix == "xlsx":
            texts.append(pd.read_excel(path).to_csv())
        else:
            texts.append(path.read_text(encoding="utf-8-sig"))
    texts.append(export_rejected(store.rejected(), tmp_path / "rej.csv").read_text("utf-8-sig"))
    blob = "\n".join(texts)
    for col in ("director", "Schulleiter"):
        assert col not in blob
    leaked = sorted(n for n in person_names if n in blob)
    assert leaked == []


def test_cli_info_contract(paths: Paths, flensburg: Any) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "geo", "info", "flensburg", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=600,
        check=True,
    )
    facts = json.loads(res.stdout)
    assert facts["districts"] == 13 and facts["subdistricts"] == 41
    assert facts["has_network"] is False and "network_note" in facts
    assert sum(facts["offers"].values()) == 100
    assert facts["offers"]["kita"] + facts["offers"].get("krippe", 0) == 70
    assert isinstance(facts["indicators"], int)
    assert facts["repaired"]["subdistricts"]["invalid_polygons"] == 2


def test_luebeck_is_monitoring_only(paths: Paths, data_root: Path) -> None:
    region = load_region("luebeck", paths=paths)
    m = region.manifest
    assert not region.has_network and len(region.cells) == 0 and len(region.pois) == 0
    assert m.census_files == () and m.offer_imports == ()
    assert m.indicator_imports == (
        data_root / "luebeck" / "luebeck_stadtteile_bevoelkerung_2010_2022.csv",
    )
    raw = gpd.read_file(data_root / "luebeck" / "luebeck_stadtteile.geojson")
    assert sorted(region.districts.index) == sorted(raw["nr"]) and len(region.districts) == 10
    area = region.districts.to_crs(25832).area.sum() / 1e6
    assert area == pytest.approx(213.7, abs=0.1)  # README


def test_flensburg_manifest_names_the_sozialatlas(flensburg: Any, data_root: Path) -> None:
    assert flensburg.manifest.indicator_imports == (data_root / FL / "sozialatlas",)
