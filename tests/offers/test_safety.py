"""Escaping for HTML and spreadsheets."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.text import esc, safe_href
from offers.safety import html_text, neutralise_formula, safe_url

PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (PAYLOAD, "&lt;img src=x onerror=alert(1)&gt;"),
        ('"><script>alert(1)</script>', "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Kita & Hort 'Sonne'", "Kita &amp; Hort &#x27;Sonne&#x27;"),
        (None, ""),
        (math.nan, ""),
        (["<b>", "ar"], "&lt;b&gt;; ar"),
        (42, "42"),
        (0, "0"),
        (pd.NA, ""),
        ("   ", ""),
        ([], ""),
    ],
)
def test_html_text(value: object, expected: str) -> None:
    assert html_text(value) == expected


@given(st.text())
def test_html_text_never_leaves_markup(text: str) -> None:
    out = html_text(text)
    assert "<" not in out and ">" not in out and '"' not in out


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://kita.example/?a=1&b=2", "https://kita.example/?a=1&amp;b=2"),
        ("www.kita.example", "https://www.kita.example"),
        ("mailto:info@kita.example", "mailto:info@kita.example"),
        ("javascript:alert(1)", ""),
        ("JAVASCRIPT:alert(1)", ""),
        ("data:text/html,<b>", ""),
        (None, ""),
        ("kita.example/anmeldung", "https://kita.example/anmeldung"),
        ("tel:+495361", "tel:+495361"),
        ('https://x.de/"onmouseover=alert(1)', ""),
        ("https://x.de/a b", ""),
        ("Kita Sonne", ""),
    ],
)
def test_safe_url(url: str | None, expected: str) -> None:
    assert safe_url(url) == expected
    # the map's links are the same URLs limited to http(s)
    http_only = expected if expected.startswith("https://") else None
    assert safe_href(url) == http_only


@pytest.mark.parametrize("url", ["mailto:info@kita.example", "tel:+495361", "ftp://kita.example"])
def test_safe_url_schemes_can_be_limited(url: str) -> None:
    assert safe_url(url, schemes=("http://", "https://")) == ""


@given(st.one_of(st.text(), st.integers(), st.lists(st.text(), max_size=3), st.none()))
def test_layers_escape_with_the_same_helper(value: object) -> None:
    assert esc(value) == html_text(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+49 5361", "'+49 5361"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Kita", "Kita"),
        (-5, -5),
        (3.5, 3.5),
    ],
)
def test_neutralise_formula(value: object, expected: object) -> None:
    assert neutralise_formula(value) == expected
