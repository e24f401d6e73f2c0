"""The offline geocoder on Lauf (OSM addresses) and Wolfsburg (street lines, POIs)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.addresses import read_osm_addresses
from geo.errors import GeocodeError
from geo.geocode import INDEX_COLUMNS, Geocoder, build_address_index, normalize
from geo.netbuild import Segments
from geo.network import Network

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def _metres(lon: float, lat: float) -> shapely.Point:
    return shapely.Point(*TO_M.transform(lon, lat))


def _networks(segments: Segments) -> dict[str, Network]:
    from geo.netbuild import network_for_mode

    return {
        m: network_for_mode(segments, mode=m, walk_kmh=4.5, bike_kmh=15.0, drive_default_kmh=50.0)
        for m in ("walk", "drive")
    }


@pytest.fixture(scope="module")
def lauf_pbf(data_root: Path) -> Path:
    return data_root / "lauf" / "lauf-an-der-pegnitz-2020-01-15.osm.pbf"


@pytest.fixture(scope="module")
def lauf_index(lauf_pbf: Path) -> pd.DataFrame:
    from geo.osm import read_osm

    extract = read_osm(lauf_pbf)
    return build_address_index(
        addresses=read_osm_addresses(lauf_pbf),
        networks=_networks(extract.segments),
        pois=extract.pois,
    )


@pytest.fixture(scope="module")
def lauf(lauf_index: pd.DataFrame) -> Geocoder:
    return Geocoder(lauf_index)


@pytest.fixture(scope="module")
def wob_index(data_root: Path) -> pd.DataFrame:
    from geo.lines import segments_from_lines
    from geo.osm import pois_from_geojson

    seg = segments_from_lines(
        [data_root / "wolfsburg" / "roads.geojson", data_root / "wolfsburg" / "footways.geojson"]
    )
    pois = pois_from_geojson(data_root / "wolfsburg" / "facilities.geojson")
    return build_address_index(addresses=None, networks=_networks(seg), pois=pois)


class _Houses(osmium.SimpleHandler):
    """Every addressed object, and building outlines (all nodes present) in EPSG:25832."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[str, str]] = []
        self.buildings: list[tuple[str, str, str, shapely.Polygon]] = []

    def _key(self, tags: osmium.osm.TagList) -> tuple[str, str]:
        return tags.get("addr:street", ""), tags.get("addr:housenumber", "")

    def node(self, n: osmium.osm.Node) -> None:
        if "addr:housenumber" in n.tags:
            self.keys.append(self._key(n.tags))

    def way(self, w: osmium.osm.Way) -> None:
        if "addr:housenumber" not in w.tags:
            return
        self.keys.append(self._key(w.tags))
        if "building" not in w.tags or not all(n.location.valid() for n in w.nodes):
            return
        coords = [TO_M.transform(n.location.lon, n.location.lat) for n in w.nodes]
        if len(coords) >= 4 and coords[0] == coords[-1]:
            street, number = self._key(w.tags)
            self.buildings.append(
                (street, number, w.tags.get("addr:postcode", ""), shapely.Polygon(coords))
            )


@pytest.fixture(scope="module")
def houses(lauf_pbf: Path) -> _Houses:
    h = _Houses()
    h.apply_file(str(lauf_pbf), locations=True)
    return h


# ---------------------------------------------------------------------------- index


def test_index_contract(lauf_index: pd.DataFrame, wob_index: pd.DataFrame) -> None:
    for index in (lauf_index, wob_index):
        assert list(index.columns) == list(INDEX_COLUMNS)
        assert set(index["kind"]) == {"address", "street", "poi"}
        for col in INDEX_COLUMNS[:7]:
            assert index[col].map(lambda v: isinstance(v, str)).all(), col
        assert index[["lon", "lat"]].notna().all().all()
    assert lauf_index["lon"].between(11.2, 11.35).all()
    assert lauf_index["lat"].between(49.45, 49.55).all()
    assert (lauf_index["kind"] == "address").sum() > 4_500


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hauptstr.", "hauptstrasse"),
        ("Haupt-Straße", "haupt strasse"),
        ("Nürnberger  STRASSE", "nurnberger strasse"),
        ("Nuernberger Str", "nurnberger strasse"),
        ("Galgenbühlstraße", "galgenbuhlstrasse"),
        ("Am Markt-Pl.", "am markt platz"),
    ],
)
def test_normalize(text: str, folded: str) -> None:
    assert normalize(text) == folded


# ---------------------------------------------------------------------------- addresses


def test_lauf_houses_within_30_m(lauf: Geocoder, houses: _Houses) -> None:
    counts = pd.Series(houses.keys).value_counts()
    unique = [b for b in houses.buildings if counts[(b[0], b[1])] == 1 and b[0] and b[2]]
    rng = np.random.default_rng(2020)
    picks = [unique[i] for i in rng.choice(len(unique), 8, replace=False)]
    for street, number, postcode, poly in picks:
        res = lauf.geocode(f"{street} {number}, {postcode} Lauf")
        assert res.kind == "address" and res.exact, (street, number, res)
        assert (res.street, res.housenumber) == (street, number)
        assert _metres(res.lon, res.lat).distance(poly.centroid) < 30, (street, number)


@pytest.fixture(scope="module")
def nuernberger(houses: _Houses) -> str:
    numbers = sorted(
        (n for s, n in houses.keys if s == "Nürnberger Straße" and n.isdigit()), key=int
    )
    return numbers[len(numbers) // 2]


@pytest.mark.parametrize(
    "template",
    [
        "Nürnberger Straße {n}",
        "nürnberger straße {n}",
        "NÜRNBERGER STRASSE {n}",
        "Nuernberger Strasse {n}",
        "Nurnberger Str. {n}",
        "Nürnbergerstr.{n}",
        "  Nürnberger   Straße   {n}  ",
        "Nürnberger Straße {n}, 91207 Lauf an der Pegnitz",
        "Nürnberger Straße {n} Lauf",
        "Nürnbeger Straße {n}",
        "Nürnberger Strase {n}",
    ],
)
def test_variants_find_the_same_house(lauf: Geocoder, nuernberger: str, template: str) -> None:
    res = lauf.geocode(template.format(n=nuernberger))
    assert res.kind == "address"
    assert res.street == "Nürnberger Straße"
    assert res.housenumber == nuernberger
    assert res.score >= lauf.min_score


@pytest.mark.parametrize("suffix", ["-2", "/1"])
def test_number_ranges_use_the_first_number(lauf: Geocoder, nuernberger: str, suffix: str) -> None:
    res = lauf.geocode(f"Nürnberger Straße {nuernberger}{suffix}")
    assert (res.kind, res.housenumber) == ("address", nuernberger)


def test_unknown_house_number_falls_back_to_street(
    lauf: Geocoder, lauf_index: pd.DataFrame
) -> None:
    res = lauf.geocode("Nürnberger Straße 9999")
    assert res.kind == "street" and not res.exact
    assert (res.note_code, res.note_value) == ("housenumber_not_found", "9999")
    assert "9999" not in res.label  # the label is the street's own; the UI words the note
    street = lauf_index[(lauf_index["kind"] == "street") & (lauf_index["street"] == res.street)]
    assert (street["lon"] == res.lon).any()


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("Quatschweg 12", "Keine passende Adresse für 'Quatschweg 12'"),
        ("Zzyzx", "Keine passende Adresse"),
        ("   ", "Bitte eine Adresse eingeben"),
        ("91207", "Keine Straße oder kein Name"),
    ],
)
def test_unknown_queries_raise(lauf: Geocoder, query: str, match: str) -> None:
    with pytest.raises(GeocodeError, match=match):
        lauf.geocode(query)


def test_error_suggests_close_entries(lauf: Geocoder) -> None:
    with pytest.raises(GeocodeError, match=r"Meinten Sie.*Nürnberger Straße"):
        lauf.geocode("Nürnbxyzq Gasse 3")


def test_poi_names(lauf: Geocoder, lauf_index: pd.DataFrame) -> None:
    pois = lauf_index[lauf_index["kind"] == "poi"]
    names = pois["name"].value_counts()
    single = pois[pois["name"].map(names) == 1]
    rng = np.random.default_rng(5)
    for _, row in single.iloc[rng.choice(len(single), 6, replace=False)].iterrows():
        res = lauf.geocode(row["name"])
        assert res.name == row["name"], row["name"]
        assert _metres(res.lon, res.lat).distance(_metres(row["lon"], row["lat"])) < 1


# ---------------------------------------------------------------------------- streets


def test_wolfsburg_streets_on_their_line(wob_index: pd.DataFrame, data_root: Path) -> None:
    roads = gpd.read_file(data_root / "wolfsburg" / "roads.geojson")
    foot = gpd.read_file(data_root / "wolfsburg" / "footways.geojson")
    lines = pd.concat([roads, foot]).to_crs(25832)
    named = sorted(set(roads["name"]) - {""})
    rng = np.random.default_rng(38440)
    geocoder = Geocoder(wob_index)
    for name in [named[i] for i in rng.choice(len(named), 12, replace=False)]:
        res = geocoder.geocode(name)
        assert res.kind == "street" and res.street == name, (name, res)
        street = shapely.union_all(lines.loc[lines["name"] == name].geometry.to_numpy())
        assert _metres(res.lon, res.lat).distance(street) < 1.0, name


def test_names_with_numbers(wob_index: pd.DataFrame, data_root: Path) -> None:
    """ "Straße 10" is a street and "Postfiliale 566" a POI, not a house number."""
    geocoder = Geocoder(wob_index)
    roads = gpd.read_file(data_root / "wolfsburg" / "roads.geojson")
    numbered = sorted({n for n in roads["name"] if any(ch.isdigit() for ch in n)})
    assert numbered
    for name in numbered[:5]:
        res = geocoder.geocode(name)
        assert (res.kind, res.street) == ("street", name)
    pois = wob_index[(wob_index["kind"] == "poi") & wob_index["name"].str.contains(r"\d")]
    single = pois[~pois["name"].duplicated(keep=False)]
    for name in single["name"].iloc[:5]:
        assert geocoder.geocode(name).name == name


# ---------------------------------------------------------------------------- suggest


def test_suggest_prefix_and_limit(lauf: Geocoder) -> None:
    res = lauf.suggest("Nürnb", limit=3)
    assert 1 <= len(res) <= 3
    assert res[0].kind == "street" and res[0].street == "Nürnberger Straße"
    assert lauf.suggest("") == []
    assert lauf.suggest("Nürnb", limit=0) == []


def test_suggest_house_numbers(lauf: Geocoder) -> None:
    res = lauf.suggest("Nurnberger Str. 1", limit=8)
    assert len(res) == 8
    assert all(r.street == "Nürnberger Straße" for r in res)
    assert all(r.housenumber.startswith("1") for r in res)
    assert res[0].housenumber == "1"
    assert len({r.label for r in res}) == len(res)


@pytest.mark.parametrize("typed", ["Galgenbühl", "galgenbuehl", "Galgenbul"])
def test_suggest_tolerates_spelling(lauf: Geocoder, typed: str) -> None:
    labels = [r.street for r in lauf.suggest(typed)]
    assert "Galgenbühlstraße" in labels


# ---------------------------------------------------------------------------- place checks


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_school_addresses_land_near_the_school_or_are_refused(
    region: str, data_root: Path, wob_index: pd.DataFrame, lauf_index: pd.DataFrame
) -> None:
    """The 2017 school lists carry their own coordinates: a hit must be near them."""
    geocoder = Geocoder(wob_index if region == "wolfsburg" else lauf_index)
    schools = pd.read_csv(data_root / region / "schulen_2017.csv")
    found = 0
    for address, lon, lat in zip(schools["address"], schools["lon"], schools["lat"], strict=True):
        try:
            res = geocoder.geocode(address)
        except GeocodeError:
            continue
        found += 1
        assert _metres(res.lon, res.lat).distance(_metres(lon, lat)) < 1_500, (address, res)
    assert found >= 0.75 * len(schools)


def test_other_town_postcode_is_refused(lauf: Geocoder, lauf_index: pd.DataFrame) -> None:
    """A street queried with the PLZ of a town whose addresses are all far away."""
    addr = lauf_index[lauf_index["kind"] == "address"]
    xy = np.column_stack(TO_M.transform(addr["lon"].to_numpy(), addr["lat"].to_numpy()))
    by_pc = {pc: xy[(addr["postcode"] == pc).to_numpy()] for pc in set(addr["postcode"]) if pc}
    streets = lauf_index[(lauf_index["kind"] == "street") & (lauf_index["postcode"] == "91207")]
    checked = 0
    for pc, pts in by_pc.items():
        if pc == "91207":
            continue
        for _, s in streets.iterrows():
            p = np.array(_metres(s["lon"], s["lat"]).coords[0])
            same_name = lauf_index[(lauf_index["street"] == s["street"])]
            if (same_name["postcode"] == pc).any():
                continue
            if np.hypot(*(pts - p).T).min() > 3_000:  # PLACE_FAR_M is 2 km
                with pytest.raises(GeocodeError):
                    lauf.geocode(f"{s['street']}, {pc}")
                assert lauf.geocode(f"{s['street']}, 91207").street == s["street"]
                checked += 1
            if checked >= 5:
                return
    assert checked > 0
