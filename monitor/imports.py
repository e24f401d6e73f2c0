"""Importing the tables a statistics office sends: CSV, XLSX (every sheet) and folders.

Reading
-------
- CSV: decoded with :func:`geo.textfile.decode_table_bytes` (UTF-8, UTF-16, cp1252,
  mixed lines); the delimiter is sniffed per line with the offer reader's
  ``geo.textfile.sniff_delimiter`` and the most common answer wins (title lines have none).
- XLSX: every sheet, cached values (``openpyxl`` ``data_only=True``); a formula cell
  without a cached value is rejected with its formula. Merged cells take the value of
  their top-left cell. The archive's uncompressed size is checked before anything is
  inflated (zip bombs).
- A folder: every table in it; a ``tabellen.csv`` (``table,locale,label,hint``) and
  ``spalten.csv`` (``table,column,locale,label``) give labels, as in the Flensburg
  Sozialatlas; tables without a period column that are ``id,label`` lookups are used
  to name codes (``household_type_id``), not imported as values.

The header need not be in row 1: rows before it whose cells are empty or all the same
text (titles) are skipped, as are rows after it that carry text in the first cell only
(footnotes, "Quelle: …"); both are listed in ``skipped_rows``. A second header row
under a merged one (``Einwohner`` over ``2021 | 2022``) is joined to it.

Layouts
-------
- long: an area, a period, an indicator and a value column;
- wide by period: areas as rows, years as columns, for one indicator (``indicator=``,
  or the header's merged title);
- wide by indicator: areas as rows, indicators as columns, with a period column or
  ``period=``;
- a table without an area column holds region totals (a city-wide series); if its first
  column names one category per row (an age pyramid: ``alter, maenner, frauen``), that
  column is a breakdown and each value an indicator ``<column>_<first header>_<category>``.

Values
------
German and English numbers (``1.234,5``, ``12,5 %``, ``1 234``); the decimal style is
decided per column, and a cell that is ambiguous in a column of mixed styles
(``1.234`` next to ``12,5`` and ``12.5``) is rejected. Markers are stored without a
number, never as 0 (:data:`MARKERS`). Counts must not be negative and shares
(unit ``%``) must lie in 0–100.

Report: ``values_stored + len(rejected) == values_read`` (:attr:`MonitorImportReport.definition`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

from geo.errors import MonitorImportError
from geo.textfile import decode_table_bytes, sniff_delimiter
from monitor.areas import AreaMatcher
from monitor.model import DOMAINS, Indicator, Value
from monitor.store import MonitorStore
from offers.readers import max_import_bytes, normalise_header

#: Cell texts (after strip; case-insensitive) stored without a number, with their status
#: (the German statistics offices' Zeichenerklärung). The note of such a value is a code:
#: ``marker <text as found>``, ``empty``, or ``below <n>`` for ``<n``.
MARKERS: dict[str, str] = {
    "": "missing",
    ".": "suppressed",  # Zahlenwert unbekannt oder geheim zu halten
    "-": "missing",  # nichts vorhanden / keine Angabe
    "–": "missing",
    "—": "missing",
    "x": "missing",  # Tabellenfach gesperrt
    "*": "suppressed",  # aus Datenschutzgründen unterdrückt
    "/": "suppressed",  # Zahlenwert nicht sicher genug
    "k. a.": "missing",  # keine Angabe
    "k.a.": "missing",
    "ka": "missing",
    "n/a": "missing",
    "...": "missing",  # Angabe fällt später an
}
_LESS_THAN = re.compile(r"^<\s*(\d+(?:[.,]\d+)?)$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.((?:19|20)\d{2})$")
_DATE_ISO = re.compile(r"^((?:19|20)\d{2})-(\d{2})-(\d{2})$")
_HEADER_YEAR = re.compile(r"^(.*?)[\s_(]*((?:19|20)\d{2})\)?$")

AREA_HEADERS: frozenset[str] = frozenset(
    {
        "stadtteil",
        "stadtteile",
        "stadtteilname",
        "stadtteilnr",
        "ortsteil",
        "ortsteile",
        "bezirk",
        "stadtbezirk",
        "statistischerbezirk",
        "gebiet",
        "gebietsname",
        "gebietsschluessel",
        "raum",
        "sozialraum",
        "planungsraum",
        "quartier",
        "districtid",
        "district",
        "area",
        "areakey",
        "areaname",
        "areaid",
        "gemeindeteil",
    }
)
PERIOD_HEADERS: frozenset[str] = frozenset(
    {"jahr", "year", "period", "periode", "zeitraum", "stichtag", "datum", "date", "berichtsjahr"}
)
INDICATOR_HEADERS: frozenset[str] = frozenset(
    {"indikator", "indicator", "merkmal", "kennzahl", "variable", "merkmalsname"}
)
VALUE_HEADERS: frozenset[str] = frozenset({"wert", "value", "werte", "values"})
NOTE_HEADERS: frozenset[str] = frozenset({"anmerkung", "note", "hinweis", "bemerkung", "fussnote"})
UNIT_HEADERS: frozenset[str] = frozenset({"einheit", "unit", "masseinheit"})
#: Unit words of a long table's unit column -> :data:`monitor.model.UNITS` key.
UNIT_WORDS: dict[str, str] = {
    "anzahl": "Anzahl",
    "personen": "Anzahl",
    "faelle": "Anzahl",
    "": "",
    "prozent": "%",
    "percent": "%",
    "je100": "je 100",
    "je1000": "je 1.000",
    "promille": "je 1.000",
    "jahre": "Jahre",
    "minuten": "Minuten",
    "index": "Index",
    "euro": "Euro",
}
#: Default cap on the uncompressed size of an XLSX archive (zip bomb guard).
MAX_UNCOMPRESSED_FACTOR = 20
#: Table (file) kinds in a folder that are never values.
LOOKUP_TABLES = frozenset({"tabellen", "spalten"})


@dataclass
class MonitorImportReport:
    """The outcome of one import; :meth:`to_dict` is the ``--report`` JSON."""

    source: str
    path: str
    rows_read: int = 0
    values_read: int = 0
    values_stored: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    missing: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    unmatched_areas: list[dict[str, Any]] = field(default_factory=list)
    region_total_values: int = 0
    unassigned_values: int = 0
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    formulas_without_value: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    indicators_added: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    import_id: int | None = None
    definition: str = (
        "values_stored + len(rejected) = values_read; values_stored = new + updated + "
        "unchanged; suppressed and missing values are stored without a number (never 0) "
        "and counted in values_stored; row = the row number a spreadsheet shows"
    )

    @property
    def invariant_holds(self) -> bool:
        return self.values_stored + len(self.rejected) == self.values_read

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["invariant_holds"] = self.invariant_holds
        return out


# -- reading grids ----------------------------------------------------------------
@dataclass
class Grid:
    """A table as text cells: ``rows`` are ``(row number, cells)``; ``formula_cells``
    maps (row, column index) -> formula for cells without a cached value."""

    name: str
    rows: list[tuple[int, list[Any]]]
    formula_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""


def _csv_grid(path: Path) -> Grid:
    text, encoding = decode_table_bytes(path.read_bytes(), path=path, error=MonitorImportError)
    lines = [ln for ln in text.splitlines() if ln.strip()][:30]
    if not lines:
        raise MonitorImportError(
            "the file is empty.", path=path, hint="Export the table again with a header row."
        )
    votes = Counter(
        sniff_delimiter(ln) for ln in lines if any(d in ln for d in (";", ",", "\t", "|"))
    )
    delimiter = votes.most_common(1)[0][0] if votes else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for n, cells in enumerate(reader, start=1):
            rows.append((n, cells))
    except csv.Error as exc:
        raise MonitorImportError(
            f"the CSV cannot be split into fields ({exc}).",
            path=path,
            hint="Check the quotes; save the file again from the spreadsheet program.",
        ) from exc
    return Grid(path.name, rows, encoding=encoding, delimiter=delimiter)


def check_zip_size(path: Path, *, max_uncompressed: int) -> None:
    """Refuse an XLSX whose members inflate to more than ``max_uncompressed`` bytes.

    Reads only the archive directory (the declared sizes), so a zip bomb is refused
    before anything is inflated; openpyxl then reads the same declared members.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise MonitorImportError(
            f"the XLSX file is not a valid archive ({exc}).",
            path=path,
            hint="Open and save it again in a spreadsheet program, or export it as CSV.",
        ) from exc
    if total > max_uncompressed:
        raise MonitorImportError(
            f"the XLSX file would inflate to {total / 1048576:.1f} MB, more than the limit "
            f"of {max_uncompressed / 1048576:.1f} MB (a zip bomb or a huge sheet).",
            path=path,
            hint="Export only the needed sheets, or split the file.",
        )


def _xlsx_grids(path: Path, *, max_uncompressed: int) -> list[Grid]:
    import openpyxl

    check_zip_size(path, max_uncompressed=max_uncompressed)
    try:
        values_wb = openpyxl.load_workbook(path, data_only=True)
        formula_wb = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise MonitorImportError(
            f"the XLSX file cannot be read ({type(exc).__name__}: {exc}).",
            path=path,
            hint="Open and save it again in a spreadsheet program, or export it as CSV.",
        ) from exc
    grids = []
    for ws in values_wb.worksheets:
        fws = formula_wb[ws.title]
        cells: dict[tuple[int, int], Any] = {}
        formulas: dict[tuple[int, int], str] = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells[(c.row, c.column)] = c.value
                f = fws.cell(row=c.row, column=c.column).value
                if c.value is None and isinstance(f, str) and f.startswith("="):
                    formulas[(c.row, c.column - 1)] = f
        for rng in ws.merged_cells.ranges:
            top = cells.get((rng.min_row, rng.min_col))
            for r in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    cells[(r, col)] = top
        if not cells:
            grids.append(Grid(ws.title, []))
            continue
        max_row = max(r for r, _ in cells)
        max_col = max(c for _, c in cells)
        rows = [
            (r, [cells.get((r, c)) for c in range(1, max_col + 1)]) for r in range(1, max_row + 1)
        ]
        grids.append(Grid(ws.title, rows, formula_cells=formulas, encoding="xlsx"))
    return grids


# -- cells ----------------------------------------------------------------------------
def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _text(v: Any) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return str(v).strip()


def parse_period(v: Any) -> str:
    """A year (``"2022"``) or ISO date (``"2022-06-30"``); raises ValueError otherwise."""
    if isinstance(v, dt.datetime | dt.date):
        d = v.date() if isinstance(v, dt.datetime) else v
        return d.isoformat()
    s = _text(v)
    if _YEAR.match(s):
        return s
    m = _DATE_DE.match(s)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
    m = _DATE_ISO.match(s[:10])
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    raise ValueError(s)


def _number_style(text: str) -> str:
    """``"de"``, ``"en"`` or ``""`` (no evidence) for one numeric cell text.

    A single separator followed by exactly three digits (``1.234``, ``3,807``) is no
    evidence: it may be a thousands separator in either style.
    """
    s = text.replace(" ", "").replace("\u00a0", "").rstrip("%‰").strip()
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,(\d{1,2}|\d{4,})", s):
        return "de"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.(\d{1,2}|\d{4,})", s):
        return "en"
    return ""


def column_style(cells: Iterable[Any]) -> str:
    """The decimal style of a column: ``"de"``, ``"en"``, ``"mixed"`` or ``""``."""
    styles = {_number_style(c) for c in cells if isinstance(c, str)} - {""}
    if len(styles) > 1:
        return "mixed"
    return next(iter(styles), "")


def parse_cell(v: Any, *, style: str) -> tuple[float | None, str, str, bool]:
    """``(value, status, note, had_percent_sign)`` of one cell; raises ValueError with
    the reason for text that is neither a number nor a marker."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, int | float) and not _blank(v):
        if not math.isfinite(float(v)):
            raise ValueError(f"{v!r} is not a finite number")
        return float(v), "measured", "", False
    s = _text(v)
    low = s.lower()
    if low in MARKERS:
        return None, MARKERS[low], f"marker {s}" if s else "empty", False
    m = _LESS_THAN.match(s)
    if m:
        return None, "suppressed", f"below {m.group(1)}", False
    percent = s.endswith("%")
    core = s.rstrip("%‰").strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if re.fullmatch(r"-?\d+", core):
        return float(core), "measured", "", percent
    for sep, own in ((".", "de"), (",", "en")):
        if re.fullmatch(rf"-?\d{{1,3}}({re.escape(sep)}\d{{3}})+", core):
            # 1.234 / 1,234: thousands in a column of their own style (or without
            # evidence), a decimal mark in a column of the other style
            if style == "mixed":
                raise ValueError(
                    f"{s!r} is ambiguous in a column that mixes decimal commas and points "
                    f"(a thousands separator or a decimal mark?); write it without {sep!r}"
                )
            if style not in ("", own):
                return float(core.replace(sep, ".")), "measured", "", percent
            return float(core.replace(sep, "")), "measured", "", percent
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d+", core):
        return float(core.replace(".", "").replace(",", ".")), "measured", "", percent
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.\d+", core):
        return float(core.replace(",", "")), "measured", "", percent
    raise ValueError(f"{s!r} is neither a number nor a known marker")


# -- units, domains, keys -------------------------------------------------------------
def infer_unit(*texts: str) -> str:
    """A unit from a column name or label: ``%`` for shares and quotas, ``je 1.000``
    for birth rates and per-mille, ``je 100`` for quotients, ``Jahre`` for mean ages,
    ``Minuten`` for travel times, else ``Anzahl``."""
    f = " ".join(normalise_header(t) for t in texts if t)
    raw = " ".join(texts).lower()
    if (
        "je1000" in f
        or "promille" in f
        or "‰" in raw
        or "birthrate" in f
        or ("geburten" in f and "quote" in f)
    ):
        return "je 1.000"
    if "quotient" in f or "je100" in f:
        return "je 100"
    if "%" in raw or any(w in f for w in ("prozent", "percent", "anteil", "quote", "rate")):
        return "%"
    if "durchschnittsalter" in f or "mittleresalter" in f or "averageage" in f:
        return "Jahre"
    if "minuten" in f or "minutes" in f:
        return "Minuten"
    return "Anzahl"


_DOMAIN_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Soziale Lage",
        (
            "sgb",
            "beneficiar",
            "benefit",
            "unemploy",
            "arbeitslos",
            "employ",
            "beschaeftig",
            "housing",
            "wohngeld",
            "wohnung",
            "homeless",
            "debt",
            "schuldner",
            "basicincome",
            "grundsicherung",
            "educationsupport",
            "hilfenzurerziehung",
            "armut",
            "poverty",
            "migration",
            "citizenship",
            "nationals",
            "auslaend",
        ),
    ),
    ("Frühkindliche Bildung", ("kita", "krippe", "kindertages", "daycare", "tagespflege")),
    ("Allgemeinbildende Schulen", ("schule", "schueler", "school", "abitur", "pupil")),
    ("Berufliche Bildung", ("ausbildung", "berufsschul", "vocational", "apprentice")),
    ("Weiterbildung und lebenslanges Lernen", ("vhs", "weiterbildung", "volkshochschule")),
    ("Bildungsberatung", ("bildungsberatung", "lernberatung", "educationadvice")),
)
_WORSE_WORDS = (
    "unemploy",
    "arbeitslos",
    "sgb",
    "beneficiar",
    "benefit",
    "homeless",
    "eviction",
    "arrears",
    "debt",
    "schuld",
    "grundsicherung",
    "armut",
    "poverty",
    "housing",
    "wohngeld",
)
_BETTER_WORDS = ("employmentrate", "beschaeftigungsquote", "versorgungsquote")


def infer_domain(*texts: str) -> str:
    f = " ".join(normalise_header(t) for t in texts if t)
    for domain, words in _DOMAIN_WORDS:
        if any(w in f for w in words):
            return domain
    return DOMAINS[0]


def infer_polarity(*texts: str) -> str:
    f = " ".join(normalise_header(t) for t in texts if t)
    if any(w in f for w in _BETTER_WORDS):
        return "higher_better"
    if any(w in f for w in _WORSE_WORDS):
        return "higher_worse"
    return "neutral"


def slug_key(text: str) -> str:
    """An ASCII indicator key from a header: ``"Einwohner über 65"`` -> ``einwohner_ueber_65``."""
    from geo.textfold import fold_text as fold

    return "_".join(fold(text).replace("%", " prozent ").split()) or "wert"


# -- parsing a grid into values ---------------------------------------------------------
@dataclass
class ParsedTable:
    values: list[tuple[int, str, Value]]  # (row, column, value)
    rejected: list[dict[str, Any]]
    indicators: dict[str, Indicator]
    rows_read: int = 0
    values_read: int = 0
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    unmatched: dict[str, list[int]] = field(default_factory=dict)
    layout: str = ""


@dataclass(frozen=True)
class TableOptions:
    """How to read one table (see :func:`parse_grid`)."""

    indicator: str | None = None
    period: str | None = None
    source: str = ""
    empty_status: str = "missing"
    empty_note: str = "empty"
    key_prefix: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # indicator/code -> German label
    column_labels: Mapping[str, str] = field(default_factory=dict)  # column -> German label
    table_label: str = ""
    #: locale ("en", "da") -> labels as in ``labels`` / the table title, where the file has them
    labels_other: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    table_label_other: Mapping[str, str] = field(default_factory=dict)
    definition: str = ""
    dimensions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sheet: str = ""


def _filled(cells: Sequence[Any]) -> list[int]:
    return [i for i, c in enumerate(cells) if not _blank(c)]


def _find_header(rows: list[tuple[int, list[Any]]]) -> int | None:
    """Index (into rows) of the header: the first row with at least two cells filled
    with more than one distinct text and at least half as many as the widest row."""
    widest = max((len(_filled(c)) for _, c in rows), default=0)
    for i, (_, cells) in enumerate(rows):
        filled = _filled(cells)
        if (
            len(filled) >= max(2, math.ceil(widest / 2))
            and len({_text(cells[j]) for j in filled}) > 1
        ):
            return i
    return None


def _reject(where: Mapping[str, Any], row: int, column: str, reason: str) -> dict[str, Any]:
    return {**where, "row": row, "column": column, "reason": reason}


def _second_header(names: list[str], sub: Sequence[Any]) -> bool:
    """Is ``sub`` a second header row under merged titles? Its first cell is empty or
    repeats the first header (a vertical merge), the header above has gaps or repeats
    (a horizontal merge), and none of its cells is a number other than a year."""
    first = _text(sub[0]) if sub else ""
    other = [_text(c) for c in sub[1:] if not _blank(c)]
    top = names[1:]
    gaps_or_repeats = len(set(top)) < len(top) or "" in top
    return (
        (first == "" or first == names[0])
        and bool(other)
        and gaps_or_repeats
        and all(not re.fullmatch(r"-?[\d.,\s%]+", t) or _YEAR.match(t) for t in other)
    )


def parse_grid(
    grid: Grid, matcher: AreaMatcher, options: TableOptions, *, path: Path
) -> ParsedTable:
    """Turn one grid (a CSV, a sheet) into values; see the module docstring.

    Raises
    ------
    MonitorImportError
        No header row, no period, or a year-column table without an indicator name.
    """
    where: dict[str, Any] = {"sheet": options.sheet} if options.sheet else {}
    out = ParsedTable(values=[], rejected=[], indicators={})
    rows = [(n, list(c)) for n, c in grid.rows if _filled(c)]
    if not rows:
        return out
    h = _find_header(rows)
    if h is None:
        raise MonitorImportError(
            "no header row found (a row naming at least two columns).",
            path=path,
            field=options.sheet or None,
            hint="Put the column names (area, year or indicators) in one row above the data.",
        )
    for n, cells in rows[:h]:
        title = _text(cells[_filled(cells)[0]])
        out.skipped_rows.append({**where, "row": n, "reason": f"title row: {title[:80]}"})
    names = [_text(c) for c in rows[h][1]]
    body = rows[h + 1 :]
    if body and _second_header(names, body[0][1]):
        n2, sub = body[0]
        width = max(len(names), len(sub))
        names = [
            " ".join(
                dict.fromkeys(
                    t
                    for t in (
                        names[i] if i < len(names) else "",
                        _text(sub[i]) if i < len(sub) else "",
                    )
                    if t
                )
            )
            for i in range(width)
        ]
        out.skipped_rows.append({**where, "row": n2, "reason": "second header row (joined)"})
        body = body[1:]
    ncols = len(names)
    norm = [normalise_header(x) for x in names]

    def first(headers: frozenset[str]) -> int | None:
        return next((i for i, x in enumerate(norm) if x in headers), None)

    area_col, period_col = first(AREA_HEADERS), first(PERIOD_HEADERS)
    ind_col, value_col, note_col = (
        first(INDICATOR_HEADERS),
        first(VALUE_HEADERS),
        first(NOTE_HEADERS),
    )
    unit_col = first(UNIT_HEADERS)
    dim_cols = {
        i: options.dimensions[names[i]] for i in range(ncols) if names[i] in options.dimensions
    }
    if area_col is None and period_col != 0 and 0 not in dim_cols:
        firsts = [_text(c[0]) for _, c in body if c and not _blank(c[0])]
        textual = [t for t in firsts if not re.fullmatch(r"-?[\d.,%\s]+", t) or matcher.match(t)]
        if firsts and len(textual) * 2 >= len(firsts):
            area_col = 0
    if area_col is None and period_col != 0 and 0 not in dim_cols and (ind_col is None):
        # a city-wide breakdown (an age pyramid: alter, maenner, frauen): the first column
        # names one distinct category per row (per period), so it is a breakdown, not a value
        firsts = [
            (
                _text(c[period_col]) if period_col is not None and period_col < len(c) else "",
                _text(c[0]),
            )
            for _, c in body
            if c
        ]
        if firsts and all(f for _, f in firsts) and len(set(firsts)) == len(firsts):
            dim_cols[0] = {}
    # a second area column (a number next to a name) helps matching; it holds no values
    extra_area = {
        i for i, x in enumerate(norm) if x in AREA_HEADERS or x in ("name", "nr", "nummer")
    } - {area_col}
    meta = {
        i for i in (area_col, period_col, ind_col, value_col, note_col, unit_col) if i is not None
    }
    meta |= extra_area | set(dim_cols)
    long = ind_col is not None and value_col is not None
    value_cols: list[tuple[int, str, str | None]] = []  # (column, indicator label, period)
    if long:
        assert value_col is not None
        value_cols = [(value_col, "", None)]
        out.layout = "long"
    else:
        free = [i for i in range(ncols) if i not in meta and names[i]]
        for i in free:
            label = names[i]
            if _YEAR.match(label) or _DATE_DE.match(label) or _DATE_ISO.fullmatch(label):
                if not options.indicator:
                    raise MonitorImportError(
                        "the columns are years (a table of areas × years) but the file does "
                        "not name its indicator.",
                        path=path,
                        field=label,
                        hint="Pass the indicator, e.g. --indicator einwohner.",
                    )
                value_cols.append((i, options.indicator, parse_period(label)))
                out.layout = "wide by period"
                continue
            m = _HEADER_YEAR.match(label)
            if m and m.group(1).strip() and period_col is None:
                value_cols.append((i, m.group(1).strip(), m.group(2)))
                out.layout = "wide by period"
                continue
            name = options.indicator if options.indicator and len(free) == 1 else label
            value_cols.append((i, name, None))
            out.layout = out.layout or "wide by indicator"
        if any(p is None for _, _, p in value_cols) and period_col is None and not options.period:
            raise MonitorImportError(
                "the table has no period column (Jahr, Stichtag) and no period was given.",
                path=path,
                hint="Add a column 'Jahr' or pass --period 2022.",
            )
    if area_col is None:
        out.layout += " (no area column: region totals)"
    styles = {
        c: column_style(cells[c] for _, cells in body if c < len(cells)) for c, _, _ in value_cols
    }

    def titled(table: str, part: str) -> str:
        return f"{table}: {part}" if table and part != table else (table or part)

    def other_label(locale: str, parts: tuple[str, ...]) -> str:
        labels = options.labels_other.get(locale, {})
        if not all(x in labels for x in parts):
            return ""
        part = ", ".join(labels[x] for x in parts)
        return titled(options.table_label_other.get(locale, ""), part)

    def indicator_for(
        label: str, column: str, dims: list[str], percent_sign: bool, unit_text: str
    ) -> Indicator:
        key = options.key_prefix + "_".join(slug_key(x) for x in (label, *dims))
        if key in out.indicators:
            return out.indicators[key]
        parts = (label, *dims)
        de = ", ".join(options.labels.get(x, x) for x in parts)
        table = options.table_label
        label_de = titled(table, de)
        label_en = other_label("en", parts) or label.replace("_", " ")
        if options.key_prefix and not other_label("en", parts):
            label_en = f"{options.key_prefix.rstrip('.').replace('_', ' ')}: {label_en}"
        unit = UNIT_WORDS.get(normalise_header(unit_text), "") if unit_text else ""
        if not unit:
            # the unit follows the column (a table title may mention shares it does not hold)
            unit = infer_unit(label if long else column, options.column_labels.get(column, ""))
        ind = Indicator(
            key=key,
            label_de=label_de,
            label_en=label_en,
            label_da=other_label("da", parts),
            unit="%" if percent_sign else unit,
            definition=options.definition or label_de,
            domain=infer_domain(key, de, table),
            polarity=infer_polarity(key, de, table),
            source=options.source,
        )
        out.indicators[key] = ind
        return ind

    seen: dict[tuple[str, str, str, str], tuple[int, str, Value]] = {}
    conflicts: set[tuple[str, str, str, str]] = set()
    for n, raw_cells in body:
        filled = _filled(raw_cells)
        if set(filled) <= {0} and (area_col is None or matcher.match(raw_cells[0]) is None):
            out.skipped_rows.append(
                {**where, "row": n, "reason": f"footnote: {_text(raw_cells[0])[:80]}"}
            )
            continue
        out.rows_read += 1
        out.values_read += len(value_cols)
        cols = [names[c] for c, _, _ in value_cols]
        extra = [c for c in raw_cells[ncols:] if not _blank(c)]
        short = len(raw_cells) < ncols and grid.encoding != "xlsx"
        if extra or short:
            reason = (
                f"the row has {len(raw_cells)} field(s) but the header has {ncols}; fix the "
                "delimiters or quotes in this row."
            )
            out.rejected.extend(_reject(where, n, col, reason) for col in cols)
            continue
        cells = [*raw_cells, *([None] * (ncols - len(raw_cells)))]
        if area_col is None:
            area = matcher.region()
        else:
            area = matcher.match(cells[area_col])
            for i in sorted(extra_area):
                if area is None:
                    area = matcher.match(cells[i])
        if area is None:
            text = _text(cells[area_col])
            out.unmatched.setdefault(text, []).append(n)
            reason = (
                f"area {text!r} matches no district; closest: {', '.join(matcher.closest(text))}"
            )
            out.rejected.extend(_reject(where, n, col, reason) for col in cols)
            continue
        row_period = options.period
        if period_col is not None:
            try:
                row_period = parse_period(cells[period_col])
            except ValueError:
                reason = (
                    f"period {_text(cells[period_col])!r} in column {names[period_col]!r} is "
                    "not a year or date"
                )
                out.rejected.extend(_reject(where, n, col, reason) for col in cols)
                continue
        dims = [
            codes.get(_text(cells[i]), _text(cells[i]))
            if codes
            else f"{names[i]} {_text(cells[i])}"
            for i, codes in dim_cols.items()
        ]
        for c, ind_label, col_period in value_cols:
            col = names[c]
            label = _text(cells[ind_col]) if long and ind_col is not None else ind_label
            if not label:
                out.rejected.append(_reject(where, n, col, "no indicator named in this row"))
                continue
            if (n, c) in grid.formula_cells:
                reason = (
                    f"formula {grid.formula_cells[(n, c)]} has no stored result; open and save "
                    "the file in a spreadsheet program, or enter the value"
                )
                out.rejected.append(_reject(where, n, col, reason))
                continue
            raw = cells[c]
            try:
                number, status, note, pct = parse_cell(raw, style=styles.get(c, ""))
            except ValueError as exc:
                out.rejected.append(_reject(where, n, col, str(exc)))
                continue
            if _blank(raw):
                status, note = options.empty_status, options.empty_note
            unit_text = _text(cells[unit_col]) if unit_col is not None else ""
            ind = indicator_for(label, col, dims, pct, unit_text)
            if number is not None and ind.is_count and number < 0:
                reason = f"negative count {_text(raw)} for {ind.key}; counts cannot be below 0"
                out.rejected.append(_reject(where, n, col, reason))
                continue
            if number is not None and ind.unit == "%" and not 0 <= number <= 100:
                reason = f"share {_text(raw)} for {ind.key} (unit %) is outside 0–100"
                out.rejected.append(_reject(where, n, col, reason))
                continue
            if note_col is not None and not _blank(cells[note_col]):
                note = "; ".join(x for x in (note, _text(cells[note_col])) if x)
            period = col_period or row_period
            assert period is not None
            value = Value(area.level, area.area_key, ind.key, period, number, status, None, note)
            prev = seen.get(value.key)
            if prev is None:
                seen[value.key] = (n, col, value)
            elif prev[2] == value:
                reason = f"repeats row {prev[0]} (same area, period, indicator and value)"
                out.rejected.append(_reject(where, n, col, reason))
            else:
                conflicts.add(value.key)
                reason = (
                    f"conflicts with row {prev[0]} (same area, period and indicator, another "
                    "value); neither is stored"
                )
                out.rejected.append(_reject(where, n, col, reason))
    for key, (n, col, value) in seen.items():
        if key in conflicts:
            reason = (
                "conflicts with a later row (same area, period and indicator, another value); "
                "neither is stored"
            )
            out.rejected.append(_reject(where, n, col, reason))
        else:
            out.values.append((n, col, value))
    return out


# -- files and folders --------------------------------------------------------------
TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx")


def _check_file(path: Path, *, max_bytes: int) -> None:
    if not path.is_file():
        raise MonitorImportError("the file does not exist.", path=path, hint="Check the path.")
    size = path.stat().st_size
    if size > max_bytes:
        raise MonitorImportError(
            f"the file has {size / 1048576:.1f} MB, more than the limit of "
            f"{max_bytes / 1048576:.1f} MB.",
            path=path,
            hint="Split the file, or raise BLK_MAX_IMPORT_MB.",
        )
    if size == 0:
        raise MonitorImportError(
            "the file is empty.", path=path, hint="Export the table again with a header row."
        )
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise MonitorImportError(
            f"unknown file type {path.suffix!r}.",
            path=path,
            hint=f"Use one of {', '.join(TABLE_SUFFIXES)}, or a folder of such files.",
        )


def read_grids(path: str | Path, *, max_bytes: int | None = None) -> list[Grid]:
    """The tables of one file: one grid for a CSV, one per sheet for an XLSX.

    Raises
    ------
    MonitorImportError
        Missing, empty, too large, binary or unreadable files; an XLSX that would
        inflate beyond ``MAX_UNCOMPRESSED_FACTOR`` × the size limit.
    """
    path = Path(path)
    limit = max_import_bytes() if max_bytes is None else max_bytes
    _check_file(path, max_bytes=limit)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_grids(path, max_uncompressed=limit * MAX_UNCOMPRESSED_FACTOR)
    return [_csv_grid(path)]


def _sha256(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@dataclass
class FolderMeta:
    """Labels from a folder's ``tabellen.csv``/``spalten.csv`` (German where present)."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> locale -> label
    hints: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    @staticmethod
    def best_table(names: Iterable[str], stem: str) -> str | None:
        """The metadata name for a file stem or column: exact, else the one whose words
        cover most of the stem's words (a word matches at rapidfuzz ratio >= 85), then
        the one with the fewest other words, then the closest whole name; None if fewer
        than three quarters of the words are found."""
        names = list(names)
        if stem in names:
            return stem
        words = [w for w in stem.split("_") if w]
        best: tuple[float, int, float, str] | None = None
        for n in names:
            other = [w for w in n.split("_") if w]
            hits = {w: max((fuzz.ratio(w, o) for o in other), default=0) >= 85 for w in words}
            used = {o for o in other if any(fuzz.ratio(w, o) >= 85 for w in words)}
            score = (
                sum(hits.values()) / max(len(words), 1),
                -len(set(other) - used),
                fuzz.ratio(stem, n),
                n,
            )
            if best is None or score > best:
                best = score
        if best is None or best[0] < 0.75:
            return None
        return best[3]


def _read_meta_csv(path: Path) -> pd.DataFrame:
    text, _ = decode_table_bytes(path.read_bytes(), path=path, error=MonitorImportError)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def read_folder_meta(folder: Path) -> FolderMeta:
    meta = FolderMeta()
    tab, col = folder / "tabellen.csv", folder / "spalten.csv"
    if tab.is_file():
        for r in _read_meta_csv(tab).to_dict("records"):
            meta.tables.setdefault(r["table"], {})[r.get("locale", "de") or "de"] = r["label"]
            if r.get("hint"):
                meta.hints[r["table"]] = r["hint"]
    if col.is_file():
        for r in _read_meta_csv(col).to_dict("records"):
            meta.columns.setdefault(r["table"], {}).setdefault(r["column"], {})[
                r.get("locale", "de") or "de"
            ] = r["label"]
    return meta


_LABEL_TAIL = re.compile(
    r"\s+(?:in den Stadtteilen|nach Stadtteilen|differenziert nach|\(|\d{4}\b).*$"
)


def short_label(label: str) -> str:
    """A table title without its area and year tail: ``"Einwohnerinnen in den
    Stadtteilen 2011 bis 2021"`` -> ``"Einwohnerinnen"``."""
    out = _LABEL_TAIL.sub("", label).strip(" ,:")
    return out or label


def _is_lookup(grid: Grid) -> dict[str, str] | None:
    """``{code: label}`` for an ``id,label``/``id,name`` table (no year column)."""
    rows = [c for _, c in grid.rows if _filled(c)]
    if len(rows) < 2:
        return None
    head = [normalise_header(_text(c)) for c in rows[0]]
    if "id" not in head or not ({"label", "name"} & set(head)):
        return None
    if PERIOD_HEADERS & set(head):
        return None
    i, j = head.index("id"), head.index("label" if "label" in head else "name")
    return {_text(r[i]): _text(r[j]) for r in rows[1:] if len(r) > max(i, j)}


def _common_prefix(stems: Sequence[str]) -> str:
    if len(stems) < 2:
        return ""
    first = stems[0].split("_")[0] + "_"
    return first if all(s.startswith(first) for s in stems) else ""


@dataclass(frozen=True)
class ImportOptions:
    """Options of :func:`import_path` (the CLI flags)."""

    indicator: str | None = None
    period: str | None = None
    source: str | None = None
    empty_status: str | None = None
    domain: str | None = None
    unit: str | None = None
    polarity: str | None = None


def _apply_overrides(ind: Indicator, options: ImportOptions) -> Indicator:
    changes = {
        k: v
        for k, v in (
            ("domain", options.domain),
            ("unit", options.unit),
            ("polarity", options.polarity),
        )
        if v
    }
    return ind.with_changes(**changes) if changes else ind


def parse_path(
    path: str | Path,
    matcher: AreaMatcher,
    *,
    options: ImportOptions = ImportOptions(),
    max_bytes: int | None = None,
) -> tuple[MonitorImportReport, list[Value], dict[str, Indicator], str]:
    """Read a file or folder into values without writing anything.

    Returns the report (without store counts), the values, the indicators and the
    SHA-256 of the input.
    """
    path = Path(path)
    source = options.source or path.name
    report = MonitorImportReport(source=source, path=str(path))
    values: list[Value] = []
    indicators: dict[str, Indicator] = {}
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
        )
        meta = read_folder_meta(path)
        tables = [p for p in files if p.stem not in LOOKUP_TABLES]
        if not tables:
            raise MonitorImportError(
                "the folder holds no tables (.csv, .xlsx).", path=path, hint="Check the path."
            )
        grids = {p: read_grids(p, max_bytes=max_bytes) for p in tables}
        lookups = {}
        for p, gs in grids.items():
            codes = _is_lookup(gs[0]) if len(gs) == 1 else None
            if codes is not None:
                lookups[p.stem] = codes
        prefix = _common_prefix([p.stem for p in tables] + list(meta.tables))
        hints = " ".join(meta.hints.values())
        suppressed_empty = bool(re.search(r"unter 4|< ?4", hints))
        sha = _sha256(files)
        for p, gs in grids.items():
            if p.stem in lookups:
                report.tables.append(
                    {"file": p.name, "role": "lookup", "codes": len(lookups[p.stem])}
                )
                continue
            stem = p.stem.removeprefix(prefix)
            tmeta = meta.best_table(meta.tables, p.stem)
            cmeta_name = meta.best_table(meta.columns, stem)
            cols = meta.columns.get(cmeta_name or "", {})
            table_label = (
                short_label(meta.tables.get(tmeta or "", {}).get("de", "")) if tmeta else ""
            )
            dims = {}
            for lk, codes in lookups.items():
                dim = f"{lk.removeprefix(prefix)}_id"
                if normalise_header(dim) not in AREA_HEADERS:  # fl_district names the areas
                    dims[dim] = codes
            for g in gs:
                header = next((c for _, c in g.rows if _filled(c)), [])
                heads = [normalise_header(_text(c)) for c in header]
                free = [
                    _text(c)
                    for c, hnorm in zip(header, heads, strict=True)
                    if hnorm not in AREA_HEADERS | PERIOD_HEADERS
                    and _text(c) not in dims
                    and _text(c)
                ]
                key = re.sub(r"_by_district$", "", stem)
                by_locale: dict[str, dict[str, str]] = {}
                for c in free:
                    name = c if c in cols else meta.best_table(cols, c) if cols else None
                    for loc, text in cols.get(name or "", {}).items():
                        by_locale.setdefault(loc, {})[c] = text
                for codes in dims.values():
                    for label in codes.values():
                        for loc, text in cols.get(label, {}).items():
                            by_locale.setdefault(loc, {})[label] = text
                labels = by_locale.get("de", {})
                titles = {
                    loc: short_label(text)
                    for loc, text in meta.tables.get(tmeta or "", {}).items()
                    if loc != "de"
                }
                single = len(free) == 1
                definition = meta.tables.get(tmeta or "", {}).get("de", "")
                if tmeta and tmeta in meta.hints:
                    definition = f"{definition}. {meta.hints[tmeta]}"
                topts = TableOptions(
                    indicator=key if single else None,
                    period=options.period,
                    source=f"{source}/{p.name}",
                    empty_status=options.empty_status
                    or ("suppressed" if suppressed_empty else "missing"),
                    empty_note="below 4" if suppressed_empty else "empty",
                    key_prefix="" if single else f"{key}.",
                    labels={**labels, key: table_label or key} if single else labels,
                    column_labels=labels,
                    table_label="" if single else table_label,
                    labels_other={
                        loc: {**lab, key: titles[loc]} if single and loc in titles else lab
                        for loc, lab in by_locale.items()
                        if loc != "de"
                    }
                    | {
                        loc: {key: t}
                        for loc, t in titles.items()
                        if single and loc not in by_locale
                    },
                    table_label_other={} if single else titles,
                    definition=definition,
                    dimensions=dims,
                )
                parsed = parse_grid(g, matcher, topts, path=p)
                _collect(report, parsed, values, indicators, where={"file": p.name})
                report.tables.append({"file": p.name, "role": "values", "layout": parsed.layout})
    else:
        grids_list = read_grids(path, max_bytes=max_bytes)
        sha = _sha256([path])
        many = len(grids_list) > 1
        for g in grids_list:
            report.encoding = g.encoding
            report.delimiter = g.delimiter
            if not any(_filled(c) for _, c in g.rows):
                report.tables.append({"sheet": g.name, "role": "empty"})
                continue
            topts = TableOptions(
                indicator=options.indicator,
                period=options.period,
                source=source,
                empty_status=options.empty_status or "missing",
                sheet=g.name if many or g.encoding == "xlsx" else "",
            )
            parsed = parse_grid(g, matcher, topts, path=path)
            _collect(report, parsed, values, indicators, where={})
            report.tables.append({"sheet": g.name, "role": "values", "layout": parsed.layout})
        if not report.tables or all(t["role"] == "empty" for t in report.tables):
            report.tables = report.tables or [{"sheet": path.name, "role": "empty"}]
    indicators = {k: _apply_overrides(v, options) for k, v in indicators.items()}
    return report, values, indicators, sha


def _collect(
    report: MonitorImportReport,
    parsed: ParsedTable,
    values: list[Value],
    indicators: dict[str, Indicator],
    *,
    where: Mapping[str, Any],
) -> None:
    report.rows_read += parsed.rows_read
    report.values_read += parsed.values_read
    report.rejected.extend({**where, **r} for r in parsed.rejected)
    report.skipped_rows.extend({**where, **r} for r in parsed.skipped_rows)
    for text, rows in parsed.unmatched.items():
        report.unmatched_areas.append({**where, "area": text, "rows": rows})
    for _, _, v in parsed.values:
        values.append(v)
        report.suppressed += v.status == "suppressed"
        report.missing += v.status == "missing"
        report.region_total_values += v.level == "region"
        report.unassigned_values += v.level == "unassigned"
    report.values_stored += len(parsed.values)
    for k, ind in parsed.indicators.items():
        indicators.setdefault(k, ind)
    report.formulas_without_value.extend(
        {**where, "row": r["row"], "column": r["column"], "reason": r["reason"]}
        for r in parsed.rejected
        if r["reason"].startswith("formula ")
    )


def import_path(
    store: MonitorStore,
    path: str | Path,
    matcher: AreaMatcher,
    *,
    user: str,
    options: ImportOptions = ImportOptions(),
    max_bytes: int | None = None,
) -> MonitorImportReport:
    """Import a file or folder into the store (one transaction); see the module docstring.

    Parameters
    ----------
    store : MonitorStore
        The region's store.
    path : str or Path
        CSV, XLSX or a folder of them.
    matcher : AreaMatcher
        The region's districts (:func:`matcher_for_region` or built from a districts
        GeoDataFrame).
    user : str
        Kept in the history.
    options : ImportOptions
        ``indicator`` (a table of areas × years names no indicator), ``period`` (a table
        without period column), ``source``, ``empty_status``, and overrides of the
        indicators' ``domain``, ``unit``, ``polarity``.

    Raises
    ------
    MonitorImportError
        The file cannot be read at all; nothing is written.
    """
    report, values, indicators, sha = parse_path(
        path, matcher, options=options, max_bytes=max_bytes
    )
    report.indicators = sorted(indicators)
    data = report.to_dict()
    data.pop("invariant_holds")
    store.write_import(
        values=values,
        indicators=indicators.values(),
        areas=matcher.area_rows(),
        user=user,
        source=report.source,
        path=str(Path(path).resolve()),
        sha256=sha,
        report=data,
        rejected=report.rejected,
    )
    report.import_id = data["import_id"]
    report.new, report.updated, report.unchanged = data["new"], data["updated"], data["unchanged"]
    report.indicators_added = data["indicators_added"]
    return report
