"""The bad-input corpus: every file with its exact outcome, plus the real samples."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geo.errors import GeocodeError, OfferImportError
from geo.settings import Paths
from offers.readers import read_table
from offers.rows import detect_mapping, parse_count, parse_number, parse_rows
from offers.store import OfferStore

from .conftest import CORPUS


def outcome(path: Path, area: shapely.Geometry, **kw: object) -> tuple[list, list]:
    table = read_table(path)
    parsed, rejects, _ = parse_rows(table, area=area, **kw)
    assert len(parsed) + len(rejects) == table.rows_read
    return parsed, rejects


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("leer.csv", "the file is empty"),
        ("binaer.csv", "NUL bytes"),
        ("ohne_namensspalte.csv", "no column for the offer name.*Columns in the file: Straße, PLZ"),
        ("gibt_es_nicht.csv", "does not exist"),
    ],
)
def test_unreadable_files(name: str, match: str, wolfsburg_area: shapely.Geometry) -> None:
    with pytest.raises(OfferImportError, match=match):
        outcome(CORPUS / name, wolfsburg_area)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "angebote.ods"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(OfferImportError, match=r"unknown file type '\.ods'"):
        read_table(path)


@pytest.mark.parametrize(
    ("limit_mb", "refused"), [("0.0001", True), ("50", False), ("not-a-number", False)]
)
def test_size_limit_before_reading(
    limit_mb: str, refused: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLK_MAX_IMPORT_MB", limit_mb)
    path = CORPUS / "cp1252_semikolon.csv"
    if refused:
        with pytest.raises(OfferImportError, match="more than the limit"):
            read_table(path)
    else:
        assert read_table(path).rows_read == 2


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "names"),
    [
        ("cp1252_semikolon.csv", "cp1252", ";", ["Kita Rübezahl", "Grundschule Fallersleben Süd"]),
        ("utf8_bom_komma.csv", "utf-8-sig", ",", ["Bücherei Süd"]),
        ("utf16_tab.csv", "utf-16", "\t", ["Musikschule Größe"]),
    ],
)
def test_encodings_and_delimiters(
    name: str, encoding: str, delimiter: str, names: list[str], wolfsburg_area: shapely.Geometry
) -> None:
    table = read_table(CORPUS / name)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    parsed, rejects = outcome(CORPUS / name, wolfsburg_area)
    assert rejects == []
    assert [p.record["name"] for p in parsed] == names


def test_german_values(wolfsburg_area: shapely.Geometry) -> None:
    parsed, _ = outcome(CORPUS / "cp1252_semikolon.csv", wolfsburg_area)
    kita, school = (p.record for p in parsed)
    assert (kita["lat"], kita["lon"]) == (52.4231, 10.7865)  # decimal commas
    assert kita["capacity"] == 1200  # thousands dot
    assert kita["provider_type"] == "public"
    assert (kita["street"], kita["housenumber"], kita["postcode"]) == ("Goethestraße", "5", "38440")
    assert school["category"] == "grundschule"  # from the name, the column is empty
    assert school["provider_type"] == "church"
    assert school["target_groups"] == ["6_9"]
    parsed, _ = outcome(CORPUS / "utf8_bom_komma.csv", wolfsburg_area)
    rec = parsed[0].record
    assert (rec["street"], rec["housenumber"], rec["postcode"], rec["city"]) == (
        "Hauptstr.",
        "3",
        "38440",
        "Wolfsburg",
    )
    assert rec["wheelchair"] == "yes"


def test_mixed_delimiters(wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "gemischte_trenner.csv", wolfsburg_area)
    assert [p.row for p in parsed] == [1, 3]
    assert [(r.row, r.field) for r in rejects] == [(2, "*")]
    assert "seems to use ','" in rejects[0].reason
    assert rejects[0].values == {"Spalte 1": "Kita Zwei,52.43,10.79,Kita"}


def test_header_only(wolfsburg_area: shapely.Geometry) -> None:
    assert outcome(CORPUS / "nur_kopfzeile.csv", wolfsburg_area) == ([], [])


def test_coordinates(wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "koordinaten.csv", wolfsburg_area)
    assert [p.record["name"] for p in parsed] == ["Kita Innen"]
    got = [(r.row, r.field, r.reason.split(";")[0].split(" (")[0]) for r in rejects]
    assert got == [
        (2, "Breitengrad", "the point"),
        (3, "Breitengrad", "latitude and longitude look swapped"),
        (4, "Breitengrad", "latitude 'zweiundfünfzig' is not a number."),
        (5, "Längengrad", "only one of the two coordinates is filled in."),
    ]
    assert "outside the region" in rejects[0].reason


def test_outside_germany_without_area() -> None:
    table = read_table(CORPUS / "koordinaten.csv")
    parsed, rejects, _ = parse_rows(table)
    # Without a region only the swapped row is caught (Munich is in Germany).
    assert [p.row for p in parsed] == [1, 2]
    assert [r.row for r in rejects] == [3, 4, 5]
    assert "outside Germany" not in rejects[0].reason and "swapped" in rejects[0].reason


def test_duplicate_ids(wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "doppelte_ids.csv", wolfsburg_area)
    assert [p.record["name"] for p in parsed] == ["Kita Alpha", "Kita Gamma"]
    assert [(r.row, r.field) for r in rejects] == [(2, "ID")]
    assert "appears again (first in row 1)" in rejects[0].reason


def test_broken_geometries(wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "kaputte_geometrien.geojson", wolfsburg_area)
    assert [p.record["name"] for p in parsed] == ["Jugendzentrum Ost", "Familienzentrum Fläche"]
    assert [(r.row, r.field) for r in rejects] == [(2, "geometry"), (3, "geometry")]
    assert "no geometry" in rejects[0].reason and "invalid" in rejects[1].reason
    polygon_point = shapely.Point(parsed[1].record["lon"], parsed[1].record["lat"])
    square = shapely.box(10.78, 52.41, 10.79, 52.42)
    assert square.contains(polygon_point)


def test_formulas_and_html_are_kept_as_text(wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "formeln_html.csv", wolfsburg_area)
    assert rejects == []
    names = [p.record["name"] for p in parsed]
    assert names == [
        '=HYPERLINK("http://evil.example";"klick")',
        "<img src=x onerror=alert(1)>",
        "-2+3",
    ]
    assert parsed[1].record["phone"] == "@SUM(1+1)"


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (1, "Plätze", "'viele' is not a whole number"),
        (2, "Freie Plätze", "more free places than places"),
        (3, "Barrierefrei", "'vielleicht' is not ja/nein/teilweise"),
        (4, "Alter bis", "age 'to' is below age 'from'"),
        (5, "PLZ", "PLZ '123' is not five digits"),
        (6, "Name", "the name is empty"),
        (7, "Kategorie", "category 'Zauberei' unknown"),
    ],
)
def test_bad_values(row: int, field: str, reason: str, wolfsburg_area: shapely.Geometry) -> None:
    parsed, rejects = outcome(CORPUS / "falsche_werte.csv", wolfsburg_area)
    assert [p.record["name"] for p in parsed] == ["Kita Gut"]
    by_row = {r.row: r for r in rejects}
    assert set(by_row) == {1, 2, 3, 4, 5, 6, 7}
    assert by_row[row].field == field
    assert reason in by_row[row].reason


def test_rechtswert_hochwert(wolfsburg_area: shapely.Geometry) -> None:
    parsed, _ = outcome(CORPUS / "rechts_hochwert.csv", wolfsburg_area)
    rec = parsed[0].record
    back = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    x, y = back.transform(rec["lon"], rec["lat"])
    assert abs(x - 621345.5) < 0.05 and abs(y - 5808912.25) < 0.05


def test_user_mapping(tmp_path: Path, wolfsburg_area: shapely.Geometry) -> None:
    path = tmp_path / "liste.csv"
    path.write_text("Bezeichnung;Name;Y;X\nKita Mond;Frau Sonne;52.42;10.78\n", encoding="utf-8")
    table = read_table(path)
    mapping = {"name": "Bezeichnung", "lat": "Y", "lon": "X", "category": ""}
    parsed, rejects, used = parse_rows(table, mapping=mapping, area=wolfsburg_area)
    assert rejects == [] and parsed[0].record["name"] == "Kita Mond"
    assert used["name"] == "Bezeichnung"
    with pytest.raises(OfferImportError, match="does not have"):
        detect_mapping(table.headers, mapping={"name": "Titel"})
    with pytest.raises(OfferImportError, match="unknown field 'nmae'"):
        detect_mapping(table.headers, mapping={"nmae": "Name"})


@pytest.mark.parametrize(
    ("text", "number"),
    [("52,42", 52.42), ("52.42", 52.42), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("", None)],
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(("text", "count"), [("1.200", 1200), ("45", 45), ("45,0", 45), ("", None)])
def test_parse_count(text: str, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["-1", "4,5", "viele"])
def test_parse_count_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_count(text)


def test_xlsx_and_gpkg(tmp_path: Path, wolfsburg_area: shapely.Geometry) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "PLZ", "Breitengrad", "Längengrad", "Plätze", "Kategorie"])
    ws.append(["Kita Stern", 38440, 52.42, 10.78, 30, "Kita"])
    ws.append([None, None, None, None, None, None])  # blank line: not a row
    ws.append(["Kita Mond", 38440, "52,43", "10,79", "", "Krippe"])
    wb.save(tmp_path / "liste.xlsx")
    parsed, rejects = outcome(tmp_path / "liste.xlsx", wolfsburg_area)
    assert rejects == []
    assert [(p.row, p.record["postcode"], p.record["capacity"]) for p in parsed] == [
        (1, "38440", 30),
        (3, "38440", None),
    ]
    assert parsed[1].record["category"] == "krippe"
    gdf = gpd.GeoDataFrame(
        {"Name": ["VHS Nord"], "Kategorie": ["Volkshochschule"]},
        geometry=[shapely.Point(10.78, 52.42)],
        crs="EPSG:4326",
    ).to_crs("EPSG:25832")
    gdf.to_file(tmp_path / "liste.gpkg", driver="GPKG")
    parsed, rejects = outcome(tmp_path / "liste.gpkg", wolfsburg_area)
    assert rejects == [] and parsed[0].record["category"] == "volkshochschule"
    assert abs(parsed[0].record["lon"] - 10.78) < 1e-6


def test_broken_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(OfferImportError, match="XLSX file cannot be read"):
        read_table(path)


def test_school_lists(real_paths: Paths, wolfsburg_area: shapely.Geometry) -> None:
    root = real_paths.data_root
    raw = pd.read_csv(root / "wolfsburg" / "schulen_2017.csv")
    table = read_table(root / "wolfsburg" / "schulen_2017.csv")
    assert table.rows_read == len(raw)
    parsed, rejects, used = parse_rows(table, area=wolfsburg_area)
    assert used["lat"] == "lat" and used["id"] == "id" and used["subtype"] == "school_type"
    assert len(parsed) + len(rejects) == len(raw)
    multiline = raw[raw["name"].str.contains("\n")]
    assert len(multiline) >= 1
    by_row = {p.row: p.record for p in parsed}
    for i in multiline.index:
        if i + 1 in by_row:
            assert "\n" not in by_row[i + 1]["name"]
    # Rejected rows are the ones outside the city outline or without a category.
    for r in rejects:
        assert "outside the region" in r.reason or r.field == "category"
    lauf = read_table(root / "lauf" / "schulen_2017.csv")
    parsed, rejects, _ = parse_rows(lauf)
    assert rejects == [] and len(parsed) == 10
    steinbruch = next(p.record for p in parsed if p.record["street"] == "Steinbruchweg")
    assert (steinbruch["housenumber"], steinbruch["postcode"], steinbruch["city"]) == (
        "21a",
        "90607",
        "Rückersdorf",
    )


class FakeGeocoder:
    """Knows two Flensburg addresses (a geocoder for another town, in 0–100 scores)."""

    def __init__(self, known: dict[str, tuple[float, float, str]]) -> None:
        self.known = known
        self.queries: list[str] = []

    def geocode(self, query: str):
        self.queries.append(query)
        if query not in self.known:
            raise GeocodeError(f"no match for {query!r}")
        lon, lat, plz = self.known[query]
        return type(
            "Hit",
            (),
            {
                "lon": lon,
                "lat": lat,
                "score": 92.0,
                "kind": "address",
                "label": query,
                "postcode": plz,
            },
        )()


def test_flensburg_kitas_geocoding(real_paths: Paths) -> None:
    path = real_paths.data_root / "samples" / "flensburg_kitas.csv"
    raw = pd.read_csv(path)
    table = read_table(path)
    geo = FakeGeocoder(
        {
            "Marientreppe 10, 24939": (9.4300, 54.7900, "24939"),
            "Junkerhohlweg 20, 24939": (9.4200, 54.8000, "24939"),
        }
    )
    parsed, rejects, used = parse_rows(table, geocoder=geo, default_category="kita")
    assert used["name"] == "facility" and used["capacity"] == "childcare_places"
    assert used["provider"] == "institution" and used["postcode"] == "postal_code"
    assert "director" not in used.values()  # names of facility heads are not imported
    assert [p.row for p in parsed] == [1, 2]
    assert len(rejects) == len(raw) - 2
    assert all("not found in the region" in r.reason for r in rejects)
    first = parsed[0].record
    assert first["capacity"] == int(raw.loc[0, "childcare_places"])
    assert (first["location_source"], first["location_score"]) == ("geocoded:address", 0.92)
    assert first["opening_hours"] == "07:30-16:30"
    assert len(geo.queries) == len(raw)


def test_region_geocoder_rejects_other_town(lauf, real_paths: Paths) -> None:
    """Lauf's offline geocoder does not know Flensburg: every row is a clear reject."""
    from offers.catalogue import make_geocoder

    path = real_paths.data_root / "samples" / "flensburg_kitas.csv"
    table = read_table(path)
    parsed, rejects, _ = parse_rows(table, geocoder=make_geocoder(lauf), default_category="kita")
    assert parsed == []
    assert len(rejects) == table.rows_read == 70
    assert all(r.field in ("address", "postal_code") for r in rejects)
    assert any("another PLZ" in r.reason for r in rejects)


_cell = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.sampled_from(["", "52,42", "10.78", "1.200", "=1+1", "<b>x</b>", "ja", "Kita", "-5"]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_cell, _cell, _cell, _cell, _cell, _cell), min_size=1, max_size=12))
def test_invariant_imported_plus_rejected(
    rows: list[tuple[str, ...]], tmp_path_factory: pytest.TempPathFactory, real_paths: Paths
) -> None:
    from geo.settings import get_paths

    folder = tmp_path_factory.mktemp("inv")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(["ID", "Name", "Kategorie", "Breitengrad", "Längengrad", "Plätze"])
    writer.writerows(rows)
    path = folder / "gen.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    store = OfferStore("gen", paths=get_paths(data_root=real_paths.data_root, work_dir=folder))
    try:
        table = read_table(path)
    except OfferImportError:
        return  # e.g. the generated file has no data at all
    report = store.import_file(path, user="hypothesis")
    assert report.rows_read == table.rows_read
    assert report.imported + len(report.rejected) == report.rows_read
    assert report.invariant_holds
    assert len(store.offers()) <= report.imported
    assert len(store.rejected()) == len(report.rejected)
    # Re-importing the same file changes nothing, whatever the rows were.
    changes = len(store.history())
    again = store.import_file(path, user="hypothesis")
    assert (again.new, again.updated) == (0, 0)
    assert again.unchanged == report.imported and again.rejected == report.rejected
    assert len(store.history()) == changes


def test_mixed_encodings_line_by_line(wolfsburg_area: shapely.Geometry) -> None:
    """A UTF-8 export with a cp1252 line appended: every umlaut survives."""
    table = read_table(CORPUS / "gemischte_kodierung.csv")
    assert table.encoding == "mixed utf-8/cp1252"
    assert table.headers == ["Name", "Breitengrad", "Längengrad", "Kategorie"]
    parsed, rejects = outcome(CORPUS / "gemischte_kodierung.csv", wolfsburg_area)
    assert rejects == []
    assert [p.record["name"] for p in parsed] == ["Kita Schöne Aussicht", "Bücherei Süd"]
