"""Census grids, districts, area-share aggregation and cell snapping on the real data."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.agegroups import AGE_GROUPS, POP_COLUMNS
from geo.census import read_census
from geo.districts import (
    aggregate_to_districts,
    assign_cells_to_districts,
    districts_from_file,
    districts_from_osm,
)
from geo.errors import CensusFormatError, InputDataError
from geo.routing import snap_cells

KURZ = ["Unter18", "a18bis29", "a30bis49", "a50bis64", "a65undaelter"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


@pytest.fixture(scope="module")
def wob_files(data_root: Path) -> list[Path]:
    return [
        data_root / "wolfsburg" / "zensus2011_100m_alter.csv",
        data_root / "wolfsburg" / "zensus2011_100m_unter10_ab80.csv",
    ]


@pytest.fixture(scope="module")
def wob_cells(wob_files: list[Path]) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    return read_census(wob_files)


@pytest.fixture(scope="module")
def ortsteile(data_root: Path) -> gpd.GeoDataFrame:
    return districts_from_file(
        data_root / "wolfsburg" / "ortsteile.geojson", name_column="name", key_column="id"
    )


def _sample_rows(data_root: Path, n: int = 40) -> tuple[list[dict[str, str]], dict[str, dict]]:
    """Real rows: the first ``n`` cells that have both age classes and Unter10/Ab80."""
    alter = _rows(data_root / "wolfsburg" / "zensus2011_100m_alter.csv")
    u10 = {
        r["GITTER_ID_100m"]: r
        for r in _rows(data_root / "wolfsburg" / "zensus2011_100m_unter10_ab80.csv")
    }
    picked = [r for r in alter if r["GITTER_ID_100m"] in u10 and int(r["Unter18"]) > 0][:n]
    return picked, u10


# ---------------------------------------------------------------------------- totals


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_total_equals_file_sum(data_root: Path, region: str) -> None:
    files = [
        data_root / region / "zensus2011_100m_alter.csv",
        data_root / region / "zensus2011_100m_unter10_ab80.csv",
    ]
    rows = _rows(files[0])
    cells, _ = read_census(files)
    assert cells["pop_total"].sum() == sum(int(r["Einwohner"]) for r in rows)
    assert len(cells) == len(rows)
    assert cells.crs.to_epsg() == 4326
    assert cells.index.name == "cell_id"
    assert cells.index.is_unique
    assert set(POP_COLUMNS) <= set(cells.columns)


def test_age_groups_conserve_the_classes(
    wob_cells: tuple[gpd.GeoDataFrame, dict[str, str]], wob_files: list[Path]
) -> None:
    cells, estimated = wob_cells
    alter = pd.DataFrame(_rows(wob_files[0])).set_index("GITTER_ID_100m")
    u10 = pd.DataFrame(_rows(wob_files[1])).set_index("GITTER_ID_100m")
    kurz = alter[KURZ].astype(int)
    no_breakdown = (kurz.sum(axis=1) == 0) & (alter["Einwohner"].astype(int) > 0)
    assert (~cells["age_known"]).sum() == no_breakdown.sum()
    assert cells.loc[no_breakdown.index[no_breakdown], "pop_0_5"].isna().all()
    known = cells[cells["age_known"]]
    groups = known[[g.column for g in AGE_GROUPS]].sum(axis=1)
    np.testing.assert_allclose(groups, kurz.loc[known.index].sum(axis=1), atol=1e-9)
    under10 = u10["Unter10"].astype(int).reindex(known.index, fill_value=0)
    np.testing.assert_allclose(known["pop_0_5"] + known["pop_6_9"], under10, atol=1e-9)
    np.testing.assert_allclose(known["pop_0_5"], under10 * 0.6, atol=1e-9)
    assert set(estimated) == {"0_5", "6_9", "10_17"}
    assert "Unter10" in estimated["0_5"] and "Einzeljahre" in estimated["0_5"]


def test_cell_centres_match_ids(wob_cells: tuple[gpd.GeoDataFrame, dict[str, str]]) -> None:
    cells, _ = wob_cells
    centres = cells.geometry.to_crs(3035)
    parts = cells.index.str.extract(r"N(\d+)E(\d+)").astype(float)
    np.testing.assert_allclose(centres.x.to_numpy(), parts[1].to_numpy() + 50, atol=0.01)
    np.testing.assert_allclose(centres.y.to_numpy(), parts[0].to_numpy() + 50, atol=0.01)
    measured = cells.geometry.to_crs(25832)
    np.testing.assert_allclose(measured.x.to_numpy(), cells["x"].to_numpy(), atol=0.01)
    assert (cells["cell_size_m"] == 100).all()


# ---------------------------------------------------------------------------- layouts


def _write_2022(
    path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", marks: dict | None = None
) -> None:
    header = ["GITTER_ID_100m", "x_mp_100m", "y_mp_100m", "Insgesamt_Bevoelkerung", *KURZ]
    lines = [";".join(header)]
    for i, r in enumerate(rows):
        vals = [r["GITTER_ID_100m"], r["x_mp_100m"], r["y_mp_100m"], r["Einwohner"]]
        vals += [r[c] for c in KURZ]
        for col, mark in (marks or {}).get(i, {}).items():
            vals[header.index(col)] = mark
        lines.append(";".join(vals))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


@pytest.mark.parametrize("mark", ["–", "-", ".", ""])
def test_2022_layout_suppressed_values(tmp_path: Path, data_root: Path, mark: str) -> None:
    rows, _ = _sample_rows(data_root)
    marks = {3: {"a18bis29": mark}, 7: {"Unter18": mark, "a65undaelter": mark}}
    path = tmp_path / "Zensus2022_Alter_in_5_Altersklassen_100m-Gitter.csv"
    _write_2022(path, rows, marks=marks)
    cells, _ = read_census([path])
    assert cells.attrs["census"]["suppressed_total"] == 3
    assert cells.attrs["census"]["suppressed"][str(path)]["Unter18"] == 1
    ids = [r["GITTER_ID_100m"] for r in rows]
    assert cells.loc[ids[3], "pop_18_29"] != cells.loc[ids[3], "pop_18_29"]  # NaN
    assert not cells.loc[ids[3], "age_known"]
    assert np.isnan(cells.loc[ids[7], ["pop_0_5", "pop_6_9", "pop_10_17", "pop_65_plus"]]).all()
    assert cells.loc[ids[7], "pop_30_64"] == int(rows[7]["a30bis49"]) + int(rows[7]["a50bis64"])
    others = [i for k, i in enumerate(ids) if k not in (3, 7)]
    assert cells.loc[others, "age_known"].all()
    assert cells["pop_total"].sum() == sum(int(r["Einwohner"]) for r in rows)
    # without Unter10 the under-18 class is split 6/18, 4/18, 8/18
    u18 = np.array([int(rows[k]["Unter18"]) for k in range(len(rows)) if k not in (3, 7)])
    np.testing.assert_allclose(cells.loc[others, "pop_0_5"], u18 * 6 / 18)
    np.testing.assert_allclose(cells.loc[others, "pop_10_17"], u18 * 8 / 18)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_2022_layout_encodings(tmp_path: Path, data_root: Path, encoding: str) -> None:
    rows, _ = _sample_rows(data_root, n=10)
    path = tmp_path / f"z22_{encoding}.csv"
    _write_2022(path, rows, encoding=encoding, marks={1: {"a50bis64": "–"}})
    cells, _ = read_census([path])
    assert len(cells) == 10
    assert cells.attrs["census"]["suppressed_total"] == 1


def test_files_merge_on_cell_id(tmp_path: Path, data_root: Path) -> None:
    rows, u10 = _sample_rows(data_root, n=20)
    ages = tmp_path / "ages.csv"
    _write_2022(ages, rows, marks={4: {"Unter18": "–"}})
    second = tmp_path / "u10.csv"
    head = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Unter10;Ab80"
    listed = [u10[r["GITTER_ID_100m"]] for k, r in enumerate(rows) if k != 4]
    body = [";".join(r[c] for c in head.split(";")) for r in listed]
    second.write_text("\n".join([head, *body]) + "\n", encoding="utf-8")
    cells, _ = read_census([ages, second])
    assert len(cells) == len(rows)
    gone = rows[4]["GITTER_ID_100m"]
    # Unter18 suppressed, Unter10 absent (= 0): under-6 is known, 10-17 is not
    assert cells.loc[gone, "pop_0_5"] == 0
    assert np.isnan(cells.loc[gone, "pop_10_17"])
    for r in rows[:4]:
        expected = int(u10[r["GITTER_ID_100m"]]["Unter10"]) * 0.6
        assert cells.loc[r["GITTER_ID_100m"], "pop_0_5"] == pytest.approx(expected)
    assert cells["pop_total"].sum() == sum(int(r["Einwohner"]) for r in rows)


def _write_2011_long(
    path: Path,
    rows: list[dict[str, str]],
    u10: dict[str, dict],
    *,
    encoding: str = "latin-1",
    suppress: tuple[str, int] | None = None,
) -> None:
    texts = ["unter 18", "18 - 29", "30 - 49", "50 - 64", "65 und älter"]
    lines = ["Gitter_ID_100m;Merkmal;Auspraegung_Code;Auspraegung_Text;Anzahl;Anzahl_q"]
    for r in rows:
        x_ll = int(r["x_mp_100m"]) - 50
        y_ll = int(r["y_mp_100m"]) - 50
        gid = f"100mN{y_ll // 100}E{x_ll // 100}"  # the 2011 id counts 100 m units
        lines.append(f"{gid};INSGESAMT;0;Einheiten insgesamt;{r['Einwohner']};0")
        for code, (col, text) in enumerate(zip(KURZ, texts, strict=True), start=1):
            if int(r[col]) > 0:  # the long files list non-zero classes only
                value = r[col]
                if suppress == (r["GITTER_ID_100m"], code):
                    value = "-1"
                lines.append(f"{gid};ALTER_KURZ;{code};{text};{value};0")
        lines.append(f"{gid};GESCHLECHT;1;Männlich;3;0")  # a Merkmal we do not use
        extra = u10.get(r["GITTER_ID_100m"])
        if extra:
            for code, col in ((1, "Unter10"), (9, "Ab80")):
                if int(extra[col]) > 0:
                    lines.append(f"{gid};ALTER_10JG;{code};x;{extra[col]};0")
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def _write_wide(path: Path, rows: list[dict[str, str]], u10: dict[str, dict]) -> list[Path]:
    alter = path / "alter.csv"
    head = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner;" + ";".join(KURZ)
    alter.write_text(
        "\n".join([head] + [";".join(r[c] for c in head.split(";")) for r in rows]) + "\n",
        encoding="utf-8",
    )
    second = path / "u10.csv"
    sub = [u10[r["GITTER_ID_100m"]] for r in rows if r["GITTER_ID_100m"] in u10]
    head2 = "GITTER_ID_100m;x_mp_100m;y_mp_100m;Unter10;Ab80"
    second.write_text(
        "\n".join([head2] + [";".join(r[c] for c in head2.split(";")) for r in sub]) + "\n",
        encoding="utf-8",
    )
    return [alter, second]


def test_2011_long_layout_equals_wide(tmp_path: Path, data_root: Path) -> None:
    rows, u10 = _sample_rows(data_root)
    long_path = tmp_path / "Bevoelkerung100M.csv"
    _write_2011_long(long_path, rows, u10, encoding="latin-1")
    long_cells, long_est = read_census([long_path])
    wide_cells, wide_est = read_census(_write_wide(tmp_path, rows, u10))
    pd.testing.assert_index_equal(long_cells.index.sort_values(), wide_cells.index.sort_values())
    cols = list(POP_COLUMNS)
    pd.testing.assert_frame_equal(
        pd.DataFrame(long_cells[cols]).sort_index(), pd.DataFrame(wide_cells[cols]).sort_index()
    )
    np.testing.assert_allclose(
        long_cells.sort_index()["x"], wide_cells.sort_index()["x"], atol=1e-6
    )
    assert long_est == wide_est
    assert long_cells.attrs["census"]["ignored"][str(long_path)] == {"GESCHLECHT": len(rows)}


def test_2011_long_layout_suppressed(tmp_path: Path, data_root: Path) -> None:
    rows, u10 = _sample_rows(data_root, n=12)
    target = rows[5]["GITTER_ID_100m"]
    path = tmp_path / "long.csv"
    _write_2011_long(path, rows, u10, suppress=(target, 1))
    cells, _ = read_census([path])
    assert cells.attrs["census"]["suppressed_total"] == 1
    assert np.isnan(cells.loc[target, "pop_10_17"])
    assert cells.loc[target, "pop_18_29"] == int(rows[5]["a18bis29"])
    assert cells["age_known"].sum() == len(rows) - 1


def test_1km_cells(tmp_path: Path, wob_files: list[Path]) -> None:
    rows = _rows(wob_files[0])
    df = pd.DataFrame(rows)
    x_ll = df["x_mp_100m"].astype(int) - 50
    y_ll = df["y_mp_100m"].astype(int) - 50
    df["kx"] = x_ll // 1000 * 1000
    df["ky"] = y_ll // 1000 * 1000
    vals = ["Einwohner", *KURZ]
    km = df.astype({c: int for c in vals}).groupby(["ky", "kx"])[vals].sum().reset_index()
    lines = ["GITTER_ID_1km;x_mp_1km;y_mp_1km;" + ";".join(vals)]
    for r in km.itertuples(index=False):
        gid = f"CRS3035RES1000mN{r.ky}E{r.kx}"
        nums = ";".join(str(getattr(r, c)) for c in vals)
        lines.append(f"{gid};{r.kx + 500};{r.ky + 500};{nums}")
    path = tmp_path / "Zensus2022_Bevoelkerungszahl_1km-Gitter.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cells, _ = read_census([path])
    assert (cells["cell_size_m"] == 1000).all()
    assert len(cells) == len(km)
    assert cells["pop_total"].sum() == df["Einwohner"].astype(int).sum()
    centres = cells.geometry.to_crs(3035)
    assert ((centres.x.round(3) - 500) % 1000 == 0).all()


@pytest.mark.parametrize(
    ("header", "row", "match"),
    [
        (
            "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner;Kaufkraft",
            "1;2;3;4;5",
            "unknown column 'Kaufkraft'",
        ),
        ("ID;x;y;Einwohner", "a;1;2;3", "no grid cell id column"),
        ("GITTER_ID_100m;Einwohner", "nonsense;3", "row 1.*cannot read the cell id"),
        (
            "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner",
            "CRS3035RES100mN3244400E4365800;4365850;3244450;drei",
            "row 1, field 'Einwohner'.*neither a number",
        ),
        (
            "GITTER_ID_100m;Merkmal;Anzahl;Farbe",
            "100mN1E1;INSGESAMT;3;rot",
            "unknown column 'Farbe'",
        ),
    ],
)
def test_bad_census_files_raise(tmp_path: Path, header: str, row: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(CensusFormatError, match=match) as info:
        read_census([path])
    assert "bad.csv" in str(info.value)
    # a message names the row and column, never a value of the file
    assert "nonsense" not in str(info.value) and "drei" not in str(info.value)


def test_coordinates_without_ids(tmp_path: Path, data_root: Path) -> None:
    rows, _ = _sample_rows(data_root, n=15)
    path = tmp_path / "xy.csv"
    head = ["x_mp_100m", "y_mp_100m", "Einwohner", *KURZ]
    body = [";".join(r[c] for c in head) for r in rows]
    path.write_text("\n".join([";".join(head), *body]) + "\n", encoding="utf-8")
    cells, _ = read_census([path])
    assert list(cells.index) == [r["GITTER_ID_100m"] for r in rows]
    assert cells["pop_total"].sum() == sum(int(r["Einwohner"]) for r in rows)


def test_missing_census_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="census file not found"):
        read_census([tmp_path / "nope.csv"])


def test_mixed_cell_sizes_raise(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("GITTER_ID_100m;Einwohner\nCRS3035RES100mN3244400E4365800;3\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("GITTER_ID_1km;Einwohner\nCRS3035RES1000mN3244000E4365000;30\n", encoding="utf-8")
    with pytest.raises(CensusFormatError, match="mix cell sizes"):
        read_census([a, b])


# ---------------------------------------------------------------------------- districts


def test_wolfsburg_districts_hold_the_city(
    wob_cells: tuple[gpd.GeoDataFrame, dict[str, str]], ortsteile: gpd.GeoDataFrame, data_root: Path
) -> None:
    cells, _ = wob_cells
    assert len(ortsteile) == 42
    assert ortsteile.index.name == "district_id" and all(
        isinstance(i, str) for i in ortsteile.index
    )
    boundary = shapely.union_all(ortsteile.geometry.to_numpy())
    tagged = assign_cells_to_districts(cells, ortsteile, boundary)
    pd.testing.assert_index_equal(tagged.index, cells.index)
    # independent: centre-in-polygon with geopandas
    raw = gpd.read_file(data_root / "wolfsburg" / "ortsteile.geojson")
    joined = gpd.sjoin(
        cells[["pop_total", "geometry"]], raw[["id", "geometry"]], predicate="within"
    )
    joined = joined[~joined.index.duplicated()]
    inside = tagged["district_id"].notna()
    assert set(tagged.index[inside]) == set(joined.index)
    assert (tagged.loc[joined.index, "district_id"] == joined["id"].astype(str)).all()
    assert tagged.loc[tagged["in_region"], "pop_total"].sum() == joined["pop_total"].sum()
    assert joined["pop_total"].sum() == 120_027  # README checks table

    agg = aggregate_to_districts(cells, ortsteile)
    pd.testing.assert_index_equal(agg.index, ortsteile.index)
    # area shares differ from centre assignment only along the city edge
    assert agg["pop_total"].sum() == pytest.approx(120_027, rel=0.005)
    assert agg["area_km2"].sum() == pytest.approx(204.6, rel=0.01)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.floats(0.02, 0.98), min_size=1, max_size=6, unique=True),
    vertical=st.booleans(),
)
def test_aggregation_conserves_population(
    wob_cells: tuple[gpd.GeoDataFrame, dict[str, str]], cuts: list[float], vertical: bool
) -> None:
    """Strips that tile a box around all cells get exactly the cells' population."""
    cells, _ = wob_cells
    sub = cells.iloc[::7]
    pts = sub.geometry.to_crs(3035)
    x0, y0, x1, y1 = pts.total_bounds + np.array([-500, -500, 500, 500])
    edges = [0.0, *sorted(cuts), 1.0]
    strips = []
    for a, b in itertools.pairwise(edges):
        if vertical:
            strips.append(shapely.box(x0 + a * (x1 - x0), y0, x0 + b * (x1 - x0), y1))
        else:
            strips.append(shapely.box(x0, y0 + a * (y1 - y0), x1, y0 + b * (y1 - y0)))
    districts = gpd.GeoDataFrame(
        {"name": [f"S{i}" for i in range(len(strips))]},
        index=pd.Index([f"s{i}" for i in range(len(strips))], name="district_id"),
        geometry=strips,
        crs=3035,
    ).to_crs(4326)
    agg = aggregate_to_districts(sub, districts)
    for col in POP_COLUMNS:
        assert agg[col].sum() == pytest.approx(np.nansum(sub[col]), rel=1e-9)


def test_districts_from_file_repairs_and_reprojects(tmp_path: Path, data_root: Path) -> None:
    raw = gpd.read_file(data_root / "wolfsburg" / "ortsteile.geojson").iloc[:4].copy()
    raw["id"] = raw["id"].astype(float)
    bowtie = shapely.Polygon([(10.70, 52.40), (10.72, 52.42), (10.72, 52.40), (10.70, 52.42)])
    extra = gpd.GeoDataFrame(
        {
            "id": [901.0, 902.0],
            "typ": ["x", "x"],
            "name": ["Schleife", "Linie"],
            "ortsrat": ["", ""],
        },
        geometry=[bowtie, shapely.LineString([(10.7, 52.4), (10.8, 52.5)])],
        crs=4326,
    )
    mixed = pd.concat([raw, extra], ignore_index=True)
    path = tmp_path / "districts.gpkg"
    gpd.GeoDataFrame(mixed, crs=4326).to_crs(25832).to_file(path, driver="GPKG")
    # a line among the polygons is refused, naming its row
    with pytest.raises(InputDataError, match=r"row 6.*1 of 6 features have no usable polygon"):
        districts_from_file(path, name_column="name", key_column="id")
    gpd.GeoDataFrame(mixed.iloc[:5], crs=4326).to_crs(25832).to_file(path, driver="GPKG")
    out = districts_from_file(path, name_column="name", key_column="id")
    assert out.crs.to_epsg() == 4326
    assert list(out.index) == [*(str(int(v)) for v in raw["id"]), "901"]
    assert out.attrs["repaired"]["names"] == ["Schleife"]
    assert out.geometry.is_valid.all()
    # the bow tie becomes its two triangles, 0.02° x 0.01° / 2 each
    assert out.loc["901"].geometry.geom_type == "MultiPolygon"
    assert out.loc["901"].geometry.area == pytest.approx(0.0002, rel=1e-3)
    np.testing.assert_allclose(out.iloc[:4].total_bounds, raw.total_bounds, atol=1e-6)


def test_districts_from_file_missing_column(data_root: Path) -> None:
    with pytest.raises(
        InputDataError, match=r"column 'Name' not found; available columns: 'id', 'typ'"
    ):
        districts_from_file(
            data_root / "wolfsburg" / "ortsteile.geojson", name_column="Name", key_column="id"
        )


@pytest.mark.parametrize("projected", [True, False])
def test_districts_without_crs(tmp_path: Path, data_root: Path, projected: bool) -> None:
    raw = gpd.read_file(data_root / "wolfsburg" / "ortsteile.geojson").iloc[:3]
    frame = raw.to_crs(25832) if projected else raw
    path = tmp_path / "bezirke.shp"
    frame.to_file(path)
    path.with_suffix(".prj").unlink()  # a shapefile without its .prj has no CRS
    if projected:
        with pytest.raises(InputDataError, match="no CRS and its coordinates look projected"):
            districts_from_file(path, name_column="name", key_column="id")
    else:
        out = districts_from_file(path, name_column="name", key_column="id")
        assert out.crs.to_epsg() == 4326
        np.testing.assert_allclose(out.total_bounds, raw.total_bounds, atol=1e-9)


def test_districts_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="district file not found"):
        districts_from_file(tmp_path / "nope.geojson", name_column="name", key_column=None)


def test_districts_from_osm(tmp_path: Path, data_root: Path) -> None:
    lauf = districts_from_osm(
        data_root / "lauf" / "lauf-an-der-pegnitz-2020-01-15.osm.pbf", admin_levels=(9, 10)
    )
    assert len(lauf) == 0 and list(lauf.columns) == ["name", "geometry"]
    # a tiny extract with one closed admin_level=10 way
    corners = [(11.27, 49.50), (11.28, 49.50), (11.28, 49.51), (11.27, 49.51)]
    nodes = "".join(
        f'<node id="{i + 1}" version="1" lat="{lat}" lon="{lon}"/>'
        for i, (lon, lat) in enumerate(corners)
    )
    way = (
        '<way id="7" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
        '<nd ref="1"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/>'
        '<tag k="name" v="Testviertel"/></way>'
    )
    osm = tmp_path / "t.osm"
    osm.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{way}</osm>', "utf-8")
    out = districts_from_osm(osm, admin_levels=[10])
    assert list(out.index) == ["w7"] and out.loc["w7", "name"] == "Testviertel"
    assert out.geometry.iloc[0].equals(shapely.Polygon(corners))
    assert len(districts_from_osm(osm, admin_levels=[9])) == 0


# ---------------------------------------------------------------------------- snapping


def test_snap_cells_finds_the_nearest_node(
    wob_cells: tuple[gpd.GeoDataFrame, dict[str, str]], data_root: Path
) -> None:
    from geo.lines import network_from_lines

    net = network_from_lines([data_root / "wolfsburg" / "roads.geojson"], mode="drive")
    cells, _ = wob_cells
    rng = np.random.default_rng(7)
    sub = cells.iloc[rng.choice(len(cells), 60, replace=False)]
    out = snap_cells(sub, {"drive": net})
    pd.testing.assert_index_equal(out.index, sub.index)
    d = np.hypot(
        sub["x"].to_numpy()[:, None] - net.x[None, :], sub["y"].to_numpy()[:, None] - net.y[None, :]
    )
    np.testing.assert_array_equal(out["node_drive"].to_numpy(), d.argmin(axis=1))
    np.testing.assert_allclose(out["snap_m_drive"].to_numpy(), d.min(axis=1))
    assert out["node_drive"].dtype == np.int64
