"""Opening hours: the common OSM syntax, holidays, past midnight, unknown never crashes."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.hours import open_status, parse_opening_hours, public_holidays, state_code

MON = dt.date(2026, 11, 23)  # a Monday, no holiday


def at(day_offset: int, hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(MON + dt.timedelta(days=day_offset), dt.time(h, m))


SCHOOL = "Mo-Fr 07:30-16:30; Sa 09:00-12:00; PH off"


@pytest.mark.parametrize(
    ("hours", "when", "expected"),
    [
        (SCHOOL, at(0, "07:29"), "closed"),
        (SCHOOL, at(0, "07:30"), "open"),
        (SCHOOL, at(4, "16:29"), "open"),
        (SCHOOL, at(4, "16:30"), "closed"),
        (SCHOOL, at(5, "10:00"), "open"),
        (SCHOOL, at(6, "10:00"), "closed"),
        (SCHOOL, dt.datetime(2026, 12, 25, 10, 0), "closed"),  # Friday, 1. Weihnachtstag
        ("Mo-Fr 07:30-16:30", dt.datetime(2026, 12, 25, 10, 0), "open"),  # no PH rule
        ("24/7", at(6, "03:00"), "open"),
        ("07:30-16:30", at(6, "08:00"), "open"),
        ("Fr-Mo 10:00-12:00", at(6, "11:00"), "open"),
        ("Fr-Mo 10:00-12:00", at(2, "11:00"), "closed"),
        ("Mo-Fr 09:00-12:30, Mo 14:00-16:00, Tu,Th 14:00-18:00", at(1, "17:00"), "open"),
        ("Mo-Fr 09:00-12:30, Mo 14:00-16:00, Tu,Th 14:00-18:00", at(2, "17:00"), "closed"),
        ("Mo-Fr 08:00-12:00,13:00-17:00", at(0, "12:30"), "closed"),
        ("Mo-Fr 08:00-12:00,13:00-17:00", at(0, "13:30"), "open"),
        ("Mo-Sa 08:00-18:00; We off", at(2, "10:00"), "closed"),
        ("Fr 22:00-02:00", at(5, "01:00"), "open"),  # Saturday night
        ("Fr 22:00-02:00", at(5, "02:00"), "closed"),
        ("Mo-Fr 08:00-12:00; PH 10:00-11:00", dt.datetime(2026, 4, 6, 10, 30), "open"),
        ("Jan-Mar Mo 10:00-12:00", at(0, "11:00"), "unknown"),
        ("Mo-Fr sunrise-sunset", at(0, "11:00"), "unknown"),
        ('Mo-Fr 08:00-12:00 "nach Absprache"', at(0, "11:00"), "unknown"),
        ("", at(0, "11:00"), "unknown"),
        (None, at(0, "11:00"), "unknown"),
        ("Mo-Fr 25:00-26:00", at(0, "11:00"), "unknown"),
    ],
)
def test_open_status(hours: str | None, when: dt.datetime, expected: str) -> None:
    assert open_status(hours, when) == expected


def _nationwide(year: int) -> set[dt.date]:
    """The nine nationwide holidays, the moving ones from dateutil's Easter (the oracle)."""
    e = easter(year)
    fixed = {dt.date(year, m, d) for m, d in ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26))}
    # Karfreitag, Ostermontag, Christi Himmelfahrt, Pfingstmontag
    return fixed | {e + dt.timedelta(days=n) for n in (-2, 1, 39, 50)}


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2030])
def test_holidays_nationwide_and_per_state(year: int) -> None:
    assert public_holidays(year) == _nationwide(year)
    # Wolfsburg: Niedersachsen adds Reformationstag
    assert public_holidays(year, state="Niedersachsen") == _nationwide(year) | {
        dt.date(year, 10, 31)
    }
    # Lauf: Bayern adds Heilige Drei Könige, Fronleichnam, Allerheiligen
    assert public_holidays(year, state="Bayern") == _nationwide(year) | {
        dt.date(year, 1, 6),
        easter(year) + dt.timedelta(days=60),
        dt.date(year, 11, 1),
    }


@pytest.mark.parametrize(
    ("state", "code"),
    [("Niedersachsen", "NI"), ("Bayern", "BY"), ("by", "BY"), ("DE-NI", "NI"), ("", None)],
)
def test_state_code(state: str, code: str | None) -> None:
    assert state_code(state) == code


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="'Bavaria' is no German state"):
        public_holidays(2026, state="Bavaria")


@pytest.mark.parametrize(
    ("state", "expected"), [("Bayern", "closed"), ("Niedersachsen", "open"), (None, "open")]
)
def test_ph_follows_the_regions_state(state: str | None, expected: str) -> None:
    # Tuesday 6 January 2026: a holiday in Bavaria only
    assert open_status(SCHOOL, dt.datetime(2026, 1, 6, 10, 0), state=state) == expected


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (dt.datetime(2026, 11, 24, 6, 29, tzinfo=dt.UTC), "closed"),  # 07:29 CET
        (dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC), "open"),  # 07:30 CET
        (dt.datetime(2026, 7, 1, 5, 30, tzinfo=dt.UTC), "open"),  # 07:30 CEST
        (dt.datetime(2026, 7, 1, 14, 30, tzinfo=dt.UTC), "closed"),  # 16:30 CEST
    ],
)
def test_aware_times_are_read_in_german_time(utc: dt.datetime, expected: str) -> None:
    # a server clock in UTC must not shift the opening hours by one or two hours
    assert open_status(SCHOOL, utc) == expected
    if expected == "open":  # read as a wall clock, the UTC time would still be closed
        assert open_status(SCHOOL, utc.replace(tzinfo=None)) == "closed"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet='MoTuWeFrSaSuPH0123456789:-,; /offclsd+"', max_size=40))
def test_never_crashes(text: str) -> None:
    assert open_status(text, at(0, "10:00")) in ("open", "closed", "unknown")


@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, 23 * 60), length=st.integers(1, 600), probe=st.integers(0, 24 * 60 - 1))
def test_single_span_matches_arithmetic(start: int, length: int, probe: int) -> None:
    end = start + length
    text = f"Mo-Su {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    hours = parse_opening_hours(text)
    assert hours is not None
    when = at(2, f"{probe // 60:02d}:{probe % 60:02d}")
    inside = start <= probe < end or probe + 1440 < end
    assert hours.is_open(when) == inside
