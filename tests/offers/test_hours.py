"""Opening hours: the common OSM syntax, holidays, past midnight, unknown never crashes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.hours import german_public_holidays, open_status, parse_opening_hours

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


@pytest.mark.parametrize(
    ("year", "easter_monday"), [(2024, dt.date(2024, 4, 1)), (2026, dt.date(2026, 4, 6))]
)
def test_holidays(year: int, easter_monday: dt.date) -> None:
    days = german_public_holidays(year)
    assert easter_monday in days and dt.date(year, 10, 3) in days and len(days) == 9


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
