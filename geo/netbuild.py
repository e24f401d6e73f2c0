"""From a noded segment table to one travel mode's :class:`geo.network.Network`.

Both readers (:mod:`geo.lines` for line files, :mod:`geo.osm` for OSM extracts) produce
a :class:`Segments` table: street pieces split where ways share a vertex, with the
routing tags of their way. This module holds the per-mode rules (which ways a mode may
use, one-way handling, speeds), modelled on OSMnx' network types and speed logic, and
assembles the CSR network: no self loops, no parallel edges (the fastest wins), reduced
to the largest strongly connected component.

All coordinates are EPSG:25832 (metres).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from geo.network import Network
from geo.settings import CRS_MEASURE, MODES

#: OSM tags the readers keep for routing (missing tags are "").
ROUTING_TAGS: tuple[str, ...] = (
    "highway",
    "name",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "service",
    "area",
    "sidewalk",
    "oneway:bicycle",
)

#: Drive speeds (km/h) per highway class where ``maxspeed`` is missing or unreadable.
#: ``None`` means the region setting ``drive_default_kmh`` (the general urban limit, 50 in
#: Germany), which applies to the through roads of a town; the other classes have their
#: own typical speed.
DRIVE_DEFAULT_KMH: dict[str, float | None] = {
    "motorway": 120.0,
    "motorway_link": 60.0,
    "trunk": 90.0,
    "trunk_link": 50.0,
    "primary": None,
    "primary_link": 40.0,
    "secondary": None,
    "secondary_link": 40.0,
    "tertiary": None,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 7.0,
    "service": 20.0,
    "road": 30.0,
}

_DRIVE_CLASSES = frozenset(DRIVE_DEFAULT_KMH)
_NEVER = frozenset(
    {
        "construction",
        "proposed",
        "abandoned",
        "platform",
        "raceway",
        "bus_guideway",
        "escape",
        "elevator",
        "razed",
        "disused",
        "planned",
        "corridor",
        "via_ferrata",
    }
)
_MOTORWAY_TRUNK = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
_FOOT_ONLY = frozenset({"footway", "pedestrian", "steps", "corridor"})
_NO = frozenset({"no", "private", "agricultural", "forestry", "delivery", "customers"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "official"})
_DRIVE_SERVICE_EXCLUDED = frozenset(
    {"parking", "parking_aisle", "private", "emergency_access", "driveway"}
)
_ONEWAY_FWD = frozenset({"yes", "1", "true"})
_ONEWAY_BWD = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "0", "false"})
#: Walking is slower on steps; applied as a factor to the walking speed.
STEPS_WALK_FACTOR = 0.5

_MAXSPEED_WORDS: dict[str, float] = {
    "de:urban": 50.0,
    "de:rural": 100.0,
    "de:living_street": 7.0,
    "de:motorway": 130.0,
    "de:bicycle_road": 30.0,
    "de:zone30": 30.0,
    "de:zone:30": 30.0,
    "de:zone20": 20.0,
    "de:zone:20": 20.0,
    "walk": 7.0,
    "none": 130.0,
    "signals": 50.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Segments:
    """Street pieces between junctions, before any mode is applied.

    Attributes
    ----------
    node_x, node_y : ndarray of float64, shape (n,)
        Junction and end-point coordinates in EPSG:25832.
    node_osmid : ndarray of int64, shape (n,)
        OSM node id, or -1 for nodes made from line files.
    u, v : ndarray of int64, shape (k,)
        First and last node of each segment (indices into the node arrays).
    coords : ndarray of float64, shape (p, 2)
        All segment vertices in EPSG:25832, concatenated.
    offsets : ndarray of int64, shape (k + 1,)
        Segment ``j`` has vertices ``coords[offsets[j]:offsets[j+1]]``.
    length_m : ndarray of float64, shape (k,)
        Length along the vertices in metres.
    tags : DataFrame
        One row per segment, the :data:`ROUTING_TAGS` as strings ("" if missing)
        plus ``way_id`` (int64, -1 if unknown).
    stats : dict
        Reader statistics (ways read, trimmed, dropped, one-way tags present ...).
    """

    node_x: np.ndarray
    node_y: np.ndarray
    node_osmid: np.ndarray
    u: np.ndarray
    v: np.ndarray
    coords: np.ndarray
    offsets: np.ndarray
    length_m: np.ndarray
    tags: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    crs: str = CRS_MEASURE

    @property
    def n_segments(self) -> int:
        return int(self.u.shape[0])


def node_lines(
    keys: np.ndarray,
    coords: np.ndarray,
    line_offsets: np.ndarray,
    tags: pd.DataFrame,
    *,
    osmids: np.ndarray | None = None,
    stats: dict[str, Any] | None = None,
) -> Segments:
    """Split lines into segments wherever they share a vertex key.

    A vertex becomes a node when it is the end of a line or when its key occurs more
    than once (shared by two lines, or visited twice by one). Lines that merely cross
    without a shared vertex (a bridge over a road) stay unconnected.

    Parameters
    ----------
    keys : ndarray of int64, shape (p,)
        Identity of each vertex: an OSM node id, or rounded coordinates.
    coords : ndarray of float64, shape (p, 2)
        Vertex coordinates in EPSG:25832.
    line_offsets : ndarray of int64, shape (L + 1,)
        Line ``i`` has vertices ``line_offsets[i]:line_offsets[i+1]``.
    tags : DataFrame
        One row per line (positional), copied to its segments.
    osmids : ndarray of int64, shape (p,), optional
        OSM node id per vertex; -1 for all if omitted.
    stats : dict, optional
        Reader statistics to carry into :attr:`Segments.stats`.

    Returns
    -------
    Segments
        Coordinates in EPSG:25832.
    """
    keys = np.asarray(keys, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    line_offsets = np.asarray(line_offsets, dtype=np.int64)
    n_lines = line_offsets.shape[0] - 1
    osmids = np.full(keys.shape[0], -1, np.int64) if osmids is None else np.asarray(osmids)
    line_id = np.repeat(np.arange(n_lines, dtype=np.int64), np.diff(line_offsets))

    # Consecutive repeats of one vertex would make zero-length pieces.
    keep = np.ones(keys.shape[0], dtype=bool)
    keep[1:] = ~((keys[1:] == keys[:-1]) & (line_id[1:] == line_id[:-1]))
    keys, coords, osmids, line_id = keys[keep], coords[keep], osmids[keep], line_id[keep]
    counts = np.bincount(line_id, minlength=n_lines)
    short = counts < 2
    if short.any():
        ok = ~short[line_id]
        keys, coords, osmids, line_id = keys[ok], coords[ok], osmids[ok], line_id[ok]
    stats = dict(stats or {})
    stats["lines_degenerate"] = int(short.sum())

    p = keys.shape[0]
    if p == 0:
        return _empty_segments(tags, stats)
    _, inverse, occurrences = np.unique(keys, return_inverse=True, return_counts=True)
    is_node = occurrences[inverse] > 1
    first = np.ones(p, dtype=bool)
    first[1:] = line_id[1:] != line_id[:-1]
    last = np.ones(p, dtype=bool)
    last[:-1] = line_id[:-1] != line_id[1:]
    is_node |= first | last

    # A piece that returns to its own start (a roundabout drawn as one closed way) would be
    # a self loop, and two pieces between the same two nodes would be parallel edges of
    # which routing keeps one. Give such pieces a node in their middle, so every piece of
    # street stays in the network and in the isochrones.
    for _ in range(6):
        starts, ends = _pieces(is_node, line_id)
        a, b = keys[starts], keys[ends]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        order = np.lexsort((hi, lo))
        repeat = np.zeros(starts.shape[0], dtype=bool)
        repeat[order[1:]] = (lo[order[1:]] == lo[order[:-1]]) & (hi[order[1:]] == hi[order[:-1]])
        split = (a == b) | repeat
        split &= ends - starts >= 2
        if not split.any():
            break
        is_node[(starts[split] + ends[split]) // 2] = True
    starts, ends = _pieces(is_node, line_id)
    loops = keys[starts] == keys[ends]
    starts, ends = starts[~loops], ends[~loops]

    lengths = ends - starts + 1
    seg_offsets = np.zeros(starts.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=seg_offsets[1:])
    take = np.repeat(starts, lengths) + (
        np.arange(seg_offsets[-1]) - np.repeat(seg_offsets[:-1], lengths)
    )
    seg_coords = coords[take]
    step = np.hypot(*np.diff(seg_coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(step)])
    length_m = cum[seg_offsets[1:] - 1] - cum[seg_offsets[:-1]]

    end_keys = np.concatenate([keys[starts], keys[ends]])
    _, first_idx, node_of = np.unique(end_keys, return_index=True, return_inverse=True)
    k = starts.shape[0]
    vertex_of_end = np.concatenate([starts, ends])[first_idx]
    seg_tags = tags.iloc[line_id[starts]].reset_index(drop=True)
    return Segments(
        node_x=coords[vertex_of_end, 0].copy(),
        node_y=coords[vertex_of_end, 1].copy(),
        node_osmid=osmids[vertex_of_end].astype(np.int64),
        u=node_of[:k].astype(np.int64),
        v=node_of[k:].astype(np.int64),
        coords=seg_coords,
        offsets=seg_offsets,
        length_m=length_m,
        tags=seg_tags,
        stats=stats,
    )


def _pieces(is_node: np.ndarray, line_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(is_node)
    same = line_id[idx[:-1]] == line_id[idx[1:]]
    return idx[:-1][same], idx[1:][same]


def _empty_segments(tags: pd.DataFrame, stats: dict[str, Any]) -> Segments:
    e_f = np.zeros(0, np.float64)
    e_i = np.zeros(0, np.int64)
    return Segments(
        node_x=e_f,
        node_y=e_f,
        node_osmid=e_i,
        u=e_i,
        v=e_i,
        coords=np.zeros((0, 2)),
        offsets=np.zeros(1, np.int64),
        length_m=e_f,
        tags=tags.iloc[0:0].reset_index(drop=True),
        stats=stats,
    )


def parse_maxspeed(value: str) -> float | None:
    """A ``maxspeed`` tag in km/h, or None if it is unreadable.

    Handles numbers, ``"30 mph"``, ``"DE:urban"`` (50), ``"DE:rural"`` (100),
    ``"DE:living_street"``/``"walk"`` (7), ``"none"`` (130) and lists such as
    ``"50;30"`` (the lowest wins, as the slower limit applies part of the time).
    """
    text = str(value).strip().lower()
    if not text:
        return None
    found = []
    for part in re.split(r"[;|]", text):
        part = part.strip()
        if part in _MAXSPEED_WORDS:
            found.append(_MAXSPEED_WORDS[part])
            continue
        m = _NUMBER.match(part)
        if m:
            kmh = float(m.group(1).replace(",", "."))
            if (m.group(2) or "").lower() == "mph":
                kmh *= 1.609344
            if kmh > 0:
                found.append(kmh)
    return min(found) if found else None


def mode_rules(
    tags: pd.DataFrame,
    *,
    mode: str,
    walk_kmh: float,
    bike_kmh: float,
    drive_default_kmh: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which segments a mode may use, in which direction, and how fast.

    Parameters
    ----------
    tags : DataFrame
        Routing tags per segment (see :data:`ROUTING_TAGS`).
    mode : {"walk", "bike", "drive"}
    walk_kmh, bike_kmh : float
        Walking and cycling speed.
    drive_default_kmh : float
        Drive speed without ``maxspeed`` on primary/secondary/tertiary roads (see
        :data:`DRIVE_DEFAULT_KMH`).

    Returns
    -------
    allowed, forward, backward : ndarray of bool
        Usable at all; usable from first to last vertex; and the other way.
    kmh : ndarray of float64
        Speed per segment.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    t = {
        c: (tags[c] if c in tags else pd.Series("", index=tags.index)).fillna("").astype(str)
        for c in ROUTING_TAGS
    }
    hw = t["highway"].str.strip().str.lower().to_numpy()
    access = t["access"].str.lower().to_numpy()
    area = t["area"].str.lower().to_numpy()
    n = hw.shape[0]
    base = (hw != "") & ~np.isin(hw, list(_NEVER)) & (area != "yes")
    oneway = t["oneway"].str.strip().str.lower().to_numpy()
    junction = t["junction"].str.lower().to_numpy()
    both = np.ones(n, dtype=bool)

    if mode == "walk":
        foot = t["foot"].str.lower().to_numpy()
        sidewalk = t["sidewalk"].str.lower().to_numpy()
        foot_yes = np.isin(foot, list(_YES))
        has_sidewalk = np.isin(sidewalk, ["both", "left", "right", "yes", "separate"])
        allowed = base & (foot != "no") & (~np.isin(access, list(_NO)) | foot_yes)
        allowed &= ~np.isin(hw, list(_MOTORWAY_TRUNK)) | foot_yes | has_sidewalk
        allowed &= t["service"].str.lower().to_numpy() != "private"
        kmh = np.where(hw == "steps", walk_kmh * STEPS_WALK_FACTOR, walk_kmh)
        return allowed, both, both.copy(), kmh.astype(np.float64)

    if mode == "bike":
        bicycle = t["bicycle"].str.lower().to_numpy()
        bike_yes = np.isin(bicycle, list(_YES))
        allowed = base & (bicycle != "no") & (~np.isin(access, list(_NO)) | bike_yes)
        allowed &= ~np.isin(hw, list(_MOTORWAY_TRUNK)) & (hw != "steps")
        allowed &= ~np.isin(hw, list(_FOOT_ONLY)) | bike_yes
        # A bicycle is a vehicle: vehicle=no bars it unless bicycle= says otherwise.
        vehicle = t["vehicle"].str.lower().to_numpy()
        allowed &= ~np.isin(vehicle, ["no", "private"]) | bike_yes
        allowed &= t["service"].str.lower().to_numpy() != "private"
        ob = t["oneway:bicycle"].str.strip().str.lower().to_numpy()
        fwd_only, bwd_only = _oneway(oneway, junction, hw, ob_no=np.isin(ob, list(_ONEWAY_NO)))
        kmh = np.full(n, float(bike_kmh))
        return allowed, ~bwd_only, ~fwd_only, kmh

    mv = t["motor_vehicle"].str.lower().to_numpy()
    car = t["motorcar"].str.lower().to_numpy()
    vehicle = t["vehicle"].str.lower().to_numpy()
    mv_yes = np.isin(mv, list(_YES)) | np.isin(car, list(_YES))
    allowed = base & np.isin(hw, list(_DRIVE_CLASSES))
    allowed &= ~np.isin(access, list(_NO)) | mv_yes
    allowed &= ~np.isin(mv, ["no", "private"]) & ~np.isin(car, ["no", "private"])
    allowed &= ~np.isin(vehicle, ["no", "private"]) | mv_yes
    allowed &= ~np.isin(t["service"].str.lower().to_numpy(), list(_DRIVE_SERVICE_EXCLUDED))
    fwd_only, bwd_only = _oneway(oneway, junction, hw, ob_no=np.zeros(n, dtype=bool))
    table = {k: drive_default_kmh if v is None else v for k, v in DRIVE_DEFAULT_KMH.items()}
    default = np.array([table.get(h, drive_default_kmh) for h in hw], np.float64)
    # Few distinct values: parse each once.
    lookup = {m: np.nan if (s := parse_maxspeed(m)) is None else s for m in t["maxspeed"].unique()}
    parsed = t["maxspeed"].map(lookup).to_numpy(np.float64).reshape(n)
    kmh = np.where(np.isfinite(parsed), parsed, default)
    return allowed, ~bwd_only, ~fwd_only, kmh


def _oneway(
    oneway: np.ndarray, junction: np.ndarray, hw: np.ndarray, *, ob_no: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    implied = np.isin(junction, ["roundabout", "circular"]) | np.isin(
        hw, ["motorway", "motorway_link"]
    )
    fwd_only = (
        np.isin(oneway, list(_ONEWAY_FWD))
        | (implied & ~np.isin(oneway, list(_ONEWAY_NO | _ONEWAY_BWD)))
    ) & ~ob_no
    bwd_only = np.isin(oneway, list(_ONEWAY_BWD)) & ~ob_no
    return fwd_only, bwd_only


def network_for_mode(
    segments: Segments,
    *,
    mode: str,
    walk_kmh: float,
    bike_kmh: float,
    drive_default_kmh: float,
) -> Network:
    """Assemble one mode's CSR :class:`~geo.network.Network` from a segment table.

    Keeps the fastest of parallel edges, drops self loops, and reduces the graph to its
    largest strongly connected component (for symmetric modes this equals the largest
    connected component). What was dropped is counted in ``Network.stats``.

    Parameters
    ----------
    segments : Segments
        Noded streets, EPSG:25832.
    mode : {"walk", "bike", "drive"}
    walk_kmh, bike_kmh, drive_default_kmh : float
        Speeds, see :func:`mode_rules`.

    Returns
    -------
    Network
        Coordinates in EPSG:25832, ``seconds`` > 0 on every edge.
    """
    allowed, fwd, bwd, kmh = mode_rules(
        segments.tags,
        mode=mode,
        walk_kmh=walk_kmh,
        bike_kmh=bike_kmh,
        drive_default_kmh=drive_default_kmh,
    )
    seg_sec = segments.length_m / (np.maximum(kmh, 0.1) / 3.6)
    # Rounded coordinates can make a piece shorter than a centimetre; keep it routable.
    seg_sec = np.maximum(seg_sec, 1e-3)
    f_idx = np.flatnonzero(allowed & fwd)
    b_idx = np.flatnonzero(allowed & bwd)
    src = np.concatenate([segments.u[f_idx], segments.v[b_idx]])
    dst = np.concatenate([segments.v[f_idx], segments.u[b_idx]])
    e_seg = np.concatenate([f_idx, b_idx])
    e_fwd = np.concatenate([np.ones(f_idx.shape[0], bool), np.zeros(b_idx.shape[0], bool)])
    e_sec = seg_sec[e_seg]
    stats: dict[str, Any] = {
        "segments_allowed": int(allowed.sum()),
        "oneway_segments": int((allowed & (fwd ^ bwd)).sum()),
    }
    loop = src == dst
    stats["self_loops_dropped"] = int(loop.sum())
    src, dst, e_seg, e_fwd, e_sec = (a[~loop] for a in (src, dst, e_seg, e_fwd, e_sec))

    order = np.lexsort((e_sec, dst, src))
    src, dst, e_seg, e_fwd, e_sec = (a[order] for a in (src, dst, e_seg, e_fwd, e_sec))
    first = np.ones(src.shape[0], dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    stats["parallel_edges_dropped"] = int((~first).sum())
    src, dst, e_seg, e_fwd, e_sec = (a[first] for a in (src, dst, e_seg, e_fwd, e_sec))

    used = np.unique(np.concatenate([src, dst]))
    n_used = used.shape[0]
    s_c = np.searchsorted(used, src)
    d_c = np.searchsorted(used, dst)
    if n_used:
        graph = sp.csr_matrix((np.ones(s_c.shape[0]), (s_c, d_c)), shape=(n_used, n_used))
        n_comp, labels = csgraph.connected_components(graph, directed=True, connection="strong")
        biggest = np.argmax(np.bincount(labels))
        keep_node = labels == biggest
    else:
        n_comp, keep_node = 0, np.zeros(0, dtype=bool)
    keep_edge = keep_node[s_c] & keep_node[d_c] if n_used else np.zeros(0, bool)
    stats["components"] = int(n_comp)
    stats["dropped_nodes"] = int(n_used - keep_node.sum())
    stats["dropped_edges"] = int(keep_edge.shape[0] - keep_edge.sum())

    new_id = np.full(n_used, -1, dtype=np.int64)
    new_id[keep_node] = np.arange(int(keep_node.sum()))
    nodes = used[keep_node]
    s_n = new_id[s_c[keep_edge]]
    d_n = new_id[d_c[keep_edge]]
    e_seg, e_fwd, e_sec = e_seg[keep_edge], e_fwd[keep_edge], e_sec[keep_edge]
    order = np.lexsort((d_n, s_n))
    s_n, d_n, e_seg, e_fwd, e_sec = (a[order] for a in (s_n, d_n, e_seg, e_fwd, e_sec))
    n = nodes.shape[0]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s_n, minlength=n), out=indptr[1:])

    seg_keep, seg_new = np.unique(e_seg, return_inverse=True)
    lengths = np.diff(segments.offsets)[seg_keep]
    offs = np.zeros(seg_keep.shape[0] + 1, dtype=np.int64)
    np.cumsum(lengths, out=offs[1:])
    take = np.repeat(segments.offsets[seg_keep], lengths) + (
        np.arange(offs[-1]) - np.repeat(offs[:-1], lengths)
    )
    node_new = np.full(segments.node_x.shape[0], -1, dtype=np.int64)
    node_new[nodes] = np.arange(n)
    tags = segments.tags
    hw = tags["highway"].fillna("").astype(str).to_numpy() if "highway" in tags else None
    nm = tags["name"].fillna("").astype(str).to_numpy() if "name" in tags else None
    k = seg_keep.shape[0]
    stats["nodes"] = n
    stats["edges"] = int(s_n.shape[0])
    stats["segments"] = int(k)
    return Network(
        mode=mode,
        x=segments.node_x[nodes].astype(np.float64),
        y=segments.node_y[nodes].astype(np.float64),
        osmid=segments.node_osmid[nodes].astype(np.int64),
        indptr=indptr,
        indices=d_n.astype(np.int32),
        seconds=e_sec.astype(np.float64),
        edge_segment=seg_new.astype(np.int32).reshape(-1),
        edge_forward=e_fwd.astype(bool),
        seg_u=node_new[segments.u[seg_keep]].astype(np.int32),
        seg_v=node_new[segments.v[seg_keep]].astype(np.int32),
        seg_length_m=segments.length_m[seg_keep].astype(np.float64),
        seg_highway=(hw[seg_keep] if hw is not None else np.full(k, "")).astype(str),
        seg_name=(nm[seg_keep] if nm is not None else np.full(k, "")).astype(str),
        seg_coords=segments.coords[take].astype(np.float64).reshape(-1, 2),
        seg_offsets=offs,
        stats=stats,
    )
