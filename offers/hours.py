"""A small parser for the common subset of the OSM ``opening_hours`` syntax.

Supported: ``24/7``; rules separated by ``;`` (a later rule replaces earlier ones on
the days it names) or by ``,`` after a time (an additional rule that adds times);
weekday selectors ``Mo Tu We Th Fr Sa Su`` as lists and ranges (also wrapping,
``Fr-Mo``); ``PH`` (the public holidays of the region's state, from the ``holidays``
package) in selectors; time spans
``HH:MM-HH:MM`` (also past midnight, ``22:00-02:00`` or ``18:00-26:00``); ``off`` and
``closed``; a bare time span without days (every day).

Everything else (months, weeks, dates, ``sunrise``, comments, ``SH``, open ends ``+``)
gives *unknown*: :func:`open_status` returns ``"unknown"`` and never raises. The PyPI
alternatives for Python are unmaintained, so this stays small and tested.

Times are German wall-clock times (:data:`TIMEZONE`, Europe/Berlin): a timezone-aware
``at`` is converted first, so a server clock in UTC gives the right answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

#: The wall clock opening hours are written in.
TIMEZONE = ZoneInfo("Europe/Berlin")
#: German states as region manifests name them -> ISO 3166-2 subdivision code.
STATE_CODES: dict[str, str] = {
    "Baden-Württemberg": "BW",
    "Bayern": "BY",
    "Berlin": "BE",
    "Brandenburg": "BB",
    "Bremen": "HB",
    "Hamburg": "HH",
    "Hessen": "HE",
    "Mecklenburg-Vorpommern": "MV",
    "Niedersachsen": "NI",
    "Nordrhein-Westfalen": "NW",
    "Rheinland-Pfalz": "RP",
    "Saarland": "SL",
    "Sachsen": "SN",
    "Sachsen-Anhalt": "ST",
    "Schleswig-Holstein": "SH",
    "Thüringen": "TH",
}
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

    def is_open(self, at: dt.datetime, *, state: str | None = None) -> bool:
        """Whether it is open at ``at``.

        Parameters
        ----------
        at : datetime
            Naive: a German wall-clock time; aware: converted to :data:`TIMEZONE`.
        state : str, optional
            The German state whose public holidays ``PH`` means (name as in the region
            manifest, e.g. ``"Bayern"``, or code ``"BY"``); None: nationwide ones only.
        """
        at = local_time(at)
        minute = at.hour * 60 + at.minute
        today = at.date()
        yesterday = today - dt.timedelta(days=1)
        if any(s <= minute < e for s, e in self._day(today, state)):
            return True
        return any(s <= minute + _MINUTES_PER_DAY < e for s, e in self._day(yesterday, state))

    def _day(self, day: dt.date, state: str | None) -> tuple[Interval, ...]:
        if self.holiday is not None and day in public_holidays(day.year, state=state):
            return self.holiday
        return self.week[day.weekday()]


def local_time(at: dt.datetime) -> dt.datetime:
    """``at`` as a naive German wall-clock time (aware values converted to Europe/Berlin)."""
    if at.tzinfo is None:
        return at
    return at.astimezone(TIMEZONE).replace(tzinfo=None)


def now_local() -> dt.datetime:
    """The current German wall-clock time, whatever the server's clock zone (naive)."""
    return local_time(dt.datetime.now(tz=TIMEZONE))


class _Unknown(Exception):
    pass


def state_code(state: str | None) -> str | None:
    """The ISO 3166-2 code (``"NI"``) of a German state name or code; None for no state.

    Raises
    ------
    ValueError
        For a name that is no German state (a typo in a manifest must not silently
        fall back to the nationwide holidays).
    """
    if state is None or not str(state).strip():
        return None
    text = str(state).strip()
    code = text.upper().removeprefix("DE-")
    if code in STATE_CODES.values():
        return code
    if text in STATE_CODES:
        return STATE_CODES[text]
    raise ValueError(
        f"{state!r} is no German state; use one of {', '.join(STATE_CODES)} "
        "or its code (e.g. 'NI')."
    )


def public_holidays(year: int, *, state: str | None = None) -> frozenset[dt.date]:
    """The public holidays of one year in Germany, nationwide plus those of ``state``.

    Parameters
    ----------
    year : int
    state : str, optional
        A German state's name (as in the region manifest, e.g. ``"Niedersachsen"``) or
        ISO code (``"NI"``); None: the nationwide holidays only.

    Returns
    -------
    frozenset of date
        From the ``holidays`` package (``holidays.Germany(subdiv=...)``). For Bavaria
        these are the holidays of every Bavarian municipality (Mariä Himmelfahrt, a
        holiday only in mainly Catholic ones, is not among them).
    """
    return _holiday_dates(int(year), state_code(state))


@functools.lru_cache(maxsize=64)
def _holiday_dates(year: int, subdiv: str | None) -> frozenset[dt.date]:
    # bounded memo of an immutable result: building the calendar costs about a
    # millisecond, and the open-now filter asks once per offer
    return frozenset(holidays.Germany(subdiv=subdiv, years=year))


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


def open_status(
    text: str | None, at: dt.datetime, *, state: str | None = None
) -> Literal["open", "closed", "unknown"]:
    """``"open"``, ``"closed"`` or ``"unknown"`` (empty or unsupported syntax) at ``at``.

    ``at`` naive is German wall-clock time; an aware value is converted to
    Europe/Berlin first. ``state`` picks the public holidays ``PH`` means (see
    :meth:`OpeningHours.is_open`).
    """
    hours = parse_opening_hours(text)
    if hours is None:
        return "unknown"
    return "open" if hours.is_open(at, state=state) else "closed"
