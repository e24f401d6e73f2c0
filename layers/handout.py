"""The counsellor's handout: a clean print view (HTML) and a PDF with a small vector map.

Nothing about the client is stored: both functions are pure and return the document.
The map is drawn from the region's basemap streets (EPSG:4326 input, projected to
EPSG:25832 for drawing) with numbered markers matching the list.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fpdf import FPDF
from pyproj import Transformer

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.offers import category_style
from layers.text import check_lang, esc, format_number, is_missing

#: Fonts tried in order for the PDF (Umlaute, ß, €). ``BLK_PDF_FONT`` wins.
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)

HANDOUT_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Bildungsangebote für Sie", "Education offers for you"),
    "profile": ("Ihr Profil", "Your profile"),
    "date": ("Stand", "Date"),
    "map": ("Karte", "Map"),
    "start": ("Start", "Start"),
    "address": ("Adresse", "Address"),
    "provider": ("Träger", "Provider"),
    "phone": ("Telefon", "Phone"),
    "email": ("E-Mail", "Email"),
    "website": ("Web", "Web"),
    "hours": ("Öffnungszeiten", "Opening hours"),
    "places": ("Plätze", "Places"),
    "free": ("frei", "free"),
    "travel": ("Anreise", "Travel time"),
    "why": ("Passt, weil", "Why it fits"),
    "none": ("Keine Angebote ausgewählt.", "No offers selected."),
    "privacy": (
        "Dieses Blatt wurde für Sie erstellt; es werden keine Daten über Sie gespeichert.",
        "This sheet was made for you; no data about you is stored.",
    ),
    "sources": (
        "Karte: © OpenStreetMap contributors (ODbL). Angaben ohne Gewähr – bitte vorher anrufen.",
        "Map: © OpenStreetMap contributors (ODbL). Details may change – please call ahead.",
    ),
}


def _t(key: str, lang: str) -> str:
    de, en = HANDOUT_TEXTS[key]
    return de if check_lang(lang) == "de" else en


def format_date(date: dt.date, *, lang: str) -> str:
    """``22.11.2026`` (de) or ``2026-11-22`` (en)."""
    return date.strftime("%d.%m.%Y") if check_lang(lang) == "de" else date.isoformat()


@dataclass(frozen=True)
class HandoutEntry:
    """One offer on the handout, as plain text (not yet escaped)."""

    number: int
    name: str
    category: str
    color: str
    address: str
    provider: str
    phone: str
    email: str
    website: str
    hours: str
    places: str
    travel: str
    reasons: str
    lon: float | None
    lat: float | None


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value if not is_missing(v))
    return "" if is_missing(value) else str(value).strip()


def handout_entries(offers_rows: pd.DataFrame, *, lang: str) -> list[HandoutEntry]:
    """The chosen offers (row order = numbering) as :class:`HandoutEntry` items.

    ``offers_rows`` has the offer columns (``offers.schema``) and optionally
    ``minutes`` (travel time) and ``reasons`` (str or list of str). Points are
    EPSG:4326 (``geometry``) or ``lon``/``lat`` columns.
    """
    entries = []
    for number, (_, row) in enumerate(offers_rows.iterrows(), start=1):
        data = row.to_dict()
        label, color, _ = category_style(_text(data, "category"), lang=lang)
        street = " ".join(p for p in (_text(data, "street"), _text(data, "housenumber")) if p)
        town = " ".join(p for p in (_text(data, "postcode"), _text(data, "city")) if p)
        cap, free = data.get("capacity"), data.get("free_places")
        places = "" if is_missing(cap) else format_number(cap, lang=lang)
        if not is_missing(free):
            places = f"{places or '–'} ({format_number(free, lang=lang)} {_t('free', lang)})"
        minutes = data.get("minutes")
        travel = "" if is_missing(minutes) else f"{format_number(minutes, lang=lang)} min"
        lon = lat = None
        geom = data.get("geometry")
        if geom is not None and not getattr(geom, "is_empty", True):
            lon, lat = float(geom.x), float(geom.y)
        elif not is_missing(data.get("lon")) and not is_missing(data.get("lat")):
            lon, lat = float(data["lon"]), float(data["lat"])
        entries.append(
            HandoutEntry(
                number=number,
                name=_text(data, "name") or "–",
                category=label,
                color=color,
                address=", ".join(p for p in (street, town) if p),
                provider=_text(data, "provider"),
                phone=_text(data, "phone"),
                email=_text(data, "email"),
                website=_text(data, "website"),
                hours=_text(data, "opening_hours"),
                places=places,
                travel=travel,
                reasons=_text(data, "reasons"),
                lon=lon,
                lat=lat,
            )
        )
    return entries


# --------------------------------------------------------------------------- the map


@dataclass(frozen=True)
class MapSketch:
    """A small map in EPSG:25832 metres: extent, street polylines and marker points."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float
    streets: tuple[tuple[str, np.ndarray], ...]
    markers: tuple[tuple[int, float, float, str], ...]
    origin: tuple[float, float] | None

    def to_box(self, x: float, y: float, width: float, height: float) -> tuple[float, float, float]:
        """Scale and offsets mapping metres into a box (y down), keeping the aspect."""
        scale = min(width / (self.xmax - self.xmin), height / (self.ymax - self.ymin))
        ox = x + (width - (self.xmax - self.xmin) * scale) / 2
        oy = y + (height - (self.ymax - self.ymin) * scale) / 2
        return scale, ox, oy


STREET_WIDTH_MM: dict[str, float] = {
    "motorway": 0.9,
    "primary": 0.7,
    "secondary": 0.55,
    "minor": 0.3,
    "path": 0.15,
}
STREET_GREY: dict[str, int] = {
    "motorway": 120,
    "primary": 140,
    "secondary": 160,
    "minor": 185,
    "path": 210,
}


def map_sketch(
    entries: Sequence[HandoutEntry],
    *,
    streets: gpd.GeoDataFrame | None = None,
    origin: tuple[float, float] | None = None,
    aspect: float = 1.8,
    pad_m: float = 350.0,
    min_span_m: float = 1200.0,
    max_lines: int = 6000,
) -> MapSketch | None:
    """The map of the offers (and the start, a (lon, lat) pair): None without points.

    ``streets`` is ``Region.basemap["streets"]`` (EPSG:4326 lines with ``cls``).
    """
    to_m = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    pts = [(e.number, e.lon, e.lat, e.color) for e in entries if e.lon is not None]
    lonlat = [(lon, lat) for _, lon, lat, _ in pts]
    if origin is not None:
        lonlat.append((float(origin[0]), float(origin[1])))
    if not lonlat:
        return None
    xs, ys = to_m.transform([p[0] for p in lonlat], [p[1] for p in lonlat])
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    # Pad by a share of the span too, so edge markers (radius ~3 mm) stay inside.
    pad = max(pad_m, 0.08 * max(xs.max() - xs.min(), ys.max() - ys.min()))
    w = max(xs.max() - xs.min() + 2 * pad, min_span_m)
    h = max(ys.max() - ys.min() + 2 * pad, min_span_m / aspect)
    w, h = max(w, h * aspect), max(h, w / aspect)
    xmin, xmax, ymin, ymax = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    lines: list[tuple[str, np.ndarray]] = []
    if streets is not None and len(streets):
        # Select in EPSG:4326 first: projecting the whole city's streets is the slow part.
        to_ll = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)
        lons, lats = to_ll.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
        bbox = shapely.box(min(lons), min(lats), max(lons), max(lats))
        near = streets.iloc[streets.sindex.query(bbox, predicate="intersects")]
        # Detail follows scale: ~1 px tolerance, no footpaths on a city-wide sheet.
        tolerance_m = max(2.0, w / 900.0)
        skip = {"path"} if w > 3000 else set()
        if w > 15000:
            skip.add("minor")
        near = near[~near["cls"].astype(str).isin(skip)]
        part = near.to_crs(CRS_MEASURE)
        order = {c: i for i, c in enumerate(("path", "minor", "secondary", "primary", "motorway"))}
        part = part.assign(_o=part["cls"].map(order).fillna(0)).sort_values("_o")
        for cls, geom in zip(part["cls"].astype(str), part.geometry, strict=True):
            clipped = shapely.clip_by_rect(geom, xmin, ymin, xmax, ymax)
            for line in getattr(clipped, "geoms", [clipped]):
                if line.is_empty or line.geom_type != "LineString":
                    continue
                lines.append((cls, shapely.get_coordinates(line.simplify(tolerance_m))))
                if len(lines) >= max_lines:
                    break
    markers = tuple(
        (n, float(x), float(y), c)
        for (n, _, _, c), x, y in zip(pts, xs[: len(pts)], ys[: len(pts)], strict=True)
    )
    start = (float(xs[-1]), float(ys[-1])) if origin is not None else None
    return MapSketch(xmin, ymin, xmax, ymax, tuple(lines), markers, start)


def _svg(sketch: MapSketch, *, width: float = 720.0, height: float = 400.0) -> str:
    scale, ox, oy = sketch.to_box(0, 0, width, height)

    def px(x: float, y: float) -> tuple[float, float]:
        return ox + (x - sketch.xmin) * scale, oy + (sketch.ymax - y) * scale

    parts = [
        f'<svg class="map" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img">',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#f6f4f0"/>',
    ]
    for cls, coords in sketch.streets:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(x, y) for x, y in coords))
        grey = STREET_GREY.get(cls, 190)
        stroke = STREET_WIDTH_MM.get(cls, 0.3) * 3.2
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="rgb({grey},{grey},{grey})" '
            f'stroke-width="{stroke:.2f}" stroke-linecap="round"/>'
        )
    if sketch.origin is not None:
        x, y = px(*sketch.origin)
        parts.append(
            f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="#222"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" fill="#fff" '
            f'text-anchor="middle">S</text>'
        )
    for number, mx, my, color in sketch.markers:
        x, y = px(mx, my)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="{esc(color)}" stroke="#fff" '
            f'stroke-width="2"/><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" '
            f'font-weight="bold" fill="#fff" text-anchor="middle">{number}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #222; margin: 2em auto;
       max-width: 48em; line-height: 1.4; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.meta { color: #555; margin-bottom: 1em; }
.map { width: 100%; height: auto; border: 1px solid #ccc; margin: 0.5em 0 1em; }
ol.offers { padding-left: 0; list-style: none; }
ol.offers li { border-top: 1px solid #ddd; padding: 0.6em 0; page-break-inside: avoid; }
.num { display: inline-block; width: 1.6em; height: 1.6em; border-radius: 50%; color: #fff;
       text-align: center; font-weight: bold; margin-right: 0.4em; }
.cat { color: #555; }
dl { display: grid; grid-template-columns: 9em 1fr; margin: 0.3em 0 0 2em; }
dt { color: #555; } dd { margin: 0; }
footer { margin-top: 2em; color: #555; font-size: 0.85em; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def handout_html(
    offers_rows: pd.DataFrame,
    *,
    profile_summary: str,
    lang: str,
    date: dt.date,
    streets: gpd.GeoDataFrame | None = None,
    origin: tuple[float, float] | None = None,
    title: str | None = None,
) -> str:
    """A complete, print-ready HTML page (every text escaped) with an inline SVG map.

    Parameters
    ----------
    offers_rows : DataFrame
        The chosen offers in handout order (see :func:`handout_entries`).
    profile_summary : str
        One plain-text line describing the need (no names; nothing is stored).
    lang : {"de", "en"}
    date : datetime.date
        Printed as the date of the information.
    streets : GeoDataFrame, optional
        ``Region.basemap["streets"]`` (EPSG:4326) for the map.
    origin : (lon, lat), optional
        The start point, drawn as "S".
    """
    entries = handout_entries(offers_rows, lang=lang)
    heading = title or _t("title", lang)
    sketch = map_sketch(entries, streets=streets, origin=origin)
    items = []
    for e in entries:
        facts = [
            (_t("address", lang), esc(e.address)),
            (_t("provider", lang), esc(e.provider)),
            (_t("phone", lang), esc(e.phone)),
            (_t("email", lang), esc(e.email)),
            (_t("website", lang), esc(e.website)),
            (_t("hours", lang), esc(e.hours)),
            (_t("places", lang), esc(e.places)),
            (_t("travel", lang), esc(e.travel)),
            (_t("why", lang), esc(e.reasons)),
        ]
        rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts if v)
        items.append(
            f'<li><span class="num" style="background:{esc(e.color)}">{e.number}</span>'
            f'<strong>{esc(e.name)}</strong> <span class="cat">· {esc(e.category)}</span>'
            f"<dl>{rows}</dl></li>"
        )
    body = f'<ol class="offers">{"".join(items)}</ol>' if items else f"<p>{_t('none', lang)}</p>"
    map_html = _svg(sketch) if sketch is not None else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{esc(heading)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(heading)}</h1>"
        f'<div class="meta">{esc(_t("profile", lang))}: {esc(profile_summary)} · '
        f"{esc(_t('date', lang))}: {esc(format_date(date, lang=lang))}</div>"
        f"{map_html}{body}"
        f"<footer><p>{esc(_t('privacy', lang))}</p><p>{esc(_t('sources', lang))}</p></footer>"
        "</body></html>"
    )


# --------------------------------------------------------------------------- PDF


def find_font() -> Path | None:
    """A TTF with Umlaute: ``BLK_PDF_FONT``, then Debian's DejaVu/Liberation/FreeSans."""
    env = os.environ.get("BLK_PDF_FONT")
    for candidate in ([env] if env else []) + list(FONT_CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def _hex_rgb(color: str) -> tuple[int, int, int]:
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return (0, 0, 0)


class _Handout(FPDF):
    def __init__(self, *, font_path: Path | None) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.unicode_font = font_path is not None
        if font_path is not None:
            self.add_font("Body", "", str(font_path))
            bold = font_path.with_name(font_path.stem + "-Bold" + font_path.suffix)
            self.add_font("Body", "B", str(bold if bold.is_file() else font_path))
            self.body_family = "Body"
        else:
            self.body_family = "Helvetica"
            # Core fonts can print all of Windows-1252 (Umlaute, ß, €, dashes).
            self.core_fonts_encoding = "cp1252"
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def text_safe(self, text: str) -> str:
        if self.unicode_font:
            return text
        # Core fonts are cp1252 (Umlaute and ß are fine); anything else becomes "?".
        return text.encode("cp1252", errors="replace").decode("cp1252")

    def font(self, size: float, *, bold: bool = False) -> None:
        self.set_font(self.body_family, "B" if bold else "", size)


def _draw_map(pdf: _Handout, sketch: MapSketch, *, height: float) -> None:
    x0, y0 = pdf.l_margin, pdf.get_y()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    scale, ox, oy = sketch.to_box(x0, y0, width, height)

    def pt(x: float, y: float) -> tuple[float, float]:
        return ox + (x - sketch.xmin) * scale, oy + (sketch.ymax - y) * scale

    pdf.set_fill_color(246, 244, 240)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.rect(x0, y0, width, height, style="DF")
    with pdf.rect_clip(x=x0, y=y0, w=width, h=height):
        for cls, coords in sketch.streets:
            grey = STREET_GREY.get(cls, 190)
            pdf.set_draw_color(grey, grey, grey)
            pdf.set_line_width(STREET_WIDTH_MM.get(cls, 0.3))
            pdf.polyline([pt(x, y) for x, y in coords])
        if sketch.origin is not None:
            sx, sy = pt(*sketch.origin)
            pdf.set_fill_color(34, 34, 34)
            pdf.rect(sx - 2.4, sy - 2.4, 4.8, 4.8, style="F")
            pdf.set_text_color(255, 255, 255)
            pdf.font(7, bold=True)
            pdf.text(sx - pdf.get_string_width("S") / 2, sy + 1.2, "S")
        for number, mx, my, color in sketch.markers:
            cx, cy = pt(mx, my)
            pdf.set_fill_color(*_hex_rgb(color))
            pdf.set_draw_color(255, 255, 255)
            pdf.set_line_width(0.5)
            pdf.circle(cx, cy, 3.2, style="DF")
            label = str(number)
            pdf.set_text_color(255, 255, 255)
            pdf.font(7.5, bold=True)
            pdf.text(cx - pdf.get_string_width(label) / 2, cy + 1.3, label)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(y0 + height + 4)


def handout_pdf(
    offers_rows: pd.DataFrame,
    *,
    profile_summary: str,
    lang: str,
    date: dt.date,
    streets: gpd.GeoDataFrame | None = None,
    origin: tuple[float, float] | None = None,
    title: str | None = None,
    font_path: str | Path | None = None,
) -> bytes:
    """The handout as an A4 PDF: title, profile, date, vector map, offers with contacts.

    Parameters are those of :func:`handout_html`; ``font_path`` overrides the TTF
    (default :func:`find_font`). Without any TTF the core Helvetica font is used
    (Umlaute still print; characters outside Windows-1252 become "?").

    Returns
    -------
    bytes
        The PDF document.
    """
    entries = handout_entries(offers_rows, lang=lang)
    font = Path(font_path) if font_path else find_font()
    pdf = _Handout(font_path=font)
    pdf.set_title(title or _t("title", lang))
    pdf.set_creator("Bildungslandkarte")
    pdf.add_page()
    s = pdf.text_safe
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.font(18, bold=True)
    pdf.multi_cell(usable, 9, s(title or _t("title", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.font(10)
    pdf.set_text_color(80, 80, 80)
    meta = (
        f"{_t('profile', lang)}: {profile_summary}  ·  "
        f"{_t('date', lang)}: {format_date(date, lang=lang)}"
    )
    pdf.multi_cell(usable, 5, s(meta), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    sketch = map_sketch(entries, streets=streets, origin=origin)
    if sketch is not None:
        _draw_map(pdf, sketch, height=usable / 1.8)
    if not entries:
        pdf.font(11)
        pdf.multi_cell(usable, 6, s(_t("none", lang)), new_x="LMARGIN", new_y="NEXT")
    for e in entries:
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_fill_color(*_hex_rgb(e.color))
        pdf.set_draw_color(255, 255, 255)
        pdf.circle(pdf.l_margin + 3, y + 3, 3, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.font(8, bold=True)
        pdf.text(pdf.l_margin + 3 - pdf.get_string_width(str(e.number)) / 2, y + 4.2, str(e.number))
        pdf.set_text_color(0, 0, 0)
        pdf.set_xy(pdf.l_margin + 8, y)
        pdf.font(12, bold=True)
        pdf.multi_cell(usable - 8, 6, s(e.name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(pdf.l_margin + 8)
        pdf.font(9)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(usable - 8, 4.5, s(e.category), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        facts = [
            ("address", e.address),
            ("provider", e.provider),
            ("phone", e.phone),
            ("email", e.email),
            ("website", e.website),
            ("hours", e.hours),
            ("places", e.places),
            ("travel", e.travel),
            ("why", e.reasons),
        ]
        for key, value in facts:
            if not value:
                continue
            pdf.set_x(pdf.l_margin + 8)
            pdf.font(9, bold=True)
            pdf.cell(32, 4.8, s(_t(key, lang)))
            pdf.font(9)
            pdf.multi_cell(usable - 40, 4.8, s(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(2)
    pdf.font(8)
    pdf.set_text_color(90, 90, 90)
    for key in ("privacy", "sources"):
        pdf.multi_cell(usable, 4, s(_t(key, lang)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
