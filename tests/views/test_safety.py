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


def test_table_downloads_neutralise_spreadsheet_formulas() -> None:
    import io

    import openpyxl
    import pandas as pd

    from views.common import to_csv, to_xlsx

    frame = pd.DataFrame(
        {"Ortsteil": ['=HYPERLINK("http://x","y")', "@SUM(A1)", "Mitte"], "Anteil": [0.5, 1, 2]}
    )
    text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and ";Mitte;" in text
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame))).active
    values = [c.value for c in sheet["B"]]
    assert values[1:] == ['\'=HYPERLINK("http://x","y")', "'@SUM(A1)", "Mitte"]
    assert sheet["B2"].data_type == "s"
