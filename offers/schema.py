"""The offer table: one schema for the whole education landscape.

An offer table is a GeoDataFrame in EPSG:4326 (points), indexed by ``offer_id`` (a
stable str), with the columns :data:`OFFER_COLUMNS` in that order.

Column types
------------
- ``target_groups``, ``topics``, ``languages``: Python ``list[str]`` (empty list when
  unknown). Exports join them with ``"; "``; the store keeps them as JSON.
- ``age_min``, ``age_max``, ``capacity``, ``free_places``: pandas nullable ``Int64``.
- ``wheelchair``: ``"yes"``, ``"limited"``, ``"no"`` or ``""`` (unknown), as in OSM.
- ``provider_type``: ``"public"``, ``"church"``, ``"free"`` (free welfare / non-profit),
  ``"private"`` or ``""``.
- ``source``: where the record came from, ``"; "``-joined when merged
  (``"osm; schulen_2017.csv"``); ``source_ref``: matching references
  (``"node/123; schulen_2017.csv row 5"``).
- ``location_source``: how the point was found (``"osm"``, ``"file"``,
  ``"geocoded:<kind>"``); ``location_score``: geocoder match quality 0–1 (1.0 for
  coordinates given in the source).
- ``updated``: ISO date (``YYYY-MM-DD``) of the last change.
- every other column: str, ``""`` when unknown.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.settings import CRS_STORE

OFFER_COLUMNS: tuple[str, ...] = (
    "name",
    "category",
    "subtype",
    "age_min",
    "age_max",
    "target_groups",
    "topics",
    "languages",
    "provider",
    "provider_type",
    "street",
    "housenumber",
    "postcode",
    "city",
    "phone",
    "email",
    "website",
    "opening_hours",
    "wheelchair",
    "capacity",
    "free_places",
    "fees",
    "source",
    "source_ref",
    "updated",
    "location_source",
    "location_score",
    "geometry",
)
LIST_COLUMNS: tuple[str, ...] = ("target_groups", "topics", "languages")
INT_COLUMNS: tuple[str, ...] = ("age_min", "age_max", "capacity", "free_places")
FLOAT_COLUMNS: tuple[str, ...] = ("location_score",)
TEXT_COLUMNS: tuple[str, ...] = tuple(
    c for c in OFFER_COLUMNS if c not in (*LIST_COLUMNS, *INT_COLUMNS, *FLOAT_COLUMNS, "geometry")
)
#: Record fields: the columns without geometry, plus ``lon``/``lat`` (EPSG:4326).
RECORD_FIELDS: tuple[str, ...] = (*OFFER_COLUMNS[:-1], "lon", "lat")

WHEELCHAIR_VALUES: tuple[str, ...] = ("yes", "limited", "no", "")
PROVIDER_TYPES: tuple[str, ...] = ("public", "church", "free", "private", "")


def empty_offers() -> gpd.GeoDataFrame:
    """An offer table with no rows, the right columns, dtypes and CRS (EPSG:4326)."""
    return records_to_frame({})


def offer_id(prefix: str, key: str) -> str:
    """A stable id: ``<prefix>-<12 hex chars of sha1(key)>``."""
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def _int_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return int(value)


def normalise_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A complete record with every :data:`RECORD_FIELDS` key and canonical types.

    Missing text becomes ``""``, missing lists ``[]``, missing numbers ``None``.
    Coordinates ``lon``/``lat`` are EPSG:4326 floats (or ``None``).
    """
    out: dict[str, Any] = {}
    for col in TEXT_COLUMNS:
        value = record.get(col)
        out[col] = "" if value is None or value is pd.NA else str(value).strip()
    for col in LIST_COLUMNS:
        value = record.get(col)
        if value is None or value is pd.NA:
            out[col] = []
        elif isinstance(value, str):
            out[col] = [v.strip() for v in value.split(";") if v.strip()]
        else:
            out[col] = [str(v).strip() for v in value if str(v).strip()]
    for col in INT_COLUMNS:
        out[col] = _int_or_none(record.get(col))
    score = record.get("location_score")
    out["location_score"] = None if score is None or pd.isna(score) else round(float(score), 3)
    for col in ("lon", "lat"):
        value = record.get(col)
        out[col] = None if value is None or pd.isna(value) else round(float(value), 7)
    return out


def records_to_frame(records: Mapping[str, Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """Build an offer table from ``{offer_id: record}``.

    Parameters
    ----------
    records : mapping of str to mapping
        Records as produced by :func:`normalise_record` (``lon``/``lat`` in EPSG:4326).

    Returns
    -------
    GeoDataFrame
        EPSG:4326, index ``offer_id``, columns :data:`OFFER_COLUMNS`.
    """
    ids = list(records)
    recs = [normalise_record(records[i]) for i in ids]
    data: dict[str, Any] = {}
    for col in OFFER_COLUMNS[:-1]:
        values = [r[col] for r in recs]
        if col in INT_COLUMNS:
            data[col] = pd.array(values, dtype="Int64")
        elif col in FLOAT_COLUMNS:
            data[col] = pd.array([math.nan if v is None else v for v in values], dtype="float64")
        elif col in LIST_COLUMNS:
            data[col] = pd.Series(values, dtype=object).to_numpy()
        else:
            data[col] = pd.array(values, dtype=object)
    geoms = [
        None if r["lon"] is None or r["lat"] is None else shapely.Point(r["lon"], r["lat"])
        for r in recs
    ]
    index = pd.Index(ids, name="offer_id", dtype=object)
    frame = pd.DataFrame(data, index=index)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=index), crs=CRS_STORE)


def frame_to_records(offers: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """The inverse of :func:`records_to_frame` (geometry -> ``lon``/``lat``, EPSG:4326)."""
    if offers.crs is not None and offers.crs.to_string() != CRS_STORE:
        offers = offers.to_crs(CRS_STORE)
    out: dict[str, dict[str, Any]] = {}
    cols = [c for c in OFFER_COLUMNS[:-1] if c in offers.columns]
    for oid, row in zip(offers.index, offers[cols].to_dict("records"), strict=True):
        geom = offers.geometry.loc[oid]
        if isinstance(geom, gpd.GeoSeries):
            geom = geom.iloc[0]
        if geom is not None and not geom.is_empty:
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
            row["lon"], row["lat"] = pt.x, pt.y
        out[str(oid)] = normalise_record(row)
    return out
