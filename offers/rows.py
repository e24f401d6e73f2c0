"""Checking offer rows and converting them into offer records.

:func:`parse_rows` turns each row read by :mod:`offers.readers` into either a record
or a :class:`offers.readers.Reject` with row number, field and reason.

German habits
-------------
- Decimal commas (``52,4227``) and thousands dots in counts (``1.200``).
- German or English headers map automatically (:data:`HEADER_ALIASES`), the user can
  override with ``mapping={"name": "Bezeichnung", ...}`` (schema field -> header).
- Coordinates from ``lat``/``lon`` (Breitengrad/Längengrad, EPSG:4326), from
  ``Rechtswert``/``Hochwert`` (EPSG:25832), from the geometry of GeoJSON/GeoPackage
  files, or geocoded from Straße/Hausnummer/PLZ/Ort with a geocoder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import shapely
from pyproj import Transformer

from geo.agegroups import groups_for_ages
from geo.errors import GeocodeError, OfferImportError
from geo.settings import CRS_MEASURE, CRS_STORE
from geo.textfold import fold_text
from offers.readers import RawTable, Reject, normalise_header
from offers.safety import FORMULA_PREFIXES
from offers.schema import normalise_record
from offers.taxonomy import CATEGORIES, PROVIDER_TYPE_WORDS, provider_type_from, resolve_category

#: Germany's extent with a margin, EPSG:4326 (lon_min, lat_min, lon_max, lat_max).
GERMANY_BBOX: tuple[float, float, float, float] = (5.5, 47.0, 15.5, 55.2)

# Normalised header -> field. Extra fields beyond the schema: id, lat, lon, easting,
# northing, address (a full address line).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "kennung", "schulnummer", "offerid", "angebotsid", "objektid"),
    "name": (
        "name",
        "einrichtung",
        "bezeichnung",
        "facility",
        "einrichtungsname",
        "schulname",
        "angebot",
        "titel",
        "title",
    ),
    "category": ("kategorie", "category", "angebotsart", "einrichtungsart", "art", "typ"),
    "subtype": ("schulform", "schultyp", "schooltype", "subtype", "unterart", "untertyp"),
    "age_min": ("alterab", "altervon", "agemin", "mindestalter"),
    "age_max": ("alterbis", "agemax", "hoechstalter"),
    "topics": ("themen", "thema", "topics", "schwerpunkt", "schwerpunkte"),
    "languages": ("sprachen", "sprache", "languages", "language"),
    "provider": ("traeger", "institution", "provider", "betreiber", "operator"),
    "provider_type": ("traegerart", "traegertyp", "providertype", "traegerschaft"),
    "street": ("strasse", "str", "street"),
    "address": ("adresse", "address", "anschrift"),
    "housenumber": ("hausnummer", "hausnr", "housenumber", "nr"),
    "postcode": ("plz", "postleitzahl", "postcode", "postalcode", "zip"),
    "city": ("ort", "stadt", "city", "gemeinde", "wohnort"),
    "phone": ("telefon", "tel", "phone", "phonenumber", "telefonnummer"),
    "email": ("email", "mail", "emailadresse"),
    "website": ("website", "internet", "homepage", "url", "web", "webseite"),
    "opening_hours": ("oeffnungszeiten", "openinghours", "betreuungszeiten", "zeiten"),
    "wheelchair": ("barrierefrei", "rollstuhl", "rollstuhlgerecht", "wheelchair"),
    "capacity": (
        "plaetze",
        "kapazitaet",
        "capacity",
        "childcareplaces",
        "betreuungsplaetze",
        "plaetzegesamt",
    ),
    "free_places": ("freieplaetze", "freeplaces"),
    "fees": ("gebuehren", "kosten", "fees", "entgelt", "beitrag"),
    "updated": ("stand", "aktualisiert", "updated", "datum"),
    "lat": ("lat", "latitude", "breitengrad", "breite", "ykoordinate"),
    "lon": ("lon", "lng", "long", "longitude", "laengengrad", "laenge", "xkoordinate"),
    "easting": ("rechtswert", "easting", "ostwert"),
    "northing": ("hochwert", "northing", "nordwert"),
}
MAPPABLE_FIELDS: tuple[str, ...] = tuple(HEADER_ALIASES)

_YES = {"ja", "yes", "y", "j", "x", "true", "wahr", "1", "vorhanden", "barrierefrei"}
_NO = {"nein", "no", "n", "false", "falsch", "0", "nicht barrierefrei"}
_LIMITED = {"teilweise", "eingeschränkt", "eingeschraenkt", "limited", "bedingt", "teils"}
_ADDRESS_RE = re.compile(
    r"^(?P<street>.*?\D)\s*(?P<nr>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+\s?[a-zA-Z]?)?)?"
    r"\s*,?\s*(?P<plz>\d{5})\s+(?P<city>.+)$"
)
_STREET_NR_RE = re.compile(r"^(?P<street>.*?\D)\s+(?P<nr>\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+)?)$")


class Geocoder(Protocol):
    """What :func:`parse_rows` needs from :class:`geo.geocode.Geocoder`."""

    def geocode(self, query: str) -> Any:  # result with lon, lat, score, kind, label
        ...


@dataclass(frozen=True)
class ParsedRow:
    """A valid row: its number, a matching key and the offer record (EPSG:4326)."""

    row: int
    key: str
    record: dict[str, Any]
    values: dict[str, Any]


def detect_mapping(
    headers: list[str], *, mapping: Mapping[str, str] | None = None, path: Path | None = None
) -> dict[str, str]:
    """Schema field -> file header, from :data:`HEADER_ALIASES` and the user's mapping.

    Parameters
    ----------
    headers : list of str
        The file's column names.
    mapping : mapping of str to str, optional
        Overrides, ``{field: header}``; a field mapped to ``""`` is ignored.

    Raises
    ------
    OfferImportError
        Unknown field or header in ``mapping``, or no column for the name.
    """
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), h)
    found: dict[str, str] = {}
    used: set[str] = set()
    for fld, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            h = by_norm.get(alias)
            if h is not None and h not in used:
                found[fld] = h
                used.add(h)
                break
    for fld, header in (mapping or {}).items():
        if fld not in HEADER_ALIASES:
            raise OfferImportError(
                f"unknown field {fld!r} in the column mapping.",
                path=path,
                field=fld,
                hint=f"Use one of: {', '.join(MAPPABLE_FIELDS)}.",
            )
        if not header:
            found.pop(fld, None)
            continue
        if header not in headers:
            raise OfferImportError(
                f"the mapping names column {header!r}, which the file does not have.",
                path=path,
                field=fld,
                hint=f"Columns in the file: {', '.join(headers)}.",
            )
        found = {k: v for k, v in found.items() if v != header}
        found[fld] = header
    if "name" not in found:
        raise OfferImportError(
            "no column for the offer name.",
            path=path,
            field="name",
            hint=(
                f"Name a column 'Name' or 'Einrichtung', or map it, e.g. "
                f"--map name=<column>. Columns in the file: {', '.join(headers)}."
            ),
        )
    return found


def parse_number(text: Any) -> float | None:
    """German or English decimal: ``"52,42"``, ``"52.42"``, ``"1.234,5"`` -> float.

    Returns ``None`` for blanks; raises ``ValueError`` for anything else.
    """
    if text is None:
        return None
    if isinstance(text, int | float):
        return None if isinstance(text, float) and math.isnan(text) else float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        s = s.replace(",", ".")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(s)
    return value


def parse_count(text: Any) -> int | None:
    """A non-negative whole number; ``"1.200"`` is 1200 (German thousands dot)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, str) and re.fullmatch(r"\s*\d{1,3}(\.\d{3})+\s*", text):
        text = text.replace(".", "")
    value = parse_number(text)
    if value is None:
        return None
    if value < 0 or value != int(value):
        raise ValueError(str(text))
    return int(value)


def _text(values: Mapping[str, Any], mapping: Mapping[str, str], fld: str) -> str:
    header = mapping.get(fld)
    if header is None:
        return ""
    value = values.get(header, "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # XLSX gives 24939.0 for a PLZ
    text = "" if value is None else str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and text[1:2]:
        text = text[1:]  # our own CSV export neutralised this cell; keep the data as it was
    return text


def _norm_key(text: str) -> str:
    # not transliterated: offer ids of earlier imports are derived from these keys
    return fold_text(text, transliterate=False)


def _in_bbox(lon: float, lat: float, bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


class _RowError(Exception):
    def __init__(self, fld: str, reason: str) -> None:
        super().__init__(reason)
        self.field = fld
        self.reason = reason


def _locate(
    values: Mapping[str, Any],
    mapping: Mapping[str, str],
    rec: dict[str, Any],
    *,
    point: shapely.Geometry | str | None,
    geocoder: Geocoder | None,
    area: shapely.Geometry | None,
    min_score: float,
    to_store: Transformer,
) -> None:
    """Set lon/lat/location_source/location_score on ``rec`` or raise _RowError."""
    inside = (
        (lambda x, y: bool(area.covers(shapely.Point(x, y))))
        if area is not None
        else (lambda x, y: _in_bbox(x, y, GERMANY_BBOX))
    )
    where = "the region" if area is not None else "Germany"
    lon = lat = None
    source = "file"
    if isinstance(point, str):
        raise _RowError("geometry", point + " Fix or redraw the feature.")
    if point is not None:
        lon, lat = point.x, point.y
        lon_field, lat_field = "geometry", "geometry"
    elif mapping.get("lat") and mapping.get("lon"):
        lat_field, lon_field = mapping["lat"], mapping["lon"]
        try:
            lat = parse_number(values.get(lat_field))
        except ValueError:
            raise _RowError(
                lat_field, f"latitude {values.get(lat_field)!r} is not a number."
            ) from None
        try:
            lon = parse_number(values.get(lon_field))
        except ValueError:
            raise _RowError(
                lon_field, f"longitude {values.get(lon_field)!r} is not a number."
            ) from None
        if (lat is None) != (lon is None):
            missing = lat_field if lat is None else lon_field
            raise _RowError(missing, "only one of the two coordinates is filled in.")
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _RowError(
                lat_field,
                f"coordinates ({lat}, {lon}) are not WGS84 degrees."
                " Give latitude/longitude in decimal degrees.",
            )
    elif mapping.get("easting") and mapping.get("northing"):
        lat_field, lon_field = mapping["northing"], mapping["easting"]
        try:
            east = parse_number(values.get(lon_field))
            north = parse_number(values.get(lat_field))
        except ValueError:
            raise _RowError(lon_field, "Rechtswert/Hochwert is not a number.") from None
        if east is not None and north is not None:
            lon, lat = to_store.transform(east, north)
    if lon is not None and lat is not None:
        if not inside(lon, lat):
            if point is None and inside(lat, lon):
                raise _RowError(
                    lat_field,
                    f"latitude and longitude look swapped ({lat}, {lon}); "
                    "swap the two columns for this row.",
                )
            raise _RowError(
                lat_field,
                f"the point ({lat:.5f}, {lon:.5f}) lies outside {where}; "
                "check the coordinates or import the row into the right region.",
            )
        rec.update(lon=lon, lat=lat, location_source=source, location_score=1.0)
        return
    query = ", ".join(
        p
        for p in (
            " ".join(p for p in (rec["street"], rec["housenumber"]) if p),
            " ".join(p for p in (rec["postcode"], rec["city"]) if p),
        )
        if p
    )
    addr_field = mapping.get("address") or mapping.get("street") or "address"
    if not query:
        raise _RowError(
            addr_field, "no coordinates and no address; add Breitengrad/Längengrad or an address."
        )
    if geocoder is None:
        raise _RowError(
            addr_field,
            "no coordinates and no geocoder for the address; add Breitengrad/Längengrad "
            "or import the file into a built region.",
        )
    try:
        hit = geocoder.geocode(query)
    except GeocodeError as exc:
        raise _RowError(
            addr_field,
            f"address {query!r} not found in the region ({exc}); correct it or add coordinates.",
        ) from None
    score = float(getattr(hit, "score", 0.0))
    if score > 1.0:
        score /= 100.0  # geo.geocode scores 0–100; the offer keeps 0–1
    if score < min_score:
        raise _RowError(
            addr_field,
            f"address {query!r} matched only {getattr(hit, 'label', '?')!r} "
            f"(score {score:.2f} < {min_score:.2f}); correct it or add coordinates.",
        )
    hit_plz = str(getattr(hit, "postcode", "") or "")
    if rec["postcode"] and hit_plz and hit_plz != rec["postcode"]:
        raise _RowError(
            mapping.get("postcode", addr_field),
            f"address {query!r} matched {getattr(hit, 'label', '?')!r} with another PLZ "
            f"({hit_plz}); PLZ {rec['postcode']} is not in this region. Import the row into "
            "the right region or correct the PLZ.",
        )
    if not inside(float(hit.lon), float(hit.lat)):
        raise _RowError(addr_field, f"address {query!r} lies outside {where}.")
    rec.update(
        lon=float(hit.lon),
        lat=float(hit.lat),
        location_source=f"geocoded:{getattr(hit, 'kind', 'address')}",
        location_score=score,
    )


def _parse_row(
    n: int,
    values: Mapping[str, Any],
    mapping: Mapping[str, str],
    *,
    source: str,
    default_category: str | None,
    updated: str,
) -> dict[str, Any]:
    # Coordinates are read from the raw values by _locate.
    skip = ("lat", "lon", "easting", "northing")
    rec: dict[str, Any] = {f: _text(values, mapping, f) for f in MAPPABLE_FIELDS if f not in skip}
    if not rec["name"]:
        raise _RowError(mapping["name"], "the name is empty; fill it in.")
    rec["name"] = " ".join(rec["name"].split())  # quoted line breaks in names
    # Split a full address line ("Hauptstr. 5, 38440 Wolfsburg") into its parts.
    line = rec.pop("address")
    if line and not rec["street"]:
        m = _ADDRESS_RE.match(line)
        if m:
            rec["street"] = m.group("street").strip(" ,")
            rec["housenumber"] = rec["housenumber"] or (m.group("nr") or "").replace(" ", "")
            rec["postcode"] = rec["postcode"] or m.group("plz")
            rec["city"] = rec["city"] or m.group("city").strip()
        else:
            rec["street"] = line
    if rec["street"] and not rec["housenumber"]:
        m = _STREET_NR_RE.match(rec["street"])
        if m:
            rec["street"], rec["housenumber"] = m.group("street").strip(), m.group("nr")
    if rec["postcode"] and not re.fullmatch(r"\d{5}", rec["postcode"]):
        if re.fullmatch(r"\d{4}", rec["postcode"]):
            rec["postcode"] = "0" + rec["postcode"]  # spreadsheets drop the leading zero
        else:
            raise _RowError(mapping["postcode"], f"PLZ {rec['postcode']!r} is not five digits.")
    category = resolve_category(rec["category"]) or resolve_category(rec["subtype"])
    category = category or resolve_category(rec["name"]) or default_category
    if category is None:
        fld = mapping.get("category", "category")
        raise _RowError(
            fld,
            f"category {rec['category']!r} unknown and none found in the name; use one of "
            f"{', '.join(CATEGORIES)} or pass a default category.",
        )
    rec["category"] = category
    cat = CATEGORIES[category]
    rec["subtype"] = rec["subtype"] or cat.label_de
    for fld in ("age_min", "age_max", "capacity", "free_places"):
        try:
            rec[fld] = parse_count(rec[fld])
        except ValueError:
            raise _RowError(
                mapping[fld], f"{rec[fld]!r} is not a whole number of 0 or more."
            ) from None
    if rec["age_min"] is None and rec["age_max"] is None:
        rec["age_min"], rec["age_max"] = cat.target_min_age, cat.target_max_age
    elif rec["age_min"] is None:
        rec["age_min"] = 0
    if rec["age_max"] is not None and rec["age_min"] > rec["age_max"]:
        raise _RowError(mapping.get("age_max", "age_max"), "age 'to' is below age 'from'.")
    if (
        rec["capacity"] is not None
        and rec["free_places"] is not None
        and rec["free_places"] > rec["capacity"]
    ):
        raise _RowError(mapping["free_places"], "more free places than places; check both.")
    rec["target_groups"] = list(groups_for_ages(rec["age_min"], rec["age_max"]))
    wheel = rec["wheelchair"].lower()
    if not wheel:
        rec["wheelchair"] = ""
    elif wheel in _YES:
        rec["wheelchair"] = "yes"
    elif wheel in _NO:
        rec["wheelchair"] = "no"
    elif wheel in _LIMITED:
        rec["wheelchair"] = "limited"
    else:
        raise _RowError(mapping["wheelchair"], f"{rec['wheelchair']!r} is not ja/nein/teilweise.")
    ptype = rec["provider_type"].lower()
    rec["provider_type"] = PROVIDER_TYPE_WORDS.get(ptype) or provider_type_from(
        ptype, provider=rec["provider"] or rec["name"]
    )
    for fld in ("topics", "languages"):
        rec[fld] = [v.strip() for v in re.split(r"[;,/]", rec[fld]) if v.strip()]
    rec["updated"] = rec["updated"] or updated
    rec["source"] = source
    rec["source_ref"] = f"{source} row {n}"
    return rec


def parse_rows(
    table: RawTable,
    *,
    mapping: Mapping[str, str] | None = None,
    geocoder: Geocoder | None = None,
    area: shapely.Geometry | None = None,
    source: str | None = None,
    default_category: str | None = None,
    updated: str = "",
    min_score: float = 0.6,
) -> tuple[list[ParsedRow], list[Reject], dict[str, str]]:
    """Validate and convert rows; every row ends in the first or the second list.

    Parameters
    ----------
    table : RawTable
        From :func:`read_table`.
    mapping : mapping, optional
        Field -> header overrides (see :func:`detect_mapping`).
    geocoder : Geocoder, optional
        For rows without coordinates; its match kind and score are kept in the record
        (``location_source``, ``location_score``).
    area : shapely geometry, optional
        Region outline in EPSG:4326; points outside are rejected. Without it, only
        points outside Germany are rejected.
    source : str, optional
        Source name kept in the records; default the file name.
    default_category : str, optional
        Category key for rows whose category cannot be determined.
    updated : str
        Date stored in ``updated`` when the row has none (ISO).
    min_score : float
        Geocoder matches below this score are rejected.

    Returns
    -------
    parsed, rejects, mapping
        Valid rows (records in EPSG:4326), rejected rows, the mapping used.
    """
    if default_category is not None and default_category not in CATEGORIES:
        raise OfferImportError(
            f"unknown default category {default_category!r}.",
            field="category",
            hint=f"Use one of {', '.join(CATEGORIES)}.",
        )
    used = detect_mapping(table.headers, mapping=mapping, path=table.path)
    source = source or table.path.name
    to_store = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)
    parsed: list[ParsedRow] = []
    rejects = list(table.bad_rows)
    first_id: dict[str, int] = {}
    for n, values in table.rows:
        try:
            rec = _parse_row(
                n, values, used, source=source, default_category=default_category, updated=updated
            )
            ext_id = rec.pop("id")
            if ext_id:
                if ext_id in first_id:
                    raise _RowError(
                        used["id"],
                        f"id {ext_id!r} appears again (first in row {first_id[ext_id]}); "
                        "give each row its own id.",
                    )
                first_id[ext_id] = n
                key = f"{source}|id:{ext_id}"
                rec["source_ref"] = f"{source} id {ext_id}"
            else:
                key = "|".join(
                    (
                        source,
                        _norm_key(rec["name"]),
                        _norm_key(rec["street"]),
                        _norm_key(rec["housenumber"]),
                        rec["postcode"],
                    )
                )
            _locate(
                values,
                used,
                rec,
                point=table.points.get(n),
                geocoder=geocoder,
                area=area,
                min_score=min_score,
                to_store=to_store,
            )
        except _RowError as err:
            rejects.append(Reject(row=n, field=err.field, reason=err.reason, values=dict(values)))
            continue
        parsed.append(ParsedRow(row=n, key=key, record=normalise_record(rec), values=dict(values)))
    rejects.sort(key=lambda r: r.row)
    return parsed, rejects, used
