"""Census population grids.

Reads Zensus grid CSVs (2022 wide layout, 2011 long layout and the project's 2011 files
in the wide layout; 100 m and 1 km cells) into population *cells* with age groups.
Districts live in :mod:`geo.districts`; snapping cells to networks in :mod:`geo.routing`.

CRS: cells are stored in EPSG:4326; cell centres are also kept as ``x``/``y`` in
EPSG:25832 (the measuring CRS). The census grid itself is defined in EPSG:3035.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.agegroups import AGE_GROUPS, POP_COLUMNS
from geo.errors import CensusFormatError, InputDataError
from geo.settings import CRS_MEASURE, CRS_STORE
from geo.textfile import decode_table_bytes, sniff_delimiter

#: The CRS of the Zensus grid (cell ids and ``x_mp``/``y_mp`` columns).
CRS_CENSUS = "EPSG:3035"

#: Cell values that the census suppressed or left empty: unknown, and counted.
SUPPRESSED_VALUES: frozenset[str] = frozenset({"–", "—", "-", ".", "", "x", "X", "/", "\x96"})

_MAX_AGE = 100  # open classes ("65 und älter") are spread up to this age where split


@dataclass(frozen=True)
class _AgeClass:
    column: str  # canonical (Destatis 2022) column name
    scheme: str  # "kurz" (5 classes) or "10jg" (10-year classes)
    min_age: int
    max_age: int | None

    @property
    def years(self) -> np.ndarray:
        hi = _MAX_AGE if self.max_age is None else self.max_age
        return np.arange(self.min_age, hi + 1)


_KURZ: tuple[_AgeClass, ...] = (
    _AgeClass("Unter18", "kurz", 0, 17),
    _AgeClass("a18bis29", "kurz", 18, 29),
    _AgeClass("a30bis49", "kurz", 30, 49),
    _AgeClass("a50bis64", "kurz", 50, 64),
    _AgeClass("a65undaelter", "kurz", 65, None),
)
_ZEHN: tuple[_AgeClass, ...] = (
    _AgeClass("Unter10", "10jg", 0, 9),
    _AgeClass("a10bis19", "10jg", 10, 19),
    _AgeClass("a20bis29", "10jg", 20, 29),
    _AgeClass("a30bis39", "10jg", 30, 39),
    _AgeClass("a40bis49", "10jg", 40, 49),
    _AgeClass("a50bis59", "10jg", 50, 59),
    _AgeClass("a60bis69", "10jg", 60, 69),
    _AgeClass("a70bis79", "10jg", 70, 79),
    _AgeClass("a80undaelter", "10jg", 80, None),
)
_AGE_CLASSES: dict[str, _AgeClass] = {c.column: c for c in (*_KURZ, *_ZEHN)}
_TOTAL = "Insgesamt"

# Wide-layout value columns (lower case) -> canonical name.
_WIDE_VALUE_COLUMNS: dict[str, str] = {
    "einwohner": _TOTAL,
    "insgesamt_bevoelkerung": _TOTAL,
    "insgesamt": _TOTAL,
    **{c.column.lower(): c.column for c in (*_KURZ, *_ZEHN)},
    "ab80": "a80undaelter",  # project name for ALTER_10JG class 9
}
_WIDE_IGNORED = {"werterlaeuternde_zeichen"}
#: Columns of the Zensus 1 km attribute grid that are shares (%) or means, not counts:
#: read past and listed in ``attrs["census"]["ignored"]``, never summed as people.
_WIDE_NOT_COUNTS = {"alter_d", "auslaender_a", "unter18_a", "ab65_a", "hhgroesse_d"}
#: Zensus 2011 codes in count columns: -1 "unpopulated" (1 km) or "secret" (100 m),
#: -9 "suppressed". Any other negative number is an error.
_NEGATIVE_CODES = frozenset({-1.0, -9.0})
#: The census grid covers Germany: cell centres (EPSG:3035 metres) outside this box
#: are swapped or foreign coordinates (x_min, y_min, x_max, y_max).
GERMANY_3035 = (3_900_000.0, 2_500_000.0, 4_800_000.0, 3_700_000.0)
#: Most people one cell can hold, per km² of cell (the densest German blocks hold
#: about 50,000 per km²): 10,000 in a 100 m cell. More is a broken number.
MAX_PEOPLE_PER_KM2 = 1_000_000.0
# Long layout (Zensus 2011): Merkmal -> {Auspraegung_Code: canonical column}.
_LONG_MERKMALE: dict[str, dict[int, str]] = {
    "INSGESAMT": {0: _TOTAL},
    "ALTER_KURZ": {i + 1: c.column for i, c in enumerate(_KURZ)},
    "ALTER_10JG": {i + 1: c.column for i, c in enumerate(_ZEHN)},
}
_LONG_COLUMNS = {"merkmal", "auspraegung_code", "auspraegung_text", "anzahl", "anzahl_q"}

_ID_2022 = re.compile(r"^CRS3035RES(?P<size>\d+)(?P<unit>m|km)N(?P<n>\d+)E(?P<e>\d+)$")
_ID_2011 = re.compile(r"^(?P<size>\d+)(?P<unit>m|km)N(?P<n>\d+)E(?P<e>\d+)$")
_ID_COLUMN = re.compile(r"^gitter_id_(?P<res>100m|1km)$", re.IGNORECASE)


def _expected_text() -> str:
    return (
        "Expected a Zensus grid CSV: either the wide layout with GITTER_ID_100m or "
        "GITTER_ID_1km, optional x_mp_100m/y_mp_100m (or _1km) and value columns "
        f"{sorted({*(_WIDE_VALUE_COLUMNS.values())} - {_TOTAL})} plus Einwohner or "
        "Insgesamt_Bevoelkerung, or the 2011 long layout "
        "Gitter_ID_100m;Merkmal;Auspraegung_Code;Auspraegung_Text;Anzahl;Anzahl_q."
    )


@dataclass
class _FileCells:
    path: Path
    layout: str
    values: pd.DataFrame  # index canonical cell id; columns canonical value names (float)
    x3035: pd.Series
    y3035: pd.Series
    size_m: pd.Series
    suppressed: dict[str, int]
    ignored: dict[str, int]


# ---------------------------------------------------------------------------- census


def read_census(files: Sequence[Path]) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Read one or more Zensus grid CSVs into population cells.

    Files are merged on the cell id. A cell missing from one file has the value 0 there
    (grid files list only non-zero cells); suppressed values (``–``, ``-``, ``.``, empty,
    negative) are unknown (NaN) and counted in ``cells.attrs["census"]["suppressed"]``.

    Parameters
    ----------
    files : sequence of Path
        Zensus 2022 wide CSVs, Zensus 2011 long CSVs or the project's 2011 wide files;
        ``;``- (or ``,``-) separated, UTF-8, UTF-8 with BOM, cp1252 or Latin-1.

    Returns
    -------
    cells : GeoDataFrame
        EPSG:4326 Points at the cell centres, index ``cell_id`` (the 2022 form
        ``CRS3035RES100mN…E…``). Columns ``x``, ``y`` (centre in EPSG:25832),
        ``cell_size_m``, ``pop_total``, ``pop_<group>`` for every
        :data:`geo.agegroups.AGE_GROUPS` (float, NaN where the age is unknown) and
        ``age_known``. ``attrs["census"]`` holds files, layouts, suppressed and
        ignored counts and the derivation of every group.
    estimated : dict
        ``{group_key: how it was derived}`` for the groups split from coarser classes.

    Raises
    ------
    CensusFormatError
        Unknown columns, no id column, unparsable ids or values, mixed cell sizes.
    InputDataError
        A file is missing or unreadable.
    """
    if not files:
        raise CensusFormatError(
            "no census files given", field="census.files", hint="name at least one grid CSV"
        )
    parts = [_read_one(Path(f)) for f in files]
    sizes = sorted({int(s) for p in parts for s in p.size_m.unique()})
    if len(sizes) > 1:
        first = int(parts[0].size_m.iloc[0])
        odd = next((p for p in parts if set(p.size_m.astype(int).unique()) != {first}), parts[0])
        odd_sizes = sorted({int(v) for v in odd.size_m.unique()})
        raise CensusFormatError(
            f"the census files mix cell sizes {sizes} m: this file has {odd_sizes} m cells, "
            f"{parts[0].path.name} has {first} m cells",
            path=odd.path,
            field="GITTER_ID",
            hint="use files of one resolution (all 100 m or all 1 km) per region",
        )

    index = pd.Index(pd.unique(np.concatenate([p.values.index.to_numpy() for p in parts])))
    index.name = "cell_id"
    values = pd.DataFrame(index=index)
    given: dict[str, np.ndarray] = {}  # per column: cells some earlier file listed
    x3035 = pd.Series(np.nan, index=index)
    y3035 = pd.Series(np.nan, index=index)
    for p in parts:
        x3035 = x3035.fillna(p.x3035.reindex(index))
        y3035 = y3035.fillna(p.y3035.reindex(index))
        present = index.isin(p.values.index)
        for col in p.values.columns:
            # a cell absent from a grid file has 0 there (files list non-zero cells only)
            col_vals = p.values[col].reindex(index).where(present, 0.0)
            if col not in values.columns:
                values[col] = col_vals
                given[col] = present
                continue
            # earlier files win; a later file fills cells they did not list or suppressed
            replace = present & ~(given[col] & values[col].notna().to_numpy())
            values[col] = values[col].where(~replace, col_vals)
            given[col] = given[col] | present

    groups, derivation, estimated, age_known = _derive_age_groups(values)
    total, total_note = _derive_total(values, given.get(_TOTAL))
    pop = pd.DataFrame({"pop_total": total}, index=index)
    for g in AGE_GROUPS:
        pop[g.column] = groups[g.key]

    to_measure = Transformer.from_crs(CRS_CENSUS, CRS_MEASURE, always_xy=True)
    to_store = Transformer.from_crs(CRS_CENSUS, CRS_STORE, always_xy=True)
    mx, my = to_measure.transform(x3035.to_numpy(), y3035.to_numpy())
    lon, lat = to_store.transform(x3035.to_numpy(), y3035.to_numpy())
    cells = gpd.GeoDataFrame(
        {"x": mx, "y": my, "cell_size_m": np.full(len(index), sizes[0], dtype=np.int64)},
        index=index,
        geometry=gpd.points_from_xy(lon, lat),
        crs=CRS_STORE,
    )
    for col in POP_COLUMNS:
        cells[col] = pop[col].astype(float)
    cells["age_known"] = age_known
    cells = cells[["x", "y", "cell_size_m", *POP_COLUMNS, "age_known", "geometry"]]
    cells.attrs["census"] = {
        "files": [str(p.path) for p in parts],
        "layouts": {str(p.path): p.layout for p in parts},
        "cell_size_m": sizes[0],
        "cells": len(cells),
        "cells_age_unknown": int((~age_known).sum()),
        "suppressed": {str(p.path): p.suppressed for p in parts},
        "suppressed_total": int(sum(sum(p.suppressed.values()) for p in parts)),
        "ignored": {str(p.path): p.ignored for p in parts if p.ignored},
        "pop_total_source": total_note,
        "age_derivation": derivation,
    }
    return cells, estimated


def _derive_total(values: pd.DataFrame, total_given: np.ndarray | None) -> tuple[pd.Series, str]:
    """The census total per cell; the sum of a complete class scheme where none is given."""
    base = _base_scheme(values)
    scheme_sum = None
    if base is not None:
        scheme_sum = values[[c.column for c in base]].sum(axis=1, min_count=len(base))
        scheme_sum = scheme_sum.where(values[[c.column for c in base]].notna().all(axis=1))
    if _TOTAL in values.columns:
        total = values[_TOTAL].astype(float)
        if scheme_sum is not None and total_given is not None:
            # suppressed totals, and cells only the age files list
            total = total.where(total_given & total.notna(), scheme_sum.fillna(total))
        return total, "Einwohner/Insgesamt (census total)"
    if scheme_sum is None:
        raise CensusFormatError(
            "no population total and no complete set of age classes in the census files",
            field="Einwohner",
            hint="add the Zensus population file (Einwohner) or a complete age-class file",
        )
    return scheme_sum, "sum of the age classes (no total column given)"


def _base_scheme(values: pd.DataFrame) -> tuple[_AgeClass, ...] | None:
    for scheme in (_KURZ, _ZEHN):
        if all(c.column in values.columns for c in scheme):
            return scheme
    return None


def _fraction_text(cls: _AgeClass, years: np.ndarray) -> str:
    n = len(np.intersect1d(cls.years, years))
    total = len(cls.years)
    return cls.column if n == total else f"{n}/{total} × {cls.column}"


def _derive_age_groups(
    values: pd.DataFrame,
) -> tuple[dict[str, pd.Series], dict[str, str], dict[str, str], np.ndarray]:
    """Map source age classes to the canonical groups, splitting by single years.

    A class is spread evenly over its single years of age; a finer class nested in a
    coarser one (Unter10 in Unter18) replaces that part of it, and the rest of the
    coarser class is spread over its remaining years.
    """
    index = values.index
    base = _base_scheme(values)
    nan = pd.Series(np.nan, index=index)
    if base is None:
        note = "keine Altersangabe in der Quelle / no age classes in the census files"
        groups = {g.key: nan.copy() for g in AGE_GROUPS}
        return groups, {g.key: note for g in AGE_GROUPS}, {}, np.zeros(len(index), bool)

    others = [c for c in _AGE_CLASSES.values() if c not in base and c.column in values.columns]
    group_years = {
        g.key: np.arange(g.min_age, (_MAX_AGE if g.max_age is None else g.max_age) + 1)
        for g in AGE_GROUPS
    }
    acc = {g.key: np.zeros(len(index)) for g in AGE_GROUPS}
    texts_fine: dict[str, list[str]] = {g.key: [] for g in AGE_GROUPS}
    texts_coarse: dict[str, list[str]] = {g.key: [] for g in AGE_GROUPS}
    for b in base:
        vb = values[b.column].to_numpy(float)
        nested = [o for o in others if o.min_age >= b.min_age and np.isin(o.years, b.years).all()]
        known = (
            np.column_stack([values[o.column].notna().to_numpy() for o in nested])
            if nested
            else np.zeros((len(index), 0), bool)
        )
        # cells fall into patterns by which nested classes are known (at most 2**k)
        patterns = [tuple(r) for r in np.unique(known, axis=0)] if nested else [()]
        for pattern in patterns:
            rows = (known == np.array(pattern, bool)).all(axis=1) if nested else slice(None)
            used = [o for o, k in zip(nested, pattern, strict=True) if k]
            rest_years = (
                np.setdiff1d(b.years, np.concatenate([o.years for o in used])) if used else b.years
            )
            rest = vb[rows].copy()
            for o in used:
                rest = rest - values[o.column].to_numpy(float)[rows]
            # perturbed classes can make the remainder slightly negative
            rest = np.clip(rest, 0.0, None)
            for key, years in group_years.items():
                share = (
                    len(np.intersect1d(rest_years, years)) / len(rest_years)
                    if len(rest_years)
                    else 0.0
                )
                # skip zero shares: an unknown (NaN) class must not spoil other groups
                add = rest * share if share > 0 else np.zeros(len(rest))
                for o in used:
                    o_share = len(np.intersect1d(o.years, years)) / len(o.years)
                    if o_share > 0:
                        add = add + values[o.column].to_numpy(float)[rows] * o_share
                acc[key][rows] += add
        for key, years in group_years.items():
            if len(np.intersect1d(b.years, years)):
                texts_coarse[key].append(_fraction_text(b, years))
                if np.isin(b.years, years).all():
                    texts_fine[key].append(b.column)
                    continue
                fine_parts = []
                covered = np.array([], int)
                for o in nested:
                    covered = np.union1d(covered, o.years)
                    if len(np.intersect1d(o.years, years)):
                        fine_parts.append(_fraction_text(o, years))
                rest_years = np.setdiff1d(b.years, covered)
                n = len(np.intersect1d(rest_years, years))
                if n:
                    minus = "".join(f" − {o.column}" for o in nested)
                    label = f"({b.column}{minus})" if nested else b.column
                    frac = "" if n == len(rest_years) else f"{n}/{len(rest_years)} × "
                    fine_parts.append(f"{frac}{label}")
                texts_fine[key].extend(fine_parts)

    # all classes zero but people counted: the census gave no age breakdown for the cell
    base_vals = values[[b.column for b in base]]
    no_breakdown = (base_vals.fillna(0).sum(axis=1) == 0).to_numpy()
    if _TOTAL in values.columns:
        no_breakdown = no_breakdown & (values[_TOTAL].fillna(1) > 0).to_numpy()
    else:
        no_breakdown = np.zeros(len(index), bool)
    groups = {}
    for key in acc:
        arr = acc[key].copy()
        arr[no_breakdown] = np.nan
        groups[key] = pd.Series(arr, index=index)
    age_known = np.all([np.isfinite(s.to_numpy()) for s in groups.values()], axis=0)

    derivation: dict[str, str] = {}
    estimated: dict[str, str] = {}
    split_note = "Einzeljahre gleichverteilt / split evenly by single years of age"
    for g in AGE_GROUPS:
        fine = " + ".join(texts_fine[g.key])
        coarse = " + ".join(texts_coarse[g.key])
        text = fine if fine == coarse else f"{fine}; wo unbekannt / where unknown: {coarse}"
        is_split = "/" in fine or "/" in coarse
        derivation[g.key] = f"{text} ({split_note})" if is_split else text
        if is_split:
            estimated[g.key] = derivation[g.key]
    return groups, derivation, estimated, age_known


def _decode(path: Path) -> str:
    if path.is_dir():
        raise InputDataError(
            "the census path is a folder, not a file",
            path=path,
            hint="name the grid CSV inside it in census.files",
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputDataError(
            "census file not found", path=path, hint="check the path in the region manifest"
        ) from exc
    except OSError as exc:
        raise InputDataError(f"cannot read census file ({exc.strerror})", path=path) from exc
    return decode_table_bytes(raw, path=path, error=CensusFormatError)[0]


def _read_one(path: Path) -> _FileCells:
    text = _decode(path)
    first = text.split("\n", 1)[0]
    sep = sniff_delimiter(first)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        # the parser's message quotes lines of the file: name the kind of error only
        raise CensusFormatError(
            f"cannot parse the CSV ({type(exc).__name__}; rows with more fields than the header?)",
            path=path,
            hint=_expected_text(),
        ) from exc
    df.columns = [str(c).strip() for c in df.columns]
    lower = {c.lower(): c for c in df.columns}
    id_cols = [c for c in df.columns if _ID_COLUMN.match(c)]
    if not id_cols and "merkmal" not in lower:
        for res in ("100m", "1km"):
            if f"x_mp_{res}" in lower and f"y_mp_{res}" in lower:
                # coordinates alone locate a cell: the id is built from them
                df.insert(0, f"GITTER_ID_{res}", "")
                id_cols = [f"GITTER_ID_{res}"]
                break
    if len(id_cols) != 1:
        raise CensusFormatError(
            "no grid cell id column (GITTER_ID_100m/_1km) and no x_mp/y_mp coordinates"
            if not id_cols
            else f"several id columns {id_cols}",
            path=path,
            field="GITTER_ID_100m",
            hint=f"the file has the columns {_columns_text(list(df.columns))}. " + _expected_text(),
        )
    if df.empty:
        raise CensusFormatError("the file has no data rows", path=path, hint=_expected_text())
    id_col = id_cols[0]
    if "merkmal" in lower:
        return _read_long(path, df, id_col, lower, sep=sep)
    return _read_wide(path, df, id_col, sep=sep)


def _parse_ids(ids: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower-left corner (EPSG:3035 metres) and cell size of each id; ok mask."""
    s = ids.str.strip()
    m22 = s.str.extract(_ID_2022)
    m11 = s.str.extract(_ID_2011)
    size = pd.to_numeric(m22["size"].fillna(m11["size"]), errors="coerce")
    unit = m22["unit"].fillna(m11["unit"])
    size = np.where(unit == "km", size * 1000, size)
    n = pd.to_numeric(m22["n"], errors="coerce").to_numpy(float)
    e = pd.to_numeric(m22["e"], errors="coerce").to_numpy(float)
    # 2011 ids count the corner in units of the cell size
    n11 = pd.to_numeric(m11["n"], errors="coerce").to_numpy(float) * size
    e11 = pd.to_numeric(m11["e"], errors="coerce").to_numpy(float) * size
    n = np.where(np.isnan(n), n11, n)
    e = np.where(np.isnan(e), e11, e)
    ok = ~np.isnan(n) & ~np.isnan(e) & ~np.isnan(size.astype(float))
    return e, n, size.astype(float), ok


def _canonical_ids(x_ll: np.ndarray, y_ll: np.ndarray, size: np.ndarray) -> np.ndarray:
    return np.array(
        [
            f"CRS3035RES{int(s)}mN{round(y):d}E{round(x):d}"
            for x, y, s in zip(x_ll, y_ll, size, strict=True)
        ],
        dtype=object,
    )


def _column_text(name: object) -> str:
    """A column name fit for a message: quoted when it looks like one, else withheld.

    Error messages never quote a file's content; a header that is no column name (the
    first line of a file that is not a census grid at all) is not repeated.
    """
    text = str(name)
    plain = text.replace("_", "").replace("-", "").replace(" ", "")
    return repr(text) if 0 < len(text) <= 40 and plain.isalnum() else "(not a column name)"


def _columns_text(columns: Sequence[object]) -> str:
    return ", ".join(_column_text(c) for c in columns[:20])


def _numeric(
    path: Path,
    df: pd.DataFrame,
    col: str,
    field: str,
    *,
    sep: str = ";",
    limit: float | None = None,
) -> tuple[pd.Series, int]:
    """Parse a count column; suppressed markers and the codes -1/-9 become NaN (counted).

    A decimal comma (``3,5``) is read where the delimiter is not a comma. Other
    negative numbers, ``nan``/``inf`` texts and values above ``limit`` are errors
    naming the row: a count can be none of these.
    """
    s = df[col].astype(str).str.strip()
    suppressed = s.isin(SUPPRESSED_VALUES)
    text = s.where(~suppressed)
    if sep != ",":
        text = text.str.replace(",", ".", regex=False)
    # pandas reads "nan", "inf" and "Infinity" as floats: a count is none of them
    literal = text.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?").fillna(False)
    num = pd.to_numeric(text.where(literal), errors="coerce")
    bad = ~suppressed & (num.isna() | ~np.isfinite(num.fillna(0.0)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise CensusFormatError(
            "the value is neither a number nor a suppression mark",
            path=path,
            row=row,
            field=field,
            hint="use whole numbers; mark suppressed values with – , - , . or leave empty",
        )
    negative = num < 0
    codes = num.isin(_NEGATIVE_CODES)
    wrong = negative & ~codes
    if wrong.any():
        row = int(np.flatnonzero(wrong.to_numpy())[0]) + 1
        raise CensusFormatError(
            f"negative count ({num[wrong].iloc[0]:g}); {int(wrong.sum())} such value(s) "
            "in the column",
            path=path,
            row=row,
            field=field,
            hint="a count of people cannot be negative; only -1 and -9 are Zensus codes "
            "(unknown). Fix the export.",
        )
    if limit is not None and (num > limit).any():
        over = num > limit
        row = int(np.flatnonzero(over.to_numpy())[0]) + 1
        raise CensusFormatError(
            f"{int(over.sum())} value(s) above {limit:,.0f} people per cell (first "
            f"{num[over].iloc[0]:.3g})",
            path=path,
            row=row,
            field=field,
            hint="no grid cell holds that many people: the column is not a count, or "
            "the export is broken",
        )
    num = num.where(~negative)
    return num.astype(float), int(suppressed.sum() + negative.sum())


def _read_wide(path: Path, df: pd.DataFrame, id_col: str, *, sep: str = ";") -> _FileCells:
    res = _ID_COLUMN.match(id_col).group("res").lower()  # type: ignore[union-attr]
    coord_cols = {f"x_mp_{res}": "x", f"y_mp_{res}": "y"}
    value_cols: dict[str, str] = {}
    not_counts: list[str] = []
    for c in df.columns:
        lc = c.lower()
        if c == id_col or lc in coord_cols or lc in _WIDE_IGNORED:
            continue
        if lc in _WIDE_NOT_COUNTS:
            not_counts.append(c)
            continue
        if lc not in _WIDE_VALUE_COLUMNS:
            raise CensusFormatError(
                f"unknown column {_column_text(c)}",
                path=path,
                field=c if _column_text(c).startswith("'") else None,
                hint=f"remove or rename it. {_expected_text()}",
            )
        if _WIDE_VALUE_COLUMNS[lc] in value_cols.values():
            raise CensusFormatError(
                f"column {c!r} repeats a value that another column already gives",
                path=path,
                field=c,
                hint="keep one of Einwohner/Insgesamt_Bevoelkerung (or Ab80/a80undaelter)",
            )
        value_cols[c] = _WIDE_VALUE_COLUMNS[lc]
    if not value_cols:
        raise CensusFormatError(
            "no population columns",
            path=path,
            hint=f"the file has the columns {_columns_text(list(df.columns))}. " + _expected_text(),
        )
    x_ll, y_ll, size, ok = _parse_ids(df[id_col])
    lower = {c.lower(): c for c in df.columns}
    has_xy = all(k in lower for k in coord_cols)
    if has_xy:
        xs, _ = _numeric(path, df, lower[f"x_mp_{res}"], lower[f"x_mp_{res}"], sep=sep)
        ys, _ = _numeric(path, df, lower[f"y_mp_{res}"], lower[f"y_mp_{res}"], sep=sep)
        col_size = 1000.0 if res == "1km" else 100.0
        size = np.where(ok, size, col_size)
        missing_xy = xs.isna() | ys.isna()
        if (missing_xy & ~ok).any():
            row = int(np.flatnonzero((missing_xy & ~ok).to_numpy())[0]) + 1
            raise CensusFormatError(
                "the cell has neither a valid id nor coordinates",
                path=path,
                row=row,
                field=id_col,
                hint="ids look like CRS3035RES100mN3244400E4365800",
            )
        x_xy = xs.to_numpy() - size / 2
        y_xy = ys.to_numpy() - size / 2
        _check_ids_match_coordinates(
            path, ok & ~missing_xy.to_numpy(), (x_ll, y_ll), (x_xy, y_xy), size, id_col=id_col
        )
        x_ll = np.where(missing_xy, x_ll, x_xy)
        y_ll = np.where(missing_xy, y_ll, y_xy)
    elif not ok.all():
        row = int(np.flatnonzero(~ok)[0]) + 1
        raise CensusFormatError(
            f"cannot read the cell id and there are no x_mp_{res}/y_mp_{res} columns",
            path=path,
            row=row,
            field=id_col,
            hint="ids look like CRS3035RES100mN3244400E4365800 or 100mN32444E43658",
        )
    _check_in_germany(path, x_ll + size / 2, y_ll + size / 2)
    ids = _canonical_ids(x_ll, y_ll, size)
    _check_unique(path, ids, id_col)
    values = pd.DataFrame(index=pd.Index(ids, name="cell_id"))
    suppressed: dict[str, int] = {}
    limit = MAX_PEOPLE_PER_KM2 * (float(np.max(size)) / 1000.0) ** 2
    for col, canon in value_cols.items():
        num, n_sup = _numeric(path, df, col, col, sep=sep, limit=limit)
        values[canon] = num.to_numpy()
        suppressed[col] = n_sup
    ignored: dict[str, int] = {}
    # an attribute grid lists unpopulated cells with -1 in every column: not a cell
    # with people, so it is left out (and counted) rather than kept as "unknown"
    codes = pd.DataFrame({c: df[c].astype(str).str.strip() for c in value_cols})
    unpopulated = (codes == "-1").all(axis=1).to_numpy()
    if unpopulated.any():
        ignored["unpopulated cells (-1)"] = int(unpopulated.sum())
        for col in value_cols:
            suppressed[col] -= int(unpopulated.sum())
    for col in not_counts:
        ignored[f"{col} (a share or mean, not a count)"] = len(df)
    keep = ~unpopulated
    values = values[keep]
    return _FileCells(
        path=path,
        layout=f"wide ({res})",
        values=values,
        x3035=pd.Series((x_ll + size / 2)[keep], index=values.index),
        y3035=pd.Series((y_ll + size / 2)[keep], index=values.index),
        size_m=pd.Series(size[keep], index=values.index),
        suppressed=suppressed,
        ignored=ignored,
    )


def _check_ids_match_coordinates(
    path: Path,
    both: np.ndarray,
    from_ids: tuple[np.ndarray, np.ndarray],
    from_xy: tuple[np.ndarray, np.ndarray],
    size: np.ndarray,
    *,
    id_col: str,
) -> None:
    """Cell ids and x_mp/y_mp must name the same cell (swapped columns do not)."""
    dist = np.hypot(from_ids[0] - from_xy[0], from_ids[1] - from_xy[1])
    off = both & (dist >= size / 2)
    if not off.any():
        return
    row = int(np.flatnonzero(off)[0])
    swapped = np.hypot(from_ids[0] - from_xy[1], from_ids[1] - from_xy[0]) < size / 2
    raise CensusFormatError(
        f"the cell id and the x_mp/y_mp coordinates disagree by {dist[row]:,.0f} m in "
        f"{int(off.sum())} row(s)",
        path=path,
        row=row + 1,
        field=id_col,
        hint=(
            "x and y are swapped (in the values or the header): x_mp is the easting "
            "(E…), y_mp the northing (N…)"
            if swapped[off].mean() > 0.5
            else "the ids or the coordinates are wrong: export the grid file again"
        ),
    )


def _check_in_germany(path: Path, x3035: np.ndarray, y3035: np.ndarray) -> None:
    x0, y0, x1, y1 = GERMANY_3035
    outside = ~((x3035 >= x0) & (x3035 <= x1) & (y3035 >= y0) & (y3035 <= y1))
    if not outside.any():
        return
    row = int(np.flatnonzero(outside)[0])
    swapped = (y3035 >= x0) & (y3035 <= x1) & (x3035 >= y0) & (x3035 <= y1)
    raise CensusFormatError(
        f"{int(outside.sum())} cell(s) lie outside Germany (EPSG:3035 x {x3035[row]:,.0f}, "
        f"y {y3035[row]:,.0f})",
        path=path,
        row=row + 1,
        hint=(
            "x and y are swapped: x_mp is the easting (about 4,000,000–4,700,000)"
            if swapped[outside].mean() > 0.5
            else "the Zensus grid is EPSG:3035; check the ids and coordinates"
        ),
    )


def _check_unique(path: Path, ids: np.ndarray, field: str) -> None:
    dup = pd.Index(ids).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0]) + 1
        raise CensusFormatError(
            f"cell {ids[row - 1]} appears more than once",
            path=path,
            row=row,
            field=field,
            hint="each grid cell may appear once per file; remove the duplicate row",
        )


def _read_long(
    path: Path, df: pd.DataFrame, id_col: str, lower: dict[str, str], *, sep: str = ";"
) -> _FileCells:
    for c in df.columns:
        if c != id_col and c.lower() not in _LONG_COLUMNS:
            raise CensusFormatError(
                f"unknown column {_column_text(c)}", path=path, hint=_expected_text()
            )
    for need in ("merkmal", "auspraegung_code", "anzahl"):
        if need not in lower:
            raise CensusFormatError(
                f"the long layout needs a column {need!r}",
                path=path,
                field=need,
                hint=f"the file has the columns {_columns_text(list(df.columns))}. "
                + _expected_text(),
            )
    merkmal = df[lower["merkmal"]].str.strip().str.upper()
    code = pd.to_numeric(df[lower["auspraegung_code"]].str.strip(), errors="coerce")
    canon = pd.Series([None] * len(df), index=df.index, dtype=object)
    for m, codes in _LONG_MERKMALE.items():
        sel = merkmal == m
        canon[sel] = code[sel].map(codes)
    known = canon.notna()
    ignored = merkmal[~known].value_counts().to_dict()
    x_ll, y_ll, size, ok = _parse_ids(df[id_col])
    if not ok.all():
        row = int(np.flatnonzero(~ok)[0]) + 1
        raise CensusFormatError(
            "cannot read the cell id",
            path=path,
            row=row,
            field=id_col,
            hint="ids look like 100mN26840E43337 or CRS3035RES100mN2684000E4333700",
        )
    num, _ = _numeric(path, df, lower["anzahl"], lower["anzahl"], sep=sep)
    sup_rows = num.isna() & known
    ids = _canonical_ids(x_ll, y_ll, size)
    long = pd.DataFrame({"cell_id": ids, "col": canon, "value": num})[known.to_numpy()]
    dup = long.duplicated(["cell_id", "col"])
    if dup.any():
        row = int(np.flatnonzero(known.to_numpy())[np.flatnonzero(dup.to_numpy())[0]]) + 1
        raise CensusFormatError(
            "the same cell and Merkmal/Auspraegung_Code appear twice",
            path=path,
            row=row,
            field=lower["merkmal"],
            hint="remove the duplicate row",
        )
    values = long.pivot(index="cell_id", columns="col", values="value")
    values.columns.name = None
    # no row for a cell and class means 0 people; suppressed rows stay unknown
    suppressed_pairs = long.loc[long["value"].isna(), ["cell_id", "col"]]
    values = values.fillna(0.0)
    for cid, col in suppressed_pairs.itertuples(index=False):
        values.loc[cid, col] = np.nan
    first = ~pd.Index(ids).duplicated()
    pos = pd.Series(np.flatnonzero(first), index=pd.Index(ids[first]))
    pos = pos.reindex(values.index).to_numpy()
    values.index.name = "cell_id"
    res = _ID_COLUMN.match(id_col).group("res").lower()  # type: ignore[union-attr]
    return _FileCells(
        path=path,
        layout=f"long ({res})",
        values=values.astype(float),
        x3035=pd.Series(x_ll[pos] + size[pos] / 2, index=values.index),
        y3035=pd.Series(y_ll[pos] + size[pos] / 2, index=values.index),
        size_m=pd.Series(size[pos], index=values.index),
        suppressed={lower["anzahl"]: int(sup_rows.sum())},
        ignored={str(k): int(v) for k, v in ignored.items()},
    )


def cell_squares(cells: gpd.GeoDataFrame) -> np.ndarray:
    """The cell squares as polygons in EPSG:3035, the CRS the census grid is defined in.

    Parameters
    ----------
    cells : GeoDataFrame
        Census cells (EPSG:4326 centre points, column ``cell_size_m``).

    Returns
    -------
    ndarray of shapely Polygon
        One axis-aligned square per cell, EPSG:3035.
    """
    centres = cells.geometry.to_crs(CRS_CENSUS)
    # snap to the grid: the 4326 round trip moves centres by far less than a metre
    half = cells["cell_size_m"].to_numpy(float) / 2
    cx = np.round((centres.x.to_numpy() - half) / (2 * half)) * (2 * half) + half
    cy = np.round((centres.y.to_numpy() - half) / (2 * half)) * (2 * half) + half
    return shapely.box(cx - half, cy - half, cx + half, cy + half)
