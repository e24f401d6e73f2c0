"""User and data text reaches Streamlit's Markdown only as inert text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from views.common import md

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "[klick](javascript:alert(1))",
    "**fett** _kursiv_ `code`",
    "$x^2$ :material/home: :smile:",
    "# Überschrift\n- Liste",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_is_neutralised(payload: str) -> None:
    out = md(payload)
    assert "<" not in out and ">" not in out
    # every markup character is backslash-escaped
    assert not re.search(r"(?<!\\)[\[\]()*_`$:#]", out)


@given(st.text(max_size=60))
def test_unescaping_gives_the_text_back(text: str) -> None:
    import html

    plain = re.sub(r"\\(.)", r"\1", md(text), flags=re.DOTALL)
    assert html.unescape(plain) == text
