"""Number formats and safe text."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.text import (
    esc,
    format_number,
    format_percent,
    format_value,
    is_missing,
    js_json,
    safe_href,
)


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.5, "de", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567, "de", 0, "1.234.567"),
        (0.25, "de", 2, "0,25"),
        (-0.001, "de", 1, "0,0"),
        (float("nan"), "de", 0, "–"),
        (None, "en", 0, "–"),
        (pd.NA, "de", 0, "–"),
    ],
)
def test_format_number(value, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang=lang, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("share", "lang", "expected"),
    [(0.125, "de", "12,5\u00a0%"), (0.125, "en", "12.5%"), (None, "de", "–")],
)
def test_format_percent(share, lang: str, expected: str) -> None:
    assert format_percent(share, lang=lang, decimals=1) == expected


def test_format_value_units() -> None:
    assert format_value(12.0, lang="de", unit="min") == "12\u00a0min"
    assert format_value(0.5, lang="de", unit="%") == "50\u00a0%"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang must be one of"):
        format_number(1, lang="fr")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_german_integers_round_trip(value: int) -> None:
    text = format_number(value, lang="de")
    assert int(text.replace(".", "")) == value
    assert "," not in text


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_german_and_english_differ_only_in_separators(value: float, decimals: int) -> None:
    de = format_number(value, lang="de", decimals=decimals)
    en = format_number(value, lang="en", decimals=decimals)
    assert de.translate(str.maketrans(".,", ",.")) == en
    assert math.isclose(float(en.replace(",", "")), round(value, decimals), abs_tol=10**-decimals)


@given(st.text())
def test_js_json_is_inert_in_script_blocks(text: str) -> None:
    encoded = js_json(text)
    assert not set("<>&'") & set(encoded)
    assert json.loads(encoded) == text


@given(st.text())
def test_esc_leaves_no_markup(text: str) -> None:
    out = esc(text)
    assert "<" not in out and ">" not in out and '"' not in out


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.wolfsburg.de/kita", "https://www.wolfsburg.de/kita"),
        ("www.kita.de", "https://www.kita.de"),
        ("javascript:alert(1)", None),
        ('https://x.de/"onmouseover=alert(1)', None),
        ("", None),
    ],
)
def test_safe_href(url: str, expected: str | None) -> None:
    assert safe_href(url) == expected


@pytest.mark.parametrize(("value", "missing"), [(None, True), ("  ", True), ([], True), (0, False)])
def test_is_missing(value, missing: bool) -> None:
    assert is_missing(value) is missing
