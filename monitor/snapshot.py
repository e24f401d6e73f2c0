"""Indicators the product computes itself from its offers, and snapshots of them.

For every offer category with a target age group (a proper subset of
:data:`geo.agegroups.AGE_GROUPS`, so not libraries or family centres open to all) that
has at least one offer, per district and for the whole region (``level="region"``):

==============================  ===========  =============================================
key                             unit         what
==============================  ===========  =============================================
``<cat>.target_population``     Anzahl       target group (census cells by area share)
``<cat>.offers``                Anzahl       offers inside the district
``<cat>.places``                Anzahl       known places (capacity) of those offers
``<cat>.capacity_known``        %            share of those offers whose capacity is known
``<cat>.offers_per_1000``       je 1.000     offers ÷ target population × 1,000 (rate)
``<cat>.versorgungsquote``      je 100       places ÷ target population × 100 (rate)
``<cat>.covered_<mode>``        Anzahl       target persons within the standard time
``<cat>.coverage_<mode>``       %            covered ÷ target population × 100 (rate)
``<cat>.median_minutes_<mode>`` Minuten      population-weighted median travel time
``<cat>.e2sfca_<mode>``         je 100       E2SFCA places per 100 of the target group
==============================  ===========  =============================================

The travel indicators need the region's street networks (:mod:`geo.access`); a region
without them (Flensburg) gets only the offer counts, places and rates, and takes the
target population per district and year from an indicator in its store
(:data:`POPULATION_INDICATORS`, e.g. the Sozialatlas' children aged 0 to under 7).

The Versorgungsquote counts only known places; where some capacities are unknown its
status is ``estimated`` and the note says ``capacity_known <known>/<offers>``; where none
is known it is ``missing`` (``no_capacity_known``). A value from census age groups that
were split from coarser classes (``region.info["age_groups_estimated"]``) is ``estimated``
too. Notes are codes, not words: the views word them.

:func:`snapshot` stores the values for one date with the versions of their inputs (the
census vintage, the region's cache key and the offer store's last change id). With
``as_of`` the offer catalogue is taken as it stood at the end of that day, from the
offer store's history (:meth:`offers.store.OfferStore.state_at`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.agegroups import AGE_GROUP_BY_KEY, AGE_GROUPS
from geo.errors import MonitorStoreError
from geo.settings import MODES, Paths, get_paths
from monitor.model import Indicator, Value
from monitor.store import MonitorStore
from offers.taxonomy import CATEGORIES, Category

#: Standard travel time (minutes) per category group and mode, used for the coverage
#: share. Defaults from planning practice (IÖR Schriften 49: Kita 350–500 m on foot,
#: i.e. about 10 minutes with the way home; Grundschule 600–700 m, here 15 minutes);
#: a planner may pass others.
STANDARD_MINUTES: dict[str, dict[str, float]] = {
    "fruehe_bildung": {"walk": 10.0, "bike": 10.0, "drive": 10.0},
    "schule": {"walk": 15.0, "bike": 15.0, "drive": 15.0},
    "beruf_hochschule": {"walk": 30.0, "bike": 30.0, "drive": 30.0},
    "erwachsenenbildung": {"walk": 20.0, "bike": 20.0, "drive": 20.0},
    "kultur": {"walk": 15.0, "bike": 15.0, "drive": 15.0},
    "jugend_familie": {"walk": 15.0, "bike": 15.0, "drive": 15.0},
    "sonstige": {"walk": 15.0, "bike": 15.0, "drive": 15.0},
}
STANDARD_SOURCE = (
    "Richtwerte der Planungspraxis (IÖR Schriften 49, 2008; Orientierungswerte Grundschule)"
)
#: Category -> store indicator with the target population per district and period,
#: for regions without census cells.
POPULATION_INDICATORS: dict[str, str] = {"kita": "age_groups.age_0_to_under_7"}
_DOMAIN = "Erreichbarkeit und Versorgung"


def target_categories() -> list[Category]:
    """Categories whose target ages cover some but not all age groups."""
    every = {g.key for g in AGE_GROUPS}
    return [c for c in CATEGORIES.values() if c.target_groups and set(c.target_groups) != every]


def _indicators(
    cat: Category, *, modes: Sequence[str], standard: Mapping[str, float]
) -> list[Indicator]:
    groups = ", ".join(AGE_GROUP_BY_KEY[g].label_de for g in cat.target_groups)
    src = "Bildungslandkarte: Angebotskatalog und Zensus"
    k = cat.key
    base = dict(domain=_DOMAIN, source=src)
    out = [
        Indicator(
            f"{k}.target_population",
            f"{cat.label_de}: Zielgruppe ({groups})",
            f"{cat.label_en}: target group",
            unit="Anzahl",
            definition=f"Einwohner der Zielgruppe {groups} (Zensus-Gitter nach Flächenanteil).",
            **base,
        ),
        Indicator(
            f"{k}.offers",
            f"{cat.label_de}: Angebote",
            f"{cat.label_en}: offers",
            unit="Anzahl",
            definition="Angebote der Kategorie im Gebiet (Lage des Angebots).",
            **base,
        ),
        Indicator(
            f"{k}.places",
            f"{cat.label_de}: bekannte Plätze",
            f"{cat.label_en}: known places",
            unit="Anzahl",
            definition="Summe der bekannten Plätze (Kapazitäten) der Angebote im Gebiet.",
            **base,
        ),
        Indicator(
            f"{k}.capacity_known",
            f"{cat.label_de}: Anteil Angebote mit bekannter Platzzahl",
            f"{cat.label_en}: share of offers with known capacity",
            unit="%",
            definition="Angebote mit bekannter Platzzahl ÷ alle Angebote × 100.",
            polarity="higher_better",
            **base,
        ),
        Indicator(
            f"{k}.offers_per_1000",
            f"{cat.label_de}: Angebote je 1.000 der Zielgruppe",
            f"{cat.label_en}: offers per 1,000 of the target group",
            unit="je 1.000",
            definition="Angebote ÷ Zielgruppe × 1.000.",
            polarity="higher_better",
            numerator=f"{k}.offers",
            denominator=f"{k}.target_population",
            **base,
        ),
        Indicator(
            f"{k}.versorgungsquote",
            f"{cat.label_de}: Versorgungsquote",
            f"{cat.label_en}: provision rate",
            unit="je 100",
            definition=(
                "Bekannte Plätze ÷ Zielgruppe × 100; nur bekannte Plätze zählen, der Anteil "
                "der Angebote mit bekannter Platzzahl steht in der Anmerkung."
            ),
            polarity="higher_better",
            numerator=f"{k}.places",
            denominator=f"{k}.target_population",
            **base,
        ),
    ]
    for mode in modes:
        minutes = standard[mode]
        out += [
            Indicator(
                f"{k}.covered_{mode}",
                f"{cat.label_de}: Zielgruppe in {minutes:g} Min. ({mode})",
                f"{cat.label_en}: target group within {minutes:g} min ({mode})",
                unit="Anzahl",
                definition=f"Personen der Zielgruppe, die ein Angebot in {minutes:g} Minuten "
                f"erreichen ({mode}, Straßennetz). Richtwert: {STANDARD_SOURCE}.",
                polarity="higher_better",
                **base,
            ),
            Indicator(
                f"{k}.coverage_{mode}",
                f"{cat.label_de}: Anteil Zielgruppe in {minutes:g} Min. ({mode})",
                f"{cat.label_en}: share of target group within {minutes:g} min ({mode})",
                unit="%",
                definition=f"Zielgruppe mit Angebot in {minutes:g} Minuten ÷ Zielgruppe × 100.",
                polarity="higher_better",
                numerator=f"{k}.covered_{mode}",
                denominator=f"{k}.target_population",
                **base,
            ),
            Indicator(
                f"{k}.median_minutes_{mode}",
                f"{cat.label_de}: Median Minuten ({mode})",
                f"{cat.label_en}: median minutes ({mode})",
                unit="Minuten",
                definition="Mittlere (Median) Reisezeit der Zielgruppe zum nächsten Angebot.",
                polarity="higher_worse",
                **base,
            ),
            Indicator(
                f"{k}.e2sfca_{mode}",
                f"{cat.label_de}: Plätze je 100 (E2SFCA, {mode})",
                f"{cat.label_en}: places per 100 (E2SFCA, {mode})",
                unit="je 100",
                definition="Enhanced two-step floating catchment (Luo & Qi 2009), Stufen "
                "0–10/10–20/20–30 Min. mit 1,0/0,68/0,22; unbekannte Kapazität zählt 1.",
                polarity="higher_better",
                **base,
            ),
        ]
    return out


def offers_in_districts(offers: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.Series:
    """The district key of each offer (None outside all districts), index ``offer_id``.

    The census cells' rule (:func:`geo.districts.assign_cells_to_districts`): point in
    polygon in EPSG:25832, the first district in table order where polygons overlap.
    """
    from geo.districts import assign_cells_to_districts

    if len(offers) == 0:
        return pd.Series([], index=offers.index, dtype=object)
    tagged = assign_cells_to_districts(offers[["geometry"]], districts, None)
    return tagged["district_id"].astype(object)


def _ratio(num: float, den: float, scale: float) -> float | None:
    if not den or math.isnan(den) or math.isnan(num):
        return None
    return num / den * scale


def _v(
    level: str,
    key: str,
    ind: str,
    period: str,
    value: float | None,
    *,
    estimated: bool = False,
    note: str = "",
) -> Value:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return Value(level, key, ind, period, None, "missing", None, note or "not_computable")
    return Value(
        level, key, ind, period, float(value), "estimated" if estimated else "measured", None, note
    )


def supply_values(
    cat: Category,
    offers: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    population: Mapping[str, float],
    *,
    period: str,
    estimated: bool = False,
    population_note: str = "",
) -> list[Value]:
    """Offer counts, places, capacity share, offers per 1,000 and Versorgungsquote.

    Parameters
    ----------
    cat : Category
    offers : GeoDataFrame
        EPSG:4326 points of this category, ``capacity`` (NaN = unknown).
    districts : GeoDataFrame
        EPSG:4326 polygons indexed by district key.
    population : mapping district key -> target population
        Districts missing here get missing rates. The region total is the sum over
        the districts (only when every district has one).
    period : str
    estimated : bool
        The population is an estimate (stored as ``estimated``).
    """
    where = offers_in_districts(offers, districts)
    cap = (
        pd.to_numeric(offers.get("capacity"), errors="coerce")
        if len(offers)
        else pd.Series(dtype=float)
    )
    k = cat.key
    out: list[Value] = []
    areas = [("district", str(d)) for d in districts.index] + [("region", "region")]
    for level, key in areas:
        inside = where.notna() if level == "region" else where == key
        n = int(inside.sum())
        caps = cap[inside] if len(offers) else pd.Series(dtype=float)
        known = int(caps.notna().sum())
        places = float(caps.sum()) if known else 0.0
        if level == "region":
            pops = [population.get(str(d)) for d in districts.index]
            pop = (
                math.fsum(p for p in pops if p is not None)
                if all(p is not None and not math.isnan(p) for p in pops)
                else None
            )
        else:
            pop = population.get(key)
        out.append(_v(level, key, f"{k}.offers", period, n))
        out.append(
            _v(
                level,
                key,
                f"{k}.places",
                period,
                places,
                note=f"capacity_known {known}/{n}",
            )
        )
        share = known / n * 100 if n else None
        out.append(
            _v(level, key, f"{k}.capacity_known", period, share, note="" if n else "no_offers")
        )
        if pop is not None:
            out.append(
                _v(
                    level,
                    key,
                    f"{k}.target_population",
                    period,
                    pop,
                    estimated=estimated,
                    note=population_note,
                )
            )
        else:
            out.append(
                _v(level, key, f"{k}.target_population", period, None, note="population_unknown")
            )
        out.append(
            _v(
                level,
                key,
                f"{k}.offers_per_1000",
                period,
                _ratio(n, pop, 1000.0) if pop else None,
                estimated=estimated,
            )
        )
        if n and known == 0:
            vq = _v(level, key, f"{k}.versorgungsquote", period, None, note="no_capacity_known")
        else:
            note = f"capacity_known {known}/{n}" if n else "no_offers"
            vq = _v(
                level,
                key,
                f"{k}.versorgungsquote",
                period,
                _ratio(places, pop, 100.0) if pop else None,
                estimated=estimated or (n > 0 and known < n),
                note=note,
            )
        out.append(vq)
    return out


def travel_values(
    cat: Category,
    offers: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    networks: Mapping[str, Any],
    *,
    period: str,
    modes: Sequence[str],
    standard: Mapping[str, float],
    estimated: bool = False,
    cache: Any = None,
) -> list[Value]:
    """Coverage within the standard time, median minutes and E2SFCA per mode
    (:func:`geo.access.coverage`, :func:`geo.access.e2sfca`; EPSG:25832 networks)."""
    from geo import access
    from geo.metrics import TOTAL
    from geo.routing import as_router

    cols = [f"pop_{g}" for g in cat.target_groups]
    k = cat.key
    out: list[Value] = []
    for mode in modes:
        net = networks[mode]
        router = cache.router(net) if cache is not None else as_router(net)
        nearest = access.nearest_offer(router, offers, cells=cells, mode=mode)
        cov = access.coverage(
            cells, districts, nearest, threshold_min=standard[mode], pop_columns=cols
        )
        fca = access.e2sfca(router, offers, cells, pop_columns=cols, districts=districts, mode=mode)
        acc = fca.districts["access"] if fca.districts is not None else pd.Series(dtype=float)
        for did, row in cov.iterrows():
            level, key = ("region", "region") if did == TOTAL else ("district", str(did))
            out.append(
                _v(level, key, f"{k}.covered_{mode}", period, row["covered"], estimated=estimated)
            )
            share = row["share"] * 100 if row["population"] > 0 else None
            out.append(_v(level, key, f"{k}.coverage_{mode}", period, share, estimated=estimated))
            out.append(
                _v(
                    level,
                    key,
                    f"{k}.median_minutes_{mode}",
                    period,
                    row["median_min"],
                    estimated=estimated,
                )
            )
            a = acc.get(did, np.nan)
            out.append(
                _v(
                    level,
                    key,
                    f"{k}.e2sfca_{mode}",
                    period,
                    a * 100 if a == a else None,
                    estimated=estimated,
                )
            )
    return out


@dataclass
class ComputedIndicators:
    values: list[Value]
    indicators: list[Indicator]
    categories: list[str]
    modes: list[str]
    notes: list[str] = field(default_factory=list)


def compute_indicators(
    *,
    offers: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    period: str,
    cells: pd.DataFrame | None = None,
    networks: Mapping[str, Any] | None = None,
    population: Mapping[str, Mapping[str, float]] | None = None,
    categories: Sequence[str] | None = None,
    modes: Sequence[str] = MODES,
    standard_minutes: Mapping[str, Mapping[str, float]] | None = None,
    estimated_groups: Sequence[str] = (),
    cache: Any = None,
) -> ComputedIndicators:
    """All computed indicators for one catalogue (pure; nothing is stored).

    Parameters
    ----------
    offers : GeoDataFrame
        The catalogue (EPSG:4326 points, ``category``, ``capacity``).
    districts : GeoDataFrame
        EPSG:4326 polygons indexed by district key; with census population columns
        (``pop_<group>``) when ``population`` is not given.
    period : str
        The date the values are stored under.
    cells, networks : optional
        Census cells and per-mode networks; without them no travel indicators.
    population : mapping category -> (district key -> population), optional
        Target population per district (overrides the census columns).
    categories : sequence of str, optional
        Default: :func:`target_categories` that have offers.
    modes : sequence of str
    standard_minutes : mapping group -> mode -> minutes, optional
        Default :data:`STANDARD_MINUTES`.
    estimated_groups : sequence of str
        Age group keys whose census numbers are estimates.
    """
    std = {**STANDARD_MINUTES, **(standard_minutes or {})}
    cats = [CATEGORIES[c] for c in categories] if categories else target_categories()
    have = set(offers["category"]) if len(offers) else set()
    cats = [c for c in cats if c.key in have]
    travel = cells is not None and networks is not None and all(m in networks for m in modes)
    use_modes = list(modes) if travel else []
    result = ComputedIndicators([], [], [c.key for c in cats], use_modes)
    if not travel:
        result.notes.append("no_street_network")
    for cat in cats:
        chosen = offers[offers["category"] == cat.key]
        est = bool(set(cat.target_groups) & set(estimated_groups))
        if population is not None and cat.key in population:
            pop = dict(population[cat.key])
            note = "population_from " + POPULATION_INDICATORS.get(cat.key, "")
        elif population is None and all(f"pop_{g}" in districts.columns for g in cat.target_groups):
            cols = [f"pop_{g}" for g in cat.target_groups]
            pop = {
                str(k): float(v)
                for k, v in districts[cols].sum(axis=1, min_count=len(cols)).items()
            }
            note = ""
        else:
            continue
        result.values += supply_values(
            cat, chosen, districts, pop, period=period, estimated=est, population_note=note
        )
        result.indicators += _indicators(cat, modes=use_modes, standard=std[cat.group])
        if travel:
            assert cells is not None and networks is not None
            result.values += travel_values(
                cat,
                chosen,
                cells,
                districts,
                networks,
                period=period,
                modes=use_modes,
                standard=std[cat.group],
                estimated=est,
                cache=cache,
            )
    return result


@dataclass
class SnapshotResult:
    snapshot_id: int
    period: str
    inputs: dict[str, Any]
    values: int
    new: int
    updated: int
    unchanged: int
    categories: list[str]
    modes: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "snapshot_id": self.snapshot_id,
            "period": self.period,
            "values": self.values,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "categories": self.categories,
            "modes": self.modes,
            "inputs": self.inputs,
        }


def parse_day(as_of: str) -> dt.date:
    """``YYYY-MM-DD`` as a date; :class:`MonitorStoreError` otherwise."""
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError as exc:
        raise MonitorStoreError(f"--as-of {as_of!r} is not a date; write YYYY-MM-DD.") from exc


def change_id_at(store: Any, as_of: str) -> int:
    """The offer store's last change id at the end of day ``as_of`` (YYYY-MM-DD)."""
    day = parse_day(as_of)
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC).isoformat(timespec="seconds")
    with closing(store._connect()) as conn:
        row = conn.execute("SELECT MAX(change_id) FROM history WHERE ts <= ?", (end,)).fetchone()
    return int(row[0] or 0)


def _census_vintage(region: Any) -> str:
    files = {str(p) for p in getattr(region.manifest, "census_files", ())}
    dates = sorted({s.date for s in region.manifest.sources if str(s.path) in files and s.date})
    return ", ".join(dates)


def population_from_store(
    store: MonitorStore, *, categories: Sequence[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Target population per period and district for ``categories`` from the
    indicators in :data:`POPULATION_INDICATORS`: ``{period: {category: {district: n}}}``.
    """
    out: dict[str, dict[str, dict[str, float]]] = {}
    for cat in categories:
        key = POPULATION_INDICATORS.get(cat)
        if key is None:
            continue
        vals = store.values(indicator=key)
        vals = vals[(vals["level"] == "district") & vals["value"].notna()]
        for period, sub in vals.groupby("period", sort=True):
            out.setdefault(str(period), {})[cat] = dict(
                zip(sub["area_key"], sub["value"].astype(float), strict=True)
            )
    return out


def snapshot(
    slug: str,
    *,
    as_of: str | None = None,
    paths: Paths | None = None,
    user: str = "system",
    modes: Sequence[str] = MODES,
    categories: Sequence[str] | None = None,
    region: Any = None,
) -> SnapshotResult:
    """Compute the offer indicators of a region and store them under one date.

    Parameters
    ----------
    slug : str
    as_of : str, optional
        ``YYYY-MM-DD``: use the offer catalogue as it stood at the end of that day
        (from the offer store's history) and store the values under that date;
        default today (UTC) and the current catalogue.
    paths : Paths, optional
    user : str
    modes, categories : optional
        Restrict the computation.
    region : Region, optional
        The loaded region (default: :func:`geo.build.load_region` of ``slug``).
    """
    from geo.build import load_region
    from offers.catalogue import ensure_seeded
    from offers.store import OfferStore

    paths = paths or get_paths()
    if as_of is not None:
        parse_day(as_of)  # a bad date fails before the region is loaded
    if region is None:
        region = load_region(slug, paths=paths)
    ensure_seeded(region, paths=paths)
    ostore = OfferStore(slug, paths=paths)
    if as_of is None:
        period = dt.datetime.now(dt.UTC).date().isoformat()
        change_id = ostore_last_change(ostore)
        offers = ostore.offers()
    else:
        period = parse_day(as_of).isoformat()
        change_id = change_id_at(ostore, period)
        offers = ostore.state_at(change_id)
    mstore = MonitorStore(slug, paths=paths)
    has_net = bool(region.networks) and all(m in region.networks for m in modes)
    estimated = tuple(region.info.get("age_groups_estimated", {}) or ())
    if has_net and len(region.cells):
        computed = compute_indicators(
            offers=offers,
            districts=region.districts,
            period=period,
            cells=region.cells,
            networks=region.networks,
            categories=categories,
            modes=modes,
            estimated_groups=estimated,
        )
    else:
        # no street network or census cells (Flensburg): the target population comes
        # per year from the store (Sozialatlas); today's catalogue against each year
        computed = ComputedIndicators([], [], [], [], ["no_street_network"])
        pops = population_from_store(mstore, categories=list(POPULATION_INDICATORS))
        for year, population in pops.items():
            part = compute_indicators(
                offers=offers,
                districts=region.districts,
                period=year,
                population=population,
                categories=categories or list(population),
            )
            computed.values += part.values
            computed.indicators = part.indicators or computed.indicators
            computed.categories = sorted(set(computed.categories) | set(part.categories))
    inputs = {
        "census_vintage": _census_vintage(region),
        "region_cache_key": region.info.get("cache_key", ""),
        "offer_change_id": change_id,
        "as_of": as_of or "",
        "categories": computed.categories,
        "modes": computed.modes,
        "notes": computed.notes,
    }
    areas = [("district", str(k), str(n)) for k, n in region.districts["name"].items()]
    areas.append(("region", "region", region.name))
    snapshot_id, counts = mstore.write_snapshot(
        computed.values,
        indicators=computed.indicators,
        areas=areas,
        period=period,
        inputs=inputs,
        user=user,
    )
    return SnapshotResult(
        snapshot_id,
        period,
        inputs,
        len(computed.values),
        counts.new,
        counts.updated,
        counts.unchanged,
        computed.categories,
        computed.modes,
    )


def ostore_last_change(store: Any) -> int:
    """The offer store's last change id (0 when empty)."""
    with closing(store._connect()) as conn:
        row = conn.execute("SELECT MAX(change_id) FROM history").fetchone()
    return int(row[0] or 0)
