"""The accessibility engine: travel times, nearest offers, isochrones, coverage, E2SFCA.

Public entry point of the accessibility issue. All functions are pure: they take a
:class:`geo.network.Network` (or a prepared :class:`geo.routing.Router`, which is faster
for repeated queries), inputs in EPSG:4326, measure in EPSG:25832 and return new
objects that keep the input's index.

Choice for the access leg: the way from a point (an origin, an offer, a cell centre)
to the street is walked, at the network's own speed for walk networks and at
:data:`geo.routing.ACCESS_WALK_KMH` for bike and drive (you walk to the bike or car).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputDataError, OutOfReachError
from geo.isochrones import isochrones
from geo.metrics import (
    DEFAULT_STEPS,
    FcaResult,
    coverage,
    e2sfca,
    two_sfca,
    underserved_cells,
)
from geo.network import Network
from geo.routing import (
    MAX_SNAP_M,
    NearestResult,
    OriginTimes,
    Router,
    as_router,
    nearest_offer,
    offer_cell_seconds,
    snap_offers,
    travel_times,
)
from geo.settings import CRS_STORE

__all__ = [
    "DEFAULT_STEPS",
    "AccessCache",
    "FcaResult",
    "NearestResult",
    "NewOffer",
    "OriginTimes",
    "Router",
    "WhatIfResult",
    "coverage",
    "e2sfca",
    "isochrones",
    "nearest_offer",
    "offer_cell_seconds",
    "offer_seconds",
    "offers_fingerprint",
    "travel_times",
    "two_sfca",
    "underserved_cells",
    "what_if",
]

T = TypeVar("T")


def offer_seconds(
    net: Network | Router,
    origin: tuple[float, float],
    offers: gpd.GeoDataFrame,
    *,
    boundary: shapely.Geometry | None = None,
    max_seconds: float | None = None,
    max_snap_m: float = MAX_SNAP_M,
) -> pd.Series:
    """Travel seconds from one origin to each offer (NaN where unreached or unroutable).

    :func:`travel_times` routes from the origin (its walk to the street counts); each
    offer is reached at its nearest node plus the walk from there to the offer
    (:func:`geo.routing.snap_offers`), the same access-leg rule as for cells in
    :func:`nearest_offer`.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832); a prepared router is faster for repeated calls.
    origin : (float, float)
        ``(lon, lat)`` in EPSG:4326.
    offers : GeoDataFrame
        Points (any CRS, converted) indexed by ``offer_id``.
    boundary : shapely geometry, optional
        The region outline in EPSG:4326; an origin outside it is refused.
    max_seconds : float, optional
        Search limit; offers beyond it are NaN.
    max_snap_m : float
        Farthest allowed distance origin -> street and offer -> node (metres, EPSG:25832).

    Returns
    -------
    Series of float
        Indexed like ``offers`` (name ``seconds``); NaN for offers without a point,
        farther than ``max_snap_m`` from the network, or not reached.

    Raises
    ------
    OutOfReachError
        The origin lies outside ``boundary`` or farther than ``max_snap_m`` from any street.
    """
    router = as_router(net)
    times = travel_times(
        router, origin, boundary=boundary, max_seconds=max_seconds, max_snap_m=max_snap_m
    )
    ids, nodes, snap_m, _skipped = snap_offers(router, offers, max_snap_m=max_snap_m)
    seconds = times.node_seconds[nodes] + snap_m / router.access_mps
    if max_seconds is not None:
        seconds[seconds > max_seconds] = np.inf
    out = pd.Series(seconds, index=ids, dtype=float, name="seconds").reindex(offers.index)
    return out.where(np.isfinite(out))


@dataclass(frozen=True)
class NewOffer:
    """An offer a planner adds in a what-if scenario.

    Attributes
    ----------
    lon, lat : float
        Position in EPSG:4326.
    capacity : float or None
        Places (None = unknown, counted as 1 and flagged).
    offer_id : str
        Id used in the results.
    """

    lon: float
    lat: float
    capacity: float | None = None
    offer_id: str = "new-1"


@dataclass(frozen=True, eq=False)
class WhatIfResult:
    """Per-district change of coverage and supply per head.

    Attributes
    ----------
    districts : DataFrame
        Index ``district_id`` plus ``"__total__"``; columns ``name``,
        ``population``, ``covered_before``, ``covered_after``, ``covered_change``,
        ``share_before``, ``share_after``, ``share_change``, ``e2sfca_before``,
        ``e2sfca_after``, ``e2sfca_change``.
    before, after : NearestResult and FcaResult pairs
        The full results for further display.
    """

    districts: pd.DataFrame
    nearest_before: NearestResult
    nearest_after: NearestResult
    fca_before: FcaResult
    fca_after: FcaResult


def what_if(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    threshold_min: float,
    add: Iterable[NewOffer] = (),
    remove: Iterable[Hashable] = (),
    capacity_column: str = "capacity",
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    cache: AccessCache | None = None,
    cache_key: Hashable = None,
    before: tuple[NearestResult, FcaResult] | None = None,
) -> WhatIfResult:
    """Coverage and E2SFCA with offers added and/or removed, against the current state.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    offers : GeoDataFrame
        Current offers, EPSG:4326, indexed by ``offer_id``.
    cells, districts : DataFrame
        As for :func:`coverage`.
    pop_columns : str or sequence of str
        Target group population column(s).
    threshold_min : float
        Coverage threshold in minutes.
    add : iterable of NewOffer
        Offers to add (EPSG:4326 points).
    remove : iterable of offer ids
        Offers to remove; an unknown id raises ``InputDataError``.
    capacity_column : str
        Capacity column of ``offers``.
    steps : sequence of (minutes, weight)
        E2SFCA step weights.
    cache : AccessCache, optional
        Reuse the "before" results across calls (keyed by ``cache_key`` and the
        offers' fingerprint), and the offer -> cell travel times of the unchanged
        offers, so that only the added offers are routed (same results as a full
        recompute).
    cache_key : hashable
        Region cache key (e.g. ``region.info["cache_key"]``) for ``cache``.
    before : (NearestResult, FcaResult), optional
        The current state, if the caller already has it: :func:`nearest_offer` with
        ``cells`` and :func:`e2sfca` with these ``districts``, ``pop_columns``,
        ``capacity_column`` and ``steps`` on exactly ``offers``.

    Returns
    -------
    WhatIfResult

    Raises
    ------
    InputDataError
        An id to remove is unknown, or an added id already exists.
    OutOfReachError
        An added offer lies farther than 500 m from the network (or has no point).
    """
    router = as_router(net)
    remove = list(remove)
    missing = [r for r in remove if r not in offers.index]
    if missing:
        raise InputDataError(
            f"cannot remove unknown offer id(s) {missing!r}.",
            field="offer_id",
            hint="Pick ids from the current offer table.",
        )
    added = list(add)
    new_rows = gpd.GeoDataFrame(
        {capacity_column: [a.capacity for a in added]},
        geometry=gpd.points_from_xy([a.lon for a in added], [a.lat for a in added]),
        index=pd.Index([a.offer_id for a in added], name=offers.index.name),
        crs=CRS_STORE,
    )
    dup = new_rows.index.intersection(offers.index)
    if len(dup):
        raise InputDataError(
            f"new offer id(s) {list(dup)!r} already exist.",
            field="offer_id",
            hint="Give added offers ids that are not in the offer table.",
        )
    if len(new_rows):
        _, _, _, unusable = snap_offers(router, new_rows, max_snap_m=MAX_SNAP_M)
        if len(unusable):
            oid = unusable.index[0]
            where = next(a for a in added if a.offer_id == oid)
            finite = bool(np.isfinite(where.lon) and np.isfinite(where.lat))
            raise OutOfReachError(
                f"the new offer {oid!r} cannot be reached: {unusable.loc[oid, 'reason']}. "
                "Place it on or near a street inside the region.",
                offer_id=oid,
                point=(float(where.lon), float(where.lat)) if finite else None,
            )
    keep = offers.drop(index=remove)
    capacity = (
        keep[capacity_column]
        if capacity_column in keep.columns
        else pd.Series(np.nan, index=keep.index)
    )
    kept = gpd.GeoDataFrame(
        {capacity_column: capacity},
        geometry=keep.geometry.to_numpy(),
        index=keep.index,
        crs=keep.crs or CRS_STORE,
    )
    if kept.crs is not None and not kept.crs.equals(CRS_STORE):
        kept = kept.to_crs(CRS_STORE)
    scenario = pd.concat([kept, new_rows])
    scenario = gpd.GeoDataFrame(scenario, geometry="geometry", crs=CRS_STORE)

    catchment_s = max(b for b, _ in steps) * 60.0 if steps else None
    fingerprint = offers_fingerprint(offers, capacity_column=capacity_column)
    base_key = (cache_key, router.mode, fingerprint)

    def fca(frame: gpd.GeoDataFrame, travel: Any = None) -> FcaResult:
        return e2sfca(
            router,
            frame,
            cells,
            pop_columns=pop_columns,
            capacity_column=capacity_column,
            steps=steps,
            districts=districts,
            travel=travel,
        )

    def memo(key: Hashable, compute: Callable[[], T]) -> T:
        return compute() if cache is None else cache.get_or_compute(key, compute)

    pop_key = tuple(np.atleast_1d(pop_columns))
    if before is None:
        nb, fb = memo(
            ("what_if_base", *base_key, pop_key, tuple(steps)),
            lambda: (nearest_offer(router, offers, cells=cells), fca(offers)),
        )
    else:
        nb, fb = before
    if cache is None:
        na, fa = nearest_offer(router, scenario, cells=cells), fca(scenario)
    else:
        # Each offer's row of the offer -> cell matrix comes from its own Dijkstra, so
        # the unchanged offers' rows are reused and only the added offers are routed:
        # the same numbers as a full recompute.
        ids_b, sec_b, _ = cache.get_or_compute(
            ("what_if_travel", *base_key, catchment_s),
            lambda: offer_cell_seconds(router, offers, cells, limit_s=catchment_s),
        )
        keep_rows = ~pd.Index(ids_b).isin(remove)
        ids_n, sec_n, _ = offer_cell_seconds(router, new_rows, cells, limit_s=catchment_s)
        ids_a = np.concatenate([ids_b[keep_rows], ids_n])
        # snapping is cheap; it gives the skipped table a full run would and checks the order
        ids_s, _, _, skipped = snap_offers(router, scenario, max_snap_m=MAX_SNAP_M)
        travel = None
        if ids_s.size == ids_a.size and (pd.Index(ids_s) == pd.Index(ids_a)).all():
            travel = (ids_s, np.vstack([sec_b[keep_rows], sec_n]), skipped)
        na, fa = nearest_offer(router, scenario, cells=cells), fca(scenario, travel)
    cb = memo(
        ("what_if_coverage", *base_key, pop_key, float(threshold_min)),
        lambda: coverage(
            cells, districts, nb, threshold_min=threshold_min, pop_columns=pop_columns
        ),
    )
    ca = coverage(cells, districts, na, threshold_min=threshold_min, pop_columns=pop_columns)
    out = pd.DataFrame(index=cb.index)
    out["name"] = cb["name"]
    out["population"] = cb["population"]
    for metric, then, now in (
        ("covered", cb["covered"], ca["covered"]),
        ("share", cb["share"], ca["share"]),
        ("e2sfca", fb.districts["access"], fa.districts["access"]),
    ):
        out[f"{metric}_before"] = then.reindex(out.index)
        out[f"{metric}_after"] = now.reindex(out.index)
        out[f"{metric}_change"] = out[f"{metric}_after"] - out[f"{metric}_before"]
    return WhatIfResult(out, nb, na, fb, fa)


def offers_fingerprint(offers: pd.DataFrame, *, capacity_column: str = "capacity") -> str:
    """A stable hash of the offer ids, positions (any CRS) and capacities (for cache keys)."""
    h = hashlib.sha1()
    h.update(pd.util.hash_pandas_object(offers.index.to_series(), index=False).to_numpy())
    if "geometry" in offers.columns:
        wkb = shapely.to_wkb(offers.geometry.to_numpy())
        h.update(b"".join(b"" if w is None else w for w in wkb))
    if capacity_column in offers.columns:
        cap = pd.to_numeric(offers[capacity_column], errors="coerce")
        h.update(pd.util.hash_pandas_object(cap, index=False).to_numpy())
    return h.hexdigest()


@dataclass(eq=False)
class AccessCache:
    """A bounded LRU memo for accessibility results.

    Keys are tuples such as ``(region_cache_key, frozenset(categories), mode,
    threshold_min, offers_fingerprint(offers))``; see :meth:`key`. It also keeps one
    prepared :class:`Router` per network object, so repeated queries skip the set-up.

    Parameters
    ----------
    maxsize : int
        Number of results kept (least recently used are dropped).
    max_routers : int
        Number of prepared routers kept.
    """

    maxsize: int = 64
    max_routers: int = 6
    hits: int = 0
    misses: int = 0
    _data: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, repr=False)
    _routers: OrderedDict[int, Router] = field(default_factory=OrderedDict, repr=False)
    # key -> (done event, id of the computing thread)
    _running: dict[Hashable, tuple[threading.Event, int]] = field(default_factory=dict, repr=False)
    # Streamlit shares one cache between session threads
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @staticmethod
    def key(
        region_key: Hashable,
        categories: Iterable[str],
        mode: str,
        threshold_min: float | None,
        offers: pd.DataFrame,
        *extra: Hashable,
    ) -> tuple[Hashable, ...]:
        """The cache key for one result."""
        return (
            region_key,
            frozenset(categories),
            mode,
            threshold_min,
            offers_fingerprint(offers),
            *extra,
        )

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing and storing it on a miss.

        Thread-safe; the computation runs outside the lock. A key already being
        computed by another thread (a background prefetch, a second session) is waited
        for instead of computed twice; if that computation fails, the waiter computes.

        Raises
        ------
        RuntimeError
            When ``compute`` asks for ``key`` itself (waiting would never end).
        """
        me = threading.get_ident()
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return self._data[key]
                if key not in self._running:
                    running = threading.Event()
                    self._running[key] = (running, me)
                    self.misses += 1
                    break
                waiting, owner = self._running[key]
                if owner == me:
                    raise RuntimeError(
                        f"computing {key!r} asked for its own key again; a compute "
                        "function must not need the value it computes"
                    )
            waiting.wait()
        try:
            value = compute()
            with self._lock:
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._running[key]
            running.set()

    def router(self, net: Network) -> Router:
        """A prepared router for ``net`` (kept while the network object lives in the cache)."""
        rid = id(net)
        with self._lock:
            r = self._routers.get(rid)
            if r is not None and r.net is net:
                self._routers.move_to_end(rid)
                return r
            r = Router(net)
            self._routers[rid] = r
            while len(self._routers) > self.max_routers:
                self._routers.popitem(last=False)
            return r

    def nearest(
        self,
        net: Network,
        offers: gpd.GeoDataFrame,
        *,
        cells: pd.DataFrame | None = None,
        region_key: Hashable = None,
        categories: Iterable[str] = (),
        threshold_min: float | None = None,
    ) -> NearestResult:
        """Memoised :func:`nearest_offer` (key: region, categories, mode, offers)."""
        key = (
            *self.key(region_key, categories, net.mode, threshold_min, offers),
            "nearest",
            cells is None,
        )
        return self.get_or_compute(
            key, lambda: nearest_offer(self.router(net), offers, cells=cells)
        )

    def e2sfca(
        self,
        net: Network,
        offers: gpd.GeoDataFrame,
        cells: pd.DataFrame,
        *,
        pop_columns: str | Sequence[str],
        region_key: Hashable = None,
        categories: Iterable[str] = (),
        districts: pd.DataFrame | None = None,
        **kwargs: Any,
    ) -> FcaResult:
        """Memoised :func:`e2sfca` (key: region, categories, mode, offers, options)."""
        options = tuple(sorted((k, repr(v)) for k, v in kwargs.items()))
        key = (
            *self.key(region_key, categories, net.mode, None, offers),
            "e2sfca",
            tuple(np.atleast_1d(pop_columns)),
            districts is None,
            options,
        )
        return self.get_or_compute(
            key,
            lambda: e2sfca(
                self.router(net),
                offers,
                cells,
                pop_columns=pop_columns,
                districts=districts,
                **kwargs,
            ),
        )

    def isochrones(
        self,
        net: Network,
        origin: tuple[float, float],
        *,
        region_key: Hashable = None,
        minutes: Sequence[float] = (5, 10, 15, 20),
        buffer_m: float = 35.0,
        cells: pd.DataFrame | None = None,
        **kwargs: Any,
    ) -> gpd.GeoDataFrame:
        """Memoised :func:`isochrones` (origin rounded to about 1 cm)."""
        key = (
            "isochrones",
            region_key,
            net.mode,
            round(float(origin[0]), 7),
            round(float(origin[1]), 7),
            tuple(sorted(float(m) for m in minutes)),
            float(buffer_m),
            cells is None,
            tuple(sorted((k, repr(v)) for k, v in kwargs.items())),
        )
        result = self.get_or_compute(
            key,
            lambda: isochrones(
                self.router(net), origin, minutes=minutes, buffer_m=buffer_m, cells=cells, **kwargs
            ),
        )
        return result.copy()

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Drop every cached result and router."""
        with self._lock:
            self._data.clear()
            self._routers.clear()
