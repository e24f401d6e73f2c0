"""Region build, cache, lock and CLI, on the real regions and a small Lauf cut."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.__main__ import main as cli_main
from geo.addresses import read_osm_addresses
from geo.agegroups import POP_COLUMNS
from geo.build import BUILD_VERSION, build_region, cache_key, load_region, region_dir
from geo.errors import ManifestError, NetworkBuildError, RegionNotFoundError
from geo.manifest import load_manifest
from geo.settings import REPO_ROOT, Paths, get_paths
from tests.geo.osm_cut import LAUF_PBF, write_osm_cut

MINI_TOML = """
slug = "mini"
name = "Mini-Lauf"
state = "Bayern"

[network]
osm = "mini/cut.osm.pbf"

[pois]
from_osm = true

[census]
files = ["mini/zensus2011_100m_alter.csv"]

[speeds]
walk_kmh = {walk_kmh}

[[sources]]
file = "mini/cut.osm.pbf"
title = "OSM-Ausschnitt"
date = "2020-01-15"
attribution = "© OpenStreetMap contributors, ODbL"
"""


# --- The real regions ---------------------------------------------------------------------


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_region_info_holds_the_build_facts(
    request: pytest.FixtureRequest, region: str, data_root: Path, paths: Paths
) -> None:
    reg = request.getfixturevalue(region)
    info = reg.info
    for key in (
        "nodes",
        "edges",
        "districts",
        "population_total",
        "cells",
        "addresses",
        "dropped",
        "build_seconds",
        "age_groups_estimated",
        "sources",
        "cache_key",
    ):
        assert key in info, key
    for mode, net in reg.networks.items():
        assert info["nodes"][mode] == net.n_nodes
        assert info["edges"][mode] == net.n_edges
        assert info["dropped"][mode]["nodes"] == net.stats["dropped_nodes"]
    census = pd.read_csv(data_root / region / "zensus2011_100m_alter.csv", sep=";")
    assert info["population_total"] == pytest.approx(census["Einwohner"].sum())
    assert info["cells"] == len(reg.cells) == len(census)
    assert info["districts"] == len(reg.districts)
    assert info["build_seconds"] > 0
    assert (region_dir(region, paths=paths) / info["cache_key"] / "info.json").exists()
    names = {s["file"] for s in info["sources"]}
    assert {p.name for p in reg.manifest.input_files()} >= names
    assert all(s["attribution"] and s["date"] for s in info["sources"])


@pytest.mark.parametrize(
    ("region", "age_unknown"),
    # the data README: cells with a total but no age breakdown
    [("wolfsburg", 104), ("lauf", 21)],
)
def test_region_info_holds_census_and_reader_counts(
    request: pytest.FixtureRequest, region: str, age_unknown: int
) -> None:
    reg = request.getfixturevalue(region)
    census = reg.info["census"]
    files = [p.name for p in reg.manifest.census_files]
    assert census["files"] == files
    assert set(census["suppressed"]) == set(census["layouts"]) == set(files)
    assert census["cells_age_unknown"] == age_unknown == int((~reg.cells["age_known"]).sum())
    # these 2011 files hold integers only: nothing is suppressed
    assert census["suppressed_total"] == 0
    assert census["cell_size_m"] == 100
    dropped = reg.info["dropped"]
    if reg.manifest.osm_file is not None:
        raw = read_osm_addresses(reg.manifest.osm_file)
        assert dropped["addresses"] == raw.attrs["dropped"]
        assert dropped["addresses"]["clipped_ways"] > 0  # the extract is cut at its bbox
    else:
        assert dropped["addresses"] == {}
    assert isinstance(dropped["districts"], dict)
    if reg.manifest.districts_file is not None:
        assert dropped["districts"] == {"non_polygon_rows": 0}
    json.dumps(reg.info)  # stored as JSON: plain types only


def test_build_info_counts_suppressed_census_values(tmp_path: Path, mini_data: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(mini_data, data)
    csv = data / "mini" / "zensus2011_100m_alter.csv"
    table = pd.read_csv(csv, sep=";", dtype=str)
    rng = np.random.default_rng(7)
    rows = rng.choice(len(table), size=5, replace=False)
    table.loc[rows[:3], "Unter18"] = "–"  # the 2022 files' marker
    table.loc[rows[3:], "a65undaelter"] = ""
    table.to_csv(csv, sep=";", index=False)
    region = load_region("mini", paths=_mini_paths(tmp_path, data))
    census = region.info["census"]
    assert census["suppressed"]["zensus2011_100m_alter.csv"]["Unter18"] == 3
    assert census["suppressed"]["zensus2011_100m_alter.csv"]["a65undaelter"] == 2
    assert census["suppressed"]["zensus2011_100m_alter.csv"]["Einwohner"] == 0
    assert census["suppressed_total"] == 5
    hit = table.loc[rows, "GITTER_ID_100m"]
    assert not region.cells.loc[hit, "age_known"].any()
    assert census["cells_age_unknown"] == int((~region.cells["age_known"]).sum())
    raw = read_osm_addresses(data / "mini" / "cut.osm.pbf")
    dropped = region.info["dropped"]
    assert dropped["addresses"] == raw.attrs["dropped"]
    assert dropped["districts"] == {}  # the mini manifest has no districts


def test_wolfsburg_districts_and_boundary(wolfsburg) -> None:
    assert len(wolfsburg.districts) == 42
    for col in ("name", "area_km2", *POP_COLUMNS):
        assert col in wolfsburg.districts.columns
    assert wolfsburg.info["boundary_source"] == "districts"
    # The data README: the union of the Ortsteile covers 204.6 km².
    boundary = gpd.GeoSeries([wolfsburg.boundary], crs="EPSG:4326").to_crs("EPSG:25832")
    assert boundary.area.iloc[0] / 1e6 == pytest.approx(204.6, rel=0.01)


def test_lauf_boundary_and_districts(lauf) -> None:
    for col in ("name", "area_km2", *POP_COLUMNS):
        assert col in lauf.districts.columns
    expected = "districts" if len(lauf.districts) else "network hull"
    assert lauf.info["boundary_source"] == expected
    walk = lauf.networks["walk"]
    nodes = gpd.GeoSeries(gpd.points_from_xy(walk.x, walk.y), crs="EPSG:25832").to_crs(4326)
    inside = shapely.covers(lauf.boundary.buffer(1e-6), nodes.to_numpy())
    assert inside.mean() > 0.95


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_cells_are_snapped_per_mode(request: pytest.FixtureRequest, region: str) -> None:
    reg = request.getfixturevalue(region)
    for mode, net in reg.networks.items():
        nodes = reg.cells[f"node_{mode}"].to_numpy()
        assert nodes.min() >= 0 and nodes.max() < net.n_nodes
        d = np.hypot(net.x[nodes] - reg.cells["x"], net.y[nodes] - reg.cells["y"])
        assert np.allclose(d, reg.cells[f"snap_m_{mode}"])


@pytest.mark.parametrize("region", ["wolfsburg", "lauf"])
def test_pois_and_basemap_layers(request: pytest.FixtureRequest, region: str) -> None:
    reg = request.getfixturevalue(region)
    assert len(reg.pois) > 500
    assert all(isinstance(t, dict) for t in reg.pois["tags"])
    assert set(reg.basemap) == {"streets", "areas", "labels"}
    streets = reg.basemap["streets"]
    assert len(streets) > 1000
    assert set(streets["cls"]) <= {"motorway", "primary", "secondary", "minor", "path"}
    for layer in reg.basemap.values():
        assert layer.crs.to_epsg() == 4326


@pytest.mark.parametrize("slug", ["wolfsburg", "lauf"])
def test_unchanged_region_loads_from_cache(
    request: pytest.FixtureRequest, slug: str, paths: Paths
) -> None:
    request.getfixturevalue(slug)
    # Load twice in a row: the first may rebuild if a builder module changed meanwhile.
    first = load_region(slug, paths=paths)
    calls: list[str] = []
    again = load_region(slug, paths=paths, progress=lambda f, m: calls.append(m))
    assert calls == []
    assert again.info == first.info
    assert np.array_equal(again.networks["walk"].seconds, first.networks["walk"].seconds)
    assert again.pois["tags"].iloc[0] == first.pois["tags"].iloc[0]
    assert again.cells.equals(first.cells)


# --- A small region built from scratch ------------------------------------------------------


@pytest.fixture(scope="module")
def mini_data(data_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini_data")
    (root / "mini").mkdir()
    write_osm_cut(data_root / LAUF_PBF, root / "mini" / "cut.osm.pbf")
    shutil.copy(data_root / "lauf" / "zensus2011_100m_alter.csv", root / "mini")
    return root


def _mini_paths(tmp_path: Path, data: Path, *, walk_kmh: float = 4.5) -> Paths:
    regions = tmp_path / "regions"
    regions.mkdir(exist_ok=True)
    (regions / "mini.toml").write_text(MINI_TOML.format(walk_kmh=walk_kmh), encoding="utf-8")
    return get_paths(data_root=data, work_dir=tmp_path / "work", regions_dir=regions)


def _cache_entries(paths: Paths) -> list[str]:
    folder = region_dir("mini", paths=paths)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_mini_builds_then_loads(tmp_path: Path, mini_data: Path) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    calls: list[tuple[float, str]] = []
    region = load_region("mini", paths=paths, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    key = region.info["cache_key"]
    assert region.info["build_version"] == BUILD_VERSION
    assert _cache_entries(paths) == sorted([".lock", key])
    assert (region_dir("mini", paths=paths) / key / "info.json").exists()
    calls.clear()
    again = load_region("mini", paths=paths, progress=lambda f, m: calls.append((f, m)))
    assert calls == []
    assert again.info == region.info
    for mode in ("walk", "bike", "drive"):
        assert again.networks[mode].n_edges == region.networks[mode].n_edges
    assert again.cells.index.equals(region.cells.index)


@pytest.mark.parametrize("damage", ["cells.parquet", "networks/walk.npz", "boundary.wkb"])
def test_damaged_cache_is_rebuilt(tmp_path: Path, mini_data: Path, damage: str) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    first = load_region("mini", paths=paths)
    broken = region_dir("mini", paths=paths) / first.info["cache_key"] / damage
    broken.write_bytes(broken.read_bytes()[:50])
    calls: list[str] = []
    again = load_region("mini", paths=paths, progress=lambda f, m: calls.append(m))
    assert calls, "a damaged cache must be rebuilt, not loaded"
    assert again.info["cache_key"] == first.info["cache_key"]
    assert len(again.cells) == len(first.cells)
    assert again.networks["walk"].n_edges == first.networks["walk"].n_edges
    assert _cache_entries(paths) == sorted([".lock", first.info["cache_key"]])


def test_changed_input_or_manifest_gives_a_new_key(tmp_path: Path, mini_data: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(mini_data, data)
    paths = _mini_paths(tmp_path, data)
    key0 = cache_key(load_manifest("mini", paths=paths))
    assert cache_key(load_manifest("mini", paths=paths)) == key0
    # A different cut of the same extract in the same file.
    write_osm_cut(
        Path(os.environ.get("BLK_DATA_ROOT", get_paths().data_root)) / LAUF_PBF,
        data / "mini" / "cut.osm.pbf",
        bbox=(11.27, 49.505, 11.29, 49.515),
    )
    key1 = cache_key(load_manifest("mini", paths=paths))
    assert key1 != key0
    paths2 = _mini_paths(tmp_path, data, walk_kmh=5.0)
    key2 = cache_key(load_manifest("mini", paths=paths2))
    assert key2 not in (key0, key1)
    calls: list[str] = []
    region = load_region("mini", paths=paths2, progress=lambda f, m: calls.append(m))
    assert calls and region.info["cache_key"] == key2


def test_failed_build_leaves_no_cache(tmp_path: Path, mini_data: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(mini_data, data)
    (data / "mini" / "cut.osm.pbf").write_bytes(np.random.default_rng(3).bytes(2048))
    paths = _mini_paths(tmp_path, data)
    with pytest.raises(NetworkBuildError, match=r"cut\.osm\.pbf"):
        load_region("mini", paths=paths)
    assert _cache_entries(paths) == [".lock"]


def test_failed_write_leaves_no_partial_cache(
    tmp_path: Path, mini_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.build

    paths = _mini_paths(tmp_path, mini_data)
    real = geo.build._write_gdf
    written: list[Path] = []

    def flaky(gdf, path: Path) -> None:
        if written:
            raise OSError("disk full")
        written.append(path)
        real(gdf, path)

    monkeypatch.setattr(geo.build, "_write_gdf", flaky)
    with pytest.raises(OSError, match="disk full"):
        load_region("mini", paths=paths)
    assert written, "the failure must come after something was written"
    assert _cache_entries(paths) == [".lock"]
    monkeypatch.setattr(geo.build, "_write_gdf", real)
    assert load_region("mini", paths=paths).info["cells"] > 0


def test_concurrent_loads_build_once(tmp_path: Path, mini_data: Path) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    progress: dict[int, int] = {0: 0, 1: 0}
    results: dict[int, object] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = load_region(
                "mini", paths=paths, progress=lambda f, m: progress.__setitem__(i, progress[i] + 1)
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(v > 0 for v in progress.values()) == [False, True]
    assert results[0].info["cache_key"] == results[1].info["cache_key"]
    assert len([e for e in _cache_entries(paths) if not e.startswith(".")]) == 1


def test_build_region_always_rebuilds(tmp_path: Path, mini_data: Path) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    manifest = load_manifest("mini", paths=paths)
    first = build_region(manifest, paths=paths)
    calls: list[str] = []
    second = build_region(manifest, paths=paths, progress=lambda f, m: calls.append(m))
    assert calls
    assert second.info["cache_key"] == first.info["cache_key"]
    assert _cache_entries(paths) == sorted([".lock", first.info["cache_key"]])


# --- Manifest mistakes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "error", "pattern"),
    [
        ("[network]", "[netwrok]", ManifestError, r"mini\.toml.*'netwrok'.*did you mean 'network'"),
        (
            'osm = "mini/cut.osm.pbf"',
            'osm = "mini/cut.osm.pfb"',
            ManifestError,
            r"mini\.toml.*network\.osm.*does not exist",
        ),
        ("[speeds]", "[speed]", ManifestError, r"'speed'.*did you mean 'speeds'"),
        ("walk_kmh", "walk_kmph", ManifestError, r"'walk_kmph'.*did you mean 'walk_kmh'"),
    ],
)
def test_manifest_typos(
    tmp_path: Path, mini_data: Path, old: str, new: str, error: type, pattern: str
) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    toml = paths.regions_dir / "mini.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(error, match=pattern):
        load_region("mini", paths=paths)
    assert _cache_entries(paths) == []


def test_unknown_region(tmp_path: Path, mini_data: Path) -> None:
    paths = _mini_paths(tmp_path, mini_data)
    with pytest.raises(RegionNotFoundError, match="Did you mean 'mini'"):
        load_region("minni", paths=paths)


# --- CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, mini_data: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    paths = _mini_paths(tmp_path, mini_data)
    monkeypatch.setenv("BLK_DATA_ROOT", str(paths.data_root))
    monkeypatch.setenv("BLK_WORK_DIR", str(paths.work_dir))
    monkeypatch.setenv("BLK_REGIONS_DIR", str(paths.regions_dir))
    return paths


def test_cli_build_info_list(cli_env: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["list"]) == 0
    assert capsys.readouterr().out.split() == ["mini"]
    assert cli_main(["build", "mini"]) == 0
    out = capsys.readouterr()
    assert "100%" in out.err and "Mini-Lauf" in out.out
    assert cli_main(["info", "mini", "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    for key in (
        "nodes",
        "edges",
        "offers",
        "districts",
        "population_total",
        "cells",
        "addresses",
        "dropped",
        "build_seconds",
    ):
        assert key in facts, key
    stored = json.loads(
        (region_dir("mini", paths=cli_env) / facts["cache_key"] / "info.json").read_text()
    )
    assert facts["nodes"] == stored["nodes"] and facts["edges"] == stored["edges"]
    assert facts["dropped"] == stored["dropped"]
    assert facts["census"] == stored["census"]
    assert facts["census"]["files"] == ["zensus2011_100m_alter.csv"]
    assert facts["census"]["suppressed_total"] == 0
    assert set(facts["dropped"]["addresses"]) == {
        "ways_without_nodes",
        "relations_not_assembled",
        "clipped_ways",
    }
    assert isinstance(facts["offers"], dict)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["info", "nowhere", "--json"], "no region manifest"),
        (["build", "nowhere"], "no region manifest"),
    ],
)
def test_cli_errors_are_one_line(
    cli_env: Paths, capsys: pytest.CaptureFixture[str], args: list[str], pattern: str
) -> None:
    assert cli_main(args) == 1
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and pattern in lines[0]


def test_cli_bad_input_is_one_line_without_traceback(tmp_path: Path, mini_data: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(mini_data, data)
    (data / "mini" / "cut.osm.pbf").write_bytes(b"")
    paths = _mini_paths(tmp_path, data)
    env = {
        **os.environ,
        "BLK_DATA_ROOT": str(paths.data_root),
        "BLK_WORK_DIR": str(paths.work_dir),
        "BLK_REGIONS_DIR": str(paths.regions_dir),
    }
    res = subprocess.run(
        [sys.executable, "-m", "geo", "build", "mini"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error:") and "cut.osm.pbf" in last
