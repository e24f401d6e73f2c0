"""Coverage, supply per head (2SFCA / E2SFCA) and underserved cells.

Inputs are the region's census cells (EPSG:4326 points with EPSG:25832 ``x``/``y``
columns), districts (EPSG:4326) and travel times from :mod:`geo.routing`. Results keep
the index of the cells (or ``district_id`` plus a ``"__total__"`` row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.network import Network
from geo.routing import NearestResult, Router, offer_cell_seconds
from geo.settings import CRS_STORE

#: E2SFCA step weights as (upper bound in minutes, weight), from the literature
#: (Luo & Qi 2009): 0-10 min 1.0, 10-20 min 0.68, 20-30 min 0.22.
DEFAULT_STEPS: tuple[tuple[float, float], ...] = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))
TOTAL = "__total__"


def _pop_columns(pop_columns: str | Sequence[str]) -> list[str]:
    return [pop_columns] if isinstance(pop_columns, str) else list(pop_columns)


def target_population(cells: pd.DataFrame, pop_columns: str | Sequence[str]) -> pd.Series:
    """Sum of the target group columns per cell; NaN where any part is unknown."""
    cols = _pop_columns(pop_columns)
    for col in cols:
        if col not in cells.columns:
            raise InputDataError(
                "the cells table lacks a population column.",
                field=col,
                hint="Use a column of geo.agegroups.POP_COLUMNS, e.g. 'pop_0_5'.",
            )
    if len(cols) >= 8:
        return cells[cols].astype(float).sum(axis=1, skipna=False)
    # below 8 columns that sum adds left to right from 0.0: the same, on plain arrays
    total = np.zeros(len(cells))
    for col in cols:
        total = total + cells[col].to_numpy(dtype=float)
    return pd.Series(total, index=cells.index)


def _require(cells: pd.DataFrame, *cols: str) -> None:
    for col in cols:
        if col not in cells.columns:
            raise InputDataError(
                "the cells table lacks a column.",
                field=col,
                hint="Use region.cells from geo.build.load_region.",
            )


def _cell_minutes(nearest: NearestResult | pd.DataFrame | pd.Series, index: pd.Index) -> pd.Series:
    table = getattr(nearest, "cells", nearest)
    if table is None:
        raise InputDataError(
            "the nearest-offer result has no per-cell times.",
            field="cells",
            hint="Call nearest_offer(net, offers, cells=region.cells).",
        )
    seconds = table["seconds"] if isinstance(table, pd.DataFrame) else table
    return (seconds.reindex(index) / 60.0).fillna(np.inf)


def coverage(
    cells: pd.DataFrame,
    districts: pd.DataFrame,
    nearest: NearestResult | pd.DataFrame | pd.Series,
    *,
    threshold_min: float,
    pop_columns: str | Sequence[str],
) -> pd.DataFrame:
    """Who reaches an offer within a threshold, per district and in total.

    Parameters
    ----------
    cells : DataFrame
        Census cells with ``district_id``, ``in_region`` and the population columns.
        Only cells with ``in_region`` count.
    districts : DataFrame
        Indexed by ``district_id`` with a ``name`` column (EPSG:4326 polygons; the
        geometry is not used).
    nearest : NearestResult or DataFrame or Series
        Per-cell travel ``seconds`` to the nearest offer (unlisted cells = unreached).
    threshold_min : float
        Covered means at most this many minutes.
    pop_columns : str or sequence of str
        Target group column(s); their sum is the target population. Cells where it
        is NaN (unknown age breakdown) are left out and counted.

    Returns
    -------
    DataFrame
        Index ``district_id`` plus ``"__total__"`` (its ``name`` is None: the UI names
        the total row); columns ``name``, ``population``,
        ``covered``, ``share`` (0..1, NaN where nobody lives), ``median_min``
        (population-weighted, ``inf`` if most people reach nothing),
        ``unknown_cells``, ``unknown_people`` (``pop_total`` of those cells).
    """
    _require(cells, "district_id", "in_region")
    if not threshold_min >= 0:
        raise ValueError(f"threshold_min must be >= 0, got {threshold_min!r}")
    pop = target_population(cells, pop_columns).to_numpy(dtype=float)
    minutes = _cell_minutes(nearest, cells.index).to_numpy(dtype=float)
    in_region = cells["in_region"].fillna(False).astype(bool).to_numpy()
    known = ~np.isnan(pop)
    total_pop = (
        cells["pop_total"].to_numpy(dtype=float)
        if "pop_total" in cells.columns
        else np.full(len(cells), np.nan)
    )
    # plain arrays: per-district pandas sums dominated a what-if click (same sums, same order)
    pop_a = np.where(known, pop, 0.0)[in_region]
    minutes_a = minutes[in_region]
    covered_a = np.where(minutes_a <= threshold_min, pop_a, 0.0)
    unknown_a = ~known[in_region]
    people_a = np.where(known, 0.0, np.where(np.isnan(total_pop), 0.0, total_pop))[in_region]
    codes, uniques = pd.factorize(cells["district_id"], use_na_sentinel=True)
    codes = codes[in_region]
    # each district's cells as one contiguous run (cell order kept inside a run)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    sorted_a = [a[order] for a in (pop_a, covered_a, minutes_a, unknown_a, people_a)]
    runs: dict[object, slice] = {}
    for k, did in enumerate(uniques):
        runs.setdefault(did, slice(bounds[k], bounds[k + 1]))

    def row(
        pop_p: np.ndarray,
        cov_p: np.ndarray,
        min_p: np.ndarray,
        unk_p: np.ndarray,
        ppl_p: np.ndarray,
    ) -> tuple[float, float, float, int, float]:
        return (
            float(pop_p.sum()),
            float(cov_p.sum()),
            _weighted_median(min_p, pop_p),
            int(unk_p.sum()),
            float(ppl_p.sum()),
        )

    ids = [*districts.index.tolist(), TOTAL]
    rows = []
    for did in ids[:-1]:
        run = runs.get(did)
        # a district without (in-region) cells: nobody, no median
        rows.append((0.0, 0.0, np.nan, 0, 0.0) if run is None else row(*(a[run] for a in sorted_a)))
    rows.append(row(pop_a, covered_a, minutes_a, unknown_a, people_a))
    pop_d, covered_d, median_d, unknown_d, people_d = (np.array(c) for c in zip(*rows, strict=True))
    names = _names_with_total(districts)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(pop_d > 0, np.clip(covered_d / pop_d, 0.0, 1.0), np.nan)
    out = pd.DataFrame(
        {
            "population": pop_d,
            "covered": covered_d,
            "share": share,
            "median_min": median_d,
            "unknown_cells": unknown_d.astype("int64"),
            "unknown_people": people_d,
        },
        index=pd.Index(ids, name="district_id"),
    )
    # object, as before: a plain constructor would infer a string dtype
    out.insert(0, "name", pd.Series(names, index=out.index, dtype=object))
    return out


def _names_with_total(districts: pd.DataFrame) -> list[object]:
    """District names plus None for the ``"__total__"`` row (the page names it)."""
    if "name" in districts.columns:
        return [*districts["name"].astype(object).tolist(), None]
    return [*([np.nan] * len(districts)), None]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Smallest value at which the cumulative weight reaches half the total."""
    mask = weights > 0
    if not mask.any():
        return float("nan")
    v, w = values[mask], weights[mask]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][np.searchsorted(cum, cum[-1] / 2.0, side="left")])


@dataclass(frozen=True, eq=False)
class FcaResult:
    """Supply per head from a floating catchment method.

    Attributes
    ----------
    method : str
        ``"2sfca"`` or ``"e2sfca"``.
    cells : DataFrame
        Indexed like the input cells: ``access`` (weighted places per target
        person reachable), ``demand`` (target population, NaN = unknown).
    offers : DataFrame
        Index ``offer_id``: ``capacity`` (as used), ``capacity_estimated`` (True
        where unknown and counted as 1), ``catchment_demand``, ``ratio``.
    districts : DataFrame or None
        Index ``district_id`` plus ``"__total__"``: ``name``, ``population``,
        ``access`` (population-weighted mean of the cells).
    capacity_estimated : int
        Number of offers whose capacity was unknown.
    skipped : DataFrame
        Offers left out (no coordinates, too far from the network), with ``reason``.
    catchment_min : float or None
        Catchment used (None = unbounded).
    """

    method: str
    cells: pd.DataFrame
    offers: pd.DataFrame
    districts: pd.DataFrame | None
    capacity_estimated: int
    skipped: pd.DataFrame
    catchment_min: float | None


def step_weights(minutes: np.ndarray, steps: Sequence[tuple[float, float]]) -> np.ndarray:
    """Weight per travel time: the weight of the first step whose bound is >= the time."""
    bounds = np.array([b for b, _ in steps], dtype=float)
    values = np.array([w for _, w in steps], dtype=float)
    order = np.argsort(bounds, kind="stable")
    out = np.zeros(np.shape(minutes), dtype=float)
    # from the largest bound down, so the first (smallest) bound that holds wins;
    # NaN and times beyond every bound keep 0 (a few passes beat a binary search here)
    for j in order[::-1]:
        out = np.where(minutes <= bounds[j], values[j], out)
    return out


def _fca(
    method: str,
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    capacity_column: str,
    catchment_min: float | None,
    weight: str,
    steps: Sequence[tuple[float, float]],
    sigma_min: float | None,
    districts: pd.DataFrame | None,
    mode: str | None,
    travel: tuple[np.ndarray, np.ndarray, pd.DataFrame] | None = None,
) -> FcaResult:
    demand = target_population(cells, pop_columns)
    limit_s = None if catchment_min is None else catchment_min * 60.0
    if travel is None:
        travel = offer_cell_seconds(net, offers, cells, mode=mode, limit_s=limit_s)
    ids, seconds, skipped = travel
    minutes = seconds / 60.0
    reach = np.isfinite(minutes)
    if catchment_min is not None:
        reach &= minutes <= catchment_min
    if weight == "step":
        w = np.where(reach, step_weights(minutes, steps), 0.0)
    elif weight == "gaussian":
        assert sigma_min is not None
        w = np.where(reach, np.exp(-(np.where(reach, minutes, 0.0) ** 2) / (2 * sigma_min**2)), 0.0)
    else:
        w = reach.astype(float)
    if capacity_column in offers.columns:
        cap = pd.to_numeric(offers[capacity_column], errors="coerce").reindex(ids)
    else:
        cap = pd.Series(np.nan, index=pd.Index(ids))
    estimated = ~(cap.to_numpy(dtype=float) >= 0)
    supply = np.where(estimated, 1.0, cap.to_numpy(dtype=float))
    pop = demand.fillna(0.0).to_numpy(dtype=float)
    catch_demand = w @ pop
    with np.errstate(divide="ignore", invalid="ignore"):
        # an offer nobody can reach adds nothing
        ratio = np.where(catch_demand > 0, supply / catch_demand, 0.0)
    access = ratio @ w if ids.size else np.zeros(len(cells))
    cell_table = pd.DataFrame({"access": access, "demand": demand.to_numpy()}, index=cells.index)
    offer_table = pd.DataFrame(
        {
            "capacity": supply,
            "capacity_estimated": estimated,
            "catchment_demand": catch_demand,
            "ratio": ratio,
        },
        index=pd.Index(ids, name=offers.index.name or "offer_id"),
    )
    district_table = None
    if districts is not None:
        district_table = _district_access(cells, districts, cell_table)
    return FcaResult(
        method=method,
        cells=cell_table,
        offers=offer_table,
        districts=district_table,
        capacity_estimated=int(estimated.sum()),
        skipped=skipped,
        catchment_min=catchment_min,
    )


def _district_access(
    cells: pd.DataFrame, districts: pd.DataFrame, table: pd.DataFrame
) -> pd.DataFrame:
    _require(cells, "district_id", "in_region")
    in_region = cells["in_region"].fillna(False).astype(bool).to_numpy()
    demand = table["demand"].to_numpy(dtype=float)
    pop = np.where(np.isnan(demand), 0.0, demand)
    weighted = pop * table["access"].to_numpy(dtype=float)
    pop, weighted = pop[in_region], weighted[in_region]
    codes, uniques = pd.factorize(cells["district_id"], use_na_sentinel=True)
    codes = codes[in_region]
    has = codes >= 0
    # pandas' grouped sum (compensated, row order) on integer codes: the same sums as
    # grouping by the district id strings, without hashing them again
    grouped = pd.DataFrame({"pop": pop[has], "weighted": weighted[has]}).groupby(codes[has]).sum()
    position = {did: k for k, did in enumerate(uniques)}
    ids = [*districts.index.tolist(), TOTAL]
    pop_d = np.zeros(len(ids))
    weighted_d = np.zeros(len(ids))
    group_pop = dict(zip(grouped.index.tolist(), grouped["pop"].tolist(), strict=True))
    group_w = dict(zip(grouped.index.tolist(), grouped["weighted"].tolist(), strict=True))
    for i, did in enumerate(ids[:-1]):
        k = position.get(did)
        if k is not None and k in group_pop:
            pop_d[i], weighted_d[i] = group_pop[k], group_w[k]
    pop_d[-1], weighted_d[-1] = pop.sum(), weighted.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        access = np.where(pop_d > 0, weighted_d / pop_d, np.nan)
    names = _names_with_total(districts)
    out = pd.DataFrame(index=pd.Index(ids, name="district_id"))
    out["name"] = pd.Series(names, index=out.index, dtype=object)
    out["population"] = pop_d
    out["access"] = access
    return out


def e2sfca(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    capacity_column: str = "capacity",
    steps: Sequence[tuple[float, float]] = DEFAULT_STEPS,
    gaussian_sigma_min: float | None = None,
    catchment_min: float | None = None,
    districts: pd.DataFrame | None = None,
    mode: str | None = None,
    travel: tuple[np.ndarray, np.ndarray, pd.DataFrame] | None = None,
) -> FcaResult:
    """Enhanced two-step floating catchment area (Luo & Qi 2009): places per target person.

    Step 1: each offer's capacity divided by the weighted target population in its
    catchment. Step 2: each cell sums the ratios of the offers it reaches, weighted
    the same way. Matches PySAL ``access.Access.enhanced_two_stage_fca`` on the same
    travel times.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    offers : GeoDataFrame
        EPSG:4326 points indexed by ``offer_id``; ``capacity_column`` holds places.
        Unknown capacity counts as 1 and is flagged (``FcaResult.offers``).
    cells : DataFrame
        Census cells (``node_<mode>``, ``snap_m_<mode>``, population columns;
        ``district_id``/``in_region`` when ``districts`` is given).
    pop_columns : str or sequence of str
        Target group column(s).
    capacity_column : str
        Offer capacity column.
    steps : sequence of (minutes, weight)
        Step weights (a time up to the bound gets the weight).
    gaussian_sigma_min : float, optional
        Use a Gaussian decay ``exp(-t^2 / (2 sigma^2))`` instead of steps.
    catchment_min : float, optional
        Catchment in minutes; default the largest step bound (steps) or 3 sigma.
    districts : DataFrame, optional
        Districts (index ``district_id``, ``name``) for the population-weighted
        aggregation.
    mode : str, optional
        Cell column suffix; default the network's mode.
    travel : (offer_ids, seconds, skipped), optional
        The :func:`offer_cell_seconds` result for exactly these ``offers``, ``cells``
        and catchment (``limit_s`` = catchment in seconds), e.g. assembled from cached
        rows; skips the routing. The caller vouches that it matches.

    Returns
    -------
    FcaResult
    """
    if gaussian_sigma_min is not None:
        if not gaussian_sigma_min > 0:
            raise ValueError(f"gaussian_sigma_min must be > 0, got {gaussian_sigma_min!r}")
        catchment = 3.0 * gaussian_sigma_min if catchment_min is None else catchment_min
        weight = "gaussian"
    else:
        if not steps:
            raise ValueError("steps must not be empty")
        catchment = max(b for b, _ in steps) if catchment_min is None else catchment_min
        weight = "step"
    return _fca(
        "e2sfca",
        net,
        offers,
        cells,
        pop_columns=pop_columns,
        capacity_column=capacity_column,
        catchment_min=catchment,
        weight=weight,
        steps=steps,
        sigma_min=gaussian_sigma_min,
        districts=districts,
        mode=mode,
        travel=travel,
    )


def two_sfca(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    capacity_column: str = "capacity",
    catchment_min: float | None = 30.0,
    districts: pd.DataFrame | None = None,
    mode: str | None = None,
) -> FcaResult:
    """Plain two-step floating catchment area (Luo & Wang 2003): places per target person.

    Like :func:`e2sfca` with weight 1 inside the catchment (``None`` = unbounded:
    then every cell gets total supply / total demand on a connected network). Offers
    and cells as for :func:`e2sfca` (EPSG:4326 geometry; travel on the EPSG:25832 net).
    Matches PySAL ``access.Access.two_stage_fca``.

    Parameters
    ----------
    net, offers, cells, pop_columns, capacity_column, districts, mode
        As for :func:`e2sfca`.
    catchment_min : float or None
        Catchment in minutes.

    Returns
    -------
    FcaResult
    """
    return _fca(
        "2sfca",
        net,
        offers,
        cells,
        pop_columns=pop_columns,
        capacity_column=capacity_column,
        catchment_min=catchment_min,
        weight="none",
        steps=(),
        sigma_min=None,
        districts=districts,
        mode=mode,
    )


def underserved_cells(
    cells: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    nearest: NearestResult | pd.DataFrame | None = None,
    threshold_min: float | None = None,
    fca: FcaResult | None = None,
    min_supply_per_head: float | None = None,
) -> gpd.GeoDataFrame:
    """Cells whose target population is beyond a threshold or has too little supply.

    Parameters
    ----------
    cells : GeoDataFrame
        Census cells, EPSG:4326 points (only ``in_region`` cells if that column exists).
    pop_columns : str or sequence of str
        Target group column(s).
    nearest : NearestResult or DataFrame, optional
        Per-cell ``seconds`` to the nearest offer (needed with ``threshold_min``).
    threshold_min : float, optional
        A cell is underserved when its nearest offer is farther than this.
    fca : FcaResult, optional
        Supply per head (needed with ``min_supply_per_head``).
    min_supply_per_head : float, optional
        A cell is underserved when its ``access`` is below this.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, indexed like ``cells`` and ranked by ``people`` (descending):
        ``people``, ``minutes`` (``inf`` = no offer reached), ``supply_per_head``,
        ``beyond_threshold`` and ``low_supply`` (why the cell is listed), geometry.
    """
    if threshold_min is None and min_supply_per_head is None:
        raise ValueError("give threshold_min and/or min_supply_per_head")
    if threshold_min is not None and nearest is None:
        raise ValueError("threshold_min needs nearest (a nearest_offer result)")
    if min_supply_per_head is not None and fca is None:
        raise ValueError("min_supply_per_head needs fca (an e2sfca/two_sfca result)")
    # plain arrays: the same comparisons as on Series, without index alignment
    n = len(cells)
    people = target_population(cells, pop_columns).to_numpy()
    minutes = (
        _cell_minutes(nearest, cells.index).to_numpy(dtype=float)
        if nearest is not None
        else np.full(n, np.nan)
    )
    supply = (
        fca.cells["access"].reindex(cells.index).to_numpy(dtype=float)
        if fca is not None
        else np.full(n, np.nan)
    )
    beyond = minutes > threshold_min if threshold_min is not None else np.zeros(n, dtype=bool)
    low = supply < min_supply_per_head if min_supply_per_head is not None else np.zeros(n, bool)
    mask = (beyond | low) & (people > 0)
    if "in_region" in cells.columns:
        mask &= cells["in_region"].fillna(False).astype(bool).to_numpy()
    if isinstance(cells, gpd.GeoDataFrame):
        geometry = cells.geometry[mask]
        if geometry.crs is not None and not geometry.crs.equals(CRS_STORE):
            geometry = geometry.to_crs(CRS_STORE)
    else:
        _require(cells, "x", "y")
        geometry = gpd.GeoSeries(
            gpd.points_from_xy(cells["x"][mask], cells["y"][mask]),
            index=cells.index[mask],
            crs="EPSG:25832",
        ).to_crs(CRS_STORE)
    out = gpd.GeoDataFrame(
        {
            "people": people[mask],
            "minutes": minutes[mask],
            "supply_per_head": supply[mask],
            "beyond_threshold": beyond[mask],
            "low_supply": low[mask],
        },
        geometry=geometry.to_numpy(),
        index=cells.index[mask],
        crs=CRS_STORE,
    )
    return out.sort_values("people", ascending=False, kind="stable")
