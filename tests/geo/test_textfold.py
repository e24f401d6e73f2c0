"""The one text folding (geo.textfold) used by search, dedup, import headers and geocoder."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.textfold import fold_text


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Theodor-Heuss-Gymnasium  Wolfsburg", "theodor heuss gymnasium wolfsburg"),
        ("Schloßstraße 5", "schlossstrasse 5"),
        ("BÜCHEREI (Zentrum)", "buecherei zentrum"),
        ("Bu\u0308cherei", "buecherei"),  # decomposed umlaut
        ("Café René", "cafe rene"),
        ("  ", ""),
        (12, "12"),
    ],
)
def test_fold_text(text: object, folded: str) -> None:
    assert fold_text(text) == folded


def test_without_transliteration_only_case_and_punctuation_change() -> None:
    assert fold_text("Schloß-Straße, 5", transliterate=False) == "schloß straße 5"


@given(st.text())
def test_folding_is_idempotent_and_plain(text: str) -> None:
    once = fold_text(text)
    assert fold_text(once) == once
    assert once == once.strip() and "  " not in once
    assert not re.search(r"[^\w ]", once)
    assert not any(unicodedata.combining(ch) for ch in once)


@given(st.text(alphabet="abcdeflmnorsuxyz -.", max_size=20))
def test_umlaut_and_its_transliteration_fold_alike(word: str) -> None:
    spelled = word.replace("ae", "ä").replace("oe", "ö").replace("ue", "ü").replace("ss", "ß")
    assert fold_text(spelled) == fold_text(word)
