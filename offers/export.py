"""Export of offers and rejected rows to CSV, XLSX and GeoJSON.

Headers are German by default (:data:`HEADERS_DE`) and chosen so that an exported file
imports again unchanged. CSV is written for German spreadsheet programs: UTF-8 with
BOM, ``;`` delimiter, decimal commas. Spreadsheet formulas are neutralised: in CSV a
text cell starting with ``= + - @`` gets a leading ``'``; in XLSX such cells are
written with the cell type *text*, so they are never evaluated. Writes are atomic
(temporary file in the same folder, then rename).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook

from geo.atomic import write_atomic
from geo.errors import OfferStoreError
from geo.settings import CRS_STORE
from offers.safety import neutralise_formula
from offers.schema import LIST_COLUMNS, OFFER_COLUMNS
from offers.taxonomy import CATEGORIES

HEADERS_DE: dict[str, str] = {
    "offer_id": "ID",
    "name": "Name",
    "category": "Kategorie",
    "subtype": "Unterart",
    "age_min": "Alter von",
    "age_max": "Alter bis",
    "target_groups": "Zielgruppen",
    "topics": "Themen",
    "languages": "Sprachen",
    "provider": "Träger",
    "provider_type": "Trägerart",
    "street": "Straße",
    "housenumber": "Hausnummer",
    "postcode": "PLZ",
    "city": "Ort",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Website",
    "opening_hours": "Öffnungszeiten",
    "wheelchair": "Barrierefrei",
    "capacity": "Plätze",
    "free_places": "Freie Plätze",
    "fees": "Gebühren",
    "source": "Quelle",
    "source_ref": "Quellenverweis",
    "updated": "Stand",
    "location_source": "Verortung",
    "location_score": "Verortungsgüte",
    "lat": "Breitengrad",
    "lon": "Längengrad",
}
_PROVIDER_DE = {"public": "öffentlich", "church": "kirchlich", "free": "frei", "private": "privat"}
_WHEELCHAIR_DE = {"yes": "ja", "limited": "teilweise", "no": "nein"}


def offers_table(offers: gpd.GeoDataFrame, *, lang: str = "de") -> pd.DataFrame:
    """The offers as a flat table for export: lists joined, lon/lat columns (EPSG:4326).

    ``lang="de"`` uses German headers and values (category label, ``ja/nein``),
    ``"en"`` keeps the schema names and values.
    """
    if offers.crs is not None and offers.crs.to_string() != CRS_STORE:
        offers = offers.to_crs(CRS_STORE)
    flat = pd.DataFrame(offers[[c for c in OFFER_COLUMNS if c != "geometry"]]).copy()
    for col in LIST_COLUMNS:
        flat[col] = flat[col].map(lambda v: "; ".join(v) if isinstance(v, list | tuple) else "")
    geoms = offers.geometry
    flat["lat"] = [None if g is None or g.is_empty else round(g.y, 7) for g in geoms]
    flat["lon"] = [None if g is None or g.is_empty else round(g.x, 7) for g in geoms]
    flat.insert(0, "offer_id", flat.index.astype(str))
    flat = flat.reset_index(drop=True)
    if lang == "de":
        flat["category"] = flat["category"].map(
            lambda k: CATEGORIES[k].label_de if k in CATEGORIES else k
        )
        flat["provider_type"] = flat["provider_type"].map(lambda v: _PROVIDER_DE.get(v, v))
        flat["wheelchair"] = flat["wheelchair"].map(lambda v: _WHEELCHAIR_DE.get(v, v))
        flat = flat.rename(columns=HEADERS_DE)
    elif lang != "en":
        raise OfferStoreError(f"unknown export language {lang!r}; use 'de' or 'en'.")
    return flat


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows with their original columns first, then ``Zeile``, ``Fehlerfeld``,
    ``Fehlergrund`` and ``Quelle``, ready to be corrected and imported again."""
    rows = []
    for rec in rejected.to_dict("records"):
        values = dict(rec["values"])
        values |= {
            "Zeile": rec["row"],
            "Fehlerfeld": rec["field"],
            "Fehlergrund": rec["reason"],
            "Quelle": rec["source"],
        }
        rows.append(values)
    cols = ["Zeile", "Fehlerfeld", "Fehlergrund", "Quelle"]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=cols)
    return frame[[c for c in frame.columns if c not in cols] + cols]


def _cell_de(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        # Full precision (coordinates have 7 decimals), German decimal comma.
        return repr(round(value, 7)).replace(".", ",")
    return value


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a flat table to ``.csv`` or ``.xlsx`` (by suffix), atomically, formulas
    neutralised (see the module docstring)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_MINIMAL)
                writer.writerow([neutralise_formula(str(c)) for c in frame.columns])
                for row in frame.itertuples(index=False, name=None):
                    writer.writerow([neutralise_formula(_cell_de(v)) for v in row])

        return write_atomic(path, write)
    if suffix == ".xlsx":

        def write(tmp: Path) -> None:
            wb = Workbook()
            ws = wb.active
            ws.title = "Angebote"
            ws.append([str(c) for c in frame.columns])
            for r, row in enumerate(frame.itertuples(index=False, name=None), start=2):
                for c, value in enumerate(row, start=1):
                    if (
                        value is None
                        or value is pd.NA
                        or (isinstance(value, float) and pd.isna(value))
                    ):
                        continue
                    cell = ws.cell(row=r, column=c)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        cell.value = value
                    else:
                        cell.value = str(value)
                        cell.data_type = "s"  # text, never a formula
            for cell in ws[1]:
                cell.data_type = "s"
            wb.save(tmp)

        return write_atomic(path, write)
    raise OfferStoreError(f"unknown table format {suffix!r}; use .csv, .xlsx or .geojson.")


def export_offers(offers: gpd.GeoDataFrame, path: str | Path, *, lang: str = "de") -> Path:
    """Write an offer table to CSV, XLSX or GeoJSON (EPSG:4326), German headers by default.

    Returns the path written.
    """
    path = Path(path)
    flat = offers_table(offers, lang=lang)
    if path.suffix.lower() in (".geojson", ".json"):
        lat, lon = (
            HEADERS_DE["lat"] if lang == "de" else "lat",
            HEADERS_DE["lon"] if lang == "de" else "lon",
        )
        features = []
        for row in flat.to_dict("records"):
            y, x = row.pop(lat), row.pop(lon)
            props = {
                k: (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
                for k, v in row.items()
            }
            geom = None if x is None or pd.isna(x) else {"type": "Point", "coordinates": [x, y]}
            features.append({"type": "Feature", "properties": props, "geometry": geom})
        doc = {"type": "FeatureCollection", "features": features}

        def write(tmp: Path) -> None:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, default=int), encoding="utf-8")

        return write_atomic(path, write)
    return write_table(flat, path)


def export_rejected(rejected: pd.DataFrame, path: str | Path) -> Path:
    """Write rejected rows (from :meth:`offers.store.OfferStore.rejected`) to CSV, XLSX or
    GeoJSON (features without geometry: the point is often what is wrong)."""
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        table = rejected_table(rejected)

        def write(tmp: Path) -> None:
            feats = [
                {
                    "type": "Feature",
                    "properties": {k: str(v) for k, v in r.items()},
                    "geometry": None,
                }
                for r in table.to_dict("records")
            ]
            tmp.write_text(
                json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                encoding="utf-8",
            )

        return write_atomic(path, write)
    return write_table(rejected_table(rejected), path)
