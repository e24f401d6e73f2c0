"""Street networks: line files, noding, per-mode rules and the CSR contract."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csgraph

from geo.errors import NetworkBuildError
from geo.lines import network_from_lines, read_lines, segments_from_lines
from geo.netbuild import ROUTING_TAGS, mode_rules, network_for_mode, node_lines, parse_maxspeed
from geo.network import Network

SPEEDS = {"walk_kmh": 4.5, "bike_kmh": 15.0, "drive_default_kmh": 50.0}
MODES = ("walk", "bike", "drive")


def _geojson(path: Path, features: list[dict], *, crs: str | None = "EPSG:4326") -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _line(coords: list[tuple[float, float]], **props: str) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
    }


def _tags(n: int, **cols: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: [""] * n for c in ROUTING_TAGS})
    for key, values in cols.items():
        frame[key.replace("__", ":")] = values
    return frame


# --- Real regions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "mode", "lo", "hi"),
    [
        ("wolfsburg", "walk", 10_000, 40_000),
        ("wolfsburg", "bike", 5_000, 30_000),
        ("wolfsburg", "drive", 4_000, 20_000),
        ("lauf", "walk", 2_000, 10_000),
        ("lauf", "bike", 1_500, 10_000),
        ("lauf", "drive", 1_000, 6_000),
    ],
)
def test_region_network_sizes_plausible(
    request: pytest.FixtureRequest, region: str, mode: str, lo: int, hi: int
) -> None:
    net = request.getfixturevalue(region).networks[mode]
    assert lo <= net.n_nodes <= hi
    # Street graphs have an average out-degree between ~2 and ~3.5.
    assert 1.8 <= net.n_edges / net.n_nodes <= 3.5
    assert net.stats["dropped_nodes"] < 0.15 * net.n_nodes


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_mode_sizes_ordered(request: pytest.FixtureRequest, region: str) -> None:
    nets = request.getfixturevalue(region).networks
    # Walkers may use everything cyclists may, cars the least.
    assert nets["walk"].n_nodes > nets["bike"].n_nodes > nets["drive"].n_nodes
    walk_len = nets["walk"].seg_length_m.sum()
    assert walk_len > nets["drive"].seg_length_m.sum()


def _check_contract(net: Network) -> None:
    n, m = net.n_nodes, net.n_edges
    assert net.indptr.shape == (n + 1,) and net.indptr[0] == 0 and net.indptr[-1] == m
    assert np.all(np.diff(net.indptr) >= 0)
    src = net.edge_source
    dst = net.indices.astype(np.int64)
    assert np.all((dst >= 0) & (dst < n))
    assert not np.any(src == dst), "self loop"
    pairs = src.astype(np.int64) * n + dst
    assert np.unique(pairs).shape[0] == m, "parallel edges"
    assert np.all(net.seconds > 0) and np.all(np.isfinite(net.seconds))
    seg = net.edge_segment
    assert np.all((seg >= 0) & (seg < net.n_segments))
    fwd = net.edge_forward
    assert np.array_equal(np.where(fwd, net.seg_u[seg], net.seg_v[seg]), src)
    assert np.array_equal(np.where(fwd, net.seg_v[seg], net.seg_u[seg]), dst)
    first = net.seg_coords[net.seg_offsets[:-1]]
    last = net.seg_coords[net.seg_offsets[1:] - 1]
    assert np.allclose(first, np.column_stack([net.x[net.seg_u], net.y[net.seg_u]]))
    assert np.allclose(last, np.column_stack([net.x[net.seg_v], net.y[net.seg_v]]))
    lengths = shapely.length(net.segment_geometries)
    assert np.allclose(lengths, net.seg_length_m)
    # EPSG:25832 metres, i.e. far from degree values.
    assert net.x.min() > 1e5 and net.y.min() > 5e6


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
@pytest.mark.parametrize("mode", MODES)
def test_region_networks_keep_the_csr_contract(
    request: pytest.FixtureRequest, region: str, mode: str
) -> None:
    net = request.getfixturevalue(region).networks[mode]
    assert net.mode == mode
    _check_contract(net)
    n_comp, _ = csgraph.connected_components(net.csr(), directed=True, connection="strong")
    assert n_comp == 1


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_walk_speed_is_the_setting(request: pytest.FixtureRequest, region: str) -> None:
    net = request.getfixturevalue(region).networks["walk"]
    hw = net.seg_highway[net.edge_segment]
    length = net.seg_length_m[net.edge_segment]
    flat = (hw != "steps") & (length > 1.0)
    assert np.allclose(net.seconds[flat], length[flat] / (4.5 / 3.6))


def test_wolfsburg_has_no_oneway_tags_and_says_so(wolfsburg) -> None:
    assert "oneway_note" in wolfsburg.info
    drive = wolfsburg.networks["drive"]
    src, dst = drive.edge_source, drive.indices
    pairs = set(zip(src.tolist(), dst.tolist(), strict=True))
    residential = drive.seg_highway[drive.edge_segment] == "residential"
    assert all((d, s) in pairs for s, d in zip(src[residential], dst[residential], strict=True))


# --- Noding -----------------------------------------------------------------------------------


def test_bridge_is_no_junction(tmp_path: Path) -> None:
    shared = (10.785, 52.42)
    path = _geojson(
        tmp_path / "lines.geojson",
        [
            _line([(10.78, 52.42), shared, (10.79, 52.42)], highway="residential", name="A"),
            _line([shared, (10.785, 52.425)], highway="residential", name="C"),
            # Crosses A between its vertices, like a bridge: no shared vertex.
            _line([(10.787, 52.415), (10.787, 52.425)], highway="primary", name="Bridge"),
        ],
    )
    seg = segments_from_lines([path])
    assert seg.n_segments == 4
    assert seg.node_x.shape[0] == 6
    bridge = np.flatnonzero(seg.tags["name"].to_numpy() == "Bridge")
    assert bridge.shape == (1,)
    degree = np.bincount(np.concatenate([seg.u, seg.v]), minlength=seg.node_x.shape[0])
    assert degree[seg.u[bridge[0]]] == 1 and degree[seg.v[bridge[0]]] == 1
    hub = np.argmax(degree)
    assert degree[hub] == 3
    net = network_for_mode(seg, mode="walk", **SPEEDS)
    # The bridge is its own component, so the walk network keeps A + C only.
    assert net.n_nodes == 4
    assert net.stats["dropped_nodes"] == 2
    assert "Bridge" not in set(net.seg_name)


def test_closed_way_is_split_not_a_self_loop(tmp_path: Path) -> None:
    ring = [(10.78, 52.42), (10.781, 52.42), (10.781, 52.421), (10.78, 52.421), (10.78, 52.42)]
    path = _geojson(tmp_path / "ring.geojson", [_line(ring, highway="residential")])
    net = network_from_lines([path], mode="drive", **SPEEDS)
    _check_contract(net)
    assert net.n_nodes >= 2
    assert np.isclose(
        net.seg_length_m.sum(),
        shapely.length(gpd.read_file(path).to_crs("EPSG:25832").geometry.iloc[0]),
    )


def test_parallel_edges_keep_the_fastest(tmp_path: Path) -> None:
    a, b = (10.78, 52.42), (10.79, 52.42)
    path = _geojson(
        tmp_path / "par.geojson",
        [
            # The same street mapped twice, with different limits.
            _line([a, b], highway="residential", maxspeed="30"),
            _line([a, b], highway="primary", maxspeed="100"),
        ],
    )
    seg = segments_from_lines([path])
    net = network_for_mode(seg, mode="drive", **SPEEDS)
    _check_contract(net)
    assert net.n_nodes == 2 and net.n_edges == 2
    fast = seg.length_m[1] / (100 / 3.6)
    assert np.allclose(net.seconds, fast)
    assert net.stats["parallel_edges_dropped"] == 2


def test_parallel_pieces_with_vertices_are_split_not_dropped(tmp_path: Path) -> None:
    a, b = (10.78, 52.42), (10.79, 52.42)
    path = _geojson(
        tmp_path / "par.geojson",
        [
            _line([a, b], highway="residential"),
            _line([a, (10.785, 52.421), b], highway="residential"),
        ],
    )
    net = network_from_lines([path], mode="drive", **SPEEDS)
    _check_contract(net)
    assert net.n_nodes == 3 and net.n_edges == 6
    assert net.stats["parallel_edges_dropped"] == 0


@st.composite
def _random_lines(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_lines = draw(st.integers(1, 12))
    lines = [
        draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=8))
        for _ in range(n_lines)
    ]
    coords = np.array([p for line in lines for p in line], dtype=np.float64) * 10.0
    offsets = np.concatenate([[0], np.cumsum([len(line) for line in lines])])
    return coords, offsets


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_random_lines())
def test_noding_keeps_length_and_splits_only_at_shared_vertices(
    lines: tuple[np.ndarray, np.ndarray],
) -> None:
    coords, offsets = lines
    keys = (coords[:, 0] * 1000 + coords[:, 1]).astype(np.int64)
    seg = node_lines(keys, coords, offsets, _tags(offsets.shape[0] - 1))
    total = sum(
        np.hypot(*np.diff(coords[a:b], axis=0).T).sum() for a, b in itertools.pairwise(offsets)
    )
    assert np.isclose(seg.length_m.sum(), total)
    assert not np.any(seg.u == seg.v)
    # Vertices that must be junctions: line ends and vertices met more than once.
    must: set[tuple[float, float]] = set()
    seen: set[tuple[float, float]] = set()
    for a, b in itertools.pairwise(offsets):
        line = [tuple(p) for p in coords[a:b]]
        line = [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]
        if len(line) < 2:
            continue  # a line of one point is dropped, it makes no junction
        must.update({line[0], line[-1]})
        for p in line:
            if p in seen:
                must.add(p)
            seen.add(p)
    for j in range(seg.n_segments):
        inner = seg.coords[seg.offsets[j] + 1 : seg.offsets[j + 1] - 1]
        assert not any((x, y) in must for x, y in inner)


# --- Rules and speeds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kmh"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("DE:living_street", 7.0),
        ("walk", 7.0),
        ("none", 130.0),
        ("50;30", 30.0),
        ("", None),
        ("signals?", None),
    ],
)
def test_parse_maxspeed(text: str, kmh: float | None) -> None:
    got = parse_maxspeed(text)
    assert got == pytest.approx(kmh) if kmh is not None else got is None


@pytest.mark.parametrize(
    ("tags", "walk", "bike", "drive"),
    [
        ({"highway": "residential"}, True, True, True),
        ({"highway": "motorway"}, False, False, True),
        ({"highway": "trunk", "sidewalk": "both"}, True, False, True),
        ({"highway": "footway"}, True, False, False),
        ({"highway": "footway", "bicycle": "yes"}, True, True, False),
        ({"highway": "steps"}, True, False, False),
        ({"highway": "path"}, True, True, False),
        ({"highway": "residential", "access": "private"}, False, False, False),
        ({"highway": "track", "foot": "no"}, False, True, False),
        ({"highway": "service", "service": "parking_aisle"}, True, True, False),
        ({"highway": "construction"}, False, False, False),
        ({"highway": "pedestrian", "area": "yes"}, False, False, False),
        ({"highway": "residential", "vehicle": "no"}, True, False, False),
        ({"highway": "residential", "vehicle": "no", "bicycle": "yes"}, True, True, False),
        ({"highway": "residential", "access": "no", "foot": "yes"}, True, False, False),
        ({"highway": "service", "access": "no", "motor_vehicle": "yes"}, False, False, True),
    ],
)
def test_mode_rules_access(tags: dict[str, str], walk: bool, bike: bool, drive: bool) -> None:
    frame = _tags(1, **{k.replace(":", "__"): [v] for k, v in tags.items()})
    for mode, expected in (("walk", walk), ("bike", bike), ("drive", drive)):
        allowed, _, _, _ = mode_rules(frame, mode=mode, **SPEEDS)
        assert bool(allowed[0]) is expected, mode


@pytest.mark.parametrize(
    ("tags", "forward", "backward"),
    [
        ({"highway": "residential"}, True, True),
        ({"highway": "residential", "oneway": "yes"}, True, False),
        ({"highway": "residential", "oneway": "1"}, True, False),
        ({"highway": "residential", "oneway": "true"}, True, False),
        ({"highway": "residential", "oneway": "-1"}, False, True),
        ({"highway": "primary", "junction": "roundabout"}, True, False),
        ({"highway": "motorway"}, True, False),
        ({"highway": "motorway", "oneway": "no"}, True, True),
    ],
)
def test_drive_oneway(tags: dict[str, str], forward: bool, backward: bool) -> None:
    frame = _tags(1, **{k: [v] for k, v in tags.items()})
    _, fwd, bwd, _ = mode_rules(frame, mode="drive", **SPEEDS)
    assert (bool(fwd[0]), bool(bwd[0])) == (forward, backward)
    _, wf, wb, _ = mode_rules(frame, mode="walk", **SPEEDS)
    assert wf[0] and wb[0]


@pytest.mark.parametrize(
    ("tags", "kmh"),
    [
        ({"highway": "residential", "maxspeed": "30"}, 30.0),
        ({"highway": "primary", "maxspeed": "DE:rural"}, 100.0),
        ({"highway": "residential"}, 30.0),
        ({"highway": "living_street"}, 7.0),
        ({"highway": "motorway"}, 120.0),
        ({"highway": "road", "maxspeed": "garbage"}, 30.0),
    ],
)
def test_drive_speed(tags: dict[str, str], kmh: float) -> None:
    frame = _tags(1, **{k: [v] for k, v in tags.items()})
    *_, speed = mode_rules(frame, mode="drive", **SPEEDS)
    assert speed[0] == pytest.approx(kmh)


@pytest.mark.parametrize("setting", [40.0, 50.0])
def test_drive_default_setting_applies_to_through_roads(setting: float) -> None:
    frame = _tags(3, highway=["primary", "tertiary", "residential"], maxspeed=["", "", ""])
    *_, kmh = mode_rules(
        frame, mode="drive", walk_kmh=4.5, bike_kmh=15.0, drive_default_kmh=setting
    )
    assert kmh.tolist() == [setting, setting, 30.0]


def test_walk_and_bike_speeds_follow_the_settings() -> None:
    frame = _tags(2, highway=["residential", "steps"])
    *_, walk = mode_rules(frame, mode="walk", walk_kmh=5.0, bike_kmh=20.0, drive_default_kmh=50)
    *_, bike = mode_rules(frame, mode="bike", walk_kmh=5.0, bike_kmh=20.0, drive_default_kmh=50)
    assert walk[0] == 5.0 and walk[1] < 5.0
    assert bike[0] == 20.0


# --- Line file formats and bad input ----------------------------------------------------------


@pytest.fixture(scope="module")
def roads_subset(data_root: Path) -> gpd.GeoDataFrame:
    roads = gpd.read_file(data_root / "wolfsburg" / "roads.geojson")
    centre = shapely.Point(10.787, 52.423).buffer(0.02)
    return roads[roads.intersects(centre)].reset_index(drop=True)


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile")])
def test_line_formats_give_the_same_network(
    tmp_path: Path, roads_subset: gpd.GeoDataFrame, suffix: str, driver: str
) -> None:
    ref_path = tmp_path / "roads.geojson"
    roads_subset.to_file(ref_path, driver="GeoJSON")
    other = tmp_path / f"roads{suffix}"
    roads_subset.to_file(other, driver=driver)
    ref = network_from_lines([ref_path], mode="drive", **SPEEDS)
    got = network_from_lines([other], mode="drive", **SPEEDS)
    assert ref.n_nodes > 100
    assert (got.n_nodes, got.n_edges) == (ref.n_nodes, ref.n_edges)
    assert np.allclose(np.sort(got.seconds), np.sort(ref.seconds))


def test_projected_line_file_is_reprojected(tmp_path: Path, roads_subset) -> None:
    path = tmp_path / "roads_25832.gpkg"
    roads_subset.to_crs("EPSG:25832").to_file(path, driver="GPKG")
    ref = tmp_path / "roads.geojson"
    roads_subset.to_file(ref, driver="GeoJSON")
    a = network_from_lines([path], mode="walk", **SPEEDS)
    b = network_from_lines([ref], mode="walk", **SPEEDS)
    assert a.n_nodes == b.n_nodes
    assert np.isclose(a.seg_length_m.sum(), b.seg_length_m.sum(), rtol=1e-6)


def test_line_file_without_highway(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "nohw.geojson", [_line([(10.78, 52.42), (10.79, 52.42)], typ="x")])
    with pytest.raises(NetworkBuildError, match=r"nohw\.geojson.*'highway'"):
        read_lines(path)


def test_line_file_wrong_crs(tmp_path: Path) -> None:
    # EPSG:25832 metres in a file that claims EPSG:4326.
    path = _geojson(
        tmp_path / "wrong.geojson",
        [_line([(620_000.0, 5_805_000.0), (620_100.0, 5_805_000.0)], highway="residential")],
        crs="EPSG:4326",
    )
    with pytest.raises(NetworkBuildError, match=r"wrong\.geojson.*wrong CRS.*How to fix"):
        read_lines(path)


def test_line_file_degrees_in_a_projected_crs(tmp_path: Path, roads_subset) -> None:
    path = tmp_path / "degrees.gpkg"
    roads_subset.set_crs("EPSG:25832", allow_override=True).to_file(path, driver="GPKG")
    with pytest.raises(NetworkBuildError, match=r"degrees\.gpkg.*wrong CRS.*EPSG:25832.*degrees"):
        read_lines(path)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_line_file_without_crs_and_projected_coordinates(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"highway": ["residential"]},
        geometry=[shapely.LineString([(620_000.0, 5_805_000.0), (620_100.0, 5_805_000.0)])],
    )
    path = tmp_path / "nocrs.shp"
    gdf.to_file(path)
    with pytest.raises(NetworkBuildError, match=r"nocrs\.shp.*wrong CRS.*Set the CRS"):
        read_lines(path)


@pytest.mark.parametrize("name", ["missing.geojson", "roads.csv"])
def test_line_file_missing_or_unknown_type(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("a,b\n1,2\n")
    with pytest.raises(NetworkBuildError, match=name.replace(".", r"\.")):
        read_lines(path)


def test_corrupt_line_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(NetworkBuildError, match=r"broken\.geojson.*cannot read"):
        read_lines(path)
