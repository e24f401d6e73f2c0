"""Fixtures of the monitor tests: real districts of Flensburg and Lübeck, fresh stores."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from geo.districts import districts_from_file
from geo.settings import Paths, get_paths
from monitor.areas import AreaMatcher
from monitor.store import MonitorStore

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="session")
def real_paths() -> Paths:
    p = get_paths()
    if not p.data_root.exists():
        pytest.fail(f"real data missing: {p.data_root} (set BLK_DATA_ROOT)")
    return p


@pytest.fixture(scope="session")
def sozialatlas(real_paths: Paths) -> Path:
    return real_paths.data_root / "flensburg" / "sozialatlas"


@pytest.fixture(scope="session")
def flensburg_districts(real_paths: Paths) -> gpd.GeoDataFrame:
    return districts_from_file(
        real_paths.data_root / "flensburg" / "stadtteile.geojson",
        name_column="AREA_NAME",
        key_column="AREA_ID",
    )


@pytest.fixture(scope="session")
def luebeck_districts(real_paths: Paths) -> gpd.GeoDataFrame:
    return districts_from_file(
        real_paths.data_root / "luebeck" / "luebeck_stadtteile.geojson",
        name_column="stadtteil",
        key_column="nr",
    )


@pytest.fixture(scope="session")
def flensburg(flensburg_districts: gpd.GeoDataFrame) -> AreaMatcher:
    return AreaMatcher(flensburg_districts, region_name="Flensburg", region_keys=("flensburg",))


@pytest.fixture(scope="session")
def luebeck(luebeck_districts: gpd.GeoDataFrame) -> AreaMatcher:
    return AreaMatcher(luebeck_districts, region_name="Lübeck", region_keys=("luebeck",))


@pytest.fixture()
def work_paths(tmp_path: Path, real_paths: Paths) -> Paths:
    """Real data root, a fresh working folder."""
    return get_paths(
        data_root=real_paths.data_root,
        work_dir=tmp_path / "work",
        regions_dir=real_paths.regions_dir,
    )


@pytest.fixture()
def store(work_paths: Paths) -> MonitorStore:
    return MonitorStore("flensburg", paths=work_paths)
