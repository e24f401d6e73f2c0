"""The indicator model: what an indicator is, what a value is, and how rates aggregate.

An :class:`Indicator` has a key, German and English labels, a unit, a definition, a
domain (one of :data:`DOMAINS`), a polarity and a source. A rate also names its
numerator and denominator indicators and its scale (100 for %, 1000 for "je 1.000").

A value is ``(level, area_key, indicator, period, value, status, import_id, note)``:

- ``level``: ``"district"`` (Stadtteil/Ortsteil), ``"bezirk"`` (a finer second level),
  ``"region"`` (the whole region) or ``"unassigned"`` (counted by the source but not
  assignable to a district; it belongs to the region sum, never to a district);
- ``period``: a year (``"2022"``) or an ISO date (``"2022-06-30"``);
- ``status``: one of :data:`STATUSES`; a suppressed or missing value has no number.

Aggregation rule (:func:`aggregate`): counts add up; a rate over several areas is
Σ numerator ÷ Σ denominator × scale, never the mean of the areas' rates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import pandas as pd

from geo.errors import MonitorStoreError
from geo.settings import Paths

#: The nine domains of a Bildungsbericht, in report order.
DOMAINS: tuple[str, ...] = (
    "Demografie",
    "Soziale Lage",
    "Frühkindliche Bildung",
    "Allgemeinbildende Schulen",
    "Berufliche Bildung",
    "Weiterbildung und lebenslanges Lernen",
    "Non-formale Lernorte",
    "Bildungsberatung",
    "Erreichbarkeit und Versorgung",
)
#: English names of :data:`DOMAINS` (same order).
DOMAINS_EN: dict[str, str] = dict(
    zip(
        DOMAINS,
        (
            "Demography",
            "Social situation",
            "Early childhood education",
            "General schools",
            "Vocational education",
            "Further education and lifelong learning",
            "Non-formal places of learning",
            "Education guidance",
            "Accessibility and provision",
        ),
        strict=True,
    )
)
#: ``higher_better``, ``higher_worse`` or ``neutral``.
POLARITIES: tuple[str, ...] = ("higher_better", "higher_worse", "neutral")
#: A value's status. Only ``measured`` and ``estimated`` carry a number.
STATUSES: tuple[str, ...] = ("measured", "suppressed", "estimated", "missing")
#: Area levels, coarse to fine, plus values the source could not assign.
LEVELS: tuple[str, ...] = ("region", "district", "bezirk", "unassigned")
#: Units and the scale a rate of that unit is expressed in (numerator/denominator × scale).
UNITS: dict[str, float | None] = {
    "Anzahl": None,
    "%": 100.0,
    "je 100": 100.0,
    "je 1.000": 1000.0,
    "Minuten": None,
    "Jahre": None,
    "Index": None,
    "Euro": None,
}
#: Units whose values are counts: they add up over areas and are never negative.
COUNT_UNITS: frozenset[str] = frozenset({"Anzahl"})

#: The columns of the long export (``python -m monitor export``), in this order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "area_key",
    "area_name",
    "level",
    "indicator",
    "period",
    "value",
    "status",
    "unit",
)
#: :func:`monitor.store.values_frame` adds these after :data:`EXPORT_COLUMNS`.
META_COLUMNS: tuple[str, ...] = (
    "label_de",
    "label_en",
    "domain",
    "polarity",
    "note",
    "source",
    "import_id",
)


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    Attributes
    ----------
    key : str
        Stable ASCII key (``residents``, ``births.birth_rate``).
    label_de, label_en : str
        Display labels (``label_en`` may repeat the German one where the source has none).
    unit : str
        A key of :data:`UNITS`.
    definition : str
        In words: what is counted, reference date, caveats.
    domain : str
        One of :data:`DOMAINS`.
    polarity : str
        One of :data:`POLARITIES`.
    source : str
        Who publishes it (and the file it came from).
    numerator, denominator : str
        For rates: the keys of the indicators that make it up (``""`` if unknown);
        then it aggregates as Σ numerator ÷ Σ denominator × :attr:`scale`.
    formula : str
        For derived indicators: the formula over other keys (see :mod:`monitor.derived`).
    label_da : str
        Danish label where the source has one (Flensburg).
    """

    key: str
    label_de: str
    label_en: str = ""
    unit: str = "Anzahl"
    definition: str = ""
    domain: str = "Demografie"
    polarity: str = "neutral"
    source: str = ""
    numerator: str = ""
    denominator: str = ""
    formula: str = ""
    label_da: str = ""
    data_date: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.key or not self.key.strip():
            raise MonitorStoreError("an indicator needs a key.")
        if self.unit not in UNITS:
            raise MonitorStoreError(
                f"indicator {self.key!r}: unknown unit {self.unit!r}; use one of "
                f"{', '.join(UNITS)}."
            )
        if self.domain not in DOMAINS:
            raise MonitorStoreError(
                f"indicator {self.key!r}: unknown domain {self.domain!r}; use one of "
                f"{', '.join(DOMAINS)}."
            )
        if self.polarity not in POLARITIES:
            raise MonitorStoreError(
                f"indicator {self.key!r}: unknown polarity {self.polarity!r}; use one of "
                f"{', '.join(POLARITIES)}."
            )
        if bool(self.numerator) != bool(self.denominator):
            raise MonitorStoreError(
                f"indicator {self.key!r}: a rate names both its numerator and its denominator."
            )

    @property
    def is_rate(self) -> bool:
        """True when numerator and denominator are known (aggregates as a ratio)."""
        return bool(self.numerator and self.denominator)

    @property
    def is_count(self) -> bool:
        return self.unit in COUNT_UNITS

    @property
    def scale(self) -> float:
        """Multiplier of numerator ÷ denominator (100 for %, 1000 for je 1.000)."""
        return UNITS[self.unit] or 1.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Indicator:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_changes(self, **changes: Any) -> Indicator:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Value:
    """One stored value; ``value`` is None unless the status is measured or estimated."""

    level: str
    area_key: str
    indicator: str
    period: str
    value: float | None
    status: str = "measured"
    import_id: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise MonitorStoreError(f"unknown area level {self.level!r}; use one of {LEVELS}.")
        if self.status not in STATUSES:
            raise MonitorStoreError(f"unknown status {self.status!r}; use one of {STATUSES}.")
        has_number = self.value is not None and not math.isnan(self.value)
        if has_number != (self.status in ("measured", "estimated")):
            raise MonitorStoreError(
                f"{self.indicator} {self.area_key} {self.period}: status {self.status!r} "
                f"{'cannot carry' if has_number else 'needs'} a number."
            )

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.level, self.area_key, self.indicator, self.period)


@dataclass(frozen=True)
class Aggregate:
    """A value aggregated over several areas.

    ``value`` is NaN when it cannot be formed; ``reason`` then says why
    (``"rate without numerator and denominator"``, ``"suppressed or missing parts"``).
    ``areas`` is the number of areas that went in; ``parts`` the sums used.
    """

    value: float
    method: str
    areas: int
    parts: Mapping[str, float]
    reason: str = ""


def _sum_known(values: Sequence[float | None]) -> tuple[float, int]:
    known = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return math.fsum(known), len(values) - len(known)


def aggregate(
    indicator: Indicator,
    values: Mapping[str, float | None],
    *,
    numerators: Mapping[str, float | None] | None = None,
    denominators: Mapping[str, float | None] | None = None,
) -> Aggregate:
    """The indicator over several areas (a group of districts, or the whole region).

    Parameters
    ----------
    indicator : Indicator
        What is aggregated.
    values : mapping area key -> value
        The areas' values (None/NaN = suppressed or missing).
    numerators, denominators : mapping area key -> value, optional
        For a rate: the areas' numerator and denominator values (same keys).

    Returns
    -------
    Aggregate
        Counts: the sum (NaN if any part is suppressed or missing, since the sum would
        be too low). Rates: Σ numerator ÷ Σ denominator × scale over the areas, never
        the mean of the rates; NaN if a part is unknown or the denominator sums to 0.
        Other values (a mean age, a rate without its parts): NaN with the reason.
    """
    keys = list(values)
    if indicator.is_count:
        total, unknown = _sum_known([values[k] for k in keys])
        if unknown:
            return Aggregate(
                math.nan, "sum", len(keys), {"sum": total}, "suppressed or missing parts"
            )
        return Aggregate(total, "sum", len(keys), {"sum": total})
    if indicator.is_rate and numerators is not None and denominators is not None:
        num, un = _sum_known([numerators.get(k) for k in keys])
        den, ud = _sum_known([denominators.get(k) for k in keys])
        parts = {"numerator": num, "denominator": den}
        if un or ud:
            return Aggregate(math.nan, "ratio", len(keys), parts, "suppressed or missing parts")
        if den == 0:
            return Aggregate(math.nan, "ratio", len(keys), parts, "denominator is 0")
        return Aggregate(num / den * indicator.scale, "ratio", len(keys), parts)
    return Aggregate(
        math.nan,
        "none",
        len(keys),
        {},
        "rate without numerator and denominator" if not indicator.is_count else "",
    )


def aggregate_frame(
    indicator: Indicator, frame: pd.DataFrame, *, groups: Mapping[str, Iterable[str]]
) -> pd.Series:
    """:func:`aggregate` for several groups of areas at once, for every period.

    Parameters
    ----------
    indicator : Indicator
    frame : DataFrame
        Long values (:func:`monitor.store.values_frame` columns) of the indicator and,
        for a rate, of its numerator and denominator.
    groups : mapping group name -> area keys
        E.g. ``{"Nord": ["01", "02"]}``.

    Returns
    -------
    Series
        MultiIndex ``(group, period)``.
    """
    out: dict[tuple[str, str], float] = {}

    def per_area(key: str, period: str, areas: list[str]) -> dict[str, float | None]:
        sub = frame[(frame["indicator"] == key) & (frame["period"] == period)]
        got = dict(zip(sub["area_key"], sub["value"], strict=True))
        return {a: got.get(a) for a in areas}

    periods = sorted(frame.loc[frame["indicator"] == indicator.key, "period"].unique())
    if indicator.is_rate:
        periods = sorted(
            set(frame.loc[frame["indicator"] == indicator.numerator, "period"])
            & set(frame.loc[frame["indicator"] == indicator.denominator, "period"])
        )
    for name, areas in groups.items():
        area_list = list(areas)
        for period in periods:
            kw: dict[str, Any] = {}
            if indicator.is_rate:
                kw = {
                    "numerators": per_area(indicator.numerator, period, area_list),
                    "denominators": per_area(indicator.denominator, period, area_list),
                }
            agg = aggregate(indicator, per_area(indicator.key, period, area_list), **kw)
            out[(name, period)] = agg.value
    index = pd.MultiIndex.from_tuples(list(out), names=["group", "period"])
    return pd.Series(list(out.values()), index=index, dtype=float, name=indicator.key)


def indicators(slug: str, *, paths: Paths | None = None) -> list[Indicator]:
    """Every indicator known in the region's store, sorted by domain order, then key."""
    from monitor.store import MonitorStore

    return MonitorStore(slug, paths=paths).indicators()
