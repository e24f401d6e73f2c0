"""Numbers, labels and safe HTML/JS text for the map layers (German first, English second).

Every text that comes from data goes through :func:`esc` before it reaches HTML, and
every value embedded in a ``<script>`` goes through :func:`js_json`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from offers.safety import html_text, is_missing, safe_url

LANGS: tuple[str, ...] = ("de", "en")

#: Layer texts: key -> (German, English).
TEXTS: dict[str, tuple[str, str]] = {
    "offers": ("Angebote", "Offers"),
    "category": ("Kategorie", "Category"),
    "address": ("Adresse", "Address"),
    "provider": ("Träger", "Provider"),
    "contact": ("Kontakt", "Contact"),
    "hours": ("Öffnungszeiten", "Opening hours"),
    "hours_unknown": ("Öffnungszeiten unbekannt", "Opening hours unknown"),
    "places": ("Plätze", "Places"),
    "free": ("frei", "free"),
    "ages": ("Alter", "Ages"),
    "years": ("Jahre", "years"),
    "languages": ("Sprachen", "Languages"),
    "wheelchair": ("Barrierefrei", "Wheelchair access"),
    "wheelchair_yes": ("ja", "yes"),
    "wheelchair_limited": ("eingeschränkt", "limited"),
    "wheelchair_no": ("nein", "no"),
    "travel": ("Anreise", "Travel time"),
    "minutes": ("min", "min"),
    "catchment": ("Einzugsbereich", "Catchment area"),
    "within": ("bis", "up to"),
    "residents": ("Einwohner", "residents"),
    "no_data": ("keine Daten", "no data"),
    "gaps": ("Versorgungslücken (100-m-Zellen)", "Supply gaps (100 m cells)"),
    "districts": ("Ortsteile", "Districts"),
    "what_if": ("Planung (Was-wäre-wenn)", "Planning (what-if)"),
    "planned": ("geplant", "planned"),
    "removed": ("entfernt", "removed"),
    "capacity": ("Kapazität", "Capacity"),
    "start": ("Start", "Start"),
    "basemap": ("Grundkarte", "Base map"),
    "more": ("weitere", "more"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def t(key: str, lang: str) -> str:
    """The layer text ``key`` in ``lang`` (``"de"`` or ``"en"``)."""
    de, en = TEXTS[key]
    return de if check_lang(lang) == "de" else en


def format_number(value: Any, *, lang: str, decimals: int = 0) -> str:
    """``1234.5`` -> ``"1.234,5"`` (de) or ``"1,234.5"`` (en); missing -> ``"–"``."""
    check_lang(lang)
    if is_missing(value):
        return "–"
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(share: Any, *, lang: str, decimals: int = 0) -> str:
    """A share 0–1 as percent: ``0.125`` -> ``"12,5 %"`` (de) / ``"12.5%"`` (en)."""
    if is_missing(share):
        return "–"
    number = format_number(float(share) * 100.0, lang=lang, decimals=decimals)
    return f"{number}\u00a0%" if lang == "de" else f"{number}%"


def format_value(value: Any, *, lang: str, unit: str = "", decimals: int = 0) -> str:
    """A number with its unit (``"%"`` means the value is a share 0–1)."""
    if unit == "%":
        return format_percent(value, lang=lang, decimals=decimals)
    number = format_number(value, lang=lang, decimals=decimals)
    return f"{number}\u00a0{unit}" if unit and number != "–" else number


def esc(value: Any) -> str:
    """HTML-escaped text of a data value (missing -> ``""``); :func:`offers.safety.html_text`."""
    return html_text(value)


def layer_name(text: Any) -> str:
    """A layer control entry: escaped HTML, with braces as entities.

    Leaflet shows the name as HTML, and folium's layer control script is read again
    as a Jinja template, where ``{{`` or ``{%`` would run.
    """
    return esc(text).replace("{", "&#123;").replace("}", "&#125;")


def safe_href(url: Any) -> str | None:
    """The URL if it is a plain http(s) link (escaped for an attribute), else None.

    :func:`offers.safety.safe_url` limited to ``http``/``https``.
    """
    return safe_url(url, schemes=("http://", "https://")) or None


_SAFE_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


def css_color(color: str) -> str:
    """``color`` if it is a hex or named CSS colour; raises ``ValueError`` otherwise."""
    if not isinstance(color, str) or not _SAFE_COLOR.match(color):
        raise ValueError(f"not a CSS colour: {color!r} (use #rrggbb or a colour name)")
    return color


def js_json(value: Any) -> str:
    """JSON for a ``<script>`` block: ``<``, ``>``, ``&`` and ``'`` as Unicode escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
