"""Every text key the pages use exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from views.i18n import TEXTS, fmt_number, t

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted([REPO / "app.py", *(REPO / "views").rglob("*.py")])
# tr("key") / t("key", ...) / tr(f"prefix.{x}") calls in the page code
_CALL = re.compile(r"""\btr?\(\s*(f?)["']([a-z_]+\.[a-z_.{}]+)["']""")


def _used_keys() -> tuple[set[str], set[str]]:
    plain, prefixes = set(), set()
    for path in SOURCES:
        for is_f, key in _CALL.findall(path.read_text(encoding="utf-8")):
            if is_f:
                prefixes.add(key.split("{")[0])
            else:
                plain.add(key)
    return plain, prefixes


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_used_key_exists() -> None:
    plain, prefixes = _used_keys()
    assert plain, "the scan found no t()/tr() calls; the regex is broken"
    missing = sorted(k for k in plain if k not in TEXTS)
    assert missing == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in TEXTS), prefix


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_both_languages_with_same_placeholders(key: str) -> None:
    de, en = TEXTS[key]
    assert de.strip() and en.strip()
    assert _fields(de) == _fields(en)


@pytest.mark.parametrize(
    ("key", "de", "en"),
    [
        ("page.find", "Angebote finden", "Find offers"),
        ("page.coverage", "Versorgung & Lücken", "Coverage & gaps"),
        ("page.advice", "Beratung", "Counselling"),
        ("mode.walk", "Fußweg", "Walking"),
        ("mode.bike", "Fahrrad", "Bicycle"),
        ("mode.drive", "Auto", "Car"),
        ("common.provider", "Träger", "Provider"),
        ("common.places", "Plätze", "Places"),
        ("find.isochrones", "Einzugsbereich", "Catchment area"),
    ],
)
def test_german_terms(key: str, de: str, en: str) -> None:
    assert t(key, "de") == de
    assert t(key, "en") == en


def test_unknown_language_falls_back_to_german() -> None:
    assert t("page.data", "fr") == "Daten"


def test_unknown_key_raises() -> None:
    with pytest.raises(KeyError, match=r"no\.such"):
        t("no.such", "de")


@pytest.mark.parametrize(
    ("value", "decimals", "de", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (120027, 0, "120.027", "120,027"),
        (0.25, 2, "0,25", "0.25"),
        (float("nan"), 0, "–", "–"),
    ],
)
def test_fmt_number(value: float, decimals: int, de: str, en: str) -> None:
    assert fmt_number(value, "de", decimals=decimals) == de
    assert fmt_number(value, "en", decimals=decimals) == en


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_fmt_number_round_trips(value: float, decimals: int) -> None:
    de = fmt_number(value, "de", decimals=decimals)
    en = fmt_number(value, "en", decimals=decimals)
    assert float(de.replace(".", "").replace(",", ".")) == float(en.replace(",", ""))
