"""The counsellor's handout: escaped print view and a PDF with map, contacts and date."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import geopandas as gpd
import pytest

from layers.handout import find_font, handout_entries, handout_html, handout_pdf, map_sketch
from tests.layers.helpers import CENTRE_LONLAT, XSS

DATE = dt.date(2026, 11, 22)


@pytest.fixture
def chosen(offers_all: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    near = offers_all.cx[10.76:10.81, 52.41:52.44].head(3).copy()
    near.iloc[0, near.columns.get_loc("name")] = "Kita Größenwahn " + XSS
    near["phone"] = ["+49 5361 1234", "", "05361 99"]
    near["minutes"] = [4.0, 9.5, 14.0]
    near["reasons"] = [["14 min zu Fuß", "Plätze frei", "Arabisch"], "", "barrierefrei"]
    return near


def _pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: install poppler-utils (./run.sh test does)")
    path = tmp_path / "h.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize(
    ("lang", "title", "date"),
    [("de", "Bildungsangebote", "22.11.2026"), ("en", "Education offers", "2026-11-22")],
)
def test_pdf_has_offers_contacts_date_and_umlauts(
    chosen, streets, tmp_path, lang, title, date
) -> None:
    pdf = handout_pdf(
        chosen,
        profile_summary="Kind, 4 Jahre · Musik",
        lang=lang,
        date=DATE,
        streets=streets,
        origin=CENTRE_LONLAT,
    )
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf, tmp_path)
    assert title in text and date in text
    assert "Kita Größenwahn <img src=x onerror=alert(1)>" in text  # text, as typed
    assert "+49 5361 1234" in text
    assert "Kind, 4 Jahre · Musik" in text
    assert "14 min zu Fuß, Plätze frei, Arabisch" in text
    for name in chosen["name"].iloc[1:]:
        assert name.split()[0] in text


def test_pdf_without_font_falls_back(chosen, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("layers.handout.FONT_CANDIDATES", ())
    monkeypatch.delenv("BLK_PDF_FONT", raising=False)
    assert find_font() is None
    pdf = handout_pdf(chosen, profile_summary="Größe → 1", lang="de", date=DATE)
    text = _pdf_text(pdf, tmp_path)
    assert "Größenwahn" in text  # core fonts still have Umlaute
    assert "Größe ? 1" in text  # the arrow is outside cp1252


def test_html_print_view_is_escaped(chosen, streets) -> None:
    page = handout_html(
        chosen,
        profile_summary="<b>Kind</b>",
        lang="de",
        date=DATE,
        streets=streets,
        origin=CENTRE_LONLAT,
    )
    assert page.startswith("<!DOCTYPE html>")
    assert "<img" not in page and "<b>Kind" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;Kind" in page
    assert "@media print" in page and "<svg" in page
    assert page.count("<li>") == len(chosen)
    assert "22.11.2026" in page


def test_map_sketch_holds_every_marker(chosen, streets) -> None:
    entries = handout_entries(chosen, lang="de")
    sketch = map_sketch(entries, streets=streets, origin=CENTRE_LONLAT)
    assert [m[0] for m in sketch.markers] == [1, 2, 3]
    for _, x, y, _ in sketch.markers:
        assert sketch.xmin < x < sketch.xmax and sketch.ymin < y < sketch.ymax
    assert sketch.streets, "streets near the offers are drawn"
    assert map_sketch([], streets=streets) is None


def test_empty_selection(tmp_path) -> None:
    empty = gpd.GeoDataFrame({"name": [], "category": []}, geometry=[], crs="EPSG:4326")
    text = _pdf_text(handout_pdf(empty, profile_summary="-", lang="en", date=DATE), tmp_path)
    assert "No offers selected." in text
