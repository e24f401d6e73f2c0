"""Offer markers: category styles, escaped popups and tooltips, numbering."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pytest

from layers.offers import (
    FALLBACK_COLOR,
    category_style,
    offer_layer,
    offer_rows,
    origin_marker,
    popup_html,
    tooltip_text,
)
from offers.taxonomy import CATEGORIES
from tests.layers.helpers import CENTRE_LONLAT, XSS, render, unsafe_lines


def _rows_from_page(page: str) -> list[list]:
    match = re.search(r"^\s*var rows = (.*);$", page, flags=re.M)
    assert match, "marker data not found"
    return json.loads(match.group(1))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_popup_and_tooltip_show_markup_as_text(offers: gpd.GeoDataFrame, lang: str) -> None:
    row = offers.iloc[0]
    for text in (popup_html(row, lang=lang), tooltip_text(row, lang=lang)):
        assert "<img" not in text and "</script>" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_rendered_map_carries_names_only_as_json(offers: gpd.GeoDataFrame) -> None:
    page = render(offer_layer(offers, lang="de"))
    assert "<img src=x" not in page
    assert unsafe_lines(page) == []
    rows = _rows_from_page(page)
    assert len(rows) == len(offers)
    first = rows[0]
    assert first[4] == popup_html(offers.iloc[0], lang="de")
    assert first[5] == tooltip_text(offers.iloc[0], lang="de")


def test_unsafe_lines_catches_folium_tooltips() -> None:
    # The check above must be able to fail: folium's own Tooltip is unsafe.
    m = folium.Map(tiles=None)
    folium.Marker((52.4, 10.7), tooltip=XSS).add_to(m)
    assert unsafe_lines(m.get_root().render())


def test_popup_lists_the_offer_facts(offers_all: gpd.GeoDataFrame) -> None:
    row = offers_all.iloc[0].copy()
    row["street"], row["housenumber"] = "Porschestraße", "51"
    row["postcode"], row["city"] = "38440", "Wolfsburg"
    row["provider"] = "Stadt Wolfsburg"
    row["phone"], row["email"] = "+49 5361 28-0", "info@example.org"
    row["website"] = "https://www.wolfsburg.de"
    row["opening_hours"] = "Mo-Fr 07:00-17:00"
    row["capacity"], row["free_places"] = 1200, 35
    row["minutes"] = 12.4
    html = popup_html(row, lang="de")
    for fact in (
        "Porschestraße 51, 38440 Wolfsburg",
        "Stadt Wolfsburg",
        "+49 5361 28-0",
        'href="mailto:info@example.org"',
        'href="https://www.wolfsburg.de" target="_blank" rel="noopener noreferrer"',
        "Mo-Fr 07:00-17:00",
        "1.200 (35 frei)",
        "12 min",
    ):
        assert fact in html, fact
    assert "1,200 (35 free)" in popup_html(row, lang="en")


@pytest.mark.parametrize(
    ("hours", "status", "lang", "shown", "note"),
    [
        ("Mo-Fr 07:00-17:00", "open", "de", "Mo-Fr 07:00-17:00", False),
        (None, "unknown", "de", "Öffnungszeiten unbekannt", True),
        ("nach Vereinbarung <b>", "unknown", "en", "nach Vereinbarung &lt;b&gt;", True),
        (None, None, "de", "", False),  # no "open now" search: no note
    ],
)
def test_popup_says_when_an_open_now_search_could_not_tell(
    offers_all: gpd.GeoDataFrame, hours, status, lang: str, shown: str, note: bool
) -> None:
    row = offers_all.iloc[0].copy()
    row["opening_hours"] = hours
    if status is not None:
        row["open_status"] = status
    html = popup_html(row, lang=lang)
    assert shown in html
    unknown = "Öffnungszeiten unbekannt" if lang == "de" else "Opening hours unknown"
    assert (unknown in html) == note


def test_javascript_links_are_not_linked(offers_all: gpd.GeoDataFrame) -> None:
    row = offers_all.iloc[0].copy()
    row["website"] = "javascript:alert(1)"
    html = popup_html(row, lang="de")
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in html  # still shown, as text


def test_markers_use_the_taxonomy_style(offers_all: gpd.GeoDataFrame) -> None:
    rows = offer_rows(offers_all, lang="de")
    assert len(rows) == len(offers_all)
    for (_, offer), row in zip(offers_all.iterrows(), rows, strict=True):
        cat = CATEGORIES[offer["category"]]
        assert (row[2], row[3]) == (cat.color, cat.icon)
        assert row[0] == pytest.approx(offer.geometry.y, abs=1e-6)
        assert row[1] == pytest.approx(offer.geometry.x, abs=1e-6)


def test_unknown_category_gets_a_neutral_style() -> None:
    label, color, icon = category_style("<b>neu</b>", lang="de")
    assert color == FALLBACK_COLOR and icon
    assert label == "<b>neu</b>"  # raw: escaped where it is drawn


def test_numbered_markers_follow_row_order(offers: gpd.GeoDataFrame) -> None:
    few = offers.iloc[1:6]
    page = render(offer_layer(few, lang="de", numbered=True))
    rows = _rows_from_page(page)
    assert [r[6] for r in rows] == [1, 2, 3, 4, 5]
    assert "markerClusterGroup" not in page.split("var rows = ")[1].split("\n")[1]
    assert rows[2][5].startswith("3. ")


@pytest.mark.parametrize("missing", [None, "empty"])
def test_offers_without_geometry_are_skipped(offers: gpd.GeoDataFrame, missing: str | None) -> None:
    from shapely.geometry import Point

    few = offers.iloc[:4].copy()
    few.loc[few.index[1], "geometry"] = None if missing is None else Point()
    rows = offer_rows(few, lang="de", numbered=True)
    # the others keep the number of their row, so list and map still agree
    assert [r[6] for r in rows] == [1, 3, 4]
    assert [r[:2] for r in rows] == [
        [round(p.y, 6), round(p.x, 6)] for p in few.geometry.iloc[[0, 2, 3]]
    ]


def test_layer_has_a_category_legend(offers: gpd.GeoDataFrame) -> None:
    page = render(offer_layer(offers, lang="en"))
    legend = re.search(r"div.innerHTML = (\".*\");", page)
    assert legend
    html = json.loads(legend.group(1))
    for key in set(offers["category"]):
        assert CATEGORIES[key].label_en.replace("&", "&amp;") in html


def test_wrong_crs_is_refused(offers: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="EPSG:4326"):
        offer_layer(offers.to_crs(25832), lang="de")


def test_origin_marker_escapes_label() -> None:
    page = render(origin_marker(*CENTRE_LONLAT, label=XSS, lang="de"))
    assert "<img src=x" not in page and unsafe_lines(page) == []
    assert "fa-house" in page
