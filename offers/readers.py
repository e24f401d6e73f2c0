"""Reading offer files (CSV, XLSX, GeoJSON, GeoPackage) into rows of text.

Reading never drops a row silently: :func:`read_table` returns every data row, or a
:class:`Reject` for rows it cannot split into fields. :mod:`offers.rows` then checks and
converts the rows into offer records.

German habits
-------------
- Delimiters ``;``, ``,``, tab or ``|`` (sniffed from the header line); encodings
  UTF-8, UTF-8 with BOM, UTF-16 with BOM, cp1252, latin-1 (tried in that order), and
  files whose lines mix UTF-8 and cp1252 (decoded line by line).

Row numbers are 1-based data rows (the header is not counted); a CSV record that
spans several lines because of a quoted line break counts once. Blank lines are not
rows. Geometries of geodata files are EPSG:4326.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from geo.errors import OfferImportError
from geo.settings import CRS_STORE
from geo.textfile import decode_table_bytes, sniff_delimiter
from geo.textfold import fold_text

#: Default maximum file size; override with the environment variable BLK_MAX_IMPORT_MB.
DEFAULT_MAX_IMPORT_MB = 50.0
SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx", ".geojson", ".json", ".gpkg")


@dataclass(frozen=True)
class Reject:
    """One row that could not be imported.

    ``field`` is the file's column name where one applies (else a schema field or
    ``"*"`` for the whole row); ``reason`` says what is wrong and how to fix it;
    ``values`` holds the row as read, so it can be exported, corrected and re-imported.
    """

    row: int
    field: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class RawTable:
    """A file's rows as text, before mapping.

    ``rows`` are ``(row number, {header: value})``; ``points`` holds, for geodata
    files, the row's geometry (EPSG:4326) or an error text; ``bad_rows`` are rows the
    reader could not split; ``dropped_columns`` the person-name columns left out
    (:func:`drop_person_columns`).
    """

    path: Path
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    bad_rows: list[Reject] = field(default_factory=list)
    points: dict[int, shapely.Geometry | str] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""
    dropped_columns: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.bad_rows)


#: Normalised headers (:func:`normalise_header`) of columns that hold names of persons
#: (Kita heads, head teachers, contact persons). They are dropped when a file is read,
#: so no store, report, export or page can ever show them.
PERSON_NAME_HEADERS: frozenset[str] = frozenset(
    {
        "director",
        "leitung",
        "leiter",
        "leiterin",
        "einrichtungsleitung",
        "kitaleitung",
        "schulleiter",
        "schulleiterin",
        "schulleitung",
        "headteacher",
        "principal",
        "ansprechpartner",
        "ansprechpartnerin",
        "kontaktperson",
        "contactperson",
    }
)


def drop_person_columns(table: RawTable) -> RawTable:
    """``table`` without its person-name columns (:data:`PERSON_NAME_HEADERS`)."""
    drop = {h for h in table.headers if normalise_header(h) in PERSON_NAME_HEADERS}
    if not drop:
        return table
    table.headers = [h for h in table.headers if h not in drop]
    table.rows = [(n, {k: v for k, v in cells.items() if k not in drop}) for n, cells in table.rows]
    table.bad_rows = [
        Reject(r.row, r.field, r.reason, {k: v for k, v in r.values.items() if k not in drop})
        for r in table.bad_rows
    ]
    table.dropped_columns = sorted(drop)
    return table


def max_import_bytes() -> int:
    """The file size limit in bytes (``BLK_MAX_IMPORT_MB``, default 50 MB)."""
    raw = os.environ.get("BLK_MAX_IMPORT_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_IMPORT_MB
    except ValueError:
        mb = DEFAULT_MAX_IMPORT_MB
    return int(mb * 1024 * 1024)


def normalise_header(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``"Straße "`` -> ``"strasse"``."""
    return re.sub(r"[^a-z0-9]", "", fold_text(text))


def _read_csv(path: Path) -> RawTable:
    text, encoding = decode_table_bytes(path.read_bytes(), path=path, error=OfferImportError)
    if not text.strip():
        raise OfferImportError(
            "the file is empty.", path=path, hint="Export the table again with a header row."
        )
    first_line = text.lstrip("\n\r").splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [r for r in reader if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise OfferImportError(
            f"the CSV cannot be split into fields ({exc}).",
            path=path,
            hint="Check the quotes; save the file again from the spreadsheet program.",
        ) from exc
    headers = [h.strip() for h in records[0]]
    _check_headers(headers, path)
    table = RawTable(path=path, headers=headers, rows=[], encoding=encoding, delimiter=delimiter)
    for n, cells in enumerate(records[1:], start=1):
        if len(cells) != len(headers):
            # Trailing empty cells from spreadsheets are harmless.
            if len(cells) > len(headers) and not any(c.strip() for c in cells[len(headers) :]):
                cells = cells[: len(headers)]
            else:
                other = sniff_delimiter(delimiter.join(cells).replace(delimiter, ""))
                hint = (
                    f" This row seems to use {other!r} instead of {delimiter!r}."
                    if other != delimiter and len(cells) < len(headers)
                    else ""
                )
                table.bad_rows.append(
                    Reject(
                        row=n,
                        field="*",
                        reason=(
                            f"row has {len(cells)} field(s) but the header has {len(headers)}."
                            f"{hint} Fix the delimiters or quotes in this row."
                        ),
                        values={f"Spalte {i + 1}": c for i, c in enumerate(cells)},
                    )
                )
                continue
        table.rows.append((n, dict(zip(headers, cells, strict=True))))
    return table


def _check_headers(headers: list[str], path: Path) -> None:
    if not any(headers):
        raise OfferImportError("the header row is empty.", path=path, hint="Add column names.")
    seen: set[str] = set()
    for h in headers:
        if h and h in seen:
            raise OfferImportError(
                "the column name appears twice.",
                path=path,
                field=h,
                hint="Rename one of the columns.",
            )
        seen.add(h)


def _read_xlsx(path: Path) -> RawTable:
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files
        raise OfferImportError(
            f"the XLSX file cannot be read ({type(exc).__name__}: {exc}).",
            path=path,
            hint="Open and save it again in a spreadsheet program, or export it as CSV.",
        ) from exc
    headers = [str(c).strip() for c in frame.columns]
    _check_headers(headers, path)
    rows = []
    for n, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        cells = {
            h: ("" if v is None or pd.isna(v) else v) for h, v in zip(headers, values, strict=True)
        }
        if any(str(v).strip() for v in cells.values()):
            rows.append((n, cells))
    return RawTable(path=path, headers=headers, rows=rows, encoding="xlsx")


def _read_geo(path: Path) -> RawTable:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path, on_invalid="ignore")
    except Exception as exc:  # GDAL errors differ per driver
        raise OfferImportError(
            f"the geodata file cannot be read ({exc}).",
            path=path,
            hint="Check that it is valid GeoJSON or GeoPackage.",
        ) from exc
    if frame.crs is not None and frame.crs.to_string() != CRS_STORE:
        frame = frame.to_crs(CRS_STORE)
    headers = [str(c) for c in frame.columns if c != "geometry"]
    table = RawTable(path=path, headers=headers, rows=[], encoding="geo")
    for n, (values, geom) in enumerate(
        zip(frame[headers].itertuples(index=False, name=None), frame.geometry, strict=True),
        start=1,
    ):
        cells = {
            h: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
            for h, v in zip(headers, values, strict=True)
        }
        table.rows.append((n, cells))
        if geom is None or geom.is_empty:
            table.points[n] = "the feature has no geometry."
        elif not shapely.is_valid(geom) and geom.geom_type != "Point":
            table.points[n] = f"the geometry is invalid ({shapely.is_valid_reason(geom)})."
        else:
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
            if not (math.isfinite(pt.x) and math.isfinite(pt.y)):
                table.points[n] = "the geometry has no finite coordinates."
            else:
                table.points[n] = pt
    return table


def read_table(path: str | Path, *, max_bytes: int | None = None) -> RawTable:
    """Read every row of an offer file as text, without person-name columns.

    Parameters
    ----------
    path : str or Path
        CSV/TXT/TSV, XLSX, GeoJSON/JSON or GPKG.
    max_bytes : int, optional
        Size limit; default :func:`max_import_bytes`. Checked before reading.

    Raises
    ------
    OfferImportError
        Missing, too large, empty, binary or unreadable files; unknown format.
    """
    path = Path(path)
    if not path.is_file():
        raise OfferImportError("the file does not exist.", path=path, hint="Check the path.")
    limit = max_import_bytes() if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        raise OfferImportError(
            f"the file has {size / 1048576:.1f} MB, more than the limit of "
            f"{limit / 1048576:.1f} MB.",
            path=path,
            hint="Split the file, or raise BLK_MAX_IMPORT_MB.",
        )
    if size == 0:
        raise OfferImportError(
            "the file is empty.", path=path, hint="Export the table again with a header row."
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return drop_person_columns(_read_csv(path))
    if suffix == ".xlsx":
        return drop_person_columns(_read_xlsx(path))
    if suffix in (".geojson", ".json", ".gpkg"):
        return drop_person_columns(_read_geo(path))
    raise OfferImportError(
        f"unknown file type {suffix!r}.",
        path=path,
        hint=f"Use one of {', '.join(SUFFIXES)}.",
    )
