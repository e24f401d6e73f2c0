"""Synthetic street-like networks in the :class:`geo.network.Network` contract.

Used by tests (small, exact checks) and by ``bench/run.py`` (the 10k -> 1M node
scaling series). The grid is jittered, loses a share of its blocks' edges, gains a
few diagonals and gives every segment a bent middle vertex, so partial-edge cutting
and snapping are exercised like on real streets. Coordinates are EPSG:25832 metres
around Wolfsburg, so they can be projected to EPSG:4326 like a real region.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from geo.network import Network
from geo.settings import CRS_MEASURE, CRS_STORE

#: Lower-left corner of synthetic networks (EPSG:25832, central Wolfsburg).
ORIGIN_XY_M: tuple[float, float] = (620_000.0, 5_805_000.0)


def grid_network(
    n_nodes: int,
    *,
    spacing_m: float = 90.0,
    speed_kmh: float = 4.5,
    drop_share: float = 0.15,
    diagonal_share: float = 0.05,
    oneway_share: float = 0.0,
    seed: int = 0,
    mode: str = "walk",
) -> Network:
    """Build a connected, jittered street grid with about ``n_nodes`` nodes.

    Parameters
    ----------
    n_nodes : int
        Target node count (the grid side is ``ceil(sqrt(n_nodes))``; a few nodes of
        small detached pieces are dropped, as the region builder does).
    spacing_m : float
        Block length in metres (EPSG:25832).
    speed_kmh : float
        Travel speed on every edge.
    drop_share, diagonal_share : float
        Share of grid edges removed, and share of blocks that get a diagonal.
    oneway_share : float
        Share of segments that can only be travelled from their first to their last
        vertex (to test directed routing).
    seed : int
        Seed of the random generator (deterministic output).
    mode : str
        The network's mode label.

    Returns
    -------
    Network
        Directed CSR network, node coordinates in EPSG:25832.
    """
    rng = np.random.default_rng(seed)
    side = max(2, int(np.ceil(np.sqrt(n_nodes))))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    ii = ii.ravel()
    jj = jj.ravel()
    jitter = rng.uniform(-0.2, 0.2, size=(ii.size, 2)) * spacing_m
    x = ORIGIN_XY_M[0] + jj * spacing_m + jitter[:, 0]
    y = ORIGIN_XY_M[1] + ii * spacing_m + jitter[:, 1]
    node = np.arange(side * side).reshape(side, side)

    horiz = np.column_stack([node[:, :-1].ravel(), node[:, 1:].ravel()])
    vert = np.column_stack([node[:-1, :].ravel(), node[1:, :].ravel()])
    diag = np.column_stack([node[:-1, :-1].ravel(), node[1:, 1:].ravel()])
    diag = diag[rng.random(diag.shape[0]) < diagonal_share]
    pairs = np.vstack([horiz, vert])
    pairs = pairs[rng.random(pairs.shape[0]) >= drop_share]
    pairs = np.vstack([pairs, diag])

    # keep the largest connected piece, like the region builder
    n = side * side
    adj = sp.coo_matrix((np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = csgraph.connected_components(adj, directed=False)
    main = np.bincount(labels).argmax()
    keep_node = labels == main
    new_id = np.full(n, -1, dtype=np.int64)
    new_id[keep_node] = np.arange(int(keep_node.sum()))
    pairs = pairs[keep_node[pairs[:, 0]]]
    seg_u = new_id[pairs[:, 0]].astype(np.int32)
    seg_v = new_id[pairs[:, 1]].astype(np.int32)
    x = x[keep_node]
    y = y[keep_node]
    k = seg_u.shape[0]

    # three vertices per segment: the middle one bent sideways
    ux, uy, vx, vy = x[seg_u], y[seg_u], x[seg_v], y[seg_v]
    dx, dy = vx - ux, vy - uy
    chord = np.hypot(dx, dy)
    bend = rng.uniform(-0.15, 0.15, size=k) * chord
    mx = (ux + vx) / 2 - dy / chord * bend
    my = (uy + vy) / 2 + dx / chord * bend
    seg_coords = np.empty((3 * k, 2))
    seg_coords[0::3] = np.column_stack([ux, uy])
    seg_coords[1::3] = np.column_stack([mx, my])
    seg_coords[2::3] = np.column_stack([vx, vy])
    seg_offsets = np.arange(0, 3 * k + 1, 3, dtype=np.int64)
    seg_length_m = np.hypot(mx - ux, my - uy) + np.hypot(vx - mx, vy - my)

    oneway = rng.random(k) < oneway_share
    src = np.concatenate([seg_u, seg_v[~oneway]])
    dst = np.concatenate([seg_v, seg_u[~oneway]])
    edge_segment = np.concatenate([np.arange(k), np.flatnonzero(~oneway)]).astype(np.int32)
    edge_forward = np.concatenate([np.ones(k, bool), np.zeros(int((~oneway).sum()), bool)])
    seconds = seg_length_m[edge_segment] / (speed_kmh / 3.6)

    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    n_kept = x.shape[0]
    indptr = np.zeros(n_kept + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_kept), out=indptr[1:])
    return Network(
        mode=mode,
        x=x,
        y=y,
        osmid=np.full(n_kept, -1, dtype=np.int64),
        indptr=indptr,
        indices=dst.astype(np.int32),
        seconds=seconds[order],
        edge_segment=edge_segment[order],
        edge_forward=edge_forward[order],
        seg_u=seg_u,
        seg_v=seg_v,
        seg_length_m=seg_length_m,
        seg_highway=np.full(k, "residential"),
        seg_name=np.full(k, ""),
        seg_coords=seg_coords,
        seg_offsets=seg_offsets,
        stats={"synthetic": True, "seed": seed, "dropped_nodes": int(n - n_kept)},
        crs=CRS_MEASURE,
    )


def synthetic_cells(
    net: Network, n_cells: int, *, seed: int = 0, n_districts: int = 4
) -> gpd.GeoDataFrame:
    """Random census-like cells on a synthetic network (for tests and benchmarks).

    Parameters
    ----------
    net : Network
        Network the cells are snapped to (EPSG:25832).
    n_cells : int
        Number of cells.
    seed : int
        Random seed.
    n_districts : int
        Cells are split into vertical stripes ``"d0"``, ``"d1"``, ...

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points; columns ``x``, ``y`` (EPSG:25832), ``pop_*`` of
        :data:`geo.agegroups.POP_COLUMNS` (integers as float, about 3 % NaN ages),
        ``district_id``, ``in_region`` and ``node_<mode>``/``snap_m_<mode>``.
    """
    from geo.agegroups import POP_COLUMNS

    rng = np.random.default_rng(seed)
    x = rng.uniform(net.x.min(), net.x.max(), n_cells)
    y = rng.uniform(net.y.min(), net.y.max(), n_cells)
    dist, node = net.node_tree.query(np.column_stack([x, y]))
    data: dict[str, object] = {"x": x, "y": y}
    groups = rng.integers(0, 40, size=(n_cells, len(POP_COLUMNS) - 1)).astype(float)
    unknown = rng.random(n_cells) < 0.03
    groups[unknown] = np.nan
    data["pop_total"] = np.where(unknown, rng.integers(3, 20, n_cells), np.nansum(groups, axis=1))
    for j, col in enumerate(POP_COLUMNS[1:]):
        data[col] = groups[:, j]
    stripe = np.minimum(
        ((x - net.x.min()) / (np.ptp(net.x) + 1e-9) * n_districts).astype(int), n_districts - 1
    )
    data["district_id"] = np.array([f"d{s}" for s in stripe], dtype=object)
    data["in_region"] = rng.random(n_cells) >= 0.05
    data[f"node_{net.mode}"] = node.astype(np.int64)
    data[f"snap_m_{net.mode}"] = dist
    index = pd.Index([f"c{i}" for i in range(n_cells)], name="cell_id")
    frame = pd.DataFrame(data, index=index)
    lon, lat = _to_store(x, y)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=CRS_STORE)


def synthetic_offers(
    net: Network, n_offers: int, *, seed: int = 0, capacity_known: float = 0.8
) -> gpd.GeoDataFrame:
    """Random offers near the network's streets: EPSG:4326 points indexed by ``offer_id``.

    ``capacity`` is an integer 10..120, NaN (unknown) for about ``1 - capacity_known``.
    """
    rng = np.random.default_rng(seed)
    node = rng.choice(net.n_nodes, size=n_offers, replace=False)
    x = net.x[node] + rng.uniform(-30, 30, n_offers)
    y = net.y[node] + rng.uniform(-30, 30, n_offers)
    cap = rng.integers(10, 121, n_offers).astype(float)
    cap[rng.random(n_offers) >= capacity_known] = np.nan
    lon, lat = _to_store(x, y)
    return gpd.GeoDataFrame(
        {"name": [f"Angebot {i}" for i in range(n_offers)], "capacity": cap},
        geometry=gpd.points_from_xy(lon, lat),
        index=pd.Index([f"o{i}" for i in range(n_offers)], name="offer_id"),
        crs=CRS_STORE,
    )


def _to_store(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True).transform(x, y)
    return np.asarray(lon), np.asarray(lat)
