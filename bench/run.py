"""Benchmarks of the accessibility engine (issue 3), each against a baseline in the same run.

Usage::

    python bench/run.py            # full run (about 2-4 minutes on 2 cores)
    python bench/run.py --quick    # fewer repeats, scaling only up to 100k nodes

Prints a table and writes one JSON object to ``bench/results/access.json`` and as the
last line of stdout. Keys: ``isochrone_ms``, ``isochrone_speedup``, ``nearest_ms``,
``nearest_speedup``, ``e2sfca_ms``, ``scale_1m_s``, ``scale_1m_peak_mb`` plus the
baselines and the 10k -> 1M scaling series.

- Isochrones: 4 bands (5/10/15/20 min walk, 35 m buffer, with population) from random
  populated cells of Wolfsburg; baseline is the OSMnx example method (one
  ``nx.ego_graph`` per band, buffer nodes and edges, ``unary_union``) on the same origins.
- Nearest offer: all Wolfsburg Kitas, every node and cell, walk; baseline is one
  NetworkX Dijkstra per offer (timed on a sample of offers and extrapolated linearly
  to all offers, reported as such).
- E2SFCA: all Kitas over all cells (pop_0_5, default steps).
- Scaling: synthetic street-like grids, nearest of 500 offers; each size runs in its own
  subprocess that reports its peak RSS (graph generation included in the memory,
  excluded from the time).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "access.json"
BANDS_MIN = (5, 10, 15, 20)
BUFFER_M = 35.0


class Timings(list):
    """Wall seconds of repeated calls, with the process CPU seconds in ``.cpu``.

    On a shared 2-core machine wall time also measures the neighbours' load, so both
    are reported.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def timed(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> Timings:
    """Wall (and CPU) seconds of ``repeat`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = Timings()
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
        out.cpu.append(time.process_time() - c0)
    return out


def cpu_ms(wall: Timings) -> float:
    """Median process CPU milliseconds of the timed calls."""
    return statistics.median(wall.cpu) * 1e3


def kita_offers(region: Any) -> Any:
    """Kitas as offers: via the offers package when present, else raw OSM kindergartens."""
    import geopandas as gpd
    import pandas as pd

    try:
        from offers.osm import offers_from_pois

        table = offers_from_pois(region.pois)
        kitas = table[table["category"] == "kita"]
        if len(kitas):
            return kitas, "offers.osm.offers_from_pois (category kita)"
    except Exception as exc:  # the offers package is optional for this benchmark
        print(f"  (offers package unavailable: {exc!r}; using raw POIs)")
    tags = region.pois["tags"].map(lambda t: json.loads(t) if isinstance(t, str) else t)
    mask = tags.map(lambda t: t.get("amenity") == "kindergarten").to_numpy(dtype=bool)
    pois = region.pois[mask]
    index = pd.Index([f"osm-{i}" for i in pois["osm_id"]], name="offer_id")
    return (
        gpd.GeoDataFrame(geometry=pois.geometry.to_numpy(), index=index, crs=pois.crs),
        "region.pois amenity=kindergarten",
    )


def osmnx_isochrone(graph: Any, center: int, *, bands_s: list[float], buffer_m: float) -> list:
    """The OSMnx example notebook's method (13-isolines-isochrones), as published."""
    import geopandas as gpd
    import networkx as nx
    from shapely.geometry import LineString, Point

    polys = []
    for trip_time in sorted(bands_s, reverse=True):
        subgraph = nx.ego_graph(graph, center, radius=trip_time, distance="travel_time")
        node_points = [Point((data["x"], data["y"])) for _, data in subgraph.nodes(data=True)]
        nodes_gdf = gpd.GeoDataFrame({"id": list(subgraph.nodes)}, geometry=node_points)
        nodes_gdf = nodes_gdf.set_index("id")
        edge_lines = []
        for n_fr, n_to in subgraph.edges():
            f = nodes_gdf.loc[n_fr].geometry
            t = nodes_gdf.loc[n_to].geometry
            edge_lookup = graph.get_edge_data(n_fr, n_to)[0].get("geometry", LineString([f, t]))
            edge_lines.append(edge_lookup)
        n = nodes_gdf.buffer(buffer_m).geometry
        e = gpd.GeoSeries(edge_lines).buffer(buffer_m).geometry
        polys.append(gpd.GeoSeries(list(n) + list(e)).union_all())
    return polys


def bench_wolfsburg(*, quick: bool) -> dict[str, Any]:
    import networkx as nx
    import osmnx as ox
    from pyproj import Transformer

    from geo.access import AccessCache, NewOffer, e2sfca, isochrones, nearest_offer, what_if
    from geo.build import load_region

    t0 = time.perf_counter()
    region = load_region("wolfsburg")
    print(f"region loaded in {time.perf_counter() - t0:.1f} s")
    cache = AccessCache()
    net = region.networks["walk"]
    router = cache.router(net)
    cells = region.cells
    rng = np.random.default_rng(2024)
    populated = cells[cells["in_region"].astype(bool) & (cells["pop_total"] > 0)]
    pick = rng.choice(len(populated), 30 if not quick else 8, replace=False)
    origins = [(p.x, p.y) for p in populated.geometry.iloc[pick]]
    res: dict[str, Any] = {"walk_nodes": net.n_nodes, "walk_edges": net.n_edges}

    # isochrones
    it = iter(origins * 10)
    ours = timed(
        lambda: isochrones(router, next(it), minutes=BANDS_MIN, buffer_m=BUFFER_M, cells=cells),
        repeat=len(origins),
    )
    graph = net.to_networkx()
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    n_base = 3 if quick else 6
    base = []
    for lon, lat in origins[:n_base]:
        x, y = to_m.transform(lon, lat)
        t1 = time.perf_counter()
        center = ox.distance.nearest_nodes(graph, x, y)
        osmnx_isochrone(graph, center, bands_s=[b * 60.0 for b in BANDS_MIN], buffer_m=BUFFER_M)
        base.append(time.perf_counter() - t1)
    # per origin: the baseline once, ours as the median of 3 (after collecting the
    # baseline's garbage, so Python's GC does not land in our timings)
    gc.collect()
    ratios = []
    for (lon, lat), base_s in zip(origins[:n_base], base, strict=True):
        ours_s = statistics.median(
            timed(
                lambda o=(lon, lat): isochrones(
                    router, o, minutes=BANDS_MIN, buffer_m=BUFFER_M, cells=cells
                ),
                repeat=3,
                warmup=0,
            )
        )
        ratios.append(base_s / ours_s)
    res["isochrone_ms"] = statistics.median(ours) * 1e3
    res["isochrone_cpu_ms"] = cpu_ms(ours)
    res["isochrone_p90_ms"] = float(np.percentile(ours, 90) * 1e3)
    res["isochrone_baseline_ms"] = statistics.median(base) * 1e3
    res["isochrone_speedup"] = statistics.median(ratios)
    res["isochrone_speedup_min"] = min(ratios)
    res["isochrone_origins"] = len(origins)
    res["isochrone_baseline_origins"] = n_base
    cold = timed(
        lambda: isochrones(net, origins[0], minutes=BANDS_MIN, buffer_m=BUFFER_M, cells=cells),
        repeat=3,
        warmup=0,
    )
    res["isochrone_unprepared_ms"] = statistics.median(cold) * 1e3

    # nearest offer
    kitas, source = kita_offers(region)
    res["kitas"] = len(kitas)
    res["kitas_source"] = source
    near = timed(lambda: nearest_offer(router, kitas, cells=cells), repeat=15 if not quick else 5)
    res["nearest_ms"] = statistics.median(near) * 1e3
    res["nearest_cpu_ms"] = cpu_ms(near)
    result = nearest_offer(router, kitas, cells=cells)
    routed = len(result.offer_ids)
    reverse = nx.DiGraph()
    reverse.add_weighted_edges_from(
        zip(net.indices.tolist(), net.edge_source.tolist(), net.seconds.tolist(), strict=True)
    )
    sample = result.offer_node[: (5 if quick else 12)]
    t1 = time.perf_counter()
    best = np.full(net.n_nodes, np.inf)
    for node in sample:
        lengths = nx.single_source_dijkstra_path_length(reverse, int(node))
        idx = np.fromiter(lengths.keys(), dtype=np.int64)
        best[idx] = np.minimum(best[idx], np.fromiter(lengths.values(), dtype=float))
    per_offer = (time.perf_counter() - t1) / len(sample)
    res["nearest_baseline_ms"] = per_offer * routed * 1e3
    res["nearest_baseline_extrapolated_from"] = f"{len(sample)} of {routed} offers"
    res["nearest_speedup"] = res["nearest_baseline_ms"] / res["nearest_ms"]
    res["nearest_offers_routed"] = routed

    # E2SFCA
    fca = timed(
        lambda: e2sfca(router, kitas, cells, pop_columns="pop_0_5", districts=region.districts),
        repeat=7 if not quick else 3,
    )
    res["e2sfca_ms"] = statistics.median(fca) * 1e3
    res["e2sfca_cpu_ms"] = cpu_ms(fca)

    # what-if and cache
    lon, lat = origins[0]
    wi = timed(
        lambda: what_if(
            router,
            kitas,
            cells,
            region.districts,
            pop_columns="pop_0_5",
            threshold_min=10,
            add=[NewOffer(lon, lat, 60.0, "new-1")],
            cache=cache,
            cache_key=region.info.get("cache_key"),
        ),
        repeat=3,
    )
    res["what_if_ms"] = statistics.median(wi) * 1e3
    res["what_if_cpu_ms"] = cpu_ms(wi)
    key = cache.key(region.info.get("cache_key"), ["kita"], "walk", 10.0, kitas)
    cache.get_or_compute(key, lambda: nearest_offer(router, kitas, cells=cells))
    hit = timed(lambda: cache.get_or_compute(key, lambda: None), repeat=50)
    res["cache_hit_ms"] = statistics.median(hit) * 1e3
    return res


def scale_child(n_nodes: int, n_sources: int) -> None:
    """Run in a subprocess: nearest of ``n_sources`` offers on a synthetic grid; print JSON.

    ``seconds`` is the first query on a fresh network (set-up included: CSR transpose,
    node KD-tree, projection); ``query_seconds`` the median of three more queries.
    """
    from pyproj import Transformer

    from geo.access import Router, nearest_offer
    from geo.synthetic import grid_network, synthetic_offers

    Transformer.from_crs("EPSG:4326", "EPSG:25832")  # load PROJ's database outside the timing
    net = grid_network(n_nodes, seed=1)
    offers = synthetic_offers(net, n_sources, seed=1)
    c0, t0 = time.process_time(), time.perf_counter()
    router = Router(net)
    result = nearest_offer(router, offers)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    query = timed(lambda: nearest_offer(router, offers), repeat=3, warmup=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    reached = float(np.isfinite(result.node_seconds).mean())
    print(
        json.dumps(
            {
                "nodes": net.n_nodes,
                "edges": net.n_edges,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "query_seconds": statistics.median(query),
                "query_cpu_seconds": cpu_ms(query) / 1e3,
                "peak_mb": peak_mb,
                "reached_share": reached,
            }
        )
    )


def bench_scaling(*, quick: bool) -> list[dict[str, Any]]:
    sizes = [10_000, 30_000, 100_000] if quick else [10_000, 30_000, 100_000, 300_000, 1_000_000]
    series = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--scale-child", str(n), "--sources", "500"],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        series.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.scale_child, args.sources)
        return
    res = bench_wolfsburg(quick=args.quick)
    series = bench_scaling(quick=args.quick)
    res["scale_series"] = series
    first, last = series[0], series[-1]
    res["scale_growth"] = (last["query_seconds"] / first["query_seconds"]) / (
        last["nodes"] / first["nodes"]
    )
    big = [s for s in series if s["nodes"] >= 900_000]
    res["scale_1m_s"] = big[0]["seconds"] if big else None
    res["scale_1m_cpu_s"] = big[0]["cpu_seconds"] if big else None
    res["scale_1m_query_s"] = big[0]["query_seconds"] if big else None
    res["scale_1m_peak_mb"] = big[0]["peak_mb"] if big else None
    res["command"] = "python bench/run.py" + (" --quick" if args.quick else "")
    res["cpu_count"] = os.cpu_count()
    res["load_average_1min_at_end"] = os.getloadavg()[0]

    rows = [
        ("isochrone 4 bands (median)", res["isochrone_ms"], "ms", "<= 50"),
        ("  same, process CPU", res["isochrone_cpu_ms"], "ms", ""),
        ("  OSMnx ego_graph baseline", res["isochrone_baseline_ms"], "ms", ""),
        ("  speedup", res["isochrone_speedup"], "x", ">= 20"),
        ("nearest Kita, all nodes+cells", res["nearest_ms"], "ms", "<= 100"),
        (
            "  NetworkX per-offer baseline",
            res["nearest_baseline_ms"],
            "ms",
            f"extrapolated from {res['nearest_baseline_extrapolated_from']}",
        ),
        ("  speedup", res["nearest_speedup"], "x", ">= 100"),
        ("  nearest, process CPU", res["nearest_cpu_ms"], "ms", ""),
        ("E2SFCA all Kitas x all cells", res["e2sfca_ms"], "ms", "<= 1000"),
        ("what-if (add one Kita)", res["what_if_ms"], "ms", "<= 1000"),
        ("cache hit", res["cache_hit_ms"], "ms", ""),
    ]
    print(f"\n{'benchmark':34} {'value':>12}  target")
    for name, value, unit, target in rows:
        print(f"{name:34} {value:>10.1f} {unit:2}  {target}")
    print(
        f"\n{'nodes':>10} {'edges':>10} {'first s':>8} {'cpu s':>7} {'query s':>8} "
        f"{'peak MB':>8}   (nearest of 500; first = with set-up)"
    )
    for s in series:
        print(
            f"{s['nodes']:>10} {s['edges']:>10} {s['seconds']:>8.3f} {s['cpu_seconds']:>7.3f} "
            f"{s['query_seconds']:>8.3f} {s['peak_mb']:>8.0f}"
        )
    print(
        f"load average (1 min) at the end: {res['load_average_1min_at_end']:.1f} "
        f"on {res['cpu_count']} CPUs"
    )
    print(
        f"query time per node grows {res['scale_growth']:.2f}x from the smallest to the "
        "largest size"
    )
    text = json.dumps(res, sort_keys=True)
    from geo.atomic import write_text_atomic

    write_text_atomic(RESULTS, text + "\n")
    print(text)


if __name__ == "__main__":
    main()
