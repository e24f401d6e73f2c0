"""Planning scenarios: named sets of planned additions, removals and capacity changes.

A :class:`Scenario` is plain data (stored by :class:`offers.scenarios.ScenarioStore`).
:func:`apply_scenario` turns it into an offer table; :func:`compare_scenarios`
computes, for two or more scenarios side by side, per district and in total:
coverage (people within the threshold and share), the gap population (not covered),
E2SFCA supply per head (catchment = the threshold, step bounds scaled to it), the
Versorgungsquote (places per 100 of the target population, by the offers' district)
and the share of offers with a known capacity behind the supply figures.

Offers in EPSG:4326 indexed by ``offer_id``; travel on the EPSG:25832 network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputDataError
from geo.metrics import DEFAULT_STEPS, TOTAL, coverage, e2sfca
from geo.network import Network
from geo.plan import locate_districts
from geo.routing import Router, as_router, nearest_offer
from geo.settings import CRS_STORE
from geo.supply import (
    DEFAULT_MIN_KNOWN_SHARE,
    apply_capacity_assumption,
    bfca,
    capacity_knowledge,
    versorgungsquote,
)

__all__ = [
    "PlannedOffer",
    "Scenario",
    "ScenarioComparison",
    "apply_scenario",
    "compare_scenarios",
    "scaled_steps",
]


@dataclass(frozen=True)
class PlannedOffer:
    """A planned new offer (EPSG:4326 point)."""

    offer_id: str
    lon: float
    lat: float
    capacity: float | None = None
    label: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named planning variant with its settings.

    Attributes
    ----------
    name : str
        Unique per region.
    category : str
        Category or group key the scenario is about.
    mode : str
        Network mode.
    minutes : float
        Threshold as the planner set it.
    threshold_min : float
        The same in network minutes (walking-speed profile applied).
    add : tuple of PlannedOffer
    remove : tuple of str
        Offer ids closed.
    capacity : tuple of (str, float)
        Capacity changes of existing offers (``offer_id``, places).
    capacity_rule : str
        How unknown capacities enter supply figures (:func:`geo.supply.apply_capacity_assumption`).
    capacity_value : float or None
        The assumed places with ``capacity_rule="value"``.
    need : str or None
        Need weighting used (``"census"``, ``"district_index"``) or None.
    note : str
        Free text of the planner.
    """

    name: str
    category: str
    mode: str
    minutes: float
    threshold_min: float
    add: tuple[PlannedOffer, ...] = ()
    remove: tuple[str, ...] = ()
    capacity: tuple[tuple[str, float], ...] = ()
    capacity_rule: str = "exclude"
    capacity_value: float | None = None
    need: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        data = dict(data)
        data["add"] = tuple(PlannedOffer(**a) for a in data.get("add", ()))
        data["remove"] = tuple(str(r) for r in data.get("remove", ()))
        data["capacity"] = tuple((str(k), float(v)) for k, v in data.get("capacity", ()))
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def validate(self) -> None:
        """Raise :class:`InputDataError` for an empty name, duplicate or bad values."""
        if not self.name.strip():
            raise InputDataError("a scenario needs a name.", field="name")
        if not self.threshold_min > 0:
            raise InputDataError("the threshold must be positive.", field="threshold_min")
        ids = [a.offer_id for a in self.add]
        if len(set(ids)) != len(ids):
            raise InputDataError("two planned offers share an id.", field="add")
        for a in self.add:
            if not (-180 <= a.lon <= 180 and -90 <= a.lat <= 90):
                raise InputDataError(
                    f"planned offer {a.offer_id!r} has no valid point.", field="add"
                )
            if a.capacity is not None and not a.capacity > 0:
                raise InputDataError(
                    f"planned offer {a.offer_id!r}: capacity must be > 0.", field="capacity"
                )
        for oid, places in self.capacity:
            if not places >= 0:
                raise InputDataError(f"capacity of {oid!r} must be >= 0.", field="capacity")


def apply_scenario(offers: gpd.GeoDataFrame, scenario: Scenario) -> gpd.GeoDataFrame:
    """The offer table with the scenario's removals, capacity changes and additions.

    Raises
    ------
    InputDataError
        A removed or changed id is not in ``offers``, or an added id already is.
    """
    scenario.validate()
    missing = [
        r for r in (*scenario.remove, *(k for k, _ in scenario.capacity)) if r not in offers.index
    ]
    if missing:
        raise InputDataError(
            f"scenario {scenario.name!r} names unknown offer id(s) {missing!r}.",
            field="offer_id",
            hint="The offer may have been deleted since the scenario was saved; edit the scenario.",
        )
    out = offers.drop(index=list(scenario.remove)).copy()
    if out.crs is not None and not out.crs.equals(CRS_STORE):
        out = out.to_crs(CRS_STORE)
    if "capacity" not in out.columns:
        out["capacity"] = np.nan
    out["capacity"] = pd.to_numeric(out["capacity"], errors="coerce").astype(float)
    for oid, places in scenario.capacity:
        if oid in out.index:
            out.loc[oid, "capacity"] = float(places)
    if scenario.add:
        dup = [a.offer_id for a in scenario.add if a.offer_id in offers.index]
        if dup:
            raise InputDataError(f"planned offer id(s) {dup!r} already exist.", field="offer_id")
        new = gpd.GeoDataFrame(
            {
                "name": [a.label for a in scenario.add],
                "category": scenario.category,
                "capacity": [
                    np.nan if a.capacity is None else float(a.capacity) for a in scenario.add
                ],
                "provider": "",
                "planned": True,
            },
            geometry=gpd.points_from_xy(
                [a.lon for a in scenario.add], [a.lat for a in scenario.add]
            ),
            index=pd.Index([a.offer_id for a in scenario.add], name=offers.index.name),
            crs=CRS_STORE,
        )
        out = gpd.GeoDataFrame(pd.concat([out, new]), geometry="geometry", crs=CRS_STORE)
    out["planned"] = out.get("planned", pd.Series(False, index=out.index)).fillna(False)
    return out


def scaled_steps(
    threshold_min: float, steps: Sequence[tuple[float, float]] = DEFAULT_STEPS
) -> tuple[tuple[float, float], ...]:
    """E2SFCA steps with their bounds scaled so that the catchment equals the threshold."""
    top = max(b for b, _ in steps)
    return tuple((b * threshold_min / top, w) for b, w in steps)


@dataclass(frozen=True, eq=False)
class ScenarioComparison:
    """Scenarios side by side.

    Attributes
    ----------
    totals : DataFrame
        Index scenario name: ``offers``, ``population``, ``covered``, ``share``,
        ``gap_population``, ``e2sfca`` (places per person), ``bfca`` (balanced FCA,
        places per person; district totals add up to the places), ``quote`` (places per 100),
        ``places``, ``capacity_known_share``, ``supply_sufficient``,
        ``capacity_rule``, ``assumed_places``, ``catchment_min``.
    districts : DataFrame
        Long table, one row per scenario and district (``"__total__"`` included):
        ``scenario``, ``district_id``, ``name``, ``population``, ``covered``,
        ``share``, ``gap_population``, ``e2sfca``, ``bfca``, ``quote``.
    """

    totals: pd.DataFrame
    districts: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


def compare_scenarios(
    net: Network | Router,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    scenarios: Sequence[Scenario],
    *,
    pop_columns: str | Sequence[str],
    weights: pd.Series | None = None,
    min_known_share: float = DEFAULT_MIN_KNOWN_SHARE,
) -> ScenarioComparison:
    """Coverage, gap population, E2SFCA and Versorgungsquote for each scenario.

    Parameters
    ----------
    net : Network or Router
        The scenarios' mode network (all scenarios must share mode and threshold
        for a fair comparison; otherwise each uses its own threshold, recorded).
    offers : GeoDataFrame
        The current offers of the kind (EPSG:4326).
    cells, districts : DataFrame
        ``region.cells`` and ``region.districts``.
    scenarios : sequence of Scenario
        Two or more (a scenario without changes is the current state).
    pop_columns : str or sequence of str
        Target population columns.
    weights : Series, optional
        Need weight per cell (:mod:`geo.need`): demand = population x weight.
    min_known_share : float
        Supply figures below this share of known capacities are flagged.

    Returns
    -------
    ScenarioComparison
    """
    if len({s.name for s in scenarios}) != len(scenarios):
        raise InputDataError("scenario names must differ.", field="name")
    router = as_router(net)
    cells_used = cells
    columns: str | Sequence[str] = pop_columns
    if weights is not None:
        from geo.metrics import target_population

        cells_used = cells.copy()
        cells_used["demand_weighted"] = target_population(cells, pop_columns) * weights.reindex(
            cells.index
        ).astype(float)
        columns = "demand_weighted"
    base_district = locate_districts(offers.geometry, districts)
    totals, rows = [], []
    for sc in scenarios:
        frame = apply_scenario(offers, sc)
        near = nearest_offer(router, frame, cells=cells_used)
        cov = coverage(
            cells_used, districts, near, threshold_min=sc.threshold_min, pop_columns=columns
        )
        supplied, know = apply_capacity_assumption(
            frame,
            rule=sc.capacity_rule,  # type: ignore[arg-type]
            value=sc.capacity_value,
            min_share=min_known_share,
        )
        steps = scaled_steps(sc.threshold_min)
        fca = e2sfca(
            router, supplied, cells_used, pop_columns=columns, steps=steps, districts=districts
        )
        balanced = bfca(
            router,
            supplied,
            cells_used,
            pop_columns=columns,
            catchment_min=sc.threshold_min,
            districts=districts,
        ).districts
        new_ids = frame.index[frame["planned"].astype(bool)]
        district_of = base_district.reindex(frame.index)
        if len(new_ids):
            district_of.loc[new_ids] = locate_districts(frame.geometry[new_ids], districts)
        quote = versorgungsquote(
            supplied.assign(district_id=district_of.reindex(supplied.index)),
            cells_used,
            districts,
            pop_columns=columns,
        )
        table = pd.DataFrame(index=cov.index)
        table["name"] = cov["name"]
        table["population"] = cov["population"]
        table["covered"] = cov["covered"]
        table["share"] = cov["share"]
        table["gap_population"] = cov["population"] - cov["covered"]
        table["e2sfca"] = fca.districts["access"].reindex(table.index)
        table["quote"] = quote["quote"].reindex(table.index)
        table["bfca"] = balanced["access"].reindex(table.index)
        rows.append(table.reset_index().assign(scenario=sc.name))
        known = capacity_knowledge(frame, min_share=min_known_share)
        totals.append(
            {
                "scenario": sc.name,
                "offers": len(frame),
                "population": float(cov.loc[TOTAL, "population"]),
                "covered": float(cov.loc[TOTAL, "covered"]),
                "share": float(cov.loc[TOTAL, "share"]),
                "gap_population": float(table.loc[TOTAL, "gap_population"]),
                "e2sfca": float(table.loc[TOTAL, "e2sfca"]),
                "quote": float(quote.loc[TOTAL, "quote"]),
                "bfca": float(table.loc[TOTAL, "bfca"]),
                "places": float(quote.loc[TOTAL, "places"]),
                "capacity_known_share": known.share_known,
                "supply_sufficient": known.sufficient,
                "capacity_rule": know.assumption,
                "assumed_places": know.assumed_places,
                "catchment_min": float(sc.threshold_min),
                "added": len(sc.add),
                "removed": len(sc.remove),
            }
        )
    long = pd.concat(rows, ignore_index=True)
    long = long[
        [
            "scenario",
            "district_id",
            "name",
            "population",
            "covered",
            "share",
            "gap_population",
            "e2sfca",
            "bfca",
            "quote",
        ]
    ]
    return ScenarioComparison(
        totals=pd.DataFrame(totals).set_index("scenario"),
        districts=long,
        settings={"weighted": weights is not None, "min_known_share": min_known_share},
    )
