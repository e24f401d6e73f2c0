"""Isochrone bands (geo.isochrones): cutting, nesting, holes, accuracy and population."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.ops import substring

from geo.access import Router, isochrones, travel_times
from geo.errors import OutOfReachError
from geo.isochrones import cut_segments, near_distance
from geo.synthetic import grid_network

TO_STORE = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
TO_MEASURE = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


@pytest.fixture(scope="module")
def grid() -> Router:
    return Router(grid_network(3600, seed=3, spacing_m=120.0))


def origin_near_node(net, node: int, dx: float = 20.0, dy: float = -15.0) -> tuple[float, float]:
    lon, lat = TO_STORE.transform(net.x[node] + dx, net.y[node] + dy)
    return float(lon), float(lat)


@pytest.mark.parametrize("seed", [0, 1])
def test_cut_segments_equals_shapely_substring(walk: Router, seed: int) -> None:
    rng = np.random.default_rng(seed)
    segs = rng.choice(walk.net.n_segments, 300, replace=False)
    a = rng.uniform(0, 1, 300)
    b = rng.uniform(0, 1, 300)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    lo[:20], hi[:20] = 0.0, 1.0  # whole segments
    hi[20:40] = lo[20:40]  # empty pieces
    got = cut_segments(walk.net, segs, lo, hi)
    geoms = walk.net.segment_geometries
    for g, s, x0, x1 in zip(got, segs, lo, hi, strict=True):
        want = substring(geoms[s], x0, x1, normalized=True)
        assert shapely.hausdorff_distance(g, want) < 1e-6
        assert g.length == pytest.approx(want.length, abs=1e-6)


def test_bands_contract_on_wolfsburg(wolfsburg, walk: Router) -> None:
    node = int(
        np.argmin(np.hypot(walk.net.x - np.median(walk.net.x), walk.net.y - np.median(walk.net.y)))
    )
    bands = isochrones(
        walk, origin_near_node(walk.net, node), minutes=(20, 5, 10, 15, 10), cells=wolfsburg.cells
    )
    assert bands.crs.to_epsg() == 4326
    assert bands["minutes"].tolist() == [5.0, 10.0, 15.0, 20.0]
    assert bands["area_km2"].is_monotonic_increasing
    assert {"pop_total", "pop_0_5", "pop_65_plus", "mode"} <= set(bands.columns)
    geoms = bands.geometry.to_numpy()
    for small, big in itertools.pairwise(geoms):
        assert big.contains(small)
    # population: cells whose centre lies in the band, counted independently
    measured = shapely.transform(
        geoms, lambda xy: np.column_stack(TO_MEASURE.transform(xy[:, 0], xy[:, 1]))
    )
    cells = wolfsburg.cells
    pts = shapely.points(cells["x"].to_numpy(), cells["y"].to_numpy())
    for poly, (_, row) in zip(measured, bands.iterrows(), strict=True):
        inside = shapely.contains(poly, pts)
        assert row["pop_total"] == pytest.approx(cells.loc[inside, "pop_total"].sum(), abs=60)
        assert row["area_km2"] == pytest.approx(poly.area / 1e6, rel=1e-3)
    assert bands["pop_total"].iloc[-1] > 1000


def reference_lines(
    router: Router, origin: tuple[float, float], minutes: float
) -> shapely.Geometry:
    """The reached street pieces, built edge by edge with shapely.substring (EPSG:25832)."""
    net = router.net
    times = travel_times(router, origin)
    limit = minutes * 60.0
    d = times.node_seconds
    geoms = net.segment_geometries
    pieces = []
    for e in np.flatnonzero(d[net.edge_source] < limit):
        r = min(1.0, (limit - d[net.edge_source[e]]) / net.seconds[e])
        seg = geoms[net.edge_segment[e]]
        if net.edge_forward[e]:
            pieces.append(substring(seg, 0.0, r, normalized=True))
        else:
            pieces.append(substring(seg, 1.0 - r, 1.0, normalized=True))
    left = limit - times.access_seconds
    seg = geoms[times.segment]
    f = times.fraction
    for e in np.flatnonzero(net.edge_segment == times.segment):
        step = left / net.seconds[e]
        if net.edge_forward[e]:
            pieces.append(substring(seg, f, min(1.0, f + step), normalized=True))
        else:
            pieces.append(substring(seg, max(0.0, f - step), f, normalized=True))
    snap = shapely.line_interpolate_point(seg, f, normalized=True)
    pieces.append(shapely.LineString([times.origin_xy, (snap.x, snap.y)]))
    lines = [p for p in pieces if p.geom_type == "LineString"]  # drop zero-length pieces
    return shapely.multilinestrings(lines)


@pytest.mark.parametrize("seed", [4, 5, 6, 7, 8, 9])
def test_band_matches_exact_buffer_of_reached_pieces(walk: Router, seed: int) -> None:
    rng = np.random.default_rng(seed)
    node = int(rng.integers(walk.net.n_nodes))
    origin = origin_near_node(walk.net, node, dx=rng.uniform(-40, 40), dy=rng.uniform(-40, 40))
    bands = isochrones(walk, origin, minutes=(4,), buffer_m=30.0)
    got = shapely.transform(
        bands.geometry.iloc[0], lambda xy: np.column_stack(TO_MEASURE.transform(xy[:, 0], xy[:, 1]))
    )
    lines = reference_lines(walk, origin, 4.0)
    want = shapely.buffer(lines, 30.0, quad_segs=8)
    # raster tracing at buffer/5 = 6 m pixels: a few per cent of area, unbiased, and the
    # outline within two pixels of the exact one (holes narrower than that may close)
    assert shapely.symmetric_difference(got, want).area / want.area < 0.06
    assert got.area / want.area == pytest.approx(1.0, abs=0.03)
    assert shapely.buffer(lines, 30.0 + 12.0).contains(got)
    assert got.contains(shapely.buffer(lines, 30.0 - 12.0))


def test_blocks_without_streets_stay_holes(grid: Router) -> None:
    node = grid.net.n_nodes // 2 + 30
    bands = isochrones(grid, origin_near_node(grid.net, node), minutes=(10,), buffer_m=25.0)
    poly = bands.geometry.iloc[0]
    parts = getattr(poly, "geoms", [poly])
    assert sum(len(p.interiors) for p in parts) > 10


@settings(max_examples=12, deadline=None)
@given(
    node=st.integers(0, 3000),
    limits=st.lists(st.floats(0.5, 12.0), min_size=1, max_size=5),
    buffer_m=st.floats(10.0, 60.0),
)
def test_bands_nested_hypothesis(grid: Router, node: int, limits, buffer_m: float) -> None:
    bands = isochrones(
        grid, origin_near_node(grid.net, node % grid.net.n_nodes), minutes=limits, buffer_m=buffer_m
    )
    geoms = bands.geometry.to_numpy()
    assert bands["minutes"].is_monotonic_increasing
    for small, big in itertools.pairwise(geoms):
        assert big.contains(small) or small.is_empty


def test_origin_far_away_raises(grid: Router) -> None:
    with pytest.raises(OutOfReachError, match="more than 500 m"):
        isochrones(grid, (11.5, 52.9))


@pytest.mark.parametrize("minutes", [(), (0, 5), (-1,), (float("inf"),)])
def test_bad_band_limits_raise(grid: Router, minutes) -> None:
    with pytest.raises(ValueError, match="minutes must be positive"):
        isochrones(grid, origin_near_node(grid.net, 5), minutes=minutes)


@pytest.mark.parametrize("seed, reach_px", [(0, 3), (1, 7), (2, 12)])
def test_near_distance_equals_scipy_edt_within_reach(seed: int, reach_px: int) -> None:
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    mask = rng.random((120, 90)) < 0.01
    want = ndimage.distance_transform_edt(~mask, sampling=7.0)
    got = near_distance(mask, reach_px=reach_px, pixel_m=7.0)
    inside = want <= reach_px * 7.0
    np.testing.assert_allclose(got[inside], want[inside], rtol=1e-6)
    assert (got[~inside] > reach_px * 7.0).all()


def test_large_bands_use_coarser_pixels(grid: Router, monkeypatch) -> None:
    import geo.isochrones as iso

    origin = origin_near_node(grid.net, grid.net.n_nodes // 2)
    fine = isochrones(grid, origin, minutes=(5, 10), buffer_m=30.0)
    monkeypatch.setattr(iso, "MAX_PIXELS", 5_000)
    coarse = isochrones(grid, origin, minutes=(5, 10), buffer_m=30.0)
    assert coarse.geometry.iloc[1].contains(coarse.geometry.iloc[0])
    np.testing.assert_allclose(coarse["area_km2"], fine["area_km2"], rtol=0.2)
    # fewer outline vertices: the raster really was coarser
    assert shapely.get_num_coordinates(coarse.geometry.iloc[1]) < shapely.get_num_coordinates(
        fine.geometry.iloc[1]
    )
