"""A small parser for the common subset of the OSM ``opening_hours`` syntax.

Supported: ``24/7``; rules separated by ``;`` (a later rule replaces earlier ones on
the days it names) or by ``,`` after a time (an additional rule that adds times);
weekday selectors ``Mo Tu We Th Fr Sa Su`` as lists and ranges (also wrapping,
``Fr-Mo``); ``PH`` (German nationwide public holidays) in selectors; time spans
``HH:MM-HH:MM`` (also past midnight, ``22:00-02:00`` or ``18:00-26:00``); ``off`` and
``closed``; a bare time span without days (every day).

Everything else (months, weeks, dates, ``sunrise``, comments, ``SH``, open ends ``+``)
gives *unknown*: :func:`open_status` returns ``"unknown"`` and never raises. The PyPI
alternatives for Python are unmaintained, so this stays small and tested.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

DAYS: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_INDEX = {d: i for i, d in enumerate(DAYS)}
_MINUTES_PER_DAY = 24 * 60

Interval = tuple[int, int]  # minutes since the day's midnight, end may exceed 1440

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAY_RE = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")
# An additional rule starts after a time with ", " and a day or PH selector.
_ADDITIONAL_RE = re.compile(r"(?<=\d),\s*(?=(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)\b)")


@dataclass(frozen=True)
class OpeningHours:
    """Parsed weekly hours.

    Attributes
    ----------
    week : tuple of 7 tuples of (start, end) minute intervals
        Monday first; ``end`` may exceed 1440 (open past midnight).
    holiday : tuple of intervals or None
        Hours on public holidays; ``None`` means "as on that weekday".
    """

    week: tuple[tuple[Interval, ...], ...]
    holiday: tuple[Interval, ...] | None

    def is_open(self, at: dt.datetime) -> bool:
        """Whether it is open at the local wall-clock time ``at``."""
        minute = at.hour * 60 + at.minute
        today = at.date()
        yesterday = today - dt.timedelta(days=1)
        if any(s <= minute < e for s, e in self._day(today)):
            return True
        return any(s <= minute + _MINUTES_PER_DAY < e for s, e in self._day(yesterday))

    def _day(self, day: dt.date) -> tuple[Interval, ...]:
        if self.holiday is not None and day in german_public_holidays(day.year):
            return self.holiday
        return self.week[day.weekday()]


class _Unknown(Exception):
    pass


def _easter(year: int) -> dt.date:
    # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def german_public_holidays(year: int) -> frozenset[dt.date]:
    """The nationwide public holidays in Germany (state-only holidays are not included)."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (10, 3), (12, 25), (12, 26)]
    moving = [-2, 1, 39, 50]  # Karfreitag, Ostermontag, Himmelfahrt, Pfingstmontag
    return frozenset(
        [dt.date(year, m, d) for m, d in fixed] + [easter + dt.timedelta(days=n) for n in moving]
    )


def _parse_days(selector: str) -> tuple[set[int], bool]:
    days: set[int] = set()
    holiday = False
    for part in selector.split(","):
        part = part.strip()
        if part == "PH":
            holiday = True
            continue
        m = _DAY_RE.match(part)
        if not m:
            raise _Unknown(part)
        start = _DAY_INDEX[m.group(1)]
        end = _DAY_INDEX[m.group(2)] if m.group(2) else start
        span = (end - start) % 7
        days.update((start + i) % 7 for i in range(span + 1))
    return days, holiday


def _parse_times(text: str) -> tuple[Interval, ...]:
    spans = []
    for part in text.split(","):
        m = _TIME_RE.match(part.strip())
        if not m:
            raise _Unknown(part)
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 24 or h2 > 48 or m1 > 59 or m2 > 59:
            raise _Unknown(part)
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            end += _MINUTES_PER_DAY  # past midnight
        spans.append((start, end))
    return tuple(spans)


def _parse_rule(rule: str) -> tuple[set[int], bool, tuple[Interval, ...]]:
    """Split one rule into (weekdays, applies to PH, intervals)."""
    rule = rule.strip()
    lower = rule.lower()
    selector, times = rule, ""
    for off in ("off", "closed"):
        if lower.endswith(" " + off) or lower == off:
            selector, times = rule[: -len(off)].strip(), off
            break
    else:
        m = re.match(r"^(.*?)(\d{1,2}:\d{2}-.*)$", rule)
        if not m:
            raise _Unknown(rule)
        selector, times = m.group(1).strip(), m.group(2).strip()
    if selector:
        days, holiday = _parse_days(selector)
    else:
        days, holiday = set(range(7)), False
    spans = () if times in ("off", "closed") else _parse_times(times)
    return days, holiday, spans


def parse_opening_hours(text: str | None) -> OpeningHours | None:
    """Parse an OSM ``opening_hours`` value.

    Parameters
    ----------
    text : str or None
        For example ``"Mo-Fr 07:30-16:30; Sa 09:00-12:00; PH off"``.

    Returns
    -------
    OpeningHours or None
        ``None`` when the value is empty or uses syntax outside the supported subset.
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    if text == "24/7":
        full = ((0, _MINUTES_PER_DAY),)
        return OpeningHours(week=(full,) * 7, holiday=None)
    week: list[list[Interval]] = [[] for _ in range(7)]
    holiday: list[Interval] | None = None
    try:
        for block in text.split(";"):
            if not block.strip():
                continue
            for n, rule in enumerate(_ADDITIONAL_RE.split(block)):
                days, on_holiday, spans = _parse_rule(rule)
                additional = n > 0
                if on_holiday:
                    holiday = [*(holiday or []), *spans] if additional else list(spans)
                for d in days:
                    week[d] = [*week[d], *spans] if additional else list(spans)
    except _Unknown:
        return None
    return OpeningHours(
        week=tuple(tuple(sorted(d)) for d in week),
        holiday=None if holiday is None else tuple(sorted(holiday)),
    )


def open_status(text: str | None, at: dt.datetime) -> Literal["open", "closed", "unknown"]:
    """``"open"``, ``"closed"`` or ``"unknown"`` (empty or unsupported syntax) at ``at``.

    ``at`` is local wall-clock time (Europe/Berlin); a timezone-aware value is used
    as its wall-clock reading.
    """
    hours = parse_opening_hours(text)
    if hours is None:
        return "unknown"
    return "open" if hours.is_open(at) else "closed"
