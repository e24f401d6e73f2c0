"""Offers on the map: clustered pins with a colour and Font Awesome icon per category.

One element draws all markers from a compact JSON array (fast for thousands of offers,
unlike one folium ``Marker`` per offer). Popups and tooltips are built here with every
data text escaped; the browser only inserts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import branca
import folium
import geopandas as gpd
import pandas as pd
from folium.elements import JSCSSMixin

from layers.assets import LOCAL_CSS, LOCAL_JS, vendor_url
from layers.legend import Legend, LegendItem
from layers.pins import Pin
from layers.plainscript import PlainScript
from layers.text import (
    css_color,
    esc,
    format_number,
    is_missing,
    js_json,
    layer_name,
    safe_href,
    t,
)

#: One offer: a pandas row or a plain record (column -> value).
Row = Mapping[str, Any] | pd.Series

FALLBACK_COLOR = "#000000"
FALLBACK_ICON = "lightbulb"


def _categories() -> dict[str, Any]:
    try:
        from offers.taxonomy import CATEGORIES
    except ImportError:  # the taxonomy module ships with the offers package
        return {}
    return dict(CATEGORIES)


def category_style(category: str, *, lang: str) -> tuple[str, str, str]:
    """(label, colour, icon) of a category key; unknown keys get a neutral style."""
    cat = _categories().get(str(category))
    if cat is None:
        return (str(category) or "–", FALLBACK_COLOR, FALLBACK_ICON)
    label = cat.label_de if lang == "de" else cat.label_en
    return label, css_color(cat.color), cat.icon


def _icon_name(icon: str) -> str:
    return "".join(ch for ch in str(icon).lower() if ch.isalnum() or ch == "-") or FALLBACK_ICON


def _row(label: str, value_html: str) -> str:
    return f"<tr><th>{esc(label)}</th><td>{value_html}</td></tr>" if value_html else ""


def _address(row: Row) -> str:
    street = " ".join(esc(row.get(c)) for c in ("street", "housenumber") if esc(row.get(c)))
    town = " ".join(esc(row.get(c)) for c in ("postcode", "city") if esc(row.get(c)))
    return ", ".join(p for p in (street, town) if p)


def _contact(row: Row) -> str:
    parts = []
    if not is_missing(row.get("phone")):
        parts.append(esc(row.get("phone")))
    if not is_missing(row.get("email")):
        mail = esc(row.get("email"))
        parts.append(f'<a href="mailto:{mail}">{mail}</a>' if "@" in mail else mail)
    if not is_missing(row.get("website")):
        href = safe_href(row.get("website"))
        text = esc(row.get("website"))
        parts.append(
            f'<a href="{href}" target="_blank" rel="noopener noreferrer">{text}</a>'
            if href
            else text
        )
    return "<br>".join(parts)


def _places(row: Row, *, lang: str) -> str:
    cap, free = row.get("capacity"), row.get("free_places")
    if is_missing(cap) and is_missing(free):
        return ""
    text = format_number(cap, lang=lang) if not is_missing(cap) else "–"
    if not is_missing(free):
        text += f" ({format_number(free, lang=lang)} {t('free', lang)})"
    return esc(text)


def _ages(row: Row, *, lang: str) -> str:
    lo, hi = row.get("age_min"), row.get("age_max")
    if is_missing(lo) and is_missing(hi):
        return ""
    lo_s = format_number(lo, lang=lang) if not is_missing(lo) else "0"
    hi_s = format_number(hi, lang=lang) if not is_missing(hi) else "…"
    return esc(f"{lo_s}–{hi_s} {t('years', lang)}")


def _list(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return esc(", ".join(str(v) for v in value if not is_missing(v)))
    return esc(value)


def _hours(row: Row, *, lang: str) -> str:
    """The hours as written, and "unknown" where an "open now" search could not tell."""
    text = esc(row.get("opening_hours"))
    if row.get("open_status") != "unknown":
        return text
    unknown = f"<em>{esc(t('hours_unknown', lang))}</em>"
    return f"{text}<br>{unknown}" if text else unknown


def popup_html(row: Row, *, lang: str, number: int | None = None) -> str:
    """The popup of one offer: name, category, address, provider, contact, hours, places.

    Every value is escaped; links are only made from plain ``http(s)``/``mailto`` values.
    """
    label, color, icon = category_style(str(row.get("category", "")), lang=lang)
    head = f"{number}. " if number is not None else ""
    rows = [
        _row(
            t("category", lang),
            f'<i class="fa-solid fa-{_icon_name(icon)}" style="color:{color}"></i> {esc(label)}',
        ),
        _row(t("address", lang), _address(row)),
        _row(t("provider", lang), esc(row.get("provider"))),
        _row(t("contact", lang), _contact(row)),
        _row(t("hours", lang), _hours(row, lang=lang)),
        _row(t("places", lang), _places(row, lang=lang)),
        _row(t("ages", lang), _ages(row, lang=lang)),
        _row(t("languages", lang), _list(row.get("languages"))),
    ]
    wheel = str(row.get("wheelchair") or "")
    if wheel in ("yes", "limited", "no"):
        rows.append(_row(t("wheelchair", lang), esc(t(f"wheelchair_{wheel}", lang))))
    minutes = row.get("minutes")
    if not is_missing(minutes):
        rows.append(_row(t("travel", lang), esc(f"{format_number(minutes, lang=lang)} min")))
    return (
        f'<div class="blk-popup"><h4>{head}{esc(row.get("name")) or "–"}</h4>'
        f"<table>{''.join(rows)}</table></div>"
    )


def tooltip_text(row: Row, *, lang: str, number: int | None = None) -> str:
    """The hover text (escaped): name, and travel minutes when known."""
    name = esc(row.get("name")) or "–"
    head = f"{number}. " if number is not None else ""
    minutes = row.get("minutes")
    tail = f" · {esc(format_number(minutes, lang=lang))} min" if not is_missing(minutes) else ""
    return f"{head}{name}{tail}"


class OfferMarkers(JSCSSMixin, PlainScript, folium.MacroElement):
    """All offer markers of a layer, drawn in the browser from one JSON array.

    ``data`` rows: ``[lat, lon, colour, icon, popup_html, tooltip_html, number]``.
    With ``cluster`` the markers go into one ``L.markerClusterGroup``.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var parent = {{ this._parent.get_name() }};
                var rows = {{ this.data_json }};
                var target = {{ this.cluster_js }};
                rows.forEach(function (r) {
                    var inner = r[6] !== null
                        ? '<span class="blk-pin-number">' + r[6] + '</span>'
                        : '<i class="fa-solid fa-' + r[3] + '"></i>';
                    var icon = L.divIcon({
                        className: "blk-pin-icon",
                        html: '<span class="blk-pin" style="background:' + r[2] + '">'
                            + inner + '</span>',
                        iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -12],
                        tooltipAnchor: [12, 0]
                    });
                    var marker = L.marker([r[0], r[1]], { icon: icon, riseOnHover: true });
                    marker.bindPopup(r[4], { maxWidth: 320 });
                    marker.bindTooltip(r[5], { direction: "right" });
                    target.addLayer(marker);
                });
                target.addTo(parent);
            })();
        {% endmacro %}
        """
    )

    def __init__(self, data: Sequence[Sequence[Any]], *, cluster: bool = True) -> None:
        super().__init__()
        self._name = "OfferMarkers"
        self.cluster = cluster
        self.cluster_js = (
            "L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40, "
            "chunkedLoading: true})"
            if cluster
            else "L.featureGroup()"
        )
        self.data_json = js_json([list(r) for r in data])
        if cluster:
            self.default_js = [("markerclusterjs", vendor_url(LOCAL_JS["markerclusterjs"]))]
            self.default_css = [
                ("markerclustercss", vendor_url(LOCAL_CSS["markerclustercss"])),
                ("markerclusterdefaultcss", vendor_url(LOCAL_CSS["markerclusterdefaultcss"])),
            ]


def _check_offers(offers: gpd.GeoDataFrame) -> None:
    if not isinstance(offers, gpd.GeoDataFrame):
        raise TypeError("offers must be a GeoDataFrame (EPSG:4326 points)")
    if offers.crs is not None and offers.crs.to_epsg() != 4326:
        raise ValueError(f"offers must be in EPSG:4326, got {offers.crs}")
    if "name" not in offers.columns or "category" not in offers.columns:
        raise ValueError("offers need the columns 'name' and 'category' (offers.schema)")


def offer_rows(offers: gpd.GeoDataFrame, *, lang: str, numbered: bool = False) -> list[list[Any]]:
    """The marker rows of :class:`OfferMarkers` (points without geometry are skipped).

    ``offers`` is EPSG:4326 (checked); each row starts with lat, lon rounded to 6 places.
    """
    _check_offers(offers)
    rows = []
    # plain dicts: a pandas row per offer costs more than the whole popup
    records = offers.drop(columns=offers.geometry.name).to_dict("records")
    for i, (row, geom) in enumerate(zip(records, offers.geometry, strict=True), start=1):
        if geom is None or geom.is_empty:
            continue
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        _, color, icon = category_style(str(row.get("category", "")), lang=lang)
        number = i if numbered else None
        rows.append(
            [
                round(pt.y, 6),
                round(pt.x, 6),
                color,
                _icon_name(icon),
                popup_html(row, lang=lang, number=number),
                tooltip_text(row, lang=lang, number=number),
                number,
            ]
        )
    return rows


def category_legend(categories: Iterable[str], *, lang: str, title: str | None = None) -> Legend:
    """A legend with one pin per category present (sorted by label)."""
    items = []
    for key in sorted(set(map(str, categories))):
        label, color, icon = category_style(key, lang=lang)
        items.append(LegendItem(label, color, icon=_icon_name(icon), shape="pin"))
    items.sort(key=lambda it: it.label.lower())
    return Legend(title or t("offers", lang), items, position="bottomright")


def offer_layer(
    offers: gpd.GeoDataFrame,
    *,
    lang: str,
    name: str | None = None,
    cluster: bool | None = None,
    numbered: bool = False,
    legend: bool = True,
    show: bool = True,
) -> folium.FeatureGroup:
    """Offers as pins coloured and iconed by category, with popups and tooltips.

    Parameters
    ----------
    offers : GeoDataFrame
        EPSG:4326 points with the :data:`offers.schema.OFFER_COLUMNS` (``name`` and
        ``category`` required, others optional); an optional ``minutes`` column shows
        the travel time.
    lang : {"de", "en"}
        Language of labels and number format.
    name : str, optional
        Name in the layer control (default "Angebote"/"Offers").
    cluster : bool, optional
        Cluster the markers; default: cluster unless ``numbered``.
    numbered : bool
        Show 1, 2, 3 … (row order) instead of the icon, e.g. to match a handout.
    legend : bool
        Add a category legend that follows the layer's visibility.
    show : bool
        Initially visible.

    Returns
    -------
    folium.FeatureGroup
    """
    rows = offer_rows(offers, lang=lang, numbered=numbered)
    group = folium.FeatureGroup(name=layer_name(name or t("offers", lang)), show=show)
    OfferMarkers(rows, cluster=(not numbered) if cluster is None else cluster).add_to(group)
    if legend and len(offers):
        category_legend(offers["category"].astype(str), lang=lang).add_to(group)
    return group


def origin_marker(lon: float, lat: float, *, label: str, lang: str) -> Pin:
    """The start point (``lat``/``lon`` in EPSG:4326) as a dark house pin; ``label`` is escaped."""
    return Pin(lat, lon, icon="house", kind="origin", tooltip=label or t("start", lang))
