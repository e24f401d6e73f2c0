"""Imports on real data: the Sozialatlas folder round trip, Lübeck, areas, numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.settings import Paths
from monitor.areas import AreaMatcher
from monitor.export import export_values
from monitor.imports import import_path, parse_cell
from monitor.store import MonitorStore

from .conftest import CORPUS


@pytest.mark.parametrize(
    "text",
    [
        "04 Westliche Höhe",
        "Westliche_Höhe",
        "westliche hoehe",
        "4",
        "STGT04",
        "04 - Westliche Höhe",
    ],
)
def test_every_spelling_finds_the_district(flensburg: AreaMatcher, text: str) -> None:
    match = flensburg.match(text)
    assert match is not None and (match.level, match.area_key) == ("district", "STGT04")


@pytest.mark.parametrize("text", ["Gesamt", "Stadt", "Insgesamt", "Flensburg", "flensburg"])
def test_region_words_are_the_region_total(flensburg: AreaMatcher, text: str) -> None:
    assert flensburg.match(text).level == "region"


@pytest.mark.parametrize(
    ("text", "key"), [("01 - Innenstadt", "01"), ("10 - Travemünde", "10"), ("St. Jürgen", "02")]
)
def test_luebeck_names(luebeck: AreaMatcher, text: str, key: str) -> None:
    assert luebeck.match(text).area_key == key
    assert luebeck.match("00 - Lübeck").level == "region"


def test_unmatched_gives_closest(flensburg: AreaMatcher) -> None:
    assert flensburg.match("Westlich Hohe") is None
    assert flensburg.match("14") is None
    assert flensburg.closest("Westlich Hohe")[0] == "04 Westliche Höhe"


@pytest.mark.parametrize(
    ("raw", "style", "expected"),
    [
        ("1.234,5", "", (1234.5, "measured")),
        ("12,5 %", "", (12.5, "measured")),
        ("1 234", "", (1234.0, "measured")),
        ("1.234", "", (1234.0, "measured")),
        ("1.234", "en", (1.234, "measured")),
        ("3,807", "", (3807.0, "measured")),
        ("3,807", "de", (3.807, "measured")),
        ("-3", "", (-3.0, "measured")),
        (7, "", (7.0, "measured")),
        ("<4", "", (None, "suppressed")),
        ("< 3", "", (None, "suppressed")),
        ("k. A.", "", (None, "missing")),
        ("K.A.", "", (None, "missing")),
        ("–", "", (None, "missing")),
        (None, "", (None, "missing")),
    ],
)
def test_parse_cell(raw: object, style: str, expected: tuple) -> None:
    value, status, _, _ = parse_cell(raw, style=style)
    assert (value, status) == expected


@pytest.mark.parametrize("raw", ["zwölf", "1.234", "12,5,6", "nan"])
def test_parse_cell_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=r"ambiguous|neither a number"):
        parse_cell(raw, style="mixed")


def _expected_sozialatlas(folder: Path) -> dict[tuple[str, str, str], float | None]:
    """Every value of the folder read with plain pandas, keyed as the docs name them:
    table key (file name without ``fl_`` and ``_by_district``), ``.<column>`` when a
    table has several value columns, ``_<household type>`` for the coded breakdown."""
    lookups = {"fl_district", "fl_household_type"}
    households = pd.read_csv(folder / "fl_household_type.csv").set_index("id")["label"]
    out: dict[tuple[str, str, str], float | None] = {}
    for path in sorted(folder.glob("fl_*.csv")):
        if path.stem in lookups:
            continue
        frame = pd.read_csv(path, dtype={"district_id": "Int64"})
        table = path.stem.removeprefix("fl_").removesuffix("_by_district")
        cols = [c for c in frame.columns if c not in ("year", "district_id", "household_type_id")]
        for row in frame.to_dict("records"):
            if "district_id" not in frame.columns:
                area = "region"
            elif pd.isna(row["district_id"]):
                area = "unassigned"
            else:
                area = f"STGT{int(row['district_id']):02d}"
            for col in cols:
                key = table if len(cols) == 1 else f"{table}.{col}"
                if "household_type_id" in frame.columns:
                    key += "_" + households[int(row["household_type_id"])]
                value = row[col]
                out[(area, key, str(row["year"]))] = None if pd.isna(value) else float(value)
    return out


def test_sozialatlas_round_trip(
    store: MonitorStore, flensburg: AreaMatcher, sozialatlas: Path, tmp_path: Path
) -> None:
    report = import_path(store, sozialatlas, flensburg, user="test")
    expected = _expected_sozialatlas(sozialatlas)
    assert report.rejected == [] and report.unmatched_areas == []
    assert report.values_read == report.values_stored == report.new == len(expected)
    assert report.suppressed == sum(v is None for v in expected.values())
    assert report.region_total_values == sum(k[0] == "region" for k in expected)
    assert report.unassigned_values == sum(k[0] == "unassigned" for k in expected)
    lookups = [t["file"] for t in report.tables if t["role"] == "lookup"]
    assert lookups == ["fl_district.csv", "fl_household_type.csv"]
    out = export_values(store, tmp_path / "werte.csv")
    exported = pd.read_csv(out, dtype={"period": str, "area_key": str})
    assert list(exported.columns) == [
        "area_key", "area_name", "level", "indicator", "period", "value", "status", "unit"
    ]  # fmt: skip
    got = {
        (r.area_key, r.indicator, r.period): (None if math.isnan(r.value) else r.value)
        for r in exported.itertuples()
    }
    assert got == expected
    # empty cells are suppressed counts (< 4) in the Sozialatlas, never 0
    empty = exported[exported["value"].isna()]
    assert set(empty["status"]) == {"suppressed"}
    assert set(exported.loc[exported["area_key"] == "region", "level"]) == {"region"}
    assert (tmp_path / "werte.indikatoren.csv").exists()


def test_sozialatlas_labels_units_domains(
    store: MonitorStore, flensburg: AreaMatcher, sozialatlas: Path
) -> None:
    import_path(store, sozialatlas, flensburg, user="test")
    ind = {i.key: i for i in store.indicators()}
    assert ind["residents"].label_de == "Einwohnerinnen"
    assert ind["residents"].unit == "Anzahl" and ind["residents"].domain == "Demografie"
    assert ind["births.birth_rate"].unit == "je 1.000"
    assert ind["births.birth_rate"].label_de.endswith("Geburtenquote")
    assert ind["age_ratio"].unit == "je 100"
    # the metadata spells it "remployment_rate"; the column is still labelled
    rate = ind["employed_with_pension_insurance.employment_rate"]
    assert rate.label_de.endswith("Beschäftigungsquote") and rate.unit == "%"
    assert rate.polarity == "higher_better"
    assert ind["unemployed_residents"].polarity == "higher_worse"
    assert ind["unemployed_residents"].domain == "Soziale Lage"
    assert ind["debt_counseling_residents_single_mother"].label_de.endswith("Alleinerziehende Frau")
    assert ind["age_groups.age_0_to_under_7"].label_de.endswith("0 bis unter 7")


def test_reimport_changes_nothing_and_correction_updates(
    store: MonitorStore, flensburg: AreaMatcher, sozialatlas: Path, tmp_path: Path
) -> None:
    first = import_path(store, sozialatlas, flensburg, user="anna")
    changes = len(store.history())
    again = import_path(store, sozialatlas, flensburg, user="anna")
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.values_stored)
    assert len(store.history()) == changes and len(store.imports()) == 2
    # a corrected copy: one value changed, one suppressed cell filled
    fixed = tmp_path / "sozialatlas"
    fixed.mkdir()
    for p in sozialatlas.iterdir():
        (fixed / p.name).write_bytes(p.read_bytes())
    res = fixed / "fl_residents_by_district.csv"
    text = res.read_text(encoding="utf-8")
    assert "\n2022,1,3907\n" in text
    res.write_text(text.replace("\n2022,1,3907\n", "\n2022,1,3908\n"), encoding="utf-8")
    risk = fixed / "fl_risk_homelessness_by_district.csv"
    lines = risk.read_text().splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.endswith(","))
    before_line = lines[i]
    lines[i] = before_line + "2"
    risk.write_text("\n".join(lines) + "\n")
    third = import_path(store, fixed, flensburg, user="ben")
    assert third.updated == 2 and third.new == 0
    hist = store.history(kind="value").query("user == 'ben'")
    assert len(hist) == 2
    res_change = hist[hist["item"] == "district|STGT01|residents|2022"].iloc[0]
    assert res_change["before"]["value"] == 3907 and res_change["after"]["value"] == 3908
    assert res_change["source"] == "sozialatlas" and res_change["action"] == "update"
    filled = hist[hist["item"] != "district|STGT01|residents|2022"].iloc[0]
    assert filled["before"]["status"] == "suppressed" and filled["after"]["value"] == 2.0


def test_luebeck_region_totals_and_rate_aggregation(
    work_paths: Paths, luebeck: AreaMatcher, real_paths: Paths
) -> None:
    from monitor.derived import define_derived
    from monitor.model import aggregate_frame

    path = real_paths.data_root / "luebeck" / "luebeck_stadtteile_bevoelkerung_2010_2022.csv"
    store = MonitorStore("luebeck", paths=work_paths)
    rep = import_path(store, path, luebeck, user="test")
    raw = pd.read_csv(path)
    assert rep.rejected == [] and rep.rows_read == len(raw) == 143
    assert rep.region_total_values == 13 * 9
    assert store.indicator("durchschnittsalter").unit == "Jahre"
    vals = store.values()
    ew = vals[vals["indicator"] == "einwohner"]
    sums = ew[ew["level"] == "district"].groupby("period")["value"].sum()
    city = ew[ew["level"] == "region"].set_index("period")["value"]
    diff = (sums - city).to_dict()
    # the README: the Stadtteile add up to the city in every year except 2015 (-3)
    assert {p: d for p, d in diff.items() if d != 0} == {"2015": -3.0}
    ind, _ = define_derived(
        store,
        key="kinderanteil",
        formula="kinder / einwohner * 100",
        label_de="Anteil Kinder",
        user="test",
        domain="Demografie",
    )
    assert (ind.numerator, ind.denominator, ind.scale) == ("kinder", "einwohner", 100.0)
    frame = store.values_frame()
    districts = sorted(frame.loc[frame["level"] == "district", "area_key"].unique())
    agg = aggregate_frame(ind, frame, groups={"stadt": districts}).loc["stadt"]
    kids = raw[raw["stadtteil"] == "00 - Lübeck"].set_index("jahr")
    for period, value in agg.items():
        year = int(period)
        if year == 2015:
            continue
        assert value == pytest.approx(kids.loc[year, "kinder"] / kids.loc[year, "einwohner"] * 100)
    # two districts of very different size: Σ kinder / Σ einwohner, not the mean of rates
    pair = aggregate_frame(ind, frame, groups={"pair": ["02", "10"]}).loc[("pair", "2022")]
    rows = raw[(raw["jahr"] == 2022) & raw["stadtteil"].str[:2].isin(["02", "10"])]
    assert pair == pytest.approx(rows["kinder"].sum() / rows["einwohner"].sum() * 100)
    mean_of_rates = (rows["kinder"] / rows["einwohner"] * 100).mean()
    assert abs(pair - mean_of_rates) > 1.0


def test_long_table_with_unit_column(
    store: MonitorStore, flensburg: AreaMatcher, tmp_path: Path
) -> None:
    path = tmp_path / "lang.csv"
    path.write_text(
        "Gebiet;Jahr;Indikator;Wert;Einheit\n"
        "Altstadt;2022;Einwohner;3907;Personen\n"
        "Altstadt;2022;SGB-II-Quote;16,5;Prozent\n"
        "Altstadt;2022;Durchschnittsalter;38,2;Jahre\n"
        "Altstadt;2022;Kita-Quote;55,0;\n",
        encoding="utf-8",
    )
    rep = import_path(store, path, flensburg, user="t")
    assert rep.values_stored == 4 and rep.rejected == []
    units = {i.key: i.unit for i in store.indicators()}
    assert units == {
        "einwohner": "Anzahl",
        "sgb_ii_quote": "%",
        "durchschnittsalter": "Jahre",
        "kita_quote": "%",  # no unit given: from the name
    }


def test_folder_labels_in_three_languages(
    store: MonitorStore, flensburg: AreaMatcher, tmp_path: Path
) -> None:
    folder = tmp_path / "atlas"
    folder.mkdir()
    (folder / "tabellen.csv").write_text(
        "table,locale,label,hint\n"
        "fl_births_by_district,de,Geburten in den Stadtteilen 2011 bis 2021,\n"
        "fl_births_by_district,en,Births,\n"
        "fl_births_by_district,da,Fødsler,\n",
        encoding="utf-8",
    )
    (folder / "spalten.csv").write_text(
        "table,column,locale,label\n"
        "births_by_district,births,de,Geburten\n"
        "births_by_district,births,en,births\n"
        "births_by_district,births,da,fødsler\n"
        "births_by_district,birth_rate,de,Geburtenquote\n",
        encoding="utf-8",
    )
    (folder / "fl_births_by_district.csv").write_text(
        "year,district_id,births,birth_rate\n2022,1,40,36.8\n", encoding="utf-8"
    )
    rep = import_path(store, folder, flensburg, user="t")
    assert rep.values_stored == 2
    births = store.indicator("births.births")
    assert (births.label_de, births.label_en, births.label_da) == (
        "Geburten",  # the column repeats the table title
        "Births: births",
        "Fødsler: fødsler",
    )
    rate = store.indicator("births.birth_rate")
    assert (rate.label_de, rate.label_da, rate.unit) == ("Geburten: Geburtenquote", "", "je 1.000")


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**9), 10**9), st.integers(0, 99), st.booleans())
def test_german_and_english_numbers_round_trip(whole: int, cents: int, percent: bool) -> None:
    value = whole + (cents / 100 if whole >= 0 else -cents / 100)
    sign = "-" if value < 0 else ""
    grouped = f"{abs(whole):,}"
    de = f"{sign}{grouped.replace(',', '.')},{cents:02d}" + (" %" if percent else "")
    en = f"{sign}{grouped}.{cents:02d}"
    for text, style in ((de, "de"), (en, "en"), (de, ""), (en, "")):
        got, status, _, _ = parse_cell(text, style=style)
        assert status == "measured" and got == pytest.approx(value)
    assert parse_cell(de, style="de")[3] is percent


def test_count_values(store: MonitorStore, flensburg: AreaMatcher, work_paths: Paths) -> None:
    from monitor.store import count_values

    assert count_values("luebeck", paths=work_paths) == 0
    assert not (work_paths.work_dir / "monitor" / "luebeck.sqlite").exists()
    rep = import_path(store, CORPUS / "marker.csv", flensburg, user="t")
    assert count_values("flensburg", paths=work_paths) == rep.values_stored == 18


def test_city_wide_breakdown_age_pyramid(
    work_paths: Paths, luebeck: AreaMatcher, real_paths: Paths
) -> None:
    """An area-less table whose first column names a category per row (single years of
    age) is a breakdown: one region-total indicator per sex and age."""
    from monitor.imports import ImportOptions

    folder = real_paths.data_root / "luebeck"
    store = MonitorStore("luebeck", paths=work_paths)
    rep = import_path(
        store, folder / "luebeck_altersaufbau_2022.csv", luebeck, user="t",
        options=ImportOptions(period="2022"),
    )  # fmt: skip
    assert rep.rejected == [] and rep.values_stored == rep.region_total_values == 202
    vals = store.values()
    assert store.indicator("frauen_alter_100").label_de == "frauen, alter 100"
    assert vals.set_index("indicator").loc["maenner_alter_0", "value"] == 878
    # the pyramid adds up to the city's residents of 2022 in the other file
    pop = pd.read_csv(folder / "luebeck_stadtteile_bevoelkerung_2010_2022.csv")
    city = pop.query("jahr == 2022 and stadtteil == '00 - Lübeck'")["einwohner"].item()
    assert vals["value"].sum() == city == 222077
