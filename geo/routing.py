"""Shortest paths on a :class:`geo.network.Network`: snapping and every graph search.

Snapping (points, offers, cells), Dijkstra with start offsets, travel times from one
origin, the nearest offer of a set for every node and cell (:func:`nearest_offer`) and
the offer x cell travel matrix of the floating catchment methods
(:func:`offer_cell_seconds`) all live here; :mod:`geo.metrics` and :mod:`geo.access`
only use their results.

Everything here measures in EPSG:25832 (metres, seconds). A :class:`Router` wraps one
network and keeps what every query needs (the CSR matrix, its transpose, the
segment -> edge lookup, the coordinate transformers) so repeated queries do not
rebuild them; it is the bounded per-network cache (no module-level state).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.errors import InputDataError, OutOfReachError
from geo.network import Network
from geo.settings import CRS_MEASURE, CRS_STORE

#: Walking speed of the access leg (point -> street, cell -> street) when the
#: network is not a walking network; you walk to the car or the bike.
ACCESS_WALK_KMH = 4.5
#: Farthest an origin may lie from the street network (metres, EPSG:25832).
MAX_SNAP_M = 500.0


class Router:
    """One network prepared for fast repeated routing.

    Parameters
    ----------
    net : Network
        The network (node coordinates in EPSG:25832).
    access_kmh : float, optional
        Speed of the walk from a point to the street. Default: the network's own
        speed for walk networks, else :data:`ACCESS_WALK_KMH` (you walk to the car).
    """

    def __init__(self, net: Network, *, access_kmh: float | None = None) -> None:
        self.net = net
        if access_kmh is None:
            access_kmh = _network_speed_kmh(net) if net.mode == "walk" else ACCESS_WALK_KMH
        if not access_kmh > 0:
            raise ValueError(f"access_kmh must be positive, got {access_kmh!r}")
        self.access_mps = float(access_kmh) / 3.6

    @property
    def mode(self) -> str:
        return self.net.mode

    @cached_property
    def csr(self) -> sp.csr_matrix:
        """Travel-time matrix (seconds), rows = from."""
        return self.net.csr()

    @cached_property
    def csr_reverse(self) -> sp.csr_matrix:
        """The transposed matrix: Dijkstra on it gives times *to* the sources."""
        return self.csr.T.tocsr()

    @cached_property
    def segment_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Per segment the directed edge running first->last vertex and last->first (-1: none)."""
        k = self.net.n_segments
        fwd = np.full(k, -1, dtype=np.int64)
        bwd = np.full(k, -1, dtype=np.int64)
        edges = np.arange(self.net.n_edges, dtype=np.int64)
        is_fwd = self.net.edge_forward.astype(bool)
        fwd[self.net.edge_segment[is_fwd]] = edges[is_fwd]
        bwd[self.net.edge_segment[~is_fwd]] = edges[~is_fwd]
        return fwd, bwd

    @cached_property
    def node_tree(self) -> cKDTree:
        """KD-tree over the nodes (EPSG:25832); unbalanced build, 2-3x faster to make."""
        return cKDTree(
            np.column_stack([self.net.x, self.net.y]), balanced_tree=False, compact_nodes=False
        )

    @cached_property
    def to_measure(self) -> Transformer:
        """EPSG:4326 -> EPSG:25832 (lon/lat order)."""
        return Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)

    @cached_property
    def to_store(self) -> Transformer:
        """EPSG:25832 -> EPSG:4326 (lon/lat order)."""
        return Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)

    def project(self, x: np.ndarray, y: np.ndarray, *, crs: str) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates in ``crs`` -> EPSG:25832 arrays."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if crs.upper() == CRS_MEASURE:
            return x, y
        if crs.upper() == CRS_STORE:
            tx, ty = self.to_measure.transform(x, y)
        else:
            tx, ty = Transformer.from_crs(crs, CRS_MEASURE, always_xy=True).transform(x, y)
        return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)

    def snap(self, x_m: float, y_m: float, *, max_snap_m: float = MAX_SNAP_M) -> Snap:
        """Snap a point (EPSG:25832) to the nearest routable segment.

        Raises
        ------
        OutOfReachError
            No routable segment within ``max_snap_m``.
        """
        net = self.net
        pt = shapely.points(x_m, y_m)
        fwd, bwd = self.segment_edges
        idx = net.segment_tree.query_nearest(pt, max_distance=max_snap_m, all_matches=False)
        seg = int(idx[0]) if len(idx) else -1
        if seg >= 0 and fwd[seg] < 0 and bwd[seg] < 0:
            # nearest segment carries no edge (a dropped parallel); take the next usable one
            near = net.segment_tree.query(pt, predicate="dwithin", distance=max_snap_m)
            near = near[(fwd[near] >= 0) | (bwd[near] >= 0)]
            if near.size:
                dist = shapely.distance(net.segment_geometries[near], pt)
                seg = int(near[np.argmin(dist)])
            else:
                seg = -1
        if seg < 0:
            lon, lat = self.to_store.transform(float(x_m), float(y_m))
            raise OutOfReachError(
                f"the point ({x_m:.0f}, {y_m:.0f}) in {CRS_MEASURE} is more than "
                f"{max_snap_m:.0f} m from any street of the {net.mode} network. "
                "Pick a point closer to a street inside the region.",
                point=(float(lon), float(lat)),
            )
        geom = net.segment_geometries[seg]
        dist_m = float(shapely.distance(geom, pt))
        fraction = float(shapely.line_locate_point(geom, pt, normalized=True))
        if not np.isfinite(fraction):  # zero-length geometry
            fraction = 0.0
        return Snap(
            segment=seg,
            distance_m=dist_m,
            fraction=fraction,
            access_seconds=dist_m / self.access_mps,
        )

    def start_offsets(self, snap: Snap) -> tuple[np.ndarray, np.ndarray]:
        """Start nodes and seconds to reach them from a snapped point (access walk included)."""
        net = self.net
        fwd, bwd = self.segment_edges
        nodes: list[int] = []
        secs: list[float] = []
        if fwd[snap.segment] >= 0:  # travel on towards the last vertex
            nodes.append(int(net.seg_v[snap.segment]))
            secs.append(
                snap.access_seconds + float(net.seconds[fwd[snap.segment]]) * (1.0 - snap.fraction)
            )
        if bwd[snap.segment] >= 0:  # travel back towards the first vertex
            nodes.append(int(net.seg_u[snap.segment]))
            secs.append(snap.access_seconds + float(net.seconds[bwd[snap.segment]]) * snap.fraction)
        return np.asarray(nodes, dtype=np.int64), np.asarray(secs, dtype=float)

    def dijkstra(
        self,
        nodes: np.ndarray,
        offsets_s: np.ndarray,
        *,
        limit_s: float | None = None,
        reverse: bool = False,
        predecessors: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """One Dijkstra run from several start nodes, each with its own start time.

        A virtual source joined to every start node by an edge of its offset makes
        this one exact single-source run.

        Parameters
        ----------
        nodes : ndarray of int
            Start nodes (duplicates allowed; the smallest offset wins).
        offsets_s : ndarray of float
            Seconds already spent when at each start node (>= 0).
        limit_s : float, optional
            Stop beyond this many seconds (unreached nodes are ``inf``).
        reverse : bool
            Route on the reversed graph: gives the time from every node *to* the
            nearest start (needed for one-way streets).
        predecessors : bool
            Also return, per node, the start node its shortest path begins at
            (-1 where unreached).

        Returns
        -------
        seconds : ndarray of float, shape (n,)
        root : ndarray of int64, shape (n,) or None
        """
        n = self.net.n_nodes
        nodes = np.asarray(nodes, dtype=np.int64)
        offsets_s = np.asarray(offsets_s, dtype=float)
        if nodes.size == 0:
            root = np.full(n, -1, dtype=np.int64) if predecessors else None
            return np.full(n, np.inf), root
        order = np.lexsort((offsets_s, nodes))
        nodes, offsets_s = nodes[order], offsets_s[order]
        first = np.ones(nodes.size, dtype=bool)
        first[1:] = nodes[1:] != nodes[:-1]
        nodes, offsets_s = nodes[first], offsets_s[first]
        base = self.csr_reverse if reverse else self.csr
        indptr = np.concatenate([base.indptr, [base.indptr[-1] + nodes.size]])
        indices = np.concatenate([base.indices, nodes.astype(base.indices.dtype)])
        data = np.concatenate([base.data, offsets_s])
        graph = sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
        limit = np.inf if limit_s is None else float(limit_s)
        if predecessors:
            dist, pred = csgraph.dijkstra(
                graph, directed=True, indices=n, limit=limit, return_predecessors=True
            )
            return dist[:n], _roots(pred, n)
        dist = csgraph.dijkstra(graph, directed=True, indices=n, limit=limit)
        return dist[:n], None


@dataclass(frozen=True)
class Snap:
    """Where a point meets the network.

    Attributes
    ----------
    segment : int
        Segment index.
    distance_m : float
        Straight distance point -> segment (EPSG:25832 metres).
    fraction : float
        Position on the segment, 0 = first vertex, 1 = last vertex (by length).
    access_seconds : float
        Walking time for ``distance_m``.
    """

    segment: int
    distance_m: float
    fraction: float
    access_seconds: float


@dataclass(frozen=True, eq=False)
class OriginTimes:
    """Travel times from one origin point to every node.

    Attributes
    ----------
    mode : str
        Network mode.
    node_seconds : ndarray of float, shape (n,)
        Seconds from the origin to each node; ``inf`` where unreached (or beyond
        ``max_seconds``).
    origin_xy : tuple of float
        The origin in EPSG:25832.
    snap_m : float
        Distance origin -> nearest routable street (metres).
    segment : int
        The segment the origin snapped to.
    fraction : float
        Position of the snap point on that segment (0 = first vertex).
    access_seconds : float
        Walking time of the snap distance.
    max_seconds : float or None
        The search limit used.
    """

    mode: str
    node_seconds: np.ndarray
    origin_xy: tuple[float, float]
    snap_m: float
    segment: int
    fraction: float
    access_seconds: float
    max_seconds: float | None

    @property
    def reached(self) -> int:
        """Number of nodes reached."""
        return int(np.isfinite(self.node_seconds).sum())


def travel_times(
    net: Network | Router,
    origin: tuple[float, float],
    *,
    origin_crs: str = CRS_STORE,
    max_seconds: float | None = None,
    boundary: shapely.Geometry | None = None,
    max_snap_m: float = MAX_SNAP_M,
) -> OriginTimes:
    """Seconds from a point anywhere to every node of the network.

    The point snaps to the nearest street segment (STRtree); the walk to it and
    the partial segment to both end nodes (where the direction is allowed) count.
    Then one Dijkstra run (``scipy.sparse.csgraph``, bounded by ``max_seconds``).

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    origin : (float, float)
        ``(lon, lat)`` in EPSG:4326, or ``(x, y)`` in ``origin_crs``.
    origin_crs : str
        CRS of ``origin``.
    max_seconds : float, optional
        Stop the search beyond this time.
    boundary : shapely geometry, optional
        The region outline in EPSG:4326; an origin outside it is refused.
    max_snap_m : float
        Farthest allowed distance to a street (metres).

    Returns
    -------
    OriginTimes

    Raises
    ------
    OutOfReachError
        The origin lies outside ``boundary`` or farther than ``max_snap_m`` from
        any street.
    """
    router = as_router(net)
    lon_x, lat_y = float(origin[0]), float(origin[1])
    if not (np.isfinite(lon_x) and np.isfinite(lat_y)):
        raise OutOfReachError(f"origin {origin!r} has no finite coordinates.")
    if boundary is not None:
        if origin_crs.upper() == CRS_STORE:
            lon, lat = lon_x, lat_y
        else:
            lon, lat = router.to_store.transform(*router.project(lon_x, lat_y, crs=origin_crs))
        if not shapely.intersects_xy(boundary, float(lon), float(lat)):
            raise OutOfReachError(
                f"origin ({float(lon):.5f}, {float(lat):.5f}) lies outside the region. "
                "Pick a point inside the region's boundary.",
                point=(float(lon), float(lat)),
            )
    x, y = router.project(lon_x, lat_y, crs=origin_crs)
    snap = router.snap(float(x), float(y), max_snap_m=max_snap_m)
    nodes, offsets = router.start_offsets(snap)
    seconds, _ = router.dijkstra(nodes, offsets, limit_s=max_seconds)
    return OriginTimes(
        mode=router.mode,
        node_seconds=seconds,
        origin_xy=(float(x), float(y)),
        snap_m=snap.distance_m,
        segment=snap.segment,
        fraction=snap.fraction,
        access_seconds=snap.access_seconds,
        max_seconds=max_seconds,
    )


def snap_offers(
    router: Router, offers: gpd.GeoDataFrame, *, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Offer ids, nearest nodes and snap distances; unusable offers listed with reasons.

    ``offers`` may be in any CRS (converted to EPSG:4326, then projected to the
    network's EPSG:25832); snap distances are metres in EPSG:25832.
    """
    if not isinstance(offers, gpd.GeoDataFrame):
        raise InputDataError(
            "offers must be a GeoDataFrame of points indexed by offer_id.",
            field="geometry",
            hint="Load offers with offers.store.OfferStore(...).offers().",
        )
    geom = offers.geometry
    if len(offers) and geom.crs is not None and not geom.crs.equals(CRS_STORE):
        geom = geom.to_crs(CRS_STORE)
    values = geom.to_numpy()
    usable = ~(shapely.is_missing(values) | shapely.is_empty(values))
    pts = shapely.point_on_surface(values[usable])
    lon, lat = shapely.get_x(pts), shapely.get_y(pts)
    x, y = router.project(lon, lat, crs=CRS_STORE)
    reasons = pd.Series("", index=offers.index, dtype=object)
    reasons[~usable] = "no coordinates"
    nodes = np.full(len(offers), -1, dtype=np.int64)
    snap_m = np.full(len(offers), np.inf)
    if usable.any() and router.net.n_nodes:
        d, i = router.node_tree.query(np.column_stack([x, y]))
        nodes[usable] = i
        snap_m[usable] = d
    far = usable & ~(snap_m <= max_snap_m)
    reasons[far] = f"more than {max_snap_m:.0f} m from the {router.mode} network"
    ok = usable & ~far
    skipped = pd.DataFrame({"reason": reasons[~ok]})
    return (
        offers.index.to_numpy()[ok],
        nodes[ok],
        snap_m[ok],
        skipped,
    )


def cell_seconds(
    router: Router, cells: pd.DataFrame, node_seconds: np.ndarray, *, mode: str
) -> np.ndarray:
    """Node time at each cell's node plus the walk from the cell centre."""
    node_col, snap_col = _require_snapped(cells, mode)
    node = cells[node_col].to_numpy()
    bad = ~((node >= 0) & (node < router.net.n_nodes))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise InputDataError(
            f"node {node[row - 1]!r} is not a node of the {router.mode} network.",
            field=node_col,
            row=row,
            hint="The cells and the network come from different builds; rebuild the region.",
        )
    snap = cells[snap_col].to_numpy(dtype=float)
    return node_seconds[node.astype(np.int64)] + snap / router.access_mps


@dataclass(frozen=True, eq=False)
class NearestResult:
    """The nearest offer of a set for every node and cell.

    Attributes
    ----------
    mode : str
        Network mode.
    node_seconds : ndarray of float, shape (n,)
        Seconds from each node to its nearest offer (``inf`` where none is reached).
    node_offer : ndarray of int64, shape (n,)
        Position of that offer in ``offer_ids`` (-1 where none).
    offer_ids : ndarray of object
        Ids of the offers that were routed (in input order).
    offer_node : ndarray of int64
        Node each routed offer snapped to.
    offer_snap_m : ndarray of float
        Distance offer -> node (metres, EPSG:25832).
    skipped : DataFrame
        Offers that were not routed, index ``offer_id``, column ``reason``.
    cells : DataFrame or None
        Indexed like the input cells: ``seconds`` (node time plus the cell's snap
        walk), ``minutes``, ``offer_id`` (None where unreached).
    """

    mode: str
    node_seconds: np.ndarray
    node_offer: np.ndarray
    offer_ids: np.ndarray
    offer_node: np.ndarray
    offer_snap_m: np.ndarray
    skipped: pd.DataFrame
    cells: pd.DataFrame | None = None

    def node_offer_id(self) -> np.ndarray:
        """Offer id per node (None where unreached)."""
        ids = np.append(self.offer_ids.astype(object), None)
        return ids[self.node_offer]


def nearest_offer(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    *,
    cells: pd.DataFrame | None = None,
    mode: str | None = None,
    max_seconds: float | None = None,
    max_snap_m: float = MAX_SNAP_M,
) -> NearestResult:
    """Travel time from every node (and cell) to the nearest of a set of offers.

    One multi-source Dijkstra run on the reversed graph (so one-way streets are
    respected in the direction home -> offer). Each offer starts at its nearest
    node with the walk from the offer to that node already counted; cells add the
    walk from their centre to their node (``node_<mode>``, ``snap_m_<mode>``).

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    offers : GeoDataFrame
        EPSG:4326 points indexed by ``offer_id``. Offers without a usable point or
        farther than ``max_snap_m`` from the network are skipped and listed in
        ``NearestResult.skipped``.
    cells : DataFrame, optional
        Census cells with ``node_<mode>`` and ``snap_m_<mode>`` columns.
    mode : str, optional
        Column suffix for the cells; default the network's mode.
    max_seconds : float, optional
        Search limit (``inf`` beyond).
    max_snap_m : float
        Farthest allowed offer -> node distance (metres).

    Returns
    -------
    NearestResult
    """
    router = as_router(net)
    mode = mode or router.mode
    ids, nodes, snap_m, skipped = snap_offers(router, offers, max_snap_m=max_snap_m)
    seconds, root = router.dijkstra(
        nodes, snap_m / router.access_mps, limit_s=max_seconds, reverse=True, predecessors=True
    )
    assert root is not None
    # the node a path starts at -> the offer that starts there with the smallest walk
    node_to_offer = np.full(router.net.n_nodes + 1, -1, dtype=np.int64)
    order = np.lexsort((snap_m, nodes))
    first = np.ones(order.size, dtype=bool)
    first[1:] = nodes[order][1:] != nodes[order][:-1]
    node_to_offer[nodes[order[first]]] = order[first]
    node_offer = np.where(root >= 0, node_to_offer[root], -1)
    cell_table = None
    if cells is not None:
        cell_s = cell_seconds(router, cells, seconds, mode=mode)
        node_col = cells[f"node_{mode}"].to_numpy(dtype=np.int64)
        which = node_offer[node_col]
        ids_obj = np.append(ids.astype(object), None)
        cell_table = pd.DataFrame(
            {
                "seconds": cell_s,
                "minutes": cell_s / 60.0,
                "offer_id": ids_obj[np.where(np.isfinite(cell_s), which, -1)],
            },
            index=cells.index,
        )
    return NearestResult(
        mode=router.mode,
        node_seconds=seconds,
        node_offer=node_offer,
        offer_ids=ids,
        offer_node=nodes,
        offer_snap_m=snap_m,
        skipped=skipped,
        cells=cell_table,
    )


def offer_cell_seconds(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    mode: str | None = None,
    limit_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Seconds from every cell to every offer, from one bounded Dijkstra over all offers.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    offers : GeoDataFrame
        EPSG:4326 points indexed by ``offer_id``.
    cells : DataFrame
        Cells with ``node_<mode>`` and ``snap_m_<mode>``.
    mode : str, optional
        Column suffix; default the network's mode.
    limit_s : float, optional
        Search limit; times beyond it are ``inf``.

    Returns
    -------
    offer_ids : ndarray
        Ids of the routed offers (rows).
    seconds : ndarray of float, shape (len(offer_ids), len(cells))
        Walk offer -> node + network time (reversed graph, so it is the time
        from the cell to the offer) + walk node -> cell centre.
    skipped : DataFrame
        Offers left out, with ``reason``.
    """
    router = as_router(net)
    mode = mode or router.mode
    _require_snapped(cells, mode)
    ids, nodes, snap_m, skipped = snap_offers(router, offers, max_snap_m=MAX_SNAP_M)
    cell_node = cells[f"node_{mode}"].to_numpy(dtype=np.int64)
    cell_walk = cells[f"snap_m_{mode}"].to_numpy(dtype=float) / router.access_mps
    if ids.size == 0:
        return ids, np.empty((0, len(cells))), skipped
    uniq, row = np.unique(nodes, return_inverse=True)
    limit = np.inf if limit_s is None else float(limit_s)
    dist = csgraph.dijkstra(router.csr_reverse, directed=True, indices=uniq, limit=limit)
    at_cells = dist[:, cell_node]
    seconds = at_cells[row] + (snap_m / router.access_mps)[:, None] + cell_walk[None, :]
    if limit_s is not None:
        seconds[seconds > limit] = np.inf
    return ids, seconds, skipped


def _require_snapped(cells: pd.DataFrame, mode: str) -> tuple[str, str]:
    """The cells' ``node_<mode>`` and ``snap_m_<mode>`` column names; raises if one lacks."""
    node_col, snap_col = f"node_{mode}", f"snap_m_{mode}"
    for col in (node_col, snap_col):
        if col not in cells.columns:
            raise InputDataError(
                "the cells table lacks a column.",
                field=col,
                hint="Use region.cells from geo.build.load_region (it snaps cells per mode).",
            )
    return node_col, snap_col


def as_router(net: Network | Router) -> Router:
    """The given router, or a fresh one for a bare network."""
    return net if isinstance(net, Router) else Router(net)


def _network_speed_kmh(net: Network) -> float:
    if net.n_edges == 0:
        return ACCESS_WALK_KMH
    mps = net.seg_length_m[net.edge_segment] / net.seconds
    return float(np.median(mps)) * 3.6


def _roots(pred: np.ndarray, source: int) -> np.ndarray:
    """Start node of every node's shortest path, by pointer jumping (-1 if unreached)."""
    n = source
    pred = pred[:n].astype(np.int64)
    idx = np.arange(n, dtype=np.int64)
    unreached = pred < 0
    parent = np.where((pred == source) | unreached, idx, pred)
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    parent[unreached] = -1
    return parent


def snap_cells(cells: gpd.GeoDataFrame, networks: Mapping[str, Network]) -> gpd.GeoDataFrame:
    """Snap each cell centre to its nearest network node, per mode.

    Parameters
    ----------
    cells : GeoDataFrame
        Census cells with ``x``/``y`` centres in EPSG:25832.
    networks : mapping of str to Network
        Networks by mode (node coordinates in EPSG:25832).

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` (same index) with ``node_<mode>`` (int64, -1 for an empty
        network) and ``snap_m_<mode>`` (float metres, inf for an empty network).
    """
    out = cells.copy()
    xy = np.column_stack([cells["x"].to_numpy(float), cells["y"].to_numpy(float)])
    for mode, net in networks.items():
        if net.n_nodes == 0 or len(xy) == 0:
            out[f"node_{mode}"] = np.full(len(cells), -1, dtype=np.int64)
            out[f"snap_m_{mode}"] = np.full(len(cells), np.inf)
            continue
        dist, idx = net.node_tree.query(xy)
        out[f"node_{mode}"] = np.asarray(idx, dtype=np.int64)
        out[f"snap_m_{mode}"] = np.asarray(dist, dtype=float)
    return out
