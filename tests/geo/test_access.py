"""Travel times, nearest offers, the memo cache and what-if scenarios (geo.access).

Reference results come from NetworkX Dijkstra on the same arrays, with snapping
recomputed by brute force, so the engine's shortcuts (STRtree, virtual source,
pointer jumping) are checked independently.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.access import (
    AccessCache,
    NewOffer,
    Router,
    nearest_offer,
    offer_seconds,
    offers_fingerprint,
    travel_times,
    what_if,
)
from geo.errors import InputDataError, OutOfReachError
from geo.network import Network
from geo.synthetic import grid_network, synthetic_cells, synthetic_offers

TO_STORE = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def walk(wolfsburg) -> Router:
    return Router(wolfsburg.networks["walk"])


@pytest.fixture(scope="module")
def synthetic_oneway() -> Router:
    return Router(grid_network(2500, oneway_share=0.3, seed=7, mode="drive"), access_kmh=4.5)


def reference_times(net: Network, x: float, y: float, access_mps: float) -> np.ndarray:
    """Brute-force snap + NetworkX Dijkstra from a virtual origin node."""
    geoms = net.segment_geometries
    pt = shapely.points(x, y)
    dist = shapely.distance(geoms, pt)
    has_fwd = np.zeros(net.n_segments, bool)
    has_bwd = np.zeros(net.n_segments, bool)
    has_fwd[net.edge_segment[net.edge_forward]] = True
    has_bwd[net.edge_segment[~net.edge_forward]] = True
    dist[~(has_fwd | has_bwd)] = np.inf
    seg = int(np.argmin(dist))
    frac = shapely.line_locate_point(geoms[seg], pt, normalized=True)
    g = nx.DiGraph()
    src = net.edge_source
    for u, v, t in zip(src.tolist(), net.indices.tolist(), net.seconds.tolist(), strict=True):
        g.add_edge(u, v, weight=t)
    walk = dist[seg] / access_mps
    for e in range(net.n_edges):
        if net.edge_segment[e] != seg:
            continue
        if net.edge_forward[e]:
            g.add_edge("origin", int(net.seg_v[seg]), weight=walk + net.seconds[e] * (1 - frac))
        else:
            g.add_edge("origin", int(net.seg_u[seg]), weight=walk + net.seconds[e] * frac)
    lengths = nx.single_source_dijkstra_path_length(g, "origin", weight="weight")
    out = np.full(net.n_nodes, np.inf)
    for node, t in lengths.items():
        if node != "origin":
            out[node] = t
    return out


def random_points(net: Network, n: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, n, replace=False)
    return [
        (float(net.x[i] + rng.uniform(-60, 60)), float(net.y[i] + rng.uniform(-60, 60)))
        for i in nodes
    ]


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


@pytest.mark.parametrize("seed", [5, 6])
def test_offer_seconds_equal_networkx_plus_brute_force_snap(walk: Router, seed: int) -> None:
    offers = synthetic_offers(walk.net, 12, seed=seed)
    offers.loc["o3", "geometry"] = None
    offers.loc["o4", "geometry"] = shapely.Point(9.0, 50.0)  # far outside: no node within 500 m
    ((x, y),) = random_points(walk.net, 1, seed)
    lon, lat = TO_STORE.transform(x, y)
    got = offer_seconds(walk, (lon, lat), offers)
    node_times = reference_times(walk.net, x, y, walk.access_mps)
    assert got.index.equals(offers.index)
    assert got[["o3", "o4"]].isna().all()
    usable = offers.drop(index=["o3", "o4"])
    ox, oy = walk.project(usable.geometry.x, usable.geometry.y, crs="EPSG:4326")
    for oid, xi, yi in zip(usable.index, ox, oy, strict=True):
        d = np.hypot(walk.net.x - xi, walk.net.y - yi)
        node = int(np.argmin(d))
        want = node_times[node] + d[node] / walk.access_mps
        assert (
            got[oid] == pytest.approx(want, abs=1e-6) if np.isfinite(want) else np.isnan(got[oid])
        )


def test_offer_seconds_cut_at_max_seconds_and_refuse_far_origin(walk: Router) -> None:
    offers = synthetic_offers(walk.net, 30, seed=9)
    ((x, y),) = random_points(walk.net, 1, 9)
    lon, lat = TO_STORE.transform(x, y)
    full = offer_seconds(walk, (lon, lat), offers)
    cut = offer_seconds(walk, (lon, lat), offers, max_seconds=300.0)
    assert full.notna().all()
    pd.testing.assert_series_equal(cut.dropna(), full[full <= 300.0])
    with pytest.raises(OutOfReachError, match="from any street"):
        offer_seconds(walk, (9.0, 50.0), offers)


def per_offer_reference(router: Router, offers: gpd.GeoDataFrame) -> tuple[np.ndarray, list]:
    """One reversed Dijkstra per offer (the slow way); min over offers."""
    from scipy.sparse import csgraph

    ids, nodes, snap_m = [], [], []
    x, y = router.project(offers.geometry.x, offers.geometry.y, crs="EPSG:4326")
    for oid, xi, yi in zip(offers.index, x, y, strict=True):
        d, n = router.net.node_tree.query([xi, yi])
        if d <= 500:
            ids.append(oid)
            nodes.append(n)
            snap_m.append(d)
    runs = csgraph.dijkstra(router.csr.T.tocsr(), indices=np.array(nodes))
    runs = runs + (np.array(snap_m) / router.access_mps)[:, None]
    return runs, ids


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


def test_cache_is_bounded_lru() -> None:
    cache = AccessCache(maxsize=2)
    calls: list[str] = []

    def compute(name: str):
        return lambda: calls.append(name) or name

    assert cache.get_or_compute("a", compute("a")) == "a"
    assert cache.get_or_compute("b", compute("b")) == "b"
    assert cache.get_or_compute("a", compute("a")) == "a"  # hit, a is now newest
    cache.get_or_compute("c", compute("c"))  # evicts b
    assert len(cache) == 2
    cache.get_or_compute("b", compute("b"))  # recomputed
    assert calls == ["a", "b", "c", "b"]
    assert (cache.hits, cache.misses) == (1, 4)


def test_cache_keys_follow_offer_changes() -> None:
    net = grid_network(400, seed=2)
    offers = synthetic_offers(net, 5, seed=2)
    k1 = AccessCache.key("region", ["kita"], "walk", 10.0, offers)
    changed = offers.copy()
    changed.loc["o0", "capacity"] = 999.0
    assert k1 == AccessCache.key("region", {"kita"}, "walk", 10.0, offers.copy())
    assert k1 != AccessCache.key("region", ["kita"], "walk", 10.0, changed)
    assert offers_fingerprint(offers) != offers_fingerprint(offers.drop(index="o3"))


def test_cache_reuses_router_per_network() -> None:
    cache = AccessCache(max_routers=1)
    a, b = grid_network(100, seed=1), grid_network(100, seed=2)
    ra = cache.router(a)
    assert cache.router(a) is ra
    assert cache.router(b).net is b
    assert cache.router(a) is not ra  # evicted: bounded


@pytest.fixture(scope="module")
def scenario():
    net = grid_network(1600, seed=5)
    cells = synthetic_cells(net, 400, seed=5)
    offers = synthetic_offers(net, 6, seed=5)
    districts = pd.DataFrame(
        {"name": ["A", "B", "C", "D"]}, index=pd.Index(["d0", "d1", "d2", "d3"], name="district_id")
    )
    return Router(net), cells, offers, districts


def test_what_if_adding_never_lowers_coverage(scenario) -> None:
    router, cells, offers, districts = scenario
    lon, lat = TO_STORE.transform(router.net.x[10], router.net.y[10])
    result = what_if(
        router,
        offers,
        cells,
        districts,
        pop_columns="pop_0_5",
        threshold_min=5,
        add=[NewOffer(lon, lat, 40.0, "new-1")],
    )
    assert (result.districts["covered_change"] >= -1e-9).all()
    assert result.districts.loc["__total__", "covered_change"] >= 0
    assert "new-1" in set(result.nearest_after.offer_ids)


def test_what_if_removing_never_raises_coverage(scenario) -> None:
    router, cells, offers, districts = scenario
    cache = AccessCache()
    result = what_if(
        router,
        offers,
        cells,
        districts,
        pop_columns=["pop_0_5", "pop_6_9"],
        threshold_min=5,
        remove=["o2"],
        cache=cache,
        cache_key="syn",
    )
    assert (result.districts["covered_change"] <= 1e-9).all()
    assert "o2" not in set(result.nearest_after.offer_ids)
    what_if(
        router,
        offers,
        cells,
        districts,
        pop_columns=["pop_0_5", "pop_6_9"],
        threshold_min=5,
        remove=["o3"],
        cache=cache,
        cache_key="syn",
    )
    # the "before" state, its travel-time matrix and its coverage were reused
    assert (cache.hits, cache.misses) == (3, 3)


def test_what_if_refuses_unknown_ids(scenario) -> None:
    router, cells, offers, districts = scenario
    with pytest.raises(InputDataError, match=r"unknown offer id.*'nope'"):
        what_if(
            router,
            offers,
            cells,
            districts,
            pop_columns="pop_0_5",
            threshold_min=5,
            remove=["nope"],
        )
    with pytest.raises(InputDataError, match="already exist"):
        what_if(
            router,
            offers,
            cells,
            districts,
            pop_columns="pop_0_5",
            threshold_min=5,
            add=[NewOffer(10.7, 52.4, 10.0, "o1")],
        )


def test_cache_helpers_memoise_results(scenario) -> None:
    router, cells, offers, _districts = scenario
    cache = AccessCache(maxsize=8)
    net = router.net
    first = cache.nearest(net, offers, cells=cells, region_key="syn", categories=["kita"])
    again = cache.nearest(net, offers, cells=cells, region_key="syn", categories=["kita"])
    assert again is first and cache.hits == 1
    fewer = cache.nearest(
        net, offers.drop(index="o0"), cells=cells, region_key="syn", categories=["kita"]
    )
    assert fewer is not first and "o0" not in set(fewer.offer_ids)
    e1 = cache.e2sfca(net, offers, cells, pop_columns="pop_0_5", region_key="syn")
    e2 = cache.e2sfca(
        net, offers, cells, pop_columns="pop_0_5", region_key="syn", catchment_min=20.0
    )
    assert e1 is not e2 and e2.catchment_min == 20.0
    assert cache.e2sfca(net, offers, cells, pop_columns="pop_0_5", region_key="syn") is e1
    lon, lat = TO_STORE.transform(net.x[3], net.y[3])
    b1 = cache.isochrones(net, (lon, lat), region_key="syn", minutes=(5, 10))
    b2 = cache.isochrones(net, (lon, lat), region_key="syn", minutes=(10, 5))
    assert b1.geometry.equals(b2.geometry) and b1 is not b2
    assert (cache.hits, cache.misses, len(cache)) == (3, 5, 5)


def test_what_if_keeps_capacity_of_added_offer(scenario) -> None:
    router, cells, offers, districts = scenario
    lon, lat = TO_STORE.transform(router.net.x[50], router.net.y[50])
    no_capacity = offers.drop(columns="capacity")
    result = what_if(
        router,
        no_capacity,
        cells,
        districts,
        pop_columns="pop_0_5",
        threshold_min=5,
        add=[NewOffer(lon, lat, 40.0, "new-1")],
    )
    after = result.fca_after.offers
    assert after.loc["new-1", "capacity"] == 40.0
    assert not after.loc["new-1", "capacity_estimated"]
    assert after.drop(index="new-1")["capacity_estimated"].all()
    assert result.districts.loc["__total__", "e2sfca_change"] > 0


def test_cache_survives_concurrent_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = AccessCache(maxsize=5)

    def work(i: int) -> int:
        return cache.get_or_compute(i % 9, lambda: i % 9)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(2000)))
    assert results == [i % 9 for i in range(2000)]
    assert len(cache) == 5
    assert cache.hits + cache.misses == 2000


def test_a_key_in_flight_is_waited_for_not_computed_twice() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    cache = AccessCache()
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        started.set()
        assert release.wait(10)
        return "value"

    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(cache.get_or_compute, "k", slow)
        assert started.wait(10)
        others = [pool.submit(cache.get_or_compute, "k", slow) for _ in range(3)]
        release.set()
        results = [first.result(10), *(f.result(10) for f in others)]
    assert results == ["value"] * 4
    assert len(calls) == 1 and (cache.misses, cache.hits) == (1, 3)


def test_a_failed_computation_lets_the_waiter_compute() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    cache = AccessCache()
    started, release = threading.Event(), threading.Event()

    def failing() -> str:
        started.set()
        assert release.wait(10)
        raise RuntimeError("network gone")

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(cache.get_or_compute, "k", failing)
        assert started.wait(10)
        second = pool.submit(cache.get_or_compute, "k", lambda: "fresh")
        release.set()
        with pytest.raises(RuntimeError, match="network gone"):
            first.result(10)
        assert second.result(10) == "fresh"
    assert cache.get_or_compute("k", failing) == "fresh"  # stored, not recomputed


def test_a_computation_that_needs_its_own_key_fails_instead_of_hanging() -> None:
    cache = AccessCache()
    with pytest.raises(RuntimeError, match=r"computing 'k' asked for its own key again"):
        cache.get_or_compute("k", lambda: cache.get_or_compute("k", lambda: 1))
    # nothing is left in flight: the key computes normally afterwards
    assert cache.get_or_compute("k", lambda: 2) == 2
    assert cache.get_or_compute("k", lambda: 3) == 2


@pytest.mark.parametrize("n_nodes, oneway_share", [(500, 0.0), (3000, 0.25)])
def test_synthetic_network_honours_the_contract(n_nodes: int, oneway_share: float) -> None:
    from scipy.sparse import csgraph

    net = grid_network(n_nodes, oneway_share=oneway_share, seed=n_nodes)
    assert 0.9 * n_nodes <= net.n_nodes <= 1.1 * n_nodes
    n_comp, _ = csgraph.connected_components(net.csr(), directed=False)
    assert n_comp == 1
    assert (net.seconds > 0).all()
    assert np.all(np.diff(net.indptr) >= 0) and net.indptr[-1] == net.n_edges
    np.testing.assert_allclose(shapely.length(net.segment_geometries), net.seg_length_m)
    # each directed edge runs along its segment, in the direction it claims
    src, dst = net.edge_source, net.indices
    seg = net.edge_segment
    fwd = net.edge_forward
    assert np.array_equal(np.where(fwd, net.seg_u[seg], net.seg_v[seg]), src)
    assert np.array_equal(np.where(fwd, net.seg_v[seg], net.seg_u[seg]), dst)
    one_way = np.bincount(seg, minlength=net.n_segments) == 1
    assert one_way.mean() == pytest.approx(oneway_share, abs=0.03)


def test_what_if_refuses_unreachable_new_offer(scenario) -> None:
    router, cells, offers, districts = scenario
    with pytest.raises(OutOfReachError, match=r"new offer 'far'.*more than 500 m") as info:
        what_if(
            router,
            offers,
            cells,
            districts,
            pop_columns="pop_0_5",
            threshold_min=5,
            add=[NewOffer(12.5, 51.0, 10.0, "far")],
        )
    # the page finds the refused offer from the attributes, not the message
    assert (info.value.offer_id, info.value.point) == ("far", (12.5, 51.0))


@pytest.fixture(scope="module")
def wolfsburg_kitas(wolfsburg, paths) -> gpd.GeoDataFrame:
    from offers.catalogue import load_offers

    offers = load_offers(wolfsburg, paths=paths)
    return offers[offers["category"] == "kita"]


def _plan(net: Network, seed: int, n: int) -> list[NewOffer]:
    rng = np.random.default_rng(seed)
    nodes = rng.choice(net.n_nodes, size=n, replace=False)
    lon, lat = TO_STORE.transform(net.x[nodes], net.y[nodes])
    return [
        NewOffer(float(lon[i]), float(lat[i]), float(rng.integers(10, 120)), f"geplant-{i + 1}")
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "mode, seed, n_add, n_remove", [("walk", 1, 1, 0), ("bike", 2, 2, 3), ("walk", 3, 0, 2)]
)
def test_what_if_reusing_the_cache_equals_a_full_recompute(
    wolfsburg, wolfsburg_kitas, mode: str, seed: int, n_add: int, n_remove: int
) -> None:
    net = wolfsburg.networks[mode]
    cells, districts = wolfsburg.cells, wolfsburg.districts
    offers = wolfsburg_kitas
    cache = AccessCache()
    router = cache.router(net)
    # the page's current state, as the coverage view passes it in
    before = (
        cache.nearest(net, offers, cells=cells, region_key="wob", categories=["kita"]),
        cache.e2sfca(
            net, offers, cells, pop_columns="pop_0_5", region_key="wob", districts=districts
        ),
    )
    rng = np.random.default_rng(seed)
    for round_ in range(2):  # the second round reads the cached travel-time matrix
        add = _plan(net, seed * 10 + round_, n_add)
        remove = list(rng.choice(offers.index.to_numpy(), size=n_remove, replace=False))
        kwargs = dict(pop_columns="pop_0_5", threshold_min=10, add=add, remove=remove)
        fast = what_if(
            router, offers, cells, districts, cache=cache, cache_key="wob", before=before, **kwargs
        )
        full = what_if(Router(net), offers, cells, districts, **kwargs)
        pd.testing.assert_frame_equal(fast.districts, full.districts, rtol=0, atol=1e-9)
        pd.testing.assert_frame_equal(fast.fca_after.cells, full.fca_after.cells, rtol=0, atol=1e-9)
        pd.testing.assert_frame_equal(
            fast.fca_after.offers, full.fca_after.offers, rtol=0, atol=1e-9
        )
        pd.testing.assert_frame_equal(fast.fca_after.skipped, full.fca_after.skipped)
        pd.testing.assert_frame_equal(fast.nearest_after.cells, full.nearest_after.cells)
        assert fast.fca_before is before[1]
        routed = (set(offers.index) - set(remove)) | {a.offer_id for a in add}
        assert set(fast.fca_after.offers.index) == routed - set(full.fca_after.skipped.index)
    # round two read the unchanged offers' travel times and the "before" coverage
    assert (cache.hits, cache.misses) == (2, 4)
