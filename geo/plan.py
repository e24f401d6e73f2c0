"""Planning decisions: duplicate structures (Doppelstrukturen) and best new sites.

Everything rests on a sparse *reach matrix*: rows are offers (or candidate sites),
columns are the region's 100 m census cells, and an entry holds the travel minutes
where the cell reaches the offer within the threshold. It comes from
:func:`geo.access.offer_cell_seconds` (one bounded Dijkstra per offer on the
EPSG:25832 network, the walk offer -> street and street -> cell centre included), so
"covered" here means exactly what :func:`geo.access.coverage` and
:func:`geo.access.what_if` mean by it.

With the reach matrix ``R`` (offers x cells, 0/1) and the demand ``p`` per cell:

* coverage multiplicity ``m = 1ᵀ R`` (offers reaching each cell);
* population of a catchment ``R p``; shared population of two catchments
  ``R diag(p) Rᵀ``; overlap ``pop(Ci ∩ Cj) / min(pop(Ci), pop(Cj))``;
* essentiality (coverage lost if the offer closed) ``R (p · [m = 1])``: the people
  only this offer covers. That is a full what-if removal for every offer at once.

Best new sites solve the maximal covering location problem (Church & ReVelle 1974)
with the existing offers fixed: greedy (submodular, within 1 - 1/e of the optimum,
Nemhauser et al. 1978) or exact with :func:`scipy.optimize.milp` (HiGHS), and a
capacitated variant where every person counts at most once and no site serves more
than its capacity.

All inputs are in EPSG:4326 (offers, candidates, cells as points), travel on the
EPSG:25832 network; results keep the ids of the inputs.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from geo.errors import BildungslandkarteError, InputDataError
from geo.metrics import DEFAULT_STEPS, step_weights, target_population
from geo.network import Network
from geo.routing import MAX_SNAP_M, Router, as_router, offer_cell_seconds
from geo.settings import CRS_MEASURE, CRS_STORE

__all__ = [
    "ExactSolveJob",
    "InputDataError",
    "OverlapResult",
    "ReachMatrix",
    "SiteResult",
    "SolveCancelledError",
    "candidate_cells",
    "demand_vector",
    "locate_districts",
    "overlap_analysis",
    "propose_sites",
    "reach_matrix",
    "read_candidates",
]

#: Offers routed per Dijkstra batch (bounds the dense block to batch x cells floats).
BATCH = 256


class SolveCancelledError(BildungslandkarteError):
    """An exact solve was cancelled before it finished."""


@dataclass(frozen=True, eq=False)
class ReachMatrix:
    """Which cells reach which offers (or candidate sites) within a threshold.

    Attributes
    ----------
    ids : Index
        Row ids (offer or candidate ids), in input order, routed ones only.
    cells : Index
        Column ids (the cells' index).
    minutes : scipy.sparse.csr_array, shape (len(ids), len(cells))
        Travel minutes cell -> offer where at most ``threshold_min`` (explicit
        entries, zeros kept); absent = beyond the threshold or unreachable.
    threshold_min : float
        The threshold in network minutes (see :mod:`geo.norms` for walking speeds).
    skipped : DataFrame
        Rows that could not be routed (no point, too far from the network), ``reason``.
    """

    ids: pd.Index
    cells: pd.Index
    minutes: sp.csr_array
    threshold_min: float
    skipped: pd.DataFrame

    @property
    def reach(self) -> sp.csr_array:
        """The 0/1 matrix with the same structure (float64)."""
        m = self.minutes
        return sp.csr_array(
            (np.ones(m.indices.size), m.indices, m.indptr), shape=m.shape, copy=False
        )

    def covered(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Per cell, whether any of ``rows`` (positions; default all) reaches it."""
        r = self.reach if rows is None else self.reach[np.asarray(rows, dtype=np.int64)]
        return np.asarray(r.sum(axis=0)).ravel() > 0


def reach_matrix(
    net: Network | Router,
    points: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    threshold_min: float,
    mode: str | None = None,
    batch: int = BATCH,
) -> ReachMatrix:
    """The sparse offer x cell reach matrix from network travel times.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    points : GeoDataFrame
        Offers or candidate sites, EPSG:4326 points, indexed by their id.
    cells : DataFrame
        Census cells with ``node_<mode>``/``snap_m_<mode>`` (``region.cells``).
    threshold_min : float
        Largest travel time that counts, in network minutes.
    mode : str, optional
        Cell column suffix; default the network's mode.
    batch : int
        Points routed per Dijkstra batch.

    Returns
    -------
    ReachMatrix
    """
    if not threshold_min >= 0:
        raise ValueError(f"threshold_min must be >= 0, got {threshold_min!r}")
    router = as_router(net)
    limit_s = float(threshold_min) * 60.0
    ids: list[np.ndarray] = []
    skipped: list[pd.DataFrame] = []
    blocks: list[sp.csr_array] = []
    for start in range(0, max(len(points), 1), batch):
        part = points.iloc[start : start + batch]
        if len(part) == 0:
            break
        pid, seconds, skip = offer_cell_seconds(router, part, cells, mode=mode, limit_s=limit_s)
        ids.append(pid)
        skipped.append(skip)
        rows, cols = np.nonzero(seconds <= limit_s)
        blocks.append(
            sp.csr_array((seconds[rows, cols] / 60.0, (rows, cols)), shape=(pid.size, len(cells)))
        )
    minutes = sp.csr_array(
        sp.vstack(blocks, format="csr") if blocks else sp.csr_array((0, len(cells)))
    )
    minutes.sort_indices()
    all_ids = np.concatenate(ids) if ids else np.empty(0, dtype=object)
    skip_table = (
        pd.concat(skipped) if skipped else pd.DataFrame({"reason": pd.Series(dtype=object)})
    )
    return ReachMatrix(
        ids=pd.Index(all_ids, name=points.index.name or "offer_id"),
        cells=cells.index,
        minutes=minutes,
        threshold_min=float(threshold_min),
        skipped=skip_table,
    )


def demand_vector(
    cells: pd.DataFrame,
    pop_columns: str | Sequence[str],
    *,
    weights: pd.Series | None = None,
) -> np.ndarray:
    """Target population per cell as :func:`geo.access.coverage` counts it.

    Cells outside the region (``in_region`` False) and cells with an unknown age
    breakdown count 0, as in :func:`geo.metrics.coverage`. ``weights`` (a need weight
    per cell, indexed like ``cells``; see :mod:`geo.need`) multiplies the population.
    """
    pop = target_population(cells, pop_columns).to_numpy(dtype=float)
    pop = np.where(np.isnan(pop), 0.0, pop)
    if "in_region" in cells.columns:
        pop = np.where(cells["in_region"].fillna(False).astype(bool).to_numpy(), pop, 0.0)
    if weights is not None:
        w = weights.reindex(cells.index).to_numpy(dtype=float)
        if np.isnan(w).any() or (w < 0).any():
            raise InputDataError(
                "need weights must be given (and >= 0) for every cell.",
                field="weight",
                hint="Build them with geo.need (cells without a weight get 1.0 there).",
            )
        pop = pop * w
    return pop


# --------------------------------------------------------------------------------------
# Doppelstrukturen


@dataclass(frozen=True, eq=False)
class OverlapResult:
    """Duplicate-structure measures for one category, mode and threshold.

    Attributes
    ----------
    offers : DataFrame
        Index ``offer_id`` (routed offers): ``provider``, ``catchment_people``
        (target population in the catchment), ``redundancy`` (share of it that another
        offer covers too, 0..1, NaN for an empty catchment), ``essential_people``
        (covered by this offer alone = coverage lost if it closed),
        ``essential_share`` (of the whole target population), ``partner`` (offer with
        the largest shared population), ``partner_share`` (that shared population /
        this catchment), ``expected_demand`` (Huff or E2SFCA allocation),
        ``capacity`` (NaN = unknown), ``utilisation`` (demand / capacity, NaN where
        the capacity is unknown), ``duplicate_rank`` (1 = strongest candidate).
    pairs : DataFrame
        Pairs with overlap >= ``level`` (each pair once, ``offer_a`` < ``offer_b`` in
        row order): ``shared_people``, ``overlap``, ranked by ``overlap``.
    overlap : DataFrame
        The full symmetric overlap matrix (offers x offers, diagonal 1 where the
        catchment is populated).
    cells : DataFrame
        Indexed like the cells: ``multiplicity`` (offers reaching the cell),
        ``demand``.
    providers : DataFrame
        Per provider: ``provider_known`` (False for the offers without a provider,
        merged into one row ``""``, which the page shows as "no provider given"),
        ``offers``, ``catchment_people``
        (union), ``redundancy``, ``essential_people``, ``partner``,
        ``partner_share`` (cooperation potential with another provider).
    covered_people : float
        Target population reached by at least one offer.
    target_population : float
        All target population (in-region cells).
    level : float
        The pair threshold.
    utilisation_method : str
        ``"huff"`` or ``"e2sfca"``.
    skipped : DataFrame
        Offers not routed, with ``reason``.
    """

    offers: pd.DataFrame
    pairs: pd.DataFrame
    overlap: pd.DataFrame
    cells: pd.DataFrame
    providers: pd.DataFrame
    covered_people: float
    target_population: float
    level: float
    utilisation_method: str
    skipped: pd.DataFrame


def _pairwise(reach: sp.csr_array, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shared population matrix and overlap matrix of the rows of a 0/1 matrix."""
    shared = (reach @ sp.diags_array(demand) @ reach.T).toarray()
    own = np.diag(shared).copy()
    smaller = np.minimum(own[:, None], own[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(smaller > 0, shared / smaller, np.nan)
    return shared, np.clip(overlap, 0.0, 1.0)


def _unique_measures(
    reach: sp.csr_array, demand: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Catchment people, redundancy, essential people and cell multiplicity per row."""
    multiplicity = np.asarray(reach.sum(axis=0)).ravel()
    catchment = reach @ demand
    essential = reach @ np.where(multiplicity == 1, demand, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        redundancy = np.where(catchment > 0, (catchment - essential) / catchment, np.nan)
    return catchment, redundancy, essential, multiplicity


def huff_demand(
    minutes: sp.csr_array,
    demand: np.ndarray,
    *,
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
) -> np.ndarray:
    """Expected demand per offer from a Huff-type allocation.

    Each cell's demand is split among the offers it reaches within the threshold
    in proportion to the step weight of the travel time (equal attractiveness), so
    every person counts once: the allocations add up to the covered demand.
    """
    w = minutes.copy()
    w.data = step_weights(minutes.data, steps)
    # a time beyond the last bound would weigh 0: keep the smallest weight instead
    w.data = np.where(w.data > 0, w.data, min(x for _, x in steps) if steps else 1.0)
    col = np.asarray(w.sum(axis=0)).ravel()
    share = np.divide(demand, col, out=np.zeros_like(demand), where=col > 0)
    return w @ share


def overlap_analysis(
    reach: ReachMatrix,
    demand: np.ndarray,
    *,
    capacity: pd.Series | None = None,
    providers: pd.Series | None = None,
    level: float = 0.5,
    utilisation_method: Literal["huff", "e2sfca"] = "huff",
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
) -> OverlapResult:
    """Redundancy, pairwise overlap, essentiality and utilisation for every offer at once.

    Parameters
    ----------
    reach : ReachMatrix
        Offers x cells at the chosen threshold (:func:`reach_matrix`).
    demand : ndarray
        Target population per cell (:func:`demand_vector`, optionally need-weighted),
        aligned with ``reach.cells``.
    capacity : Series, optional
        Places per offer id (NaN = unknown: utilisation stays NaN, never a guess).
    providers : Series, optional
        Provider (Träger) per offer id.
    level : float
        Pairs with an overlap at or above this are listed.
    utilisation_method : {"huff", "e2sfca"}
        ``"huff"``: demand split among reachable offers by step-weighted travel time
        (each person once). ``"e2sfca"``: the E2SFCA step-1 catchment demand (a person
        reaching two offers counts for both; Paez et al. 2019 call this inflation).
    steps : sequence of (minutes, weight)
        Step weights for both methods (:data:`geo.metrics.DEFAULT_STEPS`).

    Returns
    -------
    OverlapResult
    """
    demand = np.asarray(demand, dtype=float)
    if demand.shape != (len(reach.cells),):
        raise ValueError("demand must have one value per cell of the reach matrix")
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"level must be in [0, 1], got {level!r}")
    r = reach.reach
    ids = reach.ids
    catchment, redundancy, essential, multiplicity = _unique_measures(r, demand)
    shared, overlap = _pairwise(r, demand)
    total = float(demand.sum())
    covered = float(demand[multiplicity > 0].sum())
    off = shared.copy()
    np.fill_diagonal(off, -1.0)
    partner_pos = off.argmax(axis=1) if len(ids) > 1 else np.zeros(len(ids), dtype=np.int64)
    partner_shared = off[np.arange(len(ids)), partner_pos] if len(ids) > 1 else np.zeros(len(ids))
    with np.errstate(divide="ignore", invalid="ignore"):
        partner_share = np.where(catchment > 0, np.maximum(partner_shared, 0.0) / catchment, np.nan)
    partner = np.where(
        partner_shared > 0, ids.to_numpy(dtype=object)[partner_pos] if len(ids) else [], None
    )
    if utilisation_method == "huff":
        expected = huff_demand(reach.minutes, demand, steps=steps)
    elif utilisation_method == "e2sfca":
        w = reach.minutes.copy()
        w.data = step_weights(w.data, steps)
        expected = w @ demand
    else:
        raise ValueError(
            f"utilisation_method must be 'huff' or 'e2sfca', got {utilisation_method!r}"
        )
    cap = (
        pd.to_numeric(capacity, errors="coerce").reindex(ids).to_numpy(dtype=float)
        if capacity is not None
        else np.full(len(ids), np.nan)
    )
    cap = np.where(cap > 0, cap, np.nan)
    offers = pd.DataFrame(
        {
            "provider": (
                providers.reindex(ids).fillna("").astype(str).to_numpy()
                if providers is not None
                else np.full(len(ids), "", dtype=object)
            ),
            "catchment_people": catchment,
            "redundancy": redundancy,
            "essential_people": essential,
            "essential_share": essential / total if total > 0 else np.full(len(ids), np.nan),
            "partner": partner,
            "partner_share": partner_share,
            "expected_demand": expected,
            "capacity": cap,
            "utilisation": expected / cap,
        },
        index=ids,
    )
    # strongest duplicate candidates first: much of the catchment covered twice, little lost
    order = np.lexsort((-np.nan_to_num(redundancy, nan=-1.0), essential))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(1, len(ids) + 1)
    offers["duplicate_rank"] = rank
    iu, ju = np.triu_indices(len(ids), k=1)
    keep = overlap[iu, ju] >= level
    pairs = pd.DataFrame(
        {
            "offer_a": ids.to_numpy(dtype=object)[iu[keep]],
            "offer_b": ids.to_numpy(dtype=object)[ju[keep]],
            "shared_people": shared[iu[keep], ju[keep]],
            "overlap": overlap[iu[keep], ju[keep]],
        }
    ).sort_values(["overlap", "shared_people"], ascending=False, kind="stable")
    provider_table = _provider_measures(r, demand, offers["provider"])
    return OverlapResult(
        offers=offers,
        pairs=pairs.reset_index(drop=True),
        overlap=pd.DataFrame(overlap, index=ids, columns=ids),
        cells=pd.DataFrame({"multiplicity": multiplicity, "demand": demand}, index=reach.cells),
        providers=provider_table,
        covered_people=covered,
        target_population=total,
        level=float(level),
        utilisation_method=utilisation_method,
        skipped=reach.skipped,
    )


def _provider_measures(
    reach: sp.csr_array, demand: np.ndarray, providers: pd.Series
) -> pd.DataFrame:
    """The same measures with the offers of each provider merged into one catchment."""
    codes, names = pd.factorize(providers.to_numpy(dtype=object))
    if len(names) == 0:
        return pd.DataFrame(
            columns=[
                "provider_known",
                "offers",
                "catchment_people",
                "redundancy",
                "essential_people",
                "partner",
                "partner_share",
            ]
        )
    group = sp.csr_array(
        (np.ones(codes.size), (codes, np.arange(codes.size))), shape=(len(names), codes.size)
    )
    merged = group @ reach
    merged.data = np.ones_like(merged.data)
    catchment, redundancy, essential, _ = _unique_measures(merged, demand)
    shared, _ = _pairwise(merged, demand)
    np.fill_diagonal(shared, -1.0)
    if len(names) > 1:
        pos = shared.argmax(axis=1)
        best = shared[np.arange(len(names)), pos]
    else:
        pos, best = np.zeros(1, dtype=np.int64), np.zeros(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(catchment > 0, np.maximum(best, 0.0) / catchment, np.nan)
    return pd.DataFrame(
        {
            "provider_known": np.asarray(names, dtype=object) != "",
            "offers": np.bincount(codes, minlength=len(names)),
            "catchment_people": catchment,
            "redundancy": redundancy,
            "essential_people": essential,
            "partner": np.where(best > 0, np.asarray(names, dtype=object)[pos], None),
            "partner_share": share,
        },
        index=pd.Index(np.asarray(names, dtype=object), name="provider"),
    ).sort_values("catchment_people", ascending=False, kind="stable")


def locate_districts(points: gpd.GeoSeries, districts: gpd.GeoDataFrame) -> pd.Series:
    """The ``district_id`` each point lies in (None outside every district).

    Parameters
    ----------
    points : GeoSeries
        Points in any CRS (EPSG:4326 when unset).
    districts : GeoDataFrame
        Polygons indexed by ``district_id``.

    Returns
    -------
    Series
        Indexed like ``points`` (the first district where polygons overlap).
    """
    pts = points if points.crs is not None else points.set_crs(CRS_STORE)
    pts = pts.to_crs(CRS_STORE)
    right = gpd.GeoDataFrame(
        {"_district": districts.index.to_numpy(dtype=object)},
        geometry=districts.geometry.to_numpy(),
        crs=districts.crs or CRS_STORE,
    ).to_crs(CRS_STORE)
    left = gpd.GeoDataFrame(geometry=pts.to_numpy(), index=pd.RangeIndex(len(pts)), crs=CRS_STORE)
    joined = gpd.sjoin(left, right, how="left", predicate="within")
    first = joined[~joined.index.duplicated()]["_district"]
    values = first.reindex(pd.RangeIndex(len(pts))).to_numpy(dtype=object)
    return pd.Series([None if pd.isna(v) else v for v in values], index=points.index, dtype=object)


# --------------------------------------------------------------------------------------
# Candidate sites


def candidate_cells(
    cells: pd.DataFrame,
    *,
    mode: str,
    pop_columns: str | Sequence[str] = "pop_total",
    max_snap_m: float = MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """The default candidate sites: populated in-region cells on the network.

    Parameters
    ----------
    cells : GeoDataFrame
        ``region.cells`` (EPSG:4326 centre points).
    mode : str
        Network mode whose snap distance decides "on the network".
    pop_columns : str or sequence of str
        A cell is populated where this population is > 0.
    max_snap_m : float
        Farthest cell centre -> node distance (metres).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points indexed by the cell id, with ``district_id``.
    """
    pop = target_population(cells, pop_columns).fillna(0.0).to_numpy()
    snap = cells[f"snap_m_{mode}"].to_numpy(dtype=float)
    ok = (pop > 0) & (snap <= max_snap_m)
    if "in_region" in cells.columns:
        ok &= cells["in_region"].fillna(False).astype(bool).to_numpy()
    sub = cells.loc[ok]
    geometry = (
        sub.geometry.to_crs(CRS_STORE)
        if isinstance(sub, gpd.GeoDataFrame)
        else gpd.GeoSeries(gpd.points_from_xy(sub["x"], sub["y"]), crs=CRS_MEASURE).to_crs(
            CRS_STORE
        )
    )
    out = gpd.GeoDataFrame(
        {"district_id": sub["district_id"].to_numpy() if "district_id" in sub else None},
        geometry=np.asarray(geometry),
        index=pd.Index(sub.index, name="candidate_id"),
        crs=CRS_STORE,
    )
    return out


def read_candidates(path: str | Path) -> gpd.GeoDataFrame:
    """Candidate sites from a planner's file (CSV with ``lon``/``lat`` or GeoJSON points).

    Polygons (e.g. municipal plots, Gemeinbedarfsflächen) are represented by a point
    on their surface. Ids come from an ``id`` column or the row number.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 points indexed by ``candidate_id``, with ``label``.

    Raises
    ------
    InputDataError
        Unreadable file, missing coordinates, or rows without a valid point (the
        message names the first bad row).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import io

        from geo.textfile import decode_table_bytes

        text, _ = decode_table_bytes(path.read_bytes(), path=path)
        frame = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
        cols = {c.lower().strip(): c for c in frame.columns}
        lon_c = next((cols[c] for c in ("lon", "lng", "longitude", "x") if c in cols), None)
        lat_c = next((cols[c] for c in ("lat", "latitude", "y") if c in cols), None)
        if lon_c is None or lat_c is None:
            raise InputDataError(
                "the candidate list has no coordinate columns.",
                path=path,
                field="lon/lat",
                hint="Give the columns 'lon' and 'lat' in EPSG:4326 (WGS 84).",
            )
        lon = pd.to_numeric(frame[lon_c].str.replace(",", ".", regex=False), errors="coerce")
        lat = pd.to_numeric(frame[lat_c].str.replace(",", ".", regex=False), errors="coerce")
        bad = ~(lon.between(-180, 180) & lat.between(-90, 90))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise InputDataError(
                "a candidate has no valid coordinates.",
                path=path,
                row=row,
                field=lon_c,
                hint="Use decimal degrees in EPSG:4326, e.g. lon 10.78, lat 52.42.",
            )
        geometry = gpd.points_from_xy(lon, lat)
        label_c = next((cols[c] for c in ("name", "label", "bezeichnung") if c in cols), None)
        ids = frame[cols["id"]].astype(str) if "id" in cols else None
        out = gpd.GeoDataFrame(
            {"label": frame[label_c].fillna("").astype(str) if label_c else ""},
            geometry=geometry,
            crs=CRS_STORE,
        )
    elif suffix in (".geojson", ".json"):
        try:
            out = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for bad files
            raise InputDataError(
                f"cannot read the candidate file ({exc}).",
                path=path,
                hint="Upload a GeoJSON FeatureCollection of points or polygons.",
            ) from exc
        if out.crs is None:
            out = out.set_crs(CRS_STORE)
        out = out.to_crs(CRS_STORE)
        empty = out.geometry.is_empty | out.geometry.isna()
        if empty.any():
            raise InputDataError(
                "a feature has no geometry.",
                path=path,
                row=int(np.flatnonzero(empty.to_numpy())[0]) + 1,
                field="geometry",
                hint="Give every candidate a point or polygon.",
            )
        out = out.set_geometry(shapely.point_on_surface(out.geometry.to_numpy()))
        cols = {c.lower(): c for c in out.columns}
        label_c = next((cols[c] for c in ("name", "label", "bezeichnung") if c in cols), None)
        ids = out[cols["id"]].astype(str) if "id" in cols else None
        out = gpd.GeoDataFrame(
            {"label": out[label_c].fillna("").astype(str) if label_c else ""},
            geometry=out.geometry.to_numpy(),
            crs=CRS_STORE,
        )
    else:
        raise InputDataError(
            "unknown candidate file type.",
            path=path,
            hint="Upload a .csv (lon, lat) or a .geojson file.",
        )
    if ids is None:
        index = pd.Index([f"k{i + 1}" for i in range(len(out))], name="candidate_id")
    else:
        index = pd.Index(ids.to_numpy(), name="candidate_id")
        if index.has_duplicates:
            raise InputDataError(
                f"candidate id {index[index.duplicated()][0]!r} occurs twice.",
                path=path,
                field="id",
                hint="Give every candidate its own id.",
            )
    out.index = index
    return out


# --------------------------------------------------------------------------------------
# Site selection


@dataclass(frozen=True, eq=False)
class SiteResult:
    """Proposed new sites and what they change.

    Attributes
    ----------
    sites : DataFrame
        One row per chosen site, ranked by marginal gain: index ``candidate_id``;
        ``rank``, ``lon``, ``lat`` (EPSG:4326), ``gain`` (newly covered demand, in
        the objective's units: people, or need-weighted people), ``gain_people``
        (unweighted), ``district_id``, ``district``, ``capacity`` (capacitated only).
    districts : DataFrame
        Index ``district_id``: ``name``, ``covered_before``, ``covered_after``,
        ``gain`` (people).
    covered_before, covered_after : float
        Covered demand (objective units) without / with the new sites.
    covered_people_before, covered_people_after : float
        The same in people.
    target_population : float
        All demand (objective units).
    method : str
        ``"greedy"`` or ``"exact"``; with ``"-capacitated"`` for the capacitated model.
    seconds : float
        Wall time of the solve (without building the reach matrices).
    gap : float or None
        Relative optimality gap of an exact solve (0 = proven optimal).
    objective : float
        Demand newly covered by the new sites (objective units).
    weighted : bool
        Whether the demand was need-weighted.
    notes : tuple of str
        Machine-readable assumptions, e.g. ``"existing_unknown_capacity_uncapped:12"``.
    allocation : DataFrame or None
        Capacitated model only: who is served where, ``site_id``, ``existing``
        (an existing offer with known capacity), ``cell_id``, ``served`` (demand units).
    """

    sites: pd.DataFrame
    districts: pd.DataFrame
    covered_before: float
    covered_after: float
    covered_people_before: float
    covered_people_after: float
    target_population: float
    method: str
    seconds: float
    gap: float | None
    objective: float
    weighted: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    allocation: pd.DataFrame | None = None

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON object (contract of ``python -m geo sites``)."""
        sites = [
            {
                "candidate_id": str(cid),
                "lon": float(row.lon),
                "lat": float(row.lat),
                "gain": float(row.gain),
                "gain_people": float(row.gain_people),
                "district": None if pd.isna(row.district) else str(row.district),
            }
            for cid, row in self.sites.iterrows()
        ]
        out: dict[str, Any] = {
            "sites": sites,
            "covered_before": self.covered_before,
            "covered_after": self.covered_after,
            "target_population": self.target_population,
            "method": self.method,
            "seconds": self.seconds,
            "objective": self.objective,
            "weighted": self.weighted,
            "notes": list(self.notes),
        }
        if self.gap is not None or self.method.startswith("exact"):
            out["gap"] = self.gap
        return out


def _greedy(cand: sp.csr_array, residual: np.ndarray, k: int) -> tuple[list[int], list[float]]:
    """Pick k rows by largest marginal covered residual; gains updated sparsely."""
    residual = residual.copy()
    csc = sp.csc_array(cand)
    gains = cand @ residual
    chosen: list[int] = []
    marginal: list[float] = []
    for _ in range(k):
        if gains.size == 0:
            break
        j = int(np.argmax(gains))
        if not gains[j] > 0:
            break
        cols = cand.indices[cand.indptr[j] : cand.indptr[j + 1]]
        delta = residual[cols]
        chosen.append(j)
        marginal.append(float(gains[j]))
        residual[cols] = 0.0
        gains = gains - csc[:, cols] @ delta
        gains[chosen] = -np.inf
    return chosen, marginal


def _order_by_gain(
    cand: sp.csr_array, residual: np.ndarray, rows: list[int]
) -> tuple[list[int], list[float]]:
    """Rank a chosen set by marginal gain (greedy order within the set)."""
    if not rows:
        return [], []
    sub = cand[np.asarray(rows)]
    picked, gains = _greedy(sp.csr_array(sub), residual, len(rows))
    ordered = [rows[i] for i in picked]
    rest = [r for r in rows if r not in ordered]  # sites that add nothing extra
    return ordered + rest, gains + [0.0] * len(rest)


@dataclass(frozen=True, eq=False)
class _Milp:
    """A MILP in scipy.optimize.milp form (picklable, for a solve in another process)."""

    c: np.ndarray
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    a: sp.csr_array
    a_lb: np.ndarray
    a_ub: np.ndarray
    time_limit_s: float | None
    mip_rel_gap: float


def _solve(problem: _Milp) -> tuple[np.ndarray, float, float | None, int, str]:
    from scipy.optimize import Bounds, LinearConstraint, milp

    if problem.c.size == 0:
        # nothing left to cover (or nothing to choose from): the empty choice is optimal
        return np.zeros(0), 0.0, 0.0, 0, "empty problem"
    options: dict[str, Any] = {"mip_rel_gap": problem.mip_rel_gap, "presolve": True}
    if problem.time_limit_s is not None:
        options["time_limit"] = float(problem.time_limit_s)
    res = milp(
        problem.c,
        integrality=problem.integrality,
        bounds=Bounds(problem.lb, problem.ub),
        constraints=[LinearConstraint(problem.a, problem.a_lb, problem.a_ub)],
        options=options,
    )
    if res.x is None:
        raise BildungslandkarteError(f"the MILP solver found no solution: {res.message}")
    gap = getattr(res, "mip_gap", None)
    return (
        np.asarray(res.x),
        float(-res.fun),
        None if gap is None else float(gap),
        int(res.status),
        str(res.message),
    )


def _mclp_milp(
    cand: sp.csr_array,
    residual: np.ndarray,
    k: int,
    *,
    time_limit_s: float | None,
    mip_rel_gap: float,
) -> tuple[_Milp, np.ndarray, np.ndarray]:
    """Uncapacitated MCLP on the cells still uncovered: x (sites, binary), y (cells)."""
    reachable = np.asarray(cand.sum(axis=0)).ravel() > 0
    cells = np.flatnonzero(reachable & (residual > 0))
    sub = sp.csr_array(cand[:, cells])
    rows = np.flatnonzero(np.diff(sub.indptr) > 0)
    sub = sp.csr_array(sub[rows])
    n_x, n_y = rows.size, cells.size
    # y_i - sum_j a_ij x_j <= 0 ; sum_j x_j <= k
    cover = sp.hstack([-sub.T, sp.eye_array(n_y)], format="csr")
    budget = sp.hstack([sp.csr_array(np.ones((1, n_x))), sp.csr_array((1, n_y))], format="csr")
    a = sp.csr_array(sp.vstack([cover, budget], format="csr"))
    problem = _Milp(
        c=np.concatenate([np.zeros(n_x), -residual[cells]]),
        integrality=np.concatenate([np.ones(n_x), np.zeros(n_y)]),
        lb=np.zeros(n_x + n_y),
        ub=np.ones(n_x + n_y),
        a=a,
        a_lb=np.full(n_y + 1, -np.inf),
        a_ub=np.concatenate([np.zeros(n_y), [float(k)]]),
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )
    return problem, rows, cells


def _capacitated_milp(
    cand: sp.csr_array,
    cand_capacity: np.ndarray,
    existing: sp.csr_array,
    existing_capacity: np.ndarray,
    residual: np.ndarray,
    k: int,
    *,
    time_limit_s: float | None,
    mip_rel_gap: float,
    fixed_sites: np.ndarray | None = None,
) -> tuple[_Milp, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capacitated MCLP: x_j sites (binary), z_ij served demand of cell i at site j.

    Existing offers with known capacity take part as sites fixed open. Each cell's
    served demand adds up to at most its residual demand (counted once), each site
    serves at most its capacity. ``fixed_sites`` (0/1 per candidate) evaluates a
    given choice (an LP).
    """
    n_c = cand.shape[0]
    both = sp.csr_array(sp.vstack([cand, existing], format="csr"))
    coo = sp.coo_array(both)
    keep = residual[coo.col] > 0
    site, cell = coo.row[keep], coo.col[keep]
    n_sites = both.shape[0]
    n_z, n_x = site.size, n_c
    cells = np.unique(cell)
    cell_pos = np.searchsorted(cells, cell)
    # rows: one per cell (sum z <= residual), one per site (sum z - cap x <= 0), budget
    z_cols = n_x + np.arange(n_z)
    a_cell = sp.csr_array((np.ones(n_z), (cell_pos, z_cols)), shape=(cells.size, n_x + n_z))
    cap_all = np.concatenate([cand_capacity, existing_capacity])
    a_site = sp.csr_array(
        (
            np.concatenate([np.ones(n_z), -cand_capacity]),
            (np.concatenate([site, np.arange(n_c)]), np.concatenate([z_cols, np.arange(n_x)])),
        ),
        shape=(n_sites, n_x + n_z),
    )
    site_ub = np.where(np.arange(n_sites) < n_c, 0.0, cap_all)
    budget = sp.csr_array(
        (np.ones(n_x), (np.zeros(n_x, dtype=np.int64), np.arange(n_x))), shape=(1, n_x + n_z)
    )
    a = sp.csr_array(sp.vstack([a_cell, a_site, budget], format="csr"))
    lb = np.zeros(n_x + n_z)
    ub = np.concatenate([np.ones(n_x), residual[cell]])
    if fixed_sites is not None:
        lb[:n_x] = fixed_sites
        ub[:n_x] = fixed_sites
    problem = _Milp(
        c=np.concatenate([np.zeros(n_x), -np.ones(n_z)]),
        integrality=np.concatenate(
            [np.ones(n_x) if fixed_sites is None else np.zeros(n_x), np.zeros(n_z)]
        ),
        lb=lb,
        ub=ub,
        a=a,
        a_lb=np.full(a.shape[0], -np.inf),
        a_ub=np.concatenate([residual[cells], site_ub, [float(k)]]),
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
    )
    return problem, site, cell, cells, cap_all


@dataclass(eq=False)
class ExactSolveJob:
    """An exact solve running in its own process, so that it can be watched and cancelled.

    HiGHS cannot be interrupted from Python; a separate process can. Use
    :meth:`start`, poll :meth:`done`/:attr:`elapsed_s`, then :meth:`result`, or
    :meth:`cancel`. Created by :func:`propose_sites` with ``background=True``.
    """

    problem: _Milp
    finish: Callable[[tuple[np.ndarray, float, float | None, int, str], float], SiteResult]
    _process: Any = None
    _queue: Any = None
    _started: float = 0.0
    _answer: Any = None

    def start(self) -> ExactSolveJob:
        ctx = multiprocessing.get_context("spawn")
        self._queue = ctx.Queue(maxsize=1)
        self._process = ctx.Process(
            target=_solve_into, args=(self.problem, self._queue), daemon=True
        )
        self._started = time.perf_counter()
        self._process.start()
        return self

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self._started

    def done(self) -> bool:
        if self._answer is None and self._queue is not None and not self._queue.empty():
            self._answer = self._queue.get()
        return self._answer is not None or (
            self._process is not None and not self._process.is_alive() and self._queue.empty()
        )

    def result(self, *, timeout_s: float | None = None) -> SiteResult:
        """Wait for the answer (raises :class:`SolveCancelledError` if cancelled)."""
        if self._answer is None:
            try:
                self._answer = self._queue.get(timeout=timeout_s)
            except Exception as exc:
                raise SolveCancelledError("the exact solve ended without an answer.") from exc
        if isinstance(self._answer, BaseException):
            raise self._answer
        return self.finish(self._answer, self.elapsed_s)

    def cancel(self) -> None:
        """Stop the solve (terminates its process)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)


def _solve_into(problem: _Milp, queue: Any) -> None:
    try:
        queue.put(_solve(problem))
    except BaseException as exc:  # handed to the parent, which raises it
        queue.put(BildungslandkarteError(str(exc)))


def propose_sites(
    existing: ReachMatrix,
    candidates: ReachMatrix,
    demand: np.ndarray,
    *,
    k: int,
    method: Literal["greedy", "exact"] = "greedy",
    people: np.ndarray | None = None,
    candidate_points: gpd.GeoDataFrame | None = None,
    cells: pd.DataFrame | None = None,
    districts: pd.DataFrame | None = None,
    capacity: float | None = None,
    existing_capacity: pd.Series | None = None,
    time_limit_s: float | None = None,
    mip_rel_gap: float = 0.0,
    background: bool = False,
) -> SiteResult | ExactSolveJob:
    """The k new sites that cover the most (need-weighted) target population.

    Parameters
    ----------
    existing : ReachMatrix
        The current offers (fixed).
    candidates : ReachMatrix
        Candidate sites at the same threshold and on the same cells.
    demand : ndarray
        Demand per cell (:func:`demand_vector`, optionally need-weighted): the objective.
    k : int
        Number of new sites.
    method : {"greedy", "exact"}
        Greedy marginal gain (within 1 - 1/e of the optimum) or the exact MILP (HiGHS
        via :func:`scipy.optimize.milp`).
    people : ndarray, optional
        Unweighted people per cell for the ``gain_people`` figures (default ``demand``).
    candidate_points : GeoDataFrame, optional
        The candidates (EPSG:4326 points) for ``lon``/``lat``; ``district_id`` is used
        if present.
    cells, districts : DataFrame, optional
        For the per-district table (cells need ``district_id``; districts ``name``).
    capacity : float, optional
        Places per new site: the capacitated model (each person counted once, no site
        over capacity).
    existing_capacity : Series, optional
        Places per existing offer id (capacitated model). Existing offers with an
        unknown capacity cover their catchment fully (noted in ``notes``).
    time_limit_s : float, optional
        Stop the exact solve after this long (the gap says how far from proven).
    mip_rel_gap : float
        Stop the exact solve once proven within this relative gap.
    background : bool
        With ``method="exact"``: return a started :class:`ExactSolveJob`.

    Returns
    -------
    SiteResult or ExactSolveJob
    """
    if not k >= 1:
        raise ValueError(f"k must be >= 1, got {k!r}")
    if not candidates.cells.equals(existing.cells):
        raise ValueError("existing and candidate reach matrices must share the cells")
    demand = np.asarray(demand, dtype=float)
    people_a = demand if people is None else np.asarray(people, dtype=float)
    weighted = people is not None and not np.allclose(people_a, demand)
    started = time.perf_counter()
    cand = candidates.reach
    notes: list[str] = []
    target = float(demand.sum())

    if capacity is None:
        covered0 = existing.covered()
        residual = np.where(covered0, 0.0, demand)
        before = float(demand[covered0].sum())

        def finish_uncap(
            rows: list[int], gap: float | None, label: str, seconds: float
        ) -> SiteResult:
            ordered, gains = _order_by_gain(cand, residual, rows)
            people_res = np.where(covered0, 0.0, people_a)
            _, gains_people = _gain_sequence(cand, people_res, ordered)
            after_mask = covered0 | candidates.covered(ordered) if ordered else covered0
            return _result(
                ordered,
                gains,
                gains_people,
                None,
                label,
                seconds,
                gap,
                before=before,
                after=float(demand[after_mask].sum()),
                people_before=float(people_a[covered0].sum()),
                people_after=float(people_a[after_mask].sum()),
                served_before=np.where(covered0, people_a, 0.0),
                served_after=np.where(after_mask, people_a, 0.0),
                target=target,
                candidates=candidates,
                points=candidate_points,
                cells=cells,
                districts=districts,
                weighted=weighted,
                notes=notes,
            )

        if method == "greedy":
            rows, _ = _greedy(cand, residual, k)
            return finish_uncap(rows, None, "greedy", time.perf_counter() - started)
        if method != "exact":
            raise ValueError(f"method must be 'greedy' or 'exact', got {method!r}")
        problem, x_rows, _ = _mclp_milp(
            cand, residual, k, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
        )

        def finish_exact(
            answer: tuple[np.ndarray, float, float | None, int, str], seconds: float
        ) -> SiteResult:
            x, _, gap, _, _ = answer
            rows = [int(r) for r in x_rows[x[: x_rows.size] > 0.5]]
            return finish_uncap(rows, gap, "exact", seconds)

        if background:
            return ExactSolveJob(problem, finish_exact).start()
        return finish_exact(_solve(problem), time.perf_counter() - started)

    # ---- capacitated
    if not capacity > 0:
        raise ValueError(f"capacity must be > 0, got {capacity!r}")
    cap_known = (
        pd.to_numeric(existing_capacity, errors="coerce")
        .reindex(existing.ids)
        .to_numpy(dtype=float)
        if existing_capacity is not None
        else np.full(len(existing.ids), np.nan)
    )
    known = cap_known > 0
    uncapped_rows = np.flatnonzero(~known)
    if uncapped_rows.size:
        notes.append(f"existing_unknown_capacity_uncapped:{uncapped_rows.size}")
    covered_free = (
        existing.covered(uncapped_rows) if uncapped_rows.size else np.zeros(len(demand), bool)
    )
    residual = np.where(covered_free, 0.0, demand)
    ex = sp.csr_array(existing.reach[np.flatnonzero(known)])
    ex_cap = cap_known[known]
    n_c = cand.shape[0]
    cand_cap = np.full(n_c, float(capacity))
    free_demand = float(demand[covered_free].sum())
    ratio = np.divide(people_a, demand, out=np.ones_like(demand), where=demand > 0)

    n_ex = ex.shape[0]
    ex_ids = existing.ids[np.flatnonzero(known)]

    def allocate(fixed: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        problem, site, cell, _, _ = _capacitated_milp(
            cand,
            cand_cap,
            ex,
            ex_cap,
            residual,
            k,
            time_limit_s=None,
            mip_rel_gap=0.0,
            fixed_sites=fixed,
        )
        x, obj, _, _, _ = _solve(problem)
        return obj, x[n_c:], site, cell

    obj_before, z0, _, cell0 = allocate(np.zeros(n_c))
    served0 = np.bincount(cell0, weights=z0, minlength=len(demand))
    before = free_demand + obj_before
    served_before = np.where(covered_free, demand, 0.0) + served0

    def finish_cap(rows: list[int], gap: float | None, label: str, seconds: float) -> SiteResult:
        fixed = np.zeros(n_c)
        fixed[rows] = 1.0
        obj_after, z, site, cell = allocate(fixed)
        served_cells = np.bincount(cell, weights=z, minlength=len(demand))
        served_sites = np.bincount(site, weights=z, minlength=n_c + n_ex)
        people_sites = np.bincount(site, weights=z * ratio[cell], minlength=n_c + n_ex)
        order = np.argsort(-served_sites[rows], kind="stable") if rows else np.zeros(0, int)
        rows = [rows[i] for i in order]
        gains = [float(served_sites[r]) for r in rows]
        gains_people = [float(people_sites[r]) for r in rows]
        served_after = np.where(covered_free, demand, 0.0) + served_cells
        used = z > 1e-9
        site_ids = np.concatenate(
            [candidates.ids.to_numpy(dtype=object), ex_ids.to_numpy(dtype=object)]
        )
        allocation = pd.DataFrame(
            {
                "site_id": site_ids[site[used]],
                "existing": site[used] >= n_c,
                "cell_id": candidates.cells.to_numpy(dtype=object)[cell[used]],
                "served": z[used],
            }
        )
        return _result(
            rows,
            gains,
            gains_people,
            capacity,
            label,
            seconds,
            gap,
            before=before,
            after=free_demand + obj_after,
            people_before=float((served_before * ratio).sum()),
            people_after=float((served_after * ratio).sum()),
            served_before=served_before * ratio,
            served_after=served_after * ratio,
            target=target,
            candidates=candidates,
            points=candidate_points,
            cells=cells,
            districts=districts,
            weighted=weighted,
            notes=notes,
            allocation=allocation,
        )

    if method == "greedy":
        # greedy on the capacity-capped gain min(capacity, uncovered demand in reach),
        # then one allocation LP for the honest before/after figures
        left = np.maximum(residual - served0, 0.0)
        rows: list[int] = []
        for _ in range(k):
            gains = np.minimum(cand @ left, capacity)
            gains[rows] = -np.inf
            if gains.size == 0 or not gains.max() > 0:
                break
            j = int(np.argmax(gains))
            rows.append(j)
            cols = cand.indices[cand.indptr[j] : cand.indptr[j + 1]]
            minutes = candidates.minutes.data[cand.indptr[j] : cand.indptr[j + 1]]
            budget = float(capacity)
            for c in cols[np.argsort(minutes, kind="stable")]:  # nearest first
                take = min(budget, left[c])
                left[c] -= take
                budget -= take
                if budget <= 0:
                    break
        return finish_cap(rows, None, "greedy-capacitated", time.perf_counter() - started)
    if method != "exact":
        raise ValueError(f"method must be 'greedy' or 'exact', got {method!r}")
    problem, _, _, _, _ = _capacitated_milp(
        cand, cand_cap, ex, ex_cap, residual, k, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
    )

    def finish_cap_exact(
        answer: tuple[np.ndarray, float, float | None, int, str], seconds: float
    ) -> SiteResult:
        x, _, gap, _, _ = answer
        rows = [int(j) for j in np.flatnonzero(x[:n_c] > 0.5)]
        return finish_cap(rows, gap, "exact-capacitated", seconds)

    if background:
        return ExactSolveJob(problem, finish_cap_exact).start()
    return finish_cap_exact(_solve(problem), time.perf_counter() - started)


def _gain_sequence(
    cand: sp.csr_array, residual: np.ndarray, rows: list[int]
) -> tuple[list[int], list[float]]:
    """Marginal gains of ``rows`` taken in this order."""
    residual = residual.copy()
    gains = []
    for j in rows:
        cols = cand.indices[cand.indptr[j] : cand.indptr[j + 1]]
        gains.append(float(residual[cols].sum()))
        residual[cols] = 0.0
    return rows, gains


def _result(
    rows: list[int],
    gains: list[float],
    gains_people: list[float],
    capacity: float | None,
    method: str,
    seconds: float,
    gap: float | None,
    *,
    before: float,
    after: float,
    people_before: float,
    people_after: float,
    served_before: np.ndarray,
    served_after: np.ndarray,
    target: float,
    candidates: ReachMatrix,
    points: gpd.GeoDataFrame | None,
    cells: pd.DataFrame | None,
    districts: pd.DataFrame | None,
    weighted: bool,
    notes: list[str],
    allocation: pd.DataFrame | None = None,
) -> SiteResult:
    ids = candidates.ids[rows] if rows else candidates.ids[:0]
    sites = pd.DataFrame(index=pd.Index(ids, name="candidate_id"))
    sites["rank"] = np.arange(1, len(rows) + 1)
    if points is not None and len(rows):
        pts = (
            points.geometry.to_crs(CRS_STORE).reindex(ids)
            if points.crs
            else points.geometry.reindex(ids)
        )
        sites["lon"] = shapely.get_x(pts.to_numpy())
        sites["lat"] = shapely.get_y(pts.to_numpy())
    else:
        sites["lon"] = np.nan
        sites["lat"] = np.nan
    sites["gain"] = gains
    sites["gain_people"] = gains_people
    if capacity is not None:
        sites["capacity"] = float(capacity)
    district_id = pd.Series(None, index=sites.index, dtype=object)
    if points is not None and "district_id" in points.columns:
        district_id = points["district_id"].reindex(ids)
    if districts is not None and len(rows) and district_id.isna().any():
        missing = district_id.isna()
        points_missing = gpd.GeoSeries(
            gpd.points_from_xy(sites["lon"][missing], sites["lat"][missing]),
            index=sites.index[missing],
            crs=CRS_STORE,
        )
        district_id[missing] = locate_districts(points_missing, districts).to_numpy()
    sites["district_id"] = district_id.to_numpy()
    if districts is not None and "name" in districts.columns:
        sites["district"] = sites["district_id"].map(districts["name"]).astype(object)
    else:
        sites["district"] = sites["district_id"]
    table = pd.DataFrame(columns=["name", "covered_before", "covered_after", "gain"])
    if cells is not None and districts is not None and "district_id" in cells.columns:
        frame = pd.DataFrame(
            {
                "district_id": cells["district_id"].reindex(candidates.cells).to_numpy(),
                "before": served_before,
                "after": served_after,
            }
        )
        grouped = frame.groupby("district_id").sum()
        table = pd.DataFrame(index=pd.Index(districts.index, name="district_id"))
        table["name"] = districts["name"] if "name" in districts.columns else None
        table["covered_before"] = grouped["before"].reindex(table.index).fillna(0.0)
        table["covered_after"] = grouped["after"].reindex(table.index).fillna(0.0)
        table["gain"] = table["covered_after"] - table["covered_before"]
        table = table.sort_values("gain", ascending=False, kind="stable")
    return SiteResult(
        sites=sites,
        districts=table,
        covered_before=float(before),
        covered_after=float(after),
        covered_people_before=float(people_before),
        covered_people_after=float(people_after),
        target_population=float(target),
        method=method,
        seconds=float(seconds),
        gap=gap,
        objective=float(after - before),
        weighted=weighted,
        notes=tuple(notes),
        allocation=allocation,
    )
