"""OSM addresses from the Lauf extract, checked against an independent pyosmium scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pandas as pd
import pytest
import shapely

from geo.addresses import ADDRESS_COLUMNS, read_osm_addresses
from geo.errors import InputDataError


class _Scan(osmium.SimpleHandler):
    """Objects with addr:housenumber, by type, with node positions."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[int, tuple[float, float]] = {}
        self.ways: dict[int, list[tuple[float, float] | None]] = {}
        self.relations: set[int] = set()

    def node(self, n: osmium.osm.Node) -> None:
        if "addr:housenumber" in n.tags:
            self.nodes[n.id] = (n.location.lon, n.location.lat)

    def way(self, w: osmium.osm.Way) -> None:
        if "addr:housenumber" in w.tags:
            self.ways[w.id] = [
                (n.location.lon, n.location.lat) if n.location.valid() else None for n in w.nodes
            ]

    def relation(self, r: osmium.osm.Relation) -> None:
        if "addr:housenumber" in r.tags:
            self.relations.add(r.id)


@pytest.fixture(scope="module")
def lauf_pbf(data_root: Path) -> Path:
    return data_root / "lauf" / "lauf-an-der-pegnitz-2020-01-15.osm.pbf"


@pytest.fixture(scope="module")
def scan(lauf_pbf: Path) -> _Scan:
    h = _Scan()
    h.apply_file(str(lauf_pbf), locations=True)
    return h


@pytest.fixture(scope="module")
def lauf_addresses(lauf_pbf: Path) -> pd.DataFrame:
    return read_osm_addresses(lauf_pbf)


def test_counts_match_independent_scan(lauf_addresses: pd.DataFrame, scan: _Scan) -> None:
    counts = lauf_addresses["osm_type"].value_counts().to_dict()
    assert counts == {
        "node": len(scan.nodes),
        "way": len(scan.ways),
        "relation": len(scan.relations),
    }
    assert list(lauf_addresses.columns) == list(ADDRESS_COLUMNS)
    assert 5_000 < len(lauf_addresses) < 6_000  # README: about 5,400
    assert (lauf_addresses["housenumber"] != "").all()


def test_node_positions_are_exact(lauf_addresses: pd.DataFrame, scan: _Scan) -> None:
    nodes = lauf_addresses[lauf_addresses["osm_type"] == "node"].set_index("osm_id")
    assert len(nodes) > 100  # not vacuous
    expected = np.array([scan.nodes[i] for i in nodes.index])
    np.testing.assert_allclose(nodes[["lon", "lat"]].to_numpy(), expected, atol=1e-7)


def test_buildings_get_a_point_inside(lauf_addresses: pd.DataFrame, scan: _Scan) -> None:
    ways = lauf_addresses[lauf_addresses["osm_type"] == "way"].set_index("osm_id")
    checked = 0
    for wid, coords in scan.ways.items():
        if None in coords or coords[0] != coords[-1] or len(coords) < 4:
            continue
        poly = shapely.Polygon(coords)
        if not poly.is_valid:
            continue
        pt = shapely.Point(ways.loc[wid, "lon"], ways.loc[wid, "lat"])
        assert poly.buffer(1e-7).contains(pt), wid
        checked += 1
    assert checked > 500


def test_clipped_ways_keep_their_known_nodes(lauf_addresses: pd.DataFrame, scan: _Scan) -> None:
    clipped = {w: c for w, c in scan.ways.items() if None in c}
    assert lauf_addresses.attrs["dropped"]["clipped_ways"] == len(clipped)
    ways = lauf_addresses[lauf_addresses["osm_type"] == "way"].set_index("osm_id")
    for wid, coords in clipped.items():
        known = np.array([c for c in coords if c is not None])
        np.testing.assert_allclose(
            ways.loc[wid, ["lon", "lat"]].to_numpy(float), known.mean(axis=0), atol=1e-7
        )


def test_tiny_extract_with_missing_nodes(tmp_path: Path) -> None:
    nodes = (
        '<node id="1" version="1" lat="49.50" lon="11.27">'
        '<tag k="addr:street" v="Testgasse"/><tag k="addr:housenumber" v="1"/></node>'
        '<node id="2" version="1" lat="49.51" lon="11.28"/>'
        '<node id="3" version="1" lat="49.52" lon="11.28"/>'
    )
    ways = (
        '<way id="10" version="1"><nd ref="2"/><nd ref="3"/><nd ref="99"/><nd ref="2"/>'
        '<tag k="building" v="yes"/><tag k="addr:place" v="Weiler"/>'
        '<tag k="addr:housenumber" v="2 a"/></way>'
        '<way id="11" version="1"><nd ref="98"/><nd ref="97"/>'
        '<tag k="addr:street" v="Weg"/><tag k="addr:housenumber" v="3"/></way>'
    )
    path = tmp_path / "tiny.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}</osm>', "utf-8")
    out = read_osm_addresses(path)
    assert list(out["street"]) == ["Testgasse", "Weiler"]
    assert list(out["housenumber"]) == ["1", "2 a"]
    assert out.loc[1, "lon"] == pytest.approx((11.28 + 11.28 + 11.28) / 3)
    assert out.attrs["dropped"]["ways_without_nodes"] == 1


@pytest.mark.parametrize(
    ("content", "match"), [(None, "OSM file does not exist"), (b"", "the OSM file is empty")]
)
def test_bad_osm_files(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "x.osm.pbf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputDataError, match=match):
        read_osm_addresses(path)
