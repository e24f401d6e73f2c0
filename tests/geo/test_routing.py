"""Snapping and every graph search (geo.routing): travel times, nearest offer, offer x cell.

Reference results come from NetworkX Dijkstra on the same arrays and from one plain
SciPy run per offer, with snapping recomputed by brute force (tests/geo/oracles.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.errors import InputDataError, OutOfReachError
from geo.routing import Router, nearest_offer, offer_cell_seconds, travel_times
from geo.synthetic import grid_network, synthetic_offers
from tests.geo.oracles import per_offer_reference, random_points, reference_times

TO_STORE = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def synthetic_oneway() -> Router:
    return Router(grid_network(2500, oneway_share=0.3, seed=7, mode="drive"), access_kmh=4.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_travel_times_equal_networkx_on_wolfsburg(walk: Router, seed: int) -> None:
    for x, y in random_points(walk.net, 2, seed):
        got = travel_times(walk, (x, y), origin_crs="EPSG:25832")
        want = reference_times(walk.net, x, y, walk.access_mps)
        assert np.array_equal(np.isfinite(got.node_seconds), np.isfinite(want))
        finite = np.isfinite(want)
        np.testing.assert_allclose(got.node_seconds[finite], want[finite], rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "region_name, mode", [("wolfsburg", "drive"), ("lauf", "drive"), ("lauf", "bike")]
)
def test_travel_times_equal_networkx_other_modes(request, region_name: str, mode: str) -> None:
    region = request.getfixturevalue(region_name)
    router = Router(region.networks[mode])
    for x, y in random_points(router.net, 2, 21):
        got = travel_times(router, (x, y), origin_crs="EPSG:25832")
        want = reference_times(router.net, x, y, router.access_mps)
        finite = np.isfinite(want)
        assert np.array_equal(np.isfinite(got.node_seconds), finite)
        np.testing.assert_allclose(got.node_seconds[finite], want[finite], rtol=0, atol=1e-6)
    assert router.access_mps == pytest.approx(4.5 / 3.6)  # you walk to the bike or car


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_travel_times_equal_networkx_directed_synthetic(
    synthetic_oneway: Router, seed: int
) -> None:
    ((x, y),) = random_points(synthetic_oneway.net, 1, seed)
    lon, lat = TO_STORE.transform(x, y)
    got = travel_times(synthetic_oneway, (lon, lat))
    want = reference_times(synthetic_oneway.net, x, y, synthetic_oneway.access_mps)
    finite = np.isfinite(want)
    assert np.array_equal(np.isfinite(got.node_seconds), finite)
    # lon/lat round trip moves the point by nanometres: allow 1e-6 s
    np.testing.assert_allclose(got.node_seconds[finite], want[finite], rtol=0, atol=1e-6)


def test_max_seconds_cuts_the_search(walk: Router) -> None:
    ((x, y),) = random_points(walk.net, 1, 5)
    full = travel_times(walk, (x, y), origin_crs="EPSG:25832")
    cut = travel_times(walk, (x, y), origin_crs="EPSG:25832", max_seconds=300.0)
    inside = full.node_seconds <= 300.0
    np.testing.assert_array_equal(cut.node_seconds[inside], full.node_seconds[inside])
    assert np.isinf(cut.node_seconds[~inside]).all()
    assert 0 < cut.reached < full.reached


def test_origin_far_from_streets_is_refused(walk: Router) -> None:
    with pytest.raises(OutOfReachError, match=r"more than 500 m from any street") as info:
        travel_times(walk, (10.0, 53.5))
    assert info.value.offer_id is None
    np.testing.assert_allclose(info.value.point, (10.0, 53.5), atol=1e-9)


def test_origin_outside_boundary_is_refused(wolfsburg, walk: Router) -> None:
    # a point on a street but outside the Ortsteile: the first node east of the boundary
    lon, lat = TO_STORE.transform(walk.net.x, walk.net.y)
    outside = ~shapely.intersects_xy(wolfsburg.boundary, lon, lat)
    if not outside.any():
        pytest.skip("every walk node lies inside the boundary")
    i = int(np.flatnonzero(outside)[0])
    with pytest.raises(OutOfReachError, match=r"outside the region"):
        travel_times(walk, (lon[i], lat[i]), boundary=wolfsburg.boundary)
    inside = int(np.flatnonzero(~outside)[0])
    assert travel_times(walk, (lon[inside], lat[inside]), boundary=wolfsburg.boundary).reached > 0


def test_origin_with_nan_is_refused(walk: Router) -> None:
    with pytest.raises(OutOfReachError, match="finite"):
        travel_times(walk, (float("nan"), 52.4))


@pytest.mark.parametrize("n_offers, seed", [(5, 1), (40, 2)])
def test_nearest_offer_equals_one_run_per_offer(wolfsburg, walk: Router, n_offers, seed) -> None:
    offers = synthetic_offers(walk.net, n_offers, seed=seed)
    result = nearest_offer(walk, offers, cells=wolfsburg.cells)
    runs, ids = per_offer_reference(walk, offers)
    best = runs.min(axis=0)
    np.testing.assert_allclose(result.node_seconds, best, rtol=0, atol=1e-6)
    # the named offer is one that attains the minimum
    chosen = np.array([ids.index(o) for o in result.node_offer_id()])
    np.testing.assert_allclose(runs[chosen, np.arange(walk.net.n_nodes)], best, atol=1e-6)
    cells = wolfsburg.cells
    want = best[cells["node_walk"].to_numpy()] + cells["snap_m_walk"].to_numpy() / walk.access_mps
    np.testing.assert_allclose(result.cells["seconds"].to_numpy(), want, atol=1e-6)
    assert result.cells.index.equals(cells.index)


def test_nearest_offer_directed_uses_time_to_the_offer(synthetic_oneway: Router) -> None:
    offers = synthetic_offers(synthetic_oneway.net, 3, seed=4)
    result = nearest_offer(synthetic_oneway, offers)
    runs, _ = per_offer_reference(synthetic_oneway, offers)
    np.testing.assert_allclose(result.node_seconds, runs.min(axis=0), atol=1e-6)
    # and it differs from the forward direction somewhere (the graph is one-way in parts)
    from scipy.sparse import csgraph

    fwd = csgraph.dijkstra(synthetic_oneway.csr, indices=result.offer_node).min(axis=0)
    assert not np.allclose(fwd, runs.min(axis=0), atol=1.0)


def test_unusable_offers_are_listed_not_lost(walk: Router) -> None:
    offers = synthetic_offers(walk.net, 4, seed=3)
    offers.loc["o1", "geometry"] = None
    offers.loc["o2", "geometry"] = shapely.Point(9.0, 50.0)
    result = nearest_offer(walk, offers)
    assert list(result.offer_ids) == ["o0", "o3"]
    assert result.skipped.loc["o1", "reason"] == "no coordinates"
    assert "more than 500 m" in result.skipped.loc["o2", "reason"]


def test_no_offers_gives_unreached_everywhere(wolfsburg, walk: Router) -> None:
    empty = synthetic_offers(walk.net, 3, seed=1).iloc[0:0]
    result = nearest_offer(walk, empty, cells=wolfsburg.cells)
    assert np.isinf(result.node_seconds).all()
    assert result.cells["offer_id"].isna().all()


def test_cells_without_snap_columns_are_refused(walk: Router) -> None:
    cells = pd.DataFrame({"node_walk": [0, 1]})
    with pytest.raises(InputDataError, match="snap_m_walk"):
        nearest_offer(walk, synthetic_offers(walk.net, 2, seed=1), cells=cells)


def test_cells_with_foreign_nodes_are_refused(walk: Router) -> None:
    cells = pd.DataFrame({"node_walk": [0, walk.net.n_nodes + 5], "snap_m_walk": [1.0, 1.0]})
    with pytest.raises(InputDataError, match=r"row 2.*node_walk.*rebuild"):
        nearest_offer(walk, synthetic_offers(walk.net, 2, seed=1), cells=cells)


@pytest.mark.parametrize("seed", [3, 4])
def test_offer_cell_seconds_agree_with_nearest_offer(wolfsburg, walk: Router, seed: int) -> None:
    offers = synthetic_offers(walk.net, 25, seed=seed)
    _ids, seconds, _ = offer_cell_seconds(walk, offers, wolfsburg.cells)
    nearest = nearest_offer(walk, offers, cells=wolfsburg.cells)
    np.testing.assert_allclose(seconds.min(axis=0), nearest.cells["seconds"], atol=1e-6)
    # and each row is that offer's own run (the slow way)
    runs, ids = per_offer_reference(walk, offers)
    cells = wolfsburg.cells
    node = cells["node_walk"].to_numpy()
    walk_s = cells["snap_m_walk"].to_numpy() / walk.access_mps
    np.testing.assert_allclose(seconds, runs[:, node] + walk_s[None, :], atol=1e-6)
    assert list(_ids) == ids
