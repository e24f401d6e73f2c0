"""Broken region inputs (issue 9 §7): each case and its exact outcome.

Every case starts from real Wolfsburg files (the 4,963-cell census grid with 151,718
people and the 42 Ortsteile), breaks one thing and asserts what the build does: a
clear error naming the file (and row or field), or a repair that ``info`` reports.
The corpus regions have no street network, so each build takes seconds; the network
checks use the small Lauf cut of ``test_build``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.build import load_region, region_dir
from geo.census import read_census
from geo.errors import CensusFormatError, InputDataError, ManifestError, NetworkBuildError
from geo.manifest import load_manifest
from geo.settings import Paths, get_paths
from tests.geo.osm_cut import LAUF_PBF, write_osm_cut

CENSUS = "wolfsburg/zensus2011_100m_alter.csv"
DISTRICTS = "wolfsburg/ortsteile.geojson"
WOB_CELLS = 4963
WOB_PEOPLE = 151_718

TOML = """
slug = "c"
name = "Korpus"
{extra_top}
[districts]
file = "c/districts.geojson"
name_column = "name"
key_column = {key_column}
{extra_districts}
[census]
files = [{census}]
{extra}
"""


@pytest.fixture
def corpus(tmp_path: Path, data_root: Path) -> Path:
    """A data root with the Wolfsburg census and districts under ``c/``."""
    root = tmp_path / "data"
    (root / "c").mkdir(parents=True)
    shutil.copy(data_root / CENSUS, root / "c" / "census.csv")
    shutil.copy(data_root / DISTRICTS, root / "c" / "districts.geojson")
    return root


def _paths(tmp_path: Path, root: Path, **fmt: str) -> Paths:
    values = {
        "extra_top": "",
        "key_column": '"id"',
        "extra_districts": "",
        "census": '"c/census.csv"',
        "extra": "",
        **fmt,
    }
    regions = tmp_path / "regions"
    regions.mkdir(exist_ok=True)
    (regions / "c.toml").write_text(TOML.format(**values), encoding="utf-8")
    return get_paths(data_root=root, work_dir=tmp_path / "work", regions_dir=regions)


def _census(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "c" / "census.csv", sep=";", dtype=str)


def _write_census(root: Path, table: pd.DataFrame, *, name: str = "census.csv") -> Path:
    path = root / "c" / name
    table.to_csv(path, sep=";", index=False)
    return path


def _moved(table: pd.DataFrame, *, dx_m: int = 0, dy_m: int = 0) -> pd.DataFrame:
    """The cells moved on the grid (ids and centres together)."""
    out = table.copy()
    x = out["x_mp_100m"].astype(int) + dx_m
    y = out["y_mp_100m"].astype(int) + dy_m
    out["x_mp_100m"], out["y_mp_100m"] = x.astype(str), y.astype(str)
    out["GITTER_ID_100m"] = [
        f"CRS3035RES100mN{yy - 50}E{xx - 50}" for xx, yy in zip(x, y, strict=True)
    ]
    return out


def _districts(root: Path) -> dict:
    return json.loads((root / "c" / "districts.geojson").read_text(encoding="utf-8"))


def _write_districts(root: Path, data: dict) -> None:
    (root / "c" / "districts.geojson").write_text(json.dumps(data), encoding="utf-8")


def _first_ring(feature: dict) -> list:
    geom = feature["geometry"]
    return geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]


# --- the unbroken corpus region --------------------------------------------------------


def test_corpus_region_builds_without_a_network(tmp_path: Path, corpus: Path) -> None:
    region = load_region("c", paths=_paths(tmp_path, corpus))
    assert not region.has_network and region.networks == {}
    assert region.network_note is not None and region.network_note["reason"] == "no_network"
    assert len(region.cells) == WOB_CELLS
    assert region.info["population_total"] == WOB_PEOPLE
    assert region.info["population_in_region"] == 120_027  # the README's Ortsteile figure
    assert len(region.districts) == 42
    assert region.info["dropped"]["census_far_cells"]["cells"] == 0
    assert "straight lines" in region.info["network_note"]


# --- census: silently wrong builds become errors or reported repairs --------------------


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("-12", r"row 5, field 'Einwohner'.*negative count \(-12\); 1 such value"),
        ("inf", r"row 5, field 'Einwohner'.*neither a number nor a suppression mark"),
        ("Infinity", r"row 5, field 'Einwohner'.*neither a number"),
        ("NaN", r"row 5, field 'Einwohner'.*neither a number"),
        ("1e300", r"row 5, field 'Einwohner'.*1 value\(s\) above 10,000 people per cell"),
    ],
)
def test_impossible_counts_are_errors(
    tmp_path: Path, corpus: Path, value: str, pattern: str
) -> None:
    table = _census(corpus)
    table.loc[4, "Einwohner"] = value
    _write_census(corpus, table)
    paths = _paths(tmp_path, corpus)
    with pytest.raises(CensusFormatError, match=pattern) as info:
        load_region("c", paths=paths)
    assert "census.csv" in str(info.value)
    assert not (region_dir("c", paths=paths)).exists() or not any(
        p for p in region_dir("c", paths=paths).iterdir() if not p.name.startswith(".")
    )


def test_zensus_codes_minus_one_and_nine_stay_unknown(tmp_path: Path, corpus: Path) -> None:
    table = _census(corpus)
    table.loc[[3, 8], "Unter18"] = "-1"
    table.loc[[11], "a65undaelter"] = "-9"
    _write_census(corpus, table)
    region = load_region("c", paths=_paths(tmp_path, corpus))
    assert region.info["census"]["suppressed"]["census.csv"]["Unter18"] == 2
    assert region.info["census"]["suppressed"]["census.csv"]["a65undaelter"] == 1
    ids = table.loc[[3, 8, 11], "GITTER_ID_100m"]
    assert not region.cells.loc[ids, "age_known"].any()


def test_every_cell_500_km_away_is_an_error(tmp_path: Path, corpus: Path) -> None:
    _write_census(corpus, _moved(_census(corpus), dy_m=-500_000))
    with pytest.raises(
        InputDataError, match=r"no census cell lies within 10 km of the region \(the nearest is 4"
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_far_cells_are_dropped_and_reported(tmp_path: Path, corpus: Path) -> None:
    table = _census(corpus)
    rng = np.random.default_rng(3)
    extra = _moved(table.iloc[rng.choice(len(table), 200, replace=False)], dy_m=-300_000)
    _write_census(corpus, pd.concat([table, extra], ignore_index=True))
    region = load_region("c", paths=_paths(tmp_path, corpus))
    far = region.info["dropped"]["census_far_cells"]
    assert far["cells"] == 200
    assert far["population"] == extra["Einwohner"].astype(int).sum()
    assert len(region.cells) == WOB_CELLS
    assert region.info["population_total"] == WOB_PEOPLE


@pytest.mark.parametrize("where", ["values", "header"])
def test_swapped_x_and_y_are_an_error(tmp_path: Path, corpus: Path, where: str) -> None:
    table = _census(corpus)
    if where == "values":
        table[["x_mp_100m", "y_mp_100m"]] = table[["y_mp_100m", "x_mp_100m"]].to_numpy()
    else:
        table = table.rename(columns={"x_mp_100m": "y_mp_100m", "y_mp_100m": "x_mp_100m"})
    _write_census(corpus, table)
    with pytest.raises(
        CensusFormatError,
        match=r"row 1, field 'GITTER_ID_100m'.*disagree by .* m in 4963 row\(s\).*x and y are "
        r"swapped",
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_swapped_coordinates_without_ids_are_an_error(tmp_path: Path, corpus: Path) -> None:
    table = _census(corpus).drop(columns="GITTER_ID_100m")
    table[["x_mp_100m", "y_mp_100m"]] = table[["y_mp_100m", "x_mp_100m"]].to_numpy()
    _write_census(corpus, table)
    with pytest.raises(CensusFormatError, match=r"4963 cell\(s\) lie outside Germany.*swapped"):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_ids_and_coordinates_3_km_apart_are_an_error(tmp_path: Path, corpus: Path) -> None:
    table = _census(corpus)
    table["x_mp_100m"] = (table["x_mp_100m"].astype(int) + 3000).astype(str)
    _write_census(corpus, table)
    with pytest.raises(
        CensusFormatError, match=r"disagree by 3,000 m in 4963 row\(s\).*ids or the coordinates"
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_mixed_grids_name_the_odd_file(tmp_path: Path, corpus: Path, data_root: Path) -> None:
    shutil.copy(data_root / "wolfsburg" / "zensus2011_1km_merkmale.csv", corpus / "c" / "km.csv")
    paths = _paths(tmp_path, corpus, census='"c/census.csv", "c/km.csv"')
    with pytest.raises(CensusFormatError) as info:
        load_region("c", paths=paths)
    text = str(info.value)
    assert text.startswith(str(corpus / "c" / "km.csv"))
    assert "this file has [1000] m cells, census.csv has 100 m cells" in text


# --- census: valid German files are read -------------------------------------------------


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [("\t", "utf-8"), ("|", "utf-8"), (";", "utf-16-le"), (";", "utf-16-be"), ("\t", "cp1252")],
)
def test_german_delimiters_and_encodings(
    tmp_path: Path, corpus: Path, sep: str, encoding: str
) -> None:
    table = _census(corpus)
    path = corpus / "c" / "census.csv"
    text = table.to_csv(sep=sep, index=False)
    path.write_bytes(text.encode(encoding))  # no BOM
    assert not path.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"))
    cells, _ = read_census([path])
    assert len(cells) == WOB_CELLS
    assert cells["pop_total"].sum() == WOB_PEOPLE


def test_decimal_commas_in_counts(tmp_path: Path, corpus: Path) -> None:
    table = _census(corpus)
    before = int(table.loc[0, "Einwohner"])
    table.loc[0, "Einwohner"] = "3,5"
    table.loc[1, "Unter18"] = "1,25"
    path = _write_census(corpus, table)
    cells, _ = read_census([path])
    expected = WOB_PEOPLE - before + 3.5
    assert cells["pop_total"].sum() == pytest.approx(expected)
    assert cells.loc[table.loc[0, "GITTER_ID_100m"], "pop_total"] == 3.5


# --- districts ---------------------------------------------------------------------------


def test_swapped_lon_lat_districts_are_an_error(tmp_path: Path, corpus: Path) -> None:
    data = _districts(corpus)

    def swap(coords: list) -> list:
        return [coords[1], coords[0]] if isinstance(coords[0], float) else [swap(c) for c in coords]

    for f in data["features"]:
        f["geometry"]["coordinates"] = swap(f["geometry"]["coordinates"])
    _write_districts(corpus, data)
    with pytest.raises(
        InputDataError,
        match=r"districts\.geojson, field 'geometry': the districts lie outside Germany "
        r"\(lon 52\.\d\d–52\.\d\d, lat 10\.\d\d–10\.\d\d\); with the axes swapped",
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_overlapping_districts_are_an_error(tmp_path: Path, corpus: Path) -> None:
    data = _districts(corpus)
    copy_of = copy.deepcopy(data["features"][5])
    copy_of["properties"].update({"id": 9999, "name": "Kopie"})
    data["features"].append(copy_of)
    _write_districts(corpus, data)
    name = data["features"][5]["properties"]["name"]
    with pytest.raises(
        InputDataError,
        match=rf"districts {name!r} and 'Kopie' overlap \(100% of the smaller one.*1 pair\(s\)",
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_points_only_district_file_is_an_error(tmp_path: Path, corpus: Path) -> None:
    data = _districts(corpus)
    for f in data["features"]:
        lon, lat = _first_ring(f)[0]
        f["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
    _write_districts(corpus, data)
    with pytest.raises(
        InputDataError, match=r"row 1: no polygon in the file: every feature is a Point"
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_null_geometries_are_an_error(tmp_path: Path, corpus: Path) -> None:
    data = _districts(corpus)
    for i in (2, 9, 17, 30, 41):
        data["features"][i]["geometry"] = None
    _write_districts(corpus, data)
    first = data["features"][2]["properties"]["name"]
    with pytest.raises(
        InputDataError,
        match=rf"row 3: 5 of 42 features have no usable polygon \(5 without geometry, 0 with "
        rf"NaN.*first: row 3 \({re.escape(first)}\)",
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


@pytest.mark.parametrize(("value", "kind"), [("NaN", "without geometry"), (float("nan"), "NaN")])
def test_nan_coordinate_is_an_error(tmp_path: Path, corpus: Path, value: object, kind: str) -> None:
    data = _districts(corpus)
    _first_ring(data["features"][7])[3][0] = value
    _write_districts(corpus, data)
    counts = (
        "1 without geometry, 0 with NaN"
        if kind == "without geometry"
        else ("0 without geometry, 1 with NaN")
    )
    with pytest.raises(InputDataError, match=rf"row 8: 1 of 42 features .*\({counts}"):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_projected_geojson_without_crs_is_an_error(tmp_path: Path, corpus: Path) -> None:
    import geopandas as gpd

    frame = gpd.read_file(corpus / "c" / "districts.geojson").to_crs(25832)
    data = json.loads(frame.to_json())
    data.pop("crs", None)  # a common export: projected coordinates, no crs member
    _write_districts(corpus, data)
    with pytest.raises(
        InputDataError, match=r"field 'crs': wrong CRS: the file claims EPSG:4326.*look projected"
    ):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_districts_far_from_the_census_are_an_error(
    tmp_path: Path, corpus: Path, data_root: Path
) -> None:
    shutil.copy(data_root / "lauf" / "zensus2011_100m_alter.csv", corpus / "c" / "census.csv")
    with pytest.raises(InputDataError, match=r"no census cell lies within 10 km of the region"):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_districts_beside_the_census_are_an_error(tmp_path: Path, corpus: Path) -> None:
    # cells 6 km east of the city: near (within 10 km), but none inside a district
    table = _census(corpus)
    x = table["x_mp_100m"].astype(int)
    east = table[x > x.max() - 500]
    _write_census(corpus, _moved(east, dx_m=6000))
    with pytest.raises(InputDataError, match=r"no census cell lies inside the districts"):
        load_region("c", paths=_paths(tmp_path, corpus))


def test_districts_must_lie_on_the_network(tmp_path: Path, data_root: Path) -> None:
    root = tmp_path / "data"
    (root / "c").mkdir(parents=True)
    write_osm_cut(data_root / LAUF_PBF, root / "c" / "cut.osm.pbf")
    shutil.copy(data_root / DISTRICTS, root / "c" / "districts.geojson")
    shutil.copy(data_root / CENSUS, root / "c" / "census.csv")
    paths = _paths(tmp_path, root, extra='[network]\nosm = "c/cut.osm.pbf"')
    with pytest.raises(NetworkBuildError, match=r"covers 0\.0% of the districts' area"):
        load_region("c", paths=paths)


# --- manifests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("nan", "nan"), ("inf", "inf"), ("true", "True"), ("1e-300", "1e-300"), ("45", "45")],
)
def test_implausible_speeds_are_errors(
    tmp_path: Path, corpus: Path, value: str, shown: str
) -> None:
    paths = _paths(tmp_path, corpus, extra=f"[speeds]\nwalk_kmh = {value}")
    with pytest.raises(
        ManifestError,
        match=rf"field 'speeds\.walk_kmh': speed {shown} is not a number of km/h between 1 and 10",
    ):
        load_manifest("c", paths=paths)


def test_default_must_be_a_boolean(tmp_path: Path, corpus: Path) -> None:
    paths = _paths(tmp_path, corpus, extra_top='default = "yes"')
    with pytest.raises(ManifestError, match=r"field 'default': default must be true or false"):
        load_manifest("c", paths=paths)


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [
        (
            {"extra_districts": "admin_levels = ['x']"},
            r"field 'districts\.admin_levels': admin levels must be whole numbers from 2 to 11",
        ),
        (
            {"key_column": "['id']"},
            r"field 'districts\.key_column': expected a column name \(text\), got list",
        ),
        (
            {"census": '"/etc/passwd"'},
            r"field 'census\.files': the path '/etc/passwd' leads outside the data root",
        ),
        (
            {"census": '"../../../etc/passwd"'},
            r"field 'census\.files': the path '\.\./\.\./\.\./etc/passwd' leads outside",
        ),
        ({"census": '"c"'}, r"field 'census\.files': .*/c is a folder, not a file"),
    ],
)
def test_manifest_values_give_messages(
    tmp_path: Path, corpus: Path, fmt: dict[str, str], pattern: str
) -> None:
    with pytest.raises(ManifestError, match=pattern):
        load_manifest("c", paths=_paths(tmp_path, corpus, **fmt))


def test_messages_never_quote_file_content(tmp_path: Path, corpus: Path) -> None:
    # a text file that is no census grid at all, as /etc/passwd was
    (corpus / "c" / "census.csv").write_text(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
        encoding="utf-8",
    )
    with pytest.raises(CensusFormatError) as info:
        load_region("c", paths=_paths(tmp_path, corpus))
    text = str(info.value)
    assert "census.csv" in text
    assert "root" not in text.replace(str(tmp_path), "") and "daemon" not in text


def test_a_network_free_manifest_is_valid_and_a_districts_only_one_too(
    tmp_path: Path, corpus: Path
) -> None:
    regions = tmp_path / "regions"
    regions.mkdir()
    (regions / "m.toml").write_text(
        '[districts]\nfile = "c/districts.geojson"\nkey_column = "id"\n'
        '[indicators]\nimports = ["c", "c/census.csv"]\n',
        encoding="utf-8",
    )
    paths = get_paths(data_root=corpus, work_dir=tmp_path / "work", regions_dir=regions)
    manifest = load_manifest("m", paths=paths)
    assert not manifest.has_network
    assert manifest.indicator_imports == (corpus / "c", corpus / "c" / "census.csv")
    region = load_region("m", paths=paths)
    assert len(region.districts) == 42 and len(region.cells) == 0
    assert region.districts["pop_total"].sum() == 0


def test_a_manifest_needs_districts_or_a_network(tmp_path: Path, corpus: Path) -> None:
    regions = tmp_path / "regions"
    regions.mkdir()
    (regions / "m.toml").write_text('[census]\nfiles = ["c/census.csv"]\n', encoding="utf-8")
    paths = get_paths(data_root=corpus, work_dir=tmp_path / "work", regions_dir=regions)
    with pytest.raises(ManifestError, match="needs a street network or districts"):
        load_manifest("m", paths=paths)


# --- housekeeping ------------------------------------------------------------------------


def test_a_killed_builds_temp_folder_is_removed_at_start(tmp_path: Path, corpus: Path) -> None:
    paths = _paths(tmp_path, corpus)
    region = load_region("c", paths=paths)
    folder = region_dir("c", paths=paths)
    stale = folder / f".tmp-{region.info['cache_key']}-killed"
    stale.mkdir()
    (stale / "cells.parquet").write_bytes(b"half")
    again = load_region("c", paths=paths)  # a cache load, no build
    assert again.info["cache_key"] == region.info["cache_key"]
    assert not stale.exists()
