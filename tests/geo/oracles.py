"""Independent reference implementations for the routing tests (NetworkX, brute force).

Snapping is recomputed by brute force and shortest paths by NetworkX or one plain
SciPy run per offer, so the engine's shortcuts (STRtree, KD-tree, virtual source,
pointer jumping) are checked against something that does not share them.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from geo.network import Network
from geo.routing import Router


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


def per_offer_reference(router: Router, offers: gpd.GeoDataFrame) -> tuple[np.ndarray, list]:
    """One reversed Dijkstra per offer (the slow way); min over offers."""
    from scipy.sparse import csgraph

    ids, nodes, snap_m = [], [], []
    x, y = router.project(offers.geometry.x, offers.geometry.y, crs="EPSG:4326")
    for oid, xi, yi in zip(offers.index, x, y, strict=True):
        # brute force, not the network's KD-tree the engine uses
        dist = np.hypot(router.net.x - xi, router.net.y - yi)
        n = int(np.argmin(dist))
        d = float(dist[n])
        if d <= 500:
            ids.append(oid)
            nodes.append(n)
            snap_m.append(d)
    runs = csgraph.dijkstra(router.csr.T.tocsr(), indices=np.array(nodes))
    runs = runs + (np.array(snap_m) / router.access_mps)[:, None]
    return runs, ids
