"""Reading OSM extracts: formats, clipped ways, POIs, basemap features, bad files."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import osmium
import pytest
import shapely

from geo.addresses import read_osm_addresses
from geo.districts import districts_from_osm
from geo.errors import InputDataError, NetworkBuildError
from geo.netbuild import network_for_mode
from geo.osm import OsmExtract, pois_from_geojson, read_osm, stream_osm
from tests.geo.osm_cut import LAUF_PBF, copy_osm, write_osm_cut

#: A few blocks of central Lauf, small enough for OSMnx' XML reader to be quick.
SMALL_BBOX = (11.278, 49.507, 11.286, 49.512)
SPEEDS = {"walk_kmh": 4.5, "bike_kmh": 15.0, "drive_default_kmh": 50.0}


@pytest.fixture(scope="module")
def lauf_extract(data_root: Path) -> OsmExtract:
    return read_osm(data_root / LAUF_PBF)


@pytest.fixture(scope="module")
def cuts(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("osmcuts")
    pbf = folder / "cut.osm.pbf"
    written = write_osm_cut(data_root / LAUF_PBF, pbf)
    out = {".osm.pbf": (pbf, written)}
    for suffix in (".osm", ".osm.gz", ".osm.bz2"):
        path = folder / f"cut{suffix}"
        copy_osm(pbf, path)
        out[suffix] = (path, written)
    return out


@pytest.mark.parametrize("suffix", [".osm", ".osm.gz", ".osm.bz2"])
def test_every_osm_format_reads_the_same(cuts: dict, suffix: str) -> None:
    ref_path, written = cuts[".osm.pbf"]
    path, _ = cuts[suffix]
    ref, got = read_osm(ref_path), read_osm(path)
    assert ref.segments.n_segments > 500
    assert got.segments.n_segments == ref.segments.n_segments
    assert np.array_equal(np.sort(got.segments.node_osmid), np.sort(ref.segments.node_osmid))
    assert np.isclose(got.segments.length_m.sum(), ref.segments.length_m.sum())
    assert got.stats["highway_ways"] + got.stats["ways_missing_nodes_dropped"] == written["ways"]
    for mode in ("walk", "drive"):
        a = network_for_mode(ref.segments, mode=mode, **SPEEDS)
        b = network_for_mode(got.segments, mode=mode, **SPEEDS)
        assert (a.n_nodes, a.n_edges) == (b.n_nodes, b.n_edges)


def test_clipped_ways_are_trimmed_or_dropped_and_counted(cuts: dict) -> None:
    path, written = cuts[".osm.pbf"]
    ext = read_osm(path)
    assert written["ways_cut"] > 0
    assert ext.stats["ways_missing_nodes"] == written["ways_cut"]
    assert (
        ext.stats["ways_missing_nodes_trimmed"] + ext.stats["ways_missing_nodes_dropped"]
        == written["ways_cut"]
    )
    assert ext.stats["ways_missing_nodes_trimmed"] > 0
    assert ext.stats["ways_missing_nodes_dropped"] > 0


def test_lauf_missing_node_ways_counted(lauf_extract: OsmExtract) -> None:
    # The data README: 276 ways reference nodes outside the extract.
    assert lauf_extract.stats["ways_missing_nodes"] == 276
    hw_cut = (
        lauf_extract.stats["ways_missing_nodes_trimmed"]
        + lauf_extract.stats["ways_missing_nodes_dropped"]
    )
    assert 0 < hw_cut <= 276


def test_lauf_region_reports_dropped_ways(lauf) -> None:
    dropped = lauf.info["dropped"]
    assert dropped["ways_missing_nodes"] == 276
    for mode in ("walk", "bike", "drive"):
        assert dropped[mode]["nodes"] >= 0 and dropped[mode]["edges"] >= 0


def test_lauf_drive_respects_oneway(lauf_extract: OsmExtract) -> None:
    seg = lauf_extract.segments
    net = network_for_mode(seg, mode="drive", **SPEEDS)
    walk = network_for_mode(seg, mode="walk", **SPEEDS)
    oneway = seg.tags["oneway"].isin(["yes", "1", "true"]).to_numpy()
    assert oneway.sum() > 50

    def edges_by_osmid(n) -> set[tuple[int, int]]:
        return set(zip(n.osmid[n.edge_source].tolist(), n.osmid[n.indices].tolist(), strict=True))

    drive_edges, walk_edges = edges_by_osmid(net), edges_by_osmid(walk)
    u_osm, v_osm = seg.node_osmid[seg.u], seg.node_osmid[seg.v]
    checked = 0
    for j in np.flatnonzero(oneway):
        a, b = int(u_osm[j]), int(v_osm[j])
        if (a, b) not in drive_edges:
            continue  # outside the largest component
        # A parallel two-way piece between the same nodes would allow the reverse.
        same_pair = ((u_osm == b) & (v_osm == a)) | ((u_osm == a) & (v_osm == b))
        if (~oneway & same_pair).any():
            continue
        assert (b, a) not in drive_edges
        if (a, b) in walk_edges:
            assert (b, a) in walk_edges
        checked += 1
    assert checked > 50


def test_lauf_pois(lauf_extract: OsmExtract) -> None:
    pois = lauf_extract.pois
    assert list(pois.columns) == ["osm_type", "osm_id", "name", "tags", "geometry"]
    assert pois.crs.to_epsg() == 4326
    amenity = pois["tags"].map(lambda t: t.get("amenity"))
    # The data README: 13 school and 7 kindergarten ways, plus 2 and 4 nodes.
    schools = pois[amenity == "school"]["osm_type"].value_counts()
    kitas = pois[amenity == "kindergarten"]["osm_type"].value_counts()
    assert (schools.get("way"), schools.get("node")) == (13, 2)
    assert (kitas.get("way"), kitas.get("node")) == (7, 4)
    assert (pois.geom_type == "Point").all()
    # Areas are reduced to a point inside them, within the extract (plus a margin).
    box = shapely.box(11.2474, 49.4995, 11.3079, 49.5304).buffer(0.02)
    assert shapely.contains(box, pois.geometry.to_numpy()).all()
    # All tags are kept, not only the POI keys.
    assert any("addr:street" in t for t in pois["tags"])
    assert not pois.duplicated(subset=["osm_type", "osm_id"]).any()


def test_lauf_basemap_features(lauf_extract: OsmExtract) -> None:
    areas, labels = lauf_extract.areas, lauf_extract.labels
    assert set(areas["cls"]) == {"water", "green", "forest", "residential"}
    assert areas.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert "Lauf an der Pegnitz" in set(labels["name"])
    assert lauf_extract.bbox is not None
    assert lauf_extract.bbox[0] == pytest.approx(11.2474, abs=1e-4)


def test_wolfsburg_facilities_as_pois(data_root: Path) -> None:
    pois = pois_from_geojson(data_root / "wolfsburg" / "facilities.geojson")
    assert len(pois) == 1170
    # The data README: 658 of the 1,170 features are ways.
    assert (pois["osm_type"] == "way").sum() == 658
    assert (pois["osm_id"] > 0).all()
    assert all("_type" not in t and "_id" not in t for t in pois["tags"])
    kitas = pois["tags"].map(lambda t: t.get("amenity") == "kindergarten").sum()
    assert kitas == 122


# --- Bad files -----------------------------------------------------------------------------


def test_missing_osm_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkBuildError, match=r"nothere\.osm\.pbf.*does not exist"):
        read_osm(tmp_path / "nothere.osm.pbf")


def test_unknown_osm_suffix(tmp_path: Path) -> None:
    path = tmp_path / "streets.xml"
    path.write_text("<osm/>")
    with pytest.raises(NetworkBuildError, match=r"streets\.xml.*unknown OSM file type"):
        read_osm(path)


@pytest.mark.parametrize("seed", [0, 1])
def test_corrupt_pbf(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "corrupt.osm.pbf"
    path.write_bytes(np.random.default_rng(seed).bytes(4096))
    with pytest.raises(NetworkBuildError, match=r"corrupt\.osm\.pbf.*cannot read the OSM file"):
        read_osm(path)


def test_truncated_pbf(tmp_path: Path, data_root: Path) -> None:
    raw = (data_root / LAUF_PBF).read_bytes()
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(raw[: len(raw) // 3])
    with pytest.raises(NetworkBuildError, match=r"truncated\.osm\.pbf"):
        read_osm(path)


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_empty_osm_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    with osmium.SimpleWriter(str(path)):
        pass
    with pytest.raises(NetworkBuildError, match=r"empty\.osm.*no highway ways"):
        read_osm(path)


def test_broken_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm.gz"
    path.write_bytes(gzip.compress(b"<osm version='0.6'><node id='1' lat='49.5' lon=")[:-8])
    with pytest.raises(NetworkBuildError, match=r"broken\.osm\.gz"):
        read_osm(path)


def test_junctions_and_length_match_osmnx(data_root: Path, tmp_path: Path) -> None:
    """OSMnx as an independent oracle on a cut without missing nodes (it rejects those)."""
    import osmnx as ox

    path = tmp_path / "complete.osm"
    write_osm_cut(data_root / LAUF_PBF, path, bbox=SMALL_BBOX, complete_ways=True)
    seg = read_osm(path).segments
    graph = ox.graph_from_xml(path, simplify=False, retain_all=True, bidirectional=True)
    simple = ox.simplify_graph(graph)
    # Our nodes that are not mere joints between two pieces are OSMnx' simplified nodes.
    degree = np.bincount(np.concatenate([seg.u, seg.v]), minlength=seg.node_x.shape[0])
    ours = set(seg.node_osmid[degree != 2].tolist())
    assert len(ours) > 100
    assert ours == set(simple.nodes)
    # Lengths agree up to the UTM scale factor at 11° E (great circle vs EPSG:25832).
    theirs_m = sum(d["length"] for _, _, d in ox.convert.to_undirected(graph).edges(data=True))
    assert seg.length_m.sum() == pytest.approx(theirs_m, rel=0.003)


_HAND_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="49.5000" lon="11.2800"/>
  <node id="2" version="1" lat="49.5000" lon="11.2810"/>
  <node id="4" version="1" lat="49.5000" lon="11.2830"/>
  <node id="5" version="1" lat="49.5000" lon="11.2840"/>
  <node id="6" version="1" lat="49.5010" lon="11.2810"/>
  <node id="11" version="1" lat="49.5020" lon="11.2800"/>
  <node id="12" version="1" lat="49.5020" lon="11.2810"/>
  <node id="13" version="1" lat="49.5030" lon="11.2810"/>
  <node id="14" version="1" lat="49.5030" lon="11.2800"/>
  <node id="20" version="1" lat="49.5040" lon="11.2800">
    <tag k="place" v="village"/><tag k="name" v="Testdorf"/>
  </node>
  <node id="21" version="1" lat="49.5041" lon="11.2801">
    <tag k="amenity" v="library"/><tag k="name" v="Bücherei &lt;Test&gt;"/>
  </node>
  <way id="100" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="99"/><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/>
  </way>
  <way id="101" version="1">
    <nd ref="2"/><nd ref="98"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="102" version="1">
    <nd ref="2"/><nd ref="6"/>
    <tag k="highway" v="service"/><tag k="amenity" v="school"/>
  </way>
  <way id="103" version="1">
    <nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="11"/>
    <tag k="amenity" v="kindergarten"/><tag k="name" v="Kita Sonnenschein"/>
    <tag k="capacity" v="45"/>
  </way>
  <way id="104" version="1">
    <nd ref="11"/><nd ref="12"/><nd ref="97"/><nd ref="14"/><nd ref="11"/>
    <tag k="amenity" v="community_centre"/>
  </way>
</osm>
"""


def test_hand_made_extract(tmp_path: Path) -> None:
    path = tmp_path / "hand.osm"
    path.write_text(_HAND_OSM, encoding="utf-8")
    ext = read_osm(path)
    # Way 100 loses node 99 in its middle: two runs remain. Way 101 keeps one node only.
    assert ext.stats["ways_missing_nodes"] == 3
    assert ext.stats["ways_missing_nodes_trimmed"] == 1
    assert ext.stats["ways_missing_nodes_dropped"] == 1
    seg = ext.segments
    pairs = {
        (int(seg.node_osmid[u]), int(seg.node_osmid[v])) for u, v in zip(seg.u, seg.v, strict=True)
    }
    assert pairs == {(1, 2), (4, 5), (2, 6)}
    assert set(seg.tags["way_id"]) == {100, 102}
    drive = network_for_mode(seg, mode="drive", **SPEEDS)
    # Both pieces of the one-way street are one-way; the largest strong component is a
    # single node pair at most, and 2 -> 6 is two-way.
    assert drive.n_edges == 2 and set(drive.osmid.tolist()) == {2, 6}

    pois = ext.pois.set_index(["osm_type", "osm_id"])
    # Way 104 is a ring cut by a missing node: no area, but still a POI.
    assert set(pois.index) == {("node", 21), ("way", 102), ("way", 103), ("way", 104)}
    kita = pois.loc[("way", 103)]
    assert kita["name"] == "Kita Sonnenschein" and kita["tags"]["capacity"] == "45"
    square = shapely.box(11.2800, 49.5020, 11.2810, 49.5030)
    assert square.contains(kita["geometry"])
    school = pois.loc[("way", 102)]["geometry"]
    assert school.x == pytest.approx(11.2810) and school.y == pytest.approx(49.5005)
    assert pois.loc[("node", 21)]["name"] == "Bücherei <Test>"
    assert ext.labels["name"].tolist() == ["Testdorf"]


# --- One reader for all OSM consumers ------------------------------------------------------


def _read_districts(path: Path) -> object:
    return districts_from_osm(path, admin_levels=[9, 10])


@pytest.mark.parametrize(
    ("reader", "error"),
    [
        (read_osm, NetworkBuildError),
        (read_osm_addresses, InputDataError),
        (_read_districts, InputDataError),
    ],
)
@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("gone.osm.pbf", None, r"gone\.osm\.pbf.*does not exist"),
        ("empty.osm.pbf", b"", r"empty\.osm\.pbf.*the OSM file is empty"),
        ("streets.xml", b"<osm/>", r"streets\.xml.*unknown OSM file type"),
        ("noise.osm.pbf", "random", r"noise\.osm\.pbf.*cannot read the OSM file.*How to fix"),
    ],
)
def test_every_osm_reader_names_the_bad_file(
    tmp_path: Path,
    reader: Callable[[Path], object],
    error: type[InputDataError],
    name: str,
    content: bytes | str | None,
    match: str,
) -> None:
    path = tmp_path / name
    if content == "random":
        path.write_bytes(np.random.default_rng(3).bytes(4096))
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=match):
        reader(path)


def test_stream_osm_does_not_mask_errors_of_the_loop_body(data_root: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        for _obj in stream_osm(data_root / LAUF_PBF):
            _ = 1 / 0
