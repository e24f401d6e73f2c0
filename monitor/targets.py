"""Targets and their status: erreicht, auf Kurs, gefährdet, verfehlt.

A :class:`Target` sets, for one indicator and the whole region or one district, a
value, a direction (``at_least``: higher is the goal; ``at_most``: lower), a baseline
year, a deadline year and a note ("Ratsbeschluss vom …").

The rule (:func:`target_status`), from the latest value with a number and the trend:

1. **erreicht** (``erreicht``): the latest value already meets the target.
2. **verfehlt** (``verfehlt``): it does not, and the latest period is in or after the
   deadline year.
3. Otherwise the trend is the least-squares slope per year over the last up to
   :data:`TREND_PERIODS` periods with a number (years as decimals, so dates count by
   their position in the year); the expected value at the deadline is
   ``latest + slope × (deadline year − latest year)``.
   **auf Kurs** (``auf_kurs``) when the expected value meets the target, else
   **gefährdet** (``gefaehrdet``). With a single period there is no trend: gefährdet.

The result carries the reasons as fields (latest period and value, target, deadline,
slope per year, expected value, periods used), so a view can write "2022: 38,1 %,
Ziel 45 % bis 2026; Trend +0,9 Punkte/Jahr → 41,7 % erwartet: gefährdet".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import MonitorStoreError

TREND_PERIODS = 5
DIRECTIONS: tuple[str, ...] = ("at_least", "at_most")
STATUS_CODES: tuple[str, ...] = ("erreicht", "auf_kurs", "gefaehrdet", "verfehlt")


@dataclass(frozen=True)
class Target:
    """A target for ``indicator`` at ``level``/``area_key`` (``"region"``/``"region"``
    for the whole region)."""

    indicator: str
    value: float
    direction: str
    baseline_year: int
    deadline_year: int
    level: str = "region"
    area_key: str = "region"
    note: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise MonitorStoreError(
                f"target direction {self.direction!r}: use 'at_least' (reach at least the "
                "value) or 'at_most' (stay at or below it)."
            )
        if self.deadline_year < self.baseline_year:
            raise MonitorStoreError(
                f"target for {self.indicator}: the deadline {self.deadline_year} lies before "
                f"the baseline year {self.baseline_year}."
            )
        if not math.isfinite(self.value):
            raise MonitorStoreError(f"target for {self.indicator}: the value must be a number.")

    def meets(self, value: float) -> bool:
        return value >= self.value if self.direction == "at_least" else value <= self.value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class TargetStatus:
    """The status of one target with the reasons as fields (no words)."""

    status: str
    indicator: str
    level: str
    area_key: str
    target_value: float
    direction: str
    deadline_year: int
    baseline_year: int
    latest_period: str | None
    latest_value: float | None
    baseline_value: float | None
    slope_per_year: float | None
    expected_value: float | None
    periods_used: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def period_year(period: str) -> float:
    """``"2022"`` -> 2022.0; ``"2022-07-02"`` -> 2022.5 (position in the year)."""
    if len(period) == 4:
        return float(period)
    d = dt.date.fromisoformat(period[:10])
    start = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def target_status(target: Target, series: pd.Series) -> TargetStatus:
    """The status of ``target`` given the area's values.

    Parameters
    ----------
    target : Target
    series : Series
        Values indexed by period (``"2021"`` or ISO dates); NaN = no number.

    Returns
    -------
    TargetStatus
        ``status`` is ``"erreicht"``, ``"auf_kurs"``, ``"gefaehrdet"``, ``"verfehlt"``,
        or ``"keine_daten"`` when the area has no value with a number.
    """
    known = series.dropna()
    known = known.iloc[np.argsort([period_year(str(p)) for p in known.index], kind="stable")]
    base = dict(
        indicator=target.indicator,
        level=target.level,
        area_key=target.area_key,
        target_value=target.value,
        direction=target.direction,
        deadline_year=target.deadline_year,
        baseline_year=target.baseline_year,
        note=target.note,
    )
    baseline = [v for p, v in known.items() if int(period_year(str(p))) == target.baseline_year]
    base_value = float(baseline[-1]) if baseline else None
    if known.empty:
        return TargetStatus("keine_daten", latest_period=None, latest_value=None,
                            baseline_value=base_value, slope_per_year=None, expected_value=None,
                            periods_used=0, **base)  # fmt: skip
    latest_p, latest_v = str(known.index[-1]), float(known.iloc[-1])
    latest_year = period_year(latest_p)
    recent = known.iloc[-TREND_PERIODS:]
    years = np.array([period_year(str(p)) for p in recent.index])
    slope = None
    if len(recent) >= 2 and np.ptp(years) > 0:
        slope = float(np.polyfit(years, recent.to_numpy(dtype=float), 1)[0])
    expected = None
    if slope is not None:
        expected = latest_v + slope * (target.deadline_year - latest_year)
    if target.meets(latest_v):
        status = "erreicht"
    elif int(latest_year) >= target.deadline_year:
        status = "verfehlt"
    elif expected is not None and target.meets(expected):
        status = "auf_kurs"
    else:
        status = "gefaehrdet"
    return TargetStatus(
        status,
        latest_period=latest_p,
        latest_value=latest_v,
        baseline_value=base_value,
        slope_per_year=slope,
        expected_value=expected,
        periods_used=len(recent),
        **base,
    )


def targets(store: Any) -> list[Target]:
    """The targets in a :class:`monitor.store.MonitorStore`."""
    return [Target.from_dict(r) for r in store.target_records()]


def statuses(store: Any) -> list[TargetStatus]:
    """The status of every stored target, from the store's values."""
    out = []
    for t in targets(store):
        vals = store.values(indicator=t.indicator)
        sub = vals[(vals["level"] == t.level) & (vals["area_key"] == t.area_key)]
        out.append(target_status(t, sub.set_index("period")["value"]))
    return out
