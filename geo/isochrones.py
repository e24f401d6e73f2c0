"""Isochrones: nested travel-time bands from the streets actually reached.

A band is the union of the reached street pieces (whole segments, and the reached
part of partly reached segments, cut at the reached fraction from each end),
buffered by ``buffer_m``. Blocks no street reaches stay holes. Geometry work happens
in EPSG:25832; the result is EPSG:4326.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.agegroups import POP_COLUMNS
from geo.network import Network
from geo.routing import MAX_SNAP_M, OriginTimes, Router, as_router, travel_times
from geo.settings import CRS_STORE

#: Largest raster (pixels) an isochrone is traced on (about 4 MB per array).
MAX_PIXELS = 1_000_000


def isochrones(
    net: Network | Router,
    origin: tuple[float, float],
    *,
    minutes: Sequence[float] = (5, 10, 15, 20),
    buffer_m: float = 35.0,
    cells: pd.DataFrame | None = None,
    mode: str | None = None,
    origin_crs: str = CRS_STORE,
    boundary: shapely.Geometry | None = None,
    max_snap_m: float = MAX_SNAP_M,
    pixel_m: float | None = None,
    times: OriginTimes | None = None,
) -> gpd.GeoDataFrame:
    """Travel-time bands around a point.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    origin : (float, float)
        ``(lon, lat)`` in EPSG:4326 (or ``origin_crs``).
    minutes : sequence of float
        Band limits in minutes (any order; output ascending, duplicates dropped).
    buffer_m : float
        Half width of the band around each reached street (metres, EPSG:25832).
    cells : DataFrame, optional
        Census cells with ``x``/``y`` (EPSG:25832 centres) and ``pop_*`` columns;
        a cell counts in a band when its centre lies inside.
    mode : str, optional
        Label of the ``mode`` column (default the network's mode).
    origin_crs : str
        CRS of ``origin``.
    boundary : shapely geometry, optional
        Region outline (EPSG:4326); an origin outside raises ``OutOfReachError``.
    max_snap_m : float
        Farthest allowed distance origin -> street.
    pixel_m : float, optional
        Raster resolution of the buffer (default ``buffer_m / 5``; see
        :func:`band_polygons`).
    times : OriginTimes, optional
        Reuse travel times already computed for this origin.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per band (index 0..k-1): ``minutes``, ``mode``,
        ``area_km2``, the ``pop_*`` columns present in ``cells`` and geometry.
        Each band contains the smaller ones.

    Raises
    ------
    OutOfReachError
        The origin is outside ``boundary`` or too far from any street.
    """
    router = as_router(net)
    bands = sorted({float(m) for m in minutes})
    if not bands or bands[0] <= 0 or not np.isfinite(bands[-1]):
        raise ValueError(f"minutes must be positive and finite, got {list(minutes)!r}")
    if not buffer_m > 0:
        raise ValueError(f"buffer_m must be positive, got {buffer_m!r}")
    if times is None:
        times = travel_times(
            router,
            origin,
            origin_crs=origin_crs,
            max_seconds=bands[-1] * 60.0,
            boundary=boundary,
            max_snap_m=max_snap_m,
        )
    polygons = band_polygons(
        router, times, [b * 60.0 for b in bands], buffer_m=buffer_m, pixel_m=pixel_m
    )
    data: dict[str, object] = {
        "minutes": bands,
        "mode": mode or router.mode,
        "area_km2": shapely.area(polygons) / 1e6,
    }
    if cells is not None:
        cols = [c for c in POP_COLUMNS if c in cells.columns]
        x = cells["x"].to_numpy(dtype=float)
        y = cells["y"].to_numpy(dtype=float)
        values = np.column_stack([cells[c].to_numpy(dtype=float) for c in cols])
        # only cells in the largest band's bounding box can be inside any band
        x0, y0, x1, y1 = shapely.bounds(polygons[-1])
        near = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        inside = []
        for poly in polygons:
            mask = np.zeros(x.size, dtype=bool)
            if near.size and not poly.is_empty:
                shapely.prepare(poly)
                mask[near] = shapely.contains_xy(poly, x[near], y[near])
            inside.append(mask)
        # NaN = unknown age breakdown: counts as nobody in that group
        sums = np.stack(inside).astype(float) @ np.nan_to_num(values, nan=0.0)
        for j, col in enumerate(cols):
            data[col] = sums[:, j]
    geometry = shapely.transform(
        polygons, lambda xy: np.column_stack(router.to_store.transform(xy[:, 0], xy[:, 1]))
    )
    return gpd.GeoDataFrame(data, geometry=geometry, crs=CRS_STORE)


def band_polygons(
    router: Router,
    times: OriginTimes,
    limits_s: Sequence[float],
    *,
    buffer_m: float,
    pixel_m: float | None = None,
) -> np.ndarray:
    """Buffered reached streets per limit (ascending), nested, in EPSG:25832.

    The streets reached within the largest limit are sampled every half pixel, each
    sample with the time it is reached (the partial-edge rule: arrival at an end node
    plus the share of the edge). Per band, the samples within its limit are drawn into
    a raster (``pixel_m``), a Euclidean distance transform gives every pixel its
    distance to the nearest reached street, and the ``<= buffer_m`` region is traced as
    polygons (contourpy, linear interpolation, so outlines are smooth). A GEOS buffer
    of the same lines is 50-100x slower on a real network. Bands nest by construction:
    a larger limit keeps a superset of samples, so its distance field is nowhere larger.
    Holes narrower than about two pixels close.

    Parameters
    ----------
    router : Router
        Prepared network.
    times : OriginTimes
        Travel times from the origin.
    limits_s : sequence of float
        Ascending band limits in seconds.
    buffer_m : float
        Buffer distance in metres.
    pixel_m : float, optional
        Raster resolution; default ``buffer_m / 5``, coarser where the largest band
        would need more than :data:`MAX_PIXELS` pixels.

    Returns
    -------
    ndarray of shapely (Multi)Polygon, one per limit
    """
    pixel = float(pixel_m) if pixel_m else buffer_m / 5.0
    reached = times.node_seconds <= max(limits_s)
    if reached.any():
        # bound the raster (long drive bands): at most MAX_PIXELS, coarser pixels if needed
        net = router.net
        span_x = np.ptp(net.x[reached]) + 2 * buffer_m
        span_y = np.ptp(net.y[reached]) + 2 * buffer_m
        pixel = max(pixel, float(np.sqrt(span_x * span_y / MAX_PIXELS)))
    sx, sy, arrive = _timed_samples(router, times, max(limits_s), step_m=pixel / 2.0)
    if not sx.size:
        return np.array([shapely.Polygon() for _ in limits_s], dtype=object)
    # one global lattice; each band gets its own window (small bands, small rasters)
    gx0, gy0 = sx.min() - (buffer_m + 3 * pixel), sy.min() - (buffer_m + 3 * pixel)
    all_col = np.rint((sx - gx0) / pixel).astype(np.int64)
    all_row = np.rint((sy - gy0) / pixel).astype(np.int64)
    pad = int(np.ceil(buffer_m / pixel)) + 3
    # rasterised lines are ~0.15 pixel wider than the lines (measured against exact
    # GEOS buffers on Wolfsburg): trace that much inside to stay unbiased
    level = buffer_m - 0.15 * pixel
    out = []
    for limit in limits_s:
        # a larger limit keeps a superset of samples: bands nest by construction
        keep = arrive <= limit
        if not keep.any():
            out.append(shapely.Polygon())
            continue
        col, row = all_col[keep], all_row[keep]
        c0, r0 = int(col.min()) - pad, int(row.min()) - pad
        nx, ny = int(col.max()) - c0 + pad + 1, int(row.max()) - r0 + pad + 1
        free = np.ones((ny, nx), dtype=bool)
        free[row - r0, col - c0] = False
        dist = near_distance(~free, reach_px=int(np.ceil(level / pixel)) + 2, pixel_m=pixel)
        out.append(_trace(dist, level, col0=c0, row0=r0, x0=gx0, y0=gy0, pixel=pixel))
    return np.array(out, dtype=object)


def near_distance(mask: np.ndarray, *, reach_px: int, pixel_m: float) -> np.ndarray:
    """Euclidean distance (metres) from every pixel to the nearest ``True`` pixel.

    Exact up to ``reach_px`` pixels, larger than that beyond (about 3e4 pixels): two
    separable passes of ``reach_px`` shifted minima each. Tracing a level needs exact
    values only up to one pixel past the level (the field changes by at most one pixel
    per step), so this is 3x faster than ``scipy.ndimage.distance_transform_edt``.
    """
    big = np.float32(1e9)
    cost = np.where(mask, np.float32(0.0), big)
    col = cost.copy()
    for k in range(1, reach_px + 1):
        kk = np.float32(k * k)
        np.minimum(col[k:], cost[:-k] + kk, out=col[k:])
        np.minimum(col[:-k], cost[k:] + kk, out=col[:-k])
    sq = col.copy()
    for k in range(1, reach_px + 1):
        kk = np.float32(k * k)
        np.minimum(sq[:, k:], col[:, :-k] + kk, out=sq[:, k:])
        np.minimum(sq[:, :-k], col[:, k:] + kk, out=sq[:, :-k])
    return np.sqrt(sq) * np.float32(pixel_m)


def _trace(
    field: np.ndarray,
    level: float,
    *,
    col0: int,
    row0: int,
    x0: float,
    y0: float,
    pixel: float,
) -> shapely.Geometry:
    """Polygons of ``field <= level`` (holes kept).

    ``field[r, c]`` sits at lattice index ``(col0 + c, row0 + r)``, i.e. at
    ``(x0 + (col0 + c) * pixel, y0 + (row0 + r) * pixel)`` in EPSG:25832. Tracing in
    global lattice indices makes shared boundaries of two bands bit-identical.
    """
    import contourpy

    if field.min() > level:
        return shapely.Polygon()
    ny, nx = field.shape
    gen = contourpy.contour_generator(
        x=np.arange(col0, col0 + nx, dtype=float),
        y=np.arange(row0, row0 + ny, dtype=float),
        z=field,
        fill_type=contourpy.FillType.ChunkCombinedOffsetOffset,
        name="serial",
        corner_mask=False,
    )
    points, ring_offsets, outer_offsets = gen.filled(-1.0, level)
    pts, rings, outers = points[0], ring_offsets[0], outer_offsets[0]
    if pts is None or len(pts) == 0:
        return shapely.Polygon()
    coords = np.asarray(pts, dtype=float) * pixel + (x0, y0)
    polys = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON,
        coords,
        (np.asarray(rings, dtype=np.int64), np.asarray(outers, dtype=np.int64)),
    )
    return polys[0] if len(polys) == 1 else shapely.multipolygons(polys)


def _sample_lines(
    xy: np.ndarray, offsets: np.ndarray, *, step_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ``step_m`` (or closer) along ragged polylines, ends included.

    Returns x, y, the polyline of each point and its distance along that polyline.
    """
    n_lines = offsets.size - 1
    piece_of = np.repeat(np.arange(n_lines), np.diff(offsets))
    same = piece_of[1:] == piece_of[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    pair_piece = piece_of[:-1][same]
    length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
    before = np.cumsum(length) - length
    first_pair = np.searchsorted(pair_piece, np.arange(n_lines))
    has_pair = first_pair < pair_piece.size
    base = np.zeros(n_lines)
    base[has_pair] = before[first_pair[has_pair]]
    along0 = before - base[pair_piece]
    n = np.maximum(1, np.ceil(length / step_m).astype(np.int64))
    start = np.repeat(np.cumsum(n) - n, n)
    t = (np.arange(int(n.sum())) - start) / np.repeat(n, n)
    ax, ay = np.repeat(a[:, 0], n), np.repeat(a[:, 1], n)
    bx, by = np.repeat(b[:, 0], n), np.repeat(b[:, 1], n)
    last = offsets[1:] - 1
    total = np.bincount(pair_piece, weights=length, minlength=n_lines)
    sx = np.concatenate([ax + t * (bx - ax), xy[last, 0]])
    sy = np.concatenate([ay + t * (by - ay), xy[last, 1]])
    piece = np.concatenate([np.repeat(pair_piece, n), np.arange(n_lines)])
    along = np.concatenate([np.repeat(along0, n) + t * np.repeat(length, n), total])
    return sx, sy, piece, along


def _timed_samples(
    router: Router, times: OriginTimes, limit: float, *, step_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample points (EPSG:25832) along every street piece reached within ``limit`` s,
    with the second each is reached."""
    net = router.net
    d = times.node_seconds
    src = net.edge_source
    cand = np.flatnonzero(d[src] < limit)
    c_seg = net.edge_segment[cand]
    c_fwd = net.edge_forward[cand].astype(bool)
    reach = np.clip((limit - d[src[cand]]) / net.seconds[cand], 0.0, 1.0)
    fwd_edges, bwd_edges = router.segment_edges
    # per segment: reached share from its first vertex (a) and from its last (b)
    seg_a = np.zeros(net.n_segments)
    seg_b = np.zeros(net.n_segments)
    seg_a[c_seg[c_fwd]] = reach[c_fwd]
    seg_b[c_seg[~c_fwd]] = reach[~c_fwd]
    touched = np.flatnonzero((seg_a > 0) | (seg_b > 0))
    a, b = seg_a[touched], seg_b[touched]
    full = a + b >= 1.0
    part_u = ~full & (a > 0)
    part_v = ~full & (b > 0)
    seg_ids = [touched[full], touched[part_u], touched[part_v]]
    starts = [np.zeros(int(full.sum())), np.zeros(int(part_u.sum())), 1.0 - b[part_v]]
    ends = [np.ones(int(full.sum())), a[part_u], np.ones(int(part_v.sum()))]
    # the origin's own segment, walked from the snap point in both allowed directions
    s0, f, walk_s = times.segment, times.fraction, times.access_seconds
    left = limit - walk_s
    if left > 0:
        if fwd_edges[s0] >= 0:
            seg_ids.append(np.array([s0]))
            starts.append(np.array([f]))
            ends.append(np.array([min(1.0, f + left / net.seconds[fwd_edges[s0]])]))
        if bwd_edges[s0] >= 0:
            seg_ids.append(np.array([s0]))
            starts.append(np.array([max(0.0, f - left / net.seconds[bwd_edges[s0]])]))
            ends.append(np.array([f]))
    seg = np.concatenate(seg_ids).astype(np.int64)
    start = np.concatenate(starts)
    xy, offsets, seg_len = _cut(net, seg, start, np.concatenate(ends))
    sx, sy, piece, along = _sample_lines(xy, offsets, step_m=step_m)
    on = seg[piece]
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.clip(
            start[piece] + np.where(seg_len[piece] > 0, along / seg_len[piece], 0.0), 0.0, 1.0
        )
    fe, be = fwd_edges[on], bwd_edges[on]
    arrive = np.full(sx.size, np.inf)
    ok = fe >= 0
    arrive[ok] = d[net.seg_u[on[ok]]] + q[ok] * net.seconds[fe[ok]]
    ok = be >= 0
    arrive[ok] = np.minimum(arrive[ok], d[net.seg_v[on[ok]]] + (1.0 - q[ok]) * net.seconds[be[ok]])
    at_origin = on == s0
    if at_origin.any():
        qo = q[at_origin]
        direct = np.full(qo.size, np.inf)
        if fwd_edges[s0] >= 0:
            ahead = qo >= f
            direct[ahead] = walk_s + (qo[ahead] - f) * net.seconds[fwd_edges[s0]]
        if bwd_edges[s0] >= 0:
            behind = qo <= f
            direct[behind] = np.minimum(
                direct[behind], walk_s + (f - qo[behind]) * net.seconds[bwd_edges[s0]]
            )
        arrive[at_origin] = np.minimum(arrive[at_origin], direct)
    access = _access_line(net, times, limit)
    if access is not None:
        axy = shapely.get_coordinates(access)
        ax, ay, _, a_along = _sample_lines(axy, np.array([0, axy.shape[0]]), step_m=step_m)
        sx, sy = np.concatenate([sx, ax]), np.concatenate([sy, ay])
        arrive = np.concatenate([arrive, walk_s * a_along / times.snap_m])
    keep = arrive <= limit
    return sx[keep], sy[keep], arrive[keep]


def _access_line(net: Network, times: OriginTimes, limit_s: float) -> shapely.LineString | None:
    """The walked part of the straight way from the origin to its street."""
    if times.snap_m < 1.0 or times.access_seconds <= 0:
        return None
    snap_pt = shapely.line_interpolate_point(
        net.segment_geometries[times.segment], times.fraction, normalized=True
    )
    ox, oy = times.origin_xy
    share = min(1.0, limit_s / times.access_seconds)
    ex = ox + (snap_pt.x - ox) * share
    ey = oy + (snap_pt.y - oy) * share
    return shapely.LineString([(ox, oy), (ex, ey)])


def cut_segments(
    net: Network, seg_ids: np.ndarray, start_frac: np.ndarray, end_frac: np.ndarray
) -> np.ndarray:
    """Sub-lines of segments between two length fractions, vectorised (EPSG:25832).

    Parameters
    ----------
    net : Network
        Supplies the segment vertices.
    seg_ids : ndarray of int
        Segment per piece.
    start_frac, end_frac : ndarray of float
        Fractions of the segment length (0 = first vertex), ``start <= end``.

    Returns
    -------
    ndarray of LineString
        One per piece, in EPSG:25832.
    """
    coords, offsets, _ = _cut(net, seg_ids, start_frac, end_frac)
    if offsets.size == 1:
        return np.array([], dtype=object)
    return shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords, (offsets,))


def _cut(
    net: Network, seg_ids: np.ndarray, start_frac: np.ndarray, end_frac: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ragged vertices of segment pieces between two length fractions (EPSG:25832).

    Parameters as :func:`cut_segments`.

    Returns
    -------
    coords : ndarray of float, shape (p, 2)
        Piece vertices: cut point, inner vertices, cut point.
    offsets : ndarray of int64, shape (pieces + 1,)
        Piece ``i`` is ``coords[offsets[i]:offsets[i+1]]``.
    seg_length : ndarray of float, shape (pieces,)
        Geometric length of each piece's whole segment (metres).
    """
    seg_ids = np.asarray(seg_ids, dtype=np.int64)
    n_pieces = seg_ids.size
    if n_pieces == 0:
        return np.empty((0, 2)), np.zeros(1, dtype=np.int64), np.empty(0)
    offsets = net.seg_offsets
    first = offsets[seg_ids]
    counts = offsets[seg_ids + 1] - first
    piece = np.repeat(np.arange(n_pieces), counts)
    piece_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    vidx = np.arange(int(counts.sum())) - np.repeat(piece_start, counts) + np.repeat(first, counts)
    xy = net.seg_coords[vidx]
    step = np.zeros(xy.shape[0])
    step[1:] = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    step[piece_start] = 0.0
    cum_all = np.cumsum(step)
    cum = cum_all - np.repeat(cum_all[piece_start], counts)
    last = piece_start + counts - 1
    length = cum[last]
    a = np.clip(start_frac, 0.0, 1.0) * length
    b = np.clip(end_frac, 0.0, 1.0) * length
    # a global, strictly separated distance key to locate cut points with one searchsorted
    gap = np.concatenate([[0.0], np.cumsum(length + 1.0)[:-1]])
    gkey = cum + np.repeat(gap, counts)

    def point_at(dist: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(gkey, dist + gap, side="right") - 1
        pos = np.clip(pos, piece_start, np.maximum(last - 1, piece_start))
        nxt = np.minimum(pos + 1, last)
        seg_len = cum[nxt] - cum[pos]
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(seg_len > 0, (dist - cum[pos]) / seg_len, 0.0)
        t = np.clip(t, 0.0, 1.0)[:, None]
        return xy[pos] + t * (xy[nxt] - xy[pos])

    p0, p1 = point_at(a), point_at(b)
    inner = (cum > np.repeat(a, counts)) & (cum < np.repeat(b, counts))
    inner_piece = piece[inner]
    n_inner = np.bincount(inner_piece, minlength=n_pieces)
    out_counts = n_inner + 2
    out_start = np.concatenate([[0], np.cumsum(out_counts)[:-1]])
    coords = np.empty((int(out_counts.sum()), 2))
    coords[out_start] = p0
    coords[out_start + out_counts - 1] = p1
    rank_in_piece = np.arange(inner_piece.size) - np.repeat(
        np.concatenate([[0], np.cumsum(n_inner)[:-1]]), n_inner
    )
    coords[out_start[inner_piece] + 1 + rank_in_piece] = xy[inner]
    out_offsets = np.concatenate([[0], np.cumsum(out_counts)]).astype(np.int64)
    return coords, out_offsets, length
