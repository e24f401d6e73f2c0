"""OSM points of interest -> offers. The whole tag mapping lives in this module.

How a POI becomes an offer
--------------------------
1. :data:`TAG_TABLE` is read top to bottom; the first ``(key, value)`` that the POI has
   decides the *base* category (``None`` = a refinement below decides). POIs that
   match no row are not education offers and are left out.
2. Refinement for base ``None`` and for schools/kindergartens, in this order:
   ``school:de`` (German school type, Niedersachsen and Bayern values), the name
   (keywords of :func:`offers.taxonomy.category_from_text`, e.g. "VHS" on a school),
   ``isced:level``, ``grades``, then the row's fallback.
3. Ages: ``grades`` (grade g is about age g+5 to g+6) wins over the category's
   default target ages. ``min_age``/``max_age`` tags are used when present.
4. ``operator:type`` -> provider type (``public/church/free/private``), else the
   operator name; ``capacity``, ``wheelchair``, ``opening_hours``, ``addr:*``,
   ``contact:*``, ``fee``, ``language:<code>=yes`` and ``subject``/``school:profile``
   (topics) are copied.

Ids are stable: ``osm-n<id>``, ``osm-w<id>``, ``osm-r<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.agegroups import groups_for_ages
from geo.settings import CRS_STORE
from offers.schema import records_to_frame
from offers.taxonomy import (
    CATEGORIES,
    OTHER,
    categories_in_text,
    category_from_text,
    provider_type_from,
)

#: (tag key, tag value or "*" for any value, base category or None, fallback category).
#: ``None`` as base means: refine from school:de / name / isced:level / grades and use
#: the fallback when nothing fits (``None`` fallback = skip the POI).
TAG_TABLE: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("amenity", "kindergarten", None, "kita"),
    ("amenity", "childcare", None, "kita"),
    ("amenity", "school", None, "schule_sonstige"),
    ("amenity", "college", None, "berufsschule"),
    ("amenity", "university", "hochschule", "hochschule"),
    ("amenity", "library", "bibliothek", "bibliothek"),
    ("amenity", "toy_library", OTHER, OTHER),
    ("amenity", "music_school", "musikschule", "musikschule"),
    ("amenity", "language_school", "sprachkurs", "sprachkurs"),
    ("amenity", "prep_school", OTHER, OTHER),
    ("community_centre", "youth_centre", "jugendzentrum", "jugendzentrum"),
    ("community_centre", "family_centre", "familienzentrum", "familienzentrum"),
    ("amenity", "youth_centre", "jugendzentrum", "jugendzentrum"),
    # Club homes (sports, landlords' or other associations) are offers only by name.
    ("community_centre", "club_home", None, None),
    ("amenity", "community_centre", None, OTHER),
    ("amenity", "social_centre", None, None),
    ("social_facility:for", "juvenile", "jugendzentrum", "jugendzentrum"),
    ("social_facility:for", "child", "jugendzentrum", "jugendzentrum"),
    ("social_facility:for", "family", "beratung_familie", "beratung_familie"),
    ("social_facility", "outreach", None, None),
    ("office", "employment_agency", "beratung_beruf", "beratung_beruf"),
    ("social_facility", "employment_agency", "beratung_beruf", "beratung_beruf"),
    ("office", "educational_institution", None, "beratung_bildung"),
    ("counselling", "family", "beratung_familie", "beratung_familie"),
    ("counselling", "education", "beratung_bildung", "beratung_bildung"),
    ("counselling", "career", "beratung_beruf", "beratung_beruf"),
)

#: Category groups a refinement (school:de, name, operator) may lead to, per tag. A
#: kindergarten named "Aktion Vorschule" stays early childhood and a village hall named
#: "Alte Schule" is no school; a result outside the set falls through to the next step.
REFINE_GROUPS: dict[tuple[str, str], frozenset[str]] = {
    ("amenity", "kindergarten"): frozenset({"fruehe_bildung", "jugend_familie"}),
    ("amenity", "childcare"): frozenset({"fruehe_bildung", "jugend_familie"}),
    ("amenity", "community_centre"): frozenset(
        {"fruehe_bildung", "jugend_familie", "erwachsenenbildung", "kultur", "sonstige"}
    ),
    ("community_centre", "club_home"): frozenset(
        {"fruehe_bildung", "jugend_familie", "erwachsenenbildung", "kultur"}
    ),
}
#: Tags whose ``operator`` is read as a further hint (a campus building of a
#: Hochschule tagged ``amenity=college`` is named after its room, not its school).
OPERATOR_HINT_TAGS: frozenset[tuple[str, str]] = frozenset({("amenity", "college")})
#: Short display words for unnamed offers whose category label is long.
UNNAMED_LABELS: dict[str, str] = {"schule_sonstige": "Schule", "sonstige": "Einrichtung"}

#: ``isced:level`` -> category (first level of a ``;`` list decides).
ISCED_TABLE: dict[str, str] = {
    "0": "kita",
    "1": "grundschule",
    "2": "schule_sonstige",
    "3": "schule_sonstige",
    "4": "berufsschule",
    "5": "hochschule",
    "6": "hochschule",
    "7": "hochschule",
    "8": "hochschule",
}
#: OSM ``wheelchair`` values -> schema values.
WHEELCHAIR_TABLE: dict[str, str] = {
    "yes": "yes",
    "designated": "yes",
    "limited": "limited",
    "no": "no",
}
_GRADES_RE = re.compile(r"^\s*(\d{1,2})\s*(?:-\s*(\d{1,2}))?\s*$")
_INT_RE = re.compile(r"^\s*(\d+)\s*$")
_POI_TYPES = {"node": "n", "way": "w", "relation": "r"}


def _grades(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    lows, highs = [], []
    for part in str(value).replace(",", ";").split(";"):
        m = _GRADES_RE.match(part)
        if not m:
            return None
        lows.append(int(m.group(1)))
        highs.append(int(m.group(2) or m.group(1)))
    return min(lows), max(highs)


def _int(value: Any) -> int | None:
    if value is None:
        return None
    m = _INT_RE.match(str(value))
    return int(m.group(1)) if m else None


def categorise(tags: Mapping[str, str], *, name: str = "") -> str | None:
    """The category key for one POI's tags, or ``None`` when it is not an offer.

    Parameters
    ----------
    tags : mapping of str to str
        All OSM tags.
    name : str
        The POI name (also read from ``tags["name"]`` when empty).
    """
    name = name or tags.get("name", "")
    for key, value, base, fallback in TAG_TABLE:
        have = tags.get(key)
        if have is None or (value != "*" and have != value):
            continue
        if base is not None:
            return base
        allowed = REFINE_GROUPS.get((key, value))
        texts = [tags.get("school:de"), tags.get("school:type:de"), name]
        if (key, value) in OPERATOR_HINT_TAGS:
            texts.append(tags.get("operator"))
        for text in texts:
            found = category_from_text(text)
            if found and (allowed is None or CATEGORIES[found].group in allowed):
                return found
        isced = str(tags.get("isced:level", "")).split(";")[0].strip()
        if isced in ISCED_TABLE and fallback in (None, "schule_sonstige", "kita"):
            return ISCED_TABLE[isced]
        grades = _grades(tags.get("grades"))
        if grades is not None and grades[1] <= 4:
            return "grundschule"
        return fallback
    return None


def _ages(category: str, tags: Mapping[str, str], name: str) -> tuple[int, int | None]:
    grades = _grades(tags.get("grades"))
    if grades is not None:
        return grades[0] + 5, grades[1] + 6
    lo, hi = _int(tags.get("min_age")), _int(tags.get("max_age"))
    cat = CATEGORIES[category]
    if lo is not None or hi is not None:
        return (lo if lo is not None else cat.target_min_age), hi
    # Combined school types ("Grund- und Hauptschule") span all their ages.
    found = [c for c in categories_in_text(tags.get("school:de") or name) if c in CATEGORIES]
    cats = [CATEGORIES[c] for c in {category, *found}]
    if any(c.group != cat.group for c in cats):
        cats = [cat]
    lows = [c.target_min_age for c in cats]
    highs = [c.target_max_age for c in cats]
    return min(lows), None if None in highs else max(h for h in highs if h is not None)


def _first(tags: Mapping[str, str], *keys: str) -> str:
    for key in keys:
        value = tags.get(key)
        if value:
            return str(value).strip()
    return ""


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def unnamed_label(category: str, tags: Mapping[str, str]) -> str:
    """A display name for an offer without ``name``: category and address.

    ``"Kita, Krugstraße 3"``; ``"Schule, Hauptstraße"``; without a street the place
    (``"Kita, Weyhausen"``) and without either ``"Kita (ohne Namen)"``.
    """
    label = UNNAMED_LABELS.get(category, CATEGORIES[category].label_de)
    street = _first(tags, "addr:street", "addr:place")
    where = f"{street} {_first(tags, 'addr:housenumber')}".strip() if street else ""
    where = where or _first(tags, "addr:city", "addr:suburb")
    return f"{label}, {where}" if where else f"{label} (ohne Namen)"


def offer_from_tags(
    tags: Mapping[str, str], *, name: str = "", updated: str = ""
) -> dict[str, Any] | None:
    """One offer record (without id and coordinates) from OSM tags, or ``None``."""
    name = (name or tags.get("name") or "").strip()
    category = categorise(tags, name=name)
    if category is None:
        return None
    cat = CATEGORIES[category]
    age_min, age_max = _ages(category, tags, name)
    provider = _first(tags, "operator", "operator:name")
    fee = str(tags.get("fee", "")).strip().lower()
    return {
        "name": name or unnamed_label(category, tags),
        "category": category,
        "subtype": _first(tags, "school:de", "school:type:de", "community_centre", "school")
        or cat.label_de,
        "age_min": age_min,
        "age_max": age_max,
        "target_groups": list(groups_for_ages(age_min, age_max)),
        "topics": _split(_first(tags, "subject", "school:profile", "education:subject")),
        "languages": sorted(
            k.split(":", 1)[1] for k, v in tags.items() if k.startswith("language:") and v == "yes"
        ),
        "provider": provider,
        "provider_type": provider_type_from(tags.get("operator:type"), provider=provider or name),
        "street": _first(tags, "addr:street", "addr:place"),
        "housenumber": _first(tags, "addr:housenumber"),
        "postcode": _first(tags, "addr:postcode"),
        "city": _first(tags, "addr:city"),
        "phone": _first(tags, "phone", "contact:phone"),
        "email": _first(tags, "email", "contact:email"),
        "website": _first(tags, "website", "contact:website", "url"),
        "opening_hours": _first(tags, "opening_hours"),
        "wheelchair": WHEELCHAIR_TABLE.get(str(tags.get("wheelchair", "")).strip(), ""),
        "capacity": _int(tags.get("capacity")),
        "free_places": None,
        "fees": {"no": "kostenlos", "yes": "kostenpflichtig"}.get(fee, fee),
        "updated": _first(tags, "check_date", "survey:date") or updated,
        "location_source": "osm",
        "location_score": 1.0,
    }


def offers_from_pois(pois: gpd.GeoDataFrame, *, updated: str = "") -> gpd.GeoDataFrame:
    """Map region POIs to an offer table.

    Parameters
    ----------
    pois : GeoDataFrame
        As :attr:`geo.region.Region.pois`: columns ``osm_type``, ``osm_id``, ``name``,
        ``tags`` (dict) and point geometry, any CRS (EPSG:4326 expected).
    updated : str
        Data date (``YYYY-MM-DD`` or ``YYYY-MM``) when the POI has no ``check_date``.

    Returns
    -------
    GeoDataFrame
        Offer table (EPSG:4326, index ``offer_id`` = ``osm-<n|w|r><id>``); POIs that
        are not education offers are left out. Areas are reduced to a point inside.
    """
    if pois.crs is not None and pois.crs.to_string() != CRS_STORE:
        pois = pois.to_crs(CRS_STORE)
    records: dict[str, dict[str, Any]] = {}
    colleges: list[str] = []
    for osm_type, osm_id, name, tags, geom in zip(
        pois["osm_type"], pois["osm_id"], pois["name"], pois["tags"], pois.geometry, strict=True
    ):
        if geom is None or geom.is_empty or not isinstance(tags, Mapping):
            continue
        rec = offer_from_tags(
            tags, name="" if name is None or pd.isna(name) else str(name), updated=updated
        )
        if rec is None:
            continue
        short = _POI_TYPES.get(str(osm_type), str(osm_type)[:1])
        pt = geom if geom.geom_type == "Point" else geom.representative_point()
        rec |= {
            "source": "osm",
            "source_ref": f"{osm_type}/{int(osm_id)}",
            "lon": pt.x,
            "lat": pt.y,
        }
        records[f"osm-{short}{int(osm_id)}"] = rec
        if rec["category"] == "berufsschule" and tags.get("amenity") == "college":
            colleges.append(f"osm-{short}{int(osm_id)}")
    _campus_buildings_to_hochschule(records, colleges)
    return records_to_frame(records)


def _first_word(text: str) -> str:
    words = re.findall(r"\w{4,}", text.lower())
    return words[0] if words else ""


def _campus_buildings_to_hochschule(
    records: dict[str, dict[str, Any]], colleges: list[str]
) -> None:
    """Re-label ``amenity=college`` buildings named after a Hochschule in the same table.

    "Ostfalia Gebäude F" says nothing by itself, but "Ostfalia Hochschule für angewandte
    Wissenschaften" (``amenity=university``) in the same region makes it a campus building.
    Only offers whose name and provider hold no category keyword are changed.
    """
    words = {
        _first_word(text)
        for rec in records.values()
        if rec["category"] == "hochschule"
        for text in (rec["name"], rec["provider"])
    } - {"", "hochschule", "universität", "fachhochschule", "campus"}
    if not words:
        return
    for oid in colleges:
        rec = records[oid]
        hints = (rec["name"], rec["provider"])
        if any(category_from_text(t) for t in hints):
            continue
        if any(_first_word(t) in words for t in hints if t):
            cat, old = CATEGORIES["hochschule"], CATEGORIES[rec["category"]]
            rec |= {
                "category": cat.key,
                "subtype": cat.label_de if rec["subtype"] == old.label_de else rec["subtype"],
                "age_min": cat.target_min_age,
                "age_max": cat.target_max_age,
                "target_groups": list(cat.target_groups),
            }
