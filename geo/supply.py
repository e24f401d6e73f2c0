"""Honest supply per head: known capacities, explicit assumptions, and the balanced FCA.

Supply-per-head figures (E2SFCA, Versorgungsquote) rest on the offers' capacities.
Where some are unknown, :func:`capacity_knowledge` says how many, and a figure built
on fewer than ``min_share`` known capacities (default 80 %) is flagged
``sufficient=False``; the app greys it and says why. Unknown capacities are never
silently 1: :func:`apply_capacity_assumption` either leaves those offers out of the
supply (``"exclude"``, the figure is then a lower bound) or fills them with a stated
value (``"median"`` of the known ones, or a planner's ``"value"``), and records it.

:func:`bfca` is the balanced floating catchment area of Paez, Higgins & Vivona (2019,
PLoS ONE 14(6): e0218773): demand and supply are both allocated proportionally
(each cell's population is split among the offers it reaches by the row-normalised
weights), so nobody is counted twice and the places allocated to the cells add up to
the real number of places. Offers are EPSG:4326 points; travel on the EPSG:25832
network via :func:`geo.routing.offer_cell_seconds`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.metrics import step_weights, target_population
from geo.network import Network
from geo.routing import Router, offer_cell_seconds

__all__ = [
    "DEFAULT_MIN_KNOWN_SHARE",
    "BfcaResult",
    "CapacityKnowledge",
    "apply_capacity_assumption",
    "bfca",
    "capacity_knowledge",
    "versorgungsquote",
]

#: Below this share of known capacities a supply figure is greyed out.
DEFAULT_MIN_KNOWN_SHARE = 0.8


@dataclass(frozen=True)
class CapacityKnowledge:
    """How much of a supply figure rests on known capacities.

    Attributes
    ----------
    offers, known : int
        Offers counted and those with a known capacity (> 0).
    share_known : float
        ``known / offers`` (NaN without offers).
    median_known : float or None
        Median of the known capacities.
    min_share : float
        The level below which the figure is not sufficient.
    sufficient : bool
        ``share_known >= min_share``.
    assumption : str
        ``"exclude"``, ``"median"``, ``"value"`` or ``"one"`` (the legacy count-as-1).
    assumed_places : float or None
        Places given to each unknown offer (None for ``"exclude"``).
    assumed_offers : int
        Offers that got ``assumed_places``.
    """

    offers: int
    known: int
    share_known: float
    median_known: float | None
    min_share: float
    sufficient: bool
    assumption: str = "exclude"
    assumed_places: float | None = None
    assumed_offers: int = 0


def capacity_knowledge(
    offers: pd.DataFrame,
    *,
    capacity_column: str = "capacity",
    min_share: float = DEFAULT_MIN_KNOWN_SHARE,
) -> CapacityKnowledge:
    """Share of offers with a known capacity, and the median of the known ones."""
    cap = (
        pd.to_numeric(offers[capacity_column], errors="coerce")
        if capacity_column in offers.columns
        else pd.Series(np.nan, index=offers.index)
    )
    known = cap > 0
    n, k = len(offers), int(known.sum())
    share = k / n if n else float("nan")
    return CapacityKnowledge(
        offers=n,
        known=k,
        share_known=share,
        median_known=float(cap[known].median()) if k else None,
        min_share=float(min_share),
        sufficient=bool(n and share >= min_share),
    )


def apply_capacity_assumption(
    offers: gpd.GeoDataFrame,
    *,
    rule: Literal["exclude", "median", "value", "one"] = "exclude",
    value: float | None = None,
    capacity_column: str = "capacity",
    min_share: float = DEFAULT_MIN_KNOWN_SHARE,
) -> tuple[gpd.GeoDataFrame, CapacityKnowledge]:
    """Offers with unknown capacities handled by a stated rule.

    Returns
    -------
    (GeoDataFrame, CapacityKnowledge)
        A copy: with ``"exclude"`` only the offers with known capacity; with
        ``"median"``/``"value"``/``"one"`` every offer, the unknown ones filled.

    Raises
    ------
    InputDataError
        ``"median"`` without any known capacity, or ``"value"`` without a positive value.
    """
    info = capacity_knowledge(offers, capacity_column=capacity_column, min_share=min_share)
    cap = (
        pd.to_numeric(offers[capacity_column], errors="coerce")
        if capacity_column in offers.columns
        else pd.Series(np.nan, index=offers.index)
    )
    known = cap > 0
    out = offers.copy()
    if rule == "exclude":
        out = out.loc[known.to_numpy()]
        out[capacity_column] = cap[known]
        return out, info
    if rule == "median":
        if info.median_known is None:
            raise InputDataError(
                "no offer has a known capacity, so there is no median to assume.",
                field=capacity_column,
                hint="Enter capacities for some offers or give an explicit value.",
            )
        fill = info.median_known
    elif rule == "value":
        if value is None or not value > 0:
            raise InputDataError("the assumed capacity must be positive.", field=capacity_column)
        fill = float(value)
    elif rule == "one":
        fill = 1.0
    else:
        raise ValueError(f"unknown rule {rule!r}")
    out[capacity_column] = cap.where(known, fill)
    return out, CapacityKnowledge(
        **{
            **info.__dict__,
            "assumption": rule,
            "assumed_places": fill,
            "assumed_offers": int((~known).sum()),
        }
    )


@dataclass(frozen=True, eq=False)
class BfcaResult:
    """Balanced FCA (Paez et al. 2019).

    Attributes
    ----------
    cells : DataFrame
        Indexed like the cells: ``access`` (places per target person), ``demand``,
        ``places`` (places allocated to the cell = demand x access).
    offers : DataFrame
        Index ``offer_id``: ``capacity``, ``allocated_demand``, ``level_of_service``.
    districts : DataFrame or None
        Index ``district_id`` plus ``"__total__"``: ``name``, ``population``,
        ``places`` (allocated places; the districts add up to the total),
        ``access`` (places per person).
    places_total : float
        Real number of places (sum of the capacities used).
    places_unallocated : float
        Places of offers nobody (in-region) reaches within the catchment.
    catchment_min : float
    """

    cells: pd.DataFrame
    offers: pd.DataFrame
    districts: pd.DataFrame | None
    places_total: float
    places_unallocated: float
    catchment_min: float


def bfca(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    catchment_min: float,
    capacity_column: str = "capacity",
    steps: Sequence[tuple[float, float]] | None = None,
    districts: pd.DataFrame | None = None,
    demand: pd.Series | None = None,
    travel: tuple[np.ndarray, np.ndarray, pd.DataFrame] | None = None,
) -> BfcaResult:
    """Balanced floating catchment area: supply per head without demand inflation.

    With impedance weights ``w_ij`` (1 inside the catchment, or step weights),
    ``W_ij = w_ij / Σ_j w_ij`` (each cell's demand split among its offers):

    * level of service ``L_j = S_j / Σ_i P_i W_ij``;
    * accessibility ``A_i = Σ_j L_j W_ij``.

    Then ``Σ_i P_i A_i = Σ_j S_j`` over the offers anyone reaches: the places add up.

    Parameters
    ----------
    net : Network or Router
        The mode's network (EPSG:25832).
    offers : GeoDataFrame
        EPSG:4326 points indexed by ``offer_id``, with known capacities (apply
        :func:`apply_capacity_assumption` first; NaN raises).
    cells : DataFrame
        ``region.cells``; only ``in_region`` cells carry demand.
    pop_columns : str or sequence of str
        Target group column(s).
    catchment_min : float
        Catchment (network minutes), e.g. the norm's threshold.
    capacity_column : str
        Places column.
    steps : sequence of (minutes, weight), optional
        Step weights inside the catchment (default: 1).
    districts : DataFrame, optional
        For per-district places and access.
    demand : Series, optional
        Demand per cell instead of the population (e.g. need-weighted).
    travel : (ids, seconds, skipped), optional
        :func:`geo.routing.offer_cell_seconds` for these offers and cells.

    Returns
    -------
    BfcaResult
    """
    cap_all = pd.to_numeric(offers[capacity_column], errors="coerce")
    if cap_all.isna().any() or (cap_all < 0).any():
        raise InputDataError(
            "BFCA needs a capacity for every offer.",
            field=capacity_column,
            row=int(np.flatnonzero(cap_all.isna().to_numpy() | (cap_all < 0).to_numpy())[0]) + 1,
            hint="Apply geo.supply.apply_capacity_assumption first (exclude or assume).",
        )
    if demand is None:
        pop = target_population(cells, pop_columns).fillna(0.0).to_numpy(float)
    else:
        pop = demand.reindex(cells.index).fillna(0.0).to_numpy(float)
    if "in_region" in cells.columns:
        pop = np.where(cells["in_region"].fillna(False).astype(bool).to_numpy(), pop, 0.0)
    if travel is None:
        travel = offer_cell_seconds(net, offers, cells, limit_s=catchment_min * 60.0)
    ids, seconds, _ = travel
    minutes = seconds / 60.0
    inside = np.isfinite(minutes) & (minutes <= catchment_min)
    w = np.where(inside, step_weights(minutes, steps) if steps else 1.0, 0.0)
    supply = cap_all.reindex(ids).to_numpy(float)
    col = w.sum(axis=0)  # per cell, over offers
    share = np.divide(w, col[None, :], out=np.zeros_like(w), where=col[None, :] > 0)
    allocated = share @ pop
    level = np.divide(supply, allocated, out=np.zeros_like(supply), where=allocated > 0)
    access = level @ share
    places = pop * access
    cell_table = pd.DataFrame(
        {"access": access, "demand": pop, "places": places}, index=cells.index
    )
    offer_table = pd.DataFrame(
        {"capacity": supply, "allocated_demand": allocated, "level_of_service": level},
        index=pd.Index(ids, name=offers.index.name or "offer_id"),
    )
    total = float(cap_all.sum())
    district_table = None
    if districts is not None:
        frame = pd.DataFrame({"d": cells["district_id"].to_numpy(), "pop": pop, "places": places})
        grouped = frame.groupby("d").sum()
        district_table = pd.DataFrame(
            index=pd.Index([*districts.index, "__total__"], name="district_id")
        )
        district_table["name"] = [*districts.get("name", pd.Series(index=districts.index)), None]
        district_table["population"] = grouped["pop"].reindex(district_table.index).fillna(0.0)
        district_table["places"] = grouped["places"].reindex(district_table.index).fillna(0.0)
        district_table.loc["__total__", ["population", "places"]] = [
            district_table["population"].iloc[:-1].sum(),
            district_table["places"].iloc[:-1].sum(),
        ]
        district_table["access"] = np.divide(
            district_table["places"],
            district_table["population"],
            out=np.full(len(district_table), np.nan),
            where=district_table["population"].to_numpy() > 0,
        )
    return BfcaResult(
        cells=cell_table,
        offers=offer_table,
        districts=district_table,
        places_total=total,
        places_unallocated=float(supply[allocated <= 0].sum()) + float(total - supply.sum()),
        catchment_min=float(catchment_min),
    )


def versorgungsquote(
    offers: pd.DataFrame,
    cells: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    pop_columns: str | Sequence[str],
    capacity_column: str = "capacity",
    district_column: str = "district_id",
) -> pd.DataFrame:
    """Places per 100 target persons, per district (by the offer's district) and in total.

    ``offers`` needs a ``district_column`` (the district each offer lies in) and known
    capacities (apply :func:`apply_capacity_assumption` first); unknown ones count 0
    and are counted in ``offers_unknown``.

    Returns
    -------
    DataFrame
        Index ``district_id`` plus ``"__total__"``: ``places``, ``population``,
        ``quote`` (places per 100), ``offers``, ``offers_unknown``.
    """
    cap = pd.to_numeric(offers[capacity_column], errors="coerce")
    pop = target_population(cells, pop_columns).fillna(0.0)
    if "in_region" in cells.columns:
        pop = pop.where(cells["in_region"].fillna(False).astype(bool), 0.0)
    by_d = pd.DataFrame({"d": cells["district_id"], "pop": pop}).groupby("d")["pop"].sum()
    o = pd.DataFrame({"d": offers[district_column], "cap": cap.fillna(0.0), "unknown": ~(cap > 0)})
    g = o.groupby("d").agg(
        places=("cap", "sum"), offers=("cap", "size"), offers_unknown=("unknown", "sum")
    )
    idx = pd.Index([*districts.index, "__total__"], name="district_id")
    out = pd.DataFrame(index=idx)
    out["places"] = g["places"].reindex(idx).fillna(0.0)
    out["population"] = by_d.reindex(idx).fillna(0.0)
    out["offers"] = g["offers"].reindex(idx).fillna(0).astype(int)
    out["offers_unknown"] = g["offers_unknown"].reindex(idx).fillna(0).astype(int)
    out.loc["__total__", ["places", "population"]] = [cap.fillna(0.0).sum(), pop.sum()]
    out.loc["__total__", ["offers", "offers_unknown"]] = [len(offers), int((~(cap > 0)).sum())]
    out["quote"] = np.where(
        out["population"] > 0, 100.0 * out["places"] / out["population"], np.nan
    )
    return out
