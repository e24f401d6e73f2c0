"""The bad-input corpus: every file with its exact outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import MonitorImportError
from monitor.areas import AreaMatcher
from monitor.imports import ImportOptions, MonitorImportReport, import_path, read_grids
from monitor.store import MonitorStore

from .conftest import CORPUS


def run(
    store: MonitorStore, matcher: AreaMatcher, name: str, **options: str
) -> MonitorImportReport:
    report = import_path(
        store, CORPUS / name, matcher, user="test", options=ImportOptions(**options)
    )
    assert report.values_stored + len(report.rejected) == report.values_read
    assert report.values_stored == report.new + report.updated + report.unchanged
    assert report.invariant_holds and report.to_dict()["invariant_holds"]
    return report


def stored(store: MonitorStore) -> dict[tuple[str, str, str, str], tuple[float | None, str]]:
    vals = store.values()
    return {
        (r.level, r.area_key, r.indicator, r.period): (
            None if r.value != r.value else r.value,
            r.status,
        )
        for r in vals.itertuples()
    }


def reasons(report: MonitorImportReport) -> list[tuple[int, str, str]]:
    return [(r["row"], r["column"], r["reason"]) for r in report.rejected]


def test_ragged_rows(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "ausgefranst.csv")
    assert (rep.rows_read, rep.values_read, rep.values_stored) == (4, 8, 4)
    assert [(r, c) for r, c, _ in reasons(rep)] == [
        (3, "Einwohner"),
        (3, "Kinder"),
        (4, "Einwohner"),
        (4, "Kinder"),
    ]
    assert all("field(s) but the header has 4" in why for _, _, why in reasons(rep))
    assert stored(store)[("district", "STGT04", "einwohner", "2022")] == (8000.0, "measured")
    assert ("district", "STGT02", "einwohner", "2022") not in stored(store)


def test_year_column_with_text(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "jahr_als_text.csv")
    assert (rep.values_read, rep.values_stored) == (3, 2)
    assert reasons(rep) == [
        (
            3,
            "Einwohner",
            "period 'zweitausendzweiundzwanzig' in column 'Jahr' is not a year or date",
        )
    ]


def test_duplicate_rows_with_other_values(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "doppelte_werte.csv")
    assert rep.tables[0]["layout"] == "long"
    assert (rep.values_read, rep.values_stored) == (5, 2)
    got = sorted(reasons(rep))
    assert [r for r, _, _ in got] == [2, 3, 5]
    assert "conflicts with a later row" in got[0][2]
    assert "conflicts with row 2" in got[1][2]
    assert "repeats row 4" in got[2][2]
    assert stored(store) == {
        ("district", "STGT02", "einwohner", "2022"): (5000.0, "measured"),
        ("district", "STGT13", "einwohner", "2022"): (7000.0, "measured"),
    }


def test_negative_count(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "negative_anzahl.csv")
    assert reasons(rep) == [
        (3, "Einwohner", "negative count -5 for einwohner; counts cannot be below 0")
    ]
    assert store.indicator("einwohner").unit == "Anzahl"


def test_percent_above_100(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "prozent_ueber_100.csv")
    key = "anteil_unter_18"
    assert store.indicator(key).unit == "%"
    assert reasons(rep) == [
        (3, "Anteil unter 18 (%)", f"share 112,5 for {key} (unit %) is outside 0–100")
    ]
    assert stored(store)[("district", "STGT01", key, "2022")] == (10.6, "measured")


def test_mixed_decimal_styles(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "dezimal_gemischt.csv")
    assert rep.encoding == "cp1252"
    assert [(r, c) for r, c, _ in reasons(rep)] == [(4, "Fläche ha")]
    assert "ambiguous" in reasons(rep)[0][2]
    got = stored(store)
    assert got[("district", "STGT01", "flaeche_ha", "2022")] == (12.5, "measured")
    assert got[("district", "STGT02", "flaeche_ha", "2022")] == (13.5, "measured")
    # a column without decimals: the dot is the German thousands separator
    assert got[("district", "STGT01", "einwohner", "2022")] == (1234.0, "measured")
    assert got[("district", "STGT03", "einwohner", "2022")] == (14000.0, "measured")


def test_markers_are_never_zero(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "marker.csv")
    assert rep.rejected == [] and rep.values_stored == 18
    got = {k[1]: v for k, v in stored(store).items() if k[2] == "empfaenger"}
    assert got == {
        "STGT01": (None, "suppressed"),  # .
        "STGT02": (None, "missing"),  # -
        "STGT03": (None, "missing"),  # –
        "STGT04": (None, "missing"),  # x
        "STGT05": (None, "suppressed"),  # *
        "STGT06": (None, "suppressed"),  # /
        "STGT07": (None, "suppressed"),  # <4
        "STGT08": (None, "missing"),  # k. A.
        "STGT09": (None, "missing"),  # empty
    }
    assert (rep.suppressed, rep.missing) == (4, 5)
    notes = store.values(indicator="empfaenger").set_index("area_key")["note"]
    assert (notes["STGT01"], notes["STGT07"], notes["STGT08"], notes["STGT09"]) == (
        "marker .",
        "below 4",
        "marker k. A.",
        "empty",
    )
    assert stored(store)[("district", "STGT01", "einwohner", "2022")] == (3807.0, "measured")


def test_title_footnote_keys_and_region_total(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "titel_und_fussnote.csv")
    assert rep.delimiter == ","
    assert [s["row"] for s in rep.skipped_rows] == [1, 7]
    assert rep.skipped_rows[1]["reason"].startswith("footnote: Quelle")
    assert rep.region_total_values == 1
    assert stored(store) == {
        ("district", "STGT01", "einwohner", "2022"): (3807.0, "measured"),
        ("district", "STGT02", "einwohner", "2022"): (5000.0, "measured"),
        ("region", "region", "einwohner", "2022"): (99341.0, "measured"),
    }


def test_unmatched_areas_name_the_closest(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "gebiete_unbekannt.csv")
    assert rep.unmatched_areas == [{"area": "Westlich Höhe", "rows": [2]}]
    assert reasons(rep)[0][2].startswith("area 'Westlich Höhe' matches no district; closest: 04")
    assert rep.region_total_values == 1  # "Flensburg" is the region itself
    assert stored(store)[("district", "STGT11", "einwohner", "2022")] == (17000.0, "measured")


def test_wide_by_period_needs_the_indicator(store: MonitorStore, flensburg: AreaMatcher) -> None:
    with pytest.raises(MonitorImportError, match="--indicator"):
        run(store, flensburg, "flaeche_jahre.csv")
    assert len(store.imports()) == 0
    rep = run(store, flensburg, "flaeche_jahre.csv", indicator="einwohner")
    assert rep.tables[0]["layout"] == "wide by period" and rep.values_stored == 6
    assert stored(store)[("district", "STGT04", "einwohner", "2020")] == (7900.0, "measured")


def test_merged_header_cells(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "verbundene_kopfzeilen.xlsx")
    assert [(s["row"], s["reason"][:12]) for s in rep.skipped_rows] == [
        (1, "title row: B"),
        (3, "second heade"),
        (9, "footnote: Qu"),
    ]
    assert (rep.rows_read, rep.values_read, rep.values_stored) == (3, 12, 12)
    got = stored(store)
    assert got[("district", "STGT13", "einwohner", "2021")] == (6900.0, "measured")
    assert got[("district", "STGT02", "kinder_unter_18", "2022")] == (793.0, "measured")


def test_xlsx_with_formulas(store: MonitorStore, flensburg: AreaMatcher) -> None:
    rep = run(store, flensburg, "formeln.xlsx")
    assert rep.values_stored == 3
    assert reasons(rep) == [
        (
            3,
            "Kinder",
            "formula =400+393 has no stored result; open and save the file in a "
            "spreadsheet program, or enter the value",
        )
    ]
    assert rep.formulas_without_value[0]["row"] == 3
    assert stored(store)[("district", "STGT02", "einwohner", "2022")] == (5000.0, "measured")


def test_empty_sheet_is_reported_and_the_other_read(
    store: MonitorStore, flensburg: AreaMatcher
) -> None:
    rep = run(store, flensburg, "leeres_blatt.xlsx")
    assert rep.tables[0] == {"sheet": "Leer", "role": "empty"}
    assert rep.tables[1]["sheet"] == "Daten" and rep.values_stored == 2


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        (b"", "leer.csv", "the file is empty"),
        (b"\x00\x01\x02binary", "binaer.csv", "NUL bytes"),
        (b"PK\x03\x04 not really", "kaputt.xlsx", "not a valid archive"),
        (b"Jahr;Einwohner\n2022;5\n", "ohne_zeitraum.ods", "unknown file type"),
        (b"nur eine Spalte\nAltstadt\n", "eine_spalte.csv", "no header row"),
        (b"Stadtteil;Einwohner\nAltstadt;5\n", "ohne_jahr.csv", "no period column"),
    ],
)
def test_unreadable_files_write_nothing(
    tmp_path: Path,
    store: MonitorStore,
    flensburg: AreaMatcher,
    content: bytes,
    name: str,
    match: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MonitorImportError, match=match):
        import_path(store, path, flensburg, user="test")
    assert len(store.imports()) == 0 and len(store.values()) == 0


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(MonitorImportError, match=r"would inflate to 30\.0 MB"):
        read_grids(path, max_bytes=1024 * 1024)


def test_xlsx_date_headers_and_date_periods(
    tmp_path: Path, store: MonitorStore, flensburg: AreaMatcher
) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Stadtteil", dt.datetime(2021, 6, 30), dt.datetime(2022, 6, 30)])
    ws.append(["Mürwik", 900, "1.020"])
    path = tmp_path / "stichtage.xlsx"
    wb.save(path)
    rep = run(store, flensburg, str(path), indicator="arbeitslose")
    assert rep.tables[0]["layout"] == "wide by period"
    assert stored(store) == {
        ("district", "STGT11", "arbeitslose", "2021-06-30"): (900.0, "measured"),
        ("district", "STGT11", "arbeitslose", "2022-06-30"): (1020.0, "measured"),
    }
